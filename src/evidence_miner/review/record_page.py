"""Read one record for its page: the article, and each value with its sentence, from SQLite."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from pydantic import BaseModel, Field

from evidence_miner.review.highlight import Piece, find_sentence, mark_spans

# What the page shows of each kind of value: the table, its heading, the columns in order.
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "interventions": ("Drugs and interventions",
                      ("name", "role", "is_class", "drugbank_id", "mesh_id")),
    "doses": ("Doses", ("intervention_name", "value", "low", "high", "unit", "route", "frequency",
                        "duration_iso", "group_label", "group_n", "when")),
    "population_groups": ("Arms and subgroups", ("label", "n")),
    "conditions": ("Conditions", ("name", "mesh_id", "umls_id", "mentioned_only")),
    "outcomes": ("Outcomes", ("measure", "group_label", "direction", "count", "of_n", "percent",
                              "value", "unit", "timepoint_iso")),
    "effects": ("Effect sizes", ("type", "value", "ci_low", "ci_high", "p_operator", "p_value",
                                 "measure", "group_label")),
    "adverse_events": ("Adverse events", ("name", "count", "of_n", "percent", "group_label",
                                          "serious", "led_to_discontinuation")),
}  # fmt: skip
STUDY_COLUMNS = ("design", "total", "journal", "published", "schema_version", "pipeline_version")
# The record's single values with a span (cohort size, age, follow-up, ...), from its JSON.
COHORT_HEADING = "Cohort and study"
COHORT_COLUMNS = ("field", "value", "low", "high", "unit", "stat", "kind")


class Value(BaseModel):
    """One extracted value: its fields, and the sentence it was read from cut around its span."""

    key: str
    fields: dict[str, Any]
    text: str | None = None
    sentence_index: int | None = None
    confidence: float | None = None
    span: tuple[int, int] | None = None
    before: str = ""
    marked: str = ""
    after: str = ""


class Section(BaseModel):
    kind: str
    heading: str
    columns: tuple[str, ...]
    values: list[Value] = Field(default_factory=list)


LINKABLE = ("http://", "https://", "file:")


class RecordPage(BaseModel):
    record_id: str
    title: str | None = None
    url: str
    link: str | None = Field(default=None, description="url, when it is safe to link to")
    site_name: str | None = None
    study: dict[str, Any]
    sections: list[Section]
    article: list[Piece]


HEAD_SQL = (
    "SELECT p.url, p.title, p.site_name, p.text, r.record, "
    + ", ".join(f"r.{column}" for column in STUDY_COLUMNS)
    + " FROM records r JOIN pages p ON p.id = r.page_id WHERE r.record_id = ?"
)


def read_record_page(connection: sqlite3.Connection, record_id: str) -> RecordPage | None:
    """The record's page, or None when the store has no such record."""
    head = to_rows(connection, HEAD_SQL, (record_id,))
    if not head:
        return None
    found, text = head[0], head[0]["text"] or ""
    sections = [read_cohort(found["record"], text)]
    sections += [read_section(connection, record_id, kind, text) for kind in KINDS]
    values = [value for section in sections for value in section.values]
    spans = {value.key: value.span for value in values if value.span}
    url = found["url"]
    return RecordPage(
        record_id=record_id,
        title=found["title"],
        url=url,
        site_name=found["site_name"],
        link=url if url.lower().startswith(LINKABLE) else None,
        study={column: found[column] for column in STUDY_COLUMNS},
        sections=[section for section in sections if section.values],
        article=mark_spans(text, spans),
    )


def to_rows(connection: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]:
    cursor = connection.cursor()
    cursor.row_factory = sqlite3.Row
    return cursor.execute(sql, params).fetchall()


def read_rows(connection: sqlite3.Connection, record_id: str, kind: str) -> list[sqlite3.Row]:
    columns = ", ".join(f'"{column}"' for column in KINDS[kind][1])
    sql = (
        f"SELECT position, text, span_start, span_end, sentence, confidence, {columns} "
        f"FROM {kind} WHERE record_id = ? ORDER BY position"
    )
    return to_rows(connection, sql, (record_id,))


def read_section(connection: sqlite3.Connection, record_id: str, kind: str, text: str) -> Section:
    heading, columns = KINDS[kind]
    values = [to_value(kind, row, columns, text) for row in read_rows(connection, record_id, kind)]
    return Section(kind=kind, heading=heading, columns=columns, values=values)


def read_cohort(record_json: str | None, text: str) -> Section:
    """The population's and study's values that carry a span (total, age, follow-up, ...)."""
    try:
        record = json.loads(record_json or "{}")
    except ValueError:  # edited by hand: the other sections still show
        record = {}
    found = {**(record.get("population") or {}), **(record.get("study") or {})}
    items = [
        (name, item) for name, item in found.items() if isinstance(item, dict) and item.get("span")
    ]
    rows = [
        {
            "position": index,
            **item,
            "field": name.replace("_", " "),
            "span_start": item["span"][0],
            "span_end": item["span"][1],
        }
        for index, (name, item) in enumerate(items)
    ]
    values = [to_value("cohort", row, COHORT_COLUMNS, text) for row in rows]
    return Section(kind="cohort", heading=COHORT_HEADING, columns=COHORT_COLUMNS, values=values)


def to_key(kind: str, position: int) -> str:
    return f"{kind}-{position}"


def to_value(
    kind: str, row: sqlite3.Row | dict[str, Any], columns: tuple[str, ...], text: str
) -> Value:
    """A row as a value; with a span, its sentence cut into before, the marked words and after."""
    found = dict(row)
    value = Value(
        key=to_key(kind, found["position"]),
        fields={column: found.get(column) for column in columns},
        text=found.get("text"),
        sentence_index=found.get("sentence"),
        confidence=found.get("confidence"),
    )
    start, end = found.get("span_start"), found.get("span_end")
    if start is None or end is None or not text:
        return value
    begin, finish = find_sentence(text, start, end)
    start, end = max(begin, min(start, finish)), max(begin, min(end, finish))
    cut = {
        "span": (start, end),
        "before": text[begin:start],
        "marked": text[start:end],
        "after": text[end:finish],
    }
    return value.model_copy(update=cut)
