"""`db migrate` asks before a rollback (or needs --yes) and keeps a copy of a SQLite file;
`db status` reads a database read-only and never creates one."""

from __future__ import annotations

import os
import pty
import select
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evidence_miner.errors import ConfigError, StoreError

EXE = Path(sys.executable).with_name("evidence-miner")


def run(*args: str):
    from evidence_miner.cli.main import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"}, catch_exceptions=False)


@pytest.fixture(autouse=True)
def keep_test_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    from evidence_miner.cli import main

    monkeypatch.setattr(main, "setup_logging", lambda **_: None)


@pytest.fixture
def filled_db(tmp_path: Path) -> Path:
    """A database at head with one (failed) page."""
    from evidence_miner.store import open_store

    path = tmp_path / "evidence.db"
    with open_store(str(path)) as store:
        store.save_failure("https://a.example/1", "test")
    return path


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("select name from sqlite_master where type = 'table'")}


def test_db_migrate_to_base_without_yes_is_refused_and_changes_nothing(filled_db: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[EM325\].*--revision base.*every table.*--yes"):
        run("db", "migrate", "--db", str(filled_db), "--revision", "base")
    assert "pages" in tables(filled_db)
    assert sorted(p.name for p in filled_db.parent.iterdir() if p.suffix == ".bak") == []


def test_db_migrate_to_base_with_yes_keeps_a_backup_with_the_data(filled_db: Path) -> None:
    result = run("db", "migrate", "--db", str(filled_db), "--revision", "base", "--yes")
    assert "-> empty" in result.stdout
    backups = [p for p in filled_db.parent.iterdir() if p.suffix == ".bak"]
    from evidence_miner.store.migrate import list_revisions

    assert len(backups) == 1 and backups[0].name.startswith(f"evidence.db.{list_revisions()[-1]}-")
    assert str(backups[0]) in result.stdout
    assert "pages" not in tables(filled_db)
    with sqlite3.connect(backups[0]) as db:
        assert db.execute("select url from pages").fetchall() == [("https://a.example/1",)]


def test_db_migrate_upgrade_needs_no_yes_and_makes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    run("db", "migrate", "--db", str(path), "--revision", "0002")
    assert run("db", "migrate", "--db", str(path)).stdout.startswith("schema revision: 0002 -> 0")
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".bak"] == []


def test_db_migrate_rollback_in_a_terminal_asks_and_no_keeps_the_data(filled_db: Path) -> None:
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen([str(EXE), "db", "migrate", "--db", str(filled_db), "--revision", "base"],
                                   stdin=terminal, stdout=subprocess.PIPE, stderr=terminal)
        asked = read_until(controller, b"Roll back?", deadline=time.monotonic() + 30)
        os.write(controller, b"n\n")
        code = process.wait(timeout=60)
    finally:
        os.close(terminal)
        os.close(controller)
    assert b"every table" in asked
    assert code == 1
    assert "pages" in tables(filled_db)


def read_until(fd: int, marker: bytes, *, deadline: float) -> bytes:
    seen = b""
    while marker not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            seen += os.read(fd, 4096)
    return seen


def test_db_status_of_a_missing_database_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"\[EM326\].*typo\.db"):
        run("db", "status", "--db", str(tmp_path / "typo.db"))
    assert list(tmp_path.iterdir()) == []


def test_db_status_reports_an_older_revision_without_migrating(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    run("db", "migrate", "--db", str(path), "--revision", "0002")
    assert "needs `evidence-miner db migrate`" in run("db", "status", "--db", str(path)).stdout
    assert "database revision: 0002" in run("db", "status", "--db", str(path)).stdout
