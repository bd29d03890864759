"""The fetcher and the crawler against a misbehaving server on 127.0.0.1: 5xx, 429, resets,
drips, short bodies, bombs, huge pages, redirect loops, spider traps, bad types and charsets."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from evidence_miner.sources.web.crawler import Crawler
from evidence_miner.sources.web.document import UNKNOWN, read_document, to_read_options
from evidence_miner.sources.web.fetch import Fetcher, Response
from evidence_miner.sources.web.security import build_policy
from evidence_miner.settings import CrawlSettings
from evidence_miner.store import open_store
from tests.sources.web.loopback_site import build_big_site, plain_article
from tests.reliability.fault_server import (
    MEBIBYTE,
    Chaos,
    answer,
    chaotic_site,
    drip,
    encoded_bomb,
    endless,
    gzip_bomb_bytes,
    gzip_file,
    reset_connection,
    serve_faults,
    truncated,
)

AREA = "fetch"
CHAOS_SEED = 20_261_125
CRAWL_LIMIT_SECONDS = 30.0
ARTICLE = plain_article("Invented trial of a made-up drug", "2024-03-01", "fakemab")


def fetch(settings: CrawlSettings, url: str, **limits: float) -> tuple[Response, float]:
    """One fetch with the given setting changes, and the seconds it took."""
    settings = settings.model_copy(update=limits)
    fetcher = Fetcher(settings, build_policy([url]))
    started = time.monotonic()
    try:
        return fetcher.fetch(url), time.monotonic() - started
    finally:
        fetcher.close()


def crawl_pages(settings: CrawlSettings, db: Path, start: str) -> tuple[list[str], Crawler, str]:
    """Crawl from `start` into a real SQLite file; the article URLs yielded, the crawler, status.
    A crawl still going after CRAWL_LIMIT_SECONDS is stopped (and the test's checks fail)."""
    stop = threading.Event()
    timer = threading.Timer(CRAWL_LIMIT_SECONDS, stop.set)
    timer.start()
    with open_store(str(db)) as store:
        crawler = Crawler(settings, store.crawl_state(), [start], stop=stop)
        urls = []
        for page in crawler.pages():
            urls.append(page.url)
            crawler.mark_stored(page.url)
        timer.cancel()
        return urls, crawler, "stopped" if stop.is_set() else crawler.finish()


def test_fetch_drip_is_cut_at_the_whole_response_deadline(fast_crawl, ledger) -> None:
    with serve_faults(lambda base: {"/drip": drip(100_000, 0.01, "/drip")}) as site:
        response, took = fetch(fast_crawl, site.url("/drip"))
    deadline = fast_crawl.timeout_seconds * 3
    assert response.error == "timeout" and "[EM604]" in (response.message or "")
    assert took < deadline + 1.0, f"a dripping server held the fetch {took:.1f} s"
    assert site.sent["/drip"] < 100_000
    ledger.record(AREA, "body dripped one byte per 10 ms (100 kB)", expected="EM604 timeout at 3x crawl.timeout_seconds",
                  observed=f"{response.error} after {took:.1f} s (deadline {deadline:g} s)")


def test_fetch_connection_reset_is_a_retryable_connection_error(fast_crawl, ledger) -> None:
    with serve_faults(lambda base: {"/reset": reset_connection}) as site:
        response, _ = fetch(fast_crawl, site.url("/reset"))
    assert response.error == "connection" and "[EM605]" in (response.message or "")
    ledger.record(AREA, "connection reset before the response", expected="EM605, retried",
                  observed=f"error {response.error}")


def test_fetch_body_shorter_than_content_length_is_a_connection_error(fast_crawl, ledger) -> None:
    with serve_faults(lambda base: {"/short": truncated(ARTICLE[:500], len(ARTICLE))}) as site:
        response, _ = fetch(fast_crawl, site.url("/short"))
    assert response.error == "connection" and response.body == b""
    ledger.record(AREA, "truncated body (Content-Length larger than sent)",
                  expected="EM605, retried; no partial page kept", observed=f"error {response.error}, body dropped")


def test_fetch_gzip_bomb_is_refused_after_the_decompressed_limit(fast_crawl, ledger) -> None:
    bomb = gzip_bomb_bytes(200 * MEBIBYTE)
    assert len(bomb) < MEBIBYTE  # small on the wire
    with serve_faults(lambda base: {"/bomb": encoded_bomb(bomb), "/bomb.xml.gz": answer(
            200, bomb, "application/x-gzip")}) as site:  # fmt: skip
        encoded, took = fetch(fast_crawl, site.url("/bomb"), max_decompressed_bytes=5 * MEBIBYTE)
        as_file, _ = fetch(fast_crawl, site.url("/bomb.xml.gz"), max_decompressed_bytes=5 * MEBIBYTE)
    assert encoded.error == "too_large" and took < 5
    document = read_document(as_file, to_read_options(fast_crawl.model_copy(update={"max_decompressed_bytes": 5 * MEBIBYTE})))
    assert document.kind == UNKNOWN and "[EM606]" in (document.reason or "")
    ledger.record(AREA, f"gzip bomb, {len(bomb) // 1024} KiB -> 200 MiB (Content-Encoding and .xml.gz)", tried=2,
                  expected="EM606 at crawl.max_decompressed_bytes", observed=f"{encoded.error}; sitemap read: EM606")


@pytest.mark.parametrize("announce", [None, 100 * MEBIBYTE], ids=["streamed", "announced"])
def test_fetch_100_mb_page_is_cut_off_by_the_size_limit(fast_crawl, ledger, announce) -> None:
    with serve_faults(lambda base: {"/huge": endless("/huge", announce=announce)}) as site:
        response, took = fetch(fast_crawl, site.url("/huge"), max_body_bytes=2 * MEBIBYTE, timeout_seconds=2.0)
    assert response.error == "too_large" and "[EM606]" in (response.message or "")
    assert site.sent["/huge"] < 20 * MEBIBYTE, "the client kept reading past its limit"
    how = "Content-Length: 100 MB" if announce else "no Content-Length"
    ledger.record(AREA, f"100 MB page ({how})", expected="EM606 at crawl.max_body_bytes (2 MiB here), body not kept",
                  observed=f"{response.error} after {site.sent['/huge'] // MEBIBYTE} MiB sent, {took:.1f} s")


def test_fetch_endless_redirect_chain_stops_at_max_redirects(fast_crawl, ledger) -> None:
    def build(base: str) -> dict:
        return {f"/hop/{n}": answer(302, b"", None, Location=f"/hop/{n + 1}") for n in range(100)}

    with serve_faults(build) as site:
        response, _ = fetch(fast_crawl, site.url("/hop/0"))
    assert response.error == "too_many_redirects" and sum(site.calls.values()) == fast_crawl.max_redirects + 1
    ledger.record(AREA, "endless redirect chain", expected="EM608 after crawl.max_redirects hops",
                  observed=f"{response.error} after {sum(site.calls.values())} requests")


@pytest.mark.parametrize(("content_type", "body", "outcome"), [
    ("image/png", ARTICLE, "content_type"),
    (None, ARTICLE, "article"),
    ("text/html; charset=klingon-8", ARTICLE, "article"),
    ("text/html; charset=utf-8", ARTICLE.decode().encode("cp1252", "replace") + "é".encode("latin-1"), "article"),
    ("text/html", ARTICLE.replace(b"<p>", b"<p>\x00", 3), "unknown"),
    ("application/xml", ARTICLE, "unknown"),
    ("text/html", b"\x89PNG\r\n\x1a\n" + bytes(4096), "unknown"),
], ids=["html-labelled-png", "no-type", "unknown-charset", "wrong-charset", "nul-bytes",
        "html-labelled-xml", "png-labelled-html"])  # fmt: skip
def test_read_wrong_types_and_charsets_give_a_page_or_a_reason(fast_crawl, ledger, content_type, body, outcome) -> None:
    with serve_faults(lambda base: {"/page": answer(200, body, content_type)}) as site:
        response, _ = fetch(fast_crawl, site.url("/page"))
    if outcome == "content_type":
        assert response.error == "content_type"
        observed = "skipped (EM607)"
    else:
        document = read_document(response, to_read_options(fast_crawl))
        assert document.kind == outcome, document.reason
        assert outcome != "unknown" or document.reason and document.reason.startswith("[EM")
        observed = document.kind if outcome != "unknown" else f"unreadable: {(document.reason or '')[:7]}"
    ledger.record(AREA, f"content type {content_type!r} on a {'binary' if outcome == 'unknown' else 'text'} body",
                  expected=f"{outcome}, no crash", observed=observed)


HOSTILE_XML = {
    "billion-laughs": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10) for n in range(1, 10))
    + b']><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol9;</loc></url></urlset>',
    "external-entity": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://a.test/&x;</loc></url></urlset>',
    "external-dtd": b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd"><rss><channel>'
    b"<item><link>http://a.test/1</link></item></channel></rss>",
    "parameter-entity": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x">%p;]><rss/>',
    "malformed": b'<?xml version="1.0"?><urlset><url><loc>http://a.test/1</loc></url',
    "deeply-nested": b'<?xml version="1.0"?><rss>' + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</rss>",
}


