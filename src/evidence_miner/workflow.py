"""The one orchestrator: read or crawl pages -> extract -> normalise -> the sinks (the database,
the records file, stdout, plugins). `run`, `extract`, `crawl`, `schedule` and `evaluate` call it;
the commands only parse options and show what it reports through a BatchWatch."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from evidence_miner import __version__
from evidence_miner.sources.archives import ARCHIVE_SUFFIXES, is_archive_path, iter_archive_pages
from evidence_miner.sources.read import find_article_paths, read_page
from evidence_miner.errors import EvidenceMinerError, InputError, StoreError
from evidence_miner.records import Article, EvidenceRecord, Page
from evidence_miner.watch import BatchWatch, Unwatched

if TYPE_CHECKING:  # spaCy, the pipeline and pint load in seconds: only where pages are extracted
    import threading

    from spacy.language import Language

    from evidence_miner.sources.web.crawler import Crawler, CrawlStats
    from evidence_miner.schedule.runner import RunOutcome
    from evidence_miner.schedule.sources import Source, SourcesFile
    from evidence_miner.settings import Settings
    from evidence_miner.sinks import Sink, SinkFactory
    from evidence_miner.sinks.sql import SaveTally
    from evidence_miner.store import EvidenceStore

log = logging.getLogger(__name__)

PIPELINE_VERSION = __version__


@dataclass
class ArticleResult:
    """What became of one input: its records, or why it has none."""

    url: str
    article: Article | None = None
    records: list[EvidenceRecord] = field(default_factory=list)
    error: str | None = None
    skipped: bool = False
    # The ids of stored records this page's new version drops (known when the run has a
    # database): every sink learns of the deletions, not only the database.
    removed_record_ids: list[str] = field(default_factory=list)


# Given (url, text hash) pairs, the urls already stored with that text by this pipeline version.
DoneLookup = Callable[[list[tuple[str, str]]], set[str]]


@dataclass
class RunSummary:
    articles: int = 0
    records: int = 0
    failures: int = 0
    skipped: int = 0
    counters: Counter = field(default_factory=Counter)
    no_study: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    interrupted: bool = False  # Ctrl-C (SIGINT) stopped the batch; what was stored stays
    exit_code: int = 0  # see to_exit_code

    def add(self, result: ArticleResult) -> None:
        if result.skipped:
            self.skipped += 1
            self.counters["resume/skipped/done"] += 1
            return
        if result.error is not None:
            self.failures += 1
            self.errors.append((result.url, result.error))
            self.counters["read/failed"] += 1
            return
        self.articles += 1
        self.records += len(result.records)
        for record in result.records:
            self.counters["drugs"] += len(record.interventions)
            self.counters["doses"] += sum(len(i.doses) for i in record.interventions)
            self.counters["outcomes"] += len(record.outcomes)
            self.counters["adverse_events"] += len(record.adverse_events)
        if not result.records and result.article is not None:
            self.no_study.append((result.url, result.article.no_study_reason or "no study found"))
            self.counters["extract/skipped/no_study"] += 1


def read_pages(paths: Sequence[Path], settings: Settings) -> Iterator[Page | ArticleResult]:
    """Pages of the readable inputs, archives streamed document by document; an ArticleResult
    with the error for each bad file or document."""
    for path in paths:
        if is_archive_path(path):
            yield from read_archive(path, settings)
            continue
        try:
            yield read_page(path, max_bytes=settings.input.max_file_bytes)
        except InputError as exc:
            yield ArticleResult(url=path.resolve().as_uri(), error=str(exc))


def read_archive(path: Path, settings: Settings) -> Iterator[Page | ArticleResult]:
    for url, item in iter_archive_pages(path, max_bytes=settings.input.max_file_bytes):
        yield item if isinstance(item, Page) else ArticleResult(url=url, error=str(item))


def skip_done(
    items: Iterable[Page | ArticleResult], find_done: DoneLookup, *, batch_size: int
) -> Iterator[Page | ArticleResult]:
    """The items in order, each page already stored by this pipeline version (same url, same
    text hash) replaced by a skipped ArticleResult: a killed batch resumes where it stopped."""
    for batch in batched(items, batch_size):
        done = find_done([(item.url, item.text_sha256) for item in batch if isinstance(item, Page)])
        for item in batch:
            is_done = isinstance(item, Page) and item.url in done
            yield ArticleResult(url=item.url, skipped=True) if is_done else item


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def extract_batch(
    nlp: Language, pages: list[Page], batch_size: int
) -> list[Article | ArticleResult]:
    """Articles of a batch; if the batch fails, each page alone, so one bad page fails alone."""
    from evidence_miner.extract.pipeline import extract_articles

    try:
        return list(extract_articles(nlp, pages, batch_size=batch_size))
    except Exception:  # noqa: BLE001 - isolate the failing page below
        log.warning("batch of %d pages failed; extracting them one by one", len(pages))
    results: list[Article | ArticleResult] = []
    for page in pages:
        try:
            results.extend(extract_articles(nlp, [page], batch_size=1))
        except Exception as exc:  # noqa: BLE001 - one bad article never stops a batch
            log.exception("extraction failed", extra={"stage": "extract", "url": page.url})
            results.append(ArticleResult(url=page.url, error=f"[EM420] extraction failed: {exc!r}"))
    return results


def process_batch(
    nlp: Language,
    items: list,
    settings: Settings,
    problems: Counter,
    *,
    pipeline_version: str = PIPELINE_VERSION,
) -> Iterator[ArticleResult]:
    pages = [item for item in items if isinstance(item, Page)]
    extracted = iter(extract_batch(nlp, pages, settings.extract.batch_size))
    for item in items:
        if isinstance(item, ArticleResult):
            yield item
            continue
        done = next(extracted)
        if isinstance(done, Article):
            done = to_result(done, problems, pipeline_version)
        yield done


def to_result(
    article: Article, problems: Counter, pipeline_version: str = PIPELINE_VERSION
) -> ArticleResult:
    from evidence_miner.normalise.article import normalise_article

    try:
        records = normalise_article(article, pipeline_version=pipeline_version, problems=problems)
    except EvidenceMinerError as exc:
        return ArticleResult(url=article.page.url, error=str(exc))
    return ArticleResult(url=article.page.url, article=article, records=records)


def process_pages(
    items: Iterable[Page | ArticleResult],
    settings: Settings,
    *,
    nlp: Language | None = None,
    problems: Counter | None = None,
    pipeline_version: str = PIPELINE_VERSION,
) -> Iterator[ArticleResult]:
    """Extract and normalise pages (from files or the crawler) in order; an ArticleResult
    already carrying an error passes through. One bad page never stops the batch."""
    from evidence_miner.extract.pipeline import build_pipeline

    nlp = nlp or build_pipeline(
        settings.extract.model,
        ner_model=settings.extract.ner_model,
        study_model=settings.extract.study_model,
        language=settings.extract.language,
    )
    problems = problems if problems is not None else Counter()
    for batch in batched(items, settings.extract.batch_size):
        yield from process_batch(nlp, batch, settings, problems, pipeline_version=pipeline_version)


def process_paths(
    paths: Sequence[Path],
    settings: Settings,
    *,
    nlp: Language | None = None,
    problems: Counter | None = None,
) -> Iterator[ArticleResult]:
    """Results of saved files in input order; one bad input never stops the batch."""
    yield from process_pages(read_pages(paths, settings), settings, nlp=nlp, problems=problems)


def find_inputs(paths: Sequence[Path], settings: Settings) -> tuple[list[Path], list[InputError]]:
    """Article files and archives (WARC, JSONL, gzipped pages) under the paths, and the bad
    paths."""
    extensions = [*settings.input.extensions, *ARCHIVE_SUFFIXES]
    return find_article_paths(paths, extensions=extensions)


# -- orchestration: the commands' one way to run a batch, a crawl or an evaluation ------------


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs: worker processes (None: all cores), a Dask scheduler, resume, and how
    many failed inputs it allows before it exits 1 (None: any number)."""

    workers: int | None = 1
    scheduler: str | None = None
    resume: bool = False
    max_failures: int | None = None


