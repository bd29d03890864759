"""Read JSONL exports for `evidence-miner import`: page rows first, then records, one bad line
failing alone. Its own module so that `import --help` loads none of the store or readers."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

from rich.table import Table

from evidence_miner.cli.common import err_console
from evidence_miner.sources.archives import Line, iter_lines
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


# A file whose first this many lines all fail is no export: the rest of it is not read (EM340).
WRONG_FILE_LINES = 5
# Lines of one file failing with one code that are shown; the others are counted in one line.
SHOWN_PER_CODE = 3
CODE_RE = re.compile(r"\[(EM\d{3})\]")


class ImportReader:
    """Parses export lines into page rows and records; a bad line is reported, counted, skipped.

    The page rows of every file are read first, then (reading again the files that have any)
    the records, so that each record's spans are checked against its page's text whatever the
    order of the files (`import records.jsonl pages.jsonl`). A line longer than
    `max_line_bytes` is skipped unread. A file whose first WRONG_FILE_LINES lines all fail is
    left after them (EM340), and of the lines of one file failing with one code, SHOWN_PER_CODE
    are shown and the others counted in one line."""

    def __init__(self, paths: list[Path], *, max_line_bytes: int) -> None:
        self.paths, self.max_line_bytes, self.failures = paths, max_line_bytes, 0
        self.shown: Counter[tuple[str, str]] = Counter()
        self.hidden: Counter[tuple[str, str]] = Counter()

    def report(self, problem: Exception | str, *, path: Path | None = None) -> None:
        """Count a failure and show it, unless SHOWN_PER_CODE lines of `path` already failed with
        its code."""
        self.failures += 1
        code = match.group(1) if (match := CODE_RE.search(str(problem))) else ""
        key = (str(path), code)
        if path is not None and code and self.shown[key] >= SHOWN_PER_CODE:
            self.hidden[key] += 1
            return
        self.shown[key] += 1
        err_console.print(f"[red]error:[/red] {problem}", highlight=False, soft_wrap=True)

    def report_hidden(self, path: Path) -> None:
        """One line for the failures of `path` not shown, by code."""
        for (name, code), count in list(self.hidden.items()):
            if name == str(path):
                err_console.print(
                    f"[red]error:[/red] {count} more line{'s' if count > 1 else ''} of {name!r} "
                    f"failed with {code} (not shown).",
                    highlight=False,
                    soft_wrap=True,
                )
                del self.hidden[(name, code)]

    def read_lines(self, path: Path, *, report: bool) -> Iterator[tuple[str, str | None]]:
        """(where, text) of each non-blank line, text None for a long or undecodable line
        (reported if `report`); an unreadable file is always reported."""
        try:
            with path.open("rb") as stream:
                for line in iter_lines(stream, max_bytes=self.max_line_bytes):
                    where = f"line {line.number} of {str(path)!r}"
                    text = self.decode(line, where, path, report=report)
                    if text is None or text.strip():
                        yield where, text
        except OSError as exc:  # reported in either pass: a file may go away between them
            self.report(
                InputError(
                    f"[EM315] Cannot read import file {str(path)!r}: "
                    f"{exc.strerror or exc}. Pass a JSONL file written by "
                    "`evidence-miner export`."
                )
            )

    def decode(self, line: Line, where: str, path: Path, *, report: bool) -> str | None:
        problem = None
        if line.too_long:
            problem = InputError(
                f"[EM320] {where} is longer than {self.max_line_bytes} bytes "
                "(input.max_file_bytes); it was skipped unread. Raise the "
                "setting if the line is a genuine record or page."
            )
        else:
            data = line.data.removeprefix(BOM) if line.number == 1 else line.data
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError as exc:
                problem = InputError(
                    f"[EM315] {where} is not UTF-8 ({exc.reason} at byte "
                    f"{exc.start}). Pass a JSONL file written by "
                    "`evidence-miner export`."
                )
        if report:
            self.report(problem, path=path)
        return None

    def parsed_lines(self, path: Path, *, first_pass: bool) -> Iterator[tuple[str, Any]]:
        """(where, JSON value) of each line, None for a line that failed; problems reported in
        the first pass only."""
        for where, text in self.read_lines(path, report=first_pass):
            if text is None:
                yield where, None
                continue
            try:
                yield where, parse_import_json(text, where)
            except StoreError as problem:
                if first_pass:
                    self.report(problem, path=path)
                yield where, None

    def items(self) -> Iterator[ImportItem]:
        """Page rows of every file, then records of every file."""
        with_records = []
        for path in self.paths:
            if (yield from self.read_page_rows(path)):
                with_records.append(path)
            self.report_hidden(path)
        for path in with_records:
            for where, data in self.parsed_lines(path, first_pass=False):
                if is_record_data(data):
                    yield from self.to_items(data, where, path)
            self.report_hidden(path)

    def read_page_rows(self, path: Path) -> Generator[ImportItem, None, bool]:
        """The page rows of one file; returns whether it has records. A file whose first
        WRONG_FILE_LINES lines all fail is left after them (EM340)."""
        start, good, has_records = self.failures, 0, False
        for where, data in self.parsed_lines(path, first_pass=True):
            if is_record_data(data):
                has_records, good = True, good + 1
            elif data is not None:
                items = list(self.to_items(data, where, path))
                good += len(items)
                yield from items
            if not good and self.failures - start >= WRONG_FILE_LINES:
                self.report_hidden(path)
                self.report(
                    InputError(
                        f"[EM340] {str(path)!r} is not an export of evidence-miner: its first "
                        f"{WRONG_FILE_LINES} lines all failed, so the rest of it was not read. "
                        "Pass JSONL files written by `evidence-miner export --format jsonl` "
                        "(--table records or --table pages); articles (JSONL with url and "
                        "text or html) are read by `evidence-miner extract`."
                    )
                )
                return False
        return has_records

    def to_items(self, data: Any, where: str, path: Path) -> Iterator[ImportItem]:
        try:
            item = to_import_item(data, where)
        except StoreError as problem:
            self.report(problem, path=path)
            return
        yield RecordImport(item, where) if isinstance(item, EvidenceRecord) else item


def result_table(result: LoadResult, failures: int) -> Table:
    table = Table(title="evidence-miner import", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    for what, count in (
        ("records inserted", result.records_inserted),
        ("records updated", result.records_updated),
        ("records unchanged", result.records_unchanged),
        ("pages written", result.pages_written),
        ("lines that failed", failures),
    ):
        table.add_row(what, str(count))
    return table
