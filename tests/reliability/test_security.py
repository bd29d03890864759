"""Security: no fetch of private, loopback or link-local addresses for public crawls (by any
spelling or DNS name), no non-web schemes from pages, and no database password in any output."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from evidence_miner.sources.web import security
from evidence_miner.sources.web.crawler import Crawler
from evidence_miner.sources.web.fetch import Fetcher
from evidence_miner.sources.web.security import AddressPolicy, build_policy
from evidence_miner.errors import FetchError, StoreError
from evidence_miner.store import open_store
from evidence_miner.store.urls import to_shown_location
from tests.sources.web.loopback_site import plain_article
from tests.reliability.fault_server import answer, serve_faults

AREA = "security"
PUBLIC_CRAWL = AddressPolicy(frozenset())  # the policy of a crawl started on a public host
REFUSED_URLS = [
    "http://10.0.0.1/", "http://192.168.1.1/admin", "http://172.16.0.1/", "http://100.64.0.1/",
    "http://169.254.169.254/latest/meta-data/", "http://127.0.0.1/", "http://127.1/",
    "http://2130706433/", "http://0x7f000001/", "http://0.0.0.0/", "http://localhost/",
    "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:a9fe:a9fe]/", "http://[::]/",
    "http://[fe80::1]/", "http://[fc00::1]/", "http://[2002:a9fe:a9fe::1]/", "http://[64:ff9b::a00:1]/",
]  # fmt: skip
SECRET = "s3cret-Pa55"
BAD_PG_URLS = [
    f"postgresql://miner:{SECRET}@127.0.0.1:1/evidence",
    f"postgresql+psycopg://miner:{SECRET}@127.0.0.1:1/evidence?sslmode=disable",
    f"postgresql://miner:{SECRET}@127.0.0.1:notaport/evidence",
    f"postgresql://miner:{SECRET}@[::1/evidence",
    f"nosuchdialect://miner:{SECRET}@127.0.0.1/evidence",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_address_policy_refuses_non_public_forms_for_a_public_crawl(url, ledger) -> None:
    with pytest.raises(FetchError, match=r"^\[EM603\]"):
        PUBLIC_CRAWL.check_url(url)
    ledger.record(AREA, "non-public address forms (private, loopback, link-local, mapped/6to4/NAT64 IPv6, "
                  "decimal/hex IPv4)", expected="EM603 before any connection", observed="all refused")


def test_address_policy_refuses_dns_names_resolving_to_private_addresses(monkeypatch, ledger) -> None:
    """Our own resolver hook is replaced (no DNS query leaves the machine)."""
    answers = {"intranet.news.test": ("10.1.2.3",), "metadata.news.test": ("169.254.169.254",),
               "mixed.news.test": ("93.184.216.34", "127.0.0.1"), "www.news.test": ("93.184.216.34",),
               "v6.news.test": ("::ffff:192.168.0.7",)}  # fmt: skip
    monkeypatch.setattr(security, "resolve_host", lambda host: answers[host])
    for host in ("intranet.news.test", "metadata.news.test", "mixed.news.test", "v6.news.test"):
        with pytest.raises(FetchError, match=r"^\[EM603\]"):
            PUBLIC_CRAWL.check_url(f"https://{host}/story")
    PUBLIC_CRAWL.check_url("https://www.news.test/story")  # a public answer passes
    assert build_policy(["https://www.news.test/"]) == PUBLIC_CRAWL
    ledger.record(AREA, "DNS names resolving to private, link-local, loopback (one of several answers)", tried=4,
                  expected="EM603", observed="all refused; a public name allowed")


def test_fetch_of_a_public_crawl_never_connects_to_loopback(fast_crawl, ledger) -> None:
    with serve_faults(lambda base: {"/": answer(200, b"<html>secret admin page</html>")}) as site:
        fetcher = Fetcher(fast_crawl, PUBLIC_CRAWL)
        response = fetcher.fetch(site.url("/"))
        fetcher.close()
    assert response.error == "private_address" and sum(site.calls.values()) == 0
    ledger.record(AREA, "public crawl sent to a loopback server", expected="EM603, no connection",
                  observed=f"{response.error}, {sum(site.calls.values())} requests reached the server")


REDIRECT_TARGETS = [
    "http://10.0.0.1/internal", "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0:{port}/",
    "http://[::ffff:10.0.0.1]/", "http://[fe80::1]/x", "http://100.64.0.1/",
    "file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1:70/", "data:text/html,<p>x</p>",
    "javascript:alert(1)",
]  # fmt: skip
HOSTILE_LINKS = ["file:///etc/passwd", "ftp://files.test/a", "data:text/html;base64,PGgxPg==",
                 "javascript:alert(1)", "gopher://127.0.0.1:70/_", "jar:http://x.test/a!/b",
                 "http://169.254.169.254/latest/meta-data/", "//10.0.0.1/x"]  # fmt: skip


def test_crawl_refuses_redirects_and_links_to_private_addresses_and_other_schemes(fast_crawl, store_path, ledger) -> None:
    """A crawl started on 127.0.0.1 (loopback allowed) is redirected and linked to private,
    link-local and reserved addresses and to non-web schemes: none is requested."""
    settings = fast_crawl.model_copy(update={"follow_offsite": True})

    def build(base: str) -> dict:
        port = base.rsplit(":", 1)[1]
        links = "".join(f'<a href="/go/{n}">go</a>' for n in range(len(REDIRECT_TARGETS)))
        links += "".join(f'<a href="{href}">x</a>' for href in HOSTILE_LINKS)
        actions = {"/robots.txt": answer(200, b"", "text/plain"),
                   "/": answer(200, plain_article("Hub", "2024-01-01", "hubmab").replace(b"</body>", links.encode() + b"</body>"))}  # fmt: skip
        for n, target in enumerate(REDIRECT_TARGETS):
            actions[f"/go/{n}"] = answer(302, b"", None, Location=target.format(port=port))
        return actions

    with serve_faults(build) as site, open_store(str(store_path)) as store:
        crawler = Crawler(settings, store.crawl_state(), [site.url("/")])
        for page in crawler.pages():
            crawler.mark_stored(page.url)
        crawler.finish()
    with sqlite3.connect(store_path) as connection:
        frontier = dict(connection.execute("SELECT url, reason FROM crawl_frontier"))
    non_web = [url for url in frontier if not url.startswith("http")]
    refused = [url for url, reason in frontier.items() if reason and "[EM603]" in reason]
    # six redirect targets on refused addresses, and the page's //10.0.0.1/x (its metadata
    # link is the same URL as a redirect target's)
    assert non_web == [] and len(refused) == 7, frontier
    assert {f"/go/{n}" for n in range(len(REDIRECT_TARGETS))} <= set(site.calls)
    ledger.record(AREA, "redirects to private/link-local/reserved addresses and non-web schemes",
                  tried=len(REDIRECT_TARGETS), expected="refused (EM603) or dropped, never requested",
                  observed=f"{len(refused)} refused with EM603, {len(REDIRECT_TARGETS) - len(refused)} non-web dropped")
    ledger.record(AREA, "page links with file:, ftp:, data:, javascript:, gopher:, jar: and private hosts",
                  tried=len(HOSTILE_LINKS), expected="never queued (non-web) or refused (EM603)",
                  observed="no non-web URL in the frontier")


@pytest.mark.parametrize("url", BAD_PG_URLS)
def test_store_errors_and_logs_never_show_the_database_password(url, caplog, ledger) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(StoreError) as raised:
        open_store(url)
    assert SECRET not in str(raised.value) and raised.value.args[0].startswith("[EM30")
    assert SECRET not in caplog.text
    assert SECRET not in to_shown_location(url)
    ledger.record(AREA, "database URL with a password that cannot be used or reached", tried=1,
                  expected="coded StoreError and logs without the password", observed="password absent")


def test_cli_output_never_shows_the_database_password(tmp_path: Path, ledger) -> None:
    """The real commands (a subprocess each), with the password in --db and in the environment."""
    exe = str(Path(sys.executable).with_name("evidence-miner"))
    article = tmp_path / "a.txt"
    article.write_text("Headline\n\nA made-up trial of 40 adults.\n", "utf-8")
    env = {**os.environ, "EVIDENCE_MINER_STORE__DB": BAD_PG_URLS[0], "EVIDENCE_MINER_EXTRACT__NER_MODEL": "none"}
    commands = [["run", str(article), "--db", BAD_PG_URLS[1]], ["stats"], ["config", "show"],
                ["crawl", "http://127.0.0.1:9/", "--db", BAD_PG_URLS[0]]]  # fmt: skip
    for args in commands:
        done = subprocess.run([exe, *args], check=False, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert SECRET not in done.stdout + done.stderr, args
        assert args == ["config", "show"] or done.returncode == 3, done.stderr
    ledger.record(AREA, "password in --db / EVIDENCE_MINER_STORE__DB (run, stats, config show, crawl)",
                  tried=len(commands), expected="never printed", observed="absent from stdout and stderr")
