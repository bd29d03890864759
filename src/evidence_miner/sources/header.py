"""Read article header lines: date lines and bylines give the published date and the authors."""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime

from dateutil import parser as dateparser

from evidence_miner.sources.rules import SENTENCE_END, find_junk_rule, load_words

log = logging.getLogger(__name__)

YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")
# Parts of a header line: "By Jane Doe | March 3, 2024", "Jane Doe · 4 min read".
PART_SEPARATOR = re.compile(r"\s+[|·•—–-]\s+|\s*[|·•]\s*")
NAME_SEPARATOR = re.compile(r"\s*[,;&]\s*|\s+and\s+", re.IGNORECASE)
DATE_THEN_BYLINE = re.compile(r"(?P<date>.+?)\s+(?P<by>by\s+.+)", re.IGNORECASE)
NAME = re.compile(r"[^\W\d_][\w.'’-]*(?:\s+[\w.'’-]+){0,5}")
MAX_DATE_CHARS = 60
MAX_HEADER_CHARS = 160
MAX_BYLINE_WORDS = 12
MAX_HEADLINE_WORDS = 15
MAX_TITLE_CASE_WORDS = 12
MIN_CAPITALISED_SHARE = 0.75
SMALL_WORD_LENGTH = 3  # "of", "in", "and", "the" stay lowercase in a title-case heading
# Two far-apart defaults: a field dateutil filled in from the default differs between them.
DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))


@dataclass(frozen=True)
class HeaderFacts:
    """What one header line says: a date (maybe only an update date) and authors."""

    published: date | None = None
    is_update: bool = False
    authors: tuple[str, ...] = ()
    is_byline: bool = False  # "By Staff Reporter": a byline that names no person


def to_date(value: str) -> date | None:
    """The calendar date of a string that is only a full date (year, month and day), else None."""
    value = value.strip()
    if not value or len(value) > MAX_DATE_CHARS or not YEAR.search(value):
        return None
    try:
        with warnings.catch_warnings():
            # "07:00 ET": dateutil warns that it does not know the zone; only the date is kept
            warnings.simplefilter("ignore", dateparser.UnknownTimezoneWarning)
            first, second = (dateparser.parse(value, default=d, fuzzy=False) for d in DEFAULTS)
    except (ValueError, OverflowError) as exc:  # dateutil's ParserError is a ValueError
        log.debug("not a date: %r (%s)", value, exc)
        return None
    if first.date() != second.date():
        return None  # year, month or day missing
    return first.date()


def split_prefix(value: str, prefixes: list[str]) -> tuple[str | None, str]:
    """The longest listed prefix that starts `value` as whole words, and the rest of `value`."""
    lowered = value.lower()
    for prefix in sorted(prefixes, key=len, reverse=True):
        if not lowered.startswith(prefix):
            continue
        after = lowered[len(prefix) : len(prefix) + 1]
        if prefix.endswith(":") or after in ("", " ", "\t", ":"):
            return prefix, value[len(prefix) :].lstrip(" \t:")
    return None, value


def is_person_name(value: str) -> bool:
    return (
        bool(value)
        and value[0].isupper()
        and not any(char.isdigit() for char in value)
        and NAME.fullmatch(value) is not None
    )


def is_role(piece: str) -> bool:
    """A degree or a job title beside names in a byline: "MD", "Senior Health Writer"."""
    words = load_words()
    if piece.lower().replace(".", "") in words.credentials:
        return True
    return is_person_name(piece) and any(w in words.byline_roles for w in piece.lower().split())


def to_byline_names(value: str) -> tuple[str, ...] | None:
    """Names in "Jane Doe, MD and John Roe", roles left out; None when a piece is neither."""
    pieces = [piece.strip() for piece in NAME_SEPARATOR.split(value.strip())]
    pieces = [piece for piece in pieces if piece]
    if not pieces or not all(is_person_name(piece) for piece in pieces):
        return None
    return tuple(piece for piece in pieces if not is_role(piece))


