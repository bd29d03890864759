"""Effects table, record write history, ATC ids and indexes for the lookups users make.

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-03

Data already stored is carried over: effects are copied from the outcomes' effect columns,
ATC ids from the interventions' `ids`, and each stored record gets an "inserted" history row
for the pipeline version that wrote it. SQLite alterations run in batch mode; adding a column
never recreates a table there (a recreated `records` would cascade-delete its child rows).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500
NEW_INDEXES = (
    ("pages", "site_name"),
    ("pages", "published"),
    ("records", "total"),
    ("interventions", "drugbank_id"),
    ("interventions", "mesh_id"),
    ("interventions", "rxnorm_id"),
    ("interventions", "atc_id"),
    ("conditions", "mesh_id"),
    ("conditions", "umls_id"),
)


def timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def create_effects() -> None:
    op.create_table(
        "effects",
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("measure", sa.Text()),
        sa.Column("group_label", sa.Text()),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("ci_low", sa.Float()),
        sa.Column("ci_high", sa.Float()),
        sa.Column("p_value", sa.Float()),
        sa.Column("p_operator", sa.String(2)),
        sa.Column("text", sa.Text()),
        sa.Column("span_start", sa.Integer()),
        sa.Column("span_end", sa.Integer()),
        sa.Column("sentence", sa.Integer()),
        sa.Column("confidence", sa.Float()),
        sa.PrimaryKeyConstraint("record_id", "position", name="pk_effects"),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.record_id"],
            name="fk_effects_record_id_records",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_effects_type", "effects", ["type"])


def create_record_history() -> None:
    op.create_table(
        "record_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("page_url", sa.Text()),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("pipeline_version", sa.String(64)),
        sa.Column("schema_version", sa.String(16)),
        sa.Column("record_sha256", sa.String(64)),
        sa.Column("written_at", timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_record_history"),
        sa.CheckConstraint(
            "action IN ('inserted', 'updated', 'removed')", name="ck_record_history_action"
        ),
    )
    op.create_index("ix_record_history_record_id", "record_history", ["record_id"])


def copy_effects_from_outcomes() -> None:
    outcomes = sa.table(
        "outcomes",
        *(
            sa.column(name)
            for name in (
                "record_id",
                "position",
                "measure",
                "group_label",
                "effect_type",
                "effect_value",
                "ci_low",
                "ci_high",
                "p_value",
                "p_operator",
                "text",
                "span_start",
                "span_end",
                "sentence",
                "confidence",
            )
        ),
    )
    columns = [
        "record_id",
        "position",
        "measure",
        "group_label",
        "type",
        "value",
        "ci_low",
        "ci_high",
        "p_value",
        "p_operator",
        "text",
        "span_start",
        "span_end",
        "sentence",
        "confidence",
    ]
    effects = sa.table("effects", *(sa.column(name) for name in columns))
    source = sa.select(
        *(
            outcomes.c[name if name not in ("type", "value") else f"effect_{name}"]
            for name in columns
        )
    ).where(outcomes.c.effect_type.is_not(None), outcomes.c.effect_value.is_not(None))
    op.execute(effects.insert().from_select(columns, source))


def iter_batches(
    connection: sa.Connection, query: sa.Select[Any], key: sa.ColumnElement[Any]
) -> Iterator[list[sa.Row[Any]]]:
    """Rows of `query` in batches ordered by `key`, so a large store never sits in memory."""
    last: Any = None
    while True:
        page = query.order_by(key).limit(BATCH)
        rows = connection.execute(page if last is None else page.where(key > last)).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def copy_atc_ids() -> None:
    """Fill atc_id from `ids`; only rows whose ids mention "atc" are read."""
    interventions = sa.table(
        "interventions",
        sa.column("record_id"),
        sa.column("position"),
        sa.column("ids", sa.JSON()),
        sa.column("atc_id"),
    )
    connection = op.get_bind()
    query = sa.select(interventions.c.record_id, interventions.c.position, interventions.c.ids)
    mentions_atc = sa.cast(interventions.c.ids, sa.Text).like('%"atc"%')
    for record_id, position, ids in connection.execute(query.where(mentions_atc)).all():
        if isinstance(ids, dict) and ids.get("atc"):
            connection.execute(
                interventions.update()
                .where(interventions.c.record_id == record_id, interventions.c.position == position)
                .values(atc_id=str(ids["atc"])[:32])
            )


def to_record_sha256(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def write_initial_history() -> None:
    records = sa.table(
        "records",
        sa.column("record_id"),
        sa.column("page_id"),
        sa.column("record", sa.JSON()),
        sa.column("pipeline_version"),
        sa.column("schema_version"),
        sa.column("updated_at"),
    )
    pages = sa.table("pages", sa.column("id"), sa.column("url"))
    history = sa.table(
        "record_history",
        *(
            sa.column(name)
            for name in (
                "record_id",
                "page_url",
                "action",
                "pipeline_version",
                "schema_version",
                "record_sha256",
                "written_at",
            )
        ),
    )
    connection = op.get_bind()
    query = sa.select(
        records.c.record_id,
        pages.c.url,
        records.c.record,
        records.c.pipeline_version,
        records.c.schema_version,
        records.c.updated_at,
    ).join(pages, pages.c.id == records.c.page_id)
    for rows in iter_batches(connection, query, records.c.record_id):
        connection.execute(
            history.insert(),
            [
                {
                    "record_id": row[0],
                    "page_url": row[1],
                    "action": "inserted",
                    "pipeline_version": row[3],
                    "schema_version": row[4],
                    "record_sha256": to_record_sha256(row[2]),
                    "written_at": row[5],
                }
                for row in rows
            ],
        )


def upgrade() -> None:
    create_effects()
    create_record_history()
    with op.batch_alter_table("interventions") as batch:
        batch.add_column(sa.Column("atc_id", sa.String(32)))
    for table, column in NEW_INDEXES:
        op.create_index(f"ix_{table}_{column}", table, [column])
    copy_effects_from_outcomes()
    copy_atc_ids()
    write_initial_history()


def downgrade() -> None:
    for table, column in reversed(NEW_INDEXES):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    with op.batch_alter_table("interventions") as batch:
        batch.drop_column("atc_id")
    op.drop_table("record_history")
    op.drop_table("effects")
