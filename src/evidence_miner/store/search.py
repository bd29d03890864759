"""Find records by drug, condition, design, cohort size, date and site, and count them."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    and_,
    cast,
    distinct,
    exists,
    func,
    or_,
    select,
    true,
)

from evidence_miner.store.schema import ConditionRow, DoseRow, InterventionRow, PageRow, RecordRow

ID_COLUMNS = ("drugbank_id", "rxnorm_id", "mesh_id", "atc_id")
AnySelect = Select[*tuple[Any, ...]]


class SearchFilters(BaseModel):
    """What `search` looks for; every filter given must match."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    drug: str | None = Field(default=None, description="name, alias or vocabulary id")
    drug_generic: str | None = Field(
        default=None, description="the generic name of `drug` (a brand name's)"
    )
    condition: str | None = Field(default=None, description="part of a name, or an id")
    mentioned: bool = Field(
        default=False, description="also match conditions only mentioned in passing"
    )
    design: str | None = None
    min_n: int | None = Field(default=None, ge=0, le=2**63 - 1)  # what a BIGINT holds
    since: date | None = None
    site: str | None = None
    limit: int = Field(default=50, ge=1)


class DoseHit(BaseModel):
    drug: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    route: str | None = None
    frequency: str | None = None
    group: str | None = None
    group_n: int | None = None
    text: str | None = None


class SearchHit(BaseModel):
    """One record found: where it was published, its study and the doses of its drugs."""

    record_id: str
    url: str
    title: str | None = None
    site_name: str | None = None
    published: date | None = None
    design: str | None = None
    total: int | None = None
    drugs: list[str] = Field(default_factory=list)
    conditions: list[str] = Field(default_factory=list)
    doses: list[DoseHit] = Field(default_factory=list)


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def match_drug(drug: str, generic: str | None = None) -> ColumnElement[bool]:
    """An intervention named `drug` or `generic` (the generic name of a brand), with `drug` as an
    alias, or with it as a vocabulary id (a drug only mentioned in passing does not make its
    record match)."""
    wanted = drug.strip().lower()
    alias = f'%"{escape_like(wanted)}"%'
    names = {wanted, generic.strip().lower()} if generic else {wanted}
    return or_(
        func.lower(InterventionRow.name).in_(sorted(names)),
        func.lower(cast(InterventionRow.aliases, String)).like(alias, escape="\\"),
        *(func.upper(getattr(InterventionRow, column)) == wanted.upper() for column in ID_COLUMNS),
    )


def match_condition(condition: str, *, mentioned: bool = False) -> ColumnElement[bool]:
    """A condition whose name contains `condition`, or whose MeSH or UMLS id it is: one the
    study is about, or (`mentioned`) also one only named in passing."""
    wanted = condition.strip()
    pattern = f"%{escape_like(wanted.lower())}%"
    named = or_(
        func.lower(ConditionRow.name).like(pattern, escape="\\"),
        func.upper(ConditionRow.mesh_id) == wanted.upper(),
        func.upper(ConditionRow.umls_id) == wanted.upper(),
    )
    return named if mentioned else and_(named, ConditionRow.mentioned_only.is_(False))


