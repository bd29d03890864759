"""`evidence-miner extract`: articles (.txt, .html, folders) to evidence records on stdout or a file."""

from __future__ import annotations

from contextlib import nullcontext
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from evidence_miner.cli.batch import BatchOptions, exit_code, run_batch
from evidence_miner.cli.common import (
    ConfigOption,
    DbOption,
    ModelOption,
    QuietOption,
    cli_settings,
    err_console,
    open_store,
)

if TYPE_CHECKING:
    from evidence_miner.records import EvidenceRecord


class OutputFormat(str, Enum):
    jsonl = "jsonl"
    json = "json"


class RecordWriter:
    """Streams records as JSON Lines or as one JSON array, never holding them all in memory."""

    def __init__(self, out: TextIO, fmt: OutputFormat) -> None:
        self.out, self.fmt, self.count = out, fmt, 0

    def write(self, record: EvidenceRecord) -> None:
        from evidence_miner.records import to_json_line

        line = to_json_line(record)
        if self.fmt is OutputFormat.jsonl:
            self.out.write(line + "\n")
        else:
            self.out.write(("[\n" if self.count == 0 else ",\n") + line)
        self.count += 1

    def close(self) -> None:
        if self.fmt is OutputFormat.json:
            self.out.write("[]\n" if self.count == 0 else "\n]\n")


def extract(
    paths: Annotated[list[Path], typer.Argument(help=".txt/.html files, WARC(.gz) or JSONL(.gz) archives, gzipped pages, or folders of them.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="jsonl: one record per line; json: one array.")] = OutputFormat.jsonl,
    db: DbOption = None,
    model: ModelOption = None,
    config: ConfigOption = None,
    max_failures: Annotated[int | None, typer.Option("--max-failures", help="Exit 1 when more inputs than this fail.")] = None,
    quiet: QuietOption = False,
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1, show_default="all cores",
                                                help="Worker processes (Dask local cluster); 1 runs in this process. "
                                                "With all cores, fewer than 200 documents, or fewer than two cores "
                                                "that other programs leave idle, run in this process.")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Run on an existing Dask cluster: tcp://HOST:PORT.")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="With --db: skip documents whose text this pipeline version "
                                         "already stored; their stored records are written to the output "
                                         "again, so it holds every record of the inputs.")] = False,
) -> None:
    """Extract evidence records from articles: JSONL on stdout by default. With --db the
    records are also stored in that database.

    Archives (WARC, JSONL with url and html or text, gzipped pages) are streamed document
    by document; batches run on all cores through Dask, and results are stored as they finish.
    A file of evidence records in an input folder (an earlier output) is skipped with a warning.
    A summary on stderr (unless --quiet) ends with the pages with no study and where the records went.

    Example: evidence-miner extract corpus/dev/ -o records.jsonl
    Example: evidence-miner extract crawl.warc.gz --db evidence.db --workers 2 --resume -o new.jsonl
    """
    settings = cli_settings(config, {"store": {"db": db}, "extract": {"model": model}})
    from evidence_miner.store.output import open_output

    with (open_store(settings.store.db) if db else nullcontext()) as store, open_output(output) as out:
        writer = RecordWriter(out, fmt)
        options = BatchOptions(workers=workers, scheduler=scheduler, resume=resume)
        summary = run_batch(paths, settings, store=store, emit=writer.write, quiet=quiet, options=options)
        writer.close()
    if not quiet:
        from evidence_miner.cli.report import print_extract_end

        print_extract_end(summary, output=output, db=settings.store.db if db else None)
    raise typer.Exit(exit_code(summary, max_failures=max_failures))
