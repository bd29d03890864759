"""Tests for evidence_miner.numbers: digits, number words, fractions, ranges, percentages."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence_miner.errors import NormaliseError
from evidence_miner.numbers import (
    is_number_word,
    parse_int,
    parse_number,
    parse_range,
)

ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen").split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def to_words(n: int) -> str:
    """English words for 0 <= n < 10**9, hyphenating tens ("twenty-two") and using "and"."""
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else f"-{ONES[n % 10]}")
    for size, name in ((10**6, "million"), (1000, "thousand"), (100, "hundred")):
        if n >= size:
            head, rest = divmod(n, size)
            tail = "" if rest == 0 else (" and " if rest < 100 else " ") + to_words(rest)
            return f"{to_words(head)} {name}{tail}"
    raise AssertionError(n)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nineteen", 19),
        ("twenty-two", 22),
        ("twenty two", 22),
        ("1,580", 1580),
        ("1,580,000", 1_580_000),
        ("0.25", 0.25),
        (".5", 0.5),
        ("\u22122.5", -2.5),
        ("-3", -3),
        ("one hundred and five", 105),
        ("a hundred and five", 105),
        ("a thousand", 1000),
        ("two million", 2_000_000),
        ("1.5 million", 1_500_000),
        ("a dozen", 12),
        ("two dozen", 24),
        ("a third", 1 / 3),
        ("half", 0.5),
        ("a half", 0.5),
        ("a quarter", 0.25),
        ("three quarters", 0.75),
        ("two-thirds", 2 / 3),
        ("two thirds", 2 / 3),
        ("1/3", 1 / 3),
        ("one in seven", 1 / 7),
        ("1 in 7", 1 / 7),
        ("3 out of 10", 0.3),
        ("one and a half", 1.5),
        ("½", 0.5),
        ("2½", 2.5),
        ("zero", 0),
        ("  Seven\u00a0", 7),
    ],
)
def test_parse_number_reads_examples(text: str, expected: float) -> None:
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    ["several dozen", "dozens", "third", "dozen", "a", "o", "", "banana", "one two", "1e5",
     "nan", "inf", "1/0", "٣", "1,58", "1 2", "9" * 400],
)
def test_parse_number_rejects_non_numbers(text: str) -> None:
    with pytest.raises(NormaliseError, match=r"\[EM20[1]\]|\[EM213\]"):
        parse_number(text)


@settings(max_examples=150)
@given(st.integers(0, 999_999_999))
def test_parse_number_roundtrips_number_words(n: int) -> None:
    assert parse_number(to_words(n)) == n
    assert parse_number(to_words(n).capitalize()) == n


@settings(max_examples=100)
@given(st.integers(0, 10**12))
def test_parse_number_roundtrips_thousands_separators(n: int) -> None:
    assert parse_number(f"{n:,}") == n


@settings(max_examples=100)
@given(st.floats(min_value=0, max_value=1e9, allow_nan=False).map(lambda x: round(x, 3)))
def test_parse_number_roundtrips_decimals(value: float) -> None:
    assert parse_number(f"{value:,}") == pytest.approx(value)
    assert parse_number(f"\u2212{value}") == pytest.approx(-value)


@settings(max_examples=300)
@given(st.text())
def test_parse_number_raises_only_normalise_error(text: str) -> None:
    try:
        value = parse_number(text)
    except NormaliseError:
        return
    assert math.isfinite(value)


def test_parse_int_reads_whole_numbers() -> None:
    assert parse_int("1,580") == 1580
    assert parse_int("Nineteen") == 19
    assert isinstance(parse_int("2.0"), int)


@pytest.mark.parametrize("text", ["2.5", "a third", "several"])
def test_parse_int_rejects_fractions_and_words(text: str) -> None:
    with pytest.raises(NormaliseError, match=r"\[EM20[12]\]"):
        parse_int(text)


@pytest.mark.parametrize(
    ("word", "expected"),
    [("Nineteen", True), ("twenty-two", True), ("hundred", True), ("half", True),
     ("thirds", True), ("dozen", True), ("a", False), ("and", False), ("o", False),
     ("several", False), ("two thirds", False), ("12", False)],
)
def test_is_number_word_tells_words(word: str, expected: bool) -> None:
    assert is_number_word(word) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.5 to 2", (1.5, 2)),
        ("2-15", (2, 15)),
        ("2–15", (2, 15)),
        ("2 — 15", (2, 15)),
        ("four to 12", (4, 12)),
        ("between 4 and 6", (4, 6)),
        ("4 and 6", (4, 6)),
        ("from 45 to 70", (45, 70)),
        ("twenty-two to thirty", (22, 30)),
        ("one hundred and five to two hundred", (105, 200)),
        ("-5 to 5", (-5, 5)),
        ("1,000-2,500", (1000, 2500)),
    ],
)
def test_parse_range_reads_examples(text: str, expected: tuple[float, float]) -> None:
    assert parse_range(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["15-2", "12 to 4", "5", "twenty-two", "a to b", ""])
def test_parse_range_rejects_non_ranges(text: str) -> None:
    with pytest.raises(NormaliseError, match=r"\[EM203\]"):
        parse_range(text)


@settings(max_examples=100)
@given(st.integers(0, 10_000), st.integers(0, 10_000),
       st.sampled_from([" to ", "-", "–", " and "]))
def test_parse_range_orders_low_high(a: int, b: int, separator: str) -> None:
    text = f"{min(a, b)}{separator}{max(a, b)}"
    low, high = parse_range(text)
    assert low <= high
    assert (low, high) == (min(a, b), max(a, b))


@settings(max_examples=200)
@given(st.text())
def test_parse_range_raises_only_normalise_error(text: str) -> None:
    try:
        low, high = parse_range(text)
    except NormaliseError:
        return
    assert low <= high


@settings(max_examples=150)
@given(st.text())
def test_parse_int_raises_only_normalise_error(text: str) -> None:
    try:
        parse_int(text)
    except NormaliseError:
        pass


@pytest.mark.parametrize("parse", [parse_number, parse_range])
def test_text_far_longer_than_a_value_is_refused_at_once(parse) -> None:
    with pytest.raises(NormaliseError, match=r"\[EM213\]"):
        parse("1 to " * 1_000)
