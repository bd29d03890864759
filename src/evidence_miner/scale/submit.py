"""Submit batches of pages to Dask workers and yield their results as they complete."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from distributed import Client, Future, as_completed

from evidence_miner.records import Page
from evidence_miner.scale.wire import from_wire
from evidence_miner.scale.worker import extract_page_dicts
from evidence_miner.settings import Settings
from evidence_miner.workflow import ArticleResult, batched

log = logging.getLogger(__name__)

BATCHES_IN_FLIGHT_PER_WORKER = 2


@dataclass
class Submission:
    """Futures in flight and the urls of each batch, so a lost batch is reported page by page."""

    client: Client
    settings: dict
    queue: as_completed = field(default_factory=as_completed)
    urls: dict[object, list[str]] = field(default_factory=dict)

    def submit(self, pages: list[Page]) -> None:
        dicts = [page.model_dump(mode="json") for page in pages]
        future = self.client.submit(extract_page_dicts, dicts, self.settings, pure=False)
        self.urls[future.key] = [page.url for page in pages]
        self.queue.add(future)

    def collect(self, future: Future, problems: Counter) -> list[ArticleResult]:
        urls = self.urls.pop(future.key)
        try:
            data = future.result()
        except Exception as exc:  # noqa: BLE001 - a lost batch fails its pages, not the run
            log.error("batch of %d pages lost: %r", len(urls), exc, extra={"stage": "scale"})
            return [
                ArticleResult(
                    url=url,
                    error=f"[EM806] The worker processing this page failed: {exc!r}. "
                    "Run again with --resume to retry it.",
                )
                for url in urls
            ]
        finally:
            future.release()
        problems.update(data["problems"])
        return [from_wire(result) for result in data["results"]]


def process_distributed(
    items: Iterable[Page | ArticleResult], settings: Settings, client: Client, *, problems: Counter
) -> Iterator[ArticleResult]:
    """Results of the pages, extracted on the cluster's workers, in the order they finish;
    input errors pass through at once. At most a few batches per worker are in flight, so
    memory follows the batch size, not the input size."""
    submission = Submission(client, settings.model_dump(mode="json"))
    limit = BATCHES_IN_FLIGHT_PER_WORKER * max(1, count_workers(client))
    for batch in batched(items, settings.extract.batch_size):
        yield from (item for item in batch if isinstance(item, ArticleResult))
        pages = [item for item in batch if isinstance(item, Page)]
        if pages:
            submission.submit(pages)
        while submission.queue.count() >= limit:
            yield from submission.collect(next(submission.queue), problems)
    for future in submission.queue:
        yield from submission.collect(future, problems)


def count_workers(client: Client) -> int:
    return len(client.scheduler_info(n_workers=-1).get("workers", {}))
