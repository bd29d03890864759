"""Read JSONL exports for `evidence-miner import`: page rows first, then records, one bad line
failing alone. Its own module so that `import --help` loads none of the store or readers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.table import Table

from evidence_miner.cli.common import err_console
from evidence_miner.crawl.archives import Line, iter_lines
from evidence_miner.errors import InputError, StoreError
from evidence_miner.records import EvidenceRecord
from evidence_miner.store.import_rows import (
    ImportItem,
    RecordImport,
    is_record_data,
    parse_import_json,
    to_import_item,
)
from evidence_miner.store.load import LoadResult

BOM = b"\xef\xbb\xbf"


class ImportReader:
    """Parses export lines into page rows and records; a bad line is reported, counted, skipped.

    The page rows of every file are read first, then (reading again the files that have any)
    the records, so that each record's spans are checked against its page's text whatever the
    order of the files (`import records.jsonl pages.jsonl`). A line longer than
    `max_line_bytes` is skipped unread."""

    def __init__(self, paths: list[Path], *, max_line_bytes: int) -> None:
        self.paths, self.max_line_bytes, self.failures = paths, max_line_bytes, 0

    def report(self, problem: Exception | str) -> None:
        self.failures += 1
        err_console.print(f"[red]error:[/red] {problem}", highlight=False, soft_wrap=True)

    def read_lines(self, path: Path, *, report: bool) -> Iterator[tuple[str, str]]:
        """(where, text) of each non-blank line; long or undecodable lines reported if `report`,
        an unreadable file always."""
        try:
            with path.open("rb") as stream:
                for line in iter_lines(stream, max_bytes=self.max_line_bytes):
                    where = f"line {line.number} of {str(path)!r}"
                    text = self.decode(line, where, report=report)
                    if text is not None and text.strip():
                        yield where, text
        except OSError as exc:  # reported in either pass: a file may go away between them
            self.report(InputError(f"[EM315] Cannot read import file {str(path)!r}: "
                                   f"{exc.strerror or exc}. Pass a JSONL file written by "
                                   "`evidence-miner export`."))  # fmt: skip

    def decode(self, line: Line, where: str, *, report: bool) -> str | None:
        problem = None
        if line.too_long:
            problem = InputError(f"[EM320] {where} is longer than {self.max_line_bytes} bytes "
                                 "(input.max_file_bytes); it was skipped unread. Raise the "
                                 "setting if the line is a genuine record or page.")  # fmt: skip
        else:
            data = line.data.removeprefix(BOM) if line.number == 1 else line.data
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError as exc:
                problem = InputError(f"[EM315] {where} is not UTF-8 ({exc.reason} at byte "
                                     f"{exc.start}). Pass a JSONL file written by "
                                     "`evidence-miner export`.")  # fmt: skip
        if report:
            self.report(problem)
        return None

    def parsed_lines(self, path: Path, *, first_pass: bool) -> Iterator[tuple[str, Any]]:
        """(where, JSON value) of each line; problems reported in the first pass only."""
        for where, text in self.read_lines(path, report=first_pass):
            try:
                yield where, parse_import_json(text, where)
            except StoreError as problem:
                if first_pass:
                    self.report(problem)

    def items(self) -> Iterator[ImportItem]:
        """Page rows of every file, then records of every file."""
        with_records = []
        for path in self.paths:
            has_records = False
            for where, data in self.parsed_lines(path, first_pass=True):
                has_records = has_records or is_record_data(data)
                if not is_record_data(data):
                    yield from self.to_items(data, where)
            if has_records:
                with_records.append(path)
        for path in with_records:
            for where, data in self.parsed_lines(path, first_pass=False):
                if is_record_data(data):
                    yield from self.to_items(data, where)

    def to_items(self, data: Any, where: str) -> Iterator[ImportItem]:
        try:
            item = to_import_item(data, where)
        except StoreError as problem:
            self.report(problem)
            return
        yield RecordImport(item, where) if isinstance(item, EvidenceRecord) else item


def result_table(result: LoadResult, failures: int) -> Table:
    table = Table(title="evidence-miner import", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    for what, count in (("records inserted", result.records_inserted), ("records updated", result.records_updated),
                        ("records unchanged", result.records_unchanged), ("pages written", result.pages_written),
                        ("lines that failed", failures)):  # fmt: skip
        table.add_row(what, str(count))
    return table
