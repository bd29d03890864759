"""Initial schema: pages, records and the child tables users query with SQL.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHILD_TABLES = (
    "interventions",
    "doses",
    "outcomes",
    "adverse_events",
    "conditions",
    "population_groups",
)
NAME_INDEXES = {
    "interventions": "name",
    "doses": "intervention_name",
    "adverse_events": "name",
    "conditions": "name",
}


def timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def child_key_columns() -> list[sa.Column]:
    return [
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    ]


def provenance_columns() -> list[sa.Column]:
    return [
        sa.Column("text", sa.Text()),
        sa.Column("span_start", sa.Integer()),
        sa.Column("span_end", sa.Integer()),
        sa.Column("sentence", sa.Integer()),
        sa.Column("confidence", sa.Float()),
    ]


def child_constraints(table: str) -> list[sa.Constraint]:
    return [
        sa.PrimaryKeyConstraint("record_id", "position", name=f"pk_{table}"),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.record_id"],
            name=f"fk_{table}_record_id_records",
            ondelete="CASCADE",
        ),
    ]


def create_child_table(table: str, *columns: sa.Column) -> None:
    op.create_table(
        table,
        *child_key_columns(),
        *columns,
        *provenance_columns(),
        *child_constraints(table),
    )


def page_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text()),
        sa.Column("canonical_url", sa.Text()),
        sa.Column("title", sa.Text()),
        sa.Column("site_name", sa.Text()),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("published", sa.Date()),
        sa.Column("language", sa.String(32)),
        sa.Column("fetched_at", timestamp()),
        sa.Column("content_type", sa.Text()),
        sa.Column("raw_sha256", sa.String(64)),
        sa.Column("journal", sa.Text()),
        sa.Column("doi", sa.Text()),
        sa.Column("text", sa.Text()),
        sa.Column("text_sha256", sa.String(64)),
        sa.Column("removed", sa.JSON(), nullable=False),
        sa.Column("metadata_sources", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("pipeline_version", sa.String(64)),
        sa.Column("fingerprint", sa.String(64)),
        sa.Column("created_at", timestamp(), nullable=False),
        sa.Column("updated_at", timestamp(), nullable=False),
    ]


def create_pages() -> None:
    op.create_table(
        "pages",
        *page_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_pages"),
        sa.UniqueConstraint("url", name="uq_pages_url"),
        sa.CheckConstraint("status IN ('records', 'no_study', 'failed')", name="ck_pages_status"),
    )
    op.create_index("ix_pages_text_sha256", "pages", ["text_sha256"])
    op.create_index("ix_pages_status", "pages", ["status"])


def create_records() -> None:
    op.create_table(
        "records",
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("schema_version", sa.String(16), nullable=False),
        sa.Column("pipeline_version", sa.String(64)),
        sa.Column("design", sa.String(32)),
        sa.Column("journal", sa.Text()),
        sa.Column("total", sa.Integer()),
        sa.Column("published", sa.Date()),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("created_at", timestamp(), nullable=False),
        sa.Column("updated_at", timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("record_id", name="pk_records"),
        sa.ForeignKeyConstraint(
            ["page_id"], ["pages.id"], name="fk_records_page_id_pages", ondelete="CASCADE"
        ),
    )
    for column in ("page_id", "design", "published"):
        op.create_index(f"ix_records_{column}", "records", [column])


def create_interventions() -> None:
    create_child_table(
        "interventions",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("is_class", sa.Boolean(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("ids", sa.JSON(), nullable=False),
        sa.Column("drugbank_id", sa.String(32)),
        sa.Column("mesh_id", sa.String(32)),
        sa.Column("rxnorm_id", sa.String(32)),
    )


def create_doses() -> None:
    create_child_table(
        "doses",
        sa.Column("intervention_position", sa.Integer(), nullable=False),
        sa.Column("intervention_name", sa.Text(), nullable=False),
        sa.Column("value", sa.Float()),
        sa.Column("low", sa.Float()),
        sa.Column("high", sa.Float()),
        sa.Column("unit", sa.String(32)),
        sa.Column("route", sa.String(32)),
        sa.Column("frequency", sa.Text()),
        sa.Column("frequency_per_day", sa.Float()),
        sa.Column("duration_iso", sa.String(32)),
        sa.Column("group_label", sa.Text()),
        sa.Column("group_n", sa.Integer()),
        sa.Column("when", sa.String(16)),
    )


def create_outcomes() -> None:
    create_child_table(
        "outcomes",
        sa.Column("measure", sa.Text()),
        sa.Column("group_label", sa.Text()),
        sa.Column("direction", sa.String(32)),
        sa.Column("count", sa.Integer()),
        sa.Column("of_n", sa.Integer()),
        sa.Column("percent", sa.Float()),
        sa.Column("value", sa.Float()),
        sa.Column("unit", sa.String(32)),
        sa.Column("effect_type", sa.String(16)),
        sa.Column("effect_value", sa.Float()),
        sa.Column("ci_low", sa.Float()),
        sa.Column("ci_high", sa.Float()),
        sa.Column("p_value", sa.Float()),
        sa.Column("p_operator", sa.String(2)),
        sa.Column("timepoint_iso", sa.String(32)),
    )


def create_adverse_events() -> None:
    create_child_table(
        "adverse_events",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer()),
        sa.Column("of_n", sa.Integer()),
        sa.Column("percent", sa.Float()),
        sa.Column("group_label", sa.Text()),
        sa.Column("serious", sa.Boolean()),
        sa.Column("led_to_discontinuation", sa.Boolean()),
    )


def create_conditions() -> None:
    create_child_table(
        "conditions",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("ids", sa.JSON(), nullable=False),
        sa.Column("mesh_id", sa.String(32)),
        sa.Column("umls_id", sa.String(32)),
        sa.Column("mentioned_only", sa.Boolean(), nullable=False),
    )


def create_population_groups() -> None:
    create_child_table(
        "population_groups",
        sa.Column("label", sa.Text()),
        sa.Column("n", sa.Integer()),
    )


def upgrade() -> None:
    create_pages()
    create_records()
    create_interventions()
    create_doses()
    create_outcomes()
    create_adverse_events()
    create_conditions()
    create_population_groups()
    for table, column in NAME_INDEXES.items():
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table in reversed(CHILD_TABLES):
        op.drop_table(table)
    op.drop_table("records")
    op.drop_table("pages")
