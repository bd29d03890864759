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
