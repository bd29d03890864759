"""Outputs move into place only on success, and a special file (a named pipe, /dev/null) is
written as it is, never replaced by a regular file."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from evidence_miner.store.output import open_atomic


def test_open_atomic_writes_into_a_named_pipe_without_replacing_it(tmp_path: Path) -> None:
    pipe = tmp_path / "out.jsonl"
    os.mkfifo(pipe)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text("utf-8")))
    reader.start()
    with open_atomic(pipe) as out:
        out.write('{"a": 1}\n')
    reader.join(timeout=10)
    assert received == ['{"a": 1}\n']
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_open_atomic_leaves_a_regular_file_untouched_when_the_block_fails(tmp_path: Path) -> None:
    target = tmp_path / "records.jsonl"
    target.write_text("precious\n", "utf-8")
    try:
        with open_atomic(target) as out:
            out.write("half")
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    assert target.read_text("utf-8") == "precious\n"
    assert [p.name for p in tmp_path.iterdir()] == ["records.jsonl"]


def write_with_umask(target: Path, umask: int) -> int:
    previous = os.umask(umask)
    try:
        with open_atomic(target) as out:
            out.write("x\n")
    finally:
        os.umask(previous)
    return stat.S_IMODE(target.stat().st_mode)


def test_open_atomic_new_file_honours_the_umask(tmp_path: Path) -> None:
    assert write_with_umask(tmp_path / "shared.jsonl", 0o002) == 0o664
    assert write_with_umask(tmp_path / "default.jsonl", 0o022) == 0o644


def test_open_atomic_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "records.jsonl"
    target.write_text("old\n", "utf-8")
    target.chmod(0o640)
    assert write_with_umask(target, 0o077) == 0o640
    assert target.read_text("utf-8") == "x\n"


def test_importing_store_output_leaves_the_database_packages_unloaded() -> None:
    """Writing a JSONL file needs neither SQLAlchemy nor Alembic (a second to import)."""
    import subprocess
    import sys

    code = "import sys, evidence_miner.store.output; print(sorted({'sqlalchemy', 'alembic'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.strip() == "[]"
    from evidence_miner.store import EvidenceStore, open_store

    assert EvidenceStore.__name__ == "EvidenceStore" and callable(open_store)
