"""Turn an HTML page into a Page: trafilatura's main text, junk lines removed, trusted metadata."""

from __future__ import annotations

import logging
import re
from typing import Any, NamedTuple

import html5lib
import lxml.etree
import lxml.html
import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document
from trafilatura.xml import xmltotxt

from evidence_miner.sources import metadata, split_body
from evidence_miner.sources.decode import decode_bytes
from evidence_miner.sources.header import to_date
from evidence_miner.sources.metadata import HtmlSources, Sourced
from evidence_miner.sources.text import MIN_BODY_WORDS, SortedLines, sort_lines, to_page
from evidence_miner.errors import InputError
from evidence_miner.records import Page

log = logging.getLogger(__name__)

MAX_TABLE_ROWS = 60
HEADLINE_SEARCH_BLOCKS = 3
CELL_SEPARATOR = " | "
TAG_MISMATCH = "ERR_TAG_NAME_MISMATCH"
# A body block in a wrapper row is joined with the blocks of the rows after it only when it
# holds a story's opening (several paragraphs), not a teaser in a grid of cards.
MIN_WRAPPED_BLOCK_WORDS = 100


class ExtractionTry(NamedTuple):
    """One trafilatura run, and the article body its text (junk lines removed) must hold, in
    words of sentence-like lines, for the run to be kept."""

    precision: bool  # favor_precision
    recall: bool  # favor_recall
    fast: bool  # without trafilatura's comparison with its readability port
    min_body_words: int


# Chosen on the even half of the article-extraction benchmark (benchmarks/article_extraction.py;
# the odd half is the held-out score in the README). Precision first, since boilerplate turns
# into false findings downstream. The fast precision run gives the full run's text on all but
# a few pages, at half the cost; where its text is thin, the full run (trafilatura compares its
# text with its readability port's) decides; where that leaves no article body (a notice or a
# teaser picked instead of the story), trafilatura's default balance.
EXTRACTION_TRIES: tuple[ExtractionTry, ...] = (
    ExtractionTry(precision=True, recall=False, fast=True, min_body_words=100),
    ExtractionTry(precision=True, recall=False, fast=False, min_body_words=MIN_BODY_WORDS),
    ExtractionTry(precision=False, recall=False, fast=False, min_body_words=MIN_BODY_WORDS),
)
# Recall first, only when no try found any text.
LAST_TRY = ExtractionTry(precision=False, recall=True, fast=False, min_body_words=0)
# Characters XML forbids: lxml keeps them in an HTML tree, and trafilatura then finds no text.
NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def parse_with_log(markup: str, *, url: str) -> tuple[HtmlElement, lxml.etree._ListErrorLog]:
    """The lxml tree of a page (parsed from UTF-8 bytes, so an XML encoding line is harmless;
    comments, processing instructions and characters XML forbids left out) and libxml2's
    error log."""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    data = NOT_XML_CHARS.sub("", markup).encode("utf-8", "surrogatepass")
    try:
        return lxml.html.document_fromstring(data, parser=parser), parser.error_log
    except (lxml.etree.ParserError, ValueError) as exc:
        raise InputError(f"[EM108] {url}: HTML cannot be parsed ({exc}). Check the file.") from exc


def parse_tree(markup: str, *, url: str) -> HtmlElement:
    """The lxml tree of a page (see parse_with_log)."""
    return parse_with_log(markup, url=url)[0]


def count_tag_mismatches(log: lxml.etree._ListErrorLog) -> int:
    """End tags that do not match the open element (libxml2's recovery is not a browser's)."""
    return sum(1 for error in log if error.type_name == TAG_MISMATCH)


def to_browser_markup(markup: str) -> str:
    """The page re-parsed the way browsers do: html5lib implements the HTML5 tree-building
    algorithm, which libxml2 does not (an <h1> closed by </h2> swallows the rest of the
    header there)."""
    tree = html5lib.parse(markup, treebuilder="lxml", namespaceHTMLElements=False)
    return str(lxml.etree.tostring(tree, method="html", encoding="unicode"))


def parse_page(markup: str, *, url: str) -> tuple[str, HtmlElement]:
    """The page's markup and tree, parsed once when its end tags match (most pages); badly
    broken HTML (mismatched end tags) is first re-parsed the way browsers do."""
    tree, errors = parse_with_log(markup, url=url)
    if not count_tag_mismatches(errors):
        return markup, tree
    markup = to_browser_markup(markup)
    return markup, parse_tree(markup, url=url)


def repair_markup(markup: str) -> str:
    """Badly broken HTML re-parsed the way browsers do (see parse_page); clean pages as they are."""
    try:
        return parse_page(markup, url="about:blank")[0]
    except InputError:
        return markup  # parse_tree then names the page


def is_same_wrapper(element: HtmlElement, wrapper: HtmlElement) -> bool:
    return element.tag == wrapper.tag and element.get("class") == wrapper.get("class")


