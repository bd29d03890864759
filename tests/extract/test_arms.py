"""Arm attribution (extract/assemble/arms.py): each result and harm gets the arm its sentence names."""

from __future__ import annotations

import pytest

from evidence_miner.extract.pipeline import extract_article
from evidence_miner.records import Page


def findings_of(nlp, text: str):
    return extract_article(nlp, Page(url="file:///arms.txt", text=text)).findings


def outcome_groups(nlp, body: str) -> dict[float, str | None]:
    text = f"Migraine trial\n\nIn a randomized trial, 400 adults took erenumab or a placebo for 12 weeks. {body}\n"
    [findings] = findings_of(nlp, text)
    return {o.percent if o.percent is not None else o.effect.value: o.group for o in findings.outcomes}


def percent_groups(nlp, body: str) -> dict[float, str | None]:
    """The group of each percentage of the migraine trial's record, `body` added to its text."""
    text = f"Migraine trial\n\nIn a randomized trial, 400 adults took erenumab or a placebo for 12 weeks. {body}\n"
    [findings] = findings_of(nlp, text)
    return {o.percent: o.group for o in findings.outcomes if o.percent is not None}


@pytest.mark.parametrize(
    "body",
    [
        "Headache days fell by half in 41% of those on erenumab and in 27% of those on placebo.",
        "Headache days fell by half in 41% and 27% of patients on erenumab and placebo, respectively.",
        "In the erenumab group, 41% of patients had 50% fewer headache days; in the placebo group, 27% of patients did.",
    ],
)
def test_arms_each_value_takes_the_arm_its_sentence_gives_it(nlp, body: str) -> None:
    assert outcome_groups(nlp, body) == {41.0: "erenumab", 27.0: "placebo"}


def test_arms_effect_size_goes_to_the_drug_not_its_comparator(nlp) -> None:
    groups = outcome_groups(nlp, "Compared with placebo, erenumab cut migraine days (hazard ratio, 0.62; 95% CI, 0.5 to 0.8).")
    assert groups == {0.62: "erenumab"}


@pytest.mark.parametrize(
    "body",
    [
        "Erenumab cut migraine days by 30% compared with placebo.",
        "Migraine days decreased by 30% versus placebo.",
    ],
)
def test_arms_value_measured_against_a_comparator_is_not_the_comparators(nlp, body: str) -> None:
    """ "30% fewer ... than placebo": placebo is what the value is measured against."""
    assert outcome_groups(nlp, body) == {30.0: "erenumab"}


def test_arms_comparison_cue_after_the_arm_leaves_each_arm_its_value(nlp) -> None:
    body = "Headache days fell by half in 41% of the erenumab group, versus 27% of the placebo group."
    assert outcome_groups(nlp, body) == {41.0: "erenumab", 27.0: "placebo"}


def test_arms_result_without_an_arm_in_its_sentence_is_the_cohort(nlp) -> None:
    groups = outcome_groups(nlp, "Overall, 35% of the participants reported fewer migraine days.")
    assert groups == {35.0: None}


def test_arms_harms_get_their_arm_too(nlp) -> None:
    text = ("Migraine trial\n\nIn a randomized trial, 400 adults took erenumab or a placebo. "
            "Constipation occurred in 3% of patients on erenumab and 1% of those on placebo.\n")  # fmt: skip
    [findings] = findings_of(nlp, text)
    assert {(a.percent, a.group) for a in findings.adverse_events} == {(3.0, "erenumab"), (1.0, "placebo")}


def test_arms_count_a_percentage_is_of_is_no_result_and_names_its_arm(nlp) -> None:
    """ "41% of the 200 patients on erenumab improved": 200 is what the 41% is of, not a result;
    the percentage takes the arm its base names."""
    text = (
        "Migraine trial\n\nIn a randomized trial, 400 adults took erenumab or a placebo for 12 "
        "weeks. In all, 41% of the 200 patients on erenumab improved.\n"
    )
    [findings] = findings_of(nlp, text)
    assert [(o.percent, o.count, o.group) for o in findings.outcomes] == [(41.0, None, "erenumab")]


