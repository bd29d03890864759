"""Hostile files (issue 18): symlinks out of an input folder, FIFOs and symlink loops named like
articles. Each bad input gets its coded error and the batch goes on with the others."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import evidence_miner
from evidence_miner.sources.read import find_article_paths, read_page
from evidence_miner.errors import InputError
from evidence_miner.records import Page
from evidence_miner.settings import load_settings
from evidence_miner.workflow import ArticleResult, find_inputs, read_pages

from tests.reliability.test_hostile_input import time_limit

AREA = "hostile files"
HANG_GUARD_SECONDS = 10.0  # a read still blocked then is a hang (the test fails, CI goes on)
ARTICLE = "Aspirin cut strokes\n\nIn a made-up trial of 400 adults, aspirin 81 mg daily cut strokes.\n"


def hang_guard(seconds: float = HANG_GUARD_SECONDS):
    """TimeoutError when the block is still running (an open() of a FIFO blocks for ever)."""
    return time_limit(seconds)


def read_folder(folder: Path) -> tuple[list[str], list[str]]:
    """The batch's reading step on a folder: the URLs read as pages, and every error message
    (bad entries found while listing, then bad files while reading)."""
    settings = load_settings()
    found, problems = find_inputs([folder], settings)
    pages, errors = [], [str(problem) for problem in problems]
    with hang_guard():
        for item in read_pages(found, settings):
            if isinstance(item, Page):
                pages.append(item.url)
            else:
                assert isinstance(item, ArticleResult)
                errors.append(str(item.error))
    return pages, errors


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An input folder holding one good article, good.txt."""
    root = tmp_path / "in"
    root.mkdir()
    (root / "good.txt").write_text(ARTICLE, "utf-8")
    return root


# -- item 3: a symlink out of the input folder --------------------------------------------------

def test_batch_symlink_to_a_file_outside_the_folder_is_not_read(folder: Path, tmp_path: Path, ledger) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n" + ARTICLE, "utf-8")
    (folder / "passwd.txt").symlink_to(secret)
    (folder / "inside.txt").symlink_to(folder / "good.txt")  # a link inside the folder is read
    pages, errors = read_folder(folder)
    assert sorted(Path(url.removeprefix("file://")).name for url in pages) == ["good.txt", "good.txt"]
    assert secret.as_uri() not in pages
    assert len(errors) == 1 and errors[0].startswith("[EM120]") and "\n" not in errors[0], errors
    ledger.record(AREA, "symlink in an input folder to a file outside it (/etc/passwd)",
                  expected="EM120, not read; the batch goes on", observed="EM120; other files read")


# -- item 8: a FIFO named like an article -------------------------------------------------------

def test_batch_fifo_named_like_an_article_is_skipped_unopened(folder: Path, ledger) -> None:
    os.mkfifo(folder / "a.txt")
    pages, errors = read_folder(folder)
    assert [Path(url).name for url in pages] == ["good.txt"]
    assert len(errors) == 1 and errors[0].startswith("[EM121]"), errors
    ledger.record(AREA, "FIFO named a.txt in an input folder", expected="EM121, never opened; the batch goes on",
                  observed="EM121; other files read")


def test_read_page_of_a_fifo_given_by_name_does_not_block(folder: Path) -> None:
    fifo = folder / "b.txt"
    os.mkfifo(fifo)
    with hang_guard(), pytest.raises(InputError, match=r"^\[EM121\]"):
        read_page(fifo, max_bytes=1_000_000)


# -- item 11: a symlink loop named like an article ----------------------------------------------

def test_batch_symlink_loop_named_like_an_article_fails_alone(folder: Path, ledger) -> None:
    (folder / "x.txt").symlink_to(folder / "x.txt")
    (folder / "y.txt").symlink_to(folder / "z.txt")
    (folder / "z.txt").symlink_to(folder / "y.txt")
    pages, errors = read_folder(folder)
    assert [Path(url).name for url in pages] == ["good.txt"]
    assert len(errors) == 3 and all(error.startswith("[EM122]") for error in errors), errors
    found, problems = find_article_paths([folder / "x.txt"], extensions=[".txt"])
    assert found == [] and str(problems[0]).startswith("[EM122]")
    ledger.record(AREA, "symlink loops named x.txt (to itself, and y.txt <-> z.txt)", tried=3,
                  expected="EM122 for each; the batch goes on", observed="EM122; other files read")


