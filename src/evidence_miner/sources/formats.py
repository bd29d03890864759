"""Which reader reads an input: one table from file suffixes and HTTP content types to readers.

Every place that decides an input's format asks this table: finding article files in folders,
reading a file, streaming an archive, reading a fetched document, pairing gold files. A new
format is one reader module plus one `Format` line in `BUILT_IN`; a plugin package adds one
through the `evidence_miner.readers` entry-point group, whose entries name a `Format`:

    [project.entry-points."evidence_miner.readers"]
    pdf = "my_package.pdf:PDF_FORMAT"

Readers are imported on first use (trafilatura and warcio take a while to import). A PAGE
reader is `read(data: bytes, *, url: str, name: str) -> Page` (`name` is how error messages
call the input); an ARCHIVE reader is `iter(path: Path, *, max_bytes: int)` yielding
`(url, Page | InputError)` per document; the LINKS reader (feeds, sitemaps) is the crawler's.
A plugin's formats are read from files and archives; the crawler asks only for the media
types of the built-in formats (`content_types_of`).
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from evidence_miner.errors import ConfigError

PAGE, ARCHIVE, LINKS = "page", "archive", "links"
ENTRY_POINT_GROUP = "evidence_miner.readers"


@dataclass(frozen=True)
class Format:
    """One input format: the reader ("module:function") and what it reads."""

    name: str
    reader: str
    kind: str = PAGE  # PAGE: one document's bytes; ARCHIVE: a file of documents; LINKS
    suffixes: tuple[str, ...] = ()  # file name endings, lower case, with the dot
    content_types: tuple[str, ...] = ()  # HTTP media types, lower case
    article: bool = False  # its suffixes are in the default input.extensions

    def load_reader(self) -> Callable[..., Any]:
        """The reader function; ConfigError [EM133] when it cannot be imported."""
        return load_reader(self.reader, self.name)


# fmt: off
BUILT_IN: tuple[Format, ...] = (
    Format("text", "evidence_miner.sources.read:read_text", suffixes=(".txt",), article=True),
    Format("html", "evidence_miner.sources.read:read_html", suffixes=(".html", ".htm"),
           content_types=("text/html", "application/xhtml+xml"), article=True),
    Format("warc", "evidence_miner.sources.archives:iter_warc_pages", ARCHIVE,
           suffixes=(".warc", ".warc.gz")),
    Format("jsonl", "evidence_miner.sources.archives:iter_jsonl_pages", ARCHIVE,
           suffixes=(".jsonl", ".jsonl.gz")),
    Format("gzip", "evidence_miner.sources.archives:iter_gzip_page", ARCHIVE,
           suffixes=(".txt.gz", ".html.gz", ".htm.gz"),
           content_types=("application/gzip", "application/x-gzip", "application/x-gunzip")),
    Format("xml", "evidence_miner.sources.web.document:read_xml", LINKS, content_types=(
        "text/xml", "application/xml", "application/rss+xml", "application/atom+xml",
        "application/rdf+xml", "application/x-rss+xml")),
)
# fmt: on

_lock = threading.RLock()  # re-entrant: a plugin that asks the table while it loads


@functools.cache
def load_reader(reader: str, name: str) -> Callable[..., Any]:
    module_name, _, attribute = reader.partition(":")
    try:
        function: Callable[..., Any] = getattr(importlib.import_module(module_name), attribute)
        return function
    except (ImportError, AttributeError) as exc:
        raise ConfigError(
            f"[EM133] The reader {reader!r} of format {name!r} cannot be imported: {exc}. "
            "Reinstall the package that provides the format, or uninstall it."
        ) from exc


def load_formats() -> tuple[Format, ...]:
    """The built-in formats, then those of installed plugins (loaded once, on first use)."""
    with _lock:
        return _load_formats()


@functools.cache
def _load_formats() -> tuple[Format, ...]:
    formats = list(BUILT_IN)
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        formats.append(check_plugin(entry, load_plugin(entry), formats))
    return tuple(formats)


def load_plugin(entry: importlib.metadata.EntryPoint) -> Format:
    """The Format an entry point names; ConfigError [EM130] or [EM131] naming the plugin."""
    try:
        value = entry.load()
    except Exception as exc:  # a plugin's import can fail in any way; name it and stop
        raise ConfigError(
            f"[EM130] The reader plugin {entry.name!r} ({entry.value}, entry point group "
            f"{ENTRY_POINT_GROUP!r}) cannot be loaded: {type(exc).__name__}: {exc}. Fix or "
            "uninstall the package that provides it."
        ) from exc
    if not isinstance(value, Format):
        raise ConfigError(
            f"[EM131] The reader plugin {entry.name!r} ({entry.value}) is a "
            f"{type(value).__name__}, not an evidence_miner.sources.formats.Format. Point the "
            "entry point at a Format."
        )
    return value


def check_plugin(
    entry: importlib.metadata.EntryPoint, plugin: Format, known: Iterable[Format]
) -> Format:
    """The plugin's Format; ConfigError [EM132] when a known format reads its name, a suffix or
    a content type already, or its kind is unknown."""
    for other in known:
        clash = (
            {plugin.name} & {other.name}
            or set(plugin.suffixes) & set(other.suffixes)
            or set(plugin.content_types) & set(other.content_types)
        )
        if clash:
            raise ConfigError(
                f"[EM132] The reader plugin {entry.name!r} ({entry.value}) claims "
                f"{sorted(clash)[0]!r}, which format {other.name!r} reads already. Uninstall "
                "one of the two packages."
            )
    if plugin.kind not in (PAGE, ARCHIVE):
        raise ConfigError(
            f"[EM132] The reader plugin {entry.name!r} ({entry.value}) has kind {plugin.kind!r}; "
            f"a plugin reads {PAGE!r} or {ARCHIVE!r}. Change its Format's kind."
        )
    return plugin


def format_named(name: str) -> Format:
    return next(fmt for fmt in load_formats() if fmt.name == name)


def format_for_name(file_name: str, *, kind: str | None = None) -> Format | None:
    """The format of a file name by its longest matching suffix (of that kind), or None."""
    lowered = file_name.lower()
    best: tuple[int, Format] | None = None
    for fmt in load_formats():
        for suffix in fmt.suffixes if kind in (None, fmt.kind) else ():
            if lowered.endswith(suffix) and (best is None or len(suffix) > best[0]):
                best = (len(suffix), fmt)
    return best[1] if best is not None else None


def page_format_for_name(file_name: str) -> Format:
    """The PAGE format a saved file is read by: its suffix's, else plain text."""
    return format_for_name(file_name, kind=PAGE) or format_named("text")


