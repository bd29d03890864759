"""The command line through its real entry point: inputs, outputs, bad input, exit codes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

ARTICLE = (
    "Low-dose aspirin cut repeat strokes in a randomized trial\n\n"
    "In a randomized trial of 400 adults, patients received aspirin 81 mg daily or placebo. "
    "After two years, 20 of 200 patients in the aspirin group had a second stroke.\n"
)


def cli(*args: str, cwd: Path, check: bool = False) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("evidence-miner")
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}: {result.stderr}")
    return result


@pytest.fixture()
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE, "utf-8")
    (folder / "empty.txt").write_text("", "utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 50)
    (folder / "big.txt").write_text("word " * 2_000_000, "utf-8")
    return folder


def test_extract_writes_one_valid_record_per_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, "utf-8")
    result = cli("extract", "a.txt", "--quiet", cwd=tmp_path, check=True)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 1
    schema = json.loads(cli("schema", cwd=tmp_path, check=True).stdout)
    jsonschema.validate(lines[0], schema)
    assert lines[0]["source"]["url"] == (tmp_path / "a.txt").resolve().as_uri()


def test_extract_bad_inputs_reported_good_ones_processed(inputs: Path, tmp_path: Path) -> None:
    result = cli("extract", str(inputs), "-o", str(tmp_path / "out.jsonl"), cwd=tmp_path)
    assert result.returncode == 0
    assert len((tmp_path / "out.jsonl").read_text("utf-8").splitlines()) == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert any("EM103" in e for e in errors) and any("EM104" in e for e in errors) and any("EM105" in e for e in errors)


def test_extract_nothing_processable_exits_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = cli("extract", "missing.txt", "empty", cwd=tmp_path)
    assert result.returncode == 2
    assert "EM101" in result.stderr and "EM102" in result.stderr


def test_run_writes_database_and_jsonl_and_is_idempotent(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text(ARTICLE, "utf-8")
    cli("run", "--quiet", cwd=tmp_path, check=True)
    first = (tmp_path / "records.jsonl").read_text("utf-8")
    cli("run", "--quiet", cwd=tmp_path, check=True)
    assert (tmp_path / "records.jsonl").read_text("utf-8") == first
    with sqlite3.connect(tmp_path / "evidence.db") as db:
        assert db.execute("select count(*) from records").fetchone()[0] == 1
        assert db.execute("select name from interventions where role = 'studied'").fetchall() == [("aspirin",)]


def test_export_round_trips_the_database(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, "utf-8")
    extracted = cli("extract", "a.txt", "--db", "x.db", "--quiet", cwd=tmp_path, check=True).stdout
    exported = cli("export", "--db", "x.db", "--format", "jsonl", "--quiet", cwd=tmp_path, check=True).stdout
    assert [json.loads(x) for x in exported.splitlines()] == [json.loads(x) for x in extracted.splitlines()]


def test_config_show_reflects_environment(tmp_path: Path) -> None:
    env_db = "postgresql://user:secret@127.0.0.1/db"
    os.environ["EVIDENCE_MINER_STORE__DB"] = env_db
    try:
        shown = cli("config", "show", cwd=tmp_path, check=True).stdout
    finally:
        del os.environ["EVIDENCE_MINER_STORE__DB"]
    assert "127.0.0.1/db" in shown and "secret" not in shown


def test_bad_config_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text("[store]\nnope = 1\n", "utf-8")
    result = cli("config", "show", "--config", "c.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "EM003" in result.stderr


def test_every_command_has_help_with_an_example(tmp_path: Path) -> None:
    for command in (["run"], ["extract"], ["export"], ["evaluate"], ["schema"], ["config", "show"]):
        help_text = cli(*command, "--help", cwd=tmp_path, check=True).stdout
        assert "Example:" in help_text, command


NO_STUDY = "Ten tips for better sleep\n\nKeep a regular bedtime. Avoid screens late at night. Keep the room cool and dark.\n"
LONG_NAME = "sleep-hygiene-tips-for-shift-workers-and-everyone-else.txt"


def cli_at_80(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("evidence-miner")
    env = {**os.environ, "COLUMNS": "80"}
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300, check=False)


@pytest.fixture()
def study_and_no_study(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "aspirin.txt").write_text(ARTICLE, "utf-8")
    (folder / LONG_NAME).write_text(NO_STUDY, "utf-8")
    return folder


def test_extract_summary_names_itself_lists_pages_with_no_study_and_where_records_went(
    study_and_no_study: Path, tmp_path: Path
) -> None:
    """Issue 17: the summary was titled "evidence-miner run" and said neither."""
    result = cli_at_80("extract", "in", "-o", "out.jsonl", "--db", "x.db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "evidence-miner extract" in result.stderr and "evidence-miner run" not in result.stderr
    assert LONG_NAME in result.stderr  # whole, at 80 columns
    out, db = (tmp_path / "out.jsonl").resolve(), (tmp_path / "x.db").resolve()
    assert f"wrote 1 record to {out} and to the database {db}" in result.stderr
    assert json.loads((tmp_path / "out.jsonl").read_text("utf-8"))["record_id"]


def test_run_ends_with_full_paths_and_next_steps(study_and_no_study: Path, tmp_path: Path) -> None:
    result = cli_at_80("run", "in", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    db = (tmp_path / "evidence.db").resolve()
    assert f"wrote 1 record to {(tmp_path / 'records.jsonl').resolve()} and to the database {db}" in result.stdout
    assert LONG_NAME in result.stdout
    for step in ("search --db {db}", "show ID --db {db}", "browse --db {db}"):
        assert "evidence-miner " + step.format(db=db) in result.stdout
