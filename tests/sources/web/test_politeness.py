"""Tests of retry timing, robots.txt rules, per-host scheduling and the address policy."""

from __future__ import annotations

import ipaddress
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence_miner.sources.web.hosts import Hosts
from evidence_miner.sources.web.policy import backoff_delay, is_retry_status, parse_retry_after
from evidence_miner.sources.web.robots import parse_robots, rules_for_status, to_agent_token
from evidence_miner.sources.web.security import (
    AddressPolicy,
    build_policy,
    classify_address,
    resolve_host,
)
from evidence_miner.sources.web.state import FrontierItem
from evidence_miner.errors import FetchError

ROBOTS = """User-agent: *
Disallow: /private/
Crawl-delay: 2

User-agent: evidence-miner
Disallow: /no-miners/
Allow: /no-miners/ok.html

Sitemap: /sitemap.xml
Sitemap: https://cdn.example.org/news.xml
"""


def classify_host(host: str) -> set[str]:
    return {classify_address(ipaddress.ip_address(a)) for a in resolve_host(host)}


@given(st.integers(1, 12), st.floats(0.01, 5))
def test_backoff_delay_grows_and_stays_within_jitter_and_cap(attempt: int, base: float) -> None:
    delay = backoff_delay(attempt, base=base, cap=30.0, rng=random.Random(attempt))
    expected = base * 2 ** (attempt - 1)
    assert min(30.0, expected * 0.5) <= delay <= min(30.0, expected * 1.5)


def test_parse_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now=now) == 120.0
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(later, now=now) == pytest.approx(90.0)
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize(("status", "retry"), [(408, True), (429, True), (500, True), (503, True),
                                               (404, False), (410, False), (403, False), (200, False)])  # fmt: skip
def test_is_retry_status(status: int, retry: bool) -> None:
    assert is_retry_status(status) is retry


def test_robots_rules_for_our_agent() -> None:
    agent = to_agent_token("evidence-miner/0.1.0 (+https://example.org/bot)")
    assert agent == "evidence-miner"
    rules = parse_robots(ROBOTS, robots_url="https://news.example.org/robots.txt", agent=agent)
    assert not rules.can_fetch("https://news.example.org/no-miners/a.html")
    assert rules.can_fetch("https://news.example.org/no-miners/ok.html")
    assert rules.can_fetch("https://news.example.org/private/x")  # our own group wins over *
    assert rules.sitemaps == ("https://news.example.org/sitemap.xml", "https://cdn.example.org/news.xml")
    star = parse_robots(ROBOTS, robots_url="https://news.example.org/robots.txt", agent="otherbot")
    assert not star.can_fetch("https://news.example.org/private/x")
    assert star.crawl_delay() == 2.0


def test_robots_status_rules_follow_rfc_9309() -> None:
    url, agent = "https://e.org/robots.txt", "evidence-miner"
    assert rules_for_status(404, "", robots_url=url, agent=agent).can_fetch("https://e.org/x")
    assert not rules_for_status(503, "", robots_url=url, agent=agent).can_fetch("https://e.org/x")
    assert not rules_for_status(None, "", robots_url=url, agent=agent).can_fetch("https://e.org/x")


def make_item(url: str, host: str) -> FrontierItem:
    return FrontierItem(url=url, host=host, depth=0, hint="page", source_url=None, attempts=0)


def test_hosts_keep_delay_and_concurrency_per_host() -> None:
    hosts = Hosts(delay=1.0, concurrency=1, max_crawl_delay=10.0)
    for host in ("a", "b"):
        hosts.add(make_item(f"http://{host}/1", host))
        hosts.add(make_item(f"http://{host}/2", host))
    for host in hosts.by_key.values():
        hosts.set_robots(host, parse_robots("", robots_url="http://x/robots.txt", agent="evidence-miner"))
    ready = list(hosts.ready(now=100.0))
    assert [h.key for h in ready] == ["a", "b"]  # both hosts at once
    hosts.start_request(ready[0], now=100.0)
    assert not hosts.can_send(ready[0], 100.0)  # one request in flight to a
    hosts.finish_request(ready[0])
    assert not hosts.can_send(ready[0], 100.5)  # and a second later only
    assert hosts.can_send(ready[0], 101.0)


def test_hosts_use_a_longer_crawl_delay_capped() -> None:
    hosts = Hosts(delay=1.0, concurrency=1, max_crawl_delay=5.0)
    host = hosts.get("a")
    hosts.set_robots(host, parse_robots("User-agent: *\nCrawl-delay: 30\n", robots_url="http://a/robots.txt", agent="x"))
    assert host.delay == 5.0


def test_hosts_hold_retries_until_due() -> None:
    hosts = Hosts(delay=0.0, concurrency=1, max_crawl_delay=5.0)
    hosts.add_later(make_item("http://a/1", "a"), when=10.0)
    hosts.release_due(9.0)
    assert hosts.get("a").queue == type(hosts.get("a").queue)()
    hosts.release_due(10.0)
    assert [i["url"] for i in hosts.get("a").queue] == ["http://a/1"]


@pytest.mark.parametrize(("host", "kind"), [
    ("127.0.0.1", {"loopback"}), ("::1", {"loopback"}), ("169.254.169.254", {"link-local"}),
    ("10.1.2.3", {"private"}), ("192.168.0.10", {"private"}), ("::ffff:127.0.0.1", {"loopback"}),
    ("8.8.8.8", {"public"}), ("0.0.0.0", {"reserved"}),
])  # fmt: skip
def test_classify_host(host: str, kind: set[str]) -> None:
    assert classify_host(host) == kind


def test_policy_from_a_loopback_start_allows_its_own_address_and_port_only() -> None:
    policy = build_policy(["http://127.0.0.1:8000/"])
    assert policy.check_url("http://127.0.0.1:8000/x").address == "127.0.0.1"
    for refused in ("http://127.0.0.1:9000/x", "http://[::1]:8000/x", "http://127.0.0.1/",
                    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/", "http://192.168.1.1/admin"):
        with pytest.raises(FetchError, match=r"\[EM603\]"):
            policy.check_url(refused)


def test_policy_from_a_public_start_refuses_every_private_address() -> None:
    policy = build_policy(["http://93.184.216.34/"])
    assert policy == AddressPolicy(frozenset())
    for refused in ("http://127.0.0.1/", "http://localhost:8080/", "http://169.254.169.254/", "http://172.16.0.1/"):
        with pytest.raises(FetchError, match=r"\[EM603\]"):
            policy.check_url(refused)
    policy.check_url("http://8.8.8.8/")
