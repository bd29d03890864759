"""Batches over folders and archives: every document recorded, killed runs resume, Dask workers."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

REPO = Path(__file__).resolve().parents[2]
CORPUS_TEXTS = sorted((REPO / "corpus").rglob("*.txt"))
TIMEOUT = 300


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("evidence-miner")
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([str(exe), *args], check=False, cwd=cwd, capture_output=True, text=True, env=env, timeout=TIMEOUT)


def write_warc(path: Path, pages: list[tuple[str, str]]) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, text in pages:
            body = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
            html = f"<html><head><title>{text.splitlines()[0]}</title></head><body><article>{body}</article></body></html>"
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(html.encode()), http_headers=headers))


def make_archive_folder(root: Path) -> tuple[Path, int]:
    """A folder of good, empty, binary, oversized and broken inputs; returns it and its document count."""
    folder = root / "archive"
    (folder / "nested").mkdir(parents=True)
    texts = [p.read_text("utf-8") for p in CORPUS_TEXTS[:4]]
    (folder / "good.txt").write_text(texts[0], "utf-8")
    (folder / "nested" / "good.txt.gz").write_bytes(gzip.compress(texts[1].encode()))
    (folder / "empty.txt").write_text("", "utf-8")
    (folder / "binary.html").write_bytes(b"\x00\x01\x02\xff" * 50)
    (folder / "big.txt").write_text("word " * 1_100_000, "utf-8")
    (folder / "broken.txt.gz").write_bytes(gzip.compress(texts[2].encode())[:50])
    write_warc(folder / "nested" / "crawl.warc.gz", [("https://news.test/a", texts[2]), ("https://news.test/b", texts[3])])
    lines = [json.dumps({"url": "https://dump.test/1", "text": texts[3]}), "{broken json", json.dumps({"url": "https://dump.test/3"})]
    (folder / "dump.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    return folder, 11


def read_pages_table(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as connection:
        return dict(connection.execute("SELECT url, status FROM pages"))


def test_extract_batch_records_every_document(tmp_path: Path) -> None:
    folder, documents = make_archive_folder(tmp_path)
    result = cli("extract", str(folder), "--db", "t.db", "--workers", "1", "-o", "out.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pages = read_pages_table(tmp_path / "t.db")
    assert len(pages) == documents
    assert sorted(pages.values()).count("failed") == 6
    assert {"https://news.test/a", "https://news.test/b", "https://dump.test/1"} <= set(pages)
    for code in ("EM103", "EM104", "EM105", "EM801", "EM802", "EM803"):
        assert code in result.stderr
    assert (tmp_path / "out.jsonl").read_text("utf-8").count("\n") >= 1


def make_text_folder(root: Path, copies: int) -> Path:
    folder = root / "texts"
    folder.mkdir()
    for index in range(copies):
        source = CORPUS_TEXTS[index % len(CORPUS_TEXTS)]
        title, body = source.read_text("utf-8").split("\n", 1)
        unique = f"This is copy number {index} of the report, filed for the batch test as a page of its own."
        (folder / f"{index:03d}-{source.name}").write_text(f"{title}\n{unique}\n{body}", "utf-8")  # no two texts alike
    return folder


def count_pages(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as connection:
            return connection.execute("SELECT count(*) FROM pages").fetchone()[0]
    except sqlite3.Error:
        return 0


def start_and_kill(args: list[str], cwd: Path, db: Path) -> int:
    """Start a batch, SIGKILL it once some pages are stored; the pages stored by then."""
    exe = Path(sys.executable).with_name("evidence-miner")
    process = subprocess.Popen([str(exe), *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + TIMEOUT
    try:
        while count_pages(db) == 0 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None, "the batch finished before it could be killed"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    return count_pages(db)


@pytest.mark.slow
def test_extract_resume_after_kill_skips_done_documents(tmp_path: Path) -> None:
    folder = make_text_folder(tmp_path, 64)
    args = ["extract", str(folder), "--db", "t.db", "--workers", "1", "--resume", "-o", "out.jsonl"]
    stored = start_and_kill(args, tmp_path, tmp_path / "t.db")
    assert 0 < stored < 64
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pages = read_pages_table(tmp_path / "t.db")
    assert len(pages) == 64 and "failed" not in pages.values()
    skipped = re.search(r"skipped, already done \(--resume\)\D+(\d+)", result.stderr)
    assert skipped and int(skipped.group(1)) >= stored
