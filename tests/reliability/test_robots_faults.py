"""robots.txt that fails: 5xx means "disallow all" for a while (the host's URLs stay queued and
robots.txt is asked again), 4xx means "allow all", a huge one is cut, a malformed one is read."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from evidence_miner.sources.web.crawler import Crawler
from evidence_miner.settings import CrawlSettings
from evidence_miner.store import open_store
from tests.sources.web.loopback_site import build_big_site
from tests.reliability.fault_server import MEBIBYTE, answer, from_reply, serve_faults

AREA = "robots.txt"
ARTICLES = 5


def site_with_robots(robots, *, label: str = "") -> Callable[[str], dict]:
    """build_big_site(ARTICLES) with `robots` as its robots.txt action (`label` makes its
    texts differ from another site's: the crawler stores a text seen elsewhere only once)."""
    def build(base: str) -> dict:
        actions = {path: from_reply(reply) for path, reply in build_big_site(ARTICLES, label=label)(base).items()}
        actions["/robots.txt"] = robots
        return actions

    return build


def failing_then(status: int, failures: int, body: bytes = b"User-agent: *\nDisallow:\n"):
    """robots.txt answering `status` for the first `failures` requests, then `body`."""
    calls = {"n": 0}
    lock = threading.Lock()

    def act(handler) -> None:
        with lock:
            calls["n"] += 1
            failing = calls["n"] <= failures
        (answer(status, b"down") if failing else answer(200, body, "text/plain"))(handler)

    return act


def crawl(settings: CrawlSettings, db: Path, starts: list[str]) -> tuple[list[str], Crawler, str]:
    with open_store(str(db)) as store:
        crawler = Crawler(settings, store.crawl_state(), starts)
        urls = []
        for page in crawler.pages():
            urls.append(page.url)
            crawler.mark_stored(page.url)
        return urls, crawler, crawler.finish()


def story_fetches(site) -> int:
    return sum(count for path, count in site.calls.items() if path.startswith("/story/"))


def frontier_states(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        return dict(connection.execute("SELECT state, count(*) FROM crawl_frontier GROUP BY state"))


def test_robots_5xx_disallows_the_host_then_resumes_next_run(fast_crawl, store_path, ledger) -> None:
    attempts = fast_crawl.retries + 1  # every attempt of the first run fails
    with serve_faults(site_with_robots(failing_then(503, attempts))) as site:
        first, _, status = crawl(fast_crawl, store_path, [site.url("/")])
        fetched_while_down = sum(site.calls.values()) - site.calls["/robots.txt"]
        assert first == [] and fetched_while_down == 0 and status == "paused"
        assert "skipped" not in frontier_states(store_path), "URLs were skipped, not kept queued"
        second, _, status = crawl(fast_crawl, store_path, [site.url("/")])
    assert status == "finished" and len(second) == ARTICLES
    ledger.record(AREA, "robots.txt answers 503 (after retries)", expected="disallow all, URLs kept queued, run paused; next run crawls",
                  observed=f"0 pages fetched while down; next run stored {len(second)}/{ARTICLES}",
                  lost=ARTICLES - len(second))


def test_robots_5xx_is_asked_again_within_a_run_after_the_retry_time(fast_crawl, store_path, ledger) -> None:
    """Two hosts: while the second keeps the crawl busy, the first one's robots.txt comes back."""
    settings = fast_crawl.model_copy(update={"robots_retry_seconds": 0.3, "retries": 0})
    with serve_faults(site_with_robots(failing_then(500, 1))) as down, \
            serve_faults(site_with_robots(answer(200, b"", "text/plain"), label="busy")) as busy:  # fmt: skip
        for path in list(busy.actions):
            if path.startswith("/story/"):
                busy.actions[path] = slowed(busy.actions[path], 0.15)
        urls, _, status = crawl(settings, store_path, [down.url("/"), busy.url("/")])
    from_down = [url for url in urls if url.startswith(down.base_url)]
    assert down.calls["/robots.txt"] == 2 and len(from_down) == ARTICLES and status == "finished"
    ledger.record(AREA, "robots.txt answers 500 once, crawl still busy elsewhere",
                  expected="host parked crawl.robots_retry_seconds, robots.txt asked again, host crawled",
                  observed=f"robots.txt asked {down.calls['/robots.txt']}x, {len(from_down)}/{ARTICLES} stored",
                  lost=ARTICLES - len(from_down))


def slowed(action, seconds: float):
    def act(handler) -> None:
        time.sleep(seconds)
        action(handler)

    return act


def test_robots_4xx_allows_everything(fast_crawl, store_path, ledger) -> None:
    for status in (401, 403, 404, 410):
        with serve_faults(site_with_robots(answer(status, b"no"))) as site:
            urls, _, run = crawl(fast_crawl, store_path.with_name(f"r{status}.db"), [site.url("/")])
        assert len(urls) == ARTICLES and run == "finished"
    ledger.record(AREA, "robots.txt answers 4xx (401, 403, 404, 410)", tried=4, expected="allow all",
                  observed=f"{ARTICLES}/{ARTICLES} stored for each")


def test_robots_huge_file_is_cut_at_500_kib_not_refused(fast_crawl, store_path, ledger) -> None:
    """3 MiB: the rules at the top apply, a `Disallow: /` past 500 KiB is not read (RFC 9309)."""
    top = b"User-agent: *\nDisallow: /story/1.html\n"
    filler = b"# " + b"x" * 1000 + b"\n"
    huge = top + filler * (3 * MEBIBYTE // len(filler)) + b"User-agent: *\nDisallow: /\n"
    settings = fast_crawl.model_copy(update={"max_body_bytes": MEBIBYTE})
    with serve_faults(site_with_robots(answer(200, huge, "text/plain"))) as site:
        urls, crawler, _ = crawl(settings, store_path, [site.url("/")])
    assert sorted(urls) == sorted(site.url(f"/story/{n}.html") for n in range(ARTICLES) if n != 1)
    assert crawler.stats.counters["fetch/skipped/robots"] == 1
    ledger.record(AREA, "robots.txt of 3 MiB (limit 1 MiB)", expected="first 500 KiB parsed, its rules obeyed",
                  observed=f"{len(urls)} stored, 1 disallowed by the top rules")


def test_robots_malformed_files_are_read_without_crashing(fast_crawl, store_path, ledger) -> None:
    bodies = {
        "binary": bytes(range(256)) * 64,
        "nul-bytes": b"User-agent: *\x00\nDisallow: /story/2.html\x00\n",
        "long-line": b"Disallow: /" + b"a" * 2_000_000 + b"\n",
        "no-user-agent": b"Disallow: /\nCrawl-delay: banana\nSitemap: javascript:alert(1)\n",
        "html-error-page": b"<html><body><h1>Welcome!</h1></body></html>",
    }
    for name, body in bodies.items():
        with serve_faults(site_with_robots(answer(200, body, "text/plain"))) as site:
            urls, crawler, status = crawl(fast_crawl, store_path.with_name(f"{name}.db"), [site.url("/")])
        assert status == "finished", name
        assert len(urls) + crawler.stats.counters["fetch/skipped/robots"] == ARTICLES, name
    ledger.record(AREA, "malformed robots.txt (binary, NUL bytes, 2 MB line, no group, HTML)", tried=len(bodies),
                  expected="parsed leniently, no crash; every URL stored or skipped by a rule",
                  observed="all runs finished")
