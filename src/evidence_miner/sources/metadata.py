"""Pick article metadata from HTML: citation_* tags, JSON-LD, microdata, then page meta tags."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from evidence_miner.sources.header import split_prefix, to_author_names, to_date
from evidence_miner.sources.rules import load_meta_names, load_words

log = logging.getLogger(__name__)

T = TypeVar("T")
DOI = re.compile(r"10\.\d{4,9}/[^\s\"'<>]+")
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
SCHEMA_SYNTAXES = ("json-ld", "microdata")


@dataclass(frozen=True)
class Sourced(Generic[T]):
    """A metadata value and the source it came from ("citation_title", "json-ld", ...)."""

    value: T
    source: str


@dataclass(frozen=True)
class HtmlSources:
    """Everything metadata is picked from, read once from the parsed page."""

    base_url: str
    meta: Mapping[str, tuple[str, ...]]
    objects: tuple[tuple[str, Mapping[str, Any]], ...]
    lang: str | None
    canonical: str | None
    title_tag: str | None
    links: tuple[str, ...]


def read_html_sources(tree: HtmlElement, *, url: str) -> HtmlSources:
    title = tree.find(".//title")
    return HtmlSources(
        base_url=url,
        meta=read_meta_tags(tree),
        objects=tuple(find_schema_objects(tree, url=url)),
        lang=tree.get("lang") or tree.get("xml:lang"),
        canonical=next(iter(tree.xpath("//link[@rel='canonical']/@href")), None),
        title_tag=title.text_content() if title is not None else None,
        links=tuple(str(href) for href in tree.xpath("//a/@href")),
    )


def read_meta_tags(tree: HtmlElement) -> dict[str, tuple[str, ...]]:
    """<meta> contents by lowercased name, property or http-equiv, in document order."""
    found: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        content = (element.get("content") or "").strip()
        for attribute in ("name", "property", "http-equiv"):
            key = (element.get(attribute) or "").strip().lower()
            if key and content:
                found.setdefault(key, []).append(content)
    return {key: tuple(values) for key, values in found.items()}


def find_schema_objects(tree: HtmlElement, *, url: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """schema.org objects from JSON-LD (then microdata), @graph flattened: (syntax, object)."""
    import extruct  # with rdflib about 0.3 s to import; plain-text articles never need it

    for syntax in SCHEMA_SYNTAXES:
        try:
            data = extruct.extract(tree, base_url=url, syntaxes=[syntax], uniform=True)
        except Exception as exc:  # noqa: BLE001 - extruct raises whatever its parsers raise
            log.debug("unreadable %s in %s: %s", syntax, url, exc, extra={"stage": "crawl"})
            continue
        for item in data.get(syntax, []):
            for obj in find_graph_objects(item):
                yield syntax, obj


def find_graph_objects(item: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(item, list):
        for member in item:
            yield from find_graph_objects(member)
    elif isinstance(item, dict):
        if "@type" in item:
            yield item
        yield from find_graph_objects(item.get("@graph", []))


def to_type_names(obj: Mapping[str, Any]) -> set[str]:
    """Short schema.org type names: "http://schema.org/NewsArticle" -> "NewsArticle"."""
    types = obj.get("@type")
    listed = types if isinstance(types, list) else [types]
    return {re.split(r"[/#:]", t)[-1] for t in listed if isinstance(t, str)}


def find_typed(sources: HtmlSources, types: list[str]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    wanted = set(types)
    for syntax, obj in sources.objects:
        if to_type_names(obj) & wanted:
            yield syntax, obj


def to_plain_string(value: Any) -> str | None:
    """A non-empty string from a string or a one-item list, whitespace collapsed."""
    if isinstance(value, list) and value:
        return to_plain_string(value[0])
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def to_name(value: Any) -> str | None:
    """The name of a schema.org thing given as a string or as an object with a name."""
    if isinstance(value, dict):
        return to_plain_string(value.get("name"))
    if isinstance(value, list) and value:
        return to_name(value[0])
    return to_plain_string(value)


def to_names(value: Any) -> list[str] | None:
    listed = value if isinstance(value, list) else [value]
    prefixes = load_words().byline_prefixes
    names = [split_prefix(name, prefixes)[1] for item in listed if (name := to_name(item))]
    return unique([name for name in names if name and not is_url(name)]) or None


def to_language(value: Any) -> str | None:
    text = to_plain_string(value)
    if text is None:
        return None
    tag = text.replace("_", "-")
    return tag if LANGUAGE_TAG.fullmatch(tag) else None


def to_doi(value: Any) -> str | None:
    """The DOI in a string ("doi:10.1/x", "https://doi.org/10.1/x"), PropertyValue or list."""
    if isinstance(value, list):
        return next((doi for item in value if (doi := to_doi(item))), None)
    if isinstance(value, dict):
        return to_doi(value.get("value") or value.get("@id"))
    match = DOI.search(value) if isinstance(value, str) else None
    return match.group().rstrip(".,;)]") if match else None


def is_url(value: str) -> bool:
    return urlsplit(value).scheme in ("http", "https") or value.startswith("//")


def unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def first_meta(
    sources: HtmlSources, names: list[str], convert: Callable[[str], T | None]
) -> Sourced[T] | None:
    """The first <meta> among `names` (in order) whose converted content is not empty."""
    for name in names:
        for content in sources.meta.get(name, ()):
            value = convert(content)
            if value:
                return Sourced(value, name)
    return None


def first_article_value(
    sources: HtmlSources, keys: tuple[str, ...], convert: Callable[[Any], T | None]
) -> Sourced[T] | None:
    """The first converted value of `keys` in an article object, JSON-LD before microdata."""
    for syntax, obj in find_typed(sources, load_words().article_types):
        for key in keys:
            value = convert(obj.get(key))
            if value:
                return Sourced(value, syntax)
    return None


def to_meta_authors(content: str) -> list[str] | None:
    """Authors from one <meta> content; a profile URL is not a name."""
    if is_url(content):
        return None
    return list(to_author_names(content)) or [" ".join(content.split())]


def to_citation_author(content: str) -> list[str] | None:
    """One author per citation_author tag; "Rivera, Camila" -> "Camila Rivera"."""
    if is_url(content):
        return None
    last, comma, first = content.partition(",")
    if comma and "," not in first and first.strip() and last.strip():
        return [" ".join(f"{first} {last}".split())]
    return [" ".join(content.split())]


def all_meta_authors(
    sources: HtmlSources, names: list[str], convert: Callable[[str], list[str] | None]
) -> Sourced[list[str]] | None:
    """Authors from every <meta> of the first name present (citation_author repeats)."""
    for name in names:
        authors = [a for c in sources.meta.get(name, ()) for a in convert(c) or []]
        if authors:
            return Sourced(unique(authors), name)
    return None


def pick_authors(sources: HtmlSources) -> Sourced[list[str]] | None:
    names = load_meta_names()
    return (
        all_meta_authors(sources, names.citation.authors, to_citation_author)
        or first_article_value(sources, ("author", "creator"), to_names)
        or all_meta_authors(sources, names.page.authors, to_meta_authors)
    )


def pick_published(sources: HtmlSources) -> Sourced[date] | None:
    names = load_meta_names()
    return (
        first_meta(sources, names.citation.published, to_date)
        or first_article_value(sources, ("datePublished", "dateCreated"), to_published)
        or first_meta(sources, names.page.published, to_date)
    )


def to_published(value: Any) -> date | None:
    text = to_plain_string(value)
    return to_date(text) if text else None


def pick_site_name(sources: HtmlSources) -> Sourced[str] | None:
    website = next(
        (Sourced(n, s) for s, o in find_typed(sources, ["WebSite"]) if (n := to_name(o))), None
    )
    return (
        first_article_value(sources, ("publisher", "sourceOrganization"), to_name)
        or website
        or first_meta(sources, load_meta_names().page.site_name, to_plain_string)
    )


def pick_title(sources: HtmlSources, *, fallback: str | None = None) -> Sourced[str] | None:
    """citation_title, then JSON-LD/microdata headline, then page titles without a site suffix.

    `fallback` is another extractor's title, tried before the bare <title> element.
    """
    names = load_meta_names()
    trusted = first_meta(sources, names.citation.title, to_plain_string) or first_article_value(
        sources, ("headline", "name"), to_plain_string
    )
    if trusted is not None:
        return trusted
    site = pick_site_name(sources)
    untrusted = (
        first_meta(sources, names.page.title, to_plain_string)
        or (Sourced(f, "trafilatura") if (f := to_plain_string(fallback)) else None)
        or (Sourced(t, "html-title") if (t := to_plain_string(sources.title_tag)) else None)
    )
    if untrusted is None:
        return None
    return Sourced(strip_site_name(untrusted.value, site.value if site else None), untrusted.source)


def strip_site_name(title: str, site_name: str | None) -> str:
    """ "Title | Site" -> "Title" (also "Site - Title"), only when the site name is known."""
    title = " ".join(title.split())
    if not site_name:
        return title
    site = " ".join(site_name.split()).casefold()
    for separator in load_words().title_separators:
        head, _, tail = title.rpartition(separator)
        if head and tail.casefold() == site:
            return head.strip()
        head, _, tail = title.partition(separator)
        if tail and head.casefold() == site:
            return tail.strip()
    return title


def pick_language(sources: HtmlSources) -> Sourced[str] | None:
    names = load_meta_names()
    lang = to_language(sources.lang)
    return (
        first_meta(sources, names.citation.language, to_language)
        or first_article_value(sources, ("inLanguage",), to_language)
        or (Sourced(lang, "html-lang") if lang else None)
        or first_meta(sources, names.page.language, to_language)
    )


def pick_canonical_url(sources: HtmlSources) -> Sourced[str] | None:
    def to_web_url(value: Any) -> str | None:
        text = to_plain_string(value.get("@id") if isinstance(value, dict) else value)
        absolute = urljoin(sources.base_url, text) if text else None
        return absolute if absolute and is_url(absolute) else None

    link = to_web_url(sources.canonical)
    return (
        (Sourced(link, "link-canonical") if link else None)
        or first_meta(sources, load_meta_names().page.canonical_url, to_web_url)
        or first_article_value(sources, ("mainEntityOfPage", "url"), to_web_url)
    )


def pick_journal(sources: HtmlSources) -> Sourced[str] | None:
    return first_meta(
        sources, load_meta_names().citation.journal, to_plain_string
    ) or first_article_value(sources, ("isPartOf",), to_journal_name)


def to_journal_name(value: Any, depth: int = 0) -> str | None:
    """The name of the Periodical an article or issue is part of (issue -> volume -> journal)."""
    if not isinstance(value, dict) or depth > 3:
        return None
    if "Periodical" in to_type_names(value):
        return to_name(value)
    parent = to_journal_name(value.get("isPartOf"), depth + 1)
    if parent or not to_type_names(value) & set(load_words().journal_types):
        return parent
    return to_name(value)


def pick_doi(sources: HtmlSources) -> Sourced[str] | None:
    """citation_doi and kin, then JSON-LD/microdata identifiers, then the one doi.org link."""
    linked = unique([doi for href in sources.links if "doi.org/" in href and (doi := to_doi(href))])
    return (
        first_meta(sources, load_meta_names().citation.doi, to_doi)
        or first_article_value(sources, ("doi", "identifier", "sameAs", "@id"), to_doi)
        or (Sourced(linked[0], "doi-link") if len(linked) == 1 else None)
    )