READ_ANYWAY = {"deeply-nested", "external-dtd"}


@pytest.mark.parametrize("name", list(HOSTILE_XML))
def test_read_hostile_feed_or_sitemap_is_refused_safely(fast_crawl, ledger, name) -> None:
    body = HOSTILE_XML[name]
    with serve_faults(lambda base: {"/sitemap.xml": answer(200, body, "application/xml"),
                                    "/feed.xml.gz": answer(200, gzip_file(body), "application/x-gzip")}) as site:  # fmt: skip
        plain, _ = fetch(fast_crawl, site.url("/sitemap.xml"))
        packed, _ = fetch(fast_crawl, site.url("/feed.xml.gz"))
        requested = set(site.calls)
    for response in (plain, packed):
        started = time.monotonic()
        document = read_document(response, to_read_options(fast_crawl))
        assert time.monotonic() - started < 5
        assert not any("passwd" in link.url or "lol" in link.url for link in document.links)
        # an external DTD is never loaded, so an old RSS 0.91 feed declaring one is still read
        assert document.kind == UNKNOWN or name in READ_ANYWAY
    assert requested == {"/sitemap.xml", "/feed.xml.gz"}, "an external entity or DTD was fetched"
    observed = document.kind if document.kind != UNKNOWN else f"refused: {(document.reason or '')[:7]}"
    ledger.record(AREA, f"hostile XML in sitemap/feed: {name}", tried=2,
                  expected="refused (EM610/EM611) or read without the DTD; nothing fetched or expanded",
                  observed=observed)


