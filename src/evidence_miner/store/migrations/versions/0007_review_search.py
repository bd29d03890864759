"""The reviewer's view (SQLite only): full-text search over page titles and text, kept in sync
by triggers, and one row per record with its drugs and conditions for Datasette's facets.

PostgreSQL stores get nothing: Datasette (`evidence-miner browse`) reads SQLite files only.

A later migration that rebuilds `pages` in batch mode (copy, drop, rename) loses the three
`pages_fts_*` triggers with the dropped table and must create them again; one that rebuilds
`pages`, `records`, `interventions` or `conditions` must drop `record_overview` first and create
it again after (SQLite refuses to rename a table under a view that names it).
tests/store/test_review_search.py fails when either is forgotten.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)

# FTS5 over pages(title, text), its rows read from `pages` (external content: no copy of the text).
CREATE_FTS = """
CREATE VIRTUAL TABLE pages_fts USING fts5(
    title, text, content="pages", content_rowid="id", tokenize="unicode61 remove_diacritics 2"
)
"""
TRIGGERS = (
    """CREATE TRIGGER pages_fts_insert AFTER INSERT ON pages BEGIN
    INSERT INTO pages_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END""",
    """CREATE TRIGGER pages_fts_delete AFTER DELETE ON pages BEGIN
    INSERT INTO pages_fts(pages_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END""",
    """CREATE TRIGGER pages_fts_update AFTER UPDATE OF title, text ON pages BEGIN
    INSERT INTO pages_fts(pages_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO pages_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END""",
)
# One row per record: its page, design, year, and its drugs and conditions as JSON lists
# (Datasette facets on them as arrays). A drug only mentioned, a condition only named in passing,
# are left out, as `search` leaves them out.
CREATE_OVERVIEW = """
CREATE VIEW record_overview AS
SELECT r.record_id, p.title, p.site_name, r.published,
       substr(CAST(r.published AS TEXT), 1, 4) AS year, r.design, r.total,
       (SELECT json_group_array(name) FROM (
           SELECT i.name FROM interventions i
           WHERE i.record_id = r.record_id AND i.role <> 'mentioned'
           GROUP BY i.name ORDER BY min(i.position))) AS drugs,
       (SELECT json_group_array(name) FROM (
           SELECT c.name FROM conditions c
           WHERE c.record_id = r.record_id AND c.mentioned_only = 0
           GROUP BY c.name ORDER BY min(c.position))) AS conditions,
       r.journal, p.url, r.page_id
FROM records r JOIN pages p ON p.id = r.page_id
"""


def has_fts5() -> bool:
    return bool(op.get_bind().exec_driver_sql("SELECT sqlite_compileoption_used('ENABLE_FTS5')").scalar())


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(CREATE_OVERVIEW)
    if not has_fts5():
        log.warning("This SQLite has no FTS5: `browse` will offer no full-text search.")
        return
    op.execute(CREATE_FTS)
    op.execute("INSERT INTO pages_fts(pages_fts) VALUES ('rebuild')")
    for trigger in TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("pages_fts_insert", "pages_fts_delete", "pages_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS pages_fts")
    op.execute("DROP VIEW IF EXISTS record_overview")
