"""`evidence-miner import`: load JSONL exports (records and pages) into a database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from evidence_miner.cli.common import (
    ConfigOption,
    DbOption,
    QuietOption,
    cli_settings,
    err_console,
    open_store,
    progress,
)
from evidence_miner.errors import InputError, StoreError

if TYPE_CHECKING:
    from evidence_miner.store.load import ImportItem, LoadResult


class ImportReader:
    """Parses export lines into records and pages; a bad line is reported, counted, skipped."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths, self.failures = paths, 0

    def report(self, problem: Exception) -> None:
        self.failures += 1
        err_console.print(f"[red]error:[/red] {problem}", highlight=False, soft_wrap=True)

    def read_lines(self, path: Path) -> Iterator[tuple[int, str]]:
        try:
            with path.open(encoding="utf-8-sig") as lines:
                yield from ((number, line) for number, line in enumerate(lines, 1) if line.strip())
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.report(InputError(f"[EM315] Cannot read import file {str(path)!r}: {reason}. "
                                   "Pass a JSONL file written by `evidence-miner export`."))  # fmt: skip

    def items(self) -> Iterator[ImportItem]:
        from evidence_miner.store.load import parse_import_line

        for path in self.paths:
            for number, line in self.read_lines(path):
                try:
                    yield parse_import_line(line, f"line {number} of {str(path)!r}")
                except StoreError as problem:
                    self.report(problem)


def result_table(result: LoadResult, failures: int) -> Table:
    table = Table(title="evidence-miner import", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    for what, count in (("records inserted", result.records_inserted), ("records updated", result.records_updated),
                        ("records unchanged", result.records_unchanged), ("pages written", result.pages_written),
                        ("lines that failed", failures)):  # fmt: skip
        table.add_row(what, str(count))
    return table


def import_(
    paths: Annotated[list[Path], typer.Argument(help="JSONL files from `export --format jsonl` (records and/or --table pages).")],
    db: DbOption = None,
    max_failures: Annotated[int, typer.Option("--max-failures", help="Exit 1 when more lines than this fail.")] = 0,
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """Load JSONL exports (records and pages) into a database.

    Records are upserted by record_id and pages by url, 500 per transaction. Importing the same file twice changes nothing. A record
    whose page is not in the database gets a page built from its source; import the pages
    export as well to carry the article texts its spans point into.

    Example: evidence-miner import records.jsonl pages.jsonl --db team.db
    """
    settings = cli_settings(config, {"store": {"db": db}})
    reader = ImportReader(paths)
    with open_store(settings.store.db) as store:
        result = store.import_items(progress(reader.items(), None, "lines", quiet=quiet))
    if not quiet:
        err_console.print(result_table(result, reader.failures))
    raise typer.Exit(1 if reader.failures > max_failures else 0)
