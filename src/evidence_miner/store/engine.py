"""Build the SQLAlchemy engine for a store URL, with SQLite set up for concurrent writers."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 60_000
WRITE_OPTION = "evidence_miner_write"
SQLITE_PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
)


def create_store_engine(url: str) -> Engine:
    """An engine for `url`; SQLite connections get WAL, foreign keys and a busy timeout."""
    options: dict[str, Any] = {"hide_parameters": True}
    if not url.startswith("sqlite"):
        options["pool_pre_ping"] = True
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", set_sqlite_pragmas)
        event.listen(engine, "begin", begin_sqlite_transaction)
    return engine


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
    finally:
        cursor.close()


def begin_sqlite_transaction(connection: Connection) -> None:
    """BEGIN IMMEDIATE for writes, so a second writer waits (busy timeout) instead of failing.

    A deferred transaction that reads and then writes cannot wait for the lock: SQLite
    fails it at once with "database is locked" when another writer got there first.
    """
    if connection.get_execution_options().get(WRITE_OPTION):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")
