"""Find saved article files and read each one into a Page."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from evidence_miner.sources.decode import decode_bytes
from evidence_miner.sources.formats import page_format_for_name
from evidence_miner.sources.text import page_from_text
from evidence_miner.errors import InputError
from evidence_miner.records import Page

log = logging.getLogger(__name__)

EXPECTED_SUFFIX = ".expected.json"


def to_html_page(text: str, *, url: str) -> Page:
    """sources.html's page_from_html, imported on first use: trafilatura, extruct and rdflib take
    about half a second to import, and a run over .txt files never needs them."""
    from evidence_miner.sources.html import page_from_html

    return page_from_html(text, url=url)


def is_hidden(name: str) -> bool:
    return name.startswith(".")


def is_article_name(name: str, extensions: Sequence[str]) -> bool:
    lowered = name.lower()
    if is_hidden(name) or lowered.endswith(EXPECTED_SUFFIX):
        return False
    return any(lowered.endswith(ext.lower()) for ext in extensions)


def scan_directory(root: Path, extensions: Sequence[str]) -> tuple[list[Path], list[InputError]]:
    """The readable article files under `root` (sorted; symlinked folders are not entered), and
    an InputError for each entry named like an article that is not read (see `check_entry`)."""
    found: list[Path] = []
    problems: list[InputError] = []
    real_root = root.resolve()
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if not is_hidden(d))
        for path in (Path(directory, n) for n in sorted(names) if is_article_name(n, extensions)):
            problem = check_entry(path, real_root)
            if problem is None and is_output_of_records(path):
                log.warning(
                    "%s Skipped; move outputs out of input folders.",
                    records_file_message(path),
                    extra={"stage": "read"},
                )
                continue
            found.extend([] if problem else [path])
            problems.extend([problem] if problem else [])
    return sorted(found), problems


def is_output_of_records(path: Path) -> bool:
    """A records file (records.jsonl of run, extract -o, export) found where articles are read:
    read again as an archive, every line of it failed (EM803)."""
    from evidence_miner.sources.archives import is_records_file  # archives imports this module

    return is_records_file(path)


def records_file_message(path: Path) -> str:
    return (
        f"[EM341] {str(path)!r} holds evidence records (an output of run, extract or export), "
        "not articles."
    )


def check_entry(path: Path, real_root: Path) -> InputError | None:
    """Why a file found in an input folder is not read, or None: a symlink loop [EM122], not a
    regular file (a FIFO, socket or device) [EM121], a symlink out of the folder [EM120]."""
    try:
        info = path.stat()
    except OSError as exc:
        return to_open_error(path, exc)
    if not stat.S_ISREG(info.st_mode):
        return not_regular_error(path)
    if path.is_symlink() and not path.resolve().is_relative_to(real_root):
        return InputError(
            f"[EM120] {str(path)!r} is a symlink to {str(path.resolve())!r}, outside the input "
            "folder; not read. Copy the file into the folder if it is an article."
        )
    return None


def not_regular_error(path: Path) -> InputError:
    return InputError(
        f"[EM121] {str(path)!r} is not a regular file (a FIFO, socket or device); skipped "
        "unopened. Remove it from the input folder or give a saved article file."
    )


def to_open_error(path: Path, exc: OSError) -> InputError:
    """The InputError of a file that cannot be opened: a symlink loop, missing, unreadable."""
    if exc.errno == errno.ELOOP:
        return InputError(
            f"[EM122] {str(path)!r} is a symlink loop (it points back to itself); skipped. "
            "Remove the link or point it at the article."
        )
    if isinstance(exc, FileNotFoundError):
        return InputError(
            f"[EM101] Input file {str(path)!r} does not exist (or is a broken "
            "symlink). Check the path."
        )
    return InputError(
        f"[EM107] Cannot read {str(path)!r}: {exc.strerror or exc}. Check its permissions."
    )


def list_path_articles(
    path: Path, extensions: Sequence[str]
) -> tuple[list[Path], list[InputError]]:
    """A path given as input: itself when a file, else its article files and bad entries."""
    if not path.exists():
        if path.is_symlink():
            return [], [to_open_error(path, open_error(path))]
        raise InputError(
            f"[EM101] Input path {str(path)!r} does not exist. Check the path and try again."
        )
    if not path.is_dir():
        if is_output_of_records(path):
            return [], [
                InputError(
                    f"{records_file_message(path)} Not read: give the articles, or load it into "
                    "a database with `evidence-miner import`."
                )
            ]
        return [path], []
    found, problems = scan_directory(path, extensions)
    if not found and not problems:
        raise InputError(
            f"[EM102] Directory {str(path)!r} has no {'/'.join(extensions)} files "
            f"(hidden files and *{EXPECTED_SUFFIX} are skipped). "
            "Give a directory holding articles, or change input.extensions."
        )
    return found, problems


def open_error(path: Path) -> OSError:
    """The error stat() gives for a path that exists() says is not there."""
    try:
        path.stat()
    except OSError as exc:
        return exc
    return FileNotFoundError(errno.ENOENT, "not found", str(path))


def find_article_paths(
    paths: Sequence[Path], *, extensions: Sequence[str]
) -> tuple[list[Path], list[InputError]]:
    """The article files of every good path, and one InputError for each bad path or entry."""
    found: list[Path] = []
    problems: list[InputError] = []
    for path in paths:
        try:
            files, bad = list_path_articles(path, extensions)
        except InputError as exc:
            problems.append(exc)
            continue
        found.extend(files)
        problems.extend(bad)
    return found, problems


def open_input(path: Path) -> BinaryIO:
    """The file opened for reading, only when it is a regular file: opened without blocking
    (a FIFO would block open() for ever) and checked before a byte is read. InputError else."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise to_open_error(path, exc) from exc
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise to_open_error(path, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
        if not stat.S_ISREG(mode):
            raise not_regular_error(path)
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_bytes(path: Path, *, max_bytes: int) -> bytes:
    """The file's bytes; InputError when missing, unreadable, not a regular file, too large or
    empty."""
    try:
        with open_input(path) as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise to_open_error(path, exc) from exc
    return checked_bytes(data, name=repr(str(path)), max_bytes=max_bytes, what="file")


def checked_bytes(data: bytes, *, name: str, max_bytes: int, what: str) -> bytes:
    """The bytes of a file or an archive's document, unless too large (EM104) or empty (EM103)."""
    if len(data) > max_bytes:
        raise InputError(
            f"[EM104] {name} is larger than {max_bytes} bytes. Raise input.max_file_bytes "
            f"or leave the {what} out."
        )
    if not data.strip():
        raise InputError(f"[EM103] {name} is empty or only whitespace. Remove it.")
    return data


def read_page(path: Path, *, max_bytes: int) -> Page:
    """A Page from a saved article file, read by the format its name ends in (sources/formats.py;
    .html/.htm as HTML), a name no format claims as text."""
    data = read_bytes(path, max_bytes=max_bytes)
    url = path.resolve().as_uri()
    read = page_format_for_name(path.name).load_reader()
    page = read(data, url=url, name=repr(str(path)))
    log.debug("read %s", url, extra={"stage": "crawl", "url": url})
    return page.model_copy(update={"raw_sha256": hashlib.sha256(data).hexdigest()})


def decode_text(data: bytes, *, is_html: bool, name: str) -> str:
    """The text of a document's bytes; InputError when binary, undecodable or only whitespace."""
    text = decode_bytes(data, is_html=is_html, name=name)
    if not text.strip():
        raise InputError(f"[EM103] {name} is empty or only whitespace. Remove it.")
    return text


def read_text(data: bytes, *, url: str, name: str) -> Page:
    """The "text" format's reader: first line the title, header facts read, junk removed."""
    return page_from_text(decode_text(data, is_html=False, name=name), url=url)


def read_html(data: bytes, *, url: str, name: str) -> Page:
    """The "html" format's reader: the page's main text and metadata."""
    return to_html_page(decode_text(data, is_html=True, name=name), url=url)
