"""Scheduled crawls: run log, source locks, page versions and APScheduler's job table.

Revision ID: 0004
Revises: 0003
Create Date: 2025-01-04

`apscheduler_jobs` has exactly the columns APScheduler 3's SQLAlchemyJobStore declares, so the
scheduler finds it here instead of creating it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNT_COLUMNS = (
    "pages_new", "pages_changed", "pages_unchanged", "pages_failed",
    "records_added", "records_updated", "errors",
)  # fmt: skip


def timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def create_source_runs() -> None:
    op.create_table(
        "source_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", timestamp(), nullable=False),
        sa.Column("finished_at", timestamp()),
        sa.Column("crawl_run_id", sa.Integer()),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNT_COLUMNS],
        sa.Column("error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_source_runs"),
    )
    op.create_index("ix_source_runs_source_started_at", "source_runs", ["source", "started_at"])


def create_source_locks() -> None:
    op.create_table(
        "source_locks",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("acquired_at", timestamp(), nullable=False),
        sa.Column("expires_at", timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_source_locks"),
    )


def create_page_versions() -> None:
    op.create_table(
        "page_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("text", sa.Text()),
        sa.Column("text_sha256", sa.String(64)),
        sa.Column("fetched_at", timestamp()),
        sa.Column("replaced_at", timestamp(), nullable=False),
        sa.Column("source_run_id", sa.Integer()),
        sa.PrimaryKeyConstraint("id", name="pk_page_versions"),
    )
    op.create_index("ix_page_versions_url", "page_versions", ["url"])


def create_apscheduler_jobs() -> None:
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(191), nullable=False),
        sa.Column("next_run_time", sa.Float(25)),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_apscheduler_jobs"),
    )
    op.create_index("ix_apscheduler_jobs_next_run_time", "apscheduler_jobs", ["next_run_time"])


def upgrade() -> None:
    create_source_runs()
    create_source_locks()
    create_page_versions()
    create_apscheduler_jobs()


def downgrade() -> None:
    op.drop_table("apscheduler_jobs")
    op.drop_table("page_versions")
    op.drop_table("source_locks")
    op.drop_table("source_runs")
