"""Tests of sources.web.fetch against a real HTTP server on 127.0.0.1: headers, caps, redirects."""

from __future__ import annotations

import gzip
import time

import pytest

from evidence_miner.sources.web.fetch import Fetcher, Validators
from evidence_miner.sources.web.security import build_policy
from evidence_miner.settings import CrawlSettings
from tests.sources.web.loopback_site import LoopbackSite, Reply, make_etag, redirect, serve

PAGE = b"<html><body><p>Hello</p></body></html>"


def build_routes(base: str) -> dict:
    return {
        "/page": Reply(body=PAGE),
        "/big": Reply(body=b"<html>" + b"x" * 300_000 + b"</html>"),
        "/bomb": Reply(body=gzip.compress(b" " * 3_000_000), headers={"Content-Encoding": "gzip"}),
        "/image": Reply(body=b"\x89PNG" + bytes(100), content_type="image/png"),
        "/loop/a": redirect("/loop/b"),
        "/loop/b": redirect("/loop/a"),
        **{f"/chain/{i}": redirect(f"/chain/{i + 1}") for i in range(8)},
        "/chain/8": Reply(body=PAGE),
        "/elsewhere": redirect(base.replace("127.0.0.1", "localhost") + "/page"),
        "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
        "/slow": Reply(body=PAGE, delay=2.0),
    }


@pytest.fixture
def site():
    with serve(build_routes) as running:
        yield running


@pytest.fixture
def fetcher(site: LoopbackSite, crawl_settings: CrawlSettings):
    settings = crawl_settings.model_copy(update={"max_body_bytes": 200_000, "max_decompressed_bytes": 1_000_000})
    fetcher = Fetcher(settings, build_policy([site.url("/")]))
    yield fetcher
    fetcher.close()


def test_fetch_sends_an_honest_user_agent_and_validators(site: LoopbackSite, fetcher: Fetcher) -> None:
    first = fetcher.fetch(site.url("/page"))
    assert (first.status, first.body, first.etag) == (200, PAGE, make_etag(PAGE))
    again = fetcher.fetch(site.url("/page"), validators=Validators(first.etag, first.last_modified))
    assert (again.status, again.body) == (304, b"")
    sent = site.requested("/page")[-1].headers
    assert sent["User-Agent"].startswith("evidence-miner/") and "(+http" in sent["User-Agent"]
    assert sent["If-None-Match"] == first.etag and sent["If-Modified-Since"] == first.last_modified


def test_fetch_refuses_a_body_over_the_limit(site: LoopbackSite, fetcher: Fetcher) -> None:
    response = fetcher.fetch(site.url("/big"))
    assert response.error == "too_large" and "EM606" in (response.message or "")


def test_fetch_refuses_a_gzip_bomb(site: LoopbackSite, fetcher: Fetcher) -> None:
    response = fetcher.fetch(site.url("/bomb"))
    assert response.error == "too_large" and response.body == b""


def test_fetch_skips_other_content_types(site: LoopbackSite, fetcher: Fetcher) -> None:
    response = fetcher.fetch(site.url("/image"))
    assert response.error == "content_type" and "image/png" in (response.message or "")


def test_fetch_stops_redirect_loops_and_long_chains(site: LoopbackSite, fetcher: Fetcher) -> None:
    assert fetcher.fetch(site.url("/loop/a")).error == "redirect_loop"
    long = fetcher.fetch(site.url("/chain/0"))
    assert long.error == "too_many_redirects" and len(long.redirects) == 5
    short = fetcher.fetch(site.url("/chain/4"))
    assert (short.status, short.final_url) == (200, site.url("/chain/8"))


def test_fetch_hands_back_a_redirect_to_another_host(site: LoopbackSite, fetcher: Fetcher) -> None:
    response = fetcher.fetch(site.url("/elsewhere"))
    assert response.status == 301 and response.location == site.url("/page").replace("127.0.0.1", "localhost")


def test_fetch_never_connects_to_a_link_local_address(site: LoopbackSite, fetcher: Fetcher) -> None:
    response = fetcher.fetch("http://169.254.169.254/latest/meta-data/")
    assert response.error == "private_address" and response.status is None
    assert response.elapsed < 0.5


def test_fetch_times_out_on_a_slow_page(site: LoopbackSite, fetcher: Fetcher) -> None:
    started = time.monotonic()
    response = fetcher.fetch(site.url("/slow"))
    assert response.error == "timeout" and "EM604" in (response.message or "")
    assert time.monotonic() - started < 1.5
