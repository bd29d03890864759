"""`evidence-miner show`: one stored record, every value beside the sentence it came from."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from evidence_miner.cli.common import ConfigOption, DbOption, cli_settings, open_store, out_console
from evidence_miner.errors import InputError


def find_values(data: object, path: str = "") -> Iterator[tuple[str, dict]]:
    """(field path, item) for every item of the record that carries a span."""
    if isinstance(data, dict):
        if isinstance(data.get("span"), list):
            yield path, data
        for key, value in data.items():
            yield from find_values(value, f"{path}.{key}" if path else key)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from find_values(value, f"{path}[{index}]")


def summarise(item: dict) -> str:
    keys = (
        "name",
        "label",
        "value",
        "low",
        "high",
        "unit",
        "n",
        "count",
        "of",
        "percent",
        "frequency",
        "route",
        "direction",
        "stat",
        "iso",
        "role",
    )
    parts = [f"{k}={item[k]}" for k in keys if item.get(k) not in (None, [], {})]
    if item.get("effect"):
        parts.append(f"effect={item['effect']['type']} {item['effect']['value']}")
    return ", ".join(parts)


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence-ish stretch of text around [start, end), with the value marked."""
    left = max(text.rfind(". ", 0, start) + 2, text.rfind("\n", 0, start) + 1, 0)
    right_candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i != -1]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    return escape(f"{text[left:start]}«{text[start:end]}»{text[end:right]}".strip())


def show(
    record_id: Annotated[
        str, typer.Argument(help="The record's id (see `export` or the records table).")
    ],
    db: DbOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the record as JSON instead.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Print one record with each extracted value next to the sentence it came from.

    Records imported without their pages show each value's own words instead, and say so.

    Example: evidence-miner show em-618b745bc28cd489e647 --db evidence.db
    """
    from evidence_miner.store.urls import to_shown_location

    settings = cli_settings(config, {"store": {"db": db}})
    with open_store(settings.store.db, read_only=True) as store:
        record, text = store.get_record(record_id), store.get_page_text(record_id)
    if record is None:
        raise InputError(
            f"[EM507] No record {record_id!r} in {to_shown_location(settings.store.db)!r}. List "
            "ids with `evidence-miner export`."
        )
    data = record.model_dump(mode="json")
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    table = Table(
        title=f"{record_id}: {record.source.title or record.source.url}",
        show_lines=True,
        caption=None if text else NO_TEXT_CAPTION,
        caption_justify="left",
    )
    for column in ("field", "value", "sentence" if text else "words"):
        table.add_column(column)
    for path, item in find_values(data):
        table.add_row(path, escape(summarise(item)), to_evidence_cell(item, text))
    out_console.print(table)


NO_TEXT_CAPTION = (
    "This database has no text for the record's article (records imported without their "
    "pages), so each value shows only its own words. Import the pages too: "
    "`evidence-miner export --table pages` from the first database, then `import` that file."
)


def to_evidence_cell(item: dict, text: str | None) -> str:
    """The sentence around the value with it marked; without the article's text (or with a span
    past it), the value's own words (an imported record showed `«»` for every value)."""
    start, end = item["span"]
    if text and 0 <= start < end <= len(text):
        return sentence_around(text, start, end)
    return escape(f"«{item['text']}»") if item.get("text") else ""
