"""Parse the lines of an export into import items: evidence records and typed page rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String

from evidence_miner.errors import StoreError
from evidence_miner.records import EvidenceRecord
from evidence_miner.store.rows import Values
from evidence_miner.store.schema import PAGE_STATUSES, PageRow

PAGE_KEYS_REQUIRED = {"url", "status"}
PAGE_KEYS_IGNORED = {"id"}
PAGE_KEYS_FILLED = {"created_at", "updated_at"}  # the import's time where an export has none
# What the JSON value of a page column must be, by column (JSON columns) or by SQL type.
JSON_COLUMN_TYPES: dict[str, type] = {
    "authors": list, "removed": list, "metadata_sources": dict, "extra": dict,
}  # fmt: skip


@dataclass(frozen=True)
class PageImport:
    """One row of a `pages` export, as column values ready to write."""

    values: dict[str, Any]
    where: str = ""


@dataclass(frozen=True)
class RecordImport:
    """One evidence record of an export, and where it was read (for messages)."""

    record: EvidenceRecord
    where: str


ImportItem = EvidenceRecord | RecordImport | PageImport


def parse_import_line(line: str, where: str) -> ImportItem:
    """A record (has `record_id` and `source`) or a page row (has `url` and `status`)."""
    return to_import_item(parse_import_json(line, where), where)


def parse_import_json(line: str, where: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise StoreError(
            f"[EM309] {where} is not JSON ({exc.msg}). Pass a file written by "
            "`evidence-miner export --format jsonl`."
        ) from exc


def is_record_data(data: Any) -> bool:
    return isinstance(data, dict) and "record_id" in data and "source" in data


def to_import_item(data: Any, where: str) -> ImportItem:
    """The record or page row a parsed line holds; StoreError when it is neither."""
    if is_record_data(data):
        return parse_record(data, where)
    if isinstance(data, dict) and PAGE_KEYS_REQUIRED <= data.keys():
        return PageImport(values=to_page_column_values(data, where), where=where)
    raise StoreError(
        f"[EM309] {where} is neither an evidence record (record_id, source, ...) nor a page row "
        "(url, status, ...). Pass a file written by `evidence-miner export --format jsonl` "
        "(--table records or --table pages)."
    )


def parse_record(data: dict[str, Any], where: str) -> EvidenceRecord:
    try:
        return EvidenceRecord.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        place = ".".join(str(part) for part in first["loc"])
        raise StoreError(
            f"[EM309] {where} is not a valid evidence record ({exc.error_count()} errors, "
            f"first at {place}: {first['msg']}). Fix the line or export it again."
        ) from exc


def to_page_column_values(data: dict[str, Any], where: str) -> Values:
    """Page columns from an exported row: types checked, dates parsed, the source database's
    id dropped."""
    columns = PageRow.__table__.columns
    unknown = set(data) - set(columns.keys())
    if unknown or data["status"] not in PAGE_STATUSES:
        problem = f"unknown columns {sorted(unknown)}" if unknown else f"status {data['status']!r}"
        raise StoreError(
            f"[EM309] {where} is not a page row of this store ({problem}). "
            "Export it with the same evidence-miner version."
        )
    values = {}
    for name, value in data.items():
        if name not in PAGE_KEYS_IGNORED:
            check_column_type(name, columns[name], value, where)
            values[name] = to_column_value(columns[name].type, value, where)
    return values


def check_column_type(name: str, column: Any, value: Any, where: str) -> None:
    """StoreError [EM321] when `value` cannot be written to the column as it is."""
    expected = to_json_type(name, column.type)
    length = getattr(column.type, "length", None)
    if value is None and (column.nullable or name in PAGE_KEYS_FILLED):
        return
    if (
        value is None
        or not isinstance(value, expected)
        or (expected is int and isinstance(value, bool))
    ):
        wanted = "null or " * column.nullable + TYPE_WORDS.get(expected, expected.__name__)
        raise StoreError(
            f"[EM321] {where} has {type(value).__name__} {shorten(value)} in field "
            f"{name!r}, which takes {wanted}. Fix the field or export the page again."
        )
    if isinstance(value, str) and length is not None and len(value) > length:
        raise StoreError(
            f"[EM321] {where} has {len(value)} characters in field {name!r}, which "
            f"takes at most {length}. Fix the field or export the page again."
        )


TYPE_WORDS: dict[type | tuple[type, ...], str] = {
    str: "text", int: "a whole number", bool: "true or false", list: "a list", dict: "an object",
    (int, float): "a number", object: "any value",
}  # fmt: skip


def to_json_type(name: str, sql_type: Any) -> Any:
    """The JSON type a column's value must have in an export (dates are ISO 8601 text)."""
    if name in JSON_COLUMN_TYPES:
        return JSON_COLUMN_TYPES[name]
    if isinstance(sql_type, Boolean):
        return bool
    if isinstance(sql_type, Integer):
        return int
    if isinstance(sql_type, Float):
        return (int, float)
    if isinstance(sql_type, String | Date | DateTime) or isinstance(
        getattr(sql_type, "impl", None), DateTime
    ):
        return str
    return object


def shorten(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def to_column_value(sql_type: Any, value: Any, where: str) -> Any:
    if value is None or not isinstance(value, str):
        return value
    try:
        if isinstance(sql_type, DateTime) or isinstance(getattr(sql_type, "impl", None), DateTime):
            return datetime.fromisoformat(value)
        if isinstance(sql_type, Date):
            return date.fromisoformat(value)
    except ValueError as exc:
        raise StoreError(
            f"[EM309] {where} has a malformed date {value!r}. Use ISO 8601 dates (2024-05-01)."
        ) from exc
    return value
