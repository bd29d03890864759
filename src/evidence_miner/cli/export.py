"""`evidence-miner export`: every record in a database, streamed as JSONL."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from evidence_miner.cli.common import ConfigOption, DbOption, QuietOption, atomic_output, cli_settings, err_console
from evidence_miner.store import open_store
from evidence_miner.store.export import write_jsonl


class ExportFormat(str, Enum):
    jsonl = "jsonl"


def export(
    db: DbOption = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="Output format.")] = ExportFormat.jsonl,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """Export every record of a database, one JSON object per line.

    Example: evidence-miner export --db evidence.db --format jsonl -o records.jsonl
    """
    settings = cli_settings(config, {"store": {"db": db}})
    with open_store(settings.store.db) as store, atomic_output(output) as out:
        count = write_jsonl(store.iter_records(), out)
    if not quiet:
        err_console.print(f"exported {count} records")
