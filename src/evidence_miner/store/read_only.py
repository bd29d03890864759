"""Open a database only to read it (search, stats, db status): never created, migrated or
written."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from evidence_miner.errors import StoreError
from evidence_miner.store.engine import create_store_engine
from evidence_miner.store.failures import raise_store_errors
from evidence_miner.store.migrate import (
    check_revisions_known,
    read_database_revisions,
    read_head_revisions,
)
from evidence_miner.store.urls import hide_password, to_database_url, to_sqlite_path

SQLITE_ADVICE = "Check the --db path: it must be a SQLite database file that you can read."
SERVER_ADVICE = "Check the --db URL: the server must be running and accept these credentials."


def to_read_only_url(url: str) -> str:
    """A SQLite file as a `file:` URI opened mode=ro, which SQLite never creates; on a read-only
    mount (its folder cannot be written, no -wal file to read) also immutable=1, since SQLite
    could not create the WAL index there. Other URLs are kept."""
    path = to_sqlite_path(url)
    if path is None:
        return url
    check_database_file(path)
    query = "mode=ro"
    if not os.access(path.parent, os.W_OK) and not Path(f"{path}-wal").exists():
        query += "&immutable=1"
    return f"sqlite:///file:{quote(path.absolute().as_posix())}?{query}&uri=true"


def check_database_file(path: Path) -> None:
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise StoreError(
            f"[EM326] No database at {str(path)!r}: the file {what}. This command only reads "
            "a database and never creates one: check the --db path (or the store.db setting); "
            "`evidence-miner run` or `extract --db` create a database."
        )


def connect_to_read(path_or_url: str) -> tuple[Engine, str]:
    """A read-only engine that has reached an existing database; (engine, url)."""
    url = to_database_url(path_or_url)
    advice = SERVER_ADVICE if to_sqlite_path(url) is None else SQLITE_ADVICE
    catch = (SQLAlchemyError, ImportError, ValueError)
    with raise_store_errors("EM303", "Cannot use database URL", advice, url=url, catch=catch):
        engine = create_store_engine(to_read_only_url(url), read_only=True)
    try:
        with raise_store_errors("EM302", "Cannot open database", advice, url=url), engine.connect():
            pass
    except BaseException:
        engine.dispose()
        raise
    return engine, url


def check_schema_current(engine: Engine, url: str) -> None:
    """Refuse a database that is not at the newest schema: a read-only command cannot migrate it."""
    with (
        raise_store_errors("EM306", "Cannot read the schema revision of", SQLITE_ADVICE, url=url),
        engine.connect() as connection,
    ):
        current = set(read_database_revisions(connection))
    heads = set(read_head_revisions())
    if current == heads:
        return
    check_revisions_known(current, where=hide_password(url))
    shown = ", ".join(sorted(current)) or "none: it was not created by evidence-miner"
    raise StoreError(
        f"[EM327] Database {hide_password(url)} has schema revision {shown}; this command reads "
        f"revision {', '.join(sorted(heads))} and only reads, so it does not migrate. Run "
        "`evidence-miner db migrate --db ...` first, or check the --db path."
    )
