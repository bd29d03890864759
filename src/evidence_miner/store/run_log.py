"""Scheduled crawls in the store: the run log, per-source locks and earlier versions of pages.

Tables are created by migration 0004_schedule. A lock row names its holder and expires at a
time the holder keeps pushing forward, so a lock of a process that died is taken over.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Index,
    Integer,
    String,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from evidence_miner.store.access import EngineAccess
from evidence_miner.store.crawl_state import CrawlDocumentRow, CrawlFetchRow
from evidence_miner.store.schema import Base, PageRow, UTCDateTime

log = logging.getLogger(__name__)

WRITE_ADVICE = "Check that the database is reachable and writable, then run again."
READ_ADVICE = "Check that the database is reachable and was created by evidence-miner."
COUNT_FIELDS = (
    "pages_new",
    "pages_changed",
    "pages_unchanged",
    "pages_failed",
    "records_added",
    "records_updated",
)
RUN_FIELDS = (
    "id",
    "source",
    "status",
    "started_at",
    "finished_at",
    *COUNT_FIELDS,
    "errors",
    "error",
)


class SourceRunRow(Base):
    """One run of one source: when, what it found, and how it ended."""

    __tablename__ = "source_runs"
    __table_args__ = (Index("ix_source_runs_source_started_at", "source", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(Text)
    holder: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    crawl_run_id: Mapped[int | None] = mapped_column(Integer)
    pages_new: Mapped[int] = mapped_column(Integer, default=0)
    pages_changed: Mapped[int] = mapped_column(Integer, default=0)
    pages_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    pages_failed: Mapped[int] = mapped_column(Integer, default=0)
    records_added: Mapped[int] = mapped_column(Integer, default=0)
    records_updated: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class SourceLockRow(Base):
    """The process crawling a source now, and until when its claim holds without renewal."""

    __tablename__ = "source_locks"

    source: Mapped[str] = mapped_column(Text, primary_key=True)
    holder: Mapped[str] = mapped_column(Text)
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PageVersionRow(Base):
    """The text a page had before a crawl found it changed (a correction, an update)."""

    __tablename__ = "page_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(Text, index=True)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source_run_id: Mapped[int | None] = mapped_column(Integer)


def now_utc() -> datetime:
    return datetime.now(UTC)


class SqlRunLog(EngineAccess):
    """Run log, source locks and page versions on the store's engine."""

    write_code = "EM710"
    read_code = "EM711"
    write_advice = WRITE_ADVICE
    read_advice = READ_ADVICE

    # -- locks --------------------------------------------------------------------------

    def try_lock(self, source: str, holder: str, *, ttl: float, is_dead: Any = None) -> bool:
        """Take the source's lock when it is free, expired, ours, or its holder is dead."""
        now = now_utc()
        values = {"holder": holder, "acquired_at": now, "expires_at": now + timedelta(seconds=ttl)}
        with self._writing("Cannot take a source lock in") as connection:
            row = connection.execute(
                select(SourceLockRow.holder, SourceLockRow.expires_at).where(
                    SourceLockRow.source == source
                )
            ).one_or_none()
            if row is None:
                connection.execute(insert(SourceLockRow).values(source=source, **values))
                return True
            free = (
                row.holder == holder
                or row.expires_at <= now
                or (is_dead is not None and is_dead(row.holder))
            )
            if free:
                connection.execute(
                    update(SourceLockRow).where(SourceLockRow.source == source).values(**values)
                )
            return bool(free)

    def renew_lock(self, source: str, holder: str, *, ttl: float) -> bool:
        """Push the lock's expiry forward; False when it is no longer ours."""
        with self._writing("Cannot renew a source lock in") as connection:
            result = connection.execute(
                update(SourceLockRow)
                .where(SourceLockRow.source == source, SourceLockRow.holder == holder)
                .values(expires_at=now_utc() + timedelta(seconds=ttl))
            )
        return result.rowcount == 1

    def release_lock(self, source: str, holder: str) -> None:
        with self._writing("Cannot release a source lock in") as connection:
            connection.execute(
                delete(SourceLockRow).where(
                    SourceLockRow.source == source, SourceLockRow.holder == holder
                )
            )

    def lock_holder(self, source: str) -> str | None:
        with self._reading("Cannot read source locks from") as connection:
            holder: str | None = connection.execute(
                select(SourceLockRow.holder).where(SourceLockRow.source == source)
            ).scalar_one_or_none()
        return holder

    # -- the run log --------------------------------------------------------------------

    def start_run(self, source: str, holder: str) -> int:
        with self._writing("Cannot start a run log row in") as connection:
            result = connection.execute(
                insert(SourceRunRow).values(
                    source=source,
                    holder=holder,
                    status="running",
                    started_at=now_utc(),
                    errors=0,
                    **dict.fromkeys(COUNT_FIELDS, 0),
                )
            )
        key = result.inserted_primary_key
        assert key is not None  # a single-row INSERT always reports its key
        return int(key[0])

    def finish_run(self, run_id: int, status: str, values: Mapping[str, Any]) -> None:
        """Close a run with its status and counts (COUNT_FIELDS, errors, error, crawl_run_id)."""
        with self._writing("Cannot finish a run log row in") as connection:
            connection.execute(
                update(SourceRunRow)
                .where(SourceRunRow.id == run_id)
                .values(status=status, finished_at=now_utc(), **values)
            )

    def close_abandoned_runs(self, source: str, holder_is_dead: Any) -> int:
        """Mark "running" rows of dead holders "interrupted"; returns how many."""
        with self._writing("Cannot update the run log in") as connection:
            rows = connection.execute(
                select(SourceRunRow.id, SourceRunRow.holder).where(
                    SourceRunRow.source == source, SourceRunRow.status == "running"
                )
            ).all()
            dead = [row.id for row in rows if holder_is_dead(row.holder)]
            if dead:
                connection.execute(
                    update(SourceRunRow)
                    .where(SourceRunRow.id.in_(dead))
                    .values(status="interrupted", error="[EM707] the process running it died")
                )
        return len(dead)

    def list_runs(self, *, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Runs, newest first."""
        query = select(*[getattr(SourceRunRow, f) for f in RUN_FIELDS]).order_by(
            SourceRunRow.id.desc()
        )
        if source is not None:
            query = query.where(SourceRunRow.source == source)
        with self._reading("Cannot read the run log from") as connection:
            rows = connection.execute(query.limit(limit)).all()
        return [dict(row._mapping) for row in rows]

    def last_status(self, source: str) -> str | None:
        with self._reading("Cannot read the run log from") as connection:
            status: str | None = connection.execute(
                select(SourceRunRow.status)
                .where(SourceRunRow.source == source)
                .order_by(SourceRunRow.id.desc())
                .limit(1)
            ).scalar_one_or_none()
        return status

    def count_unchanged_articles(self, crawl_run_id: int, since: datetime) -> int:
        """Articles a crawl run found unchanged by a 304 since `since`."""
        with self._reading("Cannot read the fetch log from") as connection:
            count = connection.execute(
                select(func.count(func.distinct(CrawlFetchRow.url)))
                .join(CrawlDocumentRow, CrawlDocumentRow.url == CrawlFetchRow.url)
                .where(
                    CrawlFetchRow.run_id == crawl_run_id,
                    CrawlFetchRow.outcome == "unchanged",
                    CrawlFetchRow.fetched_at >= since,
                    CrawlDocumentRow.kind == "article",
                )
            ).scalar_one()
        return int(count)

    # -- page versions ------------------------------------------------------------------

    def stored_text_sha256(self, url: str) -> str | None:
        """The text hash of the stored page at `url` ("" for a page without text), or None."""
        with self._reading("Cannot read pages from") as connection:
            row = connection.execute(
                select(PageRow.text_sha256).where(PageRow.url == url)
            ).one_or_none()
        return None if row is None else (row.text_sha256 or "")

    def keep_page_version(self, url: str, run_id: int | None) -> None:
        """Copy the stored page's text to page_versions before a changed version replaces it."""
        with self._writing("Cannot keep a page version in") as connection:
            row = connection.execute(
                select(PageRow.title, PageRow.text, PageRow.text_sha256, PageRow.fetched_at).where(
                    PageRow.url == url
                )
            ).one_or_none()
            if row is not None:
                connection.execute(
                    insert(PageVersionRow).values(
                        url=url, **row._mapping, replaced_at=now_utc(), source_run_id=run_id
                    )
                )
