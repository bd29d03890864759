"""Re-raise database errors as StoreError with a code, a safe URL and what to do."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError

from evidence_miner.errors import StoreError
from evidence_miner.store.urls import hide_password, scrub_password

DATABASE_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError, sqlite3.Error)
# Driver errors meaning "no room to write": SQLite's (a write the file system refused is
# SQLITE_IOERR_WRITE, e.g. a file-size limit) and PostgreSQL's SQLSTATE 53100 disk_full.
SQLITE_NO_ROOM = frozenset(
    {
        "SQLITE_FULL",
        "SQLITE_IOERR_WRITE",
        "SQLITE_IOERR_FSYNC",
        "SQLITE_IOERR_TRUNCATE",
        "SQLITE_IOERR_SHMSIZE",
    }
)
POSTGRES_DISK_FULL = "53100"
DISK_FULL_ADVICE = (
    "Nothing was written and the database is as it was: free disk space (or raise the file "
    "size limit) and run the command again; a batch with --resume, or a crawl, goes on where it "
    "stopped."
)


@contextmanager
def raise_store_errors(
    code: str,
    action: str,
    advice: str,
    *,
    url: str,
    catch: tuple[type[Exception], ...] = DATABASE_ERRORS,
) -> Iterator[None]:
    """Turn `catch` exceptions raised inside the block into one StoreError `[code]`."""
    try:
        yield
    except StoreError:
        raise
    except catch as exc:
        raise StoreError(to_store_message(code, action, advice, url=url, cause=exc)) from exc


def to_store_message(code: str, action: str, advice: str, *, url: str, cause: BaseException) -> str:
    """`[EM3xx] <action> <url without password>: <driver's reason>. <advice>`; a full disk
    is always [EM316], whatever the action."""
    reason = scrub_password(describe_cause(cause), url)
    if is_disk_full(cause):
        where = f"{action} {hide_password(url)}"
        return f"[EM316] {where}: the disk is full ({reason}). {DISK_FULL_ADVICE}"
    return f"[{code}] {action} {hide_password(url)}: {reason}. {advice}"


def is_disk_full(exc: BaseException) -> bool:
    """The driver's error says there was no room to write (see SQLITE_NO_ROOM)."""
    original = getattr(exc, "orig", None) or exc
    if getattr(original, "sqlite_errorname", None) in SQLITE_NO_ROOM:
        return True
    return getattr(original, "sqlstate", None) == POSTGRES_DISK_FULL


def describe_cause(exc: BaseException) -> str:
    """The driver's own message, first line only, without SQLAlchemy's statement dump."""
    original = getattr(exc, "orig", None)
    text = str(original if original is not None else exc).strip()
    return text.splitlines()[0].rstrip(".") if text else type(exc).__name__
