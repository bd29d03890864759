"""Normalise durations to records.Duration: unit, statistic, ISO 8601 ("27 months" -> P27M)."""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal
from functools import cache
from pathlib import Path

from pydantic import field_validator

from evidence_miner.errors import NormaliseError
from evidence_miner.normalise.tables import TableModel, load_table, to_alias_index, to_key
from evidence_miner import disk_cache
from evidence_miner.normalise import units as dose_units
from evidence_miner.normalise.units import load_registry
from evidence_miner.numbers import check_value_length, parse_number, parse_range
from evidence_miner.records import Duration, DurationUnit, StatKind


class DurationUnitEntry(TableModel):
    iso: str
    aliases: list[str]

    @field_validator("iso")
    @classmethod
    def _iso_is_template(cls, iso: str) -> str:
        if not iso.startswith("P") or iso.count("{}") != 1:
            raise ValueError(f"iso {iso!r} must start with 'P' and hold one '{{}}' for the value")
        return iso


class DurationTable(TableModel):
    filler: list[str]
    stats: dict[str, StatKind]
    units: dict[DurationUnit, DurationUnitEntry]


@cache
def load_durations() -> DurationTable:
    return load_table("durations.toml", DurationTable)


@cache
def load_duration_index() -> dict[str, str]:
    """Alias key ("mo", "yrs") -> canonical duration unit."""
    units = load_durations().units
    return to_alias_index({name: entry.aliases for name, entry in units.items()}, "durations.toml")


def to_duration_unit(text: str) -> DurationUnit:
    """Canonical duration unit: "months", "mo" -> month; "yrs" -> year; "wk" -> week."""
    unit = load_duration_index().get(to_key(text))
    if unit is None:
        raise NormaliseError(
            f"[EM208] Unknown duration unit {text!r}. Use minute, hour, day, week, month or year, "
            "or add the form to lang/en/durations.toml."
        )
    return unit  # type: ignore[return-value]  # the index holds only DurationUnit keys


def to_duration(
    value: float | None,
    unit_text: str,
    *,
    stat: str | None = None,
    low: float | None = None,
    high: float | None = None,
    text: str | None = None,
) -> Duration:
    """A Duration with canonical unit and ISO 8601 `iso`.

    A range (low/high, no value) gets iso None: ISO 8601 durations hold one length, and
    either end alone would misstate the range. `value`, if given, must be >= 0.
    """
    unit = to_duration_unit(unit_text)
    check_duration_values(value, low, high, text or unit_text)
    return Duration(
        text=text,
        value=value,
        low=low,
        high=high,
        unit=unit,
        stat=to_stat(stat),
        iso=to_iso(value, unit),
    )


def check_duration_values(
    value: float | None, low: float | None, high: float | None, context: str
) -> None:
    """Raise unless every given value is finite and >= 0, and low <= high."""
    given = [number for number in (value, low, high) if number is not None]
    if any(not math.isfinite(number) or number < 0 for number in given):
        raise NormaliseError(
            f"[EM209] Invalid duration {given} in {context!r}: durations are finite and >= 0. "
            "Check the number read from the text."
        )
    if low is not None and high is not None and low > high:
        raise NormaliseError(
            f"[EM209] Duration range in {context!r} has low {low} above high {high}. "
            "Write ranges low to high."
        )


def to_stat(stat: str | None) -> StatKind | None:
    """ "median" -> median; "mean", "average" -> mean; None stays None."""
    if stat is None:
        return None
    kind = load_durations().stats.get(stat.strip().lower())
    if kind is None:
        raise NormaliseError(
            f"[EM209] Unknown statistic {stat!r}. Use one of {sorted(load_durations().stats)}."
        )
    return kind


def to_iso(value: float | None, unit: DurationUnit) -> str | None:
    """ISO 8601 duration: (27, month) -> P27M, (2.5, year) -> P2.5Y, (6, hour) -> PT6H."""
    if value is None:
        return None
    return load_durations().units[unit].iso.format(to_iso_number(value))


def to_iso_number(value: float) -> str:
    """A plain decimal (no exponent, no trailing .0): ISO 8601 allows a fraction on the value."""
    if float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(float(value))), "f")


def to_days(value: float, unit_text: str) -> float:
    """Length in days via pint (a month is 30.4375 days, a year 365.25)."""
    unit = to_duration_unit(unit_text)
    if type(value) in (int, float):  # pint converts these as value * factor
        return float(value * load_day_factors()[unit])
    quantity = load_registry().Quantity(value, unit)
    return float(quantity.to("day").magnitude)


@cache
def load_day_factors() -> dict[str, float]:
    """pint's factor from each duration unit to days, kept on disk between runs (pint and its
    registry take about a second to load); value * factor is what pint computes."""
    source, table = Path(__file__).read_text("utf-8"), load_durations().model_dump_json()
    parts = dose_units.to_pint_cache_parts(source, table)
    factors = disk_cache.cached(dose_units.cache_folder(), "day-factors", parts, read_day_factors)
    return factors  # type: ignore[return-value]


def read_day_factors() -> dict[str, float]:
    registry = load_registry()
    return {unit: registry.Quantity(1, unit).to("day").magnitude for unit in load_durations().units}


def parse_duration(text: str) -> Duration:
    """Read a duration phrase: "a median of 27 months", "27-month", "four to 12 months"."""
    check_value_length(text, "a duration")
    tokens = to_duration_tokens(text)
    for unit_at, token in enumerate(tokens):
        if token not in load_duration_index():
            continue
        for start in range(unit_at):
            words = tokens[:start] + tokens[unit_at + 1 :]
            numbers = read_duration_numbers(" ".join(tokens[start:unit_at]))
            if numbers is not None and is_duration_filler(words):
                value, low, high = numbers
                return to_duration(
                    value, token, stat=find_stat(words), low=low, high=high, text=text
                )
    raise NormaliseError(
        f"[EM210] Cannot read a duration in {text!r}. Write a number or range and a unit "
        "('27 months', 'a median of 2.5 years', 'four to 12 weeks')."
    )


def to_duration_tokens(text: str) -> list[str]:
    """Lowercase words, a number split from its unit ("27months", "27-month", "six-week")."""
    folded = unicodedata.normalize("NFKC", text).lower()
    folded = re.sub(r"(?<=\d)(?=[a-z])", " ", folded)
    folded = unit_hyphen_pattern().sub(" ", folded)
    return [word.strip(".,;:'’()") for word in folded.split()]


@cache
def unit_hyphen_pattern() -> re.Pattern[str]:
    """A hyphen directly before a duration unit word."""
    aliases = sorted(load_duration_index(), key=len, reverse=True)
    return re.compile(r"[-–](?=(?:" + "|".join(map(re.escape, aliases)) + r")\b)")


def read_duration_numbers(text: str) -> tuple[float | None, float | None, float | None] | None:
    """(value, None, None) for a number, (None, low, high) for a range, None otherwise."""
    try:
        return parse_number(text), None, None
    except NormaliseError:
        pass
    try:
        low, high = parse_range(text)
    except NormaliseError:
        return None
    return None, low, high


def is_duration_filler(words: list[str]) -> bool:
    table = load_durations()
    return all(word in table.filler or word in table.stats for word in words)


def find_stat(words: list[str]) -> StatKind | None:
    stats = load_durations().stats
    return next((stats[word] for word in words if word in stats), None)
