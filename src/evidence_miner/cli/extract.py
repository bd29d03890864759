"""`evidence-miner extract`: articles (.txt, .html, folders) to evidence records on stdout or a
file."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from evidence_miner.cli.batch import BatchView, report_interrupt, report_not_written
from evidence_miner.cli.common import (
    ConfigOption,
    DbOption,
    ModelOption,
    QuietOption,
    SinkOption,
    cli_settings,
)


class OutputFormat(str, Enum):
    jsonl = "jsonl"
    json = "json"


def extract(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help=".txt/.html files, WARC(.gz) or JSONL(.gz) archives, gzipped pages, or folders "
            "of them."
        ),
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="jsonl: one record per line; json: one array.")
    ] = OutputFormat.jsonl,
    db: DbOption = None,
    model: ModelOption = None,
    config: ConfigOption = None,
    max_failures: Annotated[
        int | None, typer.Option("--max-failures", help="Exit 1 when more inputs than this fail.")
    ] = None,
    quiet: QuietOption = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            show_default="all cores",
            help="Worker processes (Dask local cluster); 1 runs in this process. "
            "With all cores, fewer than 200 documents, or fewer than two cores "
            "that other programs leave idle, run in this process.",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Run on an existing Dask cluster: tcp://HOST:PORT."),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="With --db: skip documents whose text this pipeline version "
            "already stored; their stored records are written to the output "
            "again, so it holds every record of the inputs.",
        ),
    ] = False,
    sink: SinkOption = None,
) -> None:
    """Extract evidence records from articles: JSONL on stdout by default. With --db the
    records are also stored in that database.

    Archives (WARC, JSONL with url and html or text, gzipped pages) are streamed document
    by document; batches run on all cores through Dask, and results are stored as they finish.
    A file of evidence records in an input folder (an earlier output) is skipped with a warning.
    A summary on stderr (unless --quiet) ends with the pages with no study and where the records
    went.

    The -o file is replaced only when the command succeeds (exit 0); after a failure or
    Ctrl-C (exit 130) it is left as it was, and with --db a rerun with --resume goes on.

    Example: evidence-miner extract corpus/dev/ -o records.jsonl
    Example: evidence-miner extract crawl.warc.gz --db evidence.db --workers 2 --resume -o new.jsonl
    """
    from evidence_miner.workflow import BatchOptions, Outputs, run_files

    settings = cli_settings(config, {"store": {"db": db}, "extract": {"model": model}})
    stored_in = settings.store.db if db else None
    outputs = Outputs(
        db=stored_in, records=output, stdout=output is None, fmt=fmt.value, sinks=tuple(sink or ())
    )
    options = BatchOptions(
        workers=workers, scheduler=scheduler, resume=resume, max_failures=max_failures
    )
    with BatchView(quiet=quiet).showing() as view:
        summary = run_files(paths, settings, outputs, options=options, watch=view)
    code = summary.exit_code
    if not quiet:
        from evidence_miner.cli.report import print_extract_end

        print_extract_end(summary, output=output, db=stored_in, written=code == 0)
    if summary.interrupted:
        hint = "rerun the same command with --resume to go on: its output holds every record."
        report_interrupt(summary, db=stored_in, resume_hint=hint)
    report_not_written(code, output)
    if code != 0:
        raise typer.Exit(code)
