"""Hostile sites (issue 18): answers that used to kill a whole crawl for ever (bad Location
headers, a Retry-After in non-ASCII digits, dates at the ends of the calendar)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from evidence_miner.crawl.crawler import Crawler
from evidence_miner.crawl.discover import parse_web_date
from evidence_miner.crawl.retry import parse_retry_after
from evidence_miner.settings import CrawlSettings
from evidence_miner.store import open_store
from tests.crawl.loopback_site import plain_article
from tests.reliability.fault_server import answer, serve_faults

AREA = "hostile sites"
CRAWL_LIMIT_SECONDS = 30.0
ARTICLE = plain_article("Invented trial of a made-up drug", "2024-03-01", "fakemab")
ROBOTS_OK = answer(200, b"User-agent: *\nAllow: /\n", "text/plain")


def crawl(settings: CrawlSettings, db: Path, starts: list[str]) -> tuple[list[str], str]:
    """Crawl into a real SQLite file: the article URLs yielded and the run's status. A crawl
    still going after CRAWL_LIMIT_SECONDS is stopped (and the test's checks fail)."""
    stop = threading.Event()
    timer = threading.Timer(CRAWL_LIMIT_SECONDS, stop.set)
    timer.start()
    try:
        with open_store(str(db)) as store:
            crawler = Crawler(settings, store.crawl_state(), starts, stop=stop)
            urls = []
            for page in crawler.pages():
                urls.append(page.url)
                crawler.mark_stored(page.url)
            return urls, "stopped" if stop.is_set() else crawler.finish()
    finally:
        timer.cancel()


def frontier(db: Path) -> dict[str, tuple[str, str | None]]:
    with sqlite3.connect(db) as connection:
        return {url: (state, reason) for url, state, reason in
                connection.execute("SELECT url, state, reason FROM crawl_frontier")}  # fmt: skip


# -- item 4: bad Location headers ---------------------------------------------------------------

BAD_LOCATIONS = ["http://127.0.0.1:99999/", "http://[::1", "http://h:abc/", "//127.0.0.1:99999/x"]


def test_crawl_bad_location_headers_fail_their_url_and_the_crawl_goes_on(fast_crawl, store_path, ledger) -> None:
    def build(base: str) -> dict:
        links = "".join(f'<a href="/go/{n}">go</a>' for n in range(len(BAD_LOCATIONS)))
        hub = ARTICLE.replace(b"</body>", links.encode() + b'<a href="/story">story</a></body>')
        actions = {"/robots.txt": ROBOTS_OK, "/": answer(200, hub),
                   "/story": answer(200, plain_article("Second invented trial", "2024-03-02", "otherumab"))}
        for n, location in enumerate(BAD_LOCATIONS):
            actions[f"/go/{n}"] = answer(302, b"", None, Location=location)
        return actions

    with serve_faults(build) as site:
        urls, status = crawl(fast_crawl, store_path, [site.url("/")])
    rows = frontier(store_path)
    failed = {url: reason for url, (state, reason) in rows.items() if "/go/" in url}
    assert status == "finished" and site.url("/story") in urls
    assert len(failed) == len(BAD_LOCATIONS), rows
    assert all(rows[url][0] == "failed" and "[EM621]" in str(reason) for url, reason in failed.items()), failed
    ledger.record(AREA, "redirect to a bad Location (port 99999, 'http://[::1', 'http://h:abc/')",
                  tried=len(BAD_LOCATIONS), expected="that URL fails with EM621, the crawl goes on",
                  observed=f"{len(failed)} failed with EM621, crawl {status}")


# -- item 5: Retry-After in non-ASCII digits ----------------------------------------------------

@pytest.mark.parametrize("value", ["²", "١٢", "１２", "½", "²³", "1²"])
def test_parse_retry_after_non_ascii_digits_are_no_value(value: str) -> None:
    assert parse_retry_after(value) is None


def test_crawl_retry_after_in_superscript_digits_is_ignored(fast_crawl, store_path, ledger) -> None:
    calls = {"n": 0}

    def busy_then_ok(handler) -> None:
        calls["n"] += 1
        reply = answer(503, b"busy", Retry_After="²") if calls["n"] == 1 else answer(200, ARTICLE)
        reply(handler)

    with serve_faults(lambda base: {"/robots.txt": ROBOTS_OK, "/": busy_then_ok}) as site:
        urls, status = crawl(fast_crawl, store_path, [site.url("/")])
    assert urls == [site.url("/")] and status == "finished"
    ledger.record(AREA, "Retry-After: '²' (a digit to str.isdigit, not to float)",
                  expected="treated as absent: retried with backoff", observed=f"article stored, crawl {status}")


# -- item 6: dates at the ends of the calendar --------------------------------------------------

@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00",
                                  "Fri, 31 Dec 9999 23:59:59 -0100"])
def test_parse_web_date_out_of_range_is_unknown(text: str) -> None:
    assert parse_web_date(text) is None


def test_crawl_sitemap_lastmod_and_atom_updated_at_the_calendar_ends(fast_crawl, store_path, ledger) -> None:
    def build(base: str) -> dict:
        sitemap = (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                   f"<url><loc>{base}/a</loc><lastmod>0001-01-01T00:00:00+01:00</lastmod></url></urlset>")
        feed = (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
                f'<entry><title>b</title><link href="{base}/b"/><updated>9999-12-31T23:59:59-01:00</updated>'
                "</entry></feed>")
        return {"/robots.txt": ROBOTS_OK,
                "/sitemap.xml": answer(200, sitemap.encode(), "application/xml"),
                "/feed.xml": answer(200, feed.encode(), "application/atom+xml"),
                "/a": answer(200, ARTICLE),
                "/b": answer(200, plain_article("Second invented trial", "2024-03-02", "otherumab"))}

    with serve_faults(build) as site:
        urls, status = crawl(fast_crawl, store_path, [site.url("/sitemap.xml"), site.url("/feed.xml")])
    assert sorted(urls) == [site.url("/a"), site.url("/b")] and status == "finished"
    ledger.record(AREA, "sitemap lastmod 0001-01-01T00:00:00+01:00, Atom updated 9999-12-31T23:59:59-01:00",
                  tried=2, expected="date unknown, pages fetched", observed=f"both stored, crawl {status}")