@dataclass(frozen=True)
class Outputs:
    """Where a run's results go: the database (`db`: also what --resume and a crawl read), a
    records file, stdout, and the sinks named by `--sink NAME[=TARGET]` (plugins included)."""

    db: str | None = None
    records: Path | None = None
    stdout: bool = False
    fmt: str = "jsonl"
    sinks: tuple[str, ...] = ()


def to_exit_code(summary: RunSummary, *, max_failures: int | None) -> int:
    """0 ok; 130 after Ctrl-C; 2 when nothing could be processed; 1 when failures exceed
    --max-failures."""
    if summary.interrupted:
        return 130
    if summary.articles == 0 and summary.failures:
        return 2
    if max_failures is not None and summary.failures > max_failures:
        return 1
    return 0


@contextmanager
def open_run_store(db: str | None) -> Iterator[EvidenceStore | None]:
    """The run's database, opened (created and migrated when needed) for writing; None without."""
    if db is None:
        yield None
        return
    from evidence_miner.store import open_store

    with open_store(db) as store:
        yield store


def build_sinks(
    outputs: Outputs,
    settings: Settings,
    store: EvidenceStore | None,
    plugins: list[tuple[SinkFactory, str | None]],
    *,
    keep_versions: bool = False,
    run_id: int | None = None,
    tally: SaveTally | None = None,
) -> list[Sink]:
    """The sinks of `outputs`, the database first (see sinks.sql.SqlStoreSink for the rest)."""
    from evidence_miner.sinks import SinkContext
    from evidence_miner.sinks.jsonl import RecordsFileSink
    from evidence_miner.sinks.sql import SqlStoreSink
    from evidence_miner.sinks.stdout import StdoutSink

    from evidence_miner.store.output import to_record_format

    fmt = to_record_format(outputs.fmt)
    sinks: list[Sink] = []
    if store is not None:
        sinks.append(SqlStoreSink(store, keep_versions=keep_versions, run_id=run_id, tally=tally))
    if outputs.records is not None:
        sinks.append(RecordsFileSink(outputs.records, fmt))
    elif outputs.stdout:
        sinks.append(StdoutSink(fmt))
    for factory, target in plugins:
        sinks.append(factory(SinkContext(settings, target, store, outputs.fmt)))
    return sinks


