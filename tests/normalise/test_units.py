"""Tests for evidence_miner.normalise.units: dose units, amounts and pint conversion."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence_miner.errors import NormaliseError
from evidence_miner.normalise.units import (
    Amount,
    convert_amount,
    is_dose_unit,
    normalise_unit,
    parse_amount,
)

CANONICAL = ["mg", "g", "mcg", "ng", "IU", "mL", "L", "mg/kg", "g/kg", "mcg/kg", "mg/m2",
             "mg/kg/day", "mg/day", "IU/kg", "mL/kg", "AUC", "%"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("milligrams", "mg"), ("mg.", "mg"), ("MG", "mg"), ("µg", "mcg"), ("μg", "mcg"),
        ("ug", "mcg"), ("micrograms", "mcg"), ("mcg", "mcg"), ("grams", "g"), ("ng", "ng"),
        ("IU", "IU"), ("units", "IU"), ("international units", "IU"), ("ml", "mL"),
        ("litres", "L"), ("mg/m²", "mg/m2"), ("mg/m2", "mg/m2"),
        ("mg per square metre", "mg/m2"), ("mg/kg per day", "mg/kg/day"),
        ("mg/kg/d", "mg/kg/day"), ("mg per kg per day", "mg/kg/day"),
        ("grams per kilogram", "g/kg"), ("g/kg", "g/kg"), ("mcg/kg", "mcg/kg"),
        ("mg/day", "mg/day"), ("units/kg", "IU/kg"), ("mL/kg", "mL/kg"), ("AUC", "AUC"),
        ("%", "%"), ("percent", "%"), ("mcg/kg/min", "mcg/kg/min"), ("mg/week", "mg/week"),
    ],
)
def test_normalise_unit_reads_surface_forms(text: str, expected: str) -> None:
    assert normalise_unit(text) == expected
    assert is_dose_unit(text)


@pytest.mark.parametrize("unit", CANONICAL)
def test_normalise_unit_keeps_canonical_units(unit: str) -> None:
    assert normalise_unit(unit) == unit


@pytest.mark.parametrize("text", ["furlongs", "kg", "day", "mg/kg/kg", "kg/mg", "AUC/kg",
                                  "mg/day/kg", "", "/", "mg per"])
def test_normalise_unit_rejects_unknown_units(text: str) -> None:
    assert not is_dose_unit(text)
    with pytest.raises(NormaliseError, match=r"\[EM204\] Unknown dose unit.*units\.toml"):
        normalise_unit(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.4-mg", Amount(value=2.4, unit="mg")),
        ("0.25 mg", Amount(value=0.25, unit="mg")),
        ("0.25mg", Amount(value=0.25, unit="mg")),
        ("1.5 to 2 mg", Amount(low=1.5, high=2, unit="mg")),
        ("1.5-2 mg", Amount(low=1.5, high=2, unit="mg")),
        ("1.5 mg to 2 mg", Amount(low=1.5, high=2, unit="mg")),
        ("2 g/kg", Amount(value=2, unit="g/kg")),
        ("175 mg/m²", Amount(value=175, unit="mg/m2")),
        ("175 mg/m2", Amount(value=175, unit="mg/m2")),
        ("AUC 5", Amount(value=5, unit="AUC")),
        ("AUC of 5", Amount(value=5, unit="AUC")),
        ("AUC5", Amount(value=5, unit="AUC")),
        ("10 mg/kg (maximum 500 mg)", Amount(value=10, unit="mg/kg", max_value=500, max_unit="mg")),
        ("10 mg/kg, up to a maximum of 500 mg",
         Amount(value=10, unit="mg/kg", max_value=500, max_unit="mg")),
        ("20 mg (max. 40 mg)", Amount(value=20, unit="mg", max_value=40, max_unit="mg")),
        ("two grams", Amount(value=2, unit="g")),
        ("1,000 IU", Amount(value=1000, unit="IU")),
        ("5,000 units", Amount(value=5000, unit="IU")),
        ("0.5mg/kg/day", Amount(value=0.5, unit="mg/kg/day")),
        ("2 mg per kg per day", Amount(value=2, unit="mg/kg/day")),
        ("400 µg", Amount(value=400, unit="mcg")),
    ],
)
def test_parse_amount_reads_examples(text: str, expected: Amount) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["mg", "5", "banana mg", "15-2 mg", "15 mg to 10 mg",
                                  "10 mg/kg (maximum 1-2 mg)", "", "5 furlongs"])
def test_parse_amount_rejects_unreadable_amounts(text: str) -> None:
    with pytest.raises(NormaliseError, match=r"\[EM20[345]\]"):
        parse_amount(text)


@settings(max_examples=100)
@given(st.integers(1, 5000), st.sampled_from(["mg", "g", "mcg"]))
def test_parse_amount_roundtrip(value: int, unit: str) -> None:
    amount = parse_amount(f"{value} {unit}")
    assert (amount.value, amount.unit) == (value, unit)


@settings(max_examples=100)
@given(st.integers(0, 5000), st.integers(0, 5000), st.sampled_from(CANONICAL[:-2]))
def test_parse_amount_range_is_ordered(a: int, b: int, unit: str) -> None:
    amount = parse_amount(f"{min(a, b)} to {max(a, b)} {unit}")
    assert amount.low is not None and amount.high is not None
    assert amount.low <= amount.high
    assert amount.unit == unit


@settings(max_examples=200)
@given(st.text())
def test_parse_amount_raises_only_normalise_error(text: str) -> None:
    try:
        amount = parse_amount(text)
    except NormaliseError:
        return
    assert normalise_unit(amount.unit) == amount.unit


@settings(max_examples=100)
@given(st.text())
def test_normalise_unit_raises_only_normalise_error(text: str) -> None:
    try:
        unit = normalise_unit(text)
    except NormaliseError:
        return
    assert normalise_unit(unit) == unit


@pytest.mark.parametrize(
    ("value", "unit", "to_unit", "expected"),
    [(1, "g", "mg", 1000), (500, "mcg", "mg", 0.5), (2, "mg/kg", "mcg/kg", 2000),
     (1, "g/kg", "mg/kg", 1000), (1, "mg/kg/day", "mg/kg/week", 7), (1, "L", "mL", 1000),
     (1, "milligrams", "µg", 1000)],
)
def test_convert_amount_uses_pint(value: float, unit: str, to_unit: str, expected: float) -> None:
    assert convert_amount(value, unit, to_unit) == pytest.approx(expected)


@pytest.mark.parametrize(("unit", "to_unit"), [("mg/kg", "mg"), ("IU", "mg"), ("AUC", "mg"),
                                               ("mg/m2", "mg/kg")])
def test_convert_amount_rejects_different_dimensions(unit: str, to_unit: str) -> None:
    with pytest.raises(NormaliseError, match=r"\[EM206\]"):
        convert_amount(1, unit, to_unit)


@settings(max_examples=50)
@given(st.integers(1, 10**6), st.sampled_from(["mg", "g", "mcg", "ng"]),
       st.sampled_from(["mg", "g", "mcg", "ng"]))
def test_convert_amount_roundtrips(value: int, unit: str, to_unit: str) -> None:
    there = convert_amount(value, unit, to_unit)
    assert convert_amount(there, to_unit, unit) == pytest.approx(value)
