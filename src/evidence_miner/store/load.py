"""Load an export (records and page rows from JSON Lines) into a store, a batch at a time."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import Connection, Date, DateTime, Table, bindparam, delete, insert, select, update

from evidence_miner.errors import StoreError
from evidence_miner.records import EvidenceRecord
from evidence_miner.store.rows import Values, to_child_rows, to_record_values
from evidence_miner.store.save import to_history_values, write_history
from evidence_miner.store.schema import CHILD_TABLES, PAGE_STATUSES, PageRow, RecordRow

log = logging.getLogger(__name__)

PAGE_KEYS_REQUIRED = {"url", "status"}
PAGE_KEYS_IGNORED = {"id"}


@dataclass(frozen=True)
class PageImport:
    """One row of a `pages` export, as column values ready to write."""

    values: dict[str, Any]


ImportItem = EvidenceRecord | PageImport


class LoadResult(BaseModel):
    """What loading one batch did."""

    model_config = ConfigDict(extra="forbid")

    records_inserted: int = 0
    records_updated: int = 0
    records_unchanged: int = 0
    pages_written: int = 0

    def add(self, other: LoadResult) -> None:
        for name in LoadResult.model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def parse_import_line(line: str, where: str) -> ImportItem:
    """A record (has `record_id` and `source`) or a page row (has `url` and `status`)."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise StoreError(f"[EM309] {where} is not JSON ({exc.msg}). Pass a file written by "
                         "`evidence-miner export --format jsonl`.") from exc  # fmt: skip
    if isinstance(data, dict) and "record_id" in data and "source" in data:
        return parse_record(data, where)
    if isinstance(data, dict) and PAGE_KEYS_REQUIRED <= data.keys():
        return PageImport(values=to_page_column_values(data, where))
    raise StoreError(
        f"[EM309] {where} is neither an evidence record (record_id, source, ...) nor a page row "
        "(url, status, ...). Pass a file written by `evidence-miner export --format jsonl` "
        "(--table records or --table pages)."
    )


def parse_record(data: dict[str, Any], where: str) -> EvidenceRecord:
    try:
        return EvidenceRecord.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        place = ".".join(str(part) for part in first["loc"])
        raise StoreError(
            f"[EM309] {where} is not a valid evidence record ({exc.error_count()} errors, "
            f"first at {place}: {first['msg']}). Fix the line or export it again."
        ) from exc


def to_page_column_values(data: dict[str, Any], where: str) -> Values:
    """Page columns from an exported row: dates parsed, the source database's id dropped."""
    columns = PageRow.__table__.columns
    unknown = set(data) - set(columns.keys())
    if unknown or data["status"] not in PAGE_STATUSES:
        problem = f"unknown columns {sorted(unknown)}" if unknown else f"status {data['status']!r}"
        raise StoreError(f"[EM309] {where} is not a page row of this store ({problem}). "
                         "Export it with the same evidence-miner version.")  # fmt: skip
    values = {}
    for name, value in data.items():
        if name not in PAGE_KEYS_IGNORED:
            values[name] = to_column_value(columns[name].type, value, where)
    return values


def to_column_value(sql_type: Any, value: Any, where: str) -> Any:
    if value is None or not isinstance(value, str):
        return value
    try:
        if isinstance(sql_type, DateTime) or isinstance(getattr(sql_type, "impl", None), DateTime):
            return datetime.fromisoformat(value)
        if isinstance(sql_type, Date):
            return date.fromisoformat(value)
    except ValueError as exc:
        raise StoreError(f"[EM309] {where} has a malformed date {value!r}. "
                         "Use ISO 8601 dates (2024-05-01).") from exc  # fmt: skip
    return value


