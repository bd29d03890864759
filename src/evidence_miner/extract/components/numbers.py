"""Find numbers (digits, number words, hyphenated and n= forms) and set their values."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Span

from evidence_miner.errors import NormaliseError
from evidence_miner.extract.extensions import NUMBERS
from evidence_miner.extract.patterns import terms_of, using_pack, word_set
from evidence_miner.lang import LanguagePack
from evidence_miner.numbers import is_number_word, load_number_words, parse_number

NUMERAL = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
PLAIN_RE = re.compile(rf"^(?:{NUMERAL})$")
# 2.4-mg, 54-year-old
HYPHEN_UNIT_RE = re.compile(rf"^({NUMERAL})-([A-Za-zµμ/²%][A-Za-z0-9µμ/²-]*)$")
N_EQUALS_RE = re.compile(rf"^[nN]=({NUMERAL})$")
FRACTION_RE = re.compile(r"^(\d+)/(\d+)$")
SIGNED_RE = re.compile(rf"^[-\u2212\u2013]({NUMERAL})$")  # -0.4, unicode minus, en dash


@dataclass(frozen=True)
class NumberMention:
    start: int
    end: int
    value: float
    kind: str
    unit: str | None = None
    of: int | None = None


def to_value(text: str) -> float | None:
    try:
        return parse_number(text)
    except NormaliseError:
        return None


def find_token_number(doc: Doc, i: int) -> NumberMention | None:
    """A number written as one token: 19, 1,580, 2.4-mg, 27-month, n=10, 5/5."""
    text = doc[i].text
    if PLAIN_RE.match(text):
        scaled = find_scaled_numeral(doc, i)
        if scaled is not None:
            return scaled
        value = to_value(text)
        return NumberMention(i, i + 1, value, "numeral") if value is not None else None
    if match := HYPHEN_UNIT_RE.match(text):
        value = to_value(match.group(1))
        unit = match.group(2)
        return (
            NumberMention(i, i + 1, value, "numeral_unit", unit=unit) if value is not None else None
        )
    if match := N_EQUALS_RE.match(text):
        value = to_value(match.group(1))
        return NumberMention(i, i + 1, value, "n_equals") if value is not None else None
    if match := FRACTION_RE.match(text):
        return NumberMention(i, i + 1, float(match.group(1)), "fraction", of=int(match.group(2)))
    if (match := SIGNED_RE.match(text)) and not follows_number(doc, i):
        value = to_value(match.group(1))
        return NumberMention(i, i + 1, -value, "signed") if value is not None else None
    return None


def find_scaled_numeral(doc: Doc, i: int) -> NumberMention | None:
    """ "2.3 million", "11 billion": digits and a scale word are one number."""
    if i + 1 >= len(doc) or doc[i + 1].lower_ not in load_number_words().scales:
        return None
    value = to_value(doc[i : i + 2].text)
    return NumberMention(i, i + 2, value, "scaled") if value is not None else None


def follows_number(doc: Doc, i: int) -> bool:
    """ "2 -3" and "2 –3" are a range's second half, not a negative number."""
    return i > 0 and doc[i - 1].like_num


@lru_cache(maxsize=1 << 16)
def is_number_token(lower: str) -> bool:
    """is_number_word of a lowercase token's text before any hyphen, once per distinct text (it
    runs on every token of every article)."""
    return is_number_word(lower.split("-")[0])


def find_word_number(doc: Doc, i: int) -> NumberMention | None:
    """The longest run of number words from token i that parses: "twenty-two", "one hundred and
    five"."""
    if not is_number_token(doc[i].lower_):
        return None
    best = None
    end = i
    while end < len(doc) and (
        is_number_token(doc[end].lower_)
        or (
            doc[end].lower_ in word_set("number_word_joiners")
            and end + 1 < len(doc)
            and is_number_token(doc[end + 1].lower_)
        )
    ):
        end += 1
        value = to_value(doc[i:end].text)
        if value is not None:
            best = NumberMention(i, end, value, "word")
    return best


def find_word_unit_number(doc: Doc, i: int) -> NumberMention | None:
    """ "six-month", "three-year", "twenty-two-year-old": number words and a time or dose unit
    joined by hyphens in one token, as "6-month" is in digits (find_token_number)."""
    text = doc[i].text
    if "-" not in text or not is_number_token(doc[i].lower_):
        return None
    parts = text.split("-")
    for cut in range(len(parts) - 1, 0, -1):  # the longest number first: "twenty-two" | "year"
        unit = "-".join(parts[cut:])
        if parts[cut].lower() not in unit_words():
            continue
        value = to_value("-".join(parts[:cut]))
        if value is not None:
            return NumberMention(i, i + 1, value, "numeral_unit", unit=unit)
    return None


def unit_words() -> frozenset[str]:
    """Time and dose units of one word ("month", "mg"): what may follow a hyphenated number."""
    return frozenset(t for t in terms_of("time_unit") | terms_of("dose_unit") if " " not in t)


def with_added_fraction(doc: Doc, mention: NumberMention) -> NumberMention:
    """ "three and a half", "2 and a half": a whole number and the fraction added to it."""
    end = mention.end
    if mention.kind not in ("numeral", "word") or end + 2 >= len(doc):
        return mention
    if doc[end].lower_ != "and" or doc[end + 1].lower_ not in word_set("fraction_articles"):
        return mention
    fraction = to_value(doc[end + 1 : end + 3].text)
    if fraction is None or not 0 < fraction < 1:
        return mention
    return NumberMention(mention.start, end + 3, mention.value + fraction, mention.kind)


def find_numbers(doc: Doc) -> Iterator[NumberMention]:
    i = 0
    while i < len(doc):
        mention = (
            find_token_number(doc, i) or find_word_number(doc, i) or find_word_unit_number(doc, i)
        )
        if mention is None:
            i += 1
            continue
        mention = with_added_fraction(doc, mention)
        yield mention
        i = mention.end


def is_age(number: Span) -> bool:
    """ "a 54-year-old man", "a 6-month-old infant": an age, not a count or an amount."""
    return (number._.em_unit or "").lower().endswith("-old")


def to_span(doc: Doc, mention: NumberMention) -> Span:
    span = Span(doc, mention.start, mention.end, label="NUMBER")
    span._.em_value = mention.value
    span._.em_unit = mention.unit
    span._.em_of = mention.of
    span._.em_kind = mention.kind
    return span


class NumberFinder:
    """Sets doc.spans["em_numbers"]; each span has em_value, em_kind, and em_unit / em_of."""

    def __init__(self, pack: LanguagePack) -> None:
        self.pack = pack

    def __call__(self, doc: Doc) -> Doc:
        with using_pack(self.pack):
            doc.spans[NUMBERS] = [to_span(doc, m) for m in find_numbers(doc)]
        return doc