def to_conditions(filters: SearchFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.drug:
        where.append(
            exists().where(
                InterventionRow.record_id == RecordRow.record_id,
                InterventionRow.role != "mentioned",
                match_drug(filters.drug, filters.drug_generic),
            )
        )
    if filters.condition:
        where.append(
            exists().where(
                ConditionRow.record_id == RecordRow.record_id,
                match_condition(filters.condition, mentioned=filters.mentioned),
            )
        )
    if filters.design:
        where.append(RecordRow.design == filters.design.strip().lower())
    if filters.min_n is not None:
        where.append(RecordRow.total >= filters.min_n)
    if filters.since is not None:
        where.append(func.coalesce(RecordRow.published, PageRow.published) >= filters.since)
    if filters.site:
        where.append(func.lower(PageRow.site_name) == filters.site.strip().lower())
    return where


def select_hits(filters: SearchFilters) -> AnySelect:
    """Matching records, newest first, at most `limit`."""
    published = func.coalesce(RecordRow.published, PageRow.published)
    return (
        select(
            RecordRow.record_id,
            PageRow.url,
            PageRow.title,
            PageRow.site_name,
            published.label("published"),
            RecordRow.design,
            RecordRow.total,
        )
        .join(PageRow, PageRow.id == RecordRow.page_id)
        .where(*to_conditions(filters))
        .order_by(published.desc().nulls_last(), RecordRow.record_id)
        .limit(filters.limit)
    )


def read_names(connection: Connection, query: AnySelect) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for record_id, name in connection.execute(query):
        names.setdefault(record_id, []).append(name)
    return names


def read_doses(
    connection: Connection, record_ids: list[str], filters: SearchFilters
) -> dict[str, list[DoseHit]]:
    """The doses of these records: of the wanted drug only when one is given."""
    on = and_(
        InterventionRow.record_id == DoseRow.record_id,
        InterventionRow.position == DoseRow.intervention_position,
    )
    query = (
        select(
            DoseRow.record_id,
            DoseRow.intervention_name,
            DoseRow.value,
            DoseRow.low,
            DoseRow.high,
            DoseRow.unit,
            DoseRow.route,
            DoseRow.frequency,
            DoseRow.group_label,
            DoseRow.group_n,
            DoseRow.text,
        )
        .join(InterventionRow, on)
        .where(
            DoseRow.record_id.in_(record_ids),
            match_drug(filters.drug, filters.drug_generic) if filters.drug else true(),
        )
        .order_by(DoseRow.record_id, DoseRow.position)
    )
    doses: dict[str, list[DoseHit]] = {}
    keys = (
        "drug",
        "value",
        "low",
        "high",
        "unit",
        "route",
        "frequency",
        "group",
        "group_n",
        "text",
    )
    for record_id, *values in connection.execute(query):
        doses.setdefault(record_id, []).append(DoseHit(**dict(zip(keys, values, strict=True))))
    return doses


def find_hits(connection: Connection, filters: SearchFilters) -> list[SearchHit]:
    rows = connection.execute(select_hits(filters)).all()
    ids = [row.record_id for row in rows]
    drugs = read_names(
        connection,
        select(InterventionRow.record_id, InterventionRow.name)
        .where(
            InterventionRow.record_id.in_(ids), InterventionRow.role.in_(("studied", "comparator"))
        )
        .order_by(InterventionRow.record_id, InterventionRow.position),
    )
    conditions = read_names(
        connection,
        select(ConditionRow.record_id, ConditionRow.name)
        .where(ConditionRow.record_id.in_(ids), ConditionRow.mentioned_only.is_(False))
        .order_by(ConditionRow.record_id, ConditionRow.position),
    )
    doses = read_doses(connection, ids, filters)
    return [
        SearchHit(
            **row._mapping,
            drugs=drugs.get(row.record_id, []),
            conditions=conditions.get(row.record_id, []),
            doses=doses.get(row.record_id, []),
        )
        for row in rows
    ]


class CountRow(BaseModel):
    """One line of `stats`: a site, design or drug and how many records (and doses) it has."""

    key: str | None
    records: int
    doses: int | None = None


def count_by_site(connection: Connection, top: int) -> list[CountRow]:
    records = func.count(RecordRow.record_id)
    query = (
        select(PageRow.site_name, records)
        .join(RecordRow, RecordRow.page_id == PageRow.id)
        .group_by(PageRow.site_name)
        .order_by(records.desc(), PageRow.site_name)
        .limit(top)
    )
    return [CountRow(key=key, records=n) for key, n in connection.execute(query)]


def count_by_design(connection: Connection, top: int) -> list[CountRow]:
    records = func.count(RecordRow.record_id)
    query = (
        select(RecordRow.design, records)
        .group_by(RecordRow.design)
        .order_by(records.desc(), RecordRow.design)
        .limit(top)
    )
    return [CountRow(key=key, records=n) for key, n in connection.execute(query)]


def count_by_drug(connection: Connection, top: int) -> list[CountRow]:
    """Studied and comparator drugs by how many records report them, with their dose rows."""
    doses = (
        select(DoseRow.intervention_name.label("name"), func.count().label("doses"))
        .group_by(DoseRow.intervention_name)
        .subquery()
    )
    records = func.count(distinct(InterventionRow.record_id))
    query = (
        select(InterventionRow.name, records, func.max(doses.c.doses))
        .outerjoin(doses, doses.c.name == InterventionRow.name)
        .where(InterventionRow.role.in_(("studied", "comparator")))
        .group_by(InterventionRow.name)
        .order_by(records.desc(), InterventionRow.name)
        .limit(top)
    )
    return [CountRow(key=key, records=n, doses=d or 0) for key, n, d in connection.execute(query)]
