"""`evidence-miner runs`: the run log of scheduled crawls, with sources that need a look flagged."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from evidence_miner.cli.common import (
    ConfigOption,
    DbOption,
    cli_settings,
    err_console,
    open_store,
    out_console,
)

COLUMNS = (
    "id",
    "source",
    "status",
    "started_at",
    "finished_at",
    "pages_new",
    "pages_changed",
    "pages_unchanged",
    "pages_failed",
    "records_added",
    "records_updated",
    "errors",
)


def find_flags(runs: list[dict[str, Any]], *, quiet_hours: float, now: datetime) -> dict[str, str]:
    """source -> why it needs a look: its last finished run failed, or no run found a new or
    changed page for `quiet_hours` (while it did run in that time)."""
    flags: dict[str, str] = {}
    for source in dict.fromkeys(run["source"] for run in runs):
        own = [run for run in runs if run["source"] == source and run["status"] != "running"]
        if own and own[0]["status"] == "failed":
            flags[source] = "last run failed"
        elif own and is_quiet(own, quiet_hours=quiet_hours, now=now):
            flags[source] = f"nothing new for {quiet_hours:g}h"
    return flags


def is_quiet(runs: list[dict[str, Any]], *, quiet_hours: float, now: datetime) -> bool:
    since = now - timedelta(hours=quiet_hours)
    finding = [run for run in runs if run["pages_new"] or run["pages_changed"]]
    last_found = max((run["started_at"] for run in finding), default=None)
    first = min(run["started_at"] for run in runs)
    return first <= since and (last_found is None or last_found < since)


def runs_table(runs: list[dict[str, Any]], flags: dict[str, str]) -> Table:
    """Seven columns that fit 80 (a run's counts share a cell, a flag sits under its source), so
    that a source's name is not cut to `so…` (one column per --json field did not fit)."""
    table = Table(
        title="runs of scheduled crawls",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        caption=RUNS_CAPTION,
        caption_justify="left",
    )
    for column, justify in (
        ("run", "right"),
        ("source", "left"),
        ("status", "left"),
        ("started UTC", "left"),
        ("pages", "right"),
        ("records", "right"),
        ("errors", "right"),
    ):
        table.add_column(
            column,
            justify=justify,
            no_wrap=column != "source",
            min_width=min(max((len(run["source"] or "") for run in runs), default=6), 24)
            if column == "source"
            else None,
        )
    flagged: set[str] = set()
    for run in runs:
        source = Text(run["source"] or "")
        if (flag := flags.get(run["source"])) and run["source"] not in flagged:
            source.append(f"\n{flag}", style="yellow")
        flagged.add(run["source"])
        table.add_row(
            str(run["id"]),
            source,
            run["status"] or "",
            to_started(run["started_at"]),
            "/".join(
                to_cell(run[f"pages_{kind}"]) for kind in ("new", "changed", "unchanged", "failed")
            ),
            "/".join(to_cell(run[f"records_{kind}"]) for kind in ("added", "updated")),
            to_cell(run["errors"]),
        )
    return table


def to_started(value: datetime | None) -> str:
    """ "12-07 18:20": month, day and minute in UTC (--json has the full time)."""
    return "" if value is None else value.astimezone(UTC).strftime("%m-%d %H:%M")


RUNS_CAPTION = "pages: new/changed/unchanged/failed; records: added/updated"


def to_cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return "" if value is None else str(value)


QuietHoursOption = Annotated[
    float,
    typer.Option(
        "--quiet-hours",
        min=0,
        help="Flag a source none of whose runs found a new or changed page for this many hours.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="One JSON object per run (JSON Lines).")]


def print_json_lines(rows: list[dict[str, Any]], flags: dict[str, str]) -> None:
    for row in rows:
        data = {k: to_cell(v) if isinstance(v, datetime) else v for k, v in row.items()}
        typer.echo(json.dumps(data | {"flag": flags.get(row["source"])}, ensure_ascii=False))


def runs(
    source: Annotated[str | None, typer.Option("--source", help="Only this source's runs.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show the newest N runs.")] = 50,
    quiet_hours: QuietHoursOption = 72.0,
    as_json: JsonOption = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """List the runs of scheduled crawls (`schedule`, `crawl --source`), newest first.

    A source whose last run failed, or whose runs found nothing new for --quiet-hours, is
    flagged (also on stderr).

    Example: evidence-miner runs --db evidence.db --source example-news --limit 10
    """
    from evidence_miner.store.urls import to_shown_location

    settings = cli_settings(config, {"store": {"db": db}})
    with open_store(settings.store.db, read_only=True) as store:
        rows = store.run_log().list_runs(source=source, limit=limit)
    flags = find_flags(rows, quiet_hours=quiet_hours, now=datetime.now(UTC))
    if as_json:
        print_json_lines(rows, flags)
    elif not rows:
        err_console.print(
            "No runs logged" + (f" for source {source!r}" if source else "") + " in "
            f"{to_shown_location(settings.store.db)!r}: `crawl --source NAME` or `schedule` log "
            "them.",
            highlight=False,
            soft_wrap=True,
        )
    else:
        out_console.print(runs_table(rows, flags))
    for name, why in flags.items():
        err_console.print(f"[yellow]warning:[/yellow] source {name!r}: {why}", highlight=False)
