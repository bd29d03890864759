"""Read a fetched document: is it a sitemap, feed, article or listing page; its links; its Page."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

from evidence_miner.sources import metadata
from evidence_miner.sources.decode import decode_http_body
from evidence_miner.sources.web.discover import (
    FEED,
    SITEMAP,
    Link,
    find_base_url,
    find_html_links,
    find_xml_links,
    gunzip_capped,
    is_gzip,
    is_nofollow,
    is_xml,
    parse_xml,
    to_xml_kind,
)
from evidence_miner.sources.web.fetch import Response
from evidence_miner.sources.formats import Format, format_for_type, plugin_page_format
from evidence_miner.sources.html import page_from_sources, parse_tree, repair_markup
from evidence_miner.sources.metadata import HtmlSources, find_typed
from evidence_miner.sources.web.robots import to_agent_token
from evidence_miner.sources.rules import load_words
from evidence_miner.sources.web.urls import try_normalise
from evidence_miner.errors import FetchError, InputError
from evidence_miner.records import Page
from evidence_miner.settings import CrawlSettings

log = logging.getLogger(__name__)

ARTICLE, LISTING, UNKNOWN = "article", "listing", "unknown"
LISTING_TYPES = ["CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage"]


@dataclass(frozen=True)
class ReadOptions:
    """How to read documents: the settings the worker threads need, nothing more."""

    tracking: tuple[str, ...] = ()
    max_decompressed_bytes: int = 50_000_000
    min_article_words: int = 120
    agent: str = "evidence-miner"
    max_links: int = 5_000  # 0: no limit


@dataclass
class Document:
    """What a fetched body turned out to be, with its normalised links and its Page (when it
    has main text; only an ARTICLE's is extracted and stored by the crawler)."""

    kind: str
    content_sha256: str
    links: list[Link] = field(default_factory=list)
    page: Page | None = None
    canonical_url: str | None = None
    reason: str | None = None  # why a body could not be read (kind UNKNOWN)
    dropped_links: int = 0  # links past ReadOptions.max_links, not followed


def to_read_options(settings: CrawlSettings) -> ReadOptions:
    return ReadOptions(
        tracking=tuple(settings.tracking_parameters),
        max_decompressed_bytes=settings.max_decompressed_bytes,
        min_article_words=settings.min_article_words,
        agent=to_agent_token(settings.user_agent_string),
        max_links=settings.max_links_per_page,
    )


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_document(response: Response, options: ReadOptions) -> Document:
    """The Document of a 200 response; unreadable bodies give kind UNKNOWN with a reason."""
    digest = sha256_bytes(response.body)
    try:
        data = unpack_body(response, options)
        plugin = plugin_page_format(response.content_type)
        if plugin is not None:
            return read_with_plugin(plugin, data, response, digest)
        if is_xml_body(data, response.content_type):
            document = read_xml(data, response, options, digest)
            if document is not None:
                return document
        return read_html(data, response, options, digest)
    except (FetchError, InputError) as exc:
        log.debug("%s", exc, extra={"stage": "crawl", "url": response.url})
        return Document(UNKNOWN, digest, reason=str(exc))


def unpack_body(response: Response, options: ReadOptions) -> bytes:
    """The body, gunzipped (capped) when it is a .gz file rather than Content-Encoding."""
    if is_gzip(response.body) or to_format_name(response.content_type) == "gzip":
        return gunzip_capped(
            response.body, limit=options.max_decompressed_bytes, name=repr(response.final_url)
        )
    return response.body


def to_format_name(content_type: str | None) -> str | None:
    """The name of the format sources/formats.py reads a media type with ("html"), or None."""
    found = format_for_type(content_type)
    return found.name if found is not None else None


def is_xml_body(data: bytes, content_type: str | None) -> bool:
    name = to_format_name(content_type)
    if name == "html":
        return False
    return name == "xml" or is_xml(data)


def read_xml(data: bytes, response: Response, options: ReadOptions, digest: str) -> Document | None:
    """A sitemap or feed Document; None for other XML (XHTML, say), read as HTML instead."""
    root = parse_xml(data, name=repr(response.final_url))
    kind = to_xml_kind(root)
    if kind is None:
        return None
    found, dropped = cap_links(find_xml_links(root), options.max_links)
    links = normalise_links(found, response.final_url, options.tracking)
    return Document(kind, digest, links=links, dropped_links=dropped)


def read_html(data: bytes, response: Response, options: ReadOptions, digest: str) -> Document:
    """An article or listing Document: links (unless nofollow), and the Page of an article."""
    markup = decode_http_body(data, header_charset=response.charset, name=repr(response.final_url))
    markup = repair_markup(markup)
    tree = parse_tree(markup, url=response.final_url)
    sources = metadata.read_html_sources(tree, url=response.final_url)
    base = urljoin(response.final_url, find_base_url(tree, response.final_url))
    nofollow = is_nofollow(tree, options.agent)
    found, dropped = cap_links([] if nofollow else find_html_links(tree), options.max_links)
    links = normalise_links(found, base, options.tracking)
    page = read_fetched_page(markup, sources, response, digest)
    is_article = page is not None and is_article_page(sources, page, options.min_article_words)
    canonical = metadata.pick_canonical_url(sources)
    return Document(
        ARTICLE if is_article else LISTING,
        digest,
        links=links,
        page=page,
        canonical_url=try_normalise(canonical.value, tracking=options.tracking)
        if canonical
        else None,
        dropped_links=dropped,
    )


def read_with_plugin(fmt: Format, data: bytes, response: Response, digest: str) -> Document:
    """An ARTICLE read by a reader plugin's page format (a PDF, say): its Page, no links."""
    page = fmt.load_reader()(data, url=response.final_url, name=repr(response.final_url))
    return Document(ARTICLE, digest, page=with_fetch(page, response, digest))


def with_fetch(page: Page, response: Response, digest: str) -> Page:
    """The page with what the fetch said: final URL, time, media type, the body's hash."""
    return page.model_copy(
        update={
            "final_url": response.final_url,
            "fetched_at": datetime.now(UTC),
            "content_type": response.content_type or "text/html",
            "raw_sha256": digest,
        }
    )


def read_fetched_page(
    markup: str, sources: HtmlSources, response: Response, digest: str
) -> Page | None:
    """The page's main text and metadata, with what the fetch said; None when it has no text."""
    try:
        page = page_from_sources(markup, sources, url=response.final_url)
    except InputError as exc:
        log.debug("no main text: %s", exc, extra={"stage": "crawl", "url": response.final_url})
        return None
    return with_fetch(page, response, digest)


def is_article_page(sources: HtmlSources, page: Page, min_words: int) -> bool:
    """Article markup (citation_*, schema.org Article types, og:type article) says so;
    listing markup says not; otherwise enough main-text words make an article."""
    if "citation_title" in sources.meta or next(
        find_typed(sources, load_words().article_types), None
    ):
        return True
    if "article" in {value.lower() for value in sources.meta.get("og:type", ())}:
        return True
    if next(find_typed(sources, LISTING_TYPES), None):
        return False
    return count_words(page.text) >= min_words


def count_words(text: str) -> int:
    return len(text.split())


def cap_links(links: list[Link], limit: int) -> tuple[list[Link], int]:
    """The first `limit` links (0: all) and how many were dropped: a page of a million links
    would otherwise cost a million URL normalisations and frontier rows."""
    if limit <= 0 or len(links) <= limit:
        return links, 0
    return links[:limit], len(links) - limit


def normalise_links(links: Sequence[Link], base: str, tracking: Sequence[str]) -> list[Link]:
    """Absolute, normalised http(s) links, first occurrence kept; others dropped."""
    found: dict[str, Link] = {}
    for link in links:
        url = try_normalise(link.url, base=base, tracking=tracking)
        if url is not None and url not in found or url is not None and link.hint in (FEED, SITEMAP):
            found[url] = Link(url, link.hint, link.modified)
    return list(found.values())
