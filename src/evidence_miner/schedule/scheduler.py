"""Run every enabled source on its schedule with APScheduler, its jobs kept in the evidence
database.

Jobs are stored in the `apscheduler_jobs` table (migration 0004), so a restarted scheduler keeps
each source's next run time: nothing runs twice and a run missed while it was down runs once at
start. The job function finds this process's store and settings in a module-level context,
because APScheduler stores jobs by reference ("module:function") and their arguments by pickle.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from spacy.language import Language

from evidence_miner.extract.pipeline import build_pipeline
from evidence_miner.schedule.runner import is_holder_dead, make_holder, run_source
from evidence_miner.schedule.sources import Source, SourcesFile
from evidence_miner.settings import Settings
from evidence_miner.store import EvidenceStore, to_database_url
from evidence_miner.store.engine import create_store_engine, to_write_engine

log = logging.getLogger(__name__)

JOB_FUNCTION = "evidence_miner.schedule.scheduler:run_scheduled_source"
JOB_TABLE = "apscheduler_jobs"
RESUME_STATUSES = ("interrupted", "running")


@dataclass
class SchedulerContext:
    """What a job needs in this process: the store, settings, sources and the stop signal."""

    store: EvidenceStore
    settings: Settings
    sources: SourcesFile
    stop: threading.Event
    sinks: tuple[str, ...] = ()  # `--sink NAME[=TARGET]`: given every run's results too
    holder: str = field(default_factory=make_holder)
    local: threading.local = field(default_factory=threading.local)


_context: SchedulerContext | None = None


def to_job_id(name: str) -> str:
    return f"source:{name}"


def run_scheduled_source(name: str) -> None:
    """The job APScheduler runs: one crawl of the source `name` in this process's context."""
    context = _context
    if context is None or context.stop.is_set():
        return
    extra = {"stage": "schedule", "source": name}
    try:
        source = context.sources.named(name)
        run_source(
            context.store,
            context.settings,
            source,
            stop=context.stop,
            holder=context.holder,
            nlp=pipeline_for_thread(context),
            sinks=context.sinks,
        )
    except Exception:
        log.exception("scheduled run of source %s failed", name, extra=extra)


def pipeline_for_thread(context: SchedulerContext) -> Language:
    """One spaCy pipeline per worker thread, built on its first run."""
    nlp = getattr(context.local, "nlp", None)
    if nlp is None:
        extract = context.settings.extract
        nlp = context.local.nlp = build_pipeline(
            extract.model,
            ner_model=extract.ner_model,
            study_model=extract.study_model,
            language=extract.language,
        )
    return nlp


def build_scheduler(settings: Settings, sources: SourcesFile) -> BackgroundScheduler:
    """A background scheduler whose job store is the evidence database, UTC, one run per source."""
    engine = to_write_engine(create_store_engine(to_database_url(settings.store.db)))
    jobstore = SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)
    workers = max(1, len(sources.enabled()))
    return BackgroundScheduler(
        jobstores={"default": jobstore},
        executors={"default": ThreadPoolExecutor(workers)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=UTC,
    )


def sync_jobs(scheduler: BackgroundScheduler, context: SchedulerContext) -> None:
    """Make the stored jobs match the enabled sources; a job whose schedule is unchanged keeps its
    stored next run time, and one whose last run was interrupted runs again now (it resumes)."""
    wanted = {to_job_id(source.name): source for source in context.sources.enabled()}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            log.info(
                "removing job %s (no longer an enabled source)", job.id, extra={"stage": "schedule"}
            )
            job.remove()
    run_log = context.store.run_log()
    for job_id, source in wanted.items():
        run_log.close_abandoned_runs(source.name, is_holder_dead)
        sync_job(
            scheduler, job_id, source, resume=run_log.last_status(source.name) in RESUME_STATUSES
        )


def sync_job(scheduler: BackgroundScheduler, job_id: str, source: Source, *, resume: bool) -> None:
    trigger, now = source.trigger(), datetime.now(UTC)
    job = scheduler.get_job(job_id)
    extra = {"stage": "schedule", "source": source.name}
    if job is None or str(job.trigger) != str(trigger):
        scheduler.add_job(
            JOB_FUNCTION,
            trigger,
            args=[source.name],
            id=job_id,
            name=source.name,
            replace_existing=True,
            next_run_time=now,
        )
        log.info("source %s scheduled (%s), first run now", source.name, trigger, extra=extra)
    elif resume:
        job.modify(next_run_time=now)
        log.info("source %s: resuming its interrupted run now", source.name, extra=extra)
    else:
        log.info("source %s: next run at %s", source.name, job.next_run_time, extra=extra)


def serve(
    settings: Settings,
    sources: SourcesFile,
    store: EvidenceStore,
    stop: threading.Event,
    *,
    sinks: tuple[str, ...] = (),
) -> None:
    """Run the sources' crawls on schedule until `stop` is set; then let running crawls
    checkpoint (they stop sending requests, store what they read, and pause) and return.
    `sinks`: the `--sink NAME[=TARGET]` options, opened and closed by each run."""
    global _context
    _context = context = SchedulerContext(store, settings, sources, stop, sinks)
    scheduler = build_scheduler(settings, sources)
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, context)
        scheduler.resume()
        log.info(
            "scheduler %s running %d sources",
            context.holder,
            len(sources.enabled()),
            extra={"stage": "schedule"},
        )
        stop.wait()
        log.info("scheduler %s stopping", context.holder, extra={"stage": "schedule"})
    finally:
        scheduler.shutdown(wait=True)
        _context = None
    log.info("scheduler %s stopped", context.holder, extra={"stage": "schedule"})
