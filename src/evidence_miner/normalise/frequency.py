"""Normalise dosing frequencies ("bid", "every three weeks", "5 days a month"), alone or in text."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, model_validator

from evidence_miner.errors import ConfigError, NormaliseError
from evidence_miner.normalise.durations import (
    load_duration_index,
    parse_duration,
    to_days,
    to_duration_unit,
    to_iso_number,
)
from evidence_miner.normalise.tables import TableModel, load_table, to_alias_index, to_key
from evidence_miner.numbers import check_value_length, parse_int, parse_number
from evidence_miner.records import DurationUnit

Builder = Callable[[re.Match[str]], "Frequency"]

_NUMBER = r"(?:\d+(?:\.\d+)?|[a-z]+(?:-[a-z]+)*)"
_PER = r"(?:a|an|per|each|every)"
_CYCLE = (
    r"(?:on\s+)?days?\s+(?P<days>\d+(?:\s*(?:,|and|&|-|–|to|through)\s*\d+)*)\s*,?\s+(?:of|in)\s+"
    r"(?:each\s+|every\s+|a\s+)?(?P<length>\d+)[\s-]*days?\s+cycles?"
)


class Frequency(BaseModel):
    """A canonical dosing frequency and, where it has a rate, doses per day."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    canonical: str
    per_day: float | None = None


class FrequencyEntry(TableModel):
    times: int | None = None
    every: str | None = None
    aliases: list[str]
    ambiguous: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rate_is_whole(self) -> FrequencyEntry:
        if (self.times is None) != (self.every is None):
            raise ValueError("give both 'times' and 'every', or neither")
        return self


class FrequencyTable(TableModel):
    multiplicatives: dict[str, int]
    every_words: dict[str, int]
    q_units: dict[str, DurationUnit]
    adverbs: dict[DurationUnit, str]
    frequencies: dict[str, FrequencyEntry]


@cache
def load_frequencies() -> FrequencyTable:
    return load_table("frequencies.toml", FrequencyTable)


@cache
def load_named_frequencies() -> dict[str, Frequency]:
    """Canonical name -> Frequency with its rate; two names with one rate are an error."""
    named = {
        name: to_named_frequency(name, entry)
        for name, entry in load_frequencies().frequencies.items()
    }
    rates = [frequency.per_day for frequency in named.values() if frequency.per_day is not None]
    if len({round(rate, 12) for rate in rates}) != len(rates):
        raise ConfigError(
            "[EM200] Invalid data file lang/en/frequencies.toml: two frequencies have "
            "the same rate. Merge them into one entry."
        )
    return named


def to_named_frequency(name: str, entry: FrequencyEntry) -> Frequency:
    if entry.times is None or entry.every is None:
        return Frequency(canonical=name)
    try:
        period = parse_duration(entry.every)
    except NormaliseError as exc:
        raise ConfigError(
            f"[EM200] Invalid data file lang/en/frequencies.toml: 'every' of {name!r} "
            f"is {entry.every!r}, not a duration such as '3 weeks'. Fix the file."
        ) from exc
    days = to_days(period.value or 0.0, period.unit or "")
    return Frequency(canonical=name, per_day=entry.times / days)


@cache
def load_frequency_index() -> dict[str, str]:
    """Alias key -> canonical name, ambiguous forms included."""
    entries = load_frequencies().frequencies
    aliases = {name: [*entry.aliases, *entry.ambiguous] for name, entry in entries.items()}
    return to_alias_index(aliases, "frequencies.toml")


def parse_frequency(text: str) -> Frequency:
    """Read a whole frequency phrase: "b.i.d." -> twice daily (2.0), "q3w" -> every 3 weeks."""
    check_value_length(text, "a frequency")
    phrase = re.sub(r"\s*\.$", "", text.strip())
    first_error: NormaliseError | None = None
    for pattern, build in load_matchers():
        match = pattern.fullmatch(phrase)
        if match is None:
            continue
        try:
            return build(match)
        except NormaliseError as exc:
            first_error = first_error or exc
    raise first_error or NormaliseError(
        f"[EM211] Unknown frequency {text!r}. Add the form to lang/en/frequencies.toml."
    )


@cache
def load_matchers() -> tuple[tuple[re.Pattern[str], Builder], ...]:
    """(pattern, builder) pairs: the alias table first, then phrases with numbers in them."""
    table = load_frequencies()
    units = "|".join(sorted(map(re.escape, load_duration_index()), key=len, reverse=True))
    multiplicatives = "|".join(map(re.escape, table.multiplicatives))
    adverbs = "|".join(map(re.escape, table.adverbs.values()))
    sources: list[tuple[str, Builder]] = [
        (to_alias_pattern(), build_from_alias),
        (
            rf"(?:(?P<n>{_NUMBER})\s+times?|(?P<mult>{multiplicatives}))\s+"
            rf"(?:{_PER}\s+(?P<unit>{units})|(?P<adverb>{adverbs}))",
            build_from_times,
        ),
        (rf"(?:once\s+)?every\s+(?:(?P<n>{_NUMBER})\s+)?(?P<unit>{units})", build_from_every),
        (rf"q(?P<n>\d+)(?P<unit>{'|'.join(map(re.escape, table.q_units))})", build_from_q),
        (
            rf"(?P<n>{_NUMBER})\s+(?:consecutive\s+)?days?\s+{_PER}\s+(?P<unit>{units})",
            build_from_days_per,
        ),
        (_CYCLE, build_from_cycle),
    ]
    return tuple(
        (re.compile(rf"(?<!\w)(?:{source})(?!\w)", re.IGNORECASE), build)
        for source, build in sources
    )


