"""Before a schema rollback (`db migrate --revision` older than the database): what it deletes,
and a backup copy of a SQLite file taken first."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from evidence_miner.errors import StoreError
from evidence_miner.store.migrate import check_target_revision, is_downgrade
from evidence_miner.store.urls import to_database_url, to_sqlite_path

log = logging.getLogger(__name__)


def read_current_revisions(path_or_url: str) -> tuple[str, ...]:
    """The database's schema revisions, read-only; none when its SQLite file does not exist."""
    from evidence_miner.store.evidence_store import read_revisions

    path = to_sqlite_path(to_database_url(path_or_url))
    if path is not None and not path.is_file():
        return ()
    return read_revisions(path_or_url)[0]


def find_rollback(path_or_url: str, target: str) -> tuple[str, ...] | None:
    """The database's revisions when moving it to `target` is a rollback (it deletes data the
    older schema has no place for), else None."""
    check_target_revision(target)
    current = read_current_revisions(path_or_url)
    return current if is_downgrade(current, target) else None


def describe_loss(target: str) -> str:
    if target == "base":
        return "deletes every table and every row in them"
    return f"deletes the tables and columns added after revision {target}, with their rows"


def to_backup_path(path: Path, revisions: tuple[str, ...], now: datetime) -> Path:
    """`evidence.db.0005-20261207T183000Z.bak`, beside the database."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return path.with_name(f"{path.name}.{'+'.join(revisions)}-{stamp}.bak")


def back_up_sqlite(path_or_url: str, revisions: tuple[str, ...]) -> Path | None:
    """Copy a SQLite database (with SQLite's online backup, so WAL content is included) beside
    it; None for a server database, which is left to the server's own backups (pg_dump)."""
    path = to_sqlite_path(to_database_url(path_or_url))
    if path is None:
        return None
    backup = to_backup_path(path, revisions, datetime.now(UTC))
    try:
        with (
            closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source,
            closing(sqlite3.connect(backup)) as copy,
        ):
            source.backup(copy)
    except (sqlite3.Error, OSError) as exc:
        backup.unlink(missing_ok=True)
        raise StoreError(
            f"[EM328] Cannot back up {str(path)!r} to {str(backup)!r} before the rollback: {exc}. "
            "Nothing was changed; free disk space or make the folder writable, then run again."
        ) from exc
    log.info("Backed up %s to %s", path, backup, extra={"stage": "store"})
    return backup
