"""Parse numbers as news text writes them: digits, number words, fractions, ranges, percentages."""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from functools import cache

from pydantic import ValidationError
from text_to_num import text2num

from evidence_miner.errors import ConfigError, NormaliseError
from evidence_miner.lang import load_pack
from evidence_miner.lang.tables import TableModel

# text2num (a maintained Rust parser) reads English cardinals strictly: "twenty-two",
# "one hundred and five", and rejects "one two". It knows no fractions or "dozen"; those,
# and the words it misreads, come from the small table below.
_TABLE = "numbers.toml"  # of the default language pack (lang/en/)
_DIGITS = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)", re.ASCII)
_WORDS = re.compile(r"[a-z]+(?:[ -][a-z]+)*")
_SLASH = re.compile(r"(\d+) ?/ ?(\d+)", re.ASCII)
_RATIO = re.compile(r"(.+?) (?:in|out of) (.+)")
_MIXED = re.compile(r"(.+?) and (.+)")
_RANGE_SEPARATOR = re.compile(r"\s+(?:to|and|through)\s+|\s*[-–—]\s*")
_RANGE_PREFIX = re.compile(r"^(?:between|from)\s+")
_SPACES = {"\u00a0", "\u2009", "\u202f"}


class NumberWords(TableModel):
    """The number-word table: unknown keys are an error that lists the allowed ones."""

    articles: list[str]
    bare_fractions: list[str]
    rejected: list[str]
    fractions: dict[str, int]
    multipliers: dict[str, int]
    scales: dict[str, int]


@cache
def load_number_words() -> NumberWords:
    """Read and validate numbers.toml of the default language pack (no stage is imported)."""
    pack = load_pack()
    try:
        return NumberWords.model_validate(tomllib.loads(pack.read_text(_TABLE)))
    except (ValidationError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"[EM200] Invalid data file {pack.where(_TABLE)}: {exc}. Fix the file."
        ) from exc


MAX_VALUE_CHARS = 200  # a value, range or unit as written is a few words; longer text is no value


def check_value_length(text: str, what: str) -> None:
    """NormaliseError [EM213] for text far longer than one value: the parsers try splits of
    their input, which on a hostile 20 kB string would take minutes."""
    if len(text) > MAX_VALUE_CHARS:
        raise NormaliseError(
            f"[EM213] Not {what}: the text is {len(text)} characters long "
            f"(limit {MAX_VALUE_CHARS}). "
            "Pass the words of one value, as the extractor does."
        )


def parse_number(text: str) -> float:
    """Read one number: "1,580", "−2.5", "Nineteen", "twenty-two", "a dozen", "two-thirds"."""
    check_value_length(text, "a number")
    cleaned = to_clean_text(text)
    for read in (
        _read_digits,
        _read_scaled,
        _read_words,
        _read_fraction,
        _read_mixed,
        _read_slash,
        _read_ratio,
        _read_vulgar,
    ):
        value = read(cleaned)
        if value is not None:
            return value
    raise NormaliseError(
        f"[EM201] Not a number: {text!r}. Use digits (1,580; 2.5) or English number words "
        "(twenty-two, a third); vague amounts such as 'several dozen' have no value."
    )


def parse_int(text: str) -> int:
    """Read a whole number ("1,580", "Nineteen"); a fraction or decimal is an error."""
    value = parse_number(text)
    if not value.is_integer():
        raise NormaliseError(
            f"[EM202] Not a whole number: {text!r} reads as {value}. "
            "Pass a count, or call parse_number for fractional values."
        )
    return int(value)


def is_number_word(word: str) -> bool:
    """True for one (possibly hyphenated) number word: "Nineteen", "twenty-two", "half", "dozen"."""
    cleaned = to_clean_text(word)
    table = load_number_words()
    if " " in cleaned or not _WORDS.fullmatch(cleaned):
        return False
    if cleaned in table.fractions or cleaned in table.multipliers:
        return True
    return _read_words(cleaned) is not None or _read_fraction(cleaned) is not None


