"""Archives read document by document: WARC written by warcio, JSONL, gzipped pages."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from evidence_miner.sources.archives import is_archive_path, iter_archive_pages
from evidence_miner.errors import InputError
from evidence_miner.records import Page

BODY = ("In a randomized trial of 400 adults, patients received aspirin 81 mg daily or placebo. "
        "After two years, 20 of 200 patients in the aspirin group had a second stroke. ") * 3
HTML = f"<html><head><title>Aspirin cut strokes</title></head><body><article><h1>Aspirin cut strokes</h1><p>{BODY}</p><p>{BODY}</p></article></body></html>"


def write_warc(path: Path, records: list[tuple[str, str, bytes]]) -> None:
    """A gzipped WARC of response records (url, content type, body) and one request record."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, content_type, body in records:
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
        writer.write_record(writer.create_warc_record("https://news.test/a", "request", payload=io.BytesIO(b"GET /a HTTP/1.1\r\n\r\n")))


def test_iter_archive_pages_reads_warc_html_responses(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, [("https://news.test/a", "text/html; charset=utf-8", HTML.encode()),
                      ("https://news.test/logo.png", "image/png", b"\x89PNG\r\n"),
                      ("https://news.test/empty", "text/html", b"   ")])
    items = list(iter_archive_pages(path, max_bytes=1_000_000))
    assert [url for url, _ in items] == ["https://news.test/a", "https://news.test/empty"]
    page, error = items[0][1], items[1][1]
    assert isinstance(page, Page) and "aspirin 81 mg" in page.text
    assert isinstance(error, InputError) and "[EM103]" in str(error)


def test_iter_archive_pages_reads_jsonl_gz_with_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl.gz"
    lines = [json.dumps({"url": "https://x.test/1", "text": "Aspirin trial\n\n" + BODY}),
             "{not json", json.dumps({"url": "https://x.test/3"}), "",
             json.dumps({"url": "https://x.test/4", "html": HTML})]
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    items = list(iter_archive_pages(path, max_bytes=1_000_000))
    assert [type(item).__name__ for _, item in items] == ["Page", "InputError", "InputError", "Page"]
    assert "[EM802]" in str(items[1][1]) and "[EM803]" in str(items[2][1])
    assert items[0][0] == "https://x.test/1" and items[1][0].endswith("#line=2")


def test_iter_archive_pages_reports_truncated_gzip(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt.gz"
    path.write_bytes(gzip.compress(("Aspirin trial\n\n" + BODY).encode())[:40])
    [(_url, error)] = list(iter_archive_pages(path, max_bytes=1_000_000))
    assert isinstance(error, InputError) and "[EM801]" in str(error)


def test_iter_archive_pages_refuses_oversized_documents(tmp_path: Path) -> None:
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(HTML.encode()))
    [(_, error)] = list(iter_archive_pages(path, max_bytes=100))
    assert "[EM104]" in str(error)


def test_is_archive_path_knows_suffixes() -> None:
    assert is_archive_path(Path("a.WARC.gz")) and is_archive_path(Path("b.jsonl"))
    assert not is_archive_path(Path("c.txt")) and not is_archive_path(Path("d.gz"))
