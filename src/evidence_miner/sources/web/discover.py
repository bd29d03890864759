"""Find the URLs a document points to: sitemap and feed entries (defusedxml), HTML links."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeTree
from defusedxml import DefusedXmlException
from lxml.html import HtmlElement

from evidence_miner.errors import FetchError

log = logging.getLogger(__name__)

PAGE, FEED, SITEMAP = "page", "feed", "sitemap"
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/x-rss+xml",
        "application/feed+json",
    }
)
XML_KINDS = {"sitemapindex": SITEMAP, "urlset": SITEMAP, "rss": FEED, "feed": FEED, "RDF": FEED}
GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 2048


@dataclass(frozen=True)
class Link:
    """A URL found in a document (absolute, not yet normalised) and what it likely is."""

    url: str
    hint: str = PAGE
    modified: str | None = field(default=None, compare=False)  # sitemap lastmod, feed <updated>


def is_gzip(data: bytes) -> bool:
    return data[:2] == GZIP_MAGIC


def gunzip_capped(data: bytes, *, limit: int, name: str) -> bytes:
    """Decompress a .gz body, refusing more than `limit` bytes out (a gzip bomb)."""
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise FetchError(
            f"[EM610] {name} is not valid gzip ({exc}). Report it to the site."
        ) from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise FetchError(
            f"[EM606] {name} decompresses to more than crawl.max_decompressed_bytes ({limit}). "
            "Raise the limit to read it."
        )
    return out


def local_name(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def is_xml(data: bytes) -> bool:
    head = data[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<?xml", b"<rss", b"<feed", b"<urlset", b"<sitemapindex", b"<rdf:RDF"))


def parse_xml(data: bytes, *, name: str) -> Element:
    """The root of a feed or sitemap, parsed with defusedxml (no entities, no external refs)."""
    try:
        return SafeTree.fromstring(data)
    except DefusedXmlException as exc:
        raise FetchError(
            f"[EM611] {name} declares XML entities or external references "
            f"({type(exc).__name__}); refused for safety."
        ) from exc
    except (ParseError, ValueError) as exc:
        raise FetchError(f"[EM610] {name} is not well-formed XML ({exc}).") from exc


def to_xml_kind(root: Element) -> str | None:
    """ "sitemap" or "feed" from the root element, None for other XML."""
    return XML_KINDS.get(local_name(root.tag))


def children_named(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if local_name(child.tag) == name)


def child_text(element: Element, name: str) -> str | None:
    for child in children_named(element, name):
        if child.text and child.text.strip():
            return child.text.strip()
    return None


def find_sitemap_links(root: Element) -> list[Link]:
    """A sitemap index's child sitemaps, or a urlset's page URLs."""
    if local_name(root.tag) == "sitemapindex":
        entries, hint = children_named(root, "sitemap"), SITEMAP
    else:
        entries, hint = children_named(root, "url"), PAGE
    return [
        Link(loc, hint, child_text(entry, "lastmod"))
        for entry in entries
        if (loc := child_text(entry, "loc"))
    ]


def find_atom_link(entry: Element) -> str | None:
    for link in children_named(entry, "link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link.get("href")
    return None


def find_feed_links(root: Element) -> list[Link]:
    """Item links of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, in feed order."""
    found: list[tuple[str | None, str | None]] = []
    for element in root.iter():
        name = local_name(element.tag)
        modified = child_text(element, "updated") or child_text(element, "modified")
        if name == "entry":
            found.append((find_atom_link(element), modified))
        elif name == "item":
            guid = next(children_named(element, "guid"), None)
            permalink = guid is not None and guid.get("isPermaLink", "true") == "true"
            found.append(
                (
                    child_text(element, "link")
                    or (guid.text if permalink and guid is not None else None),
                    modified,
                )
            )
    return [Link(url.strip(), PAGE, modified) for url, modified in found if url and url.strip()]


def parse_web_date(text: str | None) -> datetime | None:
    """A sitemap/Atom (ISO 8601) or HTTP/RSS (RFC 1123) date as aware UTC, or None (also for
    a date that leaves the calendar in UTC: 0001-01-01T00:00:00+01:00 is unknown)."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        try:
            value = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        return None


def find_xml_links(root: Element) -> list[Link]:
    kind = to_xml_kind(root)
    if kind == SITEMAP:
        return find_sitemap_links(root)
    return find_feed_links(root) if kind == FEED else []


def is_nofollow(tree: HtmlElement, agent: str) -> bool:
    """A robots (or our own agent's) meta tag saying nofollow or none."""
    for meta in tree.iter("meta"):
        name = (meta.get("name") or "").strip().lower()
        if name in ("robots", agent.lower()):
            words = {w.strip() for w in (meta.get("content") or "").lower().split(",")}
            if words & {"nofollow", "none"}:
                return True
    return False


def find_html_links(tree: HtmlElement) -> list[Link]:
    """<a>/<area> hrefs, rel=next, and feeds announced with <link rel="alternate">
    (hrefs as written: resolve them against the page's base URL)."""
    links: list[Link] = []
    for element in tree.iter("link"):
        rel = (element.get("rel") or "").lower().split()
        kind = (element.get("type") or "").strip().lower()
        href = element.get("href")
        if href and "alternate" in rel and kind in FEED_TYPES:
            links.append(Link(href, FEED))
        elif href and "next" in rel:
            links.append(Link(href, PAGE))
    for element in tree.iter("a", "area"):
        href = element.get("href")
        if href and not href.strip().lower().startswith(("javascript:", "mailto:", "tel:", "#")):
            links.append(Link(href, PAGE))
    return links


def find_base_url(tree: HtmlElement, url: str) -> str:
    """The page's <base href> when it has one, else its own URL."""
    base = next(iter(tree.xpath("//base/@href")), None)
    return str(base).strip() if base and str(base).strip() else url
