"""The stdout sink: every record as JSON Lines (or one JSON array) on standard output."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from evidence_miner.sinks import SinkContext
from evidence_miner.store.output import RecordFormat, RecordWriter, to_record_format

if TYPE_CHECKING:
    from evidence_miner.workflow import ArticleResult


class StdoutSink:
    """Writes the records of each result to stdout as they come; `close` ends a JSON array
    whether or not the command succeeded (what was printed cannot be taken back)."""

    def __init__(self, fmt: RecordFormat = "jsonl") -> None:
        self.writer = RecordWriter(sys.stdout, fmt)

    def open(self) -> None:
        self.writer = RecordWriter(sys.stdout, self.writer.fmt)

    def write(self, result: ArticleResult) -> None:
        for record in result.records:
            self.writer.write(record)

    def close(self, *, ok: bool) -> None:
        self.writer.close()
        sys.stdout.flush()


def make_stdout_sink(context: SinkContext) -> StdoutSink:
    """`--sink stdout`."""
    return StdoutSink(to_record_format(context.fmt))