@pytest.mark.parametrize(
    "body,expected",
    [
        ("Attacks numbered 52 among those on erenumab and 91 among those on placebo, a reduction of 43%.", {43.0: "erenumab"}),
        ("Those on erenumab had a 43 percent lower risk of a migraine attack.", {43.0: "erenumab"}),
        ("Over the trial, the drug cut the risk of an attack by 43 percent.", {43.0: "erenumab"}),
        ("Over the trial, 43 percent of patients had an attack.", {43.0: None}),
    ],
)
def test_arms_a_relative_change_goes_to_the_drug_like_an_effect_size(nlp, body: str, expected: dict) -> None:
    assert percent_groups(nlp, body) == expected


@pytest.mark.parametrize(
    "body,expected",
    [
        ("Vision worsened in 9 percent of the laser group and in 28 percent of the shunt group.", {9.0: "laser group", 28.0: "shunt group"}),
        ("In the high-dose arm, 41% of patients responded; in the low-dose arm, 27% did.", {41.0: "high-dose arm", 27.0: "low-dose arm"}),
        ("Responses came in 41% of those on erenumab and in 27% of the same group a year later.", {41.0: "erenumab", 27.0: "erenumab"}),
    ],
)
def test_arms_a_group_named_by_its_words_is_an_arm(nlp, body: str, expected: dict) -> None:
    assert percent_groups(nlp, body) == expected


@pytest.mark.parametrize(
    "body,expected",
    [
        ("But among men older than 50 who kept taking it, migraine days fell by 61%.", {61.0: "men older than 50 who kept taking it"}),
        ("Among patients older than 65, 41% improved.", {41.0: "patients older than 65"}),
        ("In 2019, 41% of patients improved.", {41.0: None}),
    ],
)
def test_arms_a_result_without_an_arm_takes_the_subgroup_its_sentence_opens_on(nlp, body: str, expected: dict) -> None:
    assert percent_groups(nlp, body) == expected


@pytest.mark.parametrize(
    "body,expected",
    [
        ("Headache days fell by half in 41% of the younger patients and in 27% of the older patients.", {41.0: "younger", 27.0: "older"}),
        ("Headache days fell by half in 41% of younger and 27% of older patients.", {41.0: "younger", 27.0: "older"}),
        ("Headache days fell by half in 41% of patients.", {41.0: None}),
        ("Headache days fell by half in 41% of the 200 patients.", {41.0: None}),
    ],
)
def test_arms_a_value_takes_the_group_it_is_of(nlp, body: str, expected: dict) -> None:
    assert percent_groups(nlp, body) == expected


def test_arms_an_effect_size_takes_no_group_a_value_is_of(nlp) -> None:
    body = "Among the 12% of younger patients who had aura, erenumab cut headache days (hazard ratio, 0.6)."
    assert outcome_groups(nlp, body)[0.6] == "erenumab"


def test_arms_a_respectively_sentence_without_arms_takes_the_order_of_the_sentence_before(nlp) -> None:
    body = (
        "Headache days fell by half in 41% of those on erenumab and in 27% of those on placebo. "
        "Nausea days fell in 12 and 20 percent, respectively."
    )
    assert percent_groups(nlp, body) == {41.0: "erenumab", 27.0: "placebo", 12.0: "erenumab", 20.0: "placebo"}


def test_arms_a_value_of_those_in_an_arm_without_a_drug_takes_its_words(nlp) -> None:
    body = "Headache days fell by half in 41% of those assigned to yoga and in 27% of those in stretching classes."
    groups = percent_groups(nlp, body)
    assert (groups[41.0], groups[27.0]) == ("yoga", "stretching classes")


def test_arms_a_value_of_the_people_who_had_a_trait_takes_the_trait(nlp) -> None:
    body = "The scan flagged 41% of the people who had aura and 27% of people who had no aura."
    groups = percent_groups(nlp, body)
    assert (groups[41.0], groups[27.0]) == ("aura", "no aura")
