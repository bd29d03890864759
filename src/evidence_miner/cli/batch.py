"""What `run` and `extract` show while a batch runs and when it ends: errors, duplicates, the
progress line, the summary tables; the workflow (workflow.run_files) does the work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from evidence_miner.cli.common import ProgressLine, err_console

if TYPE_CHECKING:  # the workflow is imported when a batch runs, not for --help
    from evidence_miner.workflow import ArticleResult, RunSummary


class BatchView:
    """The workflow's BatchWatch for `run` and `extract`: error and duplicate lines on stderr,
    and the progress line (documents done, records written, failures, rate and ETA)."""

    def __init__(self, *, quiet: bool) -> None:
        self.line = ProgressLine("documents", quiet=quiet, unit="docs")

    @contextmanager
    def showing(self) -> Iterator[BatchView]:
        with self.line.showing():
            yield self

    def started(self, total: int | None) -> None:
        self.line.set_total(total)

    def problem(self, message: str) -> None:
        err_console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)

    def duplicate(self, url: str, first: str) -> None:
        err_console.print(
            f"[yellow]duplicate:[/yellow] {url} has the same text as {first}: "
            "skipped, its records are that page's.",
            highlight=False,
            soft_wrap=True,
        )

    def failed(self, result: ArticleResult) -> None:
        self.problem(str(result.error))

    def done(self, result: ArticleResult, summary: RunSummary) -> None:
        self.line.advance(status=f"{summary.records} records, {summary.failures} failed")


def summary_table(summary: RunSummary, *, title: str = "evidence-miner run") -> Table:
    table = Table(title=title, show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = [
        ("articles", summary.articles),
        ("records", summary.records),
        ("drugs", summary.counters["drugs"]),
        ("doses", summary.counters["doses"]),
        ("outcomes", summary.counters["outcomes"]),
        ("adverse events", summary.counters["adverse_events"]),
        ("pages with no study", len(summary.no_study)),
        ("inputs that failed", summary.failures),
    ]
    if summary.counters["read/skipped/duplicate"]:
        rows.append(
            ("duplicates of an earlier input, skipped", summary.counters["read/skipped/duplicate"])
        )
    if summary.skipped:
        rows.append(("skipped, already done (--resume)", summary.skipped))
        rows.append(
            (
                "their stored records, written again",
                summary.counters["resume/records/written_again"],
            )
        )
    for what, count in rows:
        table.add_row(what, str(count))
    return table


def no_study_table(summary: RunSummary) -> Text | None:
    """The pages with no study, by reason (cli/report.py)."""
    from evidence_miner.cli.report import no_study_text

    return no_study_text(summary)


def report_interrupt(summary: RunSummary, *, db: str | None, resume_hint: str) -> None:
    """The line a Ctrl-C ends with: what is stored (in `db`, as the user named it), how to go on."""
    from evidence_miner.store.urls import to_shown_location

    if db is None:
        err_console.print(
            f"[yellow]interrupted:[/yellow] {summary.articles} documents done, nothing "
            "stored (no --db).",
            highlight=False,
            soft_wrap=True,
        )
        return
    err_console.print(
        f"[yellow]interrupted:[/yellow] {summary.records} records of {summary.articles} "
        f"documents stored in {to_shown_location(db)}; {resume_hint}",
        highlight=False,
        soft_wrap=True,
    )


def report_not_written(code: int, output: Path | None) -> None:
    """After a batch that did not succeed (exit 1, 2 or 130): `output` was left as it was."""
    if code != 0 and output is not None:
        err_console.print(
            f"[yellow]not written:[/yellow] {output} was left as it was: the command "
            f"failed (exit {code}); outputs move into place only on success.",
            highlight=False,
            soft_wrap=True,
        )
