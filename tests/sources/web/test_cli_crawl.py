"""`evidence-miner crawl` and `text` as real subprocesses against the loopback test site,
including a crawl killed with SIGKILL part-way and resumed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.sources.web.loopback_site import (
    DISALLOWED_PREFIX,
    EXPECTED,
    FAST_CRAWL,
    PARTNER_PATH,
    SITE,
    build_big_site,
    build_test_site,
    serve,
)

EXE = Path(sys.executable).with_name("evidence-miner")


def write_config(folder: Path, **extra: object) -> Path:
    values = {**FAST_CRAWL, **extra}
    lines = ["[crawl]"] + [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    path = folder / "fast.toml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([str(EXE), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=240, check=False)


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db, timeout=30) as connection:
        return connection.execute(sql).fetchall()


@pytest.mark.slow
def test_cli_crawl_stores_every_article_once_and_a_second_run_fetches_nothing(tmp_path: Path) -> None:
    config, db = write_config(tmp_path), tmp_path / "site.db"
    with serve(build_test_site) as site:
        first = cli("crawl", site.url("/"), "--db", str(db), "--config", str(config), cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        assert "articles stored" in first.stdout
        pages = {url.removeprefix(site.base_url): (title, published)
                 for url, title, published in query(db, "SELECT url, title, published FROM pages")}  # fmt: skip
        records = query(db, "SELECT count(*) FROM records")[0][0]
        before = len(site.requests)
        second = cli("crawl", site.url("/"), "--db", str(db), "--config", str(config), "--quiet", cwd=tmp_path)
        assert second.returncode == 0, second.stderr
        assert second.stdout == ""
    expected = {e.path: (e.title, e.published) for e in EXPECTED}
    if PARTNER_PATH in pages:  # the syndicated copy may be found first: stored once either way
        expected[PARTNER_PATH] = expected.pop(EXPECTED[0].path)
    assert pages == expected
    assert not [seen for seen in site.requests if seen.path.startswith(DISALLOWED_PREFIX)]
    assert query(db, "SELECT count(*) FROM pages")[0][0] == len(EXPECTED)
    assert query(db, "SELECT count(*) FROM records")[0][0] == records
    unchanged = [seen for seen in site.requests[before:] if seen.status == 200 and seen.path in expected]
    assert unchanged == []


@pytest.mark.slow
def test_cli_crawl_killed_part_way_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    count = 40
    config, db = write_config(tmp_path), tmp_path / "big.db"
    with serve(build_big_site(count), request_delay=0.03) as site:
        args = [str(EXE), "crawl", site.url("/"), "--db", str(db), "--config", str(config), "--quiet"]
        process = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and process.poll() is None:
                if db.exists() and stored_pages(db) >= 5:
                    break
                time.sleep(0.05)
            assert process.poll() is None, "the crawl ended before it could be killed"
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
        at_kill = stored_pages(db)
        assert 5 <= at_kill < count
        resumed = cli("crawl", site.url("/"), "--db", str(db), "--config", str(config), "--quiet", cwd=tmp_path)
        assert resumed.returncode == 0, resumed.stderr
        article_fetches = [s for s in site.requests if s.status == 200 and s.path.startswith("/story/")]
    urls = [url for (url,) in query(db, "SELECT url FROM pages")]
    assert len(urls) == len(set(urls)) == count
    texts = [digest for (digest,) in query(db, "SELECT text_sha256 FROM pages")]
    assert len(set(texts)) == count
    assert query(db, "SELECT status FROM crawl_runs") == [("finished",)]
    assert query(db, "SELECT count(*) FROM crawl_frontier WHERE state IN ('queued', 'active')") == [(0,)]
    in_hand = 16 + 8  # an extraction batch and the fetches in flight when it was killed
    assert len(article_fetches) <= count + in_hand


def stored_pages(db: Path) -> int:
    try:
        return int(query(db, "SELECT count(*) FROM pages")[0][0])
    except sqlite3.Error:
        return 0


def test_cli_text_prints_text_and_metadata_sources_as_json(tmp_path: Path) -> None:
    saved = tmp_path / "coffee.html"
    saved.write_bytes((SITE / "letters.html").read_text("utf-8").encode("cp1252"))
    with serve(build_test_site) as site:
        url = site.url("/trade/semaglutide-liver-fat")
        result = cli("text", str(saved), url, "--json", "--config", str(write_config(tmp_path)), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["path"] == str(saved) and first["title"] == "Coffee and sleep: a pilot report"
    assert "Zoë Lefèvre" in first["text"] and first["published"] == "2024-01-12"
    assert second["url"] == url and second["published"] == "2024-05-02"
    assert second["metadata_sources"]["title"] == "og:title"
    assert "EARLYBIRD" not in second["text"] and "A larger phase 3 trial" in second["text"]


def test_cli_text_refuses_a_page_robots_txt_disallows(tmp_path: Path) -> None:
    with serve(build_test_site) as site:
        result = cli("text", site.url("/private/drafts/x.html"), "--config", str(write_config(tmp_path)), cwd=tmp_path)
        assert not site.requested("/private/drafts/x.html")
    assert result.returncode == 2 and "EM613" in result.stderr


def test_cli_crawl_refuses_a_start_that_is_not_a_url(tmp_path: Path) -> None:
    result = cli("crawl", "ftp://example.org/", "--db", str(tmp_path / "x.db"), cwd=tmp_path)
    assert result.returncode == 2 and "EM601" in result.stderr


def test_cli_crawl_exits_3_when_nothing_answers(tmp_path: Path) -> None:
    with serve(build_test_site) as site:
        closed = site.base_url  # the server is stopped below: its port refuses connections
    result = cli("crawl", closed + "/", "--db", str(tmp_path / "x.db"), "--quiet",
                 "--config", str(write_config(tmp_path)), cwd=tmp_path)  # fmt: skip
    assert result.returncode == 3, result.stderr


def closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cli_crawl_with_an_unreachable_robots_host_says_so_and_names_the_host(tmp_path: Path) -> None:
    config = write_config(tmp_path, retries=0)
    host = f"127.0.0.1:{closed_port()}"
    result = cli("crawl", f"http://{host}/", "--db", str(tmp_path / "c.db"), "--config", str(config), cwd=tmp_path)
    assert result.returncode == 3
    assert "--max-pages" not in result.stdout + result.stderr
    assert "EM531" in result.stderr and f"robots.txt of {host} (connection" in result.stderr
    assert f"http://{host}/robots.txt unavailable" in result.stderr  # the WARNING names it too


def test_cli_crawl_stopped_at_max_pages_says_how_many(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    with serve(build_test_site) as site:
        result = cli("crawl", site.url("/"), "--db", str(tmp_path / "c.db"), "--config", str(config),
                     "--max-pages", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "stopped at --max-pages (2 documents)" in result.stdout
