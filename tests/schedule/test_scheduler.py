"""`evidence-miner schedule` as real subprocesses: stopped with SIGTERM mid-crawl and restarted
(nothing lost, nothing twice, the lock released), and two schedulers on one database."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest

from tests.sources.web.loopback_site import FAST_CRAWL, build_big_site, serve
from tests.schedule.news_site import article_path, build_news_site, to_article, to_feed

pytestmark = [pytest.mark.slow, pytest.mark.network]

WAIT_SECONDS = 90
# The real command, with the shortest interval a sources file may give lowered from a minute
# to a second in this test process only, so that a few runs fit in a test.
LAUNCHER = (
    "import evidence_miner.schedule.sources as sources; sources.MIN_INTERVAL_SECONDS = 1.0; "
    "from evidence_miner.cli.main import main; main()"
)


def write_files(folder: Path, start: str, interval: str) -> list[str]:
    """The sources file and a fast crawl config; the scheduler's arguments."""
    config = folder / "fast.toml"
    config.write_text(
        "[crawl]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in FAST_CRAWL.items()), "utf-8"
    )
    sources = folder / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "big"\nstart_urls = ["{start}"]\ninterval = "{interval}"\n', "utf-8"
    )
    return [
        "schedule",
        "--sources",
        str(sources),
        "--db",
        str(folder / "big.db"),
        "--config",
        str(config),
    ]


def start(args: list[str], cwd: Path, log_name: str) -> subprocess.Popen:
    log = (cwd / log_name).open("w")
    return subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, "--log-format", "json", *args], cwd=cwd, stdout=log, stderr=log
    )


def stop(process: subprocess.Popen) -> int:
    """SIGTERM, then wait; a scheduler still running after WAIT_SECONDS is killed (and fails)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return -999


def query(db: Path, sql: str) -> list[tuple]:
    try:
        with sqlite3.connect(db, timeout=30) as connection:
            return connection.execute(sql).fetchall()
    except sqlite3.OperationalError:  # not created yet
        return []


def wait_for(check: Callable[[], bool], processes: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        assert all(p.poll() is None for p in processes), "a scheduler exited early"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def count(db: Path, sql: str) -> int:
    rows = query(db, sql)
    return int(rows[0][0]) if rows else 0


def test_schedule_sigterm_mid_crawl_then_restart_loses_nothing(tmp_path: Path) -> None:
    db, total = tmp_path / "big.db", 40
    with serve(build_big_site(total), request_delay=0.04) as site:
        args = write_files(tmp_path, site.url("/"), "2s")
        first = start(args, tmp_path, "first.log")
        try:
            wait_for(lambda: count(db, "SELECT count(*) FROM pages") >= 3, [first])
        finally:
            first_code = stop(first)
        stored_at_stop = count(db, "SELECT count(*) FROM pages")
        assert first_code == 0, (tmp_path / "first.log").read_text()
        assert query(db, "SELECT count(*) FROM source_locks") == [(0,)]
        assert query(db, "SELECT status FROM source_runs") == [("interrupted",)]
        second = start(args, tmp_path, "second.log")
        try:
            wait_for(
                lambda: (
                    count(db, "SELECT count(*) FROM source_runs WHERE status = 'finished'") >= 2
                ),
                [second],
            )
        finally:
            second_code = stop(second)
        ok = Counter(
            seen.path
            for seen in site.requests
            if seen.status == 200 and seen.path.startswith("/story/")
        )
    assert second_code == 0, (tmp_path / "second.log").read_text()
    assert stored_at_stop < total
    assert count(db, "SELECT count(*) FROM pages") == total
    assert count(db, "SELECT count(*) FROM records") == count(
        db, "SELECT count(DISTINCT record_id) FROM records"
    )
    assert len(ok) == total and set(ok.values()) == {1}  # every article fetched whole once
    assert query(db, "SELECT count(*) FROM source_locks") == [(0,)]
    statuses = [row[0] for row in query(db, "SELECT status FROM source_runs ORDER BY id")]
    assert statuses[0] == "interrupted" and set(statuses[1:]) <= {"finished", "interrupted"}
    log_lines = [
        json.loads(line)
        for line in (tmp_path / "second.log").read_text().splitlines()
        if line.startswith("{")
    ]
    assert any(line.get("source") == "big" and line.get("run_id") for line in log_lines)


def test_schedule_two_schedulers_never_crawl_a_source_at_once(tmp_path: Path) -> None:
    db, total = tmp_path / "big.db", 10
    with serve(build_big_site(total), request_delay=0.05) as site:
        args = write_files(tmp_path, site.url("/"), "1s")
        processes = [start(args, tmp_path, f"scheduler-{n}.log") for n in (1, 2)]
        try:
            wait_for(
                lambda: (
                    count(db, "SELECT count(*) FROM source_runs WHERE status = 'finished'") >= 4
                ),
                processes,
            )
        finally:
            codes = [stop(process) for process in processes]
    assert codes == [0, 0], [(tmp_path / f"scheduler-{n}.log").read_text()[-2000:] for n in (1, 2)]
    runs = query(db, "SELECT started_at, finished_at, holder FROM source_runs ORDER BY started_at")
    assert len(runs) >= 4
    for (_, finished, _), (started, _, _) in pairwise(runs):
        assert finished <= started  # the runs never overlap
    assert count(db, "SELECT count(*) FROM pages") == total
    assert query(db, "SELECT count(*) FROM source_locks") == [(0,)]


def test_schedule_picks_up_a_new_article_within_one_interval(tmp_path: Path) -> None:
    db, interval = tmp_path / "big.db", 3.0
    articles = {"alpha": ("atorvastatin", 1), "beta": ("metformin", 1)}
    with serve(build_news_site(articles)) as site:
        args = write_files(tmp_path, site.url("/feed.xml"), f"{interval:g}s")
        process = start(args, tmp_path, "scheduler.log")
        try:
            wait_for(
                lambda: (
                    count(db, "SELECT count(*) FROM source_runs WHERE status = 'finished'") >= 1
                ),
                [process],
            )
            site.routes["/feed.xml"].body = to_feed(site.base_url, [*articles, "gamma"])
            site.routes[article_path("gamma")] = to_article("gamma", "colchicine")
            published = time.monotonic()
            wait_for(lambda: count(db, "SELECT count(*) FROM pages") == 3, [process])
            took = time.monotonic() - published
        finally:
            code = stop(process)
    assert code == 0, (tmp_path / "scheduler.log").read_text()
    assert took < interval + 5.0  # the next run, plus its crawl and extraction
