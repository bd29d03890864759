"""`evidence-miner stats`: how many pages, records and rows, and records by site, design, drug."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from evidence_miner.cli.common import ConfigOption, DbOption, cli_settings, open_store, out_console

if TYPE_CHECKING:
    from evidence_miner.store.search import CountRow


def counts_table(counts: dict[str, int]) -> Table:
    table = Table(title="rows", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    for what, count in counts.items():
        table.add_row(what.replace("_", " "), str(count))
    return table


def count_rows_table(title: str, rows: list[CountRow]) -> Table:
    table = Table(title=f"records by {title}", show_header=True)
    table.add_column(title)
    table.add_column("records", justify="right")
    with_doses = title == "drug"
    if with_doses:
        table.add_column("doses", justify="right")
    for row in rows:
        cells = [row.key if row.key is not None else "(none)", str(row.records)]
        table.add_row(*cells, *([str(row.doses)] if with_doses else []))
    return table


def stats(
    top: Annotated[
        int, typer.Option("--top", min=1, help="Show the largest N sites, designs and drugs.")
    ] = 20,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of tables.")
    ] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Count pages, records and rows, and records by site, design and drug.

    Drugs are the studied and comparator ones, with their number of dose rows. The database
    is opened read-only: it must exist [EM326] and is never created or migrated.

    Example: evidence-miner stats --db evidence.db --top 10
    """
    settings = cli_settings(config, {"store": {"db": db}})
    with open_store(settings.store.db, read_only=True) as store:
        counts, by = store.counts(), store.stats(top=top)
    if as_json:
        data = {"counts": counts} | {
            key: [row.model_dump() for row in rows] for key, rows in by.items()
        }
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    out_console.print(counts_table(counts))
    for title, rows in by.items():
        out_console.print(count_rows_table(title, rows))
