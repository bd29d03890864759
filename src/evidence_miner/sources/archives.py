"""Stream Pages out of archives: WARC/WARC.gz, JSONL(.gz) dumps and gzipped .txt/.html files."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import io
import json
import logging
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataException
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader
from warcio.recordloader import ArcWarcRecord, ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeadersParserException

from evidence_miner.sources.decode import decode_http_body
from evidence_miner.sources.formats import (
    ARCHIVE,
    BUILT_IN,
    PAGE,
    Format,
    format_for_name,
    format_for_type,
    format_named,
    suffixes_of,
)
from evidence_miner.sources.read import checked_bytes, open_input
from evidence_miner.errors import InputError
from evidence_miner.records import Page

log = logging.getLogger(__name__)

# The built-in archive formats' suffixes, found in input folders whatever input.extensions says.
ARCHIVE_SUFFIXES = suffixes_of(ARCHIVE, BUILT_IN)
JSONL_SUFFIXES = next(fmt.suffixes for fmt in BUILT_IN if fmt.name == "jsonl")
# The rest of a line past the limit is read (and dropped) in pieces of this size.
SKIP_CHUNK_BYTES = 1 << 20
CHUNK_BYTES = 65_536
HTTP_LOADER = ArcWarcRecordLoader()

# One document of an archive: its url and its Page, or the InputError saying why there is none.
ArchiveItem = tuple[str, Page | InputError]


def is_archive_path(path: Path) -> bool:
    return format_for_name(path.name, kind=ARCHIVE) is not None


def iter_archive_pages(path: Path, *, max_bytes: int) -> Iterator[ArchiveItem]:
    """Every document of an archive file, streamed; a bad document yields its error and the
    next one is read. An unreadable archive yields one error for the file."""
    archive = format_for_name(path.name, kind=ARCHIVE) or format_named("gzip")
    try:
        yield from archive.load_reader()(path, max_bytes=max_bytes)
    except InputError as exc:  # the file itself cannot be opened (a FIFO, a symlink loop)
        yield path.absolute().as_uri(), exc
    except (OSError, EOFError, zlib.error, ArchiveLoadFailed) as exc:
        yield (
            path.resolve().as_uri(),
            InputError(
                f"[EM801] Cannot read archive {str(path)!r}: {exc}. Documents before this point "
                "were read; check the file is complete (a truncated download?) and not corrupt."
            ),
        )


def to_page(data: bytes, *, url: str, page_format: Format, max_bytes: int) -> Page:
    """A Page from one document's bytes, read by `page_format`, with a saved file's checks."""
    checked_bytes(data, name=repr(url), max_bytes=max_bytes, what="document")
    page = page_format.load_reader()(data, url=url, name=repr(url))
    return page.model_copy(update={"raw_sha256": hashlib.sha256(data).hexdigest()})


def read_limited(stream: BinaryIO | gzip.GzipFile, max_bytes: int) -> bytes:
    return stream.read(max_bytes + 1)


def iter_gzip_page(path: Path, *, max_bytes: int) -> Iterator[ArchiveItem]:
    """The one page of a gzipped file (.txt.gz, .html.gz), read by the format of its name
    without .gz; a name no format claims is read as HTML."""
    url = path.resolve().as_uri()
    with open_input(path) as raw, gzip.open(raw, "rb") as stream:
        data = read_limited(stream, max_bytes)
    inner = format_for_name(path.name.lower().removesuffix(".gz"), kind=PAGE)
    page_format = inner or format_named("html")
    yield url, to_item(lambda: to_page(data, url=url, page_format=page_format, max_bytes=max_bytes))


def to_item(make_page: Any) -> Page | InputError:
    try:
        return make_page()
    except InputError as exc:
        return exc


def maybe_gunzip(raw: BinaryIO, path: Path) -> BinaryIO | gzip.GzipFile:
    return gzip.GzipFile(fileobj=raw, mode="rb") if path.name.lower().endswith(".gz") else raw


@dataclass(frozen=True)
class Line:
    """One line of a JSON Lines file: its 1-based number and bytes (empty when too long)."""

    number: int
    data: bytes
    too_long: bool = False


def iter_lines(stream: BinaryIO | gzip.GzipFile, *, max_bytes: int) -> Iterator[Line]:
    """The lines of a binary stream, none held longer than `max_bytes` (plus its newline): a
    longer line is read on to its end in pieces, dropped, and yielded as `too_long`."""
    for number in itertools.count(1):
        data = stream.readline(max_bytes + 1)
        if not data:
            return
        if len(data) > max_bytes and not data.endswith(b"\n"):
            skip_to_line_end(stream)
            yield Line(number, b"", too_long=True)
        else:
            yield Line(number, data)


def skip_to_line_end(stream: BinaryIO | gzip.GzipFile) -> None:
    while piece := stream.readline(SKIP_CHUNK_BYTES):
        if piece.endswith(b"\n"):
            return


# A records file's first line is read whole up to this size to tell it from a JSONL of pages.
RECORD_LINE_BYTES = 16 * 1024 * 1024


def is_records_file(path: Path) -> bool:
    """A JSONL(.gz) file whose first line is an evidence record (`record_id` and `source`): an
    output of run, extract or export, not a JSONL of pages. False for anything unreadable."""
    if not path.name.lower().endswith(JSONL_SUFFIXES):
        return False
    try:
        with open_input(path) as raw, maybe_gunzip(raw, path) as stream:
            line = next(
                (
                    line
                    for line in iter_lines(stream, max_bytes=RECORD_LINE_BYTES)
                    if line.data.strip()
                ),
                None,
            )
            data = json.loads(line.data) if line is not None and not line.too_long else None
    except (InputError, OSError, EOFError, ValueError, zlib.error):
        return False
    return isinstance(data, dict) and "record_id" in data and "source" in data


def iter_jsonl_pages(path: Path, *, max_bytes: int) -> Iterator[ArchiveItem]:
    """One page per line holding `url` and `html` or `text`; blank lines skipped, a line
    longer than `max_bytes` reported (EM820) without being read into memory."""
    file_uri = path.resolve().as_uri()
    with open_input(path) as raw, maybe_gunzip(raw, path) as stream:
        for line in iter_lines(stream, max_bytes=max_bytes):
            fallback = f"{file_uri}#line={line.number}"
            if line.too_long:
                yield fallback, to_line_too_long(path, line.number, max_bytes)
            elif line.data.strip():
                yield parse_jsonl_line(line.data, fallback_url=fallback, max_bytes=max_bytes)


def to_line_too_long(path: Path, number: int, max_bytes: int) -> InputError:
    return InputError(
        f"[EM820] line {number} of {str(path)!r} is longer than {max_bytes} bytes; it was skipped "
        "unread. Raise input.max_file_bytes if it really is one document, or remove the line."
    )


def parse_jsonl_line(line: bytes, *, fallback_url: str, max_bytes: int) -> ArchiveItem:
    try:
        data = json.loads(line)
    except ValueError as exc:
        return fallback_url, InputError(
            f"[EM802] {fallback_url!r} is not valid JSON: {exc}. Fix or remove the line."
        )
    if not isinstance(data, dict) or not isinstance(data.get("html", data.get("text")), str):
        return fallback_url, InputError(
            f"[EM803] {fallback_url!r} has no string `html` or `text` field. Each JSONL line must "
            "be an object with `url` and `html` or `text`."
        )
    url = data["url"] if isinstance(data.get("url"), str) and data["url"] else fallback_url
    key = "html" if isinstance(data.get("html"), str) else "text"
    body = data[key].encode("utf-8")
    page_format = format_named(key)  # the field names the format: "html" or "text"
    return url, to_item(
        lambda: to_page(body, url=url, page_format=page_format, max_bytes=max_bytes)
    )


def iter_warc_pages(path: Path, *, max_bytes: int) -> Iterator[ArchiveItem]:
    """The HTML pages of a WARC file's response records (other records are skipped). A record
    without a target URI [EM810] or cut short [EM811] fails alone; a file holding no WARC
    record [EM812] or ending inside one [EM811] gets an error for the file."""
    file_uri = path.resolve().as_uri()
    seen = WarcSeen()
    with open_input(path) as stream:
        records = ArchiveIterator(stream, no_record_parse=True)
        for number, record in enumerate(records, start=1):
            item = read_warc_entry(
                record, fallback=f"{file_uri}#record={number}", max_bytes=max_bytes
            )
            seen.add(record, reported=item is not None and "[EM811]" in str(item[1]))
            if item is not None:
                yield item
        seen.left_over = os.fstat(stream.fileno()).st_size - records.offset
    problem = seen.to_problem(path)
    if problem is not None:
        yield file_uri, problem


@dataclass
class WarcSeen:
    """What the records of a WARC file showed: how many, how many typed, a cut last one."""

    records: int = 0
    typed: int = 0
    cut_unreported: bool = False
    left_over: int = 0  # bytes after the last whole record (a cut gzip member)

    def add(self, record: ArcWarcRecord, *, reported: bool) -> None:
        self.records += 1
        self.typed += record.rec_type is not None
        self.cut_unreported = is_cut(record) and not reported

    def to_problem(self, path: Path) -> InputError | None:
        """The file's own error: no WARC record in it [EM812], or it ends inside a record
        that was not reported as cut already [EM811]."""
        if self.records == 0:
            return InputError(
                f"[EM812] {str(path)!r} holds no WARC record: it is empty or not a WARC file. "
                "Give a .warc/.warc.gz file, or rename the file after its real format."
            )
        if self.cut_unreported or self.typed == 0 or self.left_over > 0:
            return InputError(
                f"[EM811] {str(path)!r} ends inside a WARC record; the records before it were "
                "read. Download or copy the WARC again."
            )
        return None


def read_warc_entry(record: ArcWarcRecord, *, fallback: str, max_bytes: int) -> ArchiveItem | None:
    """A response record's page or error; None for records that hold no web page."""
    if record.rec_type != "response":
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI")
    if is_cut_head(record):  # the file ends in its header block
        return uri or fallback, truncated_error(uri or fallback)
    if not uri:
        return fallback, InputError(
            f"[EM810] WARC response record {fallback!r} has no WARC-Target-URI header; skipped. "
            "Nothing to do unless the page matters: then fix the tool that wrote the WARC."
        )
    if not uri.lower().startswith(("http:", "https:")):
        return None
    try:
        return read_warc_response(record, uri, max_bytes=max_bytes)
    except (
        StatusAndHeadersParserException,
        ChunkedDataException,
        EOFError,
        ValueError,
        zlib.error,
    ) as exc:
        return uri, truncated_error(uri) if is_cut(record) else InputError(
            f"[EM813] WARC record of {uri!r} has unreadable HTTP headers or body ({exc}); "
            "skipped. Check the tool that wrote the WARC."
        )


