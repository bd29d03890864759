"""One source run against a loopback site that changes between runs: new, edited and removed
articles; the run log, page versions and the source lock."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evidence_miner.sources.web.discover import parse_web_date
from evidence_miner.schedule.runner import (
    is_holder_dead,
    make_holder,
    run_source,
    to_source_settings,
)
from evidence_miner.schedule.sources import Source
from evidence_miner.settings import Settings, load_settings
from evidence_miner.store import open_store
from tests.sources.web.loopback_site import FAST_CRAWL, serve
from tests.schedule.news_site import article_path, build_news_site, to_article, to_feed, to_sitemap

pytestmark = pytest.mark.network

FIRST = {"alpha": ("atorvastatin", 1), "beta": ("metformin", 1), "gamma": ("colchicine", 1)}


def make_settings(db: Path) -> Settings:
    return load_settings(None, {"crawl": FAST_CRAWL, "store": {"db": str(db)}})


def make_source(base: str, **extra: object) -> Source:
    return Source.model_validate(
        {"name": "news", "start_urls": [base + "/feed.xml"], "interval": "1h", **extra}
    )


def change_site(site, articles: dict[str, tuple[str, int]]) -> None:
    """Publish a new feed and articles; routes of articles left out answer 404."""
    site.routes["/feed.xml"].body = to_feed(site.base_url, list(articles))
    for path in [p for p in site.routes if p.startswith("/news/") and p.endswith(".html")]:
        del site.routes[path]
    for slug, (drug, edition) in articles.items():
        site.routes[article_path(slug)] = to_article(slug, drug, edition=edition)


def ok_paths(site, since: int) -> list[str]:
    return sorted(seen.path for seen in site.requests[since:] if seen.status == 200)


def test_run_source_second_run_fetches_only_what_changed(tmp_path: Path, nlp) -> None:
    db = tmp_path / "news.db"
    settings = make_settings(db)
    with serve(build_news_site(dict(FIRST))) as site, open_store(str(db)) as store:
        first = run_source(store, settings, make_source(site.base_url), nlp=nlp)
        assert (first.status, first.counts.pages_new, first.counts.pages_changed) == (
            "finished",
            3,
            0,
        )
        old_text = store.run_log().stored_text_sha256(site.url(article_path("beta")))
        change_site(
            site, {"alpha": FIRST["alpha"], "beta": ("metformin", 2), "delta": ("semaglutide", 1)}
        )
        before = len(site.requests)
        second = run_source(store, settings, make_source(site.base_url), nlp=nlp)
        runs = store.run_log().list_runs()
        assert ok_paths(site, before) == ["/feed.xml", article_path("beta"), article_path("delta")]
        assert [s.status for s in site.requests[before:] if s.path == article_path("alpha")] == [
            304
        ]
        assert article_path("gamma") not in site.paths()[before:]
        new_text = store.run_log().stored_text_sha256(site.url(article_path("beta")))
        assert store.counts()["pages"] == 4  # the removed article's page and records are kept
    counts = second.counts
    assert (
        counts.pages_new,
        counts.pages_changed,
        counts.pages_unchanged,
        counts.pages_failed,
    ) == (1, 1, 1, 0)
    assert [(run["status"], run["pages_new"]) for run in runs] == [("finished", 1), ("finished", 3)]
    assert new_text != old_text
    versions = query(db, "SELECT url, text_sha256, source_run_id FROM page_versions")
    assert versions == [(site.url(article_path("beta")), old_text, second.run_id)]
    assert query(db, "SELECT count(*) FROM source_locks") == [(0,)]


def query(db: Path, sql: str) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchall()


def test_run_source_include_and_exclude_patterns(tmp_path: Path, nlp) -> None:
    db = tmp_path / "news.db"
    with serve(build_news_site(dict(FIRST))) as site, open_store(str(db)) as store:
        source = make_source(site.base_url, include=["/news/"], exclude=["gamma"])
        outcome = run_source(store, make_settings(db), source, nlp=nlp)
    assert outcome.counts.pages_new == 2
    assert article_path("gamma") not in site.paths()


def test_run_source_skips_a_source_locked_by_a_live_process(tmp_path: Path, nlp) -> None:
    db = tmp_path / "news.db"
    with serve(build_news_site(dict(FIRST))) as site, open_store(str(db)) as store:
        other = make_holder().rsplit(":", 1)[0].rsplit(":", 1)[0] + f":{1}:other"  # pid 1 is alive
        assert store.run_log().try_lock("news", other, ttl=60)
        outcome = run_source(store, make_settings(db), make_source(site.base_url), nlp=nlp)
        assert outcome.status == "locked"
        assert site.requests == []
        assert store.run_log().lock_holder("news") == other


def test_source_lock_is_exclusive_and_expires(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "locks.db")) as store:
        run_log = store.run_log()
        assert run_log.try_lock("news", "a", ttl=60)
        assert run_log.try_lock("news", "a", ttl=60)  # ours already
        assert not run_log.try_lock("news", "b", ttl=60)
        assert run_log.renew_lock("news", "a", ttl=-1)  # now expired
        assert run_log.try_lock("news", "b", ttl=60)
        assert not run_log.renew_lock("news", "a", ttl=60)
        run_log.release_lock("news", "a")  # not a's any more: nothing happens
        assert run_log.lock_holder("news") == "b"
        run_log.release_lock("news", "b")
        assert run_log.lock_holder("news") is None


def test_source_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = make_holder().split(":")[0] + f":{child.pid}:x"
    assert is_holder_dead(dead)
    assert not is_holder_dead(make_holder())
    with open_store(str(tmp_path / "locks.db")) as store:
        run_log = store.run_log()
        assert run_log.try_lock("news", dead, ttl=600)
        assert run_log.try_lock("news", make_holder(), ttl=60, is_dead=is_holder_dead)


def test_to_source_settings_applies_politeness_overrides() -> None:
    crawl = load_settings(None).crawl
    source = Source.model_validate({"name": "s", "start_urls": ["http://127.0.0.1/"], "cron": "0 * * * *",
                                    "politeness": {"delay_seconds": 5, "concurrency": 2, "max_pages": 7}})  # fmt: skip
    settings = to_source_settings(crawl, source)
    assert (settings.delay_seconds, settings.concurrency_per_host, settings.max_pages) == (5, 2, 7)
    assert settings.retries == crawl.retries


def test_run_source_sitemap_lastmod_decides_what_to_fetch(tmp_path: Path, nlp) -> None:
    """The test site's Last-Modified is 2023-11-14: an article whose lastmod in a changed sitemap
    is older is not fetched again; a newer one gets a conditional request."""
    db = tmp_path / "news.db"
    lastmod = {"alpha": "2023-01-01T00:00:00Z", "beta": "2025-01-01"}
    articles = {"alpha": FIRST["alpha"], "beta": FIRST["beta"]}
    with serve(build_news_site(articles, lastmod)) as site, open_store(str(db)) as store:
        source = Source.model_validate(
            {"name": "news", "start_urls": [site.url("/sitemap.xml")], "interval": "1h"}
        )
        assert run_source(store, make_settings(db), source, nlp=nlp).counts.pages_new == 2
        site.routes["/sitemap.xml"].body = to_sitemap(
            site.base_url, lastmod | {"gamma": "2025-02-01"}
        )
        site.routes[article_path("gamma")] = to_article("gamma", "colchicine")
        before = len(site.requests)
        second = run_source(store, make_settings(db), source, nlp=nlp)
        paths = site.paths()[before:]
    assert article_path("alpha") not in paths
    assert [s.status for s in site.requests[before:] if s.path == article_path("beta")] == [304]
    assert (second.counts.pages_new, second.counts.pages_unchanged) == (1, 2)


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-01-02", "2024-01-02T00:00:00+00:00"), ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05+00:00"),
    ("2024-01-02T03:04:05+02:00", "2024-01-02T01:04:05+00:00"), ("Tue, 14 Nov 2023 22:13:20 GMT", "2023-11-14T22:13:20+00:00"),
    ("yesterday", None), (None, None),
])  # fmt: skip
def test_parse_web_date(text: str | None, expected: str | None) -> None:
    value = parse_web_date(text)
    assert (value.isoformat() if value else None) == expected


def test_run_source_unreachable_robots_host_is_failed_with_the_reason(tmp_path: Path, nlp) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = tmp_path / "news.db"
    settings = load_settings(None, {"crawl": {**FAST_CRAWL, "retries": 0}, "store": {"db": str(db)}})
    with open_store(str(db)) as store:
        outcome = run_source(store, settings, make_source(f"http://127.0.0.1:{port}"), nlp=nlp)
        runs = store.run_log().list_runs()
    values = outcome.counts.to_values()
    assert (outcome.status, values["errors"]) == ("failed", 1)
    assert f"robots.txt of 127.0.0.1:{port} (connection" in values["error"] and "EM531" in values["error"]
    assert runs[0]["error"] == values["error"]


def test_run_source_gives_its_results_to_the_sinks_named_too(tmp_path: Path, nlp) -> None:
    db, records = tmp_path / "news.db", tmp_path / "crawled.jsonl"
    with serve(build_news_site(dict(FIRST))) as site, open_store(str(db)) as store:
        run = run_source(store, make_settings(db), make_source(site.base_url), nlp=nlp,
                         sinks=(f"jsonl={records}",))  # fmt: skip
        stored = sorted(record.record_id for record in store.iter_records())
    written = sorted(json.loads(line)["record_id"] for line in records.read_text("utf-8").splitlines())
    assert run.status == "finished" and stored and written == stored
