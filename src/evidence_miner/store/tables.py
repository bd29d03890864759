"""Build the SELECT behind each exportable table: its columns, names and SQL types."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ColumnElement, Select, String, Text, and_, cast, func, inspect, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import KeyedColumnElement
from sqlalchemy.types import TypeEngine

from evidence_miner.errors import ConfigError
from evidence_miner.store.schema import (
    AdverseEventRow,
    Base,
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

EXPORT_TABLES: dict[str, type[Base]] = {
    "records": RecordRow,
    "pages": PageRow,
    "interventions": InterventionRow,
    "doses": DoseRow,
    "outcomes": OutcomeRow,
    "effects": EffectRow,
    "adverse_events": AdverseEventRow,
    "conditions": ConditionRow,
    "population_groups": PopulationGroupRow,
    "record_history": RecordHistoryRow,
}
# Tables whose rows gain a `drugs` column: the record's studied interventions, "; "-joined.
WITH_DRUGS = {"outcomes", "effects", "adverse_events"}
# Columns too long for a spreadsheet cell (32,767 characters): left out of CSV exports.
CSV_LEFT_OUT = {"records": {"record"}, "pages": {"text"}}
LEFT_OUT = {"pages": {"id"}, "records": {"page_id"}, "record_history": {"id"}}


def check_table_name(table: str) -> None:
    if table not in EXPORT_TABLES:
        raise ConfigError(
            f"[EM310] Unknown table {table!r}. Pass --table with one of: "
            f"{', '.join(EXPORT_TABLES)}."
        )


def select_export_rows(table: str, *, json_as_text: bool, csv: bool = False) -> Select[Any]:
    """Every row of `table` ordered by its key, with context columns users filter on."""
    check_table_name(table)
    model = EXPORT_TABLES[table]
    left_out = LEFT_OUT.get(table, set()) | (CSV_LEFT_OUT.get(table, set()) if csv else set())
    own = [
        to_export_column(column, json_as_text=json_as_text)
        for column in model.__table__.columns
        if column.name not in left_out
    ]
    if table == "records":
        return select_records_flat(own)
    if table == "doses":
        return select_doses(own)
    extra = [studied_drugs(model.record_id).label("drugs")] if table in WITH_DRUGS else []  # type: ignore[attr-defined]
    return select(*own[:2], *extra, *own[2:]).order_by(*inspect(model).primary_key)


def to_export_column(column: Any, *, json_as_text: bool) -> KeyedColumnElement[Any]:
    if json_as_text and isinstance(column.type, JSON):
        return cast(column, Text).label(column.name)
    return column


def select_records_flat(own: list[KeyedColumnElement[Any]]) -> Select[Any]:
    """Records with their page's url, title and site, their drugs and conditions."""
    by_name = {column.name: column for column in own}
    first = [by_name.pop("record_id"), PageRow.url, PageRow.title, PageRow.site_name]
    context = [
        studied_drugs(RecordRow.record_id).label("drugs"),
        record_conditions(RecordRow.record_id).label("conditions"),
    ]
    return (
        select(*first, *context, *by_name.values())
        .join(PageRow, PageRow.id == RecordRow.page_id)
        .order_by(RecordRow.record_id)
    )


def select_doses(own: list[KeyedColumnElement[Any]]) -> Select[Any]:
    """Doses with the drug's name (`drug`) and vocabulary ids beside the record id."""
    by_name = {column.name: column for column in own}
    first = [
        by_name.pop("record_id"),
        by_name.pop("position"),
        by_name.pop("intervention_name").label("drug"),
    ]
    ids = [InterventionRow.drugbank_id, InterventionRow.rxnorm_id, InterventionRow.atc_id]
    on = and_(
        InterventionRow.record_id == DoseRow.record_id,
        InterventionRow.position == DoseRow.intervention_position,
    )
    return (
        select(*first, *ids, *by_name.values())
        .outerjoin(InterventionRow, on)
        .order_by(DoseRow.record_id, DoseRow.position)
    )


RecordId = ColumnElement[Any] | InstrumentedAttribute[Any]


def join_names(record_id: RecordId, names: Select[Any]) -> ColumnElement[Any]:
    """The names `names` selects for one record, in position order, joined with "; "."""
    ordered = names.correlate(record_id.table).subquery()  # type: ignore[attr-defined]
    return select(cast(func.aggregate_strings(ordered.c.name, "; "), String)).scalar_subquery()


def studied_drugs(record_id: RecordId) -> ColumnElement[Any]:
    names = (
        select(InterventionRow.name)
        .where(InterventionRow.record_id == record_id, InterventionRow.role == "studied")
        .order_by(InterventionRow.position)
    )
    return join_names(record_id, names)


def record_conditions(record_id: RecordId) -> ColumnElement[Any]:
    names = (
        select(ConditionRow.name)
        .where(ConditionRow.record_id == record_id, ConditionRow.mentioned_only.is_(False))
        .order_by(ConditionRow.position)
    )
    return join_names(record_id, names)


def export_columns(
    table: str, *, json_as_text: bool, csv: bool = False
) -> tuple[list[str], list[TypeEngine[Any]]]:
    """The names and SQL types of the columns an export of `table` has, in order."""
    columns = list(select_export_rows(table, json_as_text=json_as_text, csv=csv).selected_columns)
    return [column.name for column in columns], [column.type for column in columns]
