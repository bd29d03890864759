"""Tests of store.migrate on both backends: a new database gets every table, index and cascade
once; a database at the previous revision is upgraded in place with its data carried over."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from evidence_miner.errors import StoreError
from evidence_miner.store import open_store, to_database_url
from evidence_miner.store.engine import create_store_engine
from evidence_miner.store.evidence_store import migrate_database, read_revisions
from evidence_miner.store.migrate import list_revisions, read_head_revisions
from evidence_miner.store.schema import Base

STORE_TABLES = {
    "pages", "records", "interventions", "doses", "outcomes", "effects", "adverse_events",
    "conditions", "population_groups", "record_history", "alembic_version",
}
CHILD_TABLES = STORE_TABLES - {"pages", "records", "record_history", "alembic_version"}
PREVIOUS = "0002"


def migrate_empty(db_url: str) -> None:
    open_store(db_url).close()


def inspect_store(db_url: str):
    engine = create_store_engine(to_database_url(db_url))
    return engine, inspect(engine)


def test_migrate_creates_every_table(db_url: str) -> None:
    migrate_empty(db_url)
    engine, inspector = inspect_store(db_url)
    assert STORE_TABLES <= set(inspector.get_table_names())
    engine.dispose()


def test_migrate_creates_lookup_indexes(db_url: str) -> None:
    migrate_empty(db_url)
    engine, inspector = inspect_store(db_url)
    indexed = {
        (table, tuple(index["column_names"]))
        for table in STORE_TABLES
        for index in inspector.get_indexes(table)
    }
    expected = {
        ("interventions", ("name",)), ("interventions", ("drugbank_id",)),
        ("interventions", ("rxnorm_id",)), ("interventions", ("mesh_id",)),
        ("interventions", ("atc_id",)), ("doses", ("intervention_name",)),
        ("conditions", ("name",)), ("conditions", ("mesh_id",)), ("records", ("design",)),
        ("records", ("published",)), ("records", ("total",)), ("pages", ("site_name",)),
        ("pages", ("published",)), ("pages", ("text_sha256",)), ("effects", ("type",)),
        ("record_history", ("record_id",)),
    }
    assert expected <= indexed
    assert inspector.get_unique_constraints("pages")[0]["column_names"] == ["url"]
    engine.dispose()


def test_migrate_declares_cascading_foreign_keys(db_url: str) -> None:
    migrate_empty(db_url)
    engine, inspector = inspect_store(db_url)
    for table in CHILD_TABLES | {"records"}:
        [key] = inspector.get_foreign_keys(table)
        assert key["referred_table"] == ("pages" if table == "records" else "records")
        assert key["options"].get("ondelete") == "CASCADE"
    engine.dispose()


def only_modelled_tables(name: str | None, type_: str, parent_names: dict) -> bool:
    """Compare the tables the models declare (and their indexes); ignore alembic_version."""
    if type_ == "table":
        return name in Base.metadata.tables
    return parent_names.get("table_name") in Base.metadata.tables if type_ != "schema" else True


def test_migrate_matches_the_models(db_url: str) -> None:
    migrate_empty(db_url)
    engine = create_store_engine(to_database_url(db_url))
    with engine.connect() as connection:
        options = {"compare_type": True, "include_name": only_modelled_tables}
        context = MigrationContext.configure(connection, opts=options)
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_migrate_records_the_head_revision_once(db_url: str, query) -> None:
    migrate_empty(db_url)
    migrate_empty(db_url)
    rows = query("SELECT version_num FROM alembic_version")
    assert tuple(row[0] for row in rows) == read_head_revisions()


def test_migrate_keeps_existing_rows(db_url: str, make_article) -> None:
    with open_store(db_url) as store:
        store.save_article(*make_article(), pipeline_version="1")
    with open_store(db_url) as store:
        assert store.counts()["records"] == 2


def test_migrate_refuses_a_newer_database(db_url: str, execute) -> None:
    migrate_empty(db_url)
    execute("UPDATE alembic_version SET version_num = 'f00d'")
    with pytest.raises(StoreError, match=r"\[EM304\].*'f00d'.*Upgrade evidence-miner"):
        open_store(db_url)


def test_migrate_sets_wal_and_foreign_keys_on_connections(db_path: Path) -> None:
    migrate_empty(str(db_path))
    engine = create_store_engine(f"sqlite:///{db_path}")
    with engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    engine.dispose()
    assert pragmas["journal_mode"] == "wal"
    assert pragmas["foreign_keys"] == 1
    assert pragmas["busy_timeout"] >= 10_000


def save_with_atc(db_url: str, make_article) -> None:
    article, [record] = make_article(studies=1)
    drug = record.interventions[0]
    drug = drug.model_copy(update={"ids": drug.ids | {"atc": "J06BA02"}})
    record = record.model_copy(update={"interventions": [drug]})
    with open_store(db_url) as store:
        store.save_article(article, [record], pipeline_version="1.0")


def test_migrate_from_the_previous_revision_carries_data_over(
    db_url: str, make_article, query
) -> None:
    save_with_atc(db_url, make_article)
    assert migrate_database(db_url, PREVIOUS) == ((list_revisions()[-1],), (PREVIOUS,))
    assert query("SELECT count(*) FROM doses") == [(1,)]
    with open_store(db_url) as store:  # upgrades in place
        assert store.counts()["doses"] == 1
    assert query("SELECT type, value, ci_low, ci_high, p_value FROM effects") \
        == [("HR", 0.61, 0.42, 0.88, 0.01)]
    assert query("SELECT atc_id FROM interventions") == [("J06BA02",)]
    assert query("SELECT action, pipeline_version FROM record_history") == [("inserted", "1.0")]


def test_migrate_down_and_up_keeps_every_child_row(db_url: str, make_article) -> None:
    with open_store(db_url) as store:
        store.save_article(*make_article(studies=3), pipeline_version="1")
        before = store.counts()
    migrate_database(db_url, PREVIOUS)
    migrate_database(db_url, "head")
    with open_store(db_url) as store:
        after = store.counts()
    assert after == before | {"record_history": 3}


def test_migrate_to_an_unknown_revision_is_refused(db_url: str) -> None:
    with pytest.raises(StoreError, match=r"\[EM313\].*'nope'.*head, base, 0001"):
        migrate_database(db_url, "nope")


def test_read_revisions_of_an_empty_database_is_empty(db_url: str) -> None:
    from evidence_miner.store.urls import to_database_url, to_sqlite_path

    if (path := to_sqlite_path(to_database_url(db_url))) is not None:
        path.touch()  # read_revisions never creates a SQLite file (EM326): an empty one is a database
    assert read_revisions(db_url) == ((), read_head_revisions())


def write_at_old_schema(db_url: str, make_article) -> None:
    """Write an article with the tables as the old revision has them (reflected)."""
    from datetime import UTC, datetime

    from sqlalchemy import MetaData

    from evidence_miner.store.rows import to_child_rows, to_page_values, to_record_values

    article, [record] = make_article(studies=1)
    now = datetime.now(UTC)
    engine = create_store_engine(to_database_url(db_url))
    tables = MetaData()
    tables.reflect(engine)

    def insert(table: str, values: dict) -> None:
        known = tables.tables[table].columns.keys()
        connection.execute(tables.tables[table].insert(), {k: v for k, v in values.items() if k in known})

    with engine.begin() as connection:
        page = to_page_values(article.page, status="records", reason=None, pipeline_version="0.9")
        insert("pages", page | {"id": 1, "created_at": now, "updated_at": now})
        insert("records", to_record_values(record, page_id=1, pipeline_version="0.9")
               | {"created_at": now, "updated_at": now})
        for model, rows in to_child_rows(record).items():
            if model.__tablename__ in tables.tables:
                for row in rows:
                    insert(model.__tablename__, row)
    engine.dispose()


def test_migrate_a_database_written_at_the_previous_revision(
    db_url: str, make_article, query
) -> None:
    migrate_database(db_url, PREVIOUS)
    write_at_old_schema(db_url, make_article)
    with open_store(db_url) as store:
        [record] = list(store.iter_records())
        counts = store.counts()
    assert record.interventions[0].name == "immunoglobulin"
    assert (counts["doses"], counts["outcomes"], counts["effects"]) == (1, 1, 1)
    assert query("SELECT record_id, action, pipeline_version FROM record_history") \
        == [(record.record_id, "inserted", "0.9")]
