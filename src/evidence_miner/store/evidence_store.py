"""EvidenceStore: open a database, migrate it, and save and read pages and records."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from types import TracebackType
from typing import Any

from alembic.util.exc import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from evidence_miner.errors import StoreError
from evidence_miner.records import Article, EvidenceRecord
from evidence_miner.store.access import EngineAccess
from evidence_miner.store.crawl_state import SqlCrawlState
from evidence_miner.store.engine import create_store_engine
from evidence_miner.store.failures import DATABASE_ERRORS, raise_store_errors
from evidence_miner.store.load import (
    ROW_VALUE_ERRORS,
    ImportItem,
    LoadResult,
    is_row_refused,
    to_refused_row,
    write_import_batch,
)
from evidence_miner.store.migrate import (
    migrate_to_head,
    migrate_to_revision,
    read_database_revisions,
    read_head_revisions,
)
from evidence_miner.store.read_only import check_schema_current, connect_to_read
from evidence_miner.store.reads import (
    count_rows,
    select_done_pages,
    select_page_record_ids,
    select_page_records,
    select_page_text,
    select_record,
    select_records_in_order,
    to_evidence_record,
)
from evidence_miner.store.run_log import SqlRunLog
from evidence_miner.store.save import SaveResult, write_article, write_failure
from evidence_miner.store.search import (
    CountRow,
    SearchFilters,
    SearchHit,
    count_by_design,
    count_by_drug,
    count_by_site,
    find_hits,
)
from evidence_miner.store.tables import select_export_rows
from evidence_miner.store.urls import hide_password, to_database_url, to_sqlite_path

log = logging.getLogger(__name__)

WRITE_ADVICE = (
    "Nothing was written. Check free disk space and write permission; "
    "if another process held the database too long, run again."
)
READ_ADVICE = "Check that the database is reachable and was created by evidence-miner."
EXPORT_BATCH = 5_000
# Rows of these tables are large (a record's JSON, a page's text): fewer per batch.
EXPORT_BATCH_OF_LARGE_ROWS = {"records": 250, "pages": 100}
IMPORT_BATCH = 500


class EvidenceStore(EngineAccess):
    """Pages and evidence records in one database (a SQLite file or PostgreSQL)."""

    write_advice = WRITE_ADVICE
    read_advice = READ_ADVICE

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

    def get_page_records(self, url: str) -> list[EvidenceRecord]:
        """The records stored for the page at `url` (none for an unknown page)."""
        with self._reading("Cannot read records from") as connection:
            rows = connection.execute(select_page_records(url)).all()
        return [to_evidence_record(record_id, data) for record_id, data in rows]

    def find_stale_record_ids(self, url: str, keep: Iterable[str]) -> list[str]:
        """The ids of the records stored for the page at `url` that are not in `keep`: those that
        saving the page with only `keep` removes."""
        with self._reading("Cannot read records from") as connection:
            stored = connection.execute(select_page_record_ids(url)).scalars().all()
        kept = set(keep)
        return [record_id for record_id in stored if record_id not in kept]

    def get_record(self, record_id: str) -> EvidenceRecord | None:
        with self._reading("Cannot read a record from") as connection:
            data = connection.execute(select_record(record_id)).scalar_one_or_none()
        return None if data is None else to_evidence_record(record_id, data)

    def find_done_pages(self, pages: list[tuple[str, str]], *, pipeline_version: str) -> set[str]:
        """The urls among these (url, text hash) pairs stored with that same text hash by this
        pipeline version: the documents a resumed batch can skip."""
        if not pages:
            return set()
        with self._reading("Cannot look up stored pages in") as connection:
            query = select_done_pages([url for url, _ in pages], pipeline_version=pipeline_version)
            stored = {(row[0], row[1]) for row in connection.execute(query)}
        return {url for url, text_sha256 in pages if (url, text_sha256) in stored}

    def get_page_text(self, record_id: str) -> str | None:
        """The article text the record's spans point into, or None for an unknown record."""
        with self._reading("Cannot read page text from") as connection:
            text: str | None = connection.execute(select_page_text(record_id)).scalar_one_or_none()
        return text

    def crawl_state(self) -> SqlCrawlState:
        """The crawler's frontier, fetch log and known documents in this database."""
        return SqlCrawlState(self._engine)

    def run_log(self) -> SqlRunLog:
        """Scheduled runs, source locks and earlier page versions in this database."""
        return SqlRunLog(self._engine)

    def iter_table_batches(
        self, table: str, *, json_as_text: bool, csv: bool = False, batch_size: int | None = None
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Rows of an export table (tables.EXPORT_TABLES) in batches, streamed from the
        database (a server-side cursor on PostgreSQL): memory stays flat however many."""
        query = select_export_rows(table, json_as_text=json_as_text, csv=csv)
        batch_size = batch_size or EXPORT_BATCH_OF_LARGE_ROWS.get(table, EXPORT_BATCH)
        with self._reading(f"Cannot export table {table!r} from") as connection:
            result = connection.execution_options(yield_per=batch_size).execute(query)
            for batch in result.partitions():
                yield [tuple(row) for row in batch]

    def import_items(
        self, items: Iterable[ImportItem], *, batch_size: int = IMPORT_BATCH
    ) -> LoadResult:
        """Upsert pages (by url) and records (by record_id), one transaction per batch."""
        total = LoadResult()
        for batch in to_batches(items, batch_size):
            try:
                total.add(self._import_batch(batch))
            except (StoreError, *ROW_VALUE_ERRORS) as exc:
                if len(batch) == 1 or not is_row_refused(exc):
                    raise
                total.add(self._import_one_by_one(batch))
        log.info(
            "Imported into %s: %s",
            self.url,
            total.model_dump(exclude={"refused"}),
            extra={"stage": "store"},
        )
        return total

    def _import_batch(self, batch: list[ImportItem]) -> LoadResult:
        with self._writing("Cannot import into") as connection:
            return write_import_batch(connection, batch, now=now_utc())

    def _import_one_by_one(self, batch: list[ImportItem]) -> LoadResult:
        """A batch the database refused, again one row per transaction: the row it refuses
        fails alone (EM323); a full disk or a lost database still stops the import."""
        total = LoadResult()
        for item in batch:
            try:
                total.add(self._import_batch([item]))
            except (StoreError, *ROW_VALUE_ERRORS) as exc:
                if not is_row_refused(exc):
                    raise
                total.refused.append(to_refused_row(item, exc))
        return total

    def search(self, filters: SearchFilters) -> list[SearchHit]:
        """Records matching every filter, newest first, with their drugs, conditions, doses."""
        with self._reading("Cannot search") as connection:
            hits = find_hits(connection, filters)
        return hits

    def stats(self, *, top: int = 20) -> dict[str, list[CountRow]]:
        """Records by site, by design and by drug (the `top` largest of each)."""
        with self._reading("Cannot count records in") as connection:
            stats = {
                "site": count_by_site(connection, top),
                "design": count_by_design(connection, top),
                "drug": count_by_drug(connection, top),
            }
        return stats

    @property
    def dialect(self) -> str:
        """The database kind: sqlite or postgresql."""
        return self._engine.dialect.name

    def counts(self) -> dict[str, int]:
        """Row counts: pages, records, no_study, failed and each child table."""
        with self._reading("Cannot count rows in") as connection:
            counts = count_rows(connection)
        return counts

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


def to_batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of at most `size` items, read lazily."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def open_store(path_or_url: str, *, read_only: bool = False) -> EvidenceStore:
    """Open (creating if needed) the store at a SQLite path or SQLAlchemy URL, at schema head.
    read_only: open an existing store at head to read it; never create, migrate or write it."""
    if read_only:
        return open_store_to_read(path_or_url)
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


def open_store_to_read(path_or_url: str) -> EvidenceStore:
    engine, url = connect_to_read(path_or_url)
    try:
        check_schema_current(engine, url)
    except BaseException:
        engine.dispose()
        raise
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
        "Check the --db URL: the server must be running and accept these credentials."
        if to_sqlite_path(url) is None
        else "Check the --db path: the file must be a SQLite database (or not exist yet) in a "
        "folder you can write."
    )
    with raise_store_errors("EM302", "Cannot open database", advice, url=url), engine.connect():
        pass


def migrate_store(engine: Engine, url: str) -> None:
    advice = "The database was left as it was; fix the cause and open it again."
    catch = (*DATABASE_ERRORS, CommandError)
    with raise_store_errors("EM304", "Cannot migrate database", advice, url=url, catch=catch):
        migrate_to_head(engine)


def connect_engine(path_or_url: str) -> tuple[Engine, str]:
    """An engine that has reached the database, without migrating it."""
    url = to_database_url(path_or_url)
    engine = build_engine(url)
    try:
        make_sqlite_folder(url)
        check_connection(engine, url)
    except BaseException:
        engine.dispose()
        raise
    return engine, url


def migrate_database(path_or_url: str, revision: str = "head") -> tuple[tuple[str, ...], ...]:
    """Upgrade (or downgrade) the database to `revision`; returns (before, after) revisions."""
    engine, url = connect_engine(path_or_url)
    advice = "The database was left as it was; fix the cause and run again."
    catch = (*DATABASE_ERRORS, CommandError)
    try:
        with raise_store_errors("EM304", "Cannot migrate database", advice, url=url, catch=catch):
            return migrate_to_revision(engine, revision)
    finally:
        engine.dispose()


def read_revisions(path_or_url: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The database's schema revisions and the newest shipped ones, read-only: a database
    that does not exist is a StoreError [EM326], never created."""
    engine, url = connect_to_read(path_or_url)
    try:
        with (
            raise_store_errors("EM306", "Cannot read revisions of", READ_ADVICE, url=url),
            engine.connect() as connection,
        ):
            current = read_database_revisions(connection)
    finally:
        engine.dispose()
    return current, read_head_revisions()
