"""Describe the store's tables and columns (descriptions.toml) as Datasette metadata."""

from __future__ import annotations

import tomllib
from importlib import resources
from collections.abc import Collection
from typing import Any

from evidence_miner.errors import StoreError
from evidence_miner.store.schema import CHILD_TABLES, Base

DESCRIPTIONS_FILE = "descriptions.toml"
TOP_KEYS = {"title", "description", "child_columns", "views", "tables", "queries"}
TABLE_KEYS = {"description", "columns", "units", "facets", "search_pk"}
VIEW_KEYS = {"description", "columns", "facets", "search_pk", "sort_desc"}
QUERY_KEYS = {"title", "description", "sql"}
FTS_TABLE = "pages_fts"  # full-text index of pages(title, text): migration 0007, SQLite only


def read_descriptions() -> dict[str, Any]:
    """The shipped descriptions, checked against the schema."""
    text = resources.files("evidence_miner.store").joinpath(DESCRIPTIONS_FILE).read_text("utf-8")
    data = tomllib.loads(text)
    check_descriptions(data)
    return data


def fail(problem: str) -> StoreError:
    return StoreError(
        f"[EM314] store/{DESCRIPTIONS_FILE}: {problem}. Fix the file to match store/schema.py."
    )


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
        check_columns(table, set(tables[name].columns.keys()), f"tables.{name}")
    for name, view in data.get("views", {}).items():
        check_keys(set(view), VIEW_KEYS, f"views.{name}")
        check_columns(view, set(view.get("columns", {})), f"views.{name}")
    for name, query in data.get("queries", {}).items():
        check_keys(set(query), QUERY_KEYS, f"queries.{name}")
        if not query.get("sql", "").strip():
            raise fail(f"queries.{name} has no sql")


def check_columns(table: dict[str, Any], columns: set[str], where: str) -> None:
    """The columns a table or view names (described, with units, facets, keys) are its own."""
    named = {
        "columns": set(table.get("columns", {})),
        "units": set(table.get("units", {})),
        "facets": {facet.removesuffix("[]") for facet in table.get("facets", [])},
        "search_pk": {table.get("search_pk")} - {None},
        "sort_desc": {table.get("sort_desc")} - {None},
    }
    for key, names in named.items():
        if unknown := names - columns:
            raise fail(
                f"unknown column(s) {sorted(unknown)} in {where}.{key}; allowed: {sorted(columns)}"
            )


def describe_columns(data: dict[str, Any], table: str) -> dict[str, str]:
    """The table's column descriptions, the shared child-table ones included."""
    shared = data.get("child_columns", {}) if table in CHILD_TABLE_NAMES else {}
    own: dict[str, str] = data["tables"][table].get("columns", {})
    return shared | own


CHILD_TABLE_NAMES = {model.__tablename__ for model in CHILD_TABLES}


def to_facets(names: list[str]) -> list[str | dict[str, str]]:
    """Datasette facets: `name[]` (a JSON list of distinct items) counts each item (the reviewer's
    view's `list` facet, review/facets.py)."""
    return [{"list": name[:-2]} if name.endswith("[]") else name for name in names]


def to_table_metadata(
    table: dict[str, Any], columns: dict[str, str], *, searchable: bool
) -> dict[str, Any]:
    """One table's or view's Datasette metadata: description, columns, units, facets, search."""
    found: dict[str, Any] = {"description": table["description"], "columns": columns}
    found |= {"units": table["units"]} if table.get("units") else {}
    found |= {"facets": to_facets(table["facets"])} if table.get("facets") else {}
    found |= {"sort_desc": table["sort_desc"]} if table.get("sort_desc") else {}
    if searchable and table.get("search_pk"):
        found |= {"fts_table": FTS_TABLE, "fts_pk": table["search_pk"]}
    return found


def to_datasette_metadata(database: str, present: Collection[str] = ()) -> dict[str, Any]:
    """Datasette metadata for a store opened as `database` (the SQLite file's stem); `present`
    names the file's tables and views: search is offered when pages_fts is one of them, and
    tables the descriptions do not name (crawl, scheduler, Alembic) are hidden."""
    data = read_descriptions()
    searchable = FTS_TABLE in present
    views = {
        name: to_table_metadata(view, view["columns"], searchable=searchable)
        for name, view in data.get("views", {}).items()
    }
    tables = {
        name: to_table_metadata(table, describe_columns(data, name), searchable=searchable)
        for name, table in data["tables"].items()
    }
    hidden = {name: {"hidden": True} for name in sorted(set(present) - set(views) - set(tables))}
    queries = {
        name: {
            "title": query["title"],
            "description": query.get("description", ""),
            "sql": query["sql"].strip(),
        }
        for name, query in data.get("queries", {}).items()
    }
    return {
        "title": data["title"],
        "description": data["description"],
        "databases": {database: {"tables": views | tables | hidden, "queries": queries}},
    }
