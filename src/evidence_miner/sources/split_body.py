"""Join an article body split into sibling blocks (an advert between them) back into one block.

trafilatura takes the first element whose class marks an article body; when a site splits
the body into `<section class="article-body">` blocks around an advert, the later blocks are
lost. Sibling blocks of the same tag that share a body class, separated only by a few short
elements, are moved into the first one, and what separated them is dropped.
"""

from __future__ import annotations

import logging
import re

import lxml.html
from lxml.html import HtmlElement

log = logging.getLogger(__name__)

BODY_CLASS = re.compile(r"body|content|text|story|article|paragraph", re.IGNORECASE)
NOT_BODY_CLASS = re.compile(
    r"teaser|card|comment|related|promo|advert|sponsor|sidebar|widget|share|social|nav|menu"
    r"|footer|header|byline|caption|author|newsletter|subscribe|tag|list|item|link",
    re.IGNORECASE,
)
CONTAINER_TAGS = ("div", "section", "article")
MAX_GAP_ELEMENTS = 3
MAX_GAP_WORDS = 60


def to_body_classes(element: HtmlElement) -> set[str]:
    """Class tokens that name an article body ("article-body"), not a widget beside one."""
    tokens = (element.get("class") or "").split()
    return {t for t in tokens if BODY_CLASS.search(t) and not NOT_BODY_CLASS.search(t)}


def has_paragraphs(element: HtmlElement) -> bool:
    return element.find(".//p") is not None


def count_words(element: HtmlElement) -> int:
    return len(element.text_content().split())


def is_part(element: HtmlElement, first: HtmlElement, classes: set[str]) -> bool:
    return (
        element.tag == first.tag
        and bool(to_body_classes(element) & classes)
        and has_paragraphs(element)
    )


def find_later_parts(first: HtmlElement) -> list[tuple[HtmlElement, list[HtmlElement]]]:
    """Later blocks of the same body, each with the short elements (adverts) before it."""
    classes = to_body_classes(first)
    parts: list[tuple[HtmlElement, list[HtmlElement]]] = []
    gap: list[HtmlElement] = []
    for sibling in first.itersiblings():
        if not isinstance(sibling.tag, str):
            continue  # a comment or processing instruction
        if is_part(sibling, first, classes):
            parts.append((sibling, gap))
            gap = []
        elif len(gap) < MAX_GAP_ELEMENTS and count_words(sibling) <= MAX_GAP_WORDS:
            gap.append(sibling)
        else:
            break
    return parts


def move_into(first: HtmlElement, part: HtmlElement) -> None:
    """The part's content goes to the end of `first`; the part itself is removed."""
    if part.text and part.text.strip():
        lead = lxml.html.Element("p")
        lead.text = part.text
        first.append(lead)
    first.extend(list(part))
    part.drop_tree()


def join_split_body(tree: HtmlElement) -> int:
    """Join every split body in the tree; returns how many later blocks were moved."""
    moved = 0
    for element in list(tree.iter(*CONTAINER_TAGS)):
        if (
            element.getparent() is None
            or not to_body_classes(element)
            or not has_paragraphs(element)
        ):
            continue
        for part, gap in find_later_parts(element):
            for between in gap:
                between.drop_tree()
            move_into(element, part)
            moved += 1
    return moved
