"""The crawl loop on the test site (a real server on 127.0.0.1, a real SQLite file): discovery,
politeness, retries, redirects, deduplication, and a second run that fetches nothing unchanged."""

from __future__ import annotations

import itertools
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from evidence_miner.sources.web.crawler import Crawler
from evidence_miner.records import Page
from evidence_miner.settings import CrawlSettings, load_settings
from evidence_miner.store import EvidenceStore, open_store
from tests.sources.web.loopback_site import (
    DISALLOWED_PREFIX,
    EXPECTED,
    FAST_CRAWL,
    PARTNER_PATH,
    LoopbackSite,
    Reply,
    Seen,
    build_big_site,
    build_test_site,
    plain_article,
    serve,
)

WIRE_PATH = EXPECTED[0].path


@dataclass
class Run:
    """One crawl of a site: the pages it yielded, the requests the server saw, its crawler."""

    pages: list[Page]
    requests: list[Seen]
    crawler: Crawler
    status: str = ""
    counters: dict[str, int] = field(default_factory=dict)


def crawl_once(site: LoopbackSite, store: EvidenceStore, settings: CrawlSettings, start: str = "/") -> Run:
    """Crawl, acknowledging each page as stored (as the CLI does after saving it)."""
    before = len(site.requests)
    crawler = Crawler(settings, store.crawl_state(), [site.url(start)])
    pages = []
    for page in crawler.pages():
        pages.append(page)
        crawler.mark_stored(page.url)
    status = crawler.finish()
    return Run(pages, site.requests[before:], crawler, status, dict(crawler.stats.counters))


@dataclass
class SiteCrawl:
    site: LoopbackSite
    db: Path
    first: Run
    second: Run

    def query(self, sql: str, *args: object) -> list[tuple]:
        with sqlite3.connect(self.db) as connection:
            return connection.execute(sql, args).fetchall()

    def path(self, url: str) -> str:
        return url.removeprefix(self.site.base_url)


@pytest.fixture(scope="module")
def site_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteCrawl]:
    """The test site crawled twice into one database."""
    db = tmp_path_factory.mktemp("crawl") / "site.db"
    settings = load_settings(overrides={"crawl": FAST_CRAWL}).crawl
    with serve(build_test_site) as site, open_store(str(db)) as store:
        first = crawl_once(site, store, settings)
        second = crawl_once(site, store, settings)
        yield SiteCrawl(site, db, first, second)


def test_crawl_yields_every_article_once_with_title_date_and_text(site_crawl: SiteCrawl) -> None:
    by_path = {site_crawl.path(page.url): page for page in site_crawl.first.pages}
    assert len(by_path) == len(site_crawl.first.pages)
    wire_or_partner = {WIRE_PATH, PARTNER_PATH} & set(by_path)
    assert len(wire_or_partner) == 1
    for expected in EXPECTED:
        page = by_path[wire_or_partner.pop() if expected.path == WIRE_PATH else expected.path]
        assert page.title == expected.title, expected.path
        assert page.published is not None and page.published.isoformat() == expected.published
        assert page.text.startswith(expected.title + "\n\n")
        for part in expected.contains:
            assert part in page.text, (expected.path, part)
        for part in expected.excludes:
            assert part not in page.text, (expected.path, part)
    assert len(by_path) == len(EXPECTED)


def test_crawl_keeps_where_each_metadata_value_came_from(site_crawl: SiteCrawl) -> None:
    sources = {site_crawl.path(p.url): p.metadata_sources for p in site_crawl.first.pages}
    assert sources["/trade/semaglutide-liver-fat"]["title"] == "og:title"
    assert sources["/trade/semaglutide-liver-fat"]["published"] == "article:published_time"
    assert sources["/flaky/statin-muscle-pain.html"]["published"] == "microdata"
    assert sources["/letters/coffee-and-sleep"]["published"] in ("htmldate", "date-line")


def test_crawl_obeys_robots_txt(site_crawl: SiteCrawl) -> None:
    paths = [seen.path for seen in site_crawl.first.requests]
    assert paths[0] == "/robots.txt"
    assert not [path for path in paths if path.startswith(DISALLOWED_PREFIX)]
    assert site_crawl.first.counters["fetch/skipped/robots"] >= 2
    agent = site_crawl.first.requests[0].headers["User-Agent"]
    assert agent.startswith("evidence-miner/") and "(+https://" in agent


