"""Hostile sites (issue 18): URLs that steer the crawler to internal addresses (SSRF), answers
that used to kill a whole crawl for ever (bad Location headers, a Retry-After in non-ASCII
digits, dates at the ends of the calendar), and heads dripped past the deadline."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import evidence_miner
from evidence_miner.sources.web import security
from evidence_miner.sources.web.crawler import Crawler
from evidence_miner.sources.web.discover import parse_web_date
from evidence_miner.sources.web.fetch import Fetcher
from evidence_miner.sources.web.policy import parse_retry_after
from evidence_miner.sources.web.robots_fetch import fetch_robots
from evidence_miner.sources.web.security import AddressPolicy, build_policy
from evidence_miner.errors import FetchError
from evidence_miner.settings import CrawlSettings
from evidence_miner.store import open_store
from tests.sources.web.loopback_site import plain_article
from tests.reliability.fault_server import answer, serve_faults, server_of

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


# -- item 1: one parse of a URL for the check and the connection (the backslash form) -----------

HOSTILE_PATHS = ["fetch", "redirect", "robots-redirect", "robots-sitemap", "sitemap", "feed", "page-link"]


def build_hostile(path: str, hostile: str) -> Callable[[str], dict]:
    """Site A: `hostile` (which urlsplit reads as A, requests as B) on one fetching path."""
    def build(base: str) -> dict:
        robots = b"User-agent: *\nAllow: /\n"
        if path == "robots-sitemap":
            robots += f"Sitemap: {hostile}\n".encode()
        sitemap = (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                   f"<url><loc>{hostile}</loc></url></urlset>").encode()
        feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                f"<item><title>x</title><link>{hostile}</link></item></channel></rss>").encode()
        page = ARTICLE.replace(b"</body>", f'<a href="{hostile}">x</a></body>'.encode())
        return {"/robots.txt": (answer(302, b"", None, Location=hostile) if path == "robots-redirect"
                                else answer(200, robots, "text/plain")),
                "/": answer(302, b"", None, Location=hostile) if path == "redirect" else answer(200, page),
                "/sitemap.xml": answer(200, sitemap, "application/xml"),
                "/feed.xml": answer(200, feed, "application/rss+xml")}  # fmt: skip

    return build


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_backslash_host_form_never_reaches_the_host_requests_would_connect_to(fast_crawl, store_path, path, ledger) -> None:
    """`http://127.0.0.1:B\\@127.0.0.1:A/x` is site A to urlsplit and server B to requests: B
    (internal, never a start) must get no request, on any path that fetches."""
    with serve_faults(lambda base: {"/x": answer(200, b"<html>internal admin page</html>")}) as inside:
        port_b = inside.base_url.rsplit(":", 1)[1]
        holder: dict = {}

        def build(base: str) -> dict:
            holder["hostile"] = f"http://127.0.0.1:{port_b}\\@127.0.0.1:{base.rsplit(':', 1)[1]}/x"
            return build_hostile(path, holder["hostile"])(base)

        with serve_faults(build) as site:
            if path == "fetch":
                fetcher = Fetcher(fast_crawl, build_policy([site.url("/")]))
                response = fetcher.fetch(holder["hostile"])
                fetcher.close()
                assert response.error == "ambiguous_url" and "[EM620]" in str(response.message)
            else:
                start = {"sitemap": "/sitemap.xml", "feed": "/feed.xml"}.get(path, "/")
                crawl(fast_crawl, store_path, [site.url(start)])
    assert sum(inside.calls.values()) == 0, f"{path}: the internal server was reached"
    ledger.record(AREA, "URL with a backslash before '@' (urlsplit and requests read different hosts)",
                  expected="refused (EM620) on every fetching path", observed=f"{path}: no request reached the other host")


# -- item 2: the loopback allowance and the site scope are per start (host and port) ------------

def test_loopback_start_allows_its_own_port_only(fast_crawl, store_path, ledger) -> None:
    settings = fast_crawl.model_copy(update={"follow_offsite": True})
    with serve_faults(lambda base: {"/": answer(200, b"<html>internal admin page</html>")}) as inside:
        other = inside.url("/")

        def build(base: str) -> dict:
            page = ARTICLE.replace(b"</body>", f'<a href="{other}">x</a><a href="/go">go</a></body>'.encode())
            return {"/robots.txt": ROBOTS_OK, "/": answer(200, page), "/go": answer(302, b"", None, Location=other)}

        with serve_faults(build) as site:
            urls, status = crawl(settings, store_path, [site.url("/")])
    reasons = [reason for _, reason in frontier(store_path).values() if reason and "[EM603]" in reason]
    assert urls == [site.url("/")] and sum(inside.calls.values()) == 0
    assert reasons, frontier(store_path)
    ledger.record(AREA, "a loopback start linking and redirecting to another loopback port",
                  expected="EM603: only the start's own address and port", observed="refused; the other port got no request")


def test_site_scope_of_a_start_includes_its_port(fast_crawl, store_path, ledger) -> None:
    with serve_faults(lambda base: {"/": answer(200, ARTICLE)}) as other_site:
        other = other_site.url("/")

        def build(base: str) -> dict:
            page = ARTICLE.replace(b"</body>", f'<a href="{other}">x</a></body>'.encode())
            return {"/robots.txt": ROBOTS_OK, "/": answer(200, page)}

        with serve_faults(build) as site:
            crawl(fast_crawl, store_path, [site.url("/")])
    assert sum(other_site.calls.values()) == 0 and other not in frontier(store_path)
    ledger.record(AREA, "a link to the same host on another port (no --follow-offsite)",
                  expected="off-site: never queued", observed="not queued, no request")


def test_connection_goes_to_the_checked_address_not_a_new_dns_answer(fast_crawl, monkeypatch, ledger) -> None:
    """DNS rebinding: 'localhost' resolves to 127.0.0.1 for the check; a later lookup (the one
    a connection would make) answers the internal server's socket address instead."""
    real = socket.getaddrinfo
    with serve_faults(lambda base: {"/": answer(200, b"<html>internal</html>")}) as inside, \
            serve_faults(lambda base: {"/": answer(200, ARTICLE)}) as site:  # fmt: skip
        port_a, port_b = (int(s.base_url.rsplit(":", 1)[1]) for s in (site, inside))

        def rebinding(host, port, *args, **kwargs):
            if host == "localhost":
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port_b))]
            return real(host, port, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        fetcher = Fetcher(fast_crawl, build_policy([f"http://localhost:{port_a}/"]))
        response = fetcher.fetch(f"http://localhost:{port_a}/")
        fetcher.close()
    assert response.status == 200 and site.calls["/"] == 1 and sum(inside.calls.values()) == 0
    ledger.record(AREA, "DNS answer changed between the address check and the connection",
                  expected="the connection goes to the checked address", observed="checked address used")


def test_resolve_host_is_asked_again_for_each_check(monkeypatch) -> None:
    answers = iter(["93.184.216.34", "127.0.0.1"])
    monkeypatch.setattr(security.socket, "getaddrinfo",
                        lambda host, *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), 0))])
    policy = AddressPolicy(frozenset())
    assert policy.check_url("http://rebinding.news.test/").address == "93.184.216.34"
    with pytest.raises(FetchError, match=r"^\[EM603\]"):
        policy.check_url("http://rebinding.news.test/")


