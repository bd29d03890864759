"""A real HTTP server on 127.0.0.1 serving the crawl test sites (no mocks of the HTTP client)."""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SITE = Path(__file__).parent / "site"
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)
# Crawl settings for tests: no politeness delay, short timeouts and backoff.
FAST_CRAWL = {
    "delay_seconds": 0.0,
    "timeout_seconds": 0.5,
    "backoff_seconds": 0.05,
    "max_backoff_seconds": 0.2,
    "concurrency_per_host": 1,
}
HTML = "text/html; charset=utf-8"


@dataclass
class Reply:
    """One response; `conditional` ones carry an ETag and Last-Modified and answer 304."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = HTML
    headers: dict[str, str] = field(default_factory=dict)
    conditional: bool = True
    delay: float = 0.0


Route = Reply | Callable[[int], Reply]  # a fixed reply, or one chosen by the call number (1, 2...)


@dataclass
class Seen:
    """One request the server got, and the status it answered."""

    path: str
    headers: dict[str, str]
    at: float
    status: int = 0


class QuietServer(ThreadingHTTPServer):
    """A client hanging up (the crawler timed out) is expected here, not an error to print."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class LoopbackSite:
    """Serve `routes` (path with query -> Route) on a free loopback port, logging requests."""

    def __init__(self, build: Callable[[str], dict[str, Route]], *, request_delay: float = 0.0):
        self.build = build
        self.request_delay = request_delay
        self.requests: list[Seen] = []
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.routes: dict[str, Route] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.server: ThreadingHTTPServer | None = None
        self.base_url = ""

    def start(self) -> LoopbackSite:
        self.server = QuietServer(("127.0.0.1", 0), make_handler(self))
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.routes = self.build(self.base_url)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def url(self, path: str) -> str:
        return self.base_url + path

    def requested(self, path: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.path == path]

    def paths(self) -> list[str]:
        return [seen.path for seen in self.requests]

    def reply_for(self, path: str) -> Reply:
        with self.lock:
            self.calls[path] += 1
            count = self.calls[path]
        route = self.routes.get(path)
        if route is None:
            return Reply(404, b"<html><body><h1>Not found</h1></body></html>", conditional=False)
        return route(count) if callable(route) else route


def is_unchanged(reply: Reply, headers: Any) -> bool:
    etag = make_etag(reply.body)
    if headers.get("If-None-Match"):
        return headers.get("If-None-Match") == etag
    return headers.get("If-Modified-Since") == LAST_MODIFIED


def make_etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


