"""Typed facts between the assembly steps (extract/assemble/facts.py) and their one conversion to
Findings; the order of the steps (extract/assemble/findings.py:assemble)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest
import spacy

from evidence_miner.extract.assemble import findings, outcomes, population
from evidence_miner.extract.assemble.facts import (
    AdverseEventFact,
    Assembly,
    DoseFact,
    EffectFact,
    GroupFact,
    InterventionFact,
    OutcomeFact,
    PopulationFact,
    Provenance,
    QuantityFact,
    StudyFact,
    to_data,
    to_findings,
)
from evidence_miner.extract.assemble.findings import find_title_end
from evidence_miner.extract.assemble.view import StudyView
from evidence_miner.records import Dose, Findings, Group

WHERE = Provenance("20 mg daily", (10, 21), 2, 0.85)


def a_dose() -> DoseFact:
    weeks = QuantityFact(where=Provenance("12 weeks", (26, 34), 2, 0.8), value=12.0, stat="median")
    return DoseFact(where=WHERE, value=20.0, unit="mg", frequency="daily", group_n=14, duration=weeks)


def test_facts_dose_converts_to_the_record_the_dict_gave() -> None:
    """The dict the dose step built before the facts: same record, same JSON."""
    as_dict = {
        "text": "20 mg daily", "span": (10, 21), "sentence": 2, "confidence": 0.85,
        "value": 20.0, "low": None, "high": None, "unit": "mg", "route": None, "when": None,
        "frequency": "daily", "group": None, "group_n": 14,
        "duration": {"text": "12 weeks", "span": (26, 34), "sentence": 2, "confidence": 0.8,
                     "value": 12.0, "low": None, "high": None, "stat": "median"},
    }  # fmt: skip
    converted = Dose.model_validate(to_data(a_dose()))
    assert converted.model_dump_json() == Dose.model_validate(as_dict).model_dump_json()
    assert converted.duration is not None and converted.duration.text == "12 weeks"


def test_facts_group_key_stays_out_of_the_record() -> None:
    group = GroupFact(where=WHERE, label="naltrexone", n=107, key="naltrexone")
    data = to_data(group)
    assert "key" not in data and "where" not in data
    assert Group.model_validate(data).n == 107


def test_facts_to_findings_keeps_record_field_order_and_values() -> None:
    effect = EffectFact(type="HR", value=0.75, ci=(0.6, 0.9), p=0.01, p_operator="=")
    drug = InterventionFact(
        where=WHERE, name="semaglutide", aliases=["Wegovy"], ids={"rxnorm": "1"}, role="studied",
        is_class=False, doses=[a_dose()],
    )
    assembly = Assembly(
        study=StudyFact(
            design="rct", journal=None, investigators=[], country=None, follow_up=None,
            treatment_duration=a_dose().duration,
        ),
        conditions=[],
        population=PopulationFact(total=None, age=None, condition_duration=None, groups=[]),
        interventions=[drug],
        outcomes=[OutcomeFact(where=WHERE, measure="events", direction="decreased", effect=effect)],
        adverse_events=[AdverseEventFact(where=WHERE, name="nausea", count=3, of=40)],
    )
    record = to_findings(assembly)
    assert isinstance(record, Findings)
    assert list(record.model_dump()) == list(Findings.model_fields)
    assert record.outcomes[0].effect is not None and record.outcomes[0].effect.ci == (0.6, 0.9)
    assert record.interventions[0].doses[0].group_n == 14
    assert record.adverse_events[0].model_dump(include={"name", "count", "of", "percent"}) == {
        "name": "nausea", "count": 3, "of": 40, "percent": None}


def test_facts_are_frozen() -> None:
    with pytest.raises(FrozenInstanceError):
        a_dose().frequency = "weekly"  # type: ignore[misc]


@pytest.mark.parametrize(
    "step, given",
    [
        (outcomes.assemble_count_outcomes, {"total": None}),  # needs the harms' values
        (outcomes.assemble_percent_outcomes, {"used": frozenset()}),  # needs the harms' values
        (population.find_groups, {"total": None, "interventions": []}),  # needs the results' spans
        (population.find_groups, {"total": None, "results": frozenset()}),  # needs the drugs
        (findings.assemble_study, {"design": None}),  # the treatment's length needs the drugs
    ],
)
def test_facts_a_step_requires_what_an_earlier_step_found(step, given) -> None:
    view = StudyView(spacy.blank("en")("A short text."), 0, 3)
    with pytest.raises(TypeError, match="missing"):
        step(view, **given)


def test_facts_view_keeps_its_caches_as_attributes_not_notes() -> None:
    doc = spacy.blank("en")("Infections fall\n\nThe trial enrolled 12 adults.")
    doc[0].is_sent_start = True
    doc[3].is_sent_start = True
    view = StudyView(doc, 3, len(doc), title_end=find_title_end(doc))
    assert not hasattr(view, "notes")
    assert view.citation is None
    assert view.headline_stems == {"infection", "fall"}
    assert view.all_spans("em_terms") is view.all_spans("em_terms") == []


def test_facts_assemble_gives_the_findings_the_pipeline_records(nlp) -> None:
    text = (
        "Drug eases gout flares\n\nIn a randomized trial, 640 adults took colchicine or placebo. "
        "Flares fell by 30% (HR 0.70, 95% CI 0.55 to 0.89). Nausea occurred in 12 of 320.\n"
    )
    doc = nlp(text)
    view = StudyView(doc, find_title_end(doc), len(doc), find_title_end(doc))
    drugs, conditions = nlp.get_pipe("em_findings").drugs, nlp.get_pipe("em_findings").conditions
    assembly = findings.assemble(view, drugs, conditions)
    assert {o.effect.type for o in assembly.outcomes if o.effect} == {"HR"}
    assert [(e.name, e.count, e.of) for e in assembly.adverse_events] == [("nausea", 12, 320)]
    assert [to_findings(assembly).model_dump(mode="json")] == doc._.em_findings