def format_for_type(content_type: str | None) -> Format | None:
    """The format of an HTTP media type ("text/html", no parameters), or None."""
    return next((fmt for fmt in load_formats() if content_type in fmt.content_types), None)


def suffixes_of(kind: str, formats: Iterable[Format] = BUILT_IN) -> tuple[str, ...]:
    return tuple(suffix for fmt in formats if fmt.kind == kind for suffix in fmt.suffixes)


def content_types_of(*names: str) -> frozenset[str]:
    """The media types of built-in formats (what the crawler asks for)."""
    return frozenset(t for fmt in BUILT_IN if fmt.name in names for t in fmt.content_types)


def fetched_content_types() -> frozenset[str]:
    """The media types the crawler asks for: pages, feeds and sitemaps and gzipped ones (built
    in), and those of every page format a reader plugin adds."""
    built_in = content_types_of("html", "xml", "gzip")
    plugins = [fmt for fmt in load_formats() if fmt not in BUILT_IN and fmt.kind == PAGE]
    return built_in | {media for fmt in plugins for media in fmt.content_types}


def plugin_page_format(content_type: str | None) -> Format | None:
    """The plugin page format that reads this media type (a fetched PDF, say), or None for the
    built-in ones, which the crawler reads itself."""
    found = format_for_type(content_type)
    return found if found is not None and found not in BUILT_IN and found.kind == PAGE else None


def article_suffixes() -> list[str]:
    """The default input.extensions: the suffixes of every format marked `article`."""
    return [suffix for fmt in load_formats() if fmt.article for suffix in fmt.suffixes]


def page_suffixes() -> tuple[str, ...]:
    """The suffixes of every PAGE format (built-in and plugin), in table order."""
    return suffixes_of(PAGE, load_formats())
