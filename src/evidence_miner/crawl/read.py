"""Find saved article files and read each one into a Page."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from evidence_miner.crawl.decode import decode_bytes
from evidence_miner.crawl.html import page_from_html
from evidence_miner.crawl.text import page_from_text
from evidence_miner.errors import InputError
from evidence_miner.records import Page

log = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm")
EXPECTED_SUFFIX = ".expected.json"


def is_hidden(name: str) -> bool:
    return name.startswith(".")


def is_article_name(name: str, extensions: Sequence[str]) -> bool:
    lowered = name.lower()
    if is_hidden(name) or lowered.endswith(EXPECTED_SUFFIX):
        return False
    return any(lowered.endswith(ext.lower()) for ext in extensions)


def find_directory_articles(root: Path, extensions: Sequence[str]) -> list[Path]:
    """Article files under `root`, recursively, in sorted order; hidden files and dirs skipped."""
    found: list[Path] = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if not is_hidden(d))
        found.extend(Path(directory, n) for n in names if is_article_name(n, extensions))
    return sorted(found)


def iter_article_paths(paths: Sequence[Path], *, extensions: Sequence[str]) -> Iterator[Path]:
    """Files as given, and article files found in directories; raises at the first bad path."""
    for path in paths:
        yield from list_path_articles(path, extensions)


def list_path_articles(path: Path, extensions: Sequence[str]) -> list[Path]:
    if not path.exists():
        raise InputError(
            f"[EM101] Input path {str(path)!r} does not exist. Check the path and try again."
        )
    if not path.is_dir():
        return [path]
    found = find_directory_articles(path, extensions)
    if not found:
        raise InputError(
            f"[EM102] Directory {str(path)!r} has no {'/'.join(extensions)} files "
            f"(hidden files and *{EXPECTED_SUFFIX} are skipped). "
            "Give a directory holding articles, or change input.extensions."
        )
    return found


def find_article_paths(
    paths: Sequence[Path], *, extensions: Sequence[str]
) -> tuple[list[Path], list[InputError]]:
    """The article files of every good path, and one InputError for each bad path."""
    found: list[Path] = []
    problems: list[InputError] = []
    for path in paths:
        try:
            found.extend(list_path_articles(path, extensions))
        except InputError as exc:
            problems.append(exc)
    return found, problems


def read_bytes(path: Path, *, max_bytes: int) -> bytes:
    """The file's bytes; InputError when missing, unreadable, too large or empty."""
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise InputError(
            f"[EM101] Input file {str(path)!r} does not exist. Check the path."
        ) from exc
    except OSError as exc:
        raise InputError(
            f"[EM107] Cannot read {str(path)!r}: {exc.strerror or exc}. Check its permissions."
        ) from exc
    if len(data) > max_bytes:
        raise InputError(
            f"[EM104] {str(path)!r} is larger than {max_bytes} bytes. Raise input.max_file_bytes "
            "or leave the file out."
        )
    if not data.strip():
        raise InputError(f"[EM103] {str(path)!r} is empty or only whitespace. Remove it.")
    return data


def read_page(path: Path, *, max_bytes: int) -> Page:
    """A Page from a saved article file: .html/.htm read as HTML, anything else as text."""
    data = read_bytes(path, max_bytes=max_bytes)
    is_html = path.suffix.lower() in HTML_SUFFIXES
    text = decode_bytes(data, is_html=is_html, name=repr(str(path)))
    if not text.strip():
        raise InputError(f"[EM103] {str(path)!r} is empty or only whitespace. Remove it.")
    url = path.resolve().as_uri()
    page = page_from_html(text, url=url) if is_html else page_from_text(text, url=url)
    log.debug("read %s", url, extra={"stage": "crawl", "url": url})
    return page.model_copy(update={"raw_sha256": hashlib.sha256(data).hexdigest()})