def to_author_names(value: str) -> tuple[str, ...]:
    """Person names in a byline's names part; empty when it holds anything else."""
    return to_byline_names(value) or ()


def to_dated_part(part: str) -> HeaderFacts | None:
    words = load_words()
    prefix, rest = split_prefix(part, words.date_prefixes)
    published = to_date(rest)
    if published is None:
        return None
    return HeaderFacts(published=published, is_update=prefix in words.update_prefixes)


def to_byline_part(part: str) -> HeaderFacts | None:
    prefix, rest = split_prefix(part, load_words().byline_prefixes)
    if prefix is None or not rest or len(rest.split()) > MAX_BYLINE_WORDS:
        return None
    authors = to_byline_names(rest)
    if authors is None:
        return to_names_then_date(rest)
    return HeaderFacts(authors=authors, is_byline=True)


def to_names_then_date(value: str) -> HeaderFacts | None:
    """ "Jane Doe, March 3, 2024": names, a comma, then a date."""
    for comma in re.finditer(",", value):
        published = to_date(value[comma.end() :])
        if published is not None:
            authors = to_byline_names(value[: comma.start()])
            if authors is None:
                return None
            return HeaderFacts(published=published, authors=authors, is_byline=True)
    return None


def to_part_facts(part: str) -> HeaderFacts | None:
    """Facts of one separated part of a header line, or None when the part is something else."""
    part = part.strip(" \t,;")
    if not part:
        return HeaderFacts()
    facts = to_dated_part(part) or to_byline_part(part)
    if facts is not None:
        return facts
    if find_junk_rule(part) is not None or is_headline_like(part):
        return HeaderFacts()  # "4 min read", "Share", a section label beside a date
    return to_date_then_byline(part)


def to_date_then_byline(part: str) -> HeaderFacts | None:
    """WordPress "Posted on September 16, 2016 by admin": the handle need not be a real name."""
    match = DATE_THEN_BYLINE.fullmatch(part)
    if match is None:
        return None
    dated = to_dated_part(match["date"])
    if dated is None or len(match["by"].split()) > MAX_BYLINE_WORDS // 2:
        return None
    byline = to_byline_part(match["by"])
    authors = byline.authors if byline else ()
    return HeaderFacts(dated.published, dated.is_update, authors, is_byline=True)


def to_header_facts(line: str) -> HeaderFacts | None:
    """Facts of a line that is only dates, bylines and widget words; None for any other line."""
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_HEADER_CHARS:
        return None
    parts = [to_part_facts(part) for part in PART_SEPARATOR.split(stripped)]
    if any(part is None for part in parts):
        return None
    return merge_header_facts([part for part in parts if part is not None])


def merge_header_facts(parts: list[HeaderFacts]) -> HeaderFacts | None:
    dated = next((part for part in parts if part.published is not None), None)
    authors = next((part.authors for part in parts if part.authors), ())
    is_byline = any(part.is_byline for part in parts)
    if dated is None and not is_byline:
        return None  # only widget words and labels: not a header line
    if dated is None:
        return HeaderFacts(authors=authors, is_byline=True)
    return HeaderFacts(dated.published, dated.is_update, authors, is_byline)


def is_headline_like(line: str) -> bool:
    """Short, title-case (or upper-case), not a sentence: "The Role of Biology in Practice".

    A tagline after a site name counts too: "DermDigest - Skin science for clinicians".
    """
    stripped = line.strip()
    words = stripped.split()
    if not 0 < len(words) <= MAX_HEADLINE_WORDS or SENTENCE_END.search(stripped):
        return False
    first_part = PART_SEPARATOR.split(stripped)[0]
    return is_title_case(first_part)


def is_title_case(text: str) -> bool:
    lettered = [word for word in text.split() if word[0].isalpha()]
    if not lettered or len(lettered) > MAX_TITLE_CASE_WORDS:
        return False
    if text.isupper():
        return True
    significant = [word for word in lettered if len(word) > SMALL_WORD_LENGTH] or lettered
    capitalised = sum(word[0].isupper() for word in significant)
    return capitalised / len(significant) >= MIN_CAPITALISED_SHARE
