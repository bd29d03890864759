"""Tests of store.migrate: a new database gets every table, index and cascade, once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from evidence_miner.errors import StoreError
from evidence_miner.store import open_store
from evidence_miner.store.engine import create_store_engine
from evidence_miner.store.migrate import read_head_revisions
from evidence_miner.store.schema import Base

TABLES = {
    "pages", "records", "interventions", "doses", "outcomes",
    "adverse_events", "conditions", "population_groups", "alembic_version",
}
CHILD_TABLES = TABLES - {"pages", "records", "alembic_version"}


def migrate_empty(db_path: Path) -> None:
    open_store(str(db_path)).close()


def test_migrate_creates_every_table(db_path: Path) -> None:
    migrate_empty(db_path)
    assert set(inspect(create_engine(f"sqlite:///{db_path}")).get_table_names()) == TABLES


def test_migrate_creates_lookup_indexes(db_path: Path) -> None:
    migrate_empty(db_path)
    inspector = inspect(create_engine(f"sqlite:///{db_path}"))
    indexed = {
        (table, tuple(index["column_names"]))
        for table in TABLES
        for index in inspector.get_indexes(table)
    }
    expected = {
        ("interventions", ("name",)), ("conditions", ("name",)), ("records", ("design",)),
        ("records", ("published",)), ("pages", ("text_sha256",)), ("doses", ("intervention_name",)),
    }
    assert expected <= indexed
    assert inspector.get_unique_constraints("pages")[0]["column_names"] == ["url"]


def test_migrate_declares_cascading_foreign_keys(db_path: Path) -> None:
    migrate_empty(db_path)
    inspector = inspect(create_engine(f"sqlite:///{db_path}"))
    for table in CHILD_TABLES | {"records"}:
        [key] = inspector.get_foreign_keys(table)
        assert key["referred_table"] == ("pages" if table == "records" else "records")
        assert key["options"].get("ondelete") == "CASCADE"


def test_migrate_matches_the_models(db_path: Path) -> None:
    migrate_empty(db_path)
    with create_engine(f"sqlite:///{db_path}").connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrate_records_the_head_revision_once(db_path: Path) -> None:
    migrate_empty(db_path)
    migrate_empty(db_path)
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    assert tuple(row[0] for row in rows) == read_head_revisions()


def test_migrate_keeps_existing_rows(db_path: Path, make_article) -> None:
    with open_store(str(db_path)) as store:
        store.save_article(*make_article(), pipeline_version="1")
    with open_store(str(db_path)) as store:
        assert store.counts()["records"] == 2


def test_migrate_refuses_a_newer_database(db_path: Path) -> None:
    migrate_empty(db_path)
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00d'")
    with pytest.raises(StoreError, match=r"\[EM304\].*'f00d'.*Upgrade evidence-miner"):
        open_store(str(db_path))


def test_migrate_sets_wal_and_foreign_keys_on_connections(db_path: Path) -> None:
    migrate_empty(db_path)
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
