"""Load an export (records and page rows from JSON Lines) into a store, a batch at a time."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import InterfaceError, OperationalError, StatementError

from evidence_miner.errors import StoreError
from evidence_miner.records import EvidenceRecord
from evidence_miner.store.import_rows import (  # noqa: F401 - parse_import_line is public here too
    ImportItem,
    PageImport,
    RecordImport,
    parse_import_line,
)
from evidence_miner.store.rows import Values, to_child_rows, to_record_values
from evidence_miner.store.save import to_history_values, write_history
from evidence_miner.store.schema import CHILD_TABLES, PageRow, RecordRow

log = logging.getLogger(__name__)


class LoadResult(BaseModel):
    """What loading one batch did, and the coded message of each row it refused."""

    model_config = ConfigDict(extra="forbid")

    records_inserted: int = 0
    records_updated: int = 0
    records_unchanged: int = 0
    pages_written: int = 0
    refused: list[str] = Field(default_factory=list)

    def add(self, other: LoadResult) -> None:
        for name in LoadResult.model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def write_import_batch(
    connection: Connection, items: list[ImportItem], *, now: datetime
) -> LoadResult:
    """Pages first (upsert by url), then records (upsert by record_id), in the caller's
    transaction; a record whose page is missing gets a page built from its `source`, a record
    with a span outside its page's text is refused (EM322)."""
    pages = [item.values for item in items if isinstance(item, PageImport)]
    records = list({r.record.record_id: r for r in map(to_record_import, items) if r}.values())
    result = LoadResult(pages_written=upsert_pages(connection, pages, now=now))
    lengths = read_text_lengths(connection, list({r.record.source.url for r in records}))
    fitting = []
    for item in records:
        problem = find_span_outside(item, lengths.get(item.record.source.url))
        if problem:
            result.refused.append(problem)
        else:
            fitting.append(item.record)
    if fitting:
        result.add(write_records(connection, fitting, now=now))
    return result


def to_where(item: ImportItem) -> str:
    """Where an import item was read, for a message."""
    if isinstance(item, EvidenceRecord):
        return f"record {item.record_id!r}"
    if isinstance(item, PageImport) and not item.where:
        return f"page {item.values.get('url')!r}"
    return item.where


# Raised by a driver while it binds one row's values (a number too large for SQLite's INTEGER).
ROW_VALUE_ERRORS = (OverflowError, TypeError, ValueError)


def is_row_refused(exc: BaseException) -> bool:
    """The database refused a row's values (a constraint, a type, a range), as opposed to
    being full, locked or unreachable: retrying the rows one by one isolates the bad one."""
    cause = exc.__cause__ if isinstance(exc, StoreError) else exc
    if isinstance(exc, StoreError) and str(exc).startswith("[EM316]"):
        return False
    if isinstance(cause, OperationalError | InterfaceError):
        return False
    refused = (StatementError, sqlite3.Error, *ROW_VALUE_ERRORS)
    return isinstance(cause, refused) and not isinstance(cause, sqlite3.OperationalError)


def to_refused_row(item: ImportItem, exc: BaseException) -> str:
    cause = exc.__cause__ if isinstance(exc, StoreError) and exc.__cause__ else exc
    reason = str(getattr(cause, "orig", None) or cause).strip().splitlines()[0]
    return (
        f"[EM323] {to_where(item)}: the database refused this row ({reason}); it was not "
        "imported and the other lines were. Fix the line or export it again."
    )


def to_record_import(item: ImportItem) -> RecordImport | None:
    if isinstance(item, EvidenceRecord):
        return RecordImport(item, f"record {item.record_id!r}")
    return item if isinstance(item, RecordImport) else None


def read_text_lengths(connection: Connection, urls: list[str]) -> dict[str, int]:
    """Characters of the text of each of these pages that has one."""
    query = select(PageRow.url, func.length(PageRow.text)).where(
        PageRow.url.in_(urls), PageRow.text.is_not(None)
    )
    return {url: int(length) for url, length in connection.execute(query)}


def find_span_outside(item: RecordImport, length: int | None) -> str | None:
    """The EM322 message when a span of the record ends past its page's text (of `length`
    characters; None: the page has no text yet, nothing to check against)."""
    if length is None:
        return None
    ends = [(span, path) for span, path in iter_spans(item.record.model_dump()) if span[1] > length]
    if not ends:
        return None
    span, path = ends[0]
    return (
        f"[EM322] {item.where}: record {item.record.record_id!r} has a span {list(span)} at "
        f"{path} outside the text of its page {item.record.source.url!r} ({length} "
        "characters); it was not imported. Import the pages export written with these "
        "records, or export both again."
    )


