"""Crawl failures: URLs that failed, and when to ask for them again (backoff between runs).

Revision ID: 0005
Revises: 0004
Create Date: 2025-01-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "crawl_failures",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer()),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("failed_at", timestamp(), nullable=False),
        sa.Column("retry_at", timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("url", name="pk_crawl_failures"),
    )


def downgrade() -> None:
    op.drop_table("crawl_failures")