def load_plugins(outputs: Outputs) -> list[tuple[SinkFactory, str | None]]:
    """The factories of the --sink options, found before anything is opened: a mistyped name
    changes nothing (ConfigError EM360)."""
    from evidence_miner.sinks import load_sink_factory, parse_sink_option

    return [
        (load_sink_factory(name), target) for name, target in map(parse_sink_option, outputs.sinks)
    ]


class SinkSet:
    """The open sinks of a run; `ok` (set by the run) says how `close` ends them."""

    def __init__(self, sinks: Sequence[Sink]) -> None:
        self.sinks, self.ok = list(sinks), True

    def close(self, sink: Sink) -> None:
        sink.close(ok=self.ok)


@contextmanager
def opened(sinks: Sequence[Sink]) -> Iterator[SinkSet]:
    """Open every sink; at the end close each (the last opened first), with ok=False after an
    exception (one of a sink's `open` too) or when the run set `ok` False: a records file then
    stays as it was."""
    sink_set = SinkSet(sinks)
    with ExitStack() as stack:
        try:
            for sink in sinks:
                sink.open()
                stack.callback(sink_set.close, sink)
            yield sink_set
        except BaseException:
            sink_set.ok = False
            raise


def deliver(result: ArticleResult, sinks: SinkSet, store: EvidenceStore | None) -> None:
    """Give one result to every sink: with a database, a skipped document carries its stored
    records and a changed page the ids of the stored records it drops."""
    if store is not None and result.skipped:
        result.records = store.get_page_records(result.url)
    elif store is not None and result.article is not None and result.error is None:
        keep = [record.record_id for record in result.records]
        result.removed_record_ids = store.find_stale_record_ids(result.url, keep)
    for sink in sinks.sinks:
        write_to_sink(sink, result)


def write_to_sink(sink: Sink, result: ArticleResult) -> None:
    try:
        sink.write(result)
    except EvidenceMinerError:
        raise
    except Exception as exc:  # a plugin's own error stops the run with its name and cause
        raise StoreError(
            f"[EM363] The sink {type(sink).__name__} failed on {result.url!r}: {exc!r}. Nothing "
            "more was written to it; fix its cause (or leave out its --sink) and run again."
        ) from exc


