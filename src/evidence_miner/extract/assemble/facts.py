"""Typed facts the assembly steps find and hand to each other, and their one conversion to Findings.

Each step of `findings.assemble` returns facts of this module; a step that needs what another
found takes it as an argument (`assemble` lists the steps in order). Nothing is converted to
records until `to_findings`, which validates the pydantic `Findings` once per study.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass

from spacy.tokens import Span

from evidence_miner.records import Findings

INTERNAL = {"internal": True}  # field metadata: a fact's field that no record holds


@dataclass(frozen=True)
class Provenance:
    """Where a fact was read: its text, character span and sentence index, and a confidence."""

    text: str
    span: tuple[int, int]
    sentence: int
    confidence: float


@dataclass(frozen=True, kw_only=True)
class QuantityFact:
    """A value or range with its statistic and unit: a period (a treatment's or follow-up's
    length, a condition's duration) or an age (a mean or median, a range, or both)."""

    where: Provenance
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    stat: str | None = None


@dataclass(frozen=True, kw_only=True)
class DoseFact:
    """One dose of one drug, with its regimen and arm."""

    where: Provenance
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    route: str | None = None
    when: str | None = None
    frequency: str | None = None
    group: str | None = None
    group_n: int | None = None
    duration: QuantityFact | None = None


@dataclass(frozen=True, kw_only=True)
class InterventionFact:
    """A drug of the study (its mentions grouped under one lexicon entry) and its role."""

    where: Provenance
    name: str
    aliases: list[str]
    ids: dict[str, str]
    role: str
    is_class: bool
    doses: list[DoseFact]


@dataclass(frozen=True, kw_only=True)
class ConceptFact:
    """A condition the article names, and whether the study is about it."""

    where: Provenance
    name: str
    ids: dict[str, str]
    mentioned_only: bool


@dataclass(frozen=True)
class DesignFact:
    """The study's design and the words that name it."""

    design: str
    span: Span


@dataclass(frozen=True)
class TotalFact:
    """The count that is the study's total and the enrolment word that marks it, if any."""

    count: Span
    kind: str | None


@dataclass(frozen=True, kw_only=True)
class CountFact:
    """The study's total as recorded: a number of people and what was done with them."""

    where: Provenance
    value: int
    kind: str | None


@dataclass(frozen=True, kw_only=True)
class GroupFact:
    """An arm or subgroup and its size; `key` is the drug that names it (not recorded)."""

    where: Provenance
    label: str | None
    n: int
    key: str | None = field(default=None, metadata=INTERNAL)


@dataclass(frozen=True, kw_only=True)
class EffectFact:
    """An effect size with its confidence interval and p value."""

    type: str
    value: float
    ci: tuple[float, float] | None
    p: float | None
    p_operator: str | None


@dataclass(frozen=True, kw_only=True)
class OutcomeFact:
    """A result: a count with its denominator, a percentage, or an effect size."""

    where: Provenance
    measure: str | None = None
    group: str | None = None
    direction: str | None = None
    count: int | None = None
    of: int | None = None
    percent: float | None = None
    effect: EffectFact | None = None


@dataclass(frozen=True, kw_only=True)
class AdverseEventFact:
    """A harm, with how many had it."""

    where: Provenance
    name: str | None
    count: int | None = None
    of: int | None = None
    percent: float | None = None
    group: str | None = None
    serious: bool | None = None
    led_to_discontinuation: bool | None = None


@dataclass(frozen=True, kw_only=True)
class StudyFact:
    """What the article says about the study itself."""

    design: str | None
    journal: str | None
    investigators: list[str]
    country: str | None
    follow_up: QuantityFact | None
    treatment_duration: QuantityFact | None


@dataclass(frozen=True, kw_only=True)
class PopulationFact:
    """Who was studied: the total, their age, how long they had the condition, the arms and
    subgroups."""

    total: CountFact | None
    age: QuantityFact | None
    condition_duration: QuantityFact | None
    groups: list[GroupFact]


@dataclass(frozen=True, kw_only=True)
class HarmsFact:
    """The adverse events and the count and percent spans they took (which are no results)."""

    events: list[AdverseEventFact]
    values: frozenset[int]


@dataclass(frozen=True, kw_only=True)
class CountOutcomesFact:
    """Results counted in people, and the count and percent spans they used."""

    outcomes: list[OutcomeFact]
    used: frozenset[int]


@dataclass(frozen=True, kw_only=True)
class Assembly:
    """One study's facts, as `findings.assemble` finds them step by step."""

    study: StudyFact
    conditions: list[ConceptFact]
    population: PopulationFact
    interventions: list[InterventionFact]
    outcomes: list[OutcomeFact]
    adverse_events: list[AdverseEventFact]


def to_data(value: object) -> object:
    """A fact as the plain data its record validates: provenance flattened into the fact's own
    fields, internal fields left out; lists of facts item by item, anything else as it is."""
    if isinstance(value, Provenance):
        return {
            "text": value.text,
            "span": value.span,
            "sentence": value.sentence,
            "confidence": value.confidence,
        }
    if is_dataclass(value) and not isinstance(value, type):
        data: dict[str, object] = {}
        for item in fields(value):
            if item.metadata.get("internal"):
                continue
            converted = to_data(getattr(value, item.name))
            if item.name == "where":
                data.update(converted)  # type: ignore[arg-type]
            else:
                data[item.name] = converted
        return data
    if isinstance(value, list):
        return [to_data(item) for item in value]
    return value


def to_findings(assembly: Assembly) -> Findings:
    """The record of one study: the only place facts become pydantic models."""
    return Findings.model_validate(to_data(assembly))
