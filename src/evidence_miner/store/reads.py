"""Queries that read records, page text and row counts back from the store."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Select, func, select

from evidence_miner.errors import StoreError
from evidence_miner.records import EvidenceRecord
from evidence_miner.store.schema import (
    AdverseEventRow,
    ConditionRow,
    DoseRow,
    EffectRow,
    InterventionRow,
    OutcomeRow,
    PageRow,
    PopulationGroupRow,
    RecordHistoryRow,
    RecordRow,
)

BATCH_SIZE = 200
COUNTED_TABLES = {
    "interventions": InterventionRow,
    "doses": DoseRow,
    "outcomes": OutcomeRow,
    "effects": EffectRow,
    "adverse_events": AdverseEventRow,
    "conditions": ConditionRow,
    "population_groups": PopulationGroupRow,
    "record_history": RecordHistoryRow,
}


def select_records_in_order() -> Select[Any]:
    """Every record's JSON, by page url then record id, fetched in batches."""
    return (
        select(RecordRow.record_id, RecordRow.record)
        .join(PageRow, PageRow.id == RecordRow.page_id)
        .order_by(PageRow.url, RecordRow.record_id)
        .execution_options(yield_per=BATCH_SIZE)
    )


def select_page_records(url: str) -> Select[Any]:
    """The records of the page at `url`, by record id."""
    return (
        select(RecordRow.record_id, RecordRow.record)
        .join(PageRow, PageRow.id == RecordRow.page_id)
        .where(PageRow.url == url)
        .order_by(RecordRow.record_id)
    )


def select_page_record_ids(url: str) -> Select[Any]:
    """The ids of the records of the page at `url`, in order."""
    return (
        select(RecordRow.record_id)
        .join(PageRow, PageRow.id == RecordRow.page_id)
        .where(PageRow.url == url)
        .order_by(RecordRow.record_id)
    )


def select_record(record_id: str) -> Select[Any]:
    return select(RecordRow.record).where(RecordRow.record_id == record_id)


def select_page_text(record_id: str) -> Select[Any]:
    return (
        select(PageRow.text)
        .join(RecordRow, RecordRow.page_id == PageRow.id)
        .where(RecordRow.record_id == record_id)
    )


def to_evidence_record(record_id: str, data: dict[str, Any]) -> EvidenceRecord:
    """Validate a stored record; one that no longer validates is a StoreError."""
    try:
        return EvidenceRecord.model_validate(data)
    except ValidationError as exc:
        raise StoreError(
            f"[EM308] Stored record {record_id!r} does not match the record schema "
            f"({exc.error_count()} errors, first: {exc.errors()[0]['msg']}). "
            "Re-run the pipeline on its page to rewrite it."
        ) from exc


def count_rows(connection: Connection) -> dict[str, int]:
    """Pages, records, no_study and failed pages, and rows in each child table."""
    counters = {
        "pages": select(func.count()).select_from(PageRow),
        "records": select(func.count()).select_from(RecordRow),
        "no_study": select(func.count()).where(PageRow.status == "no_study"),
        "failed": select(func.count()).where(PageRow.status == "failed"),
    } | {name: select(func.count()).select_from(table) for name, table in COUNTED_TABLES.items()}
    query = select(*(count.scalar_subquery().label(name) for name, count in counters.items()))
    row = connection.execute(query).one()
    return {name: int(value) for name, value in row._mapping.items()}


def select_done_pages(urls: list[str], *, pipeline_version: str) -> Select[Any]:
    """Url and text hash of the pages among these urls this pipeline version extracted
    (records or no study; a failed page is not done)."""
    return select(PageRow.url, PageRow.text_sha256).where(
        PageRow.url.in_(urls),
        PageRow.pipeline_version == pipeline_version,
        PageRow.status.in_(("records", "no_study")),
    )