# -- item 7: the whole-response deadline covers connect, status line and headers ----------------

DRIP_BYTES = 150


def drip_head(every: float) -> Callable:
    """A status line and one long header, one byte every `every` seconds (under the read
    timeout, so only a whole-response deadline stops it)."""
    def act(handler) -> None:
        head = b"HTTP/1.1 200 OK\r\nX-Drip: " + b"a" * DRIP_BYTES
        for byte in head:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            server_of(handler).count_sent(handler.path, 1)
            time.sleep(every)
        handler.close_connection = True

    return act


@pytest.mark.parametrize("what", ["page", "robots.txt"])
def test_fetch_dripped_status_line_and_headers_are_cut_at_the_deadline(fast_crawl, what, ledger) -> None:
    with serve_faults(lambda base: {"/": drip_head(0.2), "/robots.txt": drip_head(0.2)}) as site:
        fetcher = Fetcher(fast_crawl, build_policy([site.url("/")]))
        try:
            if what == "page":
                response = fetcher.fetch(site.url("/"))
            else:
                response, rules = fetch_robots(fetcher, site.url("/"), None, retries=0)
                assert rules.unavailable
        finally:
            fetcher.close()
        sent = sum(site.sent.values())
    assert response.error == "timeout" and "[EM604]" in str(response.message), response.message
    assert sent < DRIP_BYTES, f"the whole head was read ({sent} bytes)"
    ledger.record(AREA, f"{what}: status line and headers dripped one byte per 0.2 s (read timeout 0.5 s)",
                  expected="EM604 at the whole-response deadline", observed=f"{response.error} after {sent} bytes")


def test_sigterm_during_a_dripped_fetch_ends_the_run_cleanly(tmp_path: Path, ledger) -> None:
    """`crawl --sources --source` (as systemd runs it) stuck on a dripping server gets SIGTERM:
    it exits, the run is 'interrupted' (not 'running') and the source lock is released."""
    with serve_faults(lambda base: {"/robots.txt": ROBOTS_OK, "/": drip_head(0.4)}) as site:
        (tmp_path / "slow.toml").write_text("[crawl]\ndelay_seconds = 0.0\ntimeout_seconds = 20.0\n", "utf-8")
        (tmp_path / "sources.toml").write_text(
            f'[[source]]\nname = "drip"\nstart_urls = ["{site.url("/")}"]\ninterval = "1h"\n', "utf-8")
        db = tmp_path / "runs.db"
        args = ["crawl", "--sources", str(tmp_path / "sources.toml"), "--source", "drip",
                "--db", str(db), "--config", str(tmp_path / "slow.toml")]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(Path(evidence_miner.__file__).parents[1]),
               "EVIDENCE_MINER_EXTRACT__NER_MODEL": "none"}  # fmt: skip
        exe = str(Path(sys.executable).with_name("evidence-miner"))
        with (tmp_path / "crawl.log").open("w") as log:
            process = subprocess.Popen([exe, *args], cwd=tmp_path, env=env, stdout=log, stderr=log)
            try:
                deadline = time.monotonic() + 120
                while site.sent["/"] < 3 and process.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.1)
                process.send_signal(signal.SIGTERM)
                code = process.wait(timeout=30)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    logged = (tmp_path / "crawl.log").read_text("utf-8")
    with sqlite3.connect(db) as connection:
        runs = connection.execute("SELECT status FROM source_runs").fetchall()
        locks = connection.execute("SELECT count(*) FROM source_locks").fetchone()[0]
    assert code == 0 and runs == [("interrupted",)] and locks == 0, logged
    ledger.record(AREA, "SIGTERM while a status line is dripped (crawl --source, timeout 20 s)",
                  expected="the fetch is cut, run 'interrupted', lock released", observed="exited 0, run interrupted, no lock")
