"""Tests for date lines and bylines in article headers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence_miner.sources.header import is_headline_like, to_date, to_header_facts

DATE_FORMATS = ["%B %d, %Y", "%d %b %Y", "%Y-%m-%d", "%d %B %Y", "%A, %B %d, %Y", "%Y/%m/%d"]


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(DATE_FORMATS),
)
def test_to_date_roundtrips_written_dates(value: date, fmt: str) -> None:
    assert to_date(value.strftime(fmt)) == value


@given(st.text(max_size=80))
def test_to_date_returns_date_or_none_for_any_text(text: str) -> None:
    assert to_date(text) is None or isinstance(to_date(text), date)


@pytest.mark.parametrize("text", ["2016", "May 2016", "10:32 am", "19", "the 16th", "Q3 2020"])
def test_to_date_rejects_partial_dates(text: str) -> None:
    assert to_date(text) is None


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("By Jane Doe", ("Jane Doe",)),
        ("By Jane Doe, MD and John Roe", ("Jane Doe", "John Roe")),
        ("Written by Dr. Anna-Maria O’Neil", ("Dr. Anna-Maria O’Neil",)),
        ("By Jane Doe, Senior Health Writer", ("Jane Doe",)),
        ("By Staff Reporter | March 4, 2025", ()),
        ("By Jane Doe, March 3, 2024", ("Jane Doe",)),
    ],
)
def test_to_header_facts_reads_bylines(line: str, authors: tuple[str, ...]) -> None:
    facts = to_header_facts(line)
    assert facts is not None and facts.authors == authors


@pytest.mark.parametrize(
    "line",
    [
        "By contrast, patients on placebo improved less.",
        "By week 12, most patients had improved",
        "Results, with a median follow-up of 27 months, were published online May 16th.",
        "The Role of Biology in Orthodontic Practice",
        "Jane Doe · 4 min read",
        "In 2016, 19 patients were treated.",
    ],
)
def test_to_header_facts_ignores_other_lines(line: str) -> None:
    assert to_header_facts(line) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("The Role of Biology in Orthodontic Practice", True),
        ("HEALTH NEWS", True),
        ("Example Blog - notes for busy doctors", True),
        ("What the study found", False),
        ("Patients improved on the drug.", False),
        ("A supervised walking programme reduced calf pain in adults with a condition", False),
    ],
)
def test_is_headline_like_spots_short_title_case_lines(line: str, expected: bool) -> None:
    assert is_headline_like(line) is expected