def run_files(
    paths: Sequence[Path],
    settings: Settings,
    outputs: Outputs,
    *,
    options: BatchOptions | None = None,
    watch: BatchWatch | None = None,
    nlp: Language | None = None,
) -> RunSummary:
    """Process every readable input into the outputs (`run`, `extract`): problems are reported,
    counted, and do not stop the batch; results reach the sinks as they finish. The sinks end
    with ok only when the exit code (summary.exit_code) is 0. `nlp`: a pipeline built already
    (in this process; None: built from the settings)."""
    options, watch = options or BatchOptions(), watch or Unwatched()
    plugins = load_plugins(outputs)
    with (
        open_run_store(outputs.db) as store,
        opened(build_sinks(outputs, settings, store, plugins)) as sinks,
    ):
        summary = run_batch(
            paths, settings, sinks, store=store, options=options, watch=watch, nlp=nlp
        )
        summary.exit_code = to_exit_code(summary, max_failures=options.max_failures)
        sinks.ok = summary.exit_code == 0
    return summary


def run_batch(
    paths: Sequence[Path],
    settings: Settings,
    sinks: SinkSet,
    *,
    store: EvidenceStore | None,
    options: BatchOptions,
    watch: BatchWatch,
    nlp: Language | None = None,
) -> RunSummary:
    found, problems = find_inputs(paths, settings)
    for problem in problems:
        watch.problem(str(problem))
    summary = RunSummary(failures=len(problems))
    summary.errors.extend(("", str(p)) for p in problems)
    problem_counts: Counter = Counter()
    total = None if any(is_archive_path(path) for path in found) else len(found)
    watch.started(total)
    items = drop_duplicate_texts(read_pages(found, settings), summary, watch)
    if options.resume and store is not None:
        lookup = partial(store.find_done_pages, pipeline_version=PIPELINE_VERSION)
        items = skip_done(items, lookup, batch_size=settings.extract.batch_size)
    try:
        with open_results(items, settings, options, problems=problem_counts, nlp=nlp) as results:
            for result in results:
                handle_result(result, sinks, store=store, summary=summary, watch=watch)
    except KeyboardInterrupt:  # Ctrl-C: every result handled so far is stored; stop here
        summary.interrupted = True
    summary.counters.update(problem_counts)
    return summary


def handle_result(
    result: ArticleResult,
    sinks: SinkSet,
    *,
    store: EvidenceStore | None,
    summary: RunSummary,
    watch: BatchWatch,
) -> None:
    """Deliver and count one result; a document skipped by --resume delivers its stored records,
    so that the output of a resumed batch holds every record of its inputs (after a kill, the
    records stored before it are in no other file)."""
    if result.error is not None:
        watch.failed(result)
    deliver(result, sinks, store)
    if result.skipped and result.records:
        summary.counters["resume/records/written_again"] += len(result.records)
    summary.add(result)
    watch.done(result, summary)


def drop_duplicate_texts(
    items: Iterable[Page | ArticleResult], summary: RunSummary, watch: BatchWatch
) -> Iterator[Page | ArticleResult]:
    """The items in order without the pages whose text an earlier page of the batch has: the
    first (in input order; folders are read in sorted order) keeps the records, each later copy
    is reported and counted, so that a record no longer moves between identical pages."""
    first_url: dict[str, str] = {}
    for item in items:
        if isinstance(item, Page):
            first = first_url.setdefault(item.text_sha256, item.url)
            if first != item.url:
                summary.counters["read/skipped/duplicate"] += 1
                watch.duplicate(item.url, first)
                continue
        yield item


@contextmanager
def open_results(
    items: Iterable,
    settings: Settings,
    options: BatchOptions,
    *,
    problems: Counter,
    nlp: Language | None = None,
) -> Iterator[Iterator[ArticleResult]]:
    """Results in this process, or on Dask workers (a local cluster or --scheduler); with all
    cores, a batch below the break-even number of documents stays in this process."""
    from evidence_miner.scale.plan import choose_workers

    workers, items = choose_workers(items, workers=options.workers)
    if options.scheduler is None and workers == 1:
        yield process_pages(items, settings, nlp=nlp, problems=problems)
        return
    from evidence_miner.scale.cluster import open_client  # Dask is imported only when used
    from evidence_miner.scale.submit import process_distributed

    with open_client(workers=workers, scheduler=options.scheduler) as client:
        yield process_distributed(items, settings, client, problems=problems)


