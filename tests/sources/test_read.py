"""Tests for finding article files and reading them into Pages."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from evidence_miner.sources.read import find_article_paths, read_page
from evidence_miner.errors import InputError

EXTENSIONS = [".txt", ".html", ".htm"]
MAX_BYTES = 1_000_000


def test_find_article_paths_walks_directories_in_sorted_order(article_tree: Path) -> None:
    found, problems = find_article_paths([article_tree], extensions=EXTENSIONS)
    assert problems == []
    assert [p.relative_to(article_tree).as_posix() for p in found] == [
        "a.HTML",
        "b.txt",
        "sub/c.htm",
        "sub/deeper/d.txt",
    ]


def test_find_article_paths_keeps_files_as_given(article_tree: Path) -> None:
    given = [article_tree / "notes.md", article_tree / "b.txt"]
    assert find_article_paths(given, extensions=EXTENSIONS) == (given, [])


def test_find_article_paths_reports_missing_path(tmp_path: Path) -> None:
    found, [problem] = find_article_paths([tmp_path / "nowhere"], extensions=EXTENSIONS)
    assert found == [] and str(problem).startswith("[EM101] ") and "does not exist" in str(problem)


def test_find_article_paths_reports_each_bad_path_and_goes_on(
    tmp_path: Path, article_tree: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.md").write_text("not an article", encoding="utf-8")
    paths, problems = find_article_paths(
        [tmp_path / "missing", empty, article_tree / "b.txt"], extensions=EXTENSIONS
    )
    assert paths == [article_tree / "b.txt"]
    assert [str(p).split("]")[0] for p in problems] == ["[EM101", "[EM102"]
    assert ".txt/.html/.htm" in str(problems[1])


def test_read_page_reads_text_article(blog_article_path: Path) -> None:
    page = read_page(blog_article_path, max_bytes=MAX_BYTES)
    assert page.url == blog_article_path.resolve().as_uri()
    assert page.content_type == "text/plain"
    assert page.raw_sha256 == hashlib.sha256(blog_article_path.read_bytes()).hexdigest()
    assert page.fetched_at is None
    assert page.text.startswith(page.title or "<no title>")


def test_read_page_reads_html_article(tmp_path: Path, news_page_html: str) -> None:
    path = tmp_path / "page.HTM"
    path.write_text(news_page_html, encoding="utf-8")
    page = read_page(path, max_bytes=MAX_BYTES)
    assert page.content_type == "text/html"
    assert page.url.startswith("file://") and page.url.endswith("/page.HTM")


def test_read_page_decodes_windows_1252_html_without_charset(windows_1252_page: Path) -> None:
    raw = windows_1252_page.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    page = read_page(windows_1252_page, max_bytes=MAX_BYTES)
    assert "“We were surprised,” said Dr. Zoë Lefèvre" in page.text
    assert "The team’s results – still preliminary – suggest" in page.text
    assert "José Núñez" in page.text


def test_read_page_decodes_declared_latin1_as_windows_1252(tmp_path: Path) -> None:
    html = (
        '<html><head><meta charset="iso-8859-1"><title>Quotes</title></head><body><article>'
        "<p>“Quoted words” from Ms. Müller, who wrote a paragraph long enough to be kept as "
        "main text by the extractor in this test page.</p></article></body></html>"
    )
    path = tmp_path / "latin1.html"
    path.write_bytes(html.encode("cp1252"))
    assert "“Quoted words” from Ms. Müller" in read_page(path, max_bytes=MAX_BYTES).text


def test_read_page_strips_utf8_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfHeadline here\n\nA body sentence.\n")
    page = read_page(path, max_bytes=MAX_BYTES)
    assert page.title == "Headline here"
    assert page.text.startswith("Headline here")


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  "])
def test_read_page_rejects_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"^\[EM103\] .*empty"):
        read_page(path, max_bytes=MAX_BYTES)


def test_read_page_rejects_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Headline\n\n" + "A sentence. " * 20, encoding="utf-8")
    with pytest.raises(InputError, match=r"^\[EM104\] .*100 bytes.*input\.max_file_bytes"):
        read_page(path, max_bytes=100)


@pytest.mark.parametrize(
    "content", [b"Headline\x00\x01\x02 body", bytes(range(1, 32)) * 50 + b"some text"]
)
def test_read_page_rejects_binary_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "binary.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"^\[EM105\] .*binary"):
        read_page(path, max_bytes=MAX_BYTES)


def test_read_page_rejects_undecodable_file(tmp_path: Path) -> None:
    path = tmp_path / "garbled.txt"
    path.write_bytes(bytes(range(0x80, 0x100)) * 20)
    with pytest.raises(InputError, match=r"^\[EM106\] .*not decodable"):
        read_page(path, max_bytes=MAX_BYTES)


def test_read_page_rejects_unreadable_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^\[EM107\] Cannot read"):
        read_page(tmp_path, max_bytes=MAX_BYTES)


def test_read_page_errors_are_one_line(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(InputError) as caught:
        read_page(path, max_bytes=MAX_BYTES)
    assert "\n" not in str(caught.value)


RECORD_LINE = '{"record_id": "em-1", "source": {"url": "file:///in/a.txt"}, "study": {"design": "rct"}}\n'
ARCHIVE_EXTENSIONS = [".txt", ".jsonl", ".jsonl.gz"]


def test_find_article_paths_skips_a_records_output_in_an_input_folder(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """`extract in -o in/out.jsonl` twice: the second run read out.jsonl as an archive of pages
    and failed each of its lines (issue 17); a JSONL of pages in the folder is still read."""
    import gzip

    (tmp_path / "a.txt").write_text("An article.", "utf-8")
    (tmp_path / "out.jsonl").write_text(RECORD_LINE * 3, "utf-8")
    (tmp_path / "old.jsonl.gz").write_bytes(gzip.compress(("\n" + RECORD_LINE).encode()))
    (tmp_path / "pages.jsonl").write_text('{"url": "https://x.example/1", "text": "A page."}\n', "utf-8")
    found, problems = find_article_paths([tmp_path], extensions=ARCHIVE_EXTENSIONS)
    assert [p.name for p in found] == ["a.txt", "pages.jsonl"] and problems == []
    assert caplog.text.count("[EM341]") == 2 and "out.jsonl" in caplog.text


def test_find_article_paths_refuses_a_records_file_given_as_input(tmp_path: Path) -> None:
    (tmp_path / "records.jsonl").write_text(RECORD_LINE, "utf-8")
    found, [problem] = find_article_paths([tmp_path / "records.jsonl"], extensions=ARCHIVE_EXTENSIONS)
    assert found == [] and "[EM341]" in str(problem) and "evidence-miner import" in str(problem)


def test_reading_a_text_file_leaves_the_html_packages_unloaded(tmp_path: Path) -> None:
    """trafilatura and extruct (with rdflib) load only when an HTML page is read."""
    import subprocess
    import sys

    article = tmp_path / "a.txt"
    article.write_text("Title\n\nA trial of 20 patients.\n", encoding="utf-8")
    code = (
        "import sys; from pathlib import Path; from evidence_miner.sources.read import read_page; "
        f"read_page(Path({str(article)!r}), max_bytes=10000); "
        "print(sorted({'trafilatura', 'extruct'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.strip() == "[]"
