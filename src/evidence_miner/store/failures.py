"""Re-raise database errors as StoreError with a code, a safe URL and what to do."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError

from evidence_miner.errors import StoreError
from evidence_miner.store.urls import hide_password, scrub_password

DATABASE_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError, sqlite3.Error)


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
    """`[EM3xx] <action> <url without password>: <driver's reason>. <advice>`"""
    reason = scrub_password(describe_cause(cause), url)
    return f"[{code}] {action} {hide_password(url)}: {reason}. {advice}"


def describe_cause(exc: BaseException) -> str:
    """The driver's own message, first line only, without SQLAlchemy's statement dump."""
    original = getattr(exc, "orig", None)
    text = str(original if original is not None else exc).strip()
    return text.splitlines()[0].rstrip(".") if text else type(exc).__name__
