"""`run` and `extract` replace their output files only on success (exit 0): a failed command
leaves an existing records file as it was (docs/cli.md: "moved into place only when the
command succeeds")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ARTICLE = (
    "Low-dose aspirin cut repeat strokes in a randomized trial\n\n"
    "In a randomized trial of 400 adults, patients received aspirin 81 mg daily or placebo. "
    "After two years, 20 of 200 patients in the aspirin group had a second stroke.\n"
)
PRECIOUS = '{"kept": 1}\n{"kept": 2}\n'


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("evidence-miner")
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


def test_extract_of_a_missing_input_leaves_the_output_file_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "precious.jsonl").write_text(PRECIOUS, "utf-8")
    result = cli("extract", "does-not-exist.txt", "-o", "precious.jsonl", cwd=tmp_path)
    assert result.returncode == 2
    assert (tmp_path / "precious.jsonl").read_text("utf-8") == PRECIOUS
    assert "precious.jsonl was left as it was" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious.jsonl"]


def test_extract_over_max_failures_leaves_the_output_file_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, "utf-8")
    (tmp_path / "empty.txt").write_text("", "utf-8")
    (tmp_path / "precious.jsonl").write_text(PRECIOUS, "utf-8")
    result = cli("extract", "a.txt", "empty.txt", "--max-failures", "0", "-o", "precious.jsonl", cwd=tmp_path)
    assert result.returncode == 1
    assert (tmp_path / "precious.jsonl").read_text("utf-8") == PRECIOUS


def test_run_with_a_mistyped_folder_leaves_the_records_file_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "records.jsonl").write_text(PRECIOUS, "utf-8")
    result = cli("run", "corpsu/", "--quiet", cwd=tmp_path)
    assert result.returncode == 2
    assert (tmp_path / "records.jsonl").read_text("utf-8") == PRECIOUS


def test_run_outside_the_checkout_says_where_it_looked_and_touches_nothing(tmp_path: Path) -> None:
    (tmp_path / "records.jsonl").write_text(PRECIOUS, "utf-8")
    result = cli("run", "--quiet", cwd=tmp_path)
    assert result.returncode == 2
    assert "EM530" in result.stderr and str(tmp_path) in result.stderr
    assert (tmp_path / "records.jsonl").read_text("utf-8") == PRECIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.jsonl"]


def test_run_that_succeeds_replaces_the_records_file(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text(ARTICLE, "utf-8")
    (tmp_path / "records.jsonl").write_text(PRECIOUS, "utf-8")
    result = cli("run", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"kept"' not in (tmp_path / "records.jsonl").read_text("utf-8")


def test_extract_with_a_second_records_sink_writes_the_same_records_to_both(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, "utf-8")
    result = cli("extract", "a.txt", "-o", "one.jsonl", "--sink", "jsonl=two.jsonl", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    one = (tmp_path / "one.jsonl").read_text("utf-8")
    assert one and one == (tmp_path / "two.jsonl").read_text("utf-8")


def test_run_with_an_unknown_sink_exits_2_and_touches_nothing(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text(ARTICLE, "utf-8")
    result = cli("run", "--sink", "kafka=records", "--quiet", cwd=tmp_path)
    assert result.returncode == 2
    assert "[EM360] Unknown sink 'kafka'" in result.stderr and "jsonl, sql, stdout" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]
