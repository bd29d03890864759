"""What the crawl loop needs from a database: the frontier, fetch log and known documents.

The store implements CrawlState (store/crawl_state.py) with plain dicts, so neither stage
imports the other. Every `apply` is one transaction: a crawl killed at any point resumes
from the last step applied, and nothing is stored twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypedDict

# Frontier states. "active" rows were handed to a crawl process; a resumed run queues them again.
QUEUED, ACTIVE, DONE, FAILED, SKIPPED = "queued", "active", "done", "failed", "skipped"
RUNNING, FINISHED, PAUSED = "running", "finished", "paused"


class FrontierItem(TypedDict):
    """A URL to fetch in a run: its host, link hops from a start, and what it likely is."""

    url: str
    host: str
    depth: int
    hint: str  # "page", "feed", "sitemap" or "start"
    source_url: str | None
    attempts: int


class FetchEntry(TypedDict):
    """One row of the fetch log: one HTTP request (with its same-host redirects)."""

    url: str
    final_url: str | None
    status: int | None
    bytes: int
    elapsed: float
    etag: str | None
    last_modified: str | None
    content_type: str | None
    content_sha256: str | None
    outcome: str  # counter key: "ok", "unchanged", "retry/503", "failed/404", "skipped/robots"
    error: str | None


class DocumentValues(TypedDict, total=False):
    """What the crawler remembers of a URL between runs."""

    kind: str  # "robots", "sitemap", "feed", "listing", "article", "alias", "pending"
    etag: str | None
    last_modified: str | None
    content_sha256: str | None
    text_sha256: str | None
    stored_url: str | None  # the URL its page is stored under (itself, or the first copy's)
    body: str | None  # robots.txt only, so that a 304 can reuse it


class FailureValues(TypedDict):
    """A URL whose fetch failed: how, how many runs in a row, and when to ask for it again."""

    status: int | None  # the HTTP status, None for a network error
    reason: str  # counter key: "failed/404", "failed/timeout", ...
    failures: int
    failed_at: datetime
    retry_at: datetime


def to_frontier_item(row: Mapping[str, Any]) -> FrontierItem:
    """A FrontierItem from a row CrawlState.claim returned."""
    return FrontierItem(
        url=str(row["url"]),
        host=str(row["host"]),
        depth=int(row["depth"]),
        hint=str(row["hint"]),
        source_url=row.get("source_url"),
        attempts=int(row.get("attempts") or 0),
    )


class Step(TypedDict, total=False):
    """Changes applied together, in one transaction."""

    fetch: FetchEntry
    settle: tuple[str, str, str | None]  # url, DONE/FAILED/SKIPPED, reason
    retry: tuple[str, int, str]  # url, attempts so far, reason (the row stays ACTIVE)
    documents: dict[str, DocumentValues]  # url -> values to upsert
    links: tuple[str, list[tuple[str, str]]]  # a document's url, its (target url, hint) links
    enqueue: list[FrontierItem]  # new rows; URLs already in the run's frontier are ignored
    failure: tuple[str, FailureValues]  # a URL that failed: remember it (replaces what was)
    recovered: str  # a URL that failed before and was fetched now: forget its failures


class CrawlState(Protocol):
    """Durable crawl state; the crawl loop is its only writer while it runs."""

    def open_run(self, starts: Sequence[str]) -> tuple[int, bool]:
        """The unfinished run with these start URLs (resumed: True; its ACTIVE rows queued
        again), or a new run."""
        ...

    def close_run(self, run_id: int, status: str) -> None: ...

    def claim(
        self, run_id: int, limit: int, *, per_host: int, skip_hosts: Sequence[str] = ()
    ) -> Sequence[Mapping[str, Any]]:
        """Up to `limit` QUEUED rows (at most `per_host` per host, none of `skip_hosts`),
        oldest first, now ACTIVE: FrontierItem fields."""
        ...

    def apply(self, run_id: int, step: Mapping[str, Any]) -> int:
        """Apply one Step in one transaction; returns how many enqueued URLs were new."""
        ...

    def document(self, url: str) -> Mapping[str, Any] | None:
        """DocumentValues fields of a known URL, or None."""
        ...

    def find_text(self, text_sha256: str) -> str | None:
        """The stored_url of a document whose main text has this hash, or None."""
        ...

    def links_of(self, url: str) -> list[tuple[str, str]]: ...

    def failures(self, urls: Sequence[str]) -> Mapping[str, Mapping[str, Any]]:
        """FailureValues fields of the URLs among these that failed when last fetched."""
        ...

    def count_states(self, run_id: int) -> dict[str, int]: ...
