"""Recrawl cost (issue 18, item 16): a second crawl of an unchanged site sends only
conditional requests for the pages it knows, asks for no URL that failed recently (a 404 for
days, a 5xx for an hour, longer after each further failure), fetches feeds, sitemaps and section
pages before the articles likely unchanged, and so takes a fraction of the first crawl's time."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from evidence_miner.sources.web.crawler import Crawler
from evidence_miner.settings import CrawlSettings, load_settings
from evidence_miner.store import open_store
from tests.sources.web.loopback_site import FAST_CRAWL, LoopbackSite, Reply, Seen, plain_article, serve

AREA = "recrawl cost"
DEAD_LINKS = 41
ARTICLES = 4
CONDITIONAL = ("If-None-Match", "If-Modified-Since")
FEED = "application/rss+xml"


def article_path(n: int) -> str:
    return f"/news/2024/story-{n}.html"


def dead_path(n: int) -> str:
    return f"/nav/gone-{n}"


def to_links(paths: list[str]) -> str:
    return "".join(f'<li><a href="{path}">{path}</a></li>' for path in paths)


def build_news_site(*, dead: int, crawl_delay: float | None, broken: bool = False):
    """A home page linking `dead` dead navigation links, ARTICLES articles and a section page
    (which links the articles again), a feed of the articles; /broken answers 503 when asked."""
    def build(base: str) -> dict:
        robots = "User-agent: *\nDisallow:\n" + (f"Crawl-delay: {crawl_delay:g}\n" if crawl_delay else "")
        articles = [article_path(n) for n in range(ARTICLES)]
        nav = [dead_path(n) for n in range(dead)] + (["/broken"] if broken else [])
        home = (f'<html><head><title>News</title><link rel="alternate" type="{FEED}" href="/feed.xml"></head>'
                f"<body><ul>{to_links(articles)}</ul><ul>{to_links(['/section/health/'])}</ul>"
                f"<nav><ul>{to_links(nav)}</ul></nav></body></html>").encode()  # fmt: skip
        section = f"<html><head><title>Health</title></head><body><ul>{to_links(articles)}</ul></body></html>".encode()
        feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
                + "".join(f"<item><title>{p}</title><link>{base}{p}</link></item>" for p in articles)
                + "</channel></rss>").encode()  # fmt: skip
        routes = {"/robots.txt": Reply(body=robots.encode(), content_type="text/plain"), "/": Reply(body=home),
                  "/section/health/": Reply(body=section), "/feed.xml": Reply(body=feed, content_type=FEED),
                  "/news/": Reply(body=section), "/about": Reply(body=section)}  # the article template's links
        if broken:
            routes["/broken"] = Reply(503, b"down", conditional=False)
        for n, path in enumerate(articles):
            routes[path] = Reply(body=plain_article(f"Invented trial {n} of drug {n}", "2024-03-01", "metformin"))
        return routes

    return build


# The loopback pages answer at once, so a long timeout costs these tests nothing; FAST_CRAWL's
# 0.5 s once timed a fetch out on a CI machine saturated by the rest of the suite, which left the
# URL queued and the crawl "paused" instead of "finished".
STEADY_CRAWL = FAST_CRAWL | {"timeout_seconds": 10.0}


def crawl(site: LoopbackSite, db: Path, settings: CrawlSettings) -> tuple[list[Seen], float, dict]:
    """One crawl (each article acknowledged as stored): its requests, wall time and counters."""
    before = len(site.requests)
    started = time.monotonic()
    with open_store(str(db)) as store:
        crawler = Crawler(settings, store.crawl_state(), [site.url("/")])
        for page in crawler.pages():
            crawler.mark_stored(page.url)
        assert crawler.finish() == "finished"
    return site.requests[before:], time.monotonic() - started, dict(crawler.stats.counters)


def query(db: Path, sql: str, *args: object) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, args).fetchall()


def is_conditional(seen: Seen) -> bool:
    return any(header in seen.headers for header in CONDITIONAL)


def hours_until(moment: str) -> float:
    return (datetime.fromisoformat(moment).replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds() / 3600


def test_recrawl_skips_recent_failures_and_asks_again_later_with_a_longer_wait(tmp_path: Path) -> None:
    settings = load_settings(overrides={"crawl": STEADY_CRAWL | {"retries": 0}}).crawl
    db = tmp_path / "crawl.db"
    with serve(build_news_site(dead=5, crawl_delay=None, broken=True)) as site:
        first, _, _ = crawl(site, db, settings)
        second, _, counters = crawl(site, db, settings)
        remembered = {url.removeprefix(site.base_url): (status, failures, hours_until(retry_at))
                      for url, status, failures, retry_at in query(db, "SELECT url, status, failures, retry_at FROM crawl_failures")}  # fmt: skip
        query(db, "UPDATE crawl_failures SET retry_at = ?", (datetime.now(UTC) - timedelta(minutes=1)).isoformat())
        third, _, _ = crawl(site, db, settings)
        again = {url.removeprefix(site.base_url): (failures, hours_until(retry_at))
                 for url, failures, retry_at in query(db, "SELECT url, failures, retry_at FROM crawl_failures")}  # fmt: skip
    failed = {dead_path(n) for n in range(5)} | {"/broken"}
    assert failed <= {seen.path for seen in first}
    assert not failed & {seen.path for seen in second} and counters["fetch/skipped/backoff"] == 6
    assert all(is_conditional(seen) and seen.status == 304 for seen in second), [(s.path, s.status) for s in second]
    assert set(remembered) == failed
    assert all(status == 404 and count == 1 and 71.9 < hours < 72.1 for status, count, hours in
               (remembered[dead_path(n)] for n in range(5)))  # fmt: skip
    assert remembered["/broken"][:2] == (503, 1) and 0.9 < remembered["/broken"][2] < 1.1
    assert failed <= {seen.path for seen in third}  # their time came: asked again, failed again
    assert again[dead_path(0)][0] == 2 and 143.9 < again[dead_path(0)][1] < 144.1
    assert again["/broken"][0] == 2 and 1.9 < again["/broken"][1] < 2.1


def test_recrawl_forgets_a_failure_once_the_url_answers(tmp_path: Path) -> None:
    settings = load_settings(overrides={"crawl": STEADY_CRAWL | {"retries": 0}}).crawl
    db = tmp_path / "crawl.db"
    with serve(build_news_site(dead=1, crawl_delay=None)) as site:
        crawl(site, db, settings)
        site.routes[dead_path(0)] = Reply(body=plain_article("A page that came back", "2024-03-02", "aspirin"))
        query(db, "UPDATE crawl_failures SET retry_at = ?", (datetime.now(UTC) - timedelta(minutes=1)).isoformat())
        requests, _, _ = crawl(site, db, settings)
    assert [seen.status for seen in requests if seen.path == dead_path(0)] == [200]
    assert query(db, "SELECT count(*) FROM crawl_failures") == [(0,)]


def test_recrawl_asks_for_the_feed_and_section_pages_before_known_articles(tmp_path: Path) -> None:
    settings = load_settings(overrides={"crawl": STEADY_CRAWL}).crawl
    db = tmp_path / "crawl.db"
    with serve(build_news_site(dead=0, crawl_delay=None)) as site:
        crawl(site, db, settings)
        second, _, _ = crawl(site, db, settings)
    order = [seen.path for seen in second if seen.path not in ("/robots.txt", "/")]
    articles = [order.index(article_path(n)) for n in range(ARTICLES)]
    assert max(order.index("/feed.xml"), order.index("/section/health/")) < min(articles), order


@pytest.mark.slow
@pytest.mark.network
def test_recrawl_of_a_site_with_41_dead_links_costs_a_third_of_the_first(tmp_path: Path, ledger) -> None:
    """Crawl-delay 1: the first crawl waits a second before each of its ~50 requests; the
    second asks robots.txt, the home page, the feed, the section and the articles again, each
    conditionally, and none of the 41 URLs that answered 404 a moment ago."""
    settings = load_settings(overrides={"crawl": STEADY_CRAWL}).crawl
    db = tmp_path / "crawl.db"
    with serve(build_news_site(dead=DEAD_LINKS, crawl_delay=1)) as site:
        first, first_seconds, _ = crawl(site, db, settings)
        second, second_seconds, counters = crawl(site, db, settings)
    dead = {dead_path(n) for n in range(DEAD_LINKS)}
    assert dead <= {seen.path for seen in first if seen.status == 404}
    assert not dead & {seen.path for seen in second}
    assert second and all(is_conditional(seen) and seen.status == 304 for seen in second), \
        [(s.path, s.status) for s in second]  # fmt: skip
    ratio = second_seconds / first_seconds
    assert ratio < 1 / 3, f"first {first_seconds:.1f} s, second {second_seconds:.1f} s"
    ledger.record(AREA, f"second crawl of a site with {DEAD_LINKS} dead links and Crawl-delay 1",
                  expected="only conditional requests, none to a URL that gave 404 in the last day, "
                           "under a third of the first crawl's time",
                  observed=f"{len(first)} -> {len(second)} requests (all conditional, 304); "
                           f"{counters.get('fetch/skipped/backoff', 0)} dead links skipped; "
                           f"{first_seconds:.0f} s -> {second_seconds:.0f} s (ratio {ratio:.2f})")
