"""The reviewer's view (SQLite only): full-text search over page titles and text, and one row
per record with its drugs and conditions for Datasette's facets, both kept in sync by triggers.

PostgreSQL stores get nothing: Datasette (`evidence-miner browse`) reads SQLite files only.

A later migration that rebuilds `pages`, `interventions` or `conditions` in batch mode (copy,
drop, rename) loses their triggers (`pages_fts_*`, `*_terms_*`) with the dropped table and must
create them again; one that rebuilds `pages` or `records` must drop `record_overview` first and
create it again after (SQLite refuses to rename a table under a view that names it).
tests/store/test_review_search.py fails when either is forgotten.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
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
    INSERT INTO pages_fts(pages_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
END""",
    """CREATE TRIGGER pages_fts_update AFTER UPDATE OF title, text ON pages BEGIN
    INSERT INTO pages_fts(pages_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO pages_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END""",
)
# Each record's drugs and conditions as JSON lists (Datasette facets on them as arrays), kept by
# triggers on interventions and conditions: computing them in the view for every row made each
# facet of 20,000 records take 0.7 s. A drug only mentioned, a condition named in passing, are
# left out, as `search` leaves them out.
CREATE_TERMS = """
CREATE TABLE record_terms (
    record_id VARCHAR(64) NOT NULL PRIMARY KEY,
    drugs TEXT NOT NULL DEFAULT '[]',
    conditions TEXT NOT NULL DEFAULT '[]'
)
"""
DRUGS = """(SELECT json_group_array(name) FROM (
    SELECT i.name FROM interventions i WHERE i.record_id = r.record_id AND i.role <> 'mentioned'
    GROUP BY i.name ORDER BY min(i.position)))"""
CONDITIONS = """(SELECT json_group_array(name) FROM (
    SELECT c.name FROM conditions c WHERE c.record_id = r.record_id AND c.mentioned_only = 0
    GROUP BY c.name ORDER BY min(c.position)))"""
FILL_TERMS = (
    f"INSERT INTO record_terms (record_id, drugs, conditions) "
    f"SELECT r.record_id, {DRUGS}, {CONDITIONS} FROM records r"
)


def to_refresh(record_id: str) -> str:
    """Trigger statements computing the terms of one record again (none once it is removed)."""
    return (
        f"DELETE FROM record_terms WHERE record_id = {record_id};\n"
        f"    {FILL_TERMS} WHERE r.record_id = {record_id};"
    )


STATEMENT_BREAK = "\n    "
TERM_TRIGGERS = tuple(
    f"""CREATE TRIGGER {table}_terms_{event.split()[0].lower()} AFTER {event} ON {table} BEGIN
    {STATEMENT_BREAK.join(to_refresh(row) for row in rows)}
END"""
    for table in ("interventions", "conditions")
    for event, rows in (
        ("INSERT", ("new.record_id",)),
        ("DELETE", ("old.record_id",)),
        ("UPDATE", ("old.record_id", "new.record_id")),
    )
)
# One row per record: its page, design, year, drugs and conditions. (Scalar subqueries, not a LEFT
# JOIN of record_terms: Datasette's array facet finds nothing through a view with an outer join.)
CREATE_OVERVIEW = """
CREATE VIEW record_overview AS
SELECT r.record_id, p.title, p.site_name, r.published,
       substr(CAST(r.published AS TEXT), 1, 4) AS year, r.design, r.total,
       coalesce((SELECT t.drugs FROM record_terms t
                 WHERE t.record_id = r.record_id), '[]') AS drugs,
       coalesce((SELECT t.conditions FROM record_terms t
                 WHERE t.record_id = r.record_id), '[]') AS conditions,
       r.journal, p.url, r.page_id
FROM records r JOIN pages p ON p.id = r.page_id
"""


def has_fts5() -> bool:
    found = op.get_bind().exec_driver_sql("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
    return bool(found.scalar())


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(CREATE_TERMS)
    op.execute(FILL_TERMS)
    for trigger in TERM_TRIGGERS:
        op.execute(trigger)
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
    for table in ("interventions", "conditions"):
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_terms_{event}")
    op.execute("DROP TABLE IF EXISTS record_terms")
