"""Crawl state: runs, frontier, fetch log, known documents and their links.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def create_crawl_runs() -> None:
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("starts", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", timestamp(), nullable=False),
        sa.Column("finished_at", timestamp()),
        sa.PrimaryKeyConstraint("id", name="pk_crawl_runs"),
    )


def create_crawl_frontier() -> None:
    op.create_table(
        "crawl_frontier",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("hint", sa.String(16), nullable=False),
        sa.Column("source_url", sa.Text()),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("updated_at", timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_crawl_frontier"),
        sa.UniqueConstraint("run_id", "url", name="uq_crawl_frontier_run_id_url"),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["crawl_runs.id"],
            name="fk_crawl_frontier_run_id_crawl_runs",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_crawl_frontier_run_id_state", "crawl_frontier", ["run_id", "state"])


def create_crawl_fetches() -> None:
    op.create_table(
        "crawl_fetches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer()),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text()),
        sa.Column("status", sa.Integer()),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("elapsed", sa.Float(), nullable=False),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.Text()),
        sa.Column("content_type", sa.Text()),
        sa.Column("content_sha256", sa.String(64)),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("fetched_at", timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_crawl_fetches"),
    )
    op.create_index("ix_crawl_fetches_url", "crawl_fetches", ["url"])
    op.create_index("ix_crawl_fetches_run_id", "crawl_fetches", ["run_id"])


def create_crawl_documents() -> None:
    op.create_table(
        "crawl_documents",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.Text()),
        sa.Column("content_sha256", sa.String(64)),
        sa.Column("text_sha256", sa.String(64)),
        sa.Column("stored_url", sa.Text()),
        sa.Column("body", sa.Text()),
        sa.Column("updated_at", timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("url", name="pk_crawl_documents"),
    )
    op.create_index("ix_crawl_documents_text_sha256", "crawl_documents", ["text_sha256"])


def create_crawl_links() -> None:
    op.create_table(
        "crawl_links",
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("target_url", sa.Text(), nullable=False),
        sa.Column("hint", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("source_url", "target_url", name="pk_crawl_links"),
    )


def upgrade() -> None:
    create_crawl_runs()
    create_crawl_frontier()
    create_crawl_fetches()
    create_crawl_documents()
    create_crawl_links()


def downgrade() -> None:
    op.drop_table("crawl_links")
    op.drop_table("crawl_documents")
    op.drop_table("crawl_fetches")
    op.drop_table("crawl_frontier")
    op.drop_table("crawl_runs")
