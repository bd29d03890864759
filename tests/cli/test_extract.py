"""`extract --db D -o F` stopped by Ctrl-C: D keeps what was stored, F is left as it was, one
line says so, and a rerun with --resume writes F with every record D holds."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

EXE = Path(sys.executable).with_name("evidence-miner")
DOCUMENTS = 200
ARTICLE = (
    "Low-dose aspirin cut repeat strokes in trial {i}\n\n"
    "In a randomized trial of {n} adults, patients received aspirin 81 mg daily or placebo. "
    "After two years, 20 of 200 patients in the aspirin group had a second stroke.\n"
)
PRECIOUS = '{"kept": 1}\n'


def count_records(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as connection:
            return connection.execute("SELECT count(*) FROM records").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def restore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def write_inputs(folder: Path) -> Path:
    path = folder / "in.jsonl"
    lines = [json.dumps({"url": f"https://news.example/{i}", "text": ARTICLE.format(i=i, n=400 + i)})
             for i in range(DOCUMENTS)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_extract_ctrl_c_says_what_is_stored_and_resume_writes_every_stored_record(tmp_path: Path) -> None:
    write_inputs(tmp_path)
    (tmp_path / "F.jsonl").write_text(PRECIOUS, "utf-8")
    args = [str(EXE), "extract", "in.jsonl", "--db", "D.db", "-o", "F.jsonl", "--workers", "1"]
    # The default SIGINT action in the child: a harness started in the background (`cmd &` in a
    # script) ignores SIGINT, and its children would inherit that and never see the Ctrl-C.
    process = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=restore_sigint)  # fmt: skip
    deadline = time.monotonic() + 120
    while count_records(tmp_path / "D.db") < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    stored = count_records(tmp_path / "D.db")
    assert process.returncode == 130, err
    assert 3 <= stored < DOCUMENTS
    assert f"interrupted: {stored} records of" in err and "D.db" in err and "--resume" in err
    assert "Traceback" not in err
    assert (tmp_path / "F.jsonl").read_text("utf-8") == PRECIOUS
    resumed = subprocess.run([*args, "--resume", "--quiet"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    lines = (tmp_path / "F.jsonl").read_text("utf-8").splitlines()
    assert len(lines) == count_records(tmp_path / "D.db") == DOCUMENTS


CORRECTED = (
    "Low-dose aspirin cut repeat strokes in a randomized trial\n\n"
    "In a randomized trial of 400 adults, patients received aspirin 81 mg daily or placebo. "
    "After two years, {events} of 200 patients in the aspirin group had a second stroke.\n"
)


def test_extract_corrected_article_keeps_its_record_id_and_the_history_keeps_both_versions(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    ids = []
    for events in (20, 21):  # the site corrects a number
        article.write_text(CORRECTED.format(events=events), "utf-8")
        result = subprocess.run([str(EXE), "extract", "a.txt", "--db", "D.db", "--quiet"], cwd=tmp_path,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        ids.append(json.loads(result.stdout)["record_id"])
    assert ids[0] == ids[1]
    with sqlite3.connect(tmp_path / "D.db") as db:
        assert db.execute("SELECT record_id FROM records").fetchall() == [(ids[0],)]
        history = db.execute("SELECT record_id, action, record FROM record_history ORDER BY id").fetchall()
    assert [(record_id, action) for record_id, action, _ in history] == [(ids[0], "inserted"), (ids[0], "updated")]
    versions = [json.loads(record)["source"]["text_sha256"] for _, _, record in history]
    assert versions[0] != versions[1]
