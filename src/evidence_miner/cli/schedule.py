"""`evidence-miner schedule`: crawl every enabled source of a sources file on its schedule."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

from evidence_miner.cli.common import ConfigOption, DbOption, QuietOption, SinkOption, cli_settings

log = logging.getLogger(__name__)

SourcesOption = Annotated[
    Path,
    typer.Option(
        "--sources", help='The sources file (TOML; see the README\'s "Scheduled crawls").'
    ),
]


def install_stop_handlers(stop: threading.Event) -> None:
    """SIGTERM and SIGINT set `stop`: running crawls checkpoint, then the command exits 0."""

    def handle(signum: int, _frame: Any) -> None:
        log.warning(
            "got %s: finishing the crawls in progress",
            signal.Signals(signum).name,
            extra={"stage": "schedule"},
        )
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def schedule(
    sources: SourcesOption = Path("sources.toml"),
    db: DbOption = None,
    config: ConfigOption = None,
    quiet: QuietOption = False,
    sink: SinkOption = None,
) -> None:
    """Run each enabled source's crawl on its schedule until stopped (SIGTERM or Ctrl-C).

    Job state lives in the evidence database, so a restart neither repeats nor skips a run; a
    lock in the database keeps two schedulers (or a `crawl --source`) from crawling one source
    at once. One log line per run start and end on stderr (`--log-format json` for JSON).

    Example: evidence-miner --log-format json schedule --sources sources.toml --db evidence.db
    """
    from evidence_miner.schedule.sources import load_sources
    from evidence_miner.workflow import serve_schedule

    settings = cli_settings(config, {"store": {"db": db}})
    loaded = load_sources(sources)
    if not quiet:
        logging.getLogger("evidence_miner.schedule").setLevel(logging.INFO)
    stop = threading.Event()
    install_stop_handlers(stop)
    serve_schedule(settings, loaded, stop, sinks=tuple(sink or ()))