def to_alias_pattern() -> str:
    """Alternation of every alias (ambiguous ones too), longest first."""
    entries = load_frequencies().frequencies.values()
    aliases = {to_key(alias) for entry in entries for alias in entry.aliases}
    aliases |= {to_key(alias) for entry in entries for alias in entry.ambiguous}
    return "|".join(to_alias_regex(alias) for alias in sorted(aliases, key=len, reverse=True))


def to_alias_regex(alias: str) -> str:
    """Words joined by spaces or hyphens; a short abbreviation may carry dots ("b.i.d.")."""
    words = alias.split(" ")
    if len(words) == 1 and len(alias) <= 4 and alias.isalnum():
        return r"\.?".join(map(re.escape, alias)) + r"\.?"
    return r"[\s-]+".join(map(re.escape, words))


def to_rate_frequency(per_day: float, fallback: str) -> Frequency:
    """The named frequency with this rate ("every 14 days" -> every 2 weeks), else `fallback`."""
    for frequency in load_named_frequencies().values():
        if frequency.per_day is not None and math.isclose(frequency.per_day, per_day, rel_tol=1e-9):
            return frequency
    return Frequency(canonical=fallback, per_day=per_day)


def build_from_alias(match: re.Match[str]) -> Frequency:
    name = load_frequency_index().get(to_key(match.group(0)))
    if name is None:
        raise NormaliseError(
            f"[EM211] Unknown frequency {match.group(0)!r}. "
            "Add the form to lang/en/frequencies.toml."
        )
    return load_named_frequencies()[name]


def build_from_times(match: re.Match[str]) -> Frequency:
    """ "3 times a day", "five times weekly", "twice a month"."""
    table = load_frequencies()
    mult = match.group("mult")
    count = table.multiplicatives[mult.lower()] if mult else to_positive_int(match.group("n"))
    if match.group("unit"):
        unit = to_duration_unit(match.group("unit"))
    else:
        adverb = match.group("adverb").lower()
        unit = next(unit for unit, word in table.adverbs.items() if word == adverb)
    adverb = table.adverbs.get(unit, f"per {unit}")
    fallback = {1: adverb, 2: f"twice {adverb}"}.get(count, f"{count} times {adverb}")
    return to_rate_frequency(count / to_days(1, unit), fallback)


def build_from_every(match: re.Match[str]) -> Frequency:
    """ "every three weeks", "once every 2 months", "every other month", "every 4 hours"."""
    number_text = (match.group("n") or "1").lower()
    every_words = load_frequencies().every_words
    count = every_words[number_text] if number_text in every_words else parse_number(number_text)
    unit = to_duration_unit(match.group("unit"))
    if count <= 0:
        raise NormaliseError(
            f"[EM211] Frequency {match.group(0)!r} has no positive interval. Check the text."
        )
    fallback = f"every {unit}" if count == 1 else f"every {to_iso_number(count)} {unit}s"
    return to_rate_frequency(1 / to_days(count, unit), fallback)


def build_from_q(match: re.Match[str]) -> Frequency:
    """ "q6w" -> every 6 weeks, "q4h" -> every 4 hours."""
    count = to_positive_int(match.group("n"))
    unit = load_frequencies().q_units[match.group("unit").lower()]
    fallback = f"every {unit}" if count == 1 else f"every {count} {unit}s"
    return to_rate_frequency(1 / to_days(count, unit), fallback)


def build_from_days_per(match: re.Match[str]) -> Frequency:
    """ "5 days a month" -> canonical "5 days a month", no daily rate."""
    count = to_positive_int(match.group("n"))
    unit = to_duration_unit(match.group("unit"))
    if unit not in ("week", "month") or count > to_days(1, unit):
        raise NormaliseError(
            f"[EM211] {match.group(0)!r} is not a number of days a week or a month. Check the text."
        )
    noun = "day" if count == 1 else "days"
    return Frequency(canonical=f"{count} {noun} a {unit}")


def build_from_cycle(match: re.Match[str]) -> Frequency:
    """ "days 1, 8 and 15 of 28-day cycles": the named days, and their share of the cycle."""
    length = to_positive_int(match.group("length"))
    items = [item for item in re.split(r"\s*(?:,|and|&)\s*", match.group("days")) if item]
    spans = [to_day_span(item, length, match.group(0)) for item in items]
    days = sum(high - low + 1 for low, high in spans)
    names = [str(low) if low == high else f"{low}-{high}" for low, high in spans]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    noun = "day" if days == 1 else "days"
    return Frequency(canonical=f"{noun} {listed} of {length}-day cycles", per_day=days / length)


def to_day_span(item: str, length: int, context: str) -> tuple[int, int]:
    """ "8" -> (8, 8); "1-5", "1 to 5" -> (1, 5); days must lie inside the cycle."""
    bounds = [int(part) for part in re.split(r"\s*(?:-|–|to|through)\s*", item)]
    low, high = bounds[0], bounds[-1]
    if len(bounds) > 2 or not 1 <= low <= high <= length:
        raise NormaliseError(
            f"[EM211] Cycle days {item!r} in {context!r} do not lie within a {length}-day cycle."
        )
    return low, high


def to_positive_int(text: str) -> int:
    count = parse_int(text)
    if count < 1:
        raise NormaliseError(f"[EM211] Frequency count {text!r} must be 1 or more. Check the text.")
    return count
