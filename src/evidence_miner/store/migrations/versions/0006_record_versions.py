"""Record versions: record_history keeps each version of a record as written.

Record ids now stay with a study (its page and its position there) instead of changing with
the article's text; the history column `record` keeps every version a corrected article gave.
Records stored under the former ids keep them until their page is extracted again, which
replaces them (history: removed, then inserted under the new id).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("record_history", sa.Column("record", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("record_history") as batch:
        batch.drop_column("record")