def make_handler(site: LoopbackSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            seen = Seen(self.path, dict(self.headers), time.monotonic())
            with site.lock:
                site.requests.append(seen)
                site.in_flight += 1
                site.max_in_flight = max(site.max_in_flight, site.in_flight)
            try:
                reply = site.reply_for(self.path)
                time.sleep(reply.delay or site.request_delay)
                seen.status = self.send(reply)
            finally:
                with site.lock:
                    site.in_flight -= 1

        def send(self, reply: Reply) -> int:
            status, body = reply.status, reply.body
            if reply.conditional and status == 200 and is_unchanged(reply, self.headers):
                status, body = 304, b""
            try:
                self.send_response(status)
                if reply.content_type and status != 304:
                    self.send_header("Content-Type", reply.content_type)
                if reply.conditional and reply.status == 200:
                    self.send_header("ETag", make_etag(reply.body))
                    self.send_header("Last-Modified", LAST_MODIFIED)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the crawler gave up (a timeout): nothing to do
            return status

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve(build: Callable[[str], dict[str, Route]], **options: Any) -> Iterator[LoopbackSite]:
    site = LoopbackSite(build, **options).start()
    try:
        yield site
    finally:
        site.stop()


# -- the test site: four templates, a Windows-1252 page, feeds, sitemaps and traps ----------

ROBOTS = """User-agent: BadBot
Disallow: /

User-agent: *
Disallow: /private/

Sitemap: @BASE@/sitemap.xml
"""

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Meridian Health News</title><link>@BASE@/</link>
<item><title>Colchicine</title><link>@BASE@/wire/2024/03/colchicine-heart-attacks.html?utm_source=rss&amp;utm_campaign=feed</link></item>
<item><title>Aspirin</title><link>@BASE@/blog/2024/06/aspirin-and-migraine/</link></item>
<item><title>Statins</title><guid isPermaLink="true">@BASE@/flaky/statin-muscle-pain.html</guid></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Meridian Atom</title>
<entry><title>Vitamin D</title><link rel="alternate" href="@BASE@/archive/vitamin-d-falls"/></entry>
<entry><title>Coffee</title><link href="@BASE@/letters/coffee-and-sleep"/></entry>
</feed>
"""

SITEMAP_INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>@BASE@/sitemaps/news.xml</loc></sitemap>
<sitemap><loc>@BASE@/sitemaps/archive.xml.gz</loc></sitemap>
</sitemapindex>
"""

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>@BASE@/trade/semaglutide-liver-fat</loc></url>
<url><loc>@BASE@/partner/colchicine-heart-attacks</loc></url>
<url><loc>@BASE@/busy/cholesterol-pill.html</loc></url>
</urlset>
"""

ARCHIVE_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>@BASE@/archive/vitamin-d-falls</loc></url>
<url><loc>@BASE@/redirect/start</loc></url>
<url><loc>@BASE@/private/drafts/sitemap-only.html</loc></url>
</urlset>
"""

PARAGRAPH = (
    "The invented study followed {n} adults for a year and compared {drug} with a placebo, "
    "reporting fewer symptoms in the treated group and mostly mild side effects that went "
    "away without treatment, according to the made-up report written for this test site."
)


@dataclass(frozen=True)
class Expected:
    """What the crawler must store for one article of the test site."""

    path: str
    title: str
    published: str
    contains: tuple[str, ...]
    excludes: tuple[str, ...] = ()


EXPECTED = (
    Expected("/wire/2024/03/colchicine-heart-attacks.html",
             "Low-dose colchicine cuts repeat heart attacks in invented trial", "2024-03-14",
             ("A daily 0.5 mg dose of colchicine", "severe kidney disease"),
             ("Subscribe", "Corrections")),
    Expected("/trade/semaglutide-liver-fat", "Semaglutide lowers liver fat in made-up study",
             "2024-05-02",
             ("Weekly injections of semaglutide 2.4 mg", "Nausea was the most common side effect",
              "A larger phase 3 trial"),
             ("EARLYBIRD", "Advertisement", "cookies", "Related stories", "supply crunch",
              "Older news")),
    Expected("/blog/2024/06/aspirin-and-migraine/", "Does aspirin still help migraine?",
             "2024-06-10",
             ("A reader asked whether plain aspirin", "medication-overuse headache"),
             ("Share this", "Twitter", "miracle", "ibuprofen", "Leave a Reply", "Recent Posts",
              "thoughts on")),
    Expected("/archive/vitamin-d-falls",
             "Vitamin D fails to prevent falls in older adults, made-up trial finds", "2024-02-20",
             ("Monthly high-dose vitamin D did not prevent falls", "60,000 IU",
              "Kidney stones were recorded"),
             ("More news",)),
    Expected("/letters/coffee-and-sleep", "Coffee and sleep: a pilot report", "2024-01-12",
             ("“We were surprised,” said Dr. Zoë Lefèvre", "The team’s results – still preliminary",
              "José Núñez"),
             ("Über uns",)),
    Expected("/flaky/statin-muscle-pain.html", "Statins rarely cause muscle pain, invented review says",
             "2024-04-03", ("atorvastatin",)),
    Expected("/busy/cholesterol-pill.html", "New cholesterol pill halves LDL in made-up trial",
             "2024-04-20", ("obicetrapib",)),
    Expected("/stories/antibiotic-course.html", "Shorter antibiotic courses work as well, made-up trial finds",
             "2024-01-30", ("amoxicillin",)),
)  # fmt: skip
PARTNER_PATH = "/partner/colchicine-heart-attacks"
DISALLOWED_PREFIX = "/private/"


def read_template(name: str, base: str) -> bytes:
    return (SITE / name).read_text("utf-8").replace("@BASE@", base).encode("utf-8")


def plain_article(title: str, date: str, drug: str, *, next_path: str = "/", paragraphs: int = 6) -> bytes:
    body = "\n".join(
        f"<p>{PARAGRAPH.format(n=40 + 7 * i, drug=drug)} Paragraph {i + 1} adds detail.</p>"
        for i in range(paragraphs)
    )
    text = (SITE / "plain.html").read_text("utf-8")
    for token, value in (("@TITLE@", title), ("@DATE@", date), ("@BODY@", body), ("@NEXT@", next_path)):
        text = text.replace(token, value)
    return text.encode("utf-8")


def flaky(reply: Reply, failures: int, status: int = 503) -> Callable[[int], Reply]:
    """Fail `failures` times with `status`, then answer `reply`."""
    return lambda count: Reply(status, b"busy", conditional=False) if count <= failures else reply


def rate_limited(reply: Reply, retry_after: str) -> Callable[[int], Reply]:
    return lambda count: (
        Reply(429, b"slow down", headers={"Retry-After": retry_after}, conditional=False)
        if count == 1 else reply
    )  # fmt: skip


def redirect(location: str, status: int = 301) -> Reply:
    return Reply(status, b"", content_type=None, headers={"Location": location}, conditional=False)


def build_test_site(base: str) -> dict[str, Route]:
    """Every route of the test site (see EXPECTED for the articles it must yield)."""
    page = {name: Reply(body=read_template(f"{name}.html", base)) for name in (
        "home", "news", "news2", "wire", "trade", "blog", "broken", "partner", "about")}  # fmt: skip
    letters = (SITE / "letters.html").read_text("utf-8").encode("cp1252")
    return {
        "/robots.txt": Reply(body=ROBOTS.replace("@BASE@", base).encode(), content_type="text/plain"),
        "/": page["home"],
        "/news/": page["news"],
        "/news/?page=2": page["news2"],
        "/about": page["about"],
        "/wire/2024/03/colchicine-heart-attacks.html": page["wire"],
        "/trade/semaglutide-liver-fat": page["trade"],
        "/blog/2024/06/aspirin-and-migraine/": page["blog"],
        "/archive/vitamin-d-falls": page["broken"],
        PARTNER_PATH: page["partner"],
        "/letters/coffee-and-sleep": Reply(body=letters, content_type="text/html"),
        "/flaky/statin-muscle-pain.html": flaky(Reply(body=plain_article(
            "Statins rarely cause muscle pain, invented review says", "2024-04-03", "atorvastatin")), 2),
        "/busy/cholesterol-pill.html": rate_limited(Reply(body=plain_article(
            "New cholesterol pill halves LDL in made-up trial", "2024-04-20", "obicetrapib")), "1"),
        "/redirect/start": redirect("/redirect/step-2"),
        "/redirect/step-2": redirect(base + "/redirect/step-3", 302),
        "/redirect/step-3": redirect("/stories/antibiotic-course.html", 307),
        "/stories/antibiotic-course.html": Reply(body=plain_article(
            "Shorter antibiotic courses work as well, made-up trial finds", "2024-01-30", "amoxicillin")),
        "/old/colchicine": redirect("/wire/2024/03/colchicine-heart-attacks.html"),
        "/loop/a": redirect("/loop/b"),
        "/loop/b": redirect("/loop/a"),
        "/slow-page": Reply(body=b"<html><body>too late</body></html>", delay=3.0),
        "/gone-story": Reply(410, b"<html><body>Gone</body></html>", conditional=False),
        "/download/chart": Reply(body=b"\x89PNG\r\n\x1a\n" + bytes(64), content_type="image/png"),
        "/feed.xml": Reply(body=RSS.replace("@BASE@", base).encode(), content_type="application/rss+xml"),
        "/atom.xml": Reply(body=ATOM.replace("@BASE@", base).encode(), content_type="application/atom+xml"),
        "/sitemap.xml": Reply(body=SITEMAP_INDEX.replace("@BASE@", base).encode(), content_type="application/xml"),
        "/sitemaps/news.xml": Reply(body=NEWS_SITEMAP.replace("@BASE@", base).encode(), content_type="application/xml"),
        "/sitemaps/archive.xml.gz": Reply(
            body=gzip.compress(ARCHIVE_SITEMAP.replace("@BASE@", base).encode(), mtime=0),
            content_type="application/x-gzip"),
    }  # fmt: skip


def build_big_site(count: int, *, label: str = "") -> Callable[[str], dict[str, Route]]:
    """A site of `count` plain articles behind a home page and a chain of listing pages
    (`label` makes the texts differ from another big site's)."""

    def build(base: str) -> dict[str, Route]:
        per_page = 25
        routes: dict[str, Route] = {"/robots.txt": Reply(body=b"User-agent: *\nDisallow:\n", content_type="text/plain")}
        pages = (count + per_page - 1) // per_page
        for number in range(pages):
            links = "".join(
                f'<li><a href="/story/{i}.html">Story {i}</a></li>'
                for i in range(number * per_page, min(count, (number + 1) * per_page))
            )
            more = f'<a href="/list/{number + 1}.html">More</a>' if number + 1 < pages else ""
            html = f"<html><head><title>List {number}</title></head><body><ul>{links}</ul>{more}</body></html>"
            routes[f"/list/{number}.html" if number else "/"] = Reply(body=html.encode())
        for i in range(count):
            routes[f"/story/{i}.html"] = Reply(body=plain_article(
                f"Invented study {label}{i} reports a result", f"2024-02-{1 + i % 28:02d}",
                f"drug{i}mab", next_path=f"/story/{(i + 1) % count}.html"))  # fmt: skip
        return routes

    return build


def is_disallowed(path: str) -> bool:
    return urlsplit(path).path.startswith(DISALLOWED_PREFIX)
