"""Tests of store.describe: every store table and column is described, the file is checked,
and every canned query runs on a real store."""

from __future__ import annotations

import re
from pathlib import Path

import pint
import pytest
from sqlalchemy import text

from evidence_miner.errors import StoreError
from evidence_miner.store import open_store
from evidence_miner.store.describe import (
    check_descriptions,
    read_descriptions,
    to_datasette_metadata,
)
from evidence_miner.store.engine import create_store_engine
from evidence_miner.store.tables import EXPORT_TABLES


def test_every_store_table_and_column_is_described() -> None:
    metadata = to_datasette_metadata("evidence")["databases"]["evidence"]["tables"]
    for table, model in EXPORT_TABLES.items():
        described = metadata[table]["columns"]
        assert metadata[table]["description"], table
        missing = set(model.__table__.columns.keys()) - set(described)
        assert not missing, (table, missing)


def test_units_are_pint_units() -> None:
    registry = pint.UnitRegistry()
    tables = read_descriptions()["tables"]
    units = [unit for table in tables.values() for unit in table.get("units", {}).values()]
    assert units
    for unit in units:
        registry.Quantity(1, unit)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["tables"].update(nope={"description": "x"}), "unknown table 'nope'"),
        (lambda d: d["tables"]["doses"]["columns"].update(dose="x"), r"unknown column\(s\) \['dose'\]"),
        (lambda d: d["tables"]["doses"].update(colour="red"), r"unknown key\(s\) \['colour'\]"),
        (lambda d: d.update(extra=1), r"unknown key\(s\) \['extra'\].*allowed"),
        (lambda d: d["queries"]["history_of_record"].update(sql=" "), "has no sql"),
        (lambda d: d["views"]["record_overview"].update(facets=["colour[]"]), r"unknown column\(s\) \['colour'\]"),
        (lambda d: d["tables"]["records"].update(search_pk="nope"), r"unknown column\(s\) \['nope'\]"),
    ],
)
def test_check_descriptions_refuses_what_the_schema_lacks(change, problem: str) -> None:
    data = read_descriptions()
    change(data)
    with pytest.raises(StoreError, match=rf"\[EM314\].*{problem}"):
        check_descriptions(data)


def test_every_canned_query_runs_on_a_store(tmp_path: Path, make_article) -> None:
    db = tmp_path / "evidence.db"
    with open_store(str(db)) as store:
        store.save_article(*make_article(studies=1), pipeline_version="1")
    queries = to_datasette_metadata("evidence")["databases"]["evidence"]["queries"]
    values = {"drug": "Immunoglobulin", "min_n": "10", "condition": "Sjogren", "type": "hr"}
    engine = create_store_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        record_id = connection.execute(text("SELECT record_id FROM records")).scalar_one()
        values["record_id"] = record_id
        for name, query in queries.items():
            params = {key: values[key] for key in re.findall(r":(\w+)", query["sql"])}
            rows = connection.execute(text(query["sql"]), params).all()
            assert rows, name
    engine.dispose()


def test_studies_of_a_condition_lists_each_record_once(tmp_path: Path, make_article) -> None:
    from evidence_miner.records import Concept

    article, records = make_article(studies=1)
    extra = Concept(name="sjogren neuropathy", text="neuropathy", span=(20, 30))
    records[0] = records[0].model_copy(update={"conditions": [*records[0].conditions, extra]})
    db = tmp_path / "evidence.db"
    with open_store(str(db)) as store:
        store.save_article(article, records, pipeline_version="1")
    sql = to_datasette_metadata("evidence")["databases"]["evidence"]["queries"]["records_for_condition"]["sql"]
    engine = create_store_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        rows = connection.execute(text(sql), {"condition": "sjogren"}).mappings().all()
    engine.dispose()
    assert [row["record_id"] for row in rows] == [records[0].record_id]
    assert sorted(rows[0]["conditions"].split("; ")) == ["sjogren neuropathy", "sjogren syndrome"]


def test_every_view_column_is_described(tmp_path: Path) -> None:
    db = tmp_path / "evidence.db"
    open_store(str(db)).close()
    engine = create_store_engine(f"sqlite:///{db}")
    described = read_descriptions()["views"]
    with engine.connect() as connection:
        for view, description in described.items():
            columns = [row[1] for row in connection.execute(text(f"PRAGMA table_info({view})"))]
            assert columns and list(description["columns"]) == columns, view
    engine.dispose()


def test_metadata_hides_internal_tables_and_offers_search_when_indexed() -> None:
    present = ["records", "pages", "record_overview", "crawl_runs", "apscheduler_jobs", "pages_fts"]
    tables = to_datasette_metadata("evidence", present)["databases"]["evidence"]["tables"]
    assert list(tables)[:3] == ["record_overview", "records", "pages"]
    assert tables["crawl_runs"] == {"hidden": True} and tables["apscheduler_jobs"] == {"hidden": True}
    assert tables["record_overview"]["fts_table"] == "pages_fts" and tables["record_overview"]["fts_pk"] == "page_id"
    assert tables["record_overview"]["facets"] == ["design", {"list": "drugs"}, {"list": "conditions"}, "year"]
    assert "fts_table" not in to_datasette_metadata("evidence", ["pages"])["databases"]["evidence"]["tables"]["pages"]
