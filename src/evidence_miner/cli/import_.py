"""`evidence-miner import`: load JSONL exports (records and pages) into a database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evidence_miner.cli.common import (
    ConfigOption,
    DbOption,
    QuietOption,
    cli_settings,
    err_console,
    open_store,
    progress,
)


def import_(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="JSONL files from `export --format jsonl` (records and/or --table pages)."
        ),
    ],
    db: DbOption = None,
    max_failures: Annotated[
        int, typer.Option("--max-failures", help="Exit 1 when more lines than this fail.")
    ] = 0,
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """Load JSONL exports (records and pages) into a database.

    Records are upserted by record_id and pages by url, 500 per transaction. Importing the same
    file twice changes nothing. A record
    whose page is not in the database gets a page built from its source; import the pages
    export as well to carry the article texts its spans point into. The page rows of every
    file are read before the records, and a record with a span outside its page's text is
    refused. A bad line fails alone: it is reported and the others are imported.

    Example: evidence-miner import records.jsonl pages.jsonl --db team.db
    """
    from evidence_miner.cli.import_reader import ImportReader, result_table

    settings = cli_settings(config, {"store": {"db": db}})
    reader = ImportReader(paths, max_line_bytes=settings.input.max_file_bytes)
    with open_store(settings.store.db) as store:
        result = store.import_items(progress(reader.items(), None, "lines", quiet=quiet))
    for problem in result.refused:
        reader.report(problem)
    if not quiet:
        err_console.print(result_table(result, reader.failures))
    raise typer.Exit(1 if reader.failures > max_failures else 0)
