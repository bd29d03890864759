"""Wire the stages together for one batch: read pages -> extract -> normalise -> store."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from evidence_miner import __version__
from evidence_miner.sources.archives import ARCHIVE_SUFFIXES, is_archive_path, iter_archive_pages
from evidence_miner.sources.read import find_article_paths, read_page
from evidence_miner.errors import EvidenceMinerError, InputError
from evidence_miner.records import Article, EvidenceRecord, Page

if TYPE_CHECKING:  # spaCy, the pipeline and pint load in seconds: only where pages are extracted
    from spacy.language import Language

    from evidence_miner.settings import Settings

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


def skip_done(items: Iterable[Page | ArticleResult], find_done: DoneLookup, *, batch_size: int) -> Iterator[Page | ArticleResult]:
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


def extract_batch(nlp: Language, pages: list[Page], batch_size: int) -> list[Article | ArticleResult]:
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


def process_batch(nlp: Language, items: list, settings: Settings, problems: Counter) -> Iterator[ArticleResult]:
    pages = [item for item in items if isinstance(item, Page)]
    extracted = iter(extract_batch(nlp, pages, settings.extract.batch_size))
    for item in items:
        if isinstance(item, ArticleResult):
            yield item
            continue
        done = next(extracted)
        yield done if isinstance(done, ArticleResult) else to_result(done, problems)


def to_result(article: Article, problems: Counter) -> ArticleResult:
    from evidence_miner.normalise.article import normalise_article

    try:
        records = normalise_article(article, pipeline_version=PIPELINE_VERSION, problems=problems)
    except EvidenceMinerError as exc:
        return ArticleResult(url=article.page.url, error=str(exc))
    return ArticleResult(url=article.page.url, article=article, records=records)


def process_pages(items: Iterable[Page | ArticleResult], settings: Settings, *, nlp: Language | None = None, problems: Counter | None = None) -> Iterator[ArticleResult]:
    """Extract and normalise pages (from files or the crawler) in order; an ArticleResult
    already carrying an error passes through. One bad page never stops the batch."""
    from evidence_miner.extract.pipeline import build_pipeline

    nlp = nlp or build_pipeline(settings.extract.model, ner_model=settings.extract.ner_model,
                                study_model=settings.extract.study_model)
    problems = problems if problems is not None else Counter()
    for batch in batched(items, settings.extract.batch_size):
        yield from process_batch(nlp, batch, settings, problems)


def process_paths(paths: Sequence[Path], settings: Settings, *, nlp: Language | None = None, problems: Counter | None = None) -> Iterator[ArticleResult]:
    """Results of saved files in input order; one bad input never stops the batch."""
    yield from process_pages(read_pages(paths, settings), settings, nlp=nlp, problems=problems)


def find_inputs(paths: Sequence[Path], settings: Settings) -> tuple[list[Path], list[InputError]]:
    """Article files and archives (WARC, JSONL, gzipped pages) under the paths, and the bad paths."""
    extensions = [*settings.input.extensions, *ARCHIVE_SUFFIXES]
    return find_article_paths(paths, extensions=extensions)


def to_result_dict(result: ArticleResult) -> dict:
    """A result as plain data, to cross a process boundary."""
    return {"url": result.url, "error": result.error, "skipped": result.skipped,
            "article": None if result.article is None else result.article.model_dump(mode="json"),
            "records": [record.model_dump(mode="json") for record in result.records]}


def from_result_dict(data: dict) -> ArticleResult:
    article = None if data["article"] is None else Article.model_validate(data["article"])
    records = [EvidenceRecord.model_validate(record) for record in data["records"]]
    return ArticleResult(url=data["url"], article=article, records=records, error=data["error"], skipped=data["skipped"])
