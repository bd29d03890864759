"""Run a batch of inputs through the pipeline into a store and a JSONL stream (run, extract)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from collections.abc import Callable

from rich.table import Table

from evidence_miner.cli.common import err_console, progress
from evidence_miner.errors import InputError
from evidence_miner.records import EvidenceRecord
from evidence_miner.settings import Settings
from evidence_miner.store import EvidenceStore
from evidence_miner.workflow import PIPELINE_VERSION, ArticleResult, RunSummary, find_inputs, process_paths


def report_problems(problems: list[InputError]) -> None:
    for problem in problems:
        err_console.print(f"[red]error:[/red] {problem}", highlight=False, soft_wrap=True)


def save_result(store: EvidenceStore | None, result: ArticleResult) -> None:
    if store is None:
        return
    if result.error is not None:
        store.save_failure(result.url, result.error)
    elif result.article is not None:
        store.save_article(result.article, result.records, pipeline_version=PIPELINE_VERSION)


def run_batch(paths: list[Path], settings: Settings, *, store: EvidenceStore | None, emit: Callable[[EvidenceRecord], None], quiet: bool) -> RunSummary:
    """Process every readable input; problems are reported, counted, and do not stop the batch."""
    found, problems = find_inputs(paths, settings)
    report_problems(problems)
    summary = RunSummary(failures=len(problems))
    summary.errors.extend(("", str(p)) for p in problems)
    problem_counts: Counter = Counter()
    for result in progress(process_paths(found, settings, problems=problem_counts), len(found), "articles", quiet=quiet):
        if result.error is not None:
            err_console.print(f"[red]error:[/red] {result.error}", highlight=False, soft_wrap=True)
        save_result(store, result)
        for record in result.records:
            emit(record)
        summary.add(result)
    summary.counters.update(problem_counts)
    return summary


def summary_table(summary: RunSummary) -> Table:
    table = Table(title="evidence-miner run", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = [("articles", summary.articles), ("records", summary.records), ("drugs", summary.counters["drugs"]),
            ("doses", summary.counters["doses"]), ("outcomes", summary.counters["outcomes"]),
            ("adverse events", summary.counters["adverse_events"]), ("pages with no study", len(summary.no_study)),
            ("inputs that failed", summary.failures)]  # fmt: skip
    for what, count in rows:
        table.add_row(what, str(count))
    return table


def no_study_table(summary: RunSummary) -> Table | None:
    if not summary.no_study:
        return None
    table = Table(title="pages with no study", show_header=True)
    table.add_column("page")
    table.add_column("why")
    for url, reason in summary.no_study:
        table.add_row(url.rsplit("/", 1)[-1], reason)
    return table


def exit_code(summary: RunSummary, *, max_failures: int | None) -> int:
    """0 ok; 2 when nothing could be processed; 1 when failures exceed --max-failures."""
    if summary.articles == 0 and summary.failures:
        return 2
    if max_failures is not None and summary.failures > max_failures:
        return 1
    return 0