def iter_spans(value: Any, path: str = "") -> Iterator[tuple[tuple[int, int], str]]:
    """Every `span` of a dumped record, with where it is (`adverse_events.0.span`)."""
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if key == "span" and isinstance(item, tuple | list) and len(item) == 2:
                yield (int(item[0]), int(item[1])), where
            else:
                yield from iter_spans(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from iter_spans(item, f"{path}.{index}")


def upsert_pages(connection: Connection, pages: list[Values], *, now: datetime) -> int:
    pages = list({page["url"]: page for page in pages}.values())
    if not pages:
        return 0
    stored = read_page_ids(connection, [page["url"] for page in pages])
    new = [page for page in pages if page["url"] not in stored]
    old = [page | {"page_id_": stored[page["url"]]} for page in pages if page["url"] in stored]
    if new:
        connection.execute(insert(PageRow), [with_times(page, now) for page in new])
    for page in old:  # pages differ in their columns: one UPDATE each, exported times kept
        values = {k: v for k, v in with_times(page, now).items() if k != "page_id_"}
        connection.execute(update(PageRow).where(PageRow.id == page["page_id_"]).values(values))
    return len(pages)


def with_times(page: Values, now: datetime) -> Values:
    """The page with its exported timestamps, or `now` where it has none."""
    return page | {key: page.get(key) or now for key in ("created_at", "updated_at")}


def read_page_ids(connection: Connection, urls: list[str]) -> dict[str, int]:
    rows = connection.execute(select(PageRow.url, PageRow.id).where(PageRow.url.in_(urls)))
    return {url: page_id for url, page_id in rows}


def to_stub_page(record: EvidenceRecord) -> Values:
    """A page row from a record's `source`, for a record imported without its page."""
    source = record.source
    return {
        "url": source.url,
        "canonical_url": source.canonical_url,
        "title": source.title,
        "site_name": source.site_name,
        "authors": list(source.authors),
        "published": source.published,
        "fetched_at": source.fetched_at,
        "language": source.language,
        "text_sha256": source.text_sha256,
        "text": None,
        "removed": [],
        "metadata_sources": {},
        "extra": {},
        "status": "records",
        "pipeline_version": record.pipeline_version,
    }


def ensure_pages(
    connection: Connection, records: list[EvidenceRecord], *, now: datetime
) -> dict[str, int]:
    """Page ids by url for these records, inserting the missing pages from their sources."""
    urls = list({record.source.url for record in records})
    ids = read_page_ids(connection, urls)
    missing = {r.source.url: to_stub_page(r) for r in records if r.source.url not in ids}
    if missing:
        connection.execute(insert(PageRow), [with_times(page, now) for page in missing.values()])
        ids = read_page_ids(connection, urls)
    connection.execute(
        update(PageRow)
        .where(PageRow.id.in_(ids.values()), PageRow.status != "records")
        .values(status="records", reason=None, updated_at=now)
    )
    return ids


def write_records(
    connection: Connection, records: list[EvidenceRecord], *, now: datetime
) -> LoadResult:
    page_ids = ensure_pages(connection, records, now=now)
    values = {
        r.record_id: to_record_values(
            r, page_id=page_ids[r.source.url], pipeline_version=r.pipeline_version
        )
        for r in records
    }
    stored = read_stored_records(connection, list(values))
    new = [v for key, v in values.items() if key not in stored]
    changed = [v for key, v in values.items() if key in stored and stored[key] != to_compared(v)]
    insert_records(connection, new, now=now)
    update_records(connection, changed, now=now)
    rewrite_child_rows(
        connection, [r for r in records if r.record_id in {v["record_id"] for v in new + changed}]
    )
    urls = {r.record_id: r.source.url for r in records}
    write_history(
        connection,
        [
            to_history_values(v, action=action, page_url=urls[v["record_id"]], now=now)
            for action, rows in (("inserted", new), ("updated", changed))
            for v in rows
        ],
    )
    unchanged = len(values) - len(new) - len(changed)
    return LoadResult(
        records_inserted=len(new), records_updated=len(changed), records_unchanged=unchanged
    )


def to_compared(values: Values) -> tuple[Any, ...]:
    return (values["page_id"], values["pipeline_version"], values["record"])


def read_stored_records(
    connection: Connection, record_ids: list[str]
) -> dict[str, tuple[Any, ...]]:
    query = select(
        RecordRow.record_id, RecordRow.page_id, RecordRow.pipeline_version, RecordRow.record
    ).where(RecordRow.record_id.in_(record_ids))
    return {row[0]: tuple(row[1:]) for row in connection.execute(query)}


def insert_records(connection: Connection, rows: list[Values], *, now: datetime) -> None:
    if rows:
        connection.execute(
            insert(RecordRow), [row | {"created_at": now, "updated_at": now} for row in rows]
        )


def update_records(connection: Connection, rows: list[Values], *, now: datetime) -> None:
    if not rows:
        return
    table = cast(Table, RecordRow.__table__)
    statement = update(table).where(table.c.record_id == bindparam("key_"))
    params = [
        {k: v for k, v in row.items() if k != "record_id"}
        | {"key_": row["record_id"], "updated_at": now}
        for row in rows
    ]
    connection.execute(statement, params)


def rewrite_child_rows(connection: Connection, records: list[EvidenceRecord]) -> None:
    """Replace every child row of these records: one DELETE and one INSERT per table."""
    if not records:
        return
    ids = [record.record_id for record in records]
    rows_by_table: dict[Any, list[Values]] = {table: [] for table in CHILD_TABLES}
    for record in records:
        for table, rows in to_child_rows(record).items():
            rows_by_table[table].extend(rows)
    for table, rows in rows_by_table.items():
        connection.execute(delete(table).where(table.record_id.in_(ids)))
        if rows:
            connection.execute(insert(table), rows)
