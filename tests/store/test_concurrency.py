"""Tests of concurrent writers (processes and threads) on both backends: the second waits,
neither fails, nothing is lost."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from collections.abc import Callable
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from evidence_miner.store import EvidenceStore, open_store, to_database_url
from evidence_miner.store.engine import create_store_engine, to_write_engine

SAVES_PER_WRITER = 8
ArticleFactory = Callable[..., Any]


def write_articles(
    db_url: str, writer: int, start: Barrier, build_article: ArticleFactory, shared: bool
) -> None:
    """Run in a forked child process: open the store (maybe migrating it) and save articles;
    `shared` writers save the same pages, the others their own."""
    start.wait(timeout=30)
    with open_store(db_url) as store:
        for index in range(SAVES_PER_WRITER):
            host = "shared" if shared else f"writer{writer}"
            article, records = build_article(f"https://{host}.example/{index}",
                                             lead=f"{host}, article {index}. ")
            store.save_article(article, records, pipeline_version=str(writer))


def run_writers(db_url: str, build_article: ArticleFactory, *, shared: bool) -> list[int | None]:
    context = multiprocessing.get_context("fork")
    start = context.Barrier(2)
    writers = [
        context.Process(target=write_articles, args=(db_url, writer, start, build_article, shared))
        for writer in (1, 2)
    ]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=90)
    return [process.exitcode for process in writers]


def test_two_processes_write_one_new_database_at_once(db_url: str, make_article) -> None:
    assert run_writers(db_url, make_article, shared=False) == [0, 0]
    with open_store(db_url) as store:
        counts = store.counts()
    assert (counts["pages"], counts["records"]) == (2 * SAVES_PER_WRITER, 4 * SAVES_PER_WRITER)


def test_two_processes_rewrite_the_same_pages_at_once(db_url: str, make_article, query) -> None:
    assert run_writers(db_url, make_article, shared=True) == [0, 0]
    with open_store(db_url) as store:
        counts = store.counts()
    assert (counts["pages"], counts["records"], counts["doses"]) \
        == (SAVES_PER_WRITER, 2 * SAVES_PER_WRITER, 2 * SAVES_PER_WRITER)
    versions = query("SELECT DISTINCT pipeline_version FROM record_history ORDER BY 1")
    assert versions == [("1",), ("2",)]


def hold_write_lock(db_path: Path, locked: threading.Event, seconds: float) -> None:
    connection = sqlite3.connect(db_path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    locked.set()
    time.sleep(seconds)
    connection.execute("COMMIT")
    connection.close()


def test_save_article_waits_for_a_sqlite_writer(db_path: Path, make_article) -> None:
    with open_store(str(db_path)) as store:
        locked = threading.Event()
        holder = threading.Thread(target=hold_write_lock, args=(db_path, locked, 0.5))
        holder.start()
        locked.wait(timeout=10)
        started = time.monotonic()
        result = store.save_article(*make_article(), pipeline_version="1")
        waited = time.monotonic() - started
        holder.join()
    assert result.records_written == 2
    assert waited >= 0.3


def hold_store_write(db_url: str, locked: threading.Event, seconds: float) -> None:
    """Another evidence-miner writer: a write transaction of the store's own engine."""
    engine = create_store_engine(to_database_url(db_url))
    with to_write_engine(engine).begin():
        locked.set()
        time.sleep(seconds)
    engine.dispose()


def test_save_article_waits_for_another_store_writer(
    store: EvidenceStore, db_url: str, make_article
) -> None:
    locked = threading.Event()
    holder = threading.Thread(target=hold_store_write, args=(db_url, locked, 0.5))
    holder.start()
    assert locked.wait(timeout=10)
    started = time.monotonic()
    result = store.save_article(*make_article(), pipeline_version="1")
    waited = time.monotonic() - started
    holder.join()
    assert result.records_written == 2
    assert waited >= 0.3