# -- items 9 and 10: WARC records without a target URI, truncated WARCs, files that are no WARC --

BODY = "In a made-up randomized trial of 400 adults, aspirin 81 mg daily cut strokes by a third. " * 12


def article_html(n: int) -> bytes:
    return (f"<html><head><title>Trial {n}</title></head><body><article><h1>Invented trial {n}</h1>"
            f"<p>{BODY}</p><p>{BODY}</p></article></body></html>").encode()


def write_warc(path: Path, count: int, *, no_uri: int | None = None) -> None:
    """`count` HTML response records (https://news.test/N), gzipped when the name ends .gz;
    record `no_uri` loses its WARC-Target-URI header."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=path.name.endswith(".gz"))
        for n in range(count):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(f"https://news.test/{n}", "response",
                                               payload=io.BytesIO(article_html(n)), http_headers=headers)
            if n == no_uri:
                record.rec_headers.remove_header("WARC-Target-URI")
            writer.write_record(record)


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_batch_warc_response_without_target_uri_fails_alone(folder: Path, name: str, ledger) -> None:
    write_warc(folder / name, 3, no_uri=1)
    pages, errors = read_folder(folder)
    assert sorted(pages) == sorted(["https://news.test/0", "https://news.test/2", (folder / "good.txt").as_uri()])
    assert len(errors) == 1 and errors[0].startswith("[EM810]") and "#record=2" in errors[0], errors
    ledger.record(AREA, f"WARC response record without WARC-Target-URI ({name})",
                  expected="EM810 for that record; the batch goes on", observed="EM810; the other records read")


@pytest.mark.parametrize("name", ["cut.warc", "cut.warc.gz"])
def test_batch_truncated_warc_reports_the_cut_record_not_a_short_article(folder: Path, name: str, ledger) -> None:
    path = folder / name
    write_warc(path, 2)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) * 3 // 4])  # inside the second record's body
    pages, errors = read_folder(folder)
    assert sorted(pages) == sorted(["https://news.test/0", (folder / "good.txt").as_uri()])
    assert len(errors) == 1 and errors[0].startswith("[EM811]") and "news.test/1" in errors[0], errors
    ledger.record(AREA, f"WARC cut inside a record ({name})", expected="EM811 for the cut record, never a short page",
                  observed="EM811; the whole records read")


@pytest.mark.parametrize(("content", "code"), [(b"", "[EM812]"), (b"WARC/1.0\r\n", "[EM811]"),
                                               (b"<html><body>not a WARC</body></html>\n", "[EM801]")])
def test_batch_file_that_is_no_warc_gets_an_error_for_the_file(tmp_path: Path, content: bytes, code: str, ledger) -> None:
    path = tmp_path / "bad.warc"
    path.write_bytes(content)
    pages, errors = read_folder(path)
    assert pages == [] and len(errors) == 1 and errors[0].startswith(code), errors
    ledger.record(AREA, "a .warc file that is no WARC (empty, a bare version line, HTML)", expected="a coded error for the file",
                  observed=f"{code[1:-1]}")


def test_extract_of_a_file_that_is_no_warc_exits_non_zero(tmp_path: Path) -> None:
    """The real command: nothing readable -> exit code 2 (docs/errors.md), the error printed."""
    import subprocess
    import sys

    path = tmp_path / "empty.warc"
    path.write_bytes(b"")
    exe = str(Path(sys.executable).with_name("evidence-miner"))
    source = str(Path(evidence_miner.__file__).parents[1])  # this checkout's package, not another
    env = {**os.environ, "EVIDENCE_MINER_EXTRACT__NER_MODEL": "none", "PYTHONPATH": source}
    done = subprocess.run([exe, "extract", str(path), "--quiet", "--workers", "1"], check=False, cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 2 and "[EM812]" in done.stderr, done.stderr
