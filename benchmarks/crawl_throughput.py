"""Crawl throughput: a local 1,000-page site crawled with no politeness delay (fetch + main text
+ metadata + crawl state in SQLite, without the NLP pipeline), pages per second and peak memory.

Usage: .venv/bin/python benchmarks/crawl_throughput.py [--pages N] [--write-readme]

The site is served by a separate process on 127.0.0.1 (so the server does not share the
crawler's interpreter), its pages listed in a sitemap. Two sites: copies of the real news pages
of the article-extraction-benchmark (../shared/data), and small synthetic article pages. Each
crawl runs in a fresh subprocess so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from readme_block import write_readme_block  # benchmarks/ is on sys.path when a script runs
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "article-extraction-benchmark" / "html"
START, END = "<!-- crawl-speed:start -->", "<!-- crawl-speed:end -->"
SECTION_END = "<!-- crawl:end -->"
SYNTHETIC = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Invented study {i} reports a result | Bench News</title>
<meta property="og:type" content="article"><meta property="article:published_time" content="2024-03-{day:02d}">
</head><body><nav><a href="/">Home</a> <a href="/news/">News</a></nav><article><h1>Invented study {i} reports a result</h1>
{paragraphs}</article><footer><a href="/about">About</a></footer></body></html>"""
PARAGRAPH = ("<p>The invented study {i} followed {n} adults for a year and compared drug{i} with a "
             "placebo, reporting fewer symptoms in the treated group and mostly mild side effects.</p>")  # fmt: skip


def build_pages(kind: str, count: int) -> dict[str, bytes]:
    """Every path of the site: robots.txt, a sitemap, and `count` pages."""
    if kind == "real":
        sources = [gzip.decompress(path.read_bytes()) for path in sorted(DATA.glob("*.html.gz"))]
        bodies = [sources[i % len(sources)] for i in range(count)]
    else:
        bodies = [SYNTHETIC.format(i=i, day=1 + i % 28, paragraphs="".join(
            PARAGRAPH.format(i=i, n=20 + j) for j in range(8))).encode() for i in range(count)]  # fmt: skip
    pages = {f"/page/{i}.html": body for i, body in enumerate(bodies)}
    pages["/robots.txt"] = b"User-agent: *\nDisallow:\n"
    return pages


def serve_site(kind: str, count: int, port_queue: Any) -> None:
    """The server process: static pages, a sitemap of them, HTTP/1.1 keep-alive."""
    pages = build_pages(kind, count)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = pages.get(self.path)
            if self.path == "/sitemap.xml":
                base = f"http://127.0.0.1:{self.server.server_address[1]}"
                locs = "".join(f"<url><loc>{base}{p}</loc></url>" for p in pages if p.startswith("/page/"))
                body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'.encode()
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else
                             "application/xml" if self.path.endswith(".xml") else "text/html; charset=utf-8")  # fmt: skip
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_queue.put(server.server_address[1])
    server.serve_forever()


def crawl(base: str, workers: int, per_host: int) -> dict[str, Any]:
    """The crawl, in this process: returns documents read, seconds and peak RSS."""
    from evidence_miner.sources.web.crawler import Crawler
    from evidence_miner.settings import load_settings
    from evidence_miner.store import open_store

    logging.disable(logging.WARNING)
    overrides = {"delay_seconds": 0.0, "max_depth": 0, "max_pages": 0, "max_workers": workers,
                 "concurrency_per_host": per_host}  # fmt: skip
    settings = load_settings(overrides={"crawl": overrides}).crawl
    with tempfile.TemporaryDirectory() as folder, open_store(str(Path(folder) / "b.db")) as store:
        rss_before = peak_rss_mib()
        started = time.perf_counter()
        crawler = Crawler(settings, store.crawl_state(), [base + "/sitemap.xml"])
        for page in crawler.pages():
            crawler.mark_stored(page.url)
        crawler.finish()
        seconds = time.perf_counter() - started
    counters = crawler.stats.counters
    read = sum(counters[f"page/{kind}"] for kind in ("article", "listing", "duplicate", "unchanged"))
    return {"pages": read, "articles": counters["page/article"], "seconds": seconds,
            "fetches": crawler.stats.fetched, "peak_rss_mib": peak_rss_mib(), "rss_before_mib": rss_before}  # fmt: skip


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run_variant(kind: str, count: int, workers: int, per_host: int) -> dict[str, Any]:
    """Start the site process, crawl it in a fresh interpreter, stop the site."""
    ports: Any = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve_site, args=(kind, count, ports), daemon=True)
    server.start()
    try:
        base = f"http://127.0.0.1:{ports.get(timeout=60)}"
        command = [sys.executable, __file__, "--crawl", base, "--workers", str(workers), "--per-host", str(per_host)]
        result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=3600)
        measured = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.join(10)
    sizes = [len(body) for path, body in build_pages(kind, count).items() if path.startswith("/page/")]
    return {**measured, "kind": kind, "mean_kib": sum(sizes) / len(sizes) / 1024}


def to_table(rows: list[dict[str, Any]], workers: int, per_host: int) -> str:
    names = {"real": "real news pages (benchmark HTML)", "synthetic": "small synthetic article pages"}
    lines = [
        (f"One host on 127.0.0.1, no delay, {per_host} requests in flight, {workers} worker "
         f"threads, SQLite crawl state; {platform.machine()}, {os.cpu_count()} CPUs, "
         f"Python {platform.python_version()}."),
        "",
        "| site | pages | mean page | pages/s | peak memory (RSS) |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {names[row['kind']]} | {row['pages']:,} | {row['mean_kib']:.0f} KiB "
            f"| **{row['pages'] / row['seconds']:.1f}** | {row['peak_rss_mib']:.0f} MiB |"
        )
    return "\n".join(lines)


def write_readme(table: str) -> None:
    write_readme_block(START, END, table, insert_before=SECTION_END)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument("--crawl", help=argparse.SUPPRESS)  # internal: crawl this base URL
    args = parser.parse_args()
    if args.crawl:
        print(json.dumps(crawl(args.crawl, args.workers, args.per_host)))
        return
    rows = [run_variant(kind, args.pages, args.workers, args.per_host) for kind in ("real", "synthetic")]
    table = to_table(rows, args.workers, args.per_host)
    print(table)
    if args.write_readme:
        write_readme(table)


if __name__ == "__main__":
    main()