def calendar_trap(base: str) -> dict:
    """An endless calendar: every day links to the next and previous day and month."""
    class Calendar(dict):
        def get(self, path: str, default=None):
            if not path.startswith("/cal/"):
                return super().get(path, default)
            day = int(path.rsplit("/", 1)[1])
            links = "".join(f'<a href="/cal/{d}">day {d}</a>' for d in (day - 1, day + 1, day + 30, day - 30))
            return answer(200, f"<html><body><h1>Day {day}</h1>{links}</body></html>".encode())

    trap = Calendar({"/robots.txt": answer(200, b"User-agent: *\nDisallow:\n", "text/plain"),
                     "/": answer(200, b'<html><body><a href="/cal/0">calendar</a></body></html>')})  # fmt: skip
    return trap


def test_crawl_spider_trap_is_bounded_per_host(fast_crawl, store_path, ledger) -> None:
    settings = fast_crawl.model_copy(update={"max_pages_per_host": 40, "max_depth": 1000, "max_pages": 0})
    with serve_faults(calendar_trap) as site:
        _, _, status = crawl_pages(settings, store_path, site.url("/"))
    calendar_fetches = sum(count for path, count in site.calls.items() if path.startswith("/cal/"))
    assert calendar_fetches <= 40 and status == "paused"
    ledger.record(AREA, "spider trap (endless calendar of links)", expected="stops at crawl.max_pages_per_host, run paused",
                  observed=f"{calendar_fetches} calendar pages fetched, run {status}")


def test_crawl_links_per_page_are_capped(fast_crawl, store_path, ledger) -> None:
    links = "".join(f'<a href="/x/{n}.html">{n}</a>' for n in range(20_000)).encode()
    settings = fast_crawl.model_copy(update={"max_links_per_page": 100, "max_pages": 1})
    with serve_faults(lambda base: {"/robots.txt": answer(200, b"", "text/plain"),
                                    "/": answer(200, b"<html><body>" + links + b"</body></html>")}) as site:  # fmt: skip
        _, crawler, _ = crawl_pages(settings, store_path, site.url("/"))
    assert crawler.stats.counters["discover/skipped/too_many_links"] == 20_000 - 100
    assert crawler.stats.counters["discover/queued"] <= 101
    ledger.record(AREA, "20,000 links on one page", expected="first crawl.max_links_per_page kept, rest counted",
                  observed=f"{crawler.stats.counters['discover/queued']} queued, "
                           f"{crawler.stats.counters['discover/skipped/too_many_links']} dropped")


def test_crawl_under_random_faults_stores_every_article_once(fast_crawl, store_path, ledger) -> None:
    """A 30-article site where requests fail at random (5xx, 429 with and without Retry-After,
    resets, short bodies), at most twice per URL: with two retries nothing may be lost."""
    chaos = Chaos(CHAOS_SEED, rate=0.35, per_path=2)
    with serve_faults(chaotic_site(build_big_site(30), chaos)) as site:
        urls, _, status = crawl_pages(fast_crawl, store_path, site.url("/"))
    expected = {site.url(f"/story/{n}.html") for n in range(30)}
    lost = len(expected - set(urls))
    assert status == "finished" and lost == 0 and len(urls) == len(set(urls)) == 30
    assert sum(chaos.injected.values()) >= 10  # the seed does inject faults
    for kind, count in sorted(chaos.injected.items()):
        ledger.record("crawl load", f"random fault during a 30-article crawl: {kind}", tried=count,
                      expected="retried with backoff; every article stored once",
                      observed=f"crawl {status}, {len(urls)}/30 articles", lost=0)
    ledger.record("crawl load", f"30-article crawl under random faults (seed {CHAOS_SEED})",
                  expected="all 30 articles stored exactly once", lost=lost,
                  observed=f"{len(urls)} stored, {len(urls) - len(set(urls))} twice, {lost} lost")
