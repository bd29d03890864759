"""Migration 0007 (SQLite only): the full-text index of page titles and text follows every write,
and record_overview gives one row per record with its drugs and conditions."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from evidence_miner.records import Concept
from evidence_miner.store import open_store


def matches(db: Path, words: str) -> list[str]:
    with sqlite3.connect(db) as connection:
        sql = "SELECT p.url FROM pages_fts JOIN pages p ON p.id = pages_fts.rowid WHERE pages_fts MATCH ? ORDER BY p.url"
        return [row[0] for row in connection.execute(sql, (words,))]


def test_search_index_follows_inserts_updates_and_deletes(db_path: Path, make_article) -> None:
    with open_store(str(db_path)) as store:
        store.save_article(*make_article("https://a.example/1"), pipeline_version="1")
        store.save_article(*make_article("https://a.example/2", lead="Semaglutide news. "), pipeline_version="1")
    assert matches(db_path, "nausea") == ["https://a.example/1", "https://a.example/2"]
    assert matches(db_path, "semaglutide") == ["https://a.example/2"]
    assert matches(db_path, "sjogren") == matches(db_path, "nausea")  # Sjögren, diacritics folded
    with open_store(str(db_path)) as store:
        store.save_article(*make_article("https://a.example/2", lead="Tirzepatide news. "), pipeline_version="2")
    assert matches(db_path, "semaglutide") == [] and matches(db_path, "tirzepatide") == ["https://a.example/2"]
    with sqlite3.connect(db_path) as connection:
        connection.execute("DELETE FROM pages WHERE url = 'https://a.example/1'")
    assert matches(db_path, "nausea") == ["https://a.example/2"]


def test_search_index_holds_pages_stored_before_the_migration(db_path: Path, make_article) -> None:
    from evidence_miner.store.evidence_store import migrate_database
    from evidence_miner.store.migrate import list_revisions

    with open_store(str(db_path)) as store:
        store.save_article(*make_article(), pipeline_version="1")
    revisions = list_revisions()
    migrate_database(str(db_path), revisions[revisions.index("0007") - 1])
    migrate_database(str(db_path), "head")
    assert matches(db_path, "ivig") == ["https://news.example/ivig"]
    assert overview(db_path)[0][3:] == ('["immunoglobulin"]', '["sjogren syndrome"]')


def overview(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        sql = "SELECT record_id, year, design, drugs, conditions FROM record_overview ORDER BY record_id"
        return connection.execute(sql).fetchall()


def test_record_overview_has_one_row_per_record_with_its_drugs_and_conditions(
    db_path: Path, make_article
) -> None:
    article, records = make_article(studies=2)
    extra = Concept(name="sjogren neuropathy", text="neuropathy", span=(20, 30))
    records[0] = records[0].model_copy(update={"conditions": [*records[0].conditions, extra]})
    with open_store(str(db_path)) as store:
        store.save_article(article, records, pipeline_version="1")
    rows = overview(db_path)
    assert sorted(row[0] for row in rows) == sorted(record.record_id for record in records)
    by_id = {row[0]: row for row in rows}
    first = by_id[records[0].record_id]
    assert first[1:3] == ("2015", "retrospective") and json.loads(first[3]) == ["immunoglobulin"]
    assert json.loads(first[4]) == ["sjogren syndrome", "sjogren neuropathy"]


def test_record_overview_follows_rewritten_and_removed_records(db_path: Path, make_article) -> None:
    article, records = make_article(studies=1)
    with open_store(str(db_path)) as store:
        store.save_article(article, records, pipeline_version="1")
        drug = records[0].interventions[0].model_copy(update={"name": "rituximab"})
        store.save_article(article, [records[0].model_copy(update={"interventions": [drug], "conditions": []})],
                           pipeline_version="2")  # fmt: skip
    assert [row[3:] for row in overview(db_path)] == [('["rituximab"]', "[]")]
    with open_store(str(db_path)) as store:
        store.save_article(*make_article(studies=0), pipeline_version="3")
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("SELECT count(*) FROM record_terms").fetchone() == (0,)
    assert overview(db_path) == []
