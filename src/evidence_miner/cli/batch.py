"""Run a batch of inputs through the pipeline into a store and a JSONL stream (run, extract)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from evidence_miner.cli.common import err_console

if TYPE_CHECKING:  # the pipeline, store and readers are imported when a batch runs, not for --help
    from evidence_miner.errors import InputError
    from evidence_miner.records import EvidenceRecord, Page
    from evidence_miner.settings import Settings
    from evidence_miner.store import EvidenceStore
    from evidence_miner.workflow import ArticleResult, RunSummary


def report_problems(problems: list[InputError]) -> None:
    for problem in problems:
        err_console.print(f"[red]error:[/red] {problem}", highlight=False, soft_wrap=True)


def save_result(store: EvidenceStore | None, result: ArticleResult) -> None:
    if store is None:
        return
    from evidence_miner.workflow import PIPELINE_VERSION

    if result.error is not None:
        store.save_failure(result.url, result.error)
    elif result.article is not None:
        store.save_article(result.article, result.records, pipeline_version=PIPELINE_VERSION)


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs: worker processes (None: all cores), a Dask scheduler, resume."""

    workers: int | None = 1
    scheduler: str | None = None
    resume: bool = False


def run_batch(paths: list[Path], settings: Settings, *, store: EvidenceStore | None, emit: Callable[[EvidenceRecord], None], quiet: bool, options: BatchOptions | None = None) -> RunSummary:
    """Process every readable input; problems are reported, counted, and do not stop the batch.
    Results are stored and emitted as they finish."""
    from evidence_miner.sources.archives import is_archive_path
    from evidence_miner.workflow import PIPELINE_VERSION, RunSummary, find_inputs, read_pages, skip_done

    options = options or BatchOptions()
    found, problems = find_inputs(paths, settings)
    report_problems(problems)
    summary = RunSummary(failures=len(problems))
    summary.errors.extend(("", str(p)) for p in problems)
    problem_counts: Counter = Counter()
    total = None if any(is_archive_path(path) for path in found) else len(found)
    items = drop_duplicate_texts(read_pages(found, settings), summary)
    if options.resume and store is not None:
        lookup = partial(store.find_done_pages, pipeline_version=PIPELINE_VERSION)
        items = skip_done(items, lookup, batch_size=settings.extract.batch_size)
    try:
        with open_results(items, settings, options, total=total, problems=problem_counts) as results:
            for result in batch_progress(results, total, summary, quiet=quiet):
                if written_again := handle_result(result, store=store, emit=emit):
                    summary.counters["resume/records/written_again"] += written_again
                summary.add(result)
    except KeyboardInterrupt:  # Ctrl-C: every result handled so far is stored; stop here
        summary.interrupted = True
    summary.counters.update(problem_counts)
    return summary


def drop_duplicate_texts(
    items: Iterable[Page | ArticleResult], summary: RunSummary
) -> Iterator[Page | ArticleResult]:
    """The items in order without the pages whose text an earlier page of the batch has: the
    first (in input order; folders are read in sorted order) keeps the records, each later copy
    is reported and counted, so that a record no longer moves between identical pages."""
    from evidence_miner.records import Page

    first_url: dict[str, str] = {}
    for item in items:
        if isinstance(item, Page):
            first = first_url.setdefault(item.text_sha256, item.url)
            if first != item.url:
                report_duplicate(item.url, first, summary)
                continue
        yield item


def report_duplicate(url: str, first: str, summary: RunSummary) -> None:
    summary.counters["read/skipped/duplicate"] += 1
    err_console.print(f"[yellow]duplicate:[/yellow] {url} has the same text as {first}: skipped, "
                      "its records are that page's.", highlight=False, soft_wrap=True)  # fmt: skip