def write_import_batch(connection: Connection, items: list[ImportItem], *, now: datetime
                       ) -> LoadResult:
    """Pages first (upsert by url), then records (upsert by record_id), in the caller's
    transaction; a record whose page is missing gets a page built from its `source`."""
    pages = [item.values for item in items if isinstance(item, PageImport)]
    records = list({r.record_id: r for r in items if isinstance(r, EvidenceRecord)}.values())
    result = LoadResult(pages_written=upsert_pages(connection, pages, now=now))
    if records:
        result.add(write_records(connection, records, now=now))
    return result


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
        "url": source.url, "canonical_url": source.canonical_url, "title": source.title,
        "site_name": source.site_name, "authors": list(source.authors),
        "published": source.published, "fetched_at": source.fetched_at,
        "language": source.language, "text_sha256": source.text_sha256, "text": None,
        "removed": [], "metadata_sources": {}, "extra": {}, "status": "records",
        "pipeline_version": record.pipeline_version,
    }  # fmt: skip


def ensure_pages(connection: Connection, records: list[EvidenceRecord], *, now: datetime
                 ) -> dict[str, int]:
    """Page ids by url for these records, inserting the missing pages from their sources."""
    urls = list({record.source.url for record in records})
    ids = read_page_ids(connection, urls)
    missing = {r.source.url: to_stub_page(r) for r in records if r.source.url not in ids}
    if missing:
        connection.execute(insert(PageRow), [with_times(page, now) for page in missing.values()])
        ids = read_page_ids(connection, urls)
    connection.execute(
        update(PageRow).where(PageRow.id.in_(ids.values()), PageRow.status != "records")
        .values(status="records", reason=None, updated_at=now)
    )  # fmt: skip
    return ids


def write_records(connection: Connection, records: list[EvidenceRecord], *, now: datetime
                  ) -> LoadResult:
    page_ids = ensure_pages(connection, records, now=now)
    values = {r.record_id: to_record_values(r, page_id=page_ids[r.source.url],
                                            pipeline_version=r.pipeline_version)
              for r in records}  # fmt: skip
    stored = read_stored_records(connection, list(values))
    new = [v for key, v in values.items() if key not in stored]
    changed = [v for key, v in values.items() if key in stored and stored[key] != to_compared(v)]
    insert_records(connection, new, now=now)
    update_records(connection, changed, now=now)
    rewrite_child_rows(connection, [r for r in records if r.record_id in
                                    {v["record_id"] for v in new + changed}])  # fmt: skip
    urls = {r.record_id: r.source.url for r in records}
    write_history(connection, [
        to_history_values(v, action=action, page_url=urls[v["record_id"]], now=now)
        for action, rows in (("inserted", new), ("updated", changed)) for v in rows
    ])  # fmt: skip
    unchanged = len(values) - len(new) - len(changed)
    return LoadResult(records_inserted=len(new), records_updated=len(changed),
                      records_unchanged=unchanged)  # fmt: skip


def to_compared(values: Values) -> tuple[Any, ...]:
    return (values["page_id"], values["pipeline_version"], values["record"])


def read_stored_records(connection: Connection, record_ids: list[str]
                        ) -> dict[str, tuple[Any, ...]]:
    query = select(RecordRow.record_id, RecordRow.page_id, RecordRow.pipeline_version,
                   RecordRow.record).where(RecordRow.record_id.in_(record_ids))  # fmt: skip
    return {row[0]: tuple(row[1:]) for row in connection.execute(query)}


def insert_records(connection: Connection, rows: list[Values], *, now: datetime) -> None:
    if rows:
        connection.execute(insert(RecordRow),
                           [row | {"created_at": now, "updated_at": now} for row in rows])


def update_records(connection: Connection, rows: list[Values], *, now: datetime) -> None:
    if not rows:
        return
    table = cast(Table, RecordRow.__table__)
    statement = update(table).where(table.c.record_id == bindparam("key_"))
    params = [{k: v for k, v in row.items() if k != "record_id"}
              | {"key_": row["record_id"], "updated_at": now} for row in rows]  # fmt: skip
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
