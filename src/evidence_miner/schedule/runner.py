"""Run one source's crawl once: take its lock, crawl, store, and write its run log row."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language

from evidence_miner.sources.web.crawler import Crawler
from evidence_miner.errors import EvidenceMinerError
from evidence_miner.schedule.sources import Source
from evidence_miner.settings import CrawlSettings, Settings
from evidence_miner.sinks.sql import SaveTally
from evidence_miner.store import EvidenceStore
from evidence_miner.store.run_log import COUNT_FIELDS, SqlRunLog, now_utc
from evidence_miner.workflow import Outputs, build_sinks, crawl_and_store, load_plugins, opened

log = logging.getLogger(__name__)

LOCK_SECONDS = 60.0
MAX_ERROR_CHARS = 2_000


@dataclass
class RunCounts(SaveTally):
    """What one run found and did (the saves count into it as they happen); the numbers of its
    run log row."""

    def to_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {name: getattr(self, name) for name in COUNT_FIELDS}
        values["errors"] = len(self.errors)
        values["error"] = "\n".join(self.errors)[:MAX_ERROR_CHARS] or None
        return values


@dataclass
class RunOutcome:
    """How a run ended: "finished", "paused" (page budget), "interrupted", "failed" or "locked"."""

    source: str
    status: str
    run_id: int | None = None
    counts: RunCounts = field(default_factory=RunCounts)


def make_holder() -> str:
    """This process's lock holder name: host, process id and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def is_holder_dead(holder: str) -> bool:
    """True when `holder` names a process on this host that no longer exists."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def to_source_settings(crawl: CrawlSettings, source: Source) -> CrawlSettings:
    """The [crawl] settings with the source's politeness overrides applied."""
    overrides = {
        "delay_seconds": source.politeness.delay_seconds,
        "concurrency_per_host": source.politeness.concurrency,
        "max_pages": source.politeness.max_pages,
    }
    return crawl.model_copy(update={k: v for k, v in overrides.items() if v is not None})


@contextmanager
def holding_lock(
    run_log: SqlRunLog, source: str, holder: str, *, ttl: float = LOCK_SECONDS
) -> Iterator[bool]:
    """Yield True while this process holds the source's lock (renewed in a thread), else False."""
    if not run_log.try_lock(source, holder, ttl=ttl, is_dead=is_holder_dead):
        yield False
        return
    done = threading.Event()
    renewer = threading.Thread(
        target=renew_until,
        args=(run_log, source, holder, ttl, done),
        name=f"lock-{source}",
        daemon=True,
    )
    renewer.start()
    try:
        yield True
    finally:
        done.set()
        renewer.join()
        run_log.release_lock(source, holder)


def renew_until(
    run_log: SqlRunLog, source: str, holder: str, ttl: float, done: threading.Event
) -> None:
    while not done.wait(ttl / 3):
        try:
            if not run_log.renew_lock(source, holder, ttl=ttl):
                log.warning(
                    "lost the lock of source %s",
                    source,
                    extra={"stage": "schedule", "source": source},
                )
        except EvidenceMinerError as exc:
            log.warning(
                "cannot renew the lock of source %s: %s",
                source,
                exc,
                extra={"stage": "schedule", "source": source},
            )


def run_source(
    store: EvidenceStore,
    settings: Settings,
    source: Source,
    *,
    stop: threading.Event | None = None,
    holder: str | None = None,
    nlp: Language | None = None,
    sinks: tuple[str, ...] = (),
) -> RunOutcome:
    """Crawl `source` once into `store` and the `--sink NAME[=TARGET]` sinks, unless another
    process is crawling it ("locked")."""
    run_log, holder = store.run_log(), holder or make_holder()
    run_log.close_abandoned_runs(source.name, is_holder_dead)
    with holding_lock(run_log, source.name, holder) as held:
        if not held:
            log.info(
                "source %s is being crawled by %s; skipped",
                source.name,
                run_log.lock_holder(source.name),
                extra={"stage": "schedule", "source": source.name},
            )
            return RunOutcome(source.name, "locked")
        run_id = run_log.start_run(source.name, holder)
        extra = {"stage": "schedule", "source": source.name, "run_id": run_id}
        log.info("run %d of source %s started", run_id, source.name, extra=extra)
        outcome = RunOutcome(source.name, "failed", run_id)
        try:
            outcome.status = crawl_source(
                store, settings, source, outcome, stop=stop, nlp=nlp, sinks=sinks
            )
        except Exception as exc:
            outcome.counts.errors.append(
                str(exc) if isinstance(exc, EvidenceMinerError) else repr(exc)
            )
            log.exception("run %d of source %s failed", run_id, source.name, extra=extra)
            raise
        finally:
            run_log.finish_run(run_id, outcome.status, outcome.counts.to_values())
            log.info(
                "run %d of source %s %s: %s",
                run_id,
                source.name,
                outcome.status,
                outcome.counts.to_values(),
                extra=extra,
            )
    return outcome


def crawl_source(
    store: EvidenceStore,
    settings: Settings,
    source: Source,
    outcome: RunOutcome,
    *,
    stop: threading.Event | None,
    nlp: Language | None,
    sinks: tuple[str, ...] = (),
) -> str:
    """The crawl itself; returns the run's status."""
    crawler = Crawler(
        to_source_settings(settings.crawl, source),
        store.crawl_state(),
        source.start_urls,
        stop=stop,
        include=source.include,
        exclude=source.exclude,
    )
    run_log, counts, started = store.run_log(), outcome.counts, now_utc()
    outputs = Outputs(sinks=sinks)
    built = build_sinks(
        outputs,
        settings,
        store,
        load_plugins(outputs),
        keep_versions=True,
        run_id=outcome.run_id,
        tally=counts,
    )
    with opened(built) as sink_set:
        crawl_and_store(crawler, settings, sink_set, store=store, nlp=nlp)
    status = crawler.finish()
    stats = crawler.stats
    counts.pages_unchanged += (
        stats.counters["page/unchanged"] + stats.counters["discover/skipped/not_modified"]
    )
    counts.pages_unchanged += run_log.count_unchanged_articles(crawler.run_id, started)
    counts.pages_failed += stats.failed
    kind, reason = crawler.describe_stop(status)
    if kind == "interrupted":
        return "interrupted"
    if kind == "robots_unavailable":
        counts.errors.append(reason)
    if stats.fetched > 0 and stats.answered == 0:
        if kind != "robots_unavailable":
            counts.errors.append(
                f"[EM532] nothing answered: all {stats.fetched} fetches of this run "
                f"failed ({to_failure_counts(stats.counters)}). Check that the "
                "source's hosts are reachable."
            )
        return "failed"
    return status


def to_failure_counts(counters: Counter) -> str:
    """ "robots/connection 1, fetch/failed/timeout 2": the counters of failed fetches."""
    failures = [
        f"{key} {n}" for key, n in sorted(counters.items()) if key.startswith(("robots/", "fetch/"))
    ]
    return ", ".join(failures) or "no reason counted"
