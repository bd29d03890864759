"""Tests of crawl.urls: normalisation, tracking parameters, hosts and sites."""

from __future__ import annotations

import pytest

from evidence_miner.sources.web.urls import (
    has_extension,
    host_key,
    normalise_url,
    robots_url,
    site_of,
    try_normalise,
)
from evidence_miner.errors import FetchError

TRACKING = ("utm_*", "fbclid", "gclid")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("HTTP://Example.COM:80/a/b#top", "http://example.com/a/b"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("http://example.com/a?utm_source=x&b=2&a=1&fbclid=z", "http://example.com/a?a=1&b=2"),
        ("http://example.com/%7Euser/caf%C3%A9", "http://example.com/~user/caf%C3%A9"),
        ("http://example.com./news/", "http://example.com/news/"),
    ],
)
def test_normalise_url_makes_one_form(given: str, expected: str) -> None:
    assert normalise_url(given, tracking=TRACKING) == expected


def test_normalise_url_keeps_parameters_that_are_not_tracking() -> None:
    assert normalise_url("http://e.org/list?page=2&utm_campaign=c", tracking=TRACKING) == (
        "http://e.org/list?page=2"
    )


@pytest.mark.parametrize("bad", ["ftp://example.com/x", "mailto:a@b.c", "not a url", "http://:80/"])
def test_normalise_url_refuses_non_web_urls(bad: str) -> None:
    with pytest.raises(FetchError, match=r"\[EM601\]"):
        normalise_url(bad)


def test_try_normalise_resolves_relative_links() -> None:
    assert try_normalise("../b?utm_medium=x#f", base="http://e.org/a/c", tracking=TRACKING) == (
        "http://e.org/b"
    )
    assert try_normalise("javascript:void(0)", base="http://e.org/") is None


def test_host_key_and_site() -> None:
    assert host_key("http://127.0.0.1:8080/x") == "127.0.0.1:8080"
    assert host_key("https://Example.org:443/x") == "example.org"
    assert site_of("https://www.example.org/x") == site_of("http://example.org:81/") == "example.org"
    assert robots_url("https://e.org:8443/a/b?c=1") == "https://e.org:8443/robots.txt"


def test_has_extension_ignores_the_query() -> None:
    assert has_extension("http://e.org/report.PDF?download=1", [".pdf"])
    assert not has_extension("http://e.org/pdf-guide", [".pdf"])
