"""Describe the store's tables and columns (descriptions.toml) as Datasette metadata."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

from evidence_miner.errors import StoreError
from evidence_miner.store.schema import CHILD_TABLES, Base

DESCRIPTIONS_FILE = "descriptions.toml"
TOP_KEYS = {"title", "description", "child_columns", "tables", "queries"}
TABLE_KEYS = {"description", "columns", "units"}
QUERY_KEYS = {"title", "description", "sql"}


def read_descriptions() -> dict[str, Any]:
    """The shipped descriptions, checked against the schema."""
    text = resources.files("evidence_miner.store").joinpath(DESCRIPTIONS_FILE).read_text("utf-8")
    data = tomllib.loads(text)
    check_descriptions(data)
    return data


def fail(problem: str) -> StoreError:
    return StoreError(f"[EM314] store/{DESCRIPTIONS_FILE}: {problem}. Fix the file to match "
                      "store/schema.py.")  # fmt: skip


def check_keys(found: set[str], allowed: set[str], where: str) -> None:
    if unknown := found - allowed:
        raise fail(f"unknown key(s) {sorted(unknown)} in {where}; allowed: {sorted(allowed)}")


def check_descriptions(data: dict[str, Any]) -> None:
    """Every key is known, every table and column exists, every query has its SQL."""
    check_keys(set(data), TOP_KEYS, "the top level")
    tables = Base.metadata.tables
    for name, table in data.get("tables", {}).items():
        if name not in tables:
            raise fail(f"unknown table {name!r}; the store has {sorted(tables)}")
        check_keys(set(table), TABLE_KEYS, f"tables.{name}")
        columns = set(tables[name].columns.keys())
        for key in ("columns", "units"):
            if unknown := set(table.get(key, {})) - columns:
                raise fail(f"unknown column(s) {sorted(unknown)} in tables.{name}.{key}; "
                           f"allowed: {sorted(columns)}")  # fmt: skip
    for name, query in data.get("queries", {}).items():
        check_keys(set(query), QUERY_KEYS, f"queries.{name}")
        if not query.get("sql", "").strip():
            raise fail(f"queries.{name} has no sql")


def describe_columns(data: dict[str, Any], table: str) -> dict[str, str]:
    """The table's column descriptions, the shared child-table ones included."""
    shared = data.get("child_columns", {}) if table in CHILD_TABLE_NAMES else {}
    own: dict[str, str] = data["tables"][table].get("columns", {})
    return shared | own


CHILD_TABLE_NAMES = {model.__tablename__ for model in CHILD_TABLES}


def to_datasette_metadata(database: str) -> dict[str, Any]:
    """Datasette metadata for a store opened as `database` (the SQLite file's stem)."""
    data = read_descriptions()
    tables = {
        name: {"description": table["description"], "columns": describe_columns(data, name)}
        | ({"units": table["units"]} if table.get("units") else {})
        for name, table in data["tables"].items()
    }
    queries = {
        name: {"title": query["title"], "description": query.get("description", ""),
               "sql": query["sql"].strip()}
        for name, query in data.get("queries", {}).items()
    }  # fmt: skip
    return {
        "title": data["title"],
        "description": data["description"],
        "databases": {database: {"tables": tables, "queries": queries}},
    }
