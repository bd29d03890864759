"""Build the SQLAlchemy engine for a store URL, set up for concurrent writers (SQLite and
PostgreSQL)."""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 60_000
WRITE_OPTION = "evidence_miner_write"
# pg_advisory_xact_lock key shared by every evidence-miner writer of one PostgreSQL database.
POSTGRES_WRITE_LOCK = 7_305_301
SQLITE_PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = NORMAL",
)


def create_store_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine for `url`; SQLite connections get WAL, foreign keys and a busy timeout. A
    read-only engine never switches a file to WAL, and its PostgreSQL transactions are
    READ ONLY (the URL of a read-only SQLite file says mode=ro: see store/read_only.py)."""
    options: dict[str, Any] = {"hide_parameters": True}
    if not url.startswith("sqlite"):
        options["pool_pre_ping"] = True
        # joined to the URL's own options (a search_path): connect_args would replace them
        if read_only:
            options["connect_args"] = {
                "options": " ".join([*url_options(url), "-c default_transaction_read_only=on"])
            }
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        pragmas = set_sqlite_read_pragmas if read_only else set_sqlite_pragmas
        event.listen(engine, "connect", pragmas)
        event.listen(engine, "begin", begin_sqlite_transaction)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "begin", lock_postgres_writes)
    return engine


def url_options(url: str) -> list[str]:
    """The libpq `options` a URL's query gives ("?options=-csearch_path%3Dx"), if any."""
    value = make_url(url).query.get("options")
    return list(value) if isinstance(value, tuple) else [value] if value else []


def to_write_engine(engine: Engine) -> Engine:
    """The same engine and pool, but its transactions take SQLite's write lock when they begin."""
    return engine.execution_options(**{WRITE_OPTION: True})


def set_sqlite_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
    """Run on every new SQLite connection; BEGIN is left to `begin_sqlite_transaction`."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        set_wal_mode(cursor)
    finally:
        cursor.close()


def set_sqlite_read_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
    """The pragmas of a read-only connection: a busy timeout, nothing that writes the file."""
    dbapi_connection.isolation_level = None
    dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def set_wal_mode(cursor: Any) -> None:
    """Switch the file to WAL (a setting the file keeps). Two processes opening a new file at
    once can get "database is locked" here without the busy timeout applying: retry."""
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] in ("wal", "memory"):
        return
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    if mode != "wal":
        log.warning("SQLite kept journal mode %r instead of WAL: readers wait for writers", mode)


def begin_sqlite_transaction(connection: Connection) -> None:
    """BEGIN IMMEDIATE for writes, so a second writer waits (busy timeout) instead of failing.

    A deferred transaction that reads and then writes cannot wait for the lock: SQLite
    fails it at once with "database is locked" when another writer got there first.
    """
    if connection.get_execution_options().get(WRITE_OPTION):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def lock_postgres_writes(connection: Connection) -> None:
    """Write transactions take one advisory lock first: writers queue as on SQLite, so two
    processes saving the same page or migrating a new database never collide."""
    if connection.get_execution_options().get(WRITE_OPTION):
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({POSTGRES_WRITE_LOCK})")
