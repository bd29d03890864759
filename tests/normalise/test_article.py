"""Normalising a whole article's findings: one dose per regimen."""

from __future__ import annotations

from collections import Counter

from evidence_miner.normalise.article import normalise_intervention
from evidence_miner.records import Dose, Intervention


def dose(text: str, value: float, frequency: str | None = None, **extra) -> Dose:
    return Dose(text=text, span=(0, len(text)), sentence=0, confidence=0.8, value=value, unit="mg", frequency=frequency, **extra)


def doses_after(*doses: Dose) -> list[tuple]:
    item = Intervention(text="x", span=(0, 1), sentence=0, confidence=0.9, name="x", doses=list(doses))
    return [(d.value, d.frequency, d.group_n) for d in normalise_intervention(item, Counter()).doses]


def test_a_regimen_restated_in_other_words_is_kept_once() -> None:
    assert doses_after(dose("200 mg once a day", 200, "once a day"), dose("200 mg a day", 200, "a day")) == [(200, "daily", None)]


def test_a_bare_amount_restating_a_fuller_dose_is_dropped() -> None:
    assert doses_after(dose("2.5 mg", 2.5), dose("2.5 mg once daily", 2.5, "once daily")) == [(2.5, "daily", None)]


def test_arms_and_other_regimens_of_one_amount_are_kept() -> None:
    kept = doses_after(dose("5 mg daily", 5, "daily"), dose("5 mg weekly", 5, "weekly"), dose("5 mg (n=40)", 5, group_n=40))
    assert kept == [(5, "daily", None), (5, "weekly", None), (5, None, 40)]


def test_a_weight_based_dose_a_day_is_per_day() -> None:
    from evidence_miner.normalise.article import normalise_dose

    def unit_of(text: str) -> str:
        dose = Dose(text=text, span=(0, len(text)), sentence=0, confidence=0.8, value=10, unit="mg/kg")
        return normalise_dose(dose, Counter()).unit

    assert unit_of("10 mg/kg a day") == "mg/kg/day"
    assert unit_of("40 mg/kg once daily") == "mg/kg"
