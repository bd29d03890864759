"""The records file sink: every record as JSON Lines (or one JSON array) in a file that moves into
place only when the command succeeds (store/output.py)."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from evidence_miner.sinks import SinkContext, require_target
from evidence_miner.store.output import RecordFormat, RecordWriter, open_atomic, to_record_format

if TYPE_CHECKING:
    from evidence_miner.workflow import ArticleResult


class NotWritten(Exception):
    """Thrown into the open output to drop it: the command did not succeed."""


class RecordsFileSink:
    """Writes the records of each result (a skipped document's stored records too); failures
    and removed records leave no line. The file is replaced only by `close(ok=True)`."""

    def __init__(self, path: Path, fmt: RecordFormat = "jsonl") -> None:
        self.path, self.fmt = path, fmt
        self.stack = ExitStack()
        self.writer: RecordWriter | None = None

    def open(self) -> None:
        self.writer = RecordWriter(self.stack.enter_context(open_atomic(self.path)), self.fmt)

    def write(self, result: ArticleResult) -> None:
        assert self.writer is not None, "open() the sink first"
        for record in result.records:
            self.writer.write(record)

    def close(self, *, ok: bool) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if ok:
            self.stack.close()
        else:  # the temp file is removed and the old file stays as it was
            self.stack.__exit__(NotWritten, NotWritten(), None)


def make_records_file_sink(context: SinkContext) -> RecordsFileSink:
    """`--sink jsonl=PATH`."""
    path = Path(require_target("jsonl", context, "a file path"))
    return RecordsFileSink(path, to_record_format(context.fmt))
