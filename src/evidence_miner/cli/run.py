"""`evidence-miner run`: the main job, the bundled corpus (or given inputs) into SQLite and
JSONL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evidence_miner.cli.batch import (
    BatchView,
    no_study_table,
    report_interrupt,
    report_not_written,
    summary_table,
)
from evidence_miner.cli.common import (
    ConfigOption,
    DbOption,
    ModelOption,
    QuietOption,
    SinkOption,
    cli_settings,
    out_console,
)


def find_default_corpus() -> Path:
    """./corpus, read when `run` is given no PATHS; missing, it is an InputError before the
    database is opened, so a run started in the wrong folder changes nothing."""
    corpus = Path("corpus")
    if not corpus.is_dir():
        from evidence_miner.errors import InputError

        raise InputError(
            f"[EM530] No corpus folder in {str(Path.cwd())!r}: without PATHS, `run` reads "
            "./corpus, "
            "relative to the working directory. Pass the folder of articles: evidence-miner run "
            "PATH."
        )
    return corpus


def run(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Articles or folders (default: ./corpus).", show_default=False),
    ] = None,
    records: Annotated[
        Path | None, typer.Option("--records", "-o", help="JSONL output (default: records.jsonl).")
    ] = None,
    db: DbOption = None,
    model: ModelOption = None,
    config: ConfigOption = None,
    max_failures: Annotated[
        int | None, typer.Option("--max-failures", help="Exit 1 when more inputs than this fail.")
    ] = None,
    quiet: QuietOption = False,
    sink: SinkOption = None,
) -> None:
    """Run every stage over the bundled corpus (or PATHS) into evidence.db and records.jsonl.

    Prints a summary table at the end, the pages with no study, the full paths of the outputs
    and the commands to look at them (search, show, browse). Without PATHS it reads ./corpus,
    relative to the working directory. The records file is replaced only when the command
    succeeds (exit 0); after a failure or Ctrl-C it is left as it was.

    Example: evidence-miner run corpus/ --db evidence.db --records records.jsonl
    """
    from evidence_miner.workflow import BatchOptions, Outputs, run_files

    settings = cli_settings(
        config,
        {
            "store": {"db": db},
            "output": {"records": str(records) if records else None},
            "extract": {"model": model},
        },
    )
    inputs = paths or [find_default_corpus()]
    output = Path(settings.output.records)
    outputs = Outputs(db=settings.store.db, records=output, sinks=tuple(sink or ()))
    with BatchView(quiet=quiet).showing() as view:
        options = BatchOptions(max_failures=max_failures)
        summary = run_files(inputs, settings, outputs, options=options, watch=view)
    if not quiet:
        out_console.print(summary_table(summary))
        if (table := no_study_table(summary)) is not None:
            out_console.print(table)
    if summary.interrupted:
        hint = "run the same command again to finish (stored articles are kept)."
        report_interrupt(summary, db=settings.store.db, resume_hint=hint)
    if summary.exit_code != 0:
        report_not_written(summary.exit_code, output)
        raise typer.Exit(summary.exit_code)
    if not quiet:
        from evidence_miner.cli.report import print_run_end

        print_run_end(summary, output=output, db=settings.store.db)