def test_crawl_reads_sitemap_index_gzipped_child_and_feeds(site_crawl: SiteCrawl) -> None:
    paths = {seen.path for seen in site_crawl.first.requests}
    assert {"/sitemap.xml", "/sitemaps/news.xml", "/sitemaps/archive.xml.gz", "/feed.xml", "/atom.xml"} <= paths
    kinds = dict(site_crawl.query("SELECT url, kind FROM crawl_documents WHERE kind IN ('sitemap', 'feed')"))
    assert kinds[site_crawl.site.url("/sitemaps/archive.xml.gz")] == "sitemap"
    assert kinds[site_crawl.site.url("/atom.xml")] == "feed"


def test_crawl_normalises_urls_and_never_fetches_a_page_twice(site_crawl: SiteCrawl) -> None:
    paths = [seen.path for seen in site_crawl.first.requests if seen.status == 200]
    assert not [path for path in paths if "utm_" in path or "#" in path]
    assert paths.count(WIRE_PATH) == 1
    assert "/report.pdf" not in {seen.path for seen in site_crawl.first.requests}


def test_crawl_retries_503_twice_then_succeeds(site_crawl: SiteCrawl) -> None:
    flaky = [seen.status for seen in site_crawl.first.requests if seen.path == "/flaky/statin-muscle-pain.html"]
    assert flaky == [503, 503, 200]
    assert site_crawl.first.counters["fetch/retry/503"] == 2


def test_crawl_honours_retry_after(site_crawl: SiteCrawl) -> None:
    busy = [seen for seen in site_crawl.first.requests if seen.path == "/busy/cholesterol-pill.html"]
    assert [seen.status for seen in busy] == [429, 200]
    assert busy[1].at - busy[0].at >= 0.95
    held = [s for s in site_crawl.first.requests if busy[0].at + 0.05 < s.at < busy[0].at + 0.95]
    assert held == []  # the whole host waited


def test_crawl_follows_redirect_chains_and_stops_loops(site_crawl: SiteCrawl) -> None:
    outcomes = dict(site_crawl.query("SELECT url, outcome FROM crawl_fetches WHERE run_id = 1"))
    assert outcomes[site_crawl.site.url("/redirect/start")] == "ok"
    assert outcomes[site_crawl.site.url("/loop/a")] == "failed/redirect_loop"
    final = site_crawl.query("SELECT final_url FROM crawl_fetches WHERE url = ?", site_crawl.site.url("/redirect/start"))
    assert final[0][0] == site_crawl.site.url("/stories/antibiotic-course.html")


def test_crawl_logs_failures_with_their_reason(site_crawl: SiteCrawl) -> None:
    rows = site_crawl.query(
        "SELECT url, status, outcome, error FROM crawl_fetches WHERE run_id = 1 ORDER BY id"
    )
    by_url: dict[str, list[tuple]] = {}
    for url, *rest in rows:
        by_url.setdefault(site_crawl.path(url), []).append(tuple(rest))
    assert by_url["/missing-page"] == [(404, "failed/404", by_url["/missing-page"][0][2])]
    assert by_url["/gone-story"][0][:2] == (410, "failed/410")
    assert [outcome for _, outcome, _ in by_url["/slow-page"]] == ["retry/timeout", "retry/timeout", "failed/timeout"]
    _, outcome, error = by_url["/download/chart"][0]
    assert outcome == "skipped/content_type" and "image/png" in error


def test_crawl_stores_a_syndicated_copy_once_with_both_urls(site_crawl: SiteCrawl) -> None:
    wire, partner = site_crawl.site.url(WIRE_PATH), site_crawl.site.url(PARTNER_PATH)
    found = site_crawl.query(
        "SELECT url, stored_url, text_sha256 FROM crawl_documents WHERE url IN (?, ?)", wire, partner
    )
    rows = {url: (stored, text) for url, stored, text in found}
    assert rows[wire] == rows[partner] and rows[wire][0] in (wire, partner)
    copies = site_crawl.first.crawler.state.copies_of(rows[wire][0])  # type: ignore[attr-defined]
    assert {wire, partner} <= set(copies)


def test_crawl_fetch_log_has_validators_hash_size_and_time(site_crawl: SiteCrawl) -> None:
    [(status, size, elapsed, etag, modified, digest)] = site_crawl.query(
        "SELECT status, bytes, elapsed, etag, last_modified, content_sha256 FROM crawl_fetches "
        "WHERE run_id = 1 AND url = ?", site_crawl.site.url("/trade/semaglutide-liver-fat"))  # fmt: skip
    assert status == 200 and size > 1000 and elapsed > 0 and etag and modified and len(digest) == 64