def crawl_and_store(
    crawler: Crawler,
    settings: Settings,
    sinks: SinkSet,
    *,
    store: EvidenceStore,
    nlp: Language | None = None,
    watch: BatchWatch | None = None,
) -> RunSummary:
    """The one crawl loop (`crawl`, scheduled runs): each page the crawler reads is extracted,
    delivered to the sinks and then marked stored, so a stopped crawl resumes after it."""
    watch, summary = watch or Unwatched(), RunSummary()
    for result in process_pages(crawler.pages(), settings, nlp=nlp, problems=Counter()):
        handle_result(result, sinks, store=store, summary=summary, watch=watch)
        crawler.mark_stored(result.url)
    return summary


@dataclass
class CrawlReport:
    """How a crawl ended: its results, the crawler's counts, its status and stop reason."""

    summary: RunSummary
    stats: CrawlStats
    status: str
    kind: str
    reason: str


def crawl_sites(
    starts: list[str],
    settings: Settings,
    outputs: Outputs,
    *,
    on_progress: Callable[[CrawlStats], None] | None = None,
    watch: BatchWatch | None = None,
) -> CrawlReport:
    """`crawl START...`: crawl into the database `outputs.db` (it holds the crawl's state) and
    the other sinks; a changed page keeps its old text in page_versions."""
    from evidence_miner.sources.web.crawler import Crawler

    plugins = load_plugins(outputs)
    with open_run_store(outputs.db) as store:
        assert store is not None, "a crawl needs its database"
        sinks = build_sinks(outputs, settings, store, plugins, keep_versions=True)
        with opened(sinks) as sink_set:
            crawler = Crawler(settings.crawl, store.crawl_state(), starts, on_progress=on_progress)
            summary = crawl_and_store(crawler, settings, sink_set, store=store, watch=watch)
            status = crawler.finish()
    kind, reason = crawler.describe_stop(status)
    return CrawlReport(summary, crawler.stats, status, kind, reason)


def extract_records(
    pages: Sequence[Page],
    settings: Settings,
    *,
    nlp: Language | None = None,
    pipeline_version: str = PIPELINE_VERSION,
    watch: BatchWatch | None = None,
) -> list[EvidenceRecord]:
    """Every record of these pages, in order (`evaluate`, the floors test and scripts)."""
    watch, summary = watch or Unwatched(), RunSummary()
    watch.started(len(pages))
    records: list[EvidenceRecord] = []
    for result in process_pages(pages, settings, nlp=nlp, pipeline_version=pipeline_version):
        summary.add(result)
        watch.done(result, summary)
        records += result.records
    return records


def crawl_source_once(
    settings: Settings,
    source: Source,
    *,
    stop: threading.Event | None = None,
    sinks: tuple[str, ...] = (),
) -> RunOutcome:
    """`crawl --sources FILE --source NAME`: one run of one source into the database (and the
    `--sink` sinks)."""
    from evidence_miner.schedule.runner import run_source

    load_plugins(Outputs(sinks=sinks))  # a mistyped --sink changes nothing (EM360)
    with open_run_store(settings.store.db) as store:
        assert store is not None
        return run_source(store, settings, source, stop=stop, sinks=sinks)


def serve_schedule(
    settings: Settings, sources: SourcesFile, stop: threading.Event, *, sinks: tuple[str, ...] = ()
) -> None:
    """`schedule`: every enabled source's crawl on its schedule until `stop` is set; each run
    gives its results to the database and the `--sink` sinks."""
    from evidence_miner.schedule.scheduler import serve

    load_plugins(Outputs(sinks=sinks))  # a mistyped --sink stops the scheduler at once (EM360)
    with open_run_store(settings.store.db) as store:
        assert store is not None
        serve(settings, sources, store, stop, sinks=sinks)
