"""Write an article's page, records and child rows inside the caller's transaction."""

from __future__ import annotations

import logging
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, delete, insert, select, update

from evidence_miner.errors import StoreError
from evidence_miner.records import Article, EvidenceRecord
from evidence_miner.store.rows import (
    Values,
    to_child_rows,
    to_page_values,
    to_record_sha256,
    to_record_values,
)
from evidence_miner.store.schema import PageRow, RecordHistoryRow, RecordRow

log = logging.getLogger(__name__)


class SaveResult(BaseModel):
    """What saving one article did: `unchanged` when the store already held exactly this."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    page_id: int
    records_written: int
    records_removed: int
    unchanged: bool


def write_article(
    connection: Connection,
    article: Article,
    records: list[EvidenceRecord],
    *,
    pipeline_version: str,
    now: datetime,
) -> SaveResult:
    """Upsert the page, drop its records not in `records`, upsert each record."""
    check_record_ids_unique(article, records)
    status, reason = ("records", None) if records else ("no_study", article.no_study_reason)
    page = to_page_values(
        article.page, status=status, reason=reason, pipeline_version=pipeline_version
    )
    page_id, page_changed = upsert_page(connection, page, now=now)
    keep = {r.record_id for r in records}
    removed = remove_stale_records(
        connection, page_id, keep, pipeline_version=pipeline_version, now=now
    )
    written = 0
    for record in records:
        values = to_record_values(record, page_id=page_id, pipeline_version=pipeline_version)
        written += upsert_record(connection, record, values, now=now, page_url=article.page.url)
    unchanged = not (page_changed or written or removed)
    return SaveResult(
        page_id=page_id, records_written=written, records_removed=removed, unchanged=unchanged
    )


def check_record_ids_unique(article: Article, records: list[EvidenceRecord]) -> None:
    seen: set[str] = set()
    for record in records:
        if record.record_id in seen:
            raise StoreError(
                f"[EM307] Record id {record.record_id!r} appears twice among the records of "
                f"{article.page.url!r}. Give each study its own id "
                "(records.make_record_id with the study's index)."
            )
        seen.add(record.record_id)


def upsert_page(connection: Connection, values: Values, *, now: datetime) -> tuple[int, bool]:
    """Insert or update the page with this url; returns its id and whether anything changed."""
    stored = connection.execute(
        select(PageRow.id, PageRow.fingerprint).where(PageRow.url == values["url"])
    ).one_or_none()
    if stored is None:
        result = connection.execute(
            insert(PageRow).values(**values, created_at=now, updated_at=now)
        )
        key = result.inserted_primary_key
        assert key is not None  # a single-row INSERT always reports its key
        return int(key[0]), True
    if stored.fingerprint == values["fingerprint"]:
        return stored.id, False
    connection.execute(
        update(PageRow).where(PageRow.id == stored.id).values(**values, updated_at=now)
    )
    return stored.id, True


def remove_stale_records(
    connection: Connection,
    page_id: int,
    keep: set[str],
    *,
    pipeline_version: str | None,
    now: datetime,
) -> int:
    """Delete the page's records not in `keep` (child rows go by ON DELETE CASCADE) and
    note each removal, by this pipeline version, in record_history."""
    stale = connection.execute(
        select(RecordRow.record_id, RecordRow.schema_version, PageRow.url)
        .join(PageRow, PageRow.id == RecordRow.page_id)
        .where(RecordRow.page_id == page_id, RecordRow.record_id.not_in(keep))
    ).all()
    if not stale:
        return 0
    connection.execute(delete(RecordRow).where(RecordRow.record_id.in_([r[0] for r in stale])))
    write_history(
        connection,
        [
            {
                "record_id": record_id,
                "page_url": url,
                "action": "removed",
                "pipeline_version": pipeline_version,
                "schema_version": schema_version,
                "record_sha256": None,
                "written_at": now,
                "record": None,
            }
            for record_id, schema_version, url in stale
        ],
    )
    return len(stale)


def to_history_values(
    values: Values, *, action: str, page_url: str | None, now: datetime
) -> Values:
    """A record_history row for a record row's `values` being inserted or updated, with the
    record as written: the history keeps every version of a record."""
    return {
        "record_id": values["record_id"],
        "page_url": page_url,
        "action": action,
        "pipeline_version": values["pipeline_version"],
        "schema_version": values["schema_version"],
        "record_sha256": to_record_sha256(values["record"]),
        "written_at": now,
        "record": values["record"],
    }


def write_history(connection: Connection, rows: list[Values]) -> None:
    if rows:
        connection.execute(insert(RecordHistoryRow), rows)


def upsert_record(
    connection: Connection,
    record: EvidenceRecord,
    values: Values,
    *,
    now: datetime,
    page_url: str | None = None,
) -> bool:
    """Insert or rewrite one record, its child rows and a history row; False when it is
    stored as is."""
    stored = connection.execute(
        select(RecordRow.page_id, RecordRow.pipeline_version, RecordRow.record).where(
            RecordRow.record_id == record.record_id
        )
    ).one_or_none()
    if stored is None:
        connection.execute(insert(RecordRow).values(**values, created_at=now, updated_at=now))
    elif tuple(stored) == (values["page_id"], values["pipeline_version"], values["record"]):
        return False
    else:
        warn_if_moved(record.record_id, stored.page_id, values["page_id"])
        connection.execute(
            update(RecordRow)
            .where(RecordRow.record_id == record.record_id)
            .values(**values, updated_at=now)
        )
    action = "inserted" if stored is None else "updated"
    write_history(
        connection, [to_history_values(values, action=action, page_url=page_url, now=now)]
    )
    write_child_rows(connection, record)
    return True


def warn_if_moved(record_id: str, old_page_id: int, new_page_id: int) -> None:
    if old_page_id != new_page_id:
        log.warning(
            "Record %s moves from page %d to page %d: the two pages have the same text",
            record_id,
            old_page_id,
            new_page_id,
            extra={"stage": "store", "record_id": record_id},
        )


def write_child_rows(connection: Connection, record: EvidenceRecord) -> None:
    """Replace the record's rows in every child table."""
    for table, rows in to_child_rows(record).items():
        connection.execute(delete(table).where(table.record_id == record.record_id))
        if rows:
            connection.execute(insert(table), rows)


def write_failure(connection: Connection, url: str, reason: str, *, now: datetime) -> None:
    """Mark the page failed with its reason, inserting it if new; its records are kept."""
    stored = connection.execute(
        select(PageRow.id, PageRow.status, PageRow.reason).where(PageRow.url == url)
    ).one_or_none()
    if stored is None:
        connection.execute(
            insert(PageRow).values(
                url=url, status="failed", reason=reason, created_at=now, updated_at=now
            )
        )
    elif (stored.status, stored.reason) != ("failed", reason):
        connection.execute(
            update(PageRow)
            .where(PageRow.id == stored.id)
            .values(status="failed", reason=reason, fingerprint=None, updated_at=now)
        )
