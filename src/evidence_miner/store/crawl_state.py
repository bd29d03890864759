"""The crawler's durable state in the store: runs, frontier, fetch log, documents and links.

Implements the crawl stage's CrawlState protocol (sources/web/state.py) with plain dicts, so the
store does not import the crawl stage. Tables are created by migrations 0002_crawl_state
and 0005_crawl_failures.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    case,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from evidence_miner.store.access import EngineAccess
from evidence_miner.store.schema import Base, UTCDateTime

log = logging.getLogger(__name__)

QUEUED, ACTIVE = "queued", "active"
OPEN_RUN_STATUSES = ("running", "paused")
CHUNK = 500
WRITE_ADVICE = "The crawl step was not saved; run the crawl again to resume it."
READ_ADVICE = "Check that the database is reachable and was created by evidence-miner."
DOCUMENT_FIELDS = (
    "kind", "etag", "last_modified", "content_sha256", "text_sha256", "stored_url", "body",
)  # fmt: skip
FRONTIER_FIELDS = ("url", "host", "depth", "hint", "source_url", "attempts")
FAILURE_FIELDS = ("status", "reason", "failures", "failed_at", "retry_at")
# Hints and document kinds of what is likely new on a recrawl (the crawl stage's names).
INDEX_HINTS = ("start", "feed", "sitemap")
INDEX_KINDS = ("feed", "sitemap")


class CrawlRunRow(Base):
    """One crawl: its start URLs and whether it finished (an unfinished one is resumed)."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    starts: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CrawlFrontierRow(Base):
    """A URL of a run and how far the crawler got with it."""

    __tablename__ = "crawl_frontier"
    __table_args__ = (
        UniqueConstraint("run_id", "url", name="uq_crawl_frontier_run_id_url"),
        Index("ix_crawl_frontier_run_id_state", "run_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    host: Mapped[str] = mapped_column(Text)
    depth: Mapped[int] = mapped_column(Integer)
    hint: Mapped[str] = mapped_column(String(16))
    source_url: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CrawlFetchRow(Base):
    """The fetch log: one row per HTTP request."""

    __tablename__ = "crawl_fetches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(Integer, index=True)
    url: Mapped[str] = mapped_column(Text, index=True)
    final_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer)
    elapsed: Mapped[float] = mapped_column(Float)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(Text)
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CrawlDocumentRow(Base):
    """What the crawler knows of a URL between runs: validators, hashes, where it is stored."""

    __tablename__ = "crawl_documents"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    text_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    stored_url: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CrawlLinkRow(Base):
    """The links a listing page, feed or sitemap had when last fetched (reused on a 304)."""

    __tablename__ = "crawl_links"

    source_url: Mapped[str] = mapped_column(Text, primary_key=True)
    target_url: Mapped[str] = mapped_column(Text, primary_key=True)
    hint: Mapped[str] = mapped_column(String(16))


class CrawlFailureRow(Base):
    """A URL whose last fetch failed, how many runs in a row, and when to ask for it again."""

    __tablename__ = "crawl_failures"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    status: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    failures: Mapped[int] = mapped_column(Integer)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retry_at: Mapped[datetime] = mapped_column(UTCDateTime)


def now_utc() -> datetime:
    return datetime.now(UTC)


def chunked(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class SqlCrawlState(EngineAccess):
    """CrawlState on the store's engine; writes take SQLite's write lock when they begin."""

    write_advice = WRITE_ADVICE
    read_advice = READ_ADVICE

    def open_run(self, starts: Sequence[str]) -> tuple[int, bool]:
        """Resume the newest unfinished run with the same start URLs, or begin a new one."""
        wanted = sorted(set(starts))
        with self._writing("Cannot open a crawl run in") as connection:
            for run_id, run_starts in connection.execute(
                select(CrawlRunRow.id, CrawlRunRow.starts)
                .where(CrawlRunRow.status.in_(OPEN_RUN_STATUSES))
                .order_by(CrawlRunRow.id.desc())
            ):
                if sorted(run_starts) == wanted:
                    requeue_active(connection, run_id)
                    mark_run(connection, run_id, "running", finished=False)
                    return run_id, True
            return insert_run(connection, wanted), False

    def close_run(self, run_id: int, status: str) -> None:
        with self._writing("Cannot close a crawl run in") as connection:
            mark_run(connection, run_id, status, finished=status == "finished")

    def claim(
        self, run_id: int, limit: int, *, per_host: int, skip_hosts: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        """Up to `limit` QUEUED rows, at most `per_host` of each host, oldest first: now ACTIVE."""
        with self._writing("Cannot read the crawl frontier in") as connection:
            rows = connection.execute(select_claimable(run_id, limit, per_host, skip_hosts)).all()
            for ids in chunked([row.id for row in rows]):
                connection.execute(
                    update(CrawlFrontierRow)
                    .where(CrawlFrontierRow.id.in_(ids))
                    .values(state=ACTIVE, updated_at=now_utc())
                )
        return [{field: getattr(row, field) for field in FRONTIER_FIELDS} for row in rows]

    def apply(self, run_id: int, step: Mapping[str, Any]) -> int:
        """Write one crawl step (fetch log, frontier changes, documents, links) atomically."""
        with self._writing("Cannot save a crawl step to") as connection:
            now = now_utc()
            if "fetch" in step:
                connection.execute(
                    insert(CrawlFetchRow).values(**step["fetch"], run_id=run_id, fetched_at=now)
                )
            if "retry" in step:
                url, attempts, reason = step["retry"]
                set_frontier(
                    connection, run_id, url, attempts=attempts, reason=reason, updated_at=now
                )
            if "settle" in step:
                url, state, reason = step["settle"]
                set_frontier(connection, run_id, url, state=state, reason=reason, updated_at=now)
            for url, values in step.get("documents", {}).items():
                upsert_document(connection, url, values, now=now)
            if "links" in step:
                replace_links(connection, *step["links"])
            write_failure_memory(connection, step)
            return enqueue(connection, run_id, step.get("enqueue", []), now=now)

    def document(self, url: str) -> dict[str, Any] | None:
        with self._reading("Cannot read crawl documents from") as connection:
            row = connection.execute(
                select(*[getattr(CrawlDocumentRow, f) for f in DOCUMENT_FIELDS]).where(
                    CrawlDocumentRow.url == url
                )
            ).one_or_none()
        return None if row is None else dict(row._mapping)

    def find_text(self, text_sha256: str) -> str | None:
        with self._reading("Cannot read crawl documents from") as connection:
            stored: str | None = connection.execute(
                select(CrawlDocumentRow.stored_url)
                .where(
                    CrawlDocumentRow.text_sha256 == text_sha256,
                    CrawlDocumentRow.stored_url.is_not(None),
                )
                .order_by(CrawlDocumentRow.updated_at)
                .limit(1)
            ).scalar_one_or_none()
        return stored

    def links_of(self, url: str) -> list[tuple[str, str]]:
        with self._reading("Cannot read crawl links from") as connection:
            rows = connection.execute(
                select(CrawlLinkRow.target_url, CrawlLinkRow.hint).where(
                    CrawlLinkRow.source_url == url
                )
            ).all()
        return [(row.target_url, row.hint) for row in rows]

    def failures(self, urls: Sequence[str]) -> dict[str, dict[str, Any]]:
        """FailureValues fields of the URLs among these that failed when last fetched."""
        columns = [getattr(CrawlFailureRow, f) for f in FAILURE_FIELDS]
        found: dict[str, dict[str, Any]] = {}
        with self._reading("Cannot read crawl failures from") as connection:
            for chunk in chunked(list(urls)):
                query = select(CrawlFailureRow.url, *columns).where(CrawlFailureRow.url.in_(chunk))
                found.update(
                    {
                        row.url: {f: getattr(row, f) for f in FAILURE_FIELDS}
                        for row in connection.execute(query)
                    }
                )
        return found

    def count_states(self, run_id: int) -> dict[str, int]:
        with self._reading("Cannot count the crawl frontier in") as connection:
            rows = connection.execute(
                select(CrawlFrontierRow.state, func.count())
                .where(CrawlFrontierRow.run_id == run_id)
                .group_by(CrawlFrontierRow.state)
            ).all()
        return {state: int(count) for state, count in rows}

    def copies_of(self, stored_url: str) -> list[str]:
        """Every URL whose page is stored under `stored_url` (syndicated copies, redirects)."""
        with self._reading("Cannot read crawl documents from") as connection:
            rows = connection.execute(
                select(CrawlDocumentRow.url)
                .where(CrawlDocumentRow.stored_url == stored_url)
                .order_by(CrawlDocumentRow.url)
            ).scalars()
            return list(rows)


def select_claimable(run_id: int, limit: int, per_host: int, skip_hosts: Sequence[str]) -> Select:
    """QUEUED rows numbered within their host, so that one big host cannot starve the rest;
    what is likely new comes first (see to_claim_priority), then the oldest."""
    columns = [getattr(CrawlFrontierRow, f) for f in FRONTIER_FIELDS]
    priority = to_claim_priority().label("priority")
    rank = (
        func.row_number()
        .over(partition_by=CrawlFrontierRow.host, order_by=(priority, CrawlFrontierRow.id))
        .label("rank")
    )
    queued = (
        select(CrawlFrontierRow.id, *columns, priority, rank)
        .outerjoin(CrawlDocumentRow, CrawlDocumentRow.url == CrawlFrontierRow.url)
        .where(CrawlFrontierRow.run_id == run_id, CrawlFrontierRow.state == QUEUED)
        .where(CrawlFrontierRow.host.not_in(list(skip_hosts)))
        .subquery()
    )
    return (
        select(queued.c.id, *[queued.c[f] for f in FRONTIER_FIELDS])
        .where(queued.c.rank <= per_host)
        .order_by(queued.c.priority, queued.c.id)
        .limit(limit)
    )


def to_claim_priority() -> Any:
    """Order of a recrawl, most likely new first: start URLs, feeds and sitemaps (0); section
    and listing pages (1); URLs never fetched, or not stored yet (2); known articles and other
    documents, likely unchanged (3)."""
    return case(
        (CrawlFrontierRow.hint.in_(INDEX_HINTS) | CrawlDocumentRow.kind.in_(INDEX_KINDS), 0),
        (CrawlDocumentRow.kind == "listing", 1),
        (CrawlDocumentRow.url.is_(None) | (CrawlDocumentRow.kind == "pending"), 2),
        else_=3,
    )


def write_failure_memory(connection: Connection, step: Mapping[str, Any]) -> None:
    """A step's `failure` (upserted) and `recovered` (deleted) URLs."""
    if "recovered" in step:
        connection.execute(delete(CrawlFailureRow).where(CrawlFailureRow.url == step["recovered"]))
    if "failure" in step:
        url, values = step["failure"]
        connection.execute(delete(CrawlFailureRow).where(CrawlFailureRow.url == url))
        connection.execute(insert(CrawlFailureRow).values(url=url, **values))


def insert_run(connection: Connection, starts: list[str]) -> int:
    result = connection.execute(
        insert(CrawlRunRow).values(starts=starts, status="running", started_at=now_utc())
    )
    key = result.inserted_primary_key
    assert key is not None  # a single-row INSERT always reports its key
    return int(key[0])


def mark_run(connection: Connection, run_id: int, status: str, *, finished: bool) -> None:
    connection.execute(
        update(CrawlRunRow)
        .where(CrawlRunRow.id == run_id)
        .values(status=status, finished_at=now_utc() if finished else None)
    )


def requeue_active(connection: Connection, run_id: int) -> None:
    """Rows a killed crawl had in hand go back to the queue."""
    connection.execute(
        update(CrawlFrontierRow)
        .where(CrawlFrontierRow.run_id == run_id, CrawlFrontierRow.state == ACTIVE)
        .values(state=QUEUED, updated_at=now_utc())
    )


def set_frontier(connection: Connection, run_id: int, url: str, **values: Any) -> None:
    connection.execute(
        update(CrawlFrontierRow)
        .where(CrawlFrontierRow.run_id == run_id, CrawlFrontierRow.url == url)
        .values(**values)
    )


def upsert_document(
    connection: Connection, url: str, values: Mapping[str, Any], *, now: datetime
) -> None:
    known = {key: value for key, value in values.items() if key in DOCUMENT_FIELDS}
    exists = connection.execute(
        select(CrawlDocumentRow.url).where(CrawlDocumentRow.url == url)
    ).one_or_none()
    if exists is None:
        connection.execute(
            insert(CrawlDocumentRow).values(
                url=url, kind=known.pop("kind", "page"), **known, updated_at=now
            )
        )
    else:
        connection.execute(
            update(CrawlDocumentRow)
            .where(CrawlDocumentRow.url == url)
            .values(**known, updated_at=now)
        )


def replace_links(
    connection: Connection, source_url: str, links: Sequence[tuple[str, str]]
) -> None:
    connection.execute(delete(CrawlLinkRow).where(CrawlLinkRow.source_url == source_url))
    unique = dict(links)
    if unique:
        connection.execute(
            insert(CrawlLinkRow),
            [{"source_url": source_url, "target_url": t, "hint": h} for t, h in unique.items()],
        )


def enqueue(
    connection: Connection, run_id: int, items: Sequence[Mapping[str, Any]], *, now: datetime
) -> int:
    """Insert the items whose URL the run's frontier does not have yet; returns how many."""
    fresh = {item["url"]: item for item in items}
    for urls in chunked(list(fresh)):
        known = connection.execute(
            select(CrawlFrontierRow.url).where(
                CrawlFrontierRow.run_id == run_id, CrawlFrontierRow.url.in_(urls)
            )
        ).scalars()
        for url in known:
            fresh.pop(url, None)
    if fresh:
        rows = [to_frontier_row(item, run_id, now) for item in fresh.values()]
        connection.execute(insert(CrawlFrontierRow), rows)
    return len(fresh)


def to_frontier_row(item: Mapping[str, Any], run_id: int, now: datetime) -> dict[str, Any]:
    row = {field: item.get(field) for field in FRONTIER_FIELDS}
    row.update(attempts=item.get("attempts", 0), run_id=run_id, state=QUEUED, updated_at=now)
    return row
