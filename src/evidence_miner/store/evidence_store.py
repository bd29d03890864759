"""EvidenceStore: open a database, migrate it, and save and read pages and records."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType

from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from evidence_miner.errors import StoreError
from evidence_miner.records import Article, EvidenceRecord
from evidence_miner.store.engine import create_store_engine, to_write_engine
from evidence_miner.store.failures import DATABASE_ERRORS, raise_store_errors
from evidence_miner.store.migrate import migrate_to_head
from evidence_miner.store.reads import (
    count_rows,
    select_page_text,
    select_record,
    select_records_in_order,
    to_evidence_record,
)
from evidence_miner.store.save import SaveResult, write_article, write_failure
from evidence_miner.store.urls import hide_password, to_database_url, to_sqlite_path

log = logging.getLogger(__name__)

WRITE_ADVICE = (
    "Nothing was written. Check free disk space and write permission; "
    "if another process held the database too long, run again."
)
READ_ADVICE = "Check that the database is reachable and was created by evidence-miner."


class EvidenceStore:
    """Pages and evidence records in one database (a SQLite file or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._write_engine = to_write_engine(engine)
        self._url = engine.url.render_as_string(hide_password=False)

    @property
    def url(self) -> str:
        """The database URL with its password hidden."""
        return hide_password(self._url)

    def save_article(
        self, article: Article, records: list[EvidenceRecord], *, pipeline_version: str
    ) -> SaveResult:
        """Store the page and exactly these records for it, in one transaction."""
        url = article.page.url
        with self._writing(f"Cannot save article {url!r} to") as connection:
            result = write_article(
                connection, article, records, pipeline_version=pipeline_version, now=now_utc()
            )
        log.info(
            "Saved %s: %d records written, %d removed%s",
            url,
            result.records_written,
            result.records_removed,
            " (unchanged)" if result.unchanged else "",
            extra={"stage": "store", "url": url},
        )
        return result

    def save_failure(self, url: str, reason: str) -> None:
        """Record that the page at `url` failed, and why (status "failed"); keep its records."""
        with self._writing(f"Cannot record the failure of {url!r} in") as connection:
            write_failure(connection, url, reason, now=now_utc())
        log.info("Stored failure of %s: %s", url, reason, extra={"stage": "store", "url": url})

    def iter_records(self) -> Iterator[EvidenceRecord]:
        """Every record, by page url then record id, read in batches (never all at once)."""
        with self._reading("Cannot read records from") as connection:
            for record_id, data in connection.execute(select_records_in_order()):
                yield to_evidence_record(record_id, data)

    def get_record(self, record_id: str) -> EvidenceRecord | None:
        with self._reading("Cannot read a record from") as connection:
            data = connection.execute(select_record(record_id)).scalar_one_or_none()
        return None if data is None else to_evidence_record(record_id, data)

    def get_page_text(self, record_id: str) -> str | None:
        """The article text the record's spans point into, or None for an unknown record."""
        with self._reading("Cannot read page text from") as connection:
            text: str | None = connection.execute(select_page_text(record_id)).scalar_one_or_none()
        return text

    def counts(self) -> dict[str, int]:
        """Row counts: pages, records, no_study, failed and each child table."""
        with self._reading("Cannot count rows in") as connection:
            counts = count_rows(connection)
        return counts

    @contextmanager
    def _writing(self, action: str) -> Iterator[Connection]:
        """One write transaction (SQLite: BEGIN IMMEDIATE); database errors become EM305."""
        with (
            raise_store_errors("EM305", action, WRITE_ADVICE, url=self._url),
            self._write_engine.begin() as connection,
        ):
            yield connection

    @contextmanager
    def _reading(self, action: str) -> Iterator[Connection]:
        """One read-only connection; database errors become EM306."""
        with (
            raise_store_errors("EM306", action, READ_ADVICE, url=self._url),
            self._engine.connect() as connection,
        ):
            yield connection

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> EvidenceStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def now_utc() -> datetime:
    return datetime.now(UTC)


def open_store(path_or_url: str) -> EvidenceStore:
    """Open (creating if needed) the store at a SQLite path or SQLAlchemy URL, at schema head."""
    url = to_database_url(path_or_url)
    engine = build_engine(url)
    try:
        make_sqlite_folder(url)
        check_connection(engine, url)
        migrate_store(engine, url)
    except BaseException:
        engine.dispose()
        raise
    log.info("Opened store %s", hide_password(url), extra={"stage": "store"})
    return EvidenceStore(engine)


def build_engine(url: str) -> Engine:
    advice = (
        "Pass a file path, sqlite:///path.db or postgresql+psycopg://user@host/db; "
        "for PostgreSQL install psycopg (pip install 'psycopg[binary]')."
    )
    catch = (SQLAlchemyError, ImportError, ValueError)
    with raise_store_errors("EM303", "Cannot use database URL", advice, url=url, catch=catch):
        engine = create_store_engine(url)
    return engine


def make_sqlite_folder(url: str) -> None:
    """Create the folder of a SQLite file; a parent that is a file is a StoreError."""
    path = to_sqlite_path(url)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        in_the_way = isinstance(exc, FileExistsError | NotADirectoryError)
        reason = "a file is in the way" if in_the_way else exc.strerror or str(exc)
        raise StoreError(
            f"[EM301] Cannot create folder {str(path.parent)!r} for SQLite database "
            f"{str(path)!r}: {reason}. Pass a --db path whose folder can be created."
        ) from exc


def check_connection(engine: Engine, url: str) -> None:
    advice = (
        "Check the --db path or URL: the file must be a SQLite database (or not exist yet), "
        "a server must be running and accept these credentials."
    )
    with raise_store_errors("EM302", "Cannot open database", advice, url=url), engine.connect():
        pass


def migrate_store(engine: Engine, url: str) -> None:
    advice = "The database was left as it was; fix the cause and open it again."
    catch = (*DATABASE_ERRORS, CommandError)
    with raise_store_errors("EM304", "Cannot migrate database", advice, url=url, catch=catch):
        migrate_to_head(engine)
