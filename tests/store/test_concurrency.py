"""Tests of concurrent writers on one SQLite file: the second waits, neither fails."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from collections.abc import Callable
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from evidence_miner.store import EvidenceStore, open_store

SAVES_PER_WRITER = 8
ArticleFactory = Callable[..., Any]


def write_articles(
    db_path: str, writer: int, start: Barrier, build_article: ArticleFactory
) -> None:
    """Run in a forked child process: open the store (maybe migrating it) and save articles."""
    start.wait(timeout=30)
    with open_store(db_path) as store:
        for index in range(SAVES_PER_WRITER):
            url = f"https://writer{writer}.example/{index}"
            article, records = build_article(url, lead=f"Writer {writer}, article {index}. ")
            store.save_article(article, records, pipeline_version="1")


def test_two_processes_write_one_new_file_at_once(db_path: Path, make_article) -> None:
    context = multiprocessing.get_context("fork")
    start = context.Barrier(2)
    writers = [
        context.Process(target=write_articles, args=(str(db_path), writer, start, make_article))
        for writer in (1, 2)
    ]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=60)
    assert [process.exitcode for process in writers] == [0, 0]
    with open_store(str(db_path)) as store:
        counts = store.counts()
    assert (counts["pages"], counts["records"]) == (2 * SAVES_PER_WRITER, 4 * SAVES_PER_WRITER)


def hold_write_lock(db_path: Path, locked: threading.Event, seconds: float) -> None:
    connection = sqlite3.connect(db_path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    locked.set()
    time.sleep(seconds)
    connection.execute("COMMIT")
    connection.close()


def test_save_article_waits_for_another_writer(
    store: EvidenceStore, db_path: Path, make_article
) -> None:
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