def is_gap_element(element: HtmlElement, gap: list[HtmlElement]) -> bool:
    """A short element between two blocks of a body (an advert), within split_body's limits."""
    short = split_body.count_words(element) <= split_body.MAX_GAP_WORDS
    return short and len(gap) < split_body.MAX_GAP_ELEMENTS


def find_inner_part(row: HtmlElement, first: HtmlElement, classes: set[str]) -> HtmlElement | None:
    """The one block of the body in a wrapper row, or None (none, or several)."""
    inner = [e for e in row.iterdescendants(first.tag) if split_body.is_part(e, first, classes)]
    return inner[0] if len(inner) == 1 else None


def find_wrapped_parts(first: HtmlElement) -> list[tuple[HtmlElement, list[HtmlElement]]]:
    """Later blocks of a body whose blocks each sit alone in a row of the same tag and class
    as the first block's parent (a grid row beside an advert rail), each with the short
    elements (adverts) before its row."""
    wrapper = first.getparent()
    if wrapper is None or not wrapper.get("class"):
        return []
    if split_body.count_words(first) < MIN_WRAPPED_BLOCK_WORDS:
        return []
    classes = split_body.to_body_classes(first)
    parts: list[tuple[HtmlElement, list[HtmlElement]]] = []
    gap: list[HtmlElement] = []
    for sibling in wrapper.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        same = is_same_wrapper(sibling, wrapper)
        inner = find_inner_part(sibling, first, classes) if same else None
        if inner is not None:
            parts.append((inner, gap))
            gap = []
        elif is_gap_element(sibling, gap):
            gap.append(sibling)
        else:
            break
    return parts


def is_wrapped_body_block(element: HtmlElement) -> bool:
    """A block of an article body (a body class, paragraphs) in a wrapper with a class."""
    wrapper = element.getparent()
    if wrapper is None or not wrapper.get("class"):
        return False  # also a block already moved away
    return bool(split_body.to_body_classes(element)) and split_body.has_paragraphs(element)


def join_body_parts(tree: HtmlElement) -> int:
    """An article body split around adverts joined into its first block (split_body), also
    when each block sits in its own wrapper row; returns how many blocks were moved."""
    moved = split_body.join_split_body(tree)
    for element in list(tree.iter(*split_body.CONTAINER_TAGS)):
        if not is_wrapped_body_block(element):
            continue
        for part, gap in find_wrapped_parts(element):
            for between in gap:
                between.drop_tree()
            split_body.move_into(element, part)
            moved += 1
    return moved


def extract_main(tree: HtmlElement, attempt: ExtractionTry, *, url: str) -> Document | None:
    """trafilatura's main content without comments, or None; trafilatura works on its own copy
    of the tree."""
    document = trafilatura.bare_extraction(
        tree,
        favor_precision=attempt.precision,
        favor_recall=attempt.recall,
        fast=attempt.fast,
        include_comments=False,
        include_tables=True,
        url=url,
    )
    if isinstance(document, Document) and document.body is not None and document.text:
        return document
    return None


def to_sorted_lines(document: Document, *, title: str | None) -> SortedLines:
    """The lines of an extracted body sorted into kept and removed (junk, header facts)."""
    body, dropped_tables = to_body_lines(document.body, title=title)
    lines = sort_lines(body, title=title)
    lines.removed.extend(dropped_tables)
    return lines


def extract_lines(tree: HtmlElement, *, title: str | None, url: str) -> SortedLines:
    """The page's main text as sorted lines: the first of EXTRACTION_TRIES whose text holds
    enough of an article body; without one, the text of the first full run (fast=False);
    recall first only if no try finds any text."""
    found: list[tuple[ExtractionTry, SortedLines]] = []
    for attempt in EXTRACTION_TRIES:
        document = extract_main(tree, attempt, url=url)
        if document is None:
            continue
        lines = to_sorted_lines(document, title=title)
        if lines.body_words >= attempt.min_body_words:
            return lines
        found.append((attempt, lines))
    if found:
        full = [lines for attempt, lines in found if not attempt.fast]
        return (full or [lines for _, lines in found])[0]
    document = extract_main(tree, LAST_TRY, url=url)
    if document is None:
        raise InputError(
            f"[EM108] {url}: no article text found in the HTML. Check it is an article page."
        )
    return to_sorted_lines(document, title=title)


def is_simple_table(rows: list[list[str]], table: lxml.etree._Element) -> bool:
    """Rows of equal width, a bounded number of them, no tables or lists inside cells."""
    nested = table.find(".//cell/table") is not None or table.find(".//cell/list") is not None
    widths = {len(row) for row in rows}
    return bool(rows) and len(widths) == 1 and len(rows) <= MAX_TABLE_ROWS and not nested