def read_warc_response(record: ArcWarcRecord, uri: str, *, max_bytes: int) -> ArchiveItem | None:
    """The page of a whole response record (read to its end first: a cut one is no page)."""
    body = io.BytesIO(read_limited(record.raw_stream, max_bytes * 4))
    if is_cut(record):
        return uri, truncated_error(uri)
    record.raw_stream = body
    record.http_headers = HTTP_LOADER.load_http_headers("response", uri, body, record.length)
    if not is_html_response(record):
        return None
    data = read_limited(record.content_stream(), max_bytes)
    charset = find_charset(record.http_headers.get_header("Content-Type") or "")
    return uri, to_item(lambda: to_warc_page(data, url=uri, charset=charset, max_bytes=max_bytes))


def is_cut_head(record: ArcWarcRecord) -> bool:
    """The file ends in the record's header block: no Content-Length, or a cut one."""
    declared = record.rec_headers.get_header("Content-Length") if record.format == "warc" else "0"
    return record.length is None or not str(declared or "").strip().isdigit()


def is_cut(record: ArcWarcRecord) -> bool:
    """The file ended inside the record: in its header block (no Content-Length read), or
    before Content-Length bytes of its block (what is left is read to see)."""
    if is_cut_head(record):
        return True
    stream = record.raw_stream
    if isinstance(stream, LimitReader):
        while stream.read(CHUNK_BYTES):
            pass
        return stream.limit > 0
    return False


def truncated_error(uri: str) -> InputError:
    return InputError(
        f"[EM811] WARC record of {uri!r} is truncated: the file ends before the record does; "
        "not stored. Download or copy the WARC again."
    )


def is_html_response(record: Any) -> bool:
    if record.rec_type != "response" or record.http_headers is None:
        return False
    content_type = (record.http_headers.get_header("Content-Type") or "").lower()
    status = record.http_headers.get_statuscode() or ""
    page_format = format_for_type(content_type.split(";")[0].strip())
    return status.startswith("2") and page_format is not None and page_format.name == "html"


def find_charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"') or None
    return None


def to_warc_page(data: bytes, *, url: str, charset: str | None, max_bytes: int) -> Page:
    html = format_named("html")
    if len(data) > max_bytes or not data.strip():
        return to_page(data, url=url, page_format=html, max_bytes=max_bytes)
    text = decode_http_body(data, header_charset=charset, name=repr(url))
    return to_page(text.encode("utf-8"), url=url, page_format=html, max_bytes=max_bytes * 4)
