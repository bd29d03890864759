"""Kills and full disks around output files (issue 18, item 14): after a SIGKILL, the README's
recipe `extract --resume -o new.jsonl` leaves no stored record outside the JSONL it writes; a
killed export leaves no hidden temp file once the next one has run; an export to a full disk
is a coded error without a traceback, and leaves no partial file."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from evidence_miner.store import open_store
from evidence_miner.store.load import PageImport
from tests.reliability.test_crash_safety import (
    EXE,
    FAST_ENV,
    RUN_TIMEOUT,
    count_pages,
    limit_file_size,
    make_batch_folder,
    run_to_end,
)

AREA = "crash safety"
FILES = 12
KILL_AFTER_PAGES = 4
BIG_PAGES = 40
BIG_TEXT = 1 << 20  # characters of each page's text: the export writes about 40 MB


def start(args: list[str], cwd: Path) -> subprocess.Popen:
    env = {**os.environ, **FAST_ENV}
    return subprocess.Popen([EXE, *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_when(process: subprocess.Popen, ready) -> bool:
    """SIGKILL the process as soon as `ready()` holds; False when it ended first."""
    deadline = time.monotonic() + RUN_TIMEOUT
    while not ready() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return True


def hidden_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


def stored_record_ids(db: Path) -> list[str]:
    with sqlite3.connect(db) as connection:
        return sorted(row[0] for row in connection.execute("SELECT record_id FROM records"))


def test_resume_after_sigkill_writes_every_stored_record(tmp_path: Path, ledger) -> None:
    """The batch is killed once a few articles are stored (their records were in the killed
    run's unfinished output only); the resumed run's output holds them too."""
    folder = make_batch_folder(tmp_path, FILES)
    db = tmp_path / "k.db"
    args = ["extract", str(folder), "--db", str(db), "--workers", "1", "--resume", "-o", "new.jsonl"]
    killed = kill_when(start(args, tmp_path), lambda: count_pages(db) >= KILL_AFTER_PAGES)
    assert killed, "the batch finished before it could be killed"
    at_kill = stored_record_ids(db)
    resumed = run_to_end(args, tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    written = [json.loads(line)["record_id"] for line in (tmp_path / "new.jsonl").read_text("utf-8").splitlines()]
    stored = stored_record_ids(db)
    lost = sorted(set(stored) - set(written))
    assert at_kill and lost == [] and sorted(written) == stored, f"stored but in no JSONL: {lost}"
    assert hidden_files(tmp_path) == [], "the killed run's temp file is still there"
    ledger.record(AREA, "SIGKILL of `extract --resume -o new.jsonl`, then the same command again",
                  expected="every record in the database is in new.jsonl once; no temp file left",
                  observed=f"{len(written)}/{len(stored)} stored records written ({len(at_kill)} stored "
                           "before the kill); no hidden file left",
                  lost=len(lost))


@pytest.fixture
def big_db(tmp_path: Path) -> Path:
    """A database whose pages export is about 40 MB: long enough to be killed mid-way."""
    db = tmp_path / "big.db"
    pages = [PageImport({"url": f"https://news.test/{n}", "status": "failed", "text": f"{n} " + "x" * BIG_TEXT})
             for n in range(BIG_PAGES)]  # fmt: skip
    with open_store(str(db)) as store:
        store.import_items(pages)
    return db


def test_killed_export_leaves_no_temp_file_after_the_next_run(tmp_path: Path, big_db: Path, ledger) -> None:
    out = tmp_path / "out"
    out.mkdir()
    args = ["export", "--db", str(big_db), "--table", "pages", "-o", str(out / "pages.jsonl"), "--quiet"]
    killed = kill_when(start(args, tmp_path), lambda: hidden_files(out) != [])
    assert killed, "the export finished before it could be killed"
    left_by_kill = hidden_files(out)
    again = run_to_end(args, tmp_path)
    assert again.returncode == 0, again.stderr
    assert hidden_files(out) == [], "a killed export's temp file is still there"
    assert len((out / "pages.jsonl").read_text("utf-8").splitlines()) == BIG_PAGES
    ledger.record(AREA, "SIGKILL of `export -o FILE` while it writes, then the same export again",
                  expected="the next run removes the killed run's temp file; the export is complete",
                  observed=f"{len(left_by_kill)} temp file left by the kill, 0 after the next run; "
                           f"{BIG_PAGES}/{BIG_PAGES} rows exported")


def test_export_to_a_full_disk_is_a_coded_error_without_traceback(tmp_path: Path, big_db: Path, ledger) -> None:
    """RLIMIT_FSIZE (64 kB), as the other full-disk tests: the output cannot grow past it."""
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, **FAST_ENV}
    done = subprocess.run([EXE, "export", "--db", str(big_db), "--table", "pages", "-o", str(out / "pages.jsonl")],
                          check=False, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT,
                          preexec_fn=limit_file_size(64 * 1024))  # fmt: skip
    assert done.returncode == 3, done.stderr[-2000:]
    assert "[EM324]" in done.stderr and "disk is full" in done.stderr and "free disk space" in done.stderr
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert list(out.iterdir()) == [], "a partial or temp file was left"
    error = done.stderr[done.stderr.index("[EM324]"):].splitlines()[0]
    ledger.record(AREA, "disk full during `export -o FILE` (RLIMIT_FSIZE on the export command)",
                  expected="exit 3 with a coded error, no traceback, no partial file",
                  observed=f"exit {done.returncode}, {error[:7]} (...{error[error.index('disk is full') - 4:][:30]}...); "
                           "no file left")
