"""`evidence-miner crawl`: crawl sites, feeds and sitemaps politely and store every article's
records."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from evidence_miner.cli.batch import BatchView
from evidence_miner.cli.common import (
    ConfigOption,
    DbOption,
    ProgressLine,
    QuietOption,
    SinkOption,
    cli_settings,
    err_console,
    out_console,
)
from evidence_miner.cli.schedule import install_stop_handlers

# the crawler, scheduler and pipeline are imported when a crawl runs, not for --help
if TYPE_CHECKING:
    from evidence_miner.sources.web.crawler import CrawlStats
    from evidence_miner.workflow import RunSummary

STATS_FORMAT = (
    "fetched {fetched}  queued {queued}  articles {articles}  skipped {skipped}  "
    "failed {failed}  {rate:.1f}/s"
)


class CrawlView(BatchView):
    """The crawl's BatchWatch: error lines, and the progress line showing the crawler's counts."""

    def __init__(self, *, quiet: bool) -> None:
        self.line = ProgressLine("starting", quiet=quiet, eta=False)

    def update(self, stats: CrawlStats) -> None:
        self.line.describe(to_stats_line(stats))

    def done(self, result: object, summary: object) -> None:
        """The line follows the crawler's counts (update), not the results."""


def to_stats_line(stats: CrawlStats) -> str:
    return STATS_FORMAT.format(
        fetched=stats.fetched,
        queued=stats.queued,
        articles=stats.articles,
        skipped=stats.skipped,
        failed=stats.failed,
        rate=stats.current_rate(),
    )


def check_starts(starts: list[str]) -> None:
    from evidence_miner.sources.web.urls import normalise_url
    from evidence_miner.errors import FetchError

    for start in starts:
        try:
            normalise_url(start)
        except FetchError as exc:
            raise typer.BadParameter(str(exc), param_hint="START") from exc


def summary_table(stats: CrawlStats, summary: RunSummary, status: str) -> Table:
    table = Table(title=f"evidence-miner crawl ({status})", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    counters = stats.counters
    rows = [
        ("documents fetched", stats.fetched),
        ("articles stored", summary.articles),
        ("records", summary.records),
        ("pages with no study", len(summary.no_study)),
        (
            "unchanged (304 or same text)",
            counters["fetch/unchanged/304"] + counters["page/unchanged"],
        ),
        ("copies of a stored page", counters["page/duplicate"]),
        ("skipped", stats.skipped),
        ("failed", stats.failed + summary.failures),
        ("still queued", stats.queued),
    ]
    for what, count in rows:
        table.add_row(what, str(count))
    table.add_row("fetches per second", f"{stats.rate():.2f}")
    for key in sorted(counters):
        table.add_row(key, str(counters[key]))
    return table


def is_unreachable(stats: CrawlStats) -> bool:
    """Nothing answered: no fetch got an HTTP status (exit code 3)."""
    return stats.fetched > 0 and stats.answered == 0


def crawl(
    starts: Annotated[
        list[str] | None,
        typer.Argument(
            help="Where to start: a site's home page, an RSS/Atom feed, a sitemap (.xml or "
            ".xml.gz) "
            "or an article URL (or give --sources and --source instead).",
            show_default=False,
            metavar="[START]...",
        ),
    ] = None,
    db: DbOption = None,
    max_pages: Annotated[
        int | None,
        typer.Option(
            "--max-pages",
            help="Fetch at most this many documents this run (0: no limit; default: "
            "crawl.max_pages). A run stopped here resumes next time.",
        ),
    ] = None,
    max_depth: Annotated[
        int | None,
        typer.Option(
            "--max-depth",
            help="Follow links at most this many hops from a start (default: crawl.max_depth).",
        ),
    ] = None,
    follow_offsite: Annotated[
        bool,
        typer.Option("--follow-offsite", help="Also follow links to other sites than the starts'."),
    ] = False,
    config: ConfigOption = None,
    quiet: QuietOption = False,
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            help="A sources file (see `schedule`); with --source, crawl that source once with its "
            "settings, lock and run log.",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="The name of the source in --sources to crawl once (for system cron or systemd "
            "timers).",
        ),
    ] = None,
    sink: SinkOption = None,
) -> None:
    """Crawl news sites, feeds and sitemaps and store the evidence records of every article.

    robots.txt is obeyed, each host gets one request per crawl.delay_seconds, and a crawl that
    is stopped resumes where it was; a second crawl sends conditional requests and extracts
    only new or changed articles.

    Example: evidence-miner crawl https://www.example.org/ --db evidence.db --max-pages 500
    """
    from evidence_miner.workflow import Outputs, crawl_sites

    if sources is not None or source is not None:
        raise typer.Exit(
            crawl_one_source(
                sources, source, db=db, config=config, quiet=quiet, sinks=tuple(sink or ())
            )
        )
    if not starts:
        raise typer.BadParameter(
            "give at least one START, or --sources with --source", param_hint="START"
        )
    check_starts(starts)
    overrides = {
        "max_pages": max_pages,
        "max_depth": max_depth,
        "follow_offsite": follow_offsite or None,
    }
    settings = cli_settings(config, {"store": {"db": db}, "crawl": overrides})
    outputs = Outputs(db=settings.store.db, sinks=tuple(sink or ()))
    with CrawlView(quiet=quiet).showing() as view:
        report = crawl_sites(starts, settings, outputs, on_progress=view.update, watch=view)
    kind, reason = report.kind, report.reason
    if not quiet:
        out_console.print(summary_table(report.stats, report.summary, report.status))
    if kind == "robots_unavailable":
        err_console.print(f"[yellow]warning:[/yellow] {reason}", highlight=False, soft_wrap=True)
    elif not quiet and kind != "finished":
        out_console.print(reason, highlight=False)
    raise typer.Exit(3 if is_unreachable(report.stats) else 0)


def crawl_one_source(
    sources: Path | None,
    name: str | None,
    *,
    db: str | None,
    config: Path | None,
    quiet: bool,
    sinks: tuple[str, ...] = (),
) -> int:
    """`crawl --sources FILE --source NAME`: one run of one source; its exit code."""
    if sources is None or name is None:
        raise typer.BadParameter("--sources and --source go together", param_hint="--source")
    from evidence_miner.schedule.sources import load_sources
    from evidence_miner.workflow import crawl_source_once

    settings = cli_settings(config, {"store": {"db": db}})
    chosen = load_sources(sources).named(name)
    stop = threading.Event()
    install_stop_handlers(stop)  # SIGTERM (systemd stop): checkpoint, release the lock, exit
    outcome = crawl_source_once(settings, chosen, stop=stop, sinks=sinks)
    if outcome.status == "locked":
        err_console.print(
            f"[EM705] source {name!r} is being crawled by another process; nothing done. "
            "Run again later.",
            highlight=False,
        )
        return 1
    if not quiet:
        out_console.print(
            f"source {name}: run {outcome.run_id} {outcome.status}: {outcome.counts.to_values()}",
            highlight=False,
        )
    return 1 if outcome.status == "failed" else 0
