"""Hostile files (issue 18): symlinks out of an input folder, FIFOs and symlink loops named like
articles. Each bad input gets its coded error and the batch goes on with the others."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from evidence_miner.crawl.read import find_article_paths, read_page
from evidence_miner.errors import InputError
from evidence_miner.records import Page
from evidence_miner.settings import load_settings
from evidence_miner.workflow import ArticleResult, find_inputs, read_pages

AREA = "hostile files"
HANG_GUARD_SECONDS = 10.0  # a read still blocked then is a hang (the test fails, CI goes on)
ARTICLE = "Aspirin cut strokes\n\nIn a made-up trial of 400 adults, aspirin 81 mg daily cut strokes.\n"


@contextmanager
def hang_guard(seconds: float = HANG_GUARD_SECONDS) -> Iterator[None]:
    """TimeoutError when the block is still running (an open() of a FIFO blocks for ever)."""
    def expire(signum, frame):
        raise TimeoutError(f"still blocked after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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