def to_table_lines(table: lxml.etree._Element) -> tuple[list[str], bool]:
    """One line per row, cells joined by " | "; False when the table is not simple."""
    rows = [
        [" ".join(" ".join(cell.itertext()).split()) for cell in row.iter("cell")]
        for row in table.iter("row")
    ]
    lines = [CELL_SEPARATOR.join(cells) for cells in rows if any(cells)]
    return lines, is_simple_table(rows, table)


def to_block_lines(block: lxml.etree._Element) -> tuple[list[str], bool]:
    """Lines of one body block (paragraph, heading, list, quote, table) and whether to keep it."""
    if block.tag == "table":
        return to_table_lines(block)
    text = xmltotxt(block, include_formatting=False)
    return [line.rstrip() for line in text.split("\n") if line.strip()], True


def is_same_text(first: str, second: str) -> bool:
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


def find_headline_block(blocks: list[list[str]], title: str | None) -> int | None:
    """Index of the block that starts with the page's own headline, among the first blocks
    (after a kicker, say), or None."""
    for index, lines in enumerate(blocks[:HEADLINE_SEARCH_BLOCKS]):
        if title and lines and is_same_text(lines[0], title):
            return index
    return None


def to_body_lines(body: lxml.etree._Element, *, title: str | None) -> tuple[list[str], list[str]]:
    """Body lines with a blank line between blocks, and the lines of dropped (complex) tables.

    The page's own headline line is left out: the title line already starts the text.
    """
    blocks = [to_block_lines(block) for block in body]
    headline = find_headline_block([lines for lines, _ in blocks], title)
    lines: list[str] = []
    dropped: list[str] = []
    for index, (block_lines, keep) in enumerate(blocks):
        if index == headline:
            block_lines = block_lines[1:]
        if keep:
            lines.extend([*block_lines, ""])
        else:
            dropped.extend(block_lines)
    return lines, dropped


def to_sourced(value: Any, source: str) -> Sourced[Any] | None:
    return Sourced(value, source) if value else None


def read_fallback_metadata(tree: HtmlElement, *, url: str) -> Document:
    """trafilatura's own metadata (title, author, site name; the date by htmldate)."""
    return trafilatura.extract_metadata(tree, url)


def has_markup_metadata(sources: HtmlSources) -> bool:
    """Whether the markup sources give every field trafilatura's metadata could fill in."""
    title = metadata.pick_title(sources)
    return (
        title is not None
        and title.source != "html-title"  # trafilatura's title ranks above the <title> element
        and metadata.pick_published(sources) is not None
        and metadata.pick_authors(sources) is not None
        and metadata.pick_site_name(sources) is not None
    )


def collect_metadata(
    sources: HtmlSources, tree: HtmlElement, *, url: str
) -> dict[str, Sourced[Any]]:
    """Every Page metadata field found, by trust: markup sources, then trafilatura/htmldate
    (read only when the markup leaves a field open: they cost a fifth of the page's time)."""
    document = Document() if has_markup_metadata(sources) else read_fallback_metadata(tree, url=url)
    published = to_date(document.date) if document.date else None
    authors = [name.strip() for name in (document.author or "").split(";") if name.strip()]
    found: dict[str, Sourced[Any] | None] = {
        "title": metadata.pick_title(sources, fallback=document.title),
        "published": metadata.pick_published(sources) or to_sourced(published, "htmldate"),
        "authors": metadata.pick_authors(sources) or to_sourced(authors, "trafilatura"),
        "site_name": metadata.pick_site_name(sources)
        or to_sourced(document.sitename, "trafilatura"),
        "language": metadata.pick_language(sources),
        "canonical_url": metadata.pick_canonical_url(sources),
        "journal": metadata.pick_journal(sources),
        "doi": metadata.pick_doi(sources),
    }
    return {name: value for name, value in found.items() if value}


def to_markup(html: str | bytes, *, url: str) -> str:
    return decode_bytes(html, is_html=True, name=url) if isinstance(html, bytes) else html


def page_from_html(html: str | bytes, *, url: str) -> Page:
    """A Page from an HTML page: main text starting with the title line, junk lines removed."""
    markup, tree = parse_page(to_markup(html, url=url), url=url)
    sources = metadata.read_html_sources(tree, url=url)
    return page_from_sources(markup, sources, url=url, tree=tree)


def page_from_sources(
    markup: str, sources: HtmlSources, *, url: str, tree: HtmlElement | None = None
) -> Page:
    """page_from_html for a caller that already read the page's metadata sources (the crawler).
    `tree` is the parsed `markup`, if the caller has it; it is changed (a split body joined)."""
    tree = parse_tree(markup, url=url) if tree is None else tree
    join_body_parts(tree)
    found = collect_metadata(sources, tree, url=url)
    title = found["title"].value if "title" in found else None
    lines = extract_lines(tree, title=title, url=url)
    page = to_page(lines, url=url, content_type="text/html", metadata=found)
    log.debug(
        "read %s: %d lines removed", url, len(page.removed), extra={"stage": "crawl", "url": url}
    )
    return page
