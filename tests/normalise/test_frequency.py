"""Tests for evidence_miner.normalise.frequency."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence_miner.errors import NormaliseError
from evidence_miner.normalise.frequency import Frequency, parse_frequency

MONTH = 30.4375

EXAMPLES = [
    ("daily", "daily", 1.0), ("once daily", "daily", 1.0), ("once-daily", "daily", 1.0),
    ("once a day", "daily", 1.0), ("per day", "daily", 1.0), ("a day", "daily", 1.0),
    ("each day", "daily", 1.0), ("every day", "daily", 1.0), ("nightly", "daily", 1.0),
    ("at bedtime", "daily", 1.0), ("qd", "daily", 1.0), ("q.d.", "daily", 1.0),
    ("twice daily", "twice daily", 2.0), ("twice a day", "twice daily", 2.0),
    ("bid", "twice daily", 2.0), ("b.i.d.", "twice daily", 2.0), ("BID", "twice daily", 2.0),
    ("every 12 hours", "twice daily", 2.0), ("q12h", "twice daily", 2.0),
    ("three times a day", "three times daily", 3.0), ("tid", "three times daily", 3.0),
    ("3 times daily", "three times daily", 3.0),
    ("four times daily", "four times daily", 4.0), ("qid", "four times daily", 4.0),
    ("every other day", "every other day", 0.5), ("every 48 hours", "every other day", 0.5),
    ("weekly", "weekly", 1 / 7), ("once weekly", "weekly", 1 / 7),
    ("once a week", "weekly", 1 / 7), ("every 7 days", "weekly", 1 / 7),
    ("twice weekly", "twice weekly", 2 / 7), ("twice a week", "twice weekly", 2 / 7),
    ("every 2 weeks", "every 2 weeks", 1 / 14), ("every two weeks", "every 2 weeks", 1 / 14),
    ("q2w", "every 2 weeks", 1 / 14), ("every 14 days", "every 2 weeks", 1 / 14),
    ("every 3 weeks", "every 3 weeks", 1 / 21), ("every three weeks", "every 3 weeks", 1 / 21),
    ("q3w", "every 3 weeks", 1 / 21), ("Q3W", "every 3 weeks", 1 / 21),
    ("once every 3 weeks", "every 3 weeks", 1 / 21),
    ("every 4 weeks", "every 4 weeks", 1 / 28), ("q4w", "every 4 weeks", 1 / 28),
    ("monthly", "monthly", 1 / MONTH), ("once a month", "monthly", 1 / MONTH),
    ("every 6 weeks", "every 6 weeks", 1 / 42), ("q6w", "every 6 weeks", 1 / 42),
    ("every 4 hours", "every 4 hours", 6.0), ("5 times daily", "5 times daily", 5.0),
    ("twice a month", "twice monthly", 2 / MONTH),
    ("every other month", "every 2 months", 1 / (2 * MONTH)),
    ("days 1, 8 and 15 of 28-day cycles", "days 1, 8 and 15 of 28-day cycles", 3 / 28),
    ("on days 1, 8 and 15 of each 28-day cycle", "days 1, 8 and 15 of 28-day cycles", 3 / 28),
    ("days 1-5 of 21-day cycles", "days 1-5 of 21-day cycles", 5 / 21),
    ("day 1 of a 21-day cycle", "day 1 of 21-day cycles", 1 / 21),
]


@pytest.mark.parametrize(("text", "canonical", "per_day"), EXAMPLES)
def test_parse_frequency_reads_surface_forms(text: str, canonical: str, per_day: float) -> None:
    frequency = parse_frequency(text)
    assert frequency.canonical == canonical
    assert frequency.per_day == pytest.approx(per_day)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("5 days a month", "5 days a month"), ("2 days a month", "2 days a month"),
     ("five days a month", "5 days a month"), ("5 days per week", "5 days a week"),
     ("once", "once"), ("a single dose", "once"), ("as needed", "as needed"),
     ("PRN", "as needed"), ("p.r.n.", "as needed")],
)
def test_parse_frequency_reads_forms_without_rate(text: str, canonical: str) -> None:
    assert parse_frequency(text) == Frequency(canonical=canonical, per_day=None)


@pytest.mark.parametrize("text", ["banana", "", "every few weeks", "40 days a month",
                                  "days 1, 8 and 35 of 28-day cycles", "0 times daily"])
def test_parse_frequency_rejects_unknown(text: str) -> None:
    with pytest.raises(NormaliseError, match=r"\[EM2\d\d\]"):
        parse_frequency(text)


@settings(max_examples=50)
@given(st.integers(1, 60), st.sampled_from(["days", "weeks", "months"]))
def test_parse_frequency_every_n_has_matching_rate(n: int, unit: str) -> None:
    days = {"days": 1, "weeks": 7, "months": MONTH}[unit] * n
    assert parse_frequency(f"every {n} {unit}").per_day == pytest.approx(1 / days)


@settings(max_examples=100)
@given(st.text())
def test_parse_frequency_raises_only_normalise_error(text: str) -> None:
    try:
        frequency = parse_frequency(text)
    except NormaliseError:
        return
    assert frequency.per_day is None or frequency.per_day > 0
