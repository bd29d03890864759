"""The store's tables as SQLAlchemy declarative models (migrations/ creates them)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

PAGE_STATUSES = ("records", "no_study", "failed")
HISTORY_ACTIONS = ("inserted", "updated", "removed")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PageRow(Base):
    """One article page: its text and metadata, and what the pipeline made of it."""

    __tablename__ = "pages"
    __table_args__ = (
        CheckConstraint("status IN ('records', 'no_study', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    final_url: Mapped[str | None] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    site_name: Mapped[str | None] = mapped_column(Text, index=True)
    authors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    published: Mapped[date | None] = mapped_column(Date, index=True)
    language: Mapped[str | None] = mapped_column(String(32))
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content_type: Mapped[str | None] = mapped_column(Text)
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    journal: Mapped[str | None] = mapped_column(Text)
    doi: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    text_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    removed: Mapped[list[Any]] = mapped_column(JSON, default=list)
    metadata_sources: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    pipeline_version: Mapped[str | None] = mapped_column(String(64))
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RecordRow(Base):
    """One evidence record: the full validated record as JSON plus columns to filter on."""

    __tablename__ = "records"

    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    schema_version: Mapped[str] = mapped_column(String(16))
    pipeline_version: Mapped[str | None] = mapped_column(String(64))
    design: Mapped[str | None] = mapped_column(String(32), index=True)
    journal: Mapped[str | None] = mapped_column(Text)
    total: Mapped[int | None] = mapped_column(Integer, index=True)
    published: Mapped[date | None] = mapped_column(Date, index=True)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChildRow(Base):
    """Columns every child row has: its record, its position there, and its provenance."""

    __abstract__ = True

    record_id: Mapped[str] = mapped_column(
        ForeignKey("records.record_id", ondelete="CASCADE"), primary_key=True, sort_order=-2
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)
    text: Mapped[str | None] = mapped_column(Text, sort_order=1)
    span_start: Mapped[int | None] = mapped_column(Integer, sort_order=1)
    span_end: Mapped[int | None] = mapped_column(Integer, sort_order=1)
    sentence: Mapped[int | None] = mapped_column(Integer, sort_order=1)
    confidence: Mapped[float | None] = mapped_column(Float, sort_order=1)


class InterventionRow(ChildRow):
    __tablename__ = "interventions"

    name: Mapped[str] = mapped_column(Text, index=True)
    role: Mapped[str] = mapped_column(String(16))
    is_class: Mapped[bool] = mapped_column(Boolean)
    aliases: Mapped[list[Any]] = mapped_column(JSON, default=list)
    ids: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    drugbank_id: Mapped[str | None] = mapped_column(String(32), index=True)
    mesh_id: Mapped[str | None] = mapped_column(String(32), index=True)
    rxnorm_id: Mapped[str | None] = mapped_column(String(32), index=True)
    atc_id: Mapped[str | None] = mapped_column(String(32), index=True)


class DoseRow(ChildRow):
    __tablename__ = "doses"

    intervention_position: Mapped[int] = mapped_column(Integer)
    intervention_name: Mapped[str] = mapped_column(Text, index=True)
    value: Mapped[float | None] = mapped_column(Float)
    low: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(32))
    route: Mapped[str | None] = mapped_column(String(32))
    frequency: Mapped[str | None] = mapped_column(Text)
    frequency_per_day: Mapped[float | None] = mapped_column(Float)
    duration_iso: Mapped[str | None] = mapped_column(String(32))
    group_label: Mapped[str | None] = mapped_column(Text)
    group_n: Mapped[int | None] = mapped_column(Integer)
    when: Mapped[str | None] = mapped_column(String(16))


class OutcomeRow(ChildRow):
    __tablename__ = "outcomes"

    measure: Mapped[str | None] = mapped_column(Text)
    group_label: Mapped[str | None] = mapped_column(Text)
    direction: Mapped[str | None] = mapped_column(String(32))
    count: Mapped[int | None] = mapped_column(Integer)
    of_n: Mapped[int | None] = mapped_column(Integer)
    percent: Mapped[float | None] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(32))
    effect_type: Mapped[str | None] = mapped_column(String(16))
    effect_value: Mapped[float | None] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    p_value: Mapped[float | None] = mapped_column(Float)
    p_operator: Mapped[str | None] = mapped_column(String(2))
    timepoint_iso: Mapped[str | None] = mapped_column(String(32))


class AdverseEventRow(ChildRow):
    __tablename__ = "adverse_events"

    name: Mapped[str] = mapped_column(Text, index=True)
    count: Mapped[int | None] = mapped_column(Integer)
    of_n: Mapped[int | None] = mapped_column(Integer)
    percent: Mapped[float | None] = mapped_column(Float)
    group_label: Mapped[str | None] = mapped_column(Text)
    serious: Mapped[bool | None] = mapped_column(Boolean)
    led_to_discontinuation: Mapped[bool | None] = mapped_column(Boolean)


class ConditionRow(ChildRow):
    __tablename__ = "conditions"

    name: Mapped[str] = mapped_column(Text, index=True)
    ids: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    mesh_id: Mapped[str | None] = mapped_column(String(32), index=True)
    umls_id: Mapped[str | None] = mapped_column(String(32), index=True)
    mentioned_only: Mapped[bool] = mapped_column(Boolean)


class PopulationGroupRow(ChildRow):
    __tablename__ = "population_groups"

    label: Mapped[str | None] = mapped_column(Text)
    n: Mapped[int | None] = mapped_column(Integer)


class EffectRow(ChildRow):
    """An outcome's effect size (HR, OR, RR, MD, ...): `position` is the outcome's position."""

    __tablename__ = "effects"

    measure: Mapped[str | None] = mapped_column(Text)
    group_label: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(16), index=True)
    value: Mapped[float] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    p_value: Mapped[float | None] = mapped_column(Float)
    p_operator: Mapped[str | None] = mapped_column(String(2))


class RecordHistoryRow(Base):
    """One write of one record: which pipeline version inserted, updated or removed it, when."""

    __tablename__ = "record_history"
    __table_args__ = (
        CheckConstraint("action IN ('inserted', 'updated', 'removed')", name="action"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(64), index=True)
    page_url: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(16))
    pipeline_version: Mapped[str | None] = mapped_column(String(64))
    schema_version: Mapped[str | None] = mapped_column(String(16))
    record_sha256: Mapped[str | None] = mapped_column(String(64))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))  # None: removed


CHILD_TABLES: tuple[type[ChildRow], ...] = (
    InterventionRow,
    DoseRow,
    OutcomeRow,
    EffectRow,
    AdverseEventRow,
    ConditionRow,
    PopulationGroupRow,
)
