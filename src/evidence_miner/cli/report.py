"""What `run` and `extract` print when they end: the pages with no study, where the records
went, and what to run next."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from evidence_miner.cli.common import err_console, out_console

if TYPE_CHECKING:
    from evidence_miner.workflow import RunSummary


def to_page_name(url: str) -> str:
    """The file or last path part of a page's URL: "file:///c/sleep-tips-list.txt" ->
    "sleep-tips-list.txt"."""
    return url.rstrip("/").rsplit("/", 1)[-1] or url


def no_study_text(summary: RunSummary) -> Text | None:
    """Pages with no study, under each reason once, one whole name a line (a table column cut
    the names to `adalimumab-biosimilar-insurer-switc…` at 80 columns)."""
    if not summary.no_study:
        return None
    by_reason: dict[str, list[str]] = {}
    for url, reason in summary.no_study:
        by_reason.setdefault(reason, []).append(to_page_name(url))
    text = Text(f"pages with no study ({len(summary.no_study)}):", style="bold")
    for reason, pages in by_reason.items():
        text.append(f"\n  {reason}:", style="dim")
        for page in pages:
            text.append(f"\n    {page}")
    return text


def to_full_location(db: str) -> str:
    """A database as the next commands can use it: a SQLite file's absolute path, a URL without
    its password."""
    from evidence_miner.store.urls import to_shown_location

    return to_shown_location(db) if "://" in db else str(Path(db).expanduser().resolve())


def where_records_went(count: int, *, output: Path | None, db: str | None) -> str:
    """ "wrote 61 records to /abs/records.jsonl and to the database /abs/evidence.db"."""
    target = "stdout" if output is None else str(output.expanduser().resolve())
    stored = f" and to the database {to_full_location(db)}" if db else ""
    return f"wrote {count} record{'' if count == 1 else 's'} to {target}{stored}"


def next_steps(db: str) -> str:
    """The commands that look at what a run stored, ready to paste (ID: the first column of
    search)."""
    where = shlex.quote(to_full_location(db))
    return (
        "next: find records, read one (ID from search), or browse every table:\n"
        f"  evidence-miner search --db {where} --drug NAME\n"
        f"  evidence-miner show ID --db {where}\n"
        f"  evidence-miner browse --db {where}"
    )


def print_extract_end(
    summary: RunSummary, *, output: Path | None, db: str | None, written: bool = True
) -> None:
    """On stderr (stdout may carry the records): the summary, the pages with no study, where the
    records went (unless the output is not `written`: a failed command keeps the old file)."""
    from evidence_miner.cli.batch import summary_table

    err_console.print(summary_table(summary, title="evidence-miner extract"))
    if (pages := no_study_text(summary)) is not None:
        err_console.print(pages, highlight=False, soft_wrap=True)
    if written:
        err_console.print(
            where_records_went(summary.records, output=output, db=db),
            highlight=False,
            soft_wrap=True,
        )


def print_run_end(summary: RunSummary, *, output: Path, db: str) -> None:
    """The full paths of a run's outputs and the commands to look at them."""
    out_console.print(
        where_records_went(summary.records, output=output, db=db), highlight=False, soft_wrap=True
    )
    out_console.print(next_steps(db), highlight=False, soft_wrap=True)