def parse_range(text: str) -> tuple[float, float]:
    """Read a range ("1.5 to 2", "2-15", "2–15", "between 4 and 6") as (low, high), low <= high."""
    check_value_length(text, "a range")
    cleaned = _RANGE_PREFIX.sub("", to_clean_text(text), count=1)
    splits = (
        _read_bounds(cleaned[: sep.start()], cleaned[sep.end() :])
        for sep in _RANGE_SEPARATOR.finditer(cleaned)
    )
    bounds = [pair for pair in splits if pair is not None]
    ordered = [pair for pair in bounds if pair[0] <= pair[1]]
    if ordered:
        return ordered[0]
    if bounds and not _is_one_number(cleaned):
        raise NormaliseError(
            f"[EM203] Range {text!r} has its low end {bounds[0][0]} above its high end "
            f"{bounds[0][1]}. Check the text; write ranges low to high."
        )
    raise NormaliseError(
        f"[EM203] Not a range: {text!r}. Write two numbers joined by 'to', 'and' or a dash."
    )


def to_clean_text(text: str) -> str:
    """Lowercase, one space between words, unicode minus and odd spaces made plain."""
    plain = "".join(" " if char in _SPACES else char for char in text)
    return " ".join(plain.replace("\u2212", "-").replace("\u2044", "/").lower().split())


def _is_one_number(text: str) -> bool:
    try:
        parse_number(text)
    except NormaliseError:
        return False
    return True


def _read_bounds(left: str, right: str) -> tuple[float, float] | None:
    try:
        return parse_number(left), parse_number(right)
    except NormaliseError:
        return None


def _to_finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _read_digits(text: str) -> float | None:
    match = _DIGITS.fullmatch(text)
    if match is None:
        return None
    sign = -1.0 if match.group(1) == "-" else 1.0
    return _to_finite(sign * float(match.group(2).replace(",", "")))


def _read_scaled(text: str) -> float | None:
    number, _, scale = text.rpartition(" ")
    factor = load_number_words().scales.get(scale)
    digits = _read_digits(number) if factor else None
    return None if digits is None or factor is None else _to_finite(digits * factor)


def _read_words(text: str) -> float | None:
    """Cardinals via text2num, plus "a hundred" and multipliers ("a dozen", "two dozen")."""
    table = load_number_words()
    head, _, last = text.rpartition(" ")
    if last in table.multipliers:
        count = 1.0 if head in table.articles else _read_count(head)
        return None if count is None else count * table.multipliers[last]
    first, _, rest = text.partition(" ")
    if first in table.articles and rest.split(" ")[0] in table.scales:
        text = f"one {rest}"
    return _read_cardinal(text)


def _read_count(text: str) -> float | None:
    digits = _read_digits(text)
    return digits if digits is not None else _read_cardinal(text)


def _read_cardinal(text: str) -> float | None:
    table = load_number_words()
    if not text or not _WORDS.fullmatch(text):
        return None
    if any(word in table.rejected for word in re.split(r"[ -]", text)):
        return None
    try:
        return float(text2num(text, "en"))
    except ValueError:
        return None


def _read_fraction(text: str) -> float | None:
    """ "half", "a third", "two-thirds", "three quarters"."""
    table = load_number_words()
    match = re.fullmatch(r"(?:(.+)[ -])?([a-z]+)", text)
    if match is None or match.group(2) not in table.fractions:
        return None
    numerator_text, word = match.group(1), match.group(2)
    if numerator_text is None:
        numerator = 1.0 if word in table.bare_fractions else None
    elif numerator_text in table.articles:
        numerator = 1.0
    else:
        numerator = _read_count(numerator_text)
    return None if numerator is None else numerator / table.fractions[word]


def _read_mixed(text: str) -> float | None:
    """ "one and a half", "2 and a half"."""
    match = _MIXED.fullmatch(text)
    if match is None:
        return None
    whole = _read_count(match.group(1))
    part = _read_fraction(match.group(2))
    if whole is None or part is None or part >= 1:
        return None
    return whole + part


def _read_slash(text: str) -> float | None:
    match = _SLASH.fullmatch(text)
    if match is None or int(match.group(2)) == 0:
        return None
    return _to_finite(int(match.group(1)) / int(match.group(2)))


def _read_ratio(text: str) -> float | None:
    """ "one in seven", "1 in 7", "3 out of 10" as a proportion."""
    match = _RATIO.fullmatch(text)
    if match is None:
        return None
    parts = [_read_count(part) for part in match.groups()]
    if parts[0] is None or not parts[1]:
        return None
    return _to_finite(parts[0] / parts[1])


def _read_vulgar(text: str) -> float | None:
    """ "½", "2½": a vulgar fraction character, with or without whole digits before it."""
    match = re.fullmatch(r"(\d*) ?(\S)", text, re.ASCII)
    if match is None or "VULGAR FRACTION" not in unicodedata.name(match.group(2), ""):
        return None
    return float(match.group(1) or 0) + unicodedata.numeric(match.group(2))
