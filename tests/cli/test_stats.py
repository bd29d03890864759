"""Commands that only read (stats, search, export, show, runs) open the database read-only: a mistyped
--db is an error naming the path, never a new empty database answering "0 records", and a
database on a read-only mount can be read."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXE = Path(sys.executable).with_name("evidence-miner")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([str(EXE), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("command", [["stats"], ["search"], ["export", "--format", "jsonl"], ["show", "r1"], ["runs"]])
def test_read_only_command_with_a_mistyped_db_creates_nothing(tmp_path: Path, command: list[str]) -> None:
    result = cli(*command, "--db", "evidnce.db", cwd=tmp_path)
    assert result.returncode == 3
    assert "EM326" in result.stderr and "evidnce.db" in result.stderr
    assert "0 records" not in result.stdout
    assert list(tmp_path.iterdir()) == []


def can_mount_read_only() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not can_mount_read_only(), reason="needs unshare -m (root or user namespaces)")
def test_stats_reads_a_database_on_a_read_only_mount(tmp_path: Path) -> None:
    folder = tmp_path / "mounted"
    from evidence_miner.store import open_store

    with open_store(str(folder / "evidence.db")) as store:
        store.save_failure("https://a.example/1", "test")
    script = (f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && "
              f"exec {EXE} stats --json --db {folder / 'evidence.db'}")
    result = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                            env={**os.environ}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert '"failed": 1' in result.stdout
    assert "credentials" not in result.stderr
