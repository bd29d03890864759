"""`evidence-miner run`: the main job, the bundled corpus (or given inputs) into SQLite and JSONL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evidence_miner.cli.batch import exit_code, no_study_table, run_batch, summary_table
from evidence_miner.cli.common import (
    ConfigOption,
    DbOption,
    ModelOption,
    QuietOption,
    atomic_output,
    cli_settings,
    open_store,
    out_console,
)


def run(
    paths: Annotated[list[Path] | None, typer.Argument(help="Articles or folders (default: ./corpus).", show_default=False)] = None,
    records: Annotated[Path | None, typer.Option("--records", "-o", help="JSONL output (default: records.jsonl).")] = None,
    db: DbOption = None,
    model: ModelOption = None,
    config: ConfigOption = None,
    max_failures: Annotated[int | None, typer.Option("--max-failures", help="Exit 1 when more inputs than this fail.")] = None,
    quiet: QuietOption = False,
) -> None:
    """Run every stage over the bundled corpus (or PATHS) into evidence.db and records.jsonl.

    Prints a summary table at the end, the pages with no study, the full paths of the outputs
    and the commands to look at them (search, show, browse).

    Example: evidence-miner run corpus/ --db evidence.db --records records.jsonl
    """
    from evidence_miner.records import to_json_line

    settings = cli_settings(
        config, {"store": {"db": db}, "output": {"records": str(records) if records else None}, "extract": {"model": model}}
    )
    inputs = paths or [Path("corpus")]
    with open_store(settings.store.db) as store, atomic_output(Path(settings.output.records)) as out:
        summary = run_batch(inputs, settings, store=store, emit=lambda r: out.write(to_json_line(r) + "\n"), quiet=quiet)
    if not quiet:
        out_console.print(summary_table(summary))
        if (table := no_study_table(summary)) is not None:
            out_console.print(table)
        from evidence_miner.cli.report import print_run_end

        print_run_end(summary, output=Path(settings.output.records), db=settings.store.db)
    raise typer.Exit(exit_code(summary, max_failures=max_failures))