def handle_result(result: ArticleResult, *, store: EvidenceStore | None, emit: Callable[[EvidenceRecord], None]) -> int:
    """Store and emit one result; a document skipped by --resume emits its stored records, so
    that the output of a resumed batch holds every record of its inputs (after a kill, the
    records stored before it are in no other file). Returns how many stored records it emitted."""
    if result.error is not None:
        err_console.print(f"[red]error:[/red] {result.error}", highlight=False, soft_wrap=True)
    if result.skipped:
        stored = store.get_page_records(result.url) if store is not None else []
        for record in stored:
            emit(record)
        return len(stored)
    save_result(store, result)
    for record in result.records:
        emit(record)
    return 0


@contextmanager
def open_results(items: Iterable, settings: Settings, options: BatchOptions, *, total: int | None, problems: Counter) -> Iterator[Iterator[ArticleResult]]:
    """Results in this process, or on Dask workers (a local cluster or --scheduler); with all
    cores, a batch below the break-even number of documents stays in this process."""
    from evidence_miner.scale.plan import choose_workers
    from evidence_miner.workflow import process_pages

    workers, items = choose_workers(items, workers=options.workers)
    if options.scheduler is None and workers == 1:
        yield process_pages(items, settings, problems=problems)
        return
    from evidence_miner.scale.cluster import open_client  # Dask is imported only when used
    from evidence_miner.scale.submit import process_distributed

    with open_client(workers=workers, scheduler=options.scheduler) as client:
        yield process_distributed(items, settings, client, problems=problems)


class RateColumn(ProgressColumn):
    """Documents per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.1f} docs/s")


def batch_progress(results: Iterable[ArticleResult], total: int | None, summary: RunSummary, *, quiet: bool) -> Iterator[ArticleResult]:
    """A progress bar on stderr: documents done, records written, failures, rate and ETA;
    silent under --quiet or when stderr is not a terminal."""
    if quiet or not err_console.is_terminal:
        yield from results
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[records]} records, {task.fields[failures]} failed"),
               RateColumn(), TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("documents", total=total, records=0, failures=0)
        for result in results:
            yield result
            bar.update(task, advance=1, records=summary.records, failures=summary.failures)


def summary_table(summary: RunSummary, *, title: str = "evidence-miner run") -> Table:
    table = Table(title=title, show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = [("articles", summary.articles), ("records", summary.records), ("drugs", summary.counters["drugs"]),
            ("doses", summary.counters["doses"]), ("outcomes", summary.counters["outcomes"]),
            ("adverse events", summary.counters["adverse_events"]), ("pages with no study", len(summary.no_study)),
            ("inputs that failed", summary.failures)]  # fmt: skip
    if summary.counters["read/skipped/duplicate"]:
        rows.append(("duplicates of an earlier input, skipped", summary.counters["read/skipped/duplicate"]))
    if summary.skipped:
        rows.append(("skipped, already done (--resume)", summary.skipped))
        rows.append(("their stored records, written again", summary.counters["resume/records/written_again"]))
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
        err_console.print(f"[yellow]interrupted:[/yellow] {summary.articles} documents done, nothing "
                          "stored (no --db).", highlight=False, soft_wrap=True)  # fmt: skip
        return
    err_console.print(f"[yellow]interrupted:[/yellow] {summary.records} records of {summary.articles} "
                      f"documents stored in {to_shown_location(db)}; {resume_hint}", highlight=False, soft_wrap=True)  # fmt: skip


def keep_output_unless_ok(code: int, output: Path | None) -> None:
    """Called inside the output's `with` block: a batch that did not succeed (exit 1, 2 or
    130) raises typer.Exit there, so the temp file is dropped and `output` stays as it was."""
    if code == 0:
        return
    if output is not None:
        err_console.print(f"[yellow]not written:[/yellow] {output} was left as it was: the command "
                          f"failed (exit {code}); outputs move into place only on success.",
                          highlight=False, soft_wrap=True)  # fmt: skip
    raise typer.Exit(code)


def exit_code(summary: RunSummary, *, max_failures: int | None) -> int:
    """0 ok; 130 after Ctrl-C; 2 when nothing could be processed; 1 when failures exceed
    --max-failures."""
    if summary.interrupted:
        return 130
    if summary.articles == 0 and summary.failures:
        return 2
    if max_failures is not None and summary.failures > max_failures:
        return 1
    return 0