def test_crawl_run_ends_with_every_url_settled(site_crawl: SiteCrawl) -> None:
    assert site_crawl.first.status == "finished"
    states = dict(site_crawl.query("SELECT state, count(*) FROM crawl_frontier WHERE run_id = 1 GROUP BY state"))
    assert set(states) <= {"done", "failed", "skipped"}


def test_second_crawl_fetches_nothing_unchanged(site_crawl: SiteCrawl) -> None:
    assert site_crawl.second.pages == []
    read = site_crawl.query(
        "SELECT url FROM crawl_fetches WHERE run_id = 1 AND status = 200 AND final_url = url"
    )
    fetched_before = {site_crawl.path(url) for (url,) in read}
    again = [s for s in site_crawl.second.requests if s.path in fetched_before]
    assert "/download/chart" in fetched_before  # skipped for its type, but not fetched again
    assert again and all(s.status == 304 for s in again)
    assert all("If-None-Match" in s.headers for s in again)
    assert site_crawl.second.counters.get("page/article", 0) == 0


def test_third_crawl_extracts_only_the_changed_page(site_crawl: SiteCrawl) -> None:
    site = site_crawl.site
    site.routes["/stories/antibiotic-course.html"] = Reply(body=plain_article(
        "Shorter antibiotic courses work as well, made-up trial finds", "2024-01-30", "cefalexin"))  # fmt: skip
    settings = load_settings(overrides={"crawl": FAST_CRAWL}).crawl
    with open_store(str(site_crawl.db)) as store:
        third = crawl_once(site, store, settings)
    assert [site_crawl.path(page.url) for page in third.pages] == ["/stories/antibiotic-course.html"]
    assert "cefalexin" in third.pages[0].text


def test_crawl_delay_and_one_request_at_a_time_per_host(tmp_path: Path) -> None:
    def build(base: str) -> dict:
        routes = build_big_site(6)(base)
        routes["/robots.txt"] = Reply(body=b"User-agent: *\nCrawl-delay: 0.2\n", content_type="text/plain")
        return routes

    settings = load_settings(overrides={"crawl": {**FAST_CRAWL, "concurrency_per_host": 1}}).crawl
    with serve(build, request_delay=0.02) as site, open_store(str(tmp_path / "d.db")) as store:
        run = crawl_once(site, store, settings)
        starts = [seen.at for seen in run.requests]
    assert len(run.pages) == 6 and site.max_in_flight == 1
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts[1:])]  # after robots.txt
    assert min(gaps) >= 0.19


def test_hosts_are_fetched_in_parallel(tmp_path: Path) -> None:
    settings = load_settings(overrides={"crawl": {**FAST_CRAWL, "delay_seconds": 0.15}}).crawl
    with (
        serve(build_big_site(4, label="one"), request_delay=0.05) as one,
        serve(build_big_site(4, label="two"), request_delay=0.05) as two,
        open_store(str(tmp_path / "p.db")) as store,
    ):
        started = time.monotonic()
        crawler = Crawler(settings, store.crawl_state(), [one.url("/"), two.url("/")])
        pages = []
        for page in crawler.pages():
            pages.append(page)
            crawler.mark_stored(page.url)
        elapsed = time.monotonic() - started
    assert len(pages) == 8
    serial = 2 * 6 * 0.15  # two hosts, six documents each, one delay apart
    assert elapsed < serial
    overlap = [a for a in one.requests for b in two.requests if abs(a.at - b.at) < 0.1]
    assert overlap


def test_max_pages_pauses_the_run_and_the_next_crawl_resumes_it(tmp_path: Path) -> None:
    limited = load_settings(overrides={"crawl": {**FAST_CRAWL, "max_pages": 5}}).crawl
    unlimited = load_settings(overrides={"crawl": FAST_CRAWL}).crawl
    with serve(build_big_site(30)) as site, open_store(str(tmp_path / "m.db")) as store:
        first = crawl_once(site, store, limited)
        second = crawl_once(site, store, unlimited)
        assert second.crawler.run_id == first.crawler.run_id
    assert first.status == "paused" and second.status == "finished"
    urls = [page.url for page in first.pages + second.pages]
    assert len(urls) == len(set(urls)) == 30
    fetched = [seen.path for seen in site.requests if seen.status == 200 and seen.path.startswith("/story/")]
    assert len(fetched) == 30
