"""Tests for evidence_miner.normalise.durations."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence_miner.errors import NormaliseError
from evidence_miner.normalise import durations
from evidence_miner.normalise.durations import (
    parse_duration,
    to_days,
    to_duration,
    to_duration_unit,
)
from evidence_miner.records import Duration

DESIGNATORS = {"year": "P{}Y", "month": "P{}M", "week": "P{}W", "day": "P{}D",
               "hour": "PT{}H", "minute": "PT{}M"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("months", "month"), ("mo", "month"), ("Mos.", "month"), ("yrs", "year"),
     ("years", "year"), ("y", "year"), ("wk", "week"), ("weeks", "week"), ("days", "day"),
     ("d", "day"), ("hours", "hour"), ("h", "hour"), ("min", "minute")],
)
def test_to_duration_unit_reads_aliases(text: str, expected: str) -> None:
    assert to_duration_unit(text) == expected


@pytest.mark.parametrize("text", ["fortnights", "m", "", "mg"])
def test_to_duration_unit_rejects_unknown(text: str) -> None:
    with pytest.raises(NormaliseError, match=r"\[EM208\].*durations\.toml"):
        to_duration_unit(text)


@pytest.mark.parametrize(
    ("value", "unit", "iso"),
    [(27, "months", "P27M"), (2, "years", "P2Y"), (12, "weeks", "P12W"), (3, "days", "P3D"),
     (6, "hours", "PT6H"), (30, "min", "PT30M"), (2.5, "yrs", "P2.5Y"), (0.1, "h", "PT0.1H")],
)
def test_to_duration_writes_iso(value: float, unit: str, iso: str) -> None:
    assert to_duration(value, unit).iso == iso


def test_to_duration_keeps_range_without_iso() -> None:
    duration = to_duration(None, "months", low=4, high=12, stat="median", text="4 to 12 months")
    assert duration == Duration(text="4 to 12 months", low=4, high=12, unit="month",
                                stat="median", iso=None)


@pytest.mark.parametrize(
    ("value", "low", "high", "stat"),
    [(-1, None, None, None), (float("nan"), None, None, None), (float("inf"), None, None, None),
     (None, 12, 4, None), (3, None, None, "mode")],
)
def test_to_duration_rejects_bad_values(value: float | None, low: float | None,
                                        high: float | None, stat: str | None) -> None:
    with pytest.raises(NormaliseError, match=r"\[EM209\]"):
        to_duration(value, "months", low=low, high=high, stat=stat)


@settings(max_examples=100)
@given(st.one_of(st.integers(0, 100_000), st.decimals(0, 1000, places=2).map(float)),
       st.sampled_from(sorted(DESIGNATORS)))
def test_to_duration_iso_roundtrips(value: float, unit: str) -> None:
    duration = to_duration(value, unit)
    match = re.fullmatch(DESIGNATORS[unit].replace("{}", r"(\d+(?:\.\d+)?)"), duration.iso or "")
    assert match is not None
    assert float(match.group(1)) == pytest.approx(value)
    assert (duration.value, duration.unit) == (value, unit)


@pytest.mark.parametrize(
    ("text", "value", "unit", "stat", "iso"),
    [
        ("a median of 27 months", 27, "month", "median", "P27M"),
        ("mean follow-up of 2.5 years", 2.5, "year", "mean", "P2.5Y"),
        ("27-month", 27, "month", None, "P27M"),
        ("27-month median follow-up", 27, "month", "median", "P27M"),
        ("six weeks", 6, "week", None, "P6W"),
        ("six-week", 6, "week", None, "P6W"),
        ("two years", 2, "year", None, "P2Y"),
        ("12 weeks", 12, "week", None, "P12W"),
        ("median 7 months", 7, "month", "median", "P7M"),
        ("an average of 3 yrs", 3, "year", "mean", "P3Y"),
        ("Twenty-two-month", 22, "month", None, "P22M"),
        ("27months", 27, "month", None, "P27M"),
        ("48 hours", 48, "hour", None, "PT48H"),
    ],
)
def test_parse_duration_reads_phrases(text: str, value: float, unit: str, stat: str | None,
                                      iso: str) -> None:
    duration = parse_duration(text)
    assert (duration.value, duration.unit, duration.stat, duration.iso) == (value, unit, stat, iso)
    assert duration.text == text


@pytest.mark.parametrize(
    ("text", "low", "high", "unit"),
    [("four to 12 months", 4, 12, "month"), ("2-15 years", 2, 15, "year"),
     ("between 4 and 6 weeks", 4, 6, "week"), ("1.5–2 years", 1.5, 2, "year")],
)
def test_parse_duration_reads_ranges(text: str, low: float, high: float, unit: str) -> None:
    duration = parse_duration(text)
    assert (duration.value, duration.low, duration.high, duration.unit) == (None, low, high, unit)
    assert duration.iso is None


@pytest.mark.parametrize("text", ["months", "up to 12 months", "12 to 4 months", "banana 3 months",
                                  "27", "", "several months"])
def test_parse_duration_rejects_unreadable(text: str) -> None:
    with pytest.raises(NormaliseError, match=r"\[EM210\]"):
        parse_duration(text)


@settings(max_examples=150)
@given(st.text())
def test_parse_duration_raises_only_normalise_error(text: str) -> None:
    try:
        duration = parse_duration(text)
    except NormaliseError:
        return
    assert duration.unit is not None


@settings(max_examples=50)
@given(st.integers(1, 1000), st.sampled_from(sorted(DESIGNATORS)))
def test_parse_duration_roundtrips_value_and_unit(value: int, unit: str) -> None:
    duration = parse_duration(f"{value} {unit}s")
    assert (duration.value, duration.unit) == (value, unit)


@pytest.mark.parametrize(("value", "unit", "days"),
                         [(2, "weeks", 14), (1, "month", 30.4375), (1, "year", 365.25),
                          (12, "hours", 0.5)])
def test_to_days_uses_pint_lengths(value: float, unit: str, days: float) -> None:
    assert to_days(value, unit) == pytest.approx(days)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-(10**12), 10**12)),
       st.sampled_from(list(DESIGNATORS)))
def test_to_days_is_exactly_what_pint_computes(value: float, unit: str) -> None:
    from evidence_miner.normalise.units import load_registry

    assert to_days(value, unit) == float(load_registry().Quantity(value, unit).to("day").magnitude)


def test_to_days_reads_pint_factors_from_the_cache_without_pint(monkeypatch, tmp_path) -> None:
    """A second process reads the day factors from the cache folder and never imports pint."""
    import subprocess
    import sys

    from evidence_miner.normalise import units

    monkeypatch.setattr(units, "cache_folder", lambda: tmp_path)
    durations.load_day_factors.cache_clear()
    assert to_days(2, "month") == 60.875
    assert list(tmp_path.glob("day-factors-*.marshal"))
    code = (
        "import sys, pathlib; from evidence_miner.normalise import units, durations; "
        f"units.cache_folder = lambda: pathlib.Path({str(tmp_path)!r}); "
        "print(durations.to_days(2, 'month'), 'pint' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.split() == ["60.875", "False"]
    durations.load_day_factors.cache_clear()
