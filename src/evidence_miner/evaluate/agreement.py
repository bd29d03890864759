"""Read a second annotator's gold as if it were the pipeline's records, to score two annotators
against each other with the rules of docs/evaluation.md (the human ceiling of a gold set).

Built with `model_construct`: gold may use words outside the record's vocabularies (a design
such as "phase2"), which scoring compares as text and validation would refuse.
"""

from __future__ import annotations

from evidence_miner.evaluate.gold import GoldArticle, GoldStudy
from evidence_miner.records import (
    AdverseEvent,
    Count,
    Dose,
    Duration,
    Effect,
    EvidenceRecord,
    Group,
    Intervention,
    Outcome,
    Population,
    Source,
    Stat,
    Study,
)


def to_duration(data: object) -> Duration | None:
    if not isinstance(data, dict) or data.get("value") is None:
        return None
    return Duration.model_construct(
        value=data["value"], unit=data.get("unit"), stat=data.get("stat")
    )


def to_dose(data: dict) -> Dose:
    keys = ("value", "low", "high", "unit", "route", "frequency", "group_n", "when")
    return Dose.model_construct(**{k: data.get(k) for k in keys})


def to_interventions(study: GoldStudy) -> list[Intervention]:
    interventions = []
    for drug in study.drugs:
        doses = [to_dose(d) for d in study.doses if d.get("drug") == drug.name]
        interventions.append(
            Intervention.model_construct(
                name=drug.name,
                text=drug.name,
                aliases=list(drug.match),
                role=drug.role,
                doses=doses,
            )
        )
    return interventions


def to_population(data: dict) -> Population:
    total = data.get("total")
    age = data.get("age") if isinstance(data.get("age"), dict) else {}
    groups = [
        Group.model_construct(label=g.get("label"), n=g.get("n")) for g in data.get("groups", [])
    ]
    return Population.model_construct(
        total=Count.model_construct(value=total) if total is not None else None,
        age=Stat.model_construct(value=age.get("value")) if age.get("value") is not None else None,
        groups=groups,
    )


def to_outcome(data: dict) -> Outcome:
    effect = data.get("effect") if isinstance(data.get("effect"), dict) else {}
    made = None
    if effect.get("value") is not None:
        made = Effect.model_construct(type=effect.get("type"), value=effect["value"])
    keys = ("measure", "group", "direction", "count", "of", "percent", "value", "unit")
    return Outcome.model_construct(**{k: data.get(k) for k in keys}, effect=made)


def to_adverse_event(data: dict) -> AdverseEvent:
    keys = ("count", "of", "percent", "group", "serious", "led_to_discontinuation")
    return AdverseEvent.model_construct(
        name=data.get("name") or "", **{k: data.get(k) for k in keys}
    )


def to_record(study: GoldStudy, *, url: str) -> EvidenceRecord:
    """One gold study read as an evidence record of the article at `url`."""
    facts = study.study
    return EvidenceRecord.model_construct(
        record_id=f"gold-{study.id}",
        source=Source.model_construct(url=url),
        study=Study.model_construct(
            design=facts.get("design"),
            journal=facts.get("journal"),
            follow_up=to_duration(facts.get("follow_up")),
        ),
        population=to_population(study.population),
        interventions=to_interventions(study),
        outcomes=[to_outcome(o) for o in study.outcomes],
        adverse_events=[to_adverse_event(a) for a in study.adverse_events],
        conditions=[],
    )


def to_records(article: GoldArticle) -> list[EvidenceRecord]:
    """Every study of a gold article as a record whose URL names the article's stem."""
    return [to_record(study, url=f"gold:{article.stem}") for study in article.studies]
