"""Turn article text scraped from a web page into a Page: headline, header facts, junk removed."""

from __future__ import annotations

import enum
import functools
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evidence_miner.sources.header import HeaderFacts, is_headline_like, to_header_facts
from evidence_miner.sources.metadata import Sourced
from evidence_miner.sources.rules import JunkRule, find_junk_rule, load_junk_rules
from evidence_miner.errors import InputError
from evidence_miner.records import Page

log = logging.getLogger(__name__)

LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Between the buttons of a widget row: "Share | Tweet | Email", "Twitter  Facebook  Print".
WIDGET_SEPARATOR = re.compile(r"\s+[|·•—–-]\s+|\s*[|·•]\s*|\s{2,}")
# A list item's marker as trafilatura writes it ("- Print article") or a page shows it.
LIST_MARKER = re.compile(r"^\s*[-*•·▪►›]\s+")


MIN_BODY_WORDS = 40
ANY_RULE_MAX_CHARS = 2_000


class Verdict(enum.Enum):
    BLANK = "blank"
    KEEP = "keep"
    HEADER = "header"  # a date line or byline: facts taken, line removed
    HEADLINE = "headline"  # headline-like line before the body: tagline, sidebar heading
    JUNK = "junk"
    TRAILING = "trailing"  # starts the trailing zone: this line and all after it are removed


@dataclass
class SortedLines:
    """Lines of an article sorted into the title, kept lines, removed lines and header facts."""

    title: str | None = None
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    facts: list[HeaderFacts] = field(default_factory=list)
    in_header: bool = True
    body_words: int = 0  # words kept so far in sentence-like lines

    @property
    def has_body(self) -> bool:
        """Enough article text kept that a widget line can end it (a share bar above the
        story must not cut the story off)."""
        return self.body_words >= MIN_BODY_WORDS


def split_lines(text: str) -> list[str]:
    return LINE_BREAK.split(text)


@functools.cache
def load_any_rule_pattern() -> re.Pattern[str]:
    """One pattern matching a line when any junk rule's pattern does, ignoring the rules'
    word limits: one regular-expression search rules most body lines out at once."""
    patterns = "|".join(f"(?:{rule.pattern.pattern})" for rule in load_junk_rules().rule)
    return re.compile(patterns, re.IGNORECASE)


def find_junk_rule_fast(line: str) -> JunkRule | None:
    """find_junk_rule, answering None at once for a line no rule's pattern matches (a long
    line goes straight to the rules, whose word limits skip most of them)."""
    stripped = line.strip()
    if len(stripped) <= ANY_RULE_MAX_CHARS and load_any_rule_pattern().fullmatch(stripped) is None:
        return None
    return find_junk_rule(line)


def find_line_rule(line: str) -> JunkRule | None:
    """The junk rule of a line (without its list marker), or of the first part of a line made
    only of junk parts."""
    line = LIST_MARKER.sub("", line)
    rule = find_junk_rule_fast(line)
    if rule is not None:
        return rule
    parts = [part for part in WIDGET_SEPARATOR.split(line.strip()) if part.strip()]
    if len(parts) < 2:
        return None
    first = find_junk_rule_fast(parts[0])
    if first is None or any(find_junk_rule_fast(part) is None for part in parts[1:]):
        return None  # stops at the first part that is not junk
    return first


def judge_line(
    line: str, *, in_header: bool, has_body: bool = True
) -> tuple[Verdict, HeaderFacts | None]:
    if not line.strip():
        return Verdict.BLANK, None
    facts = to_header_facts(line)
    if facts is not None:
        return Verdict.HEADER, facts
    rule = find_line_rule(line)
    if rule is not None:
        trailing = rule.zone == "trailing" and not in_header and has_body
        return (Verdict.TRAILING if trailing else Verdict.JUNK), None
    if in_header and is_headline_like(line):
        return Verdict.HEADLINE, None
    return Verdict.KEEP, None


def place_line(lines: SortedLines, line: str, verdict: Verdict, facts: HeaderFacts | None) -> None:
    if verdict is Verdict.BLANK:
        if lines.title is not None:
            lines.kept.append("")
    elif verdict in (Verdict.KEEP, Verdict.HEADLINE) and lines.title is None:
        lines.title = line
    elif verdict is Verdict.KEEP:
        lines.kept.append(line)
        lines.in_header = False
        if line.rstrip().endswith((".", "?", "!", '"', "”", ")")):
            lines.body_words += len(line.split())
    else:
        lines.removed.append(line.strip())
        if facts is not None:
            lines.facts.append(facts)


def sort_lines(lines: Sequence[str], *, title: str | None = None) -> SortedLines:
    """Sort lines into kept and removed. Without `title`, the first content line is the title.

    Before the first body line (the header zone) date lines, bylines, junk lines and short
    headline-like lines are removed; after it, a trailing-zone line ends the article.
    """
    result = SortedLines(title=title)
    for index, line in enumerate(lines):
        verdict, facts = judge_line(line, in_header=result.in_header, has_body=result.has_body)
        if verdict is Verdict.TRAILING:
            result.removed.extend(rest.strip() for rest in lines[index:] if rest.strip())
            break
        place_line(result, line, verdict, facts)
    return result


def join_kept(title: str, kept: Sequence[str]) -> str:
    """The title line, a blank line, then the kept lines with runs of blank lines made one."""
    body: list[str] = []
    for line in kept:
        if line or (body and body[-1]):
            body.append(line)
    while body and not body[-1]:
        body.pop()
    return "\n".join([title, "", *body]) if body else title


def to_text_metadata(lines: SortedLines) -> dict[str, Sourced[Any]]:
    """Metadata the text itself gives: its first line, date line and byline."""
    found: dict[str, Sourced[Any]] = {}
    if lines.title is not None:
        found["title"] = Sourced(" ".join(lines.title.split()), "first-line")
    dated = [facts for facts in lines.facts if facts.published is not None]
    dated.sort(key=lambda facts: facts.is_update)  # an "Updated:" date only as a last resort
    if dated:
        found["published"] = Sourced(dated[0].published, "date-line")
    authors = next((facts.authors for facts in lines.facts if facts.authors), ())
    if authors:
        found["authors"] = Sourced(list(authors), "byline")
    return found


def to_page(
    lines: SortedLines, *, url: str, content_type: str, metadata: Mapping[str, Sourced[Any]]
) -> Page:
    """A Page from sorted lines; `metadata` (from the page's markup) wins over the text's own."""
    if lines.title is None:
        raise InputError(
            f"[EM109] {url}: no article text is left after removing {len(lines.removed)} "
            "page-junk lines. Check the file holds an article; see lang/en/junk_lines.toml."
        )
    found = {**to_text_metadata(lines), **metadata}
    return Page(
        url=url,
        text=join_kept(lines.title, lines.kept),
        removed=lines.removed,
        content_type=content_type,
        metadata_sources={name: value.source for name, value in found.items()},
        **{name: value.value for name, value in found.items()},
    )


def page_from_text(text: str, *, url: str) -> Page:
    """A Page from plain article text: first line the title, header facts read, junk removed."""
    if not text.strip():
        raise InputError(
            f"[EM103] {url} is empty or only whitespace. Remove it or give a file with an article."
        )
    lines = sort_lines(split_lines(text))
    page = to_page(lines, url=url, content_type="text/plain", metadata={})
    log.debug(
        "read %s: %d lines removed", url, len(page.removed), extra={"stage": "crawl", "url": url}
    )
    return page
