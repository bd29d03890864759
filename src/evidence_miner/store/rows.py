"""Turn pages and evidence records into the column values of the store's tables."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from evidence_miner.records import (
    AdverseEvent,
    Concept,
    Dose,
    EvidenceRecord,
    Group,
    Intervention,
    Outcome,
    Page,
    Provenance,
)
from evidence_miner.store.schema import (
    AdverseEventRow,
    ChildRow,
    ConditionRow,
    DoseRow,
    EffectRow,
    InterventionRow,
    OutcomeRow,
    PopulationGroupRow,
)

Values = dict[str, Any]

# Page fields with a column of their own; any other field is kept in pages.extra (JSON).
PAGE_COLUMNS = (
    "url",
    "final_url",
    "canonical_url",
    "title",
    "site_name",
    "authors",
    "published",
    "language",
    "fetched_at",
    "content_type",
    "raw_sha256",
    "journal",
    "doi",
    "text",
    "removed",
    "metadata_sources",
)


def to_page_values(
    page: Page, *, status: str, reason: str | None, pipeline_version: str | None
) -> Values:
    """Every column of a page row but its id and timestamps, fingerprint included."""
    outcome = {"status": status, "reason": reason, "pipeline_version": pipeline_version}
    fingerprint = to_fingerprint(page.model_dump(mode="json") | outcome)
    dumped = page.model_dump()
    columns = {name: dumped[name] for name in PAGE_COLUMNS if name in dumped}
    extra = page.model_dump(mode="json", exclude=set(PAGE_COLUMNS))
    return (
        columns
        | outcome
        | {
            "text_sha256": page.text_sha256,
            "extra": extra,
            "fingerprint": fingerprint,
        }
    )


def to_fingerprint(data: Values) -> str:
    """A hash of JSON-ready data: equal data, equal fingerprint."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def to_record_values(
    record: EvidenceRecord, *, page_id: int, pipeline_version: str | None
) -> Values:
    """Every column of a record row but its timestamps."""
    total = record.population.total
    return {
        "record_id": record.record_id,
        "page_id": page_id,
        "schema_version": record.schema_version,
        "pipeline_version": pipeline_version,
        "design": record.study.design,
        "journal": record.study.journal,
        "total": total.value if total is not None else None,
        "published": record.source.published,
        "record": record.model_dump(mode="json"),
    }


def to_child_rows(record: EvidenceRecord) -> dict[type[ChildRow], list[Values]]:
    """The rows of every child table for one record, each with its record id and position."""
    doses = [(i, item, dose) for i, item in enumerate(record.interventions) for dose in item.doses]
    rows: dict[type[ChildRow], list[Values]] = {
        InterventionRow: [to_intervention_values(item) for item in record.interventions],
        DoseRow: [to_dose_values(dose, item, i) for i, item, dose in doses],
        OutcomeRow: [to_outcome_values(item) for item in record.outcomes],
        EffectRow: to_effect_rows(record.outcomes),
        AdverseEventRow: [to_adverse_event_values(item) for item in record.adverse_events],
        ConditionRow: [to_condition_values(item) for item in record.conditions],
        PopulationGroupRow: [to_group_values(item) for item in record.population.groups],
    }
    for table_rows in rows.values():
        for position, values in enumerate(table_rows):
            values.setdefault("position", position)
            values["record_id"] = record.record_id
    return rows


def to_effect_rows(outcomes: list[Outcome]) -> list[Values]:
    """One row per outcome with an effect size; `position` is the outcome's position."""
    return [
        to_effect_values(item) | {"position": position}
        for position, item in enumerate(outcomes)
        if item.effect is not None
    ]


def to_record_sha256(data: Values) -> str:
    """The fingerprint of a record's JSON, kept in record_history."""
    return to_fingerprint(data)


def to_provenance_values(item: Provenance) -> Values:
    span = item.span
    return {
        "text": item.text,
        "span_start": span[0] if span is not None else None,
        "span_end": span[1] if span is not None else None,
        "sentence": item.sentence,
        "confidence": item.confidence,
    }


def to_intervention_values(item: Intervention) -> Values:
    return to_provenance_values(item) | {
        "name": item.name,
        "role": item.role,
        "is_class": item.is_class,
        "aliases": list(item.aliases),
        "ids": dict(item.ids),
        "drugbank_id": item.ids.get("drugbank"),
        "mesh_id": item.ids.get("mesh"),
        "rxnorm_id": item.ids.get("rxnorm"),
        "atc_id": item.ids.get("atc"),
    }


def to_dose_values(dose: Dose, intervention: Intervention, intervention_position: int) -> Values:
    return to_provenance_values(dose) | {
        "intervention_position": intervention_position,
        "intervention_name": intervention.name,
        "value": dose.value,
        "low": dose.low,
        "high": dose.high,
        "unit": dose.unit,
        "route": dose.route,
        "frequency": dose.frequency,
        "frequency_per_day": dose.frequency_per_day,
        "duration_iso": dose.duration.iso if dose.duration is not None else None,
        "group_label": dose.group,
        "group_n": dose.group_n,
        "when": dose.when,
    }


def to_outcome_values(item: Outcome) -> Values:
    effect, ci = item.effect, item.effect.ci if item.effect is not None else None
    return to_provenance_values(item) | {
        "measure": item.measure,
        "group_label": item.group,
        "direction": item.direction,
        "count": item.count,
        "of_n": item.of,
        "percent": item.percent,
        "value": item.value,
        "unit": item.unit,
        "effect_type": effect.type if effect is not None else None,
        "effect_value": effect.value if effect is not None else None,
        "ci_low": ci[0] if ci is not None else None,
        "ci_high": ci[1] if ci is not None else None,
        "p_value": effect.p if effect is not None else None,
        "p_operator": effect.p_operator if effect is not None else None,
        "timepoint_iso": item.timepoint.iso if item.timepoint is not None else None,
    }


def to_effect_values(item: Outcome) -> Values:
    effect = item.effect
    assert effect is not None  # to_effect_rows passes outcomes with an effect only
    ci = effect.ci
    return to_provenance_values(item) | {
        "measure": item.measure,
        "group_label": item.group,
        "type": effect.type,
        "value": effect.value,
        "ci_low": ci[0] if ci is not None else None,
        "ci_high": ci[1] if ci is not None else None,
        "p_value": effect.p,
        "p_operator": effect.p_operator,
    }


def to_adverse_event_values(item: AdverseEvent) -> Values:
    return to_provenance_values(item) | {
        "name": item.name,
        "count": item.count,
        "of_n": item.of,
        "percent": item.percent,
        "group_label": item.group,
        "serious": item.serious,
        "led_to_discontinuation": item.led_to_discontinuation,
    }


def to_condition_values(item: Concept) -> Values:
    return to_provenance_values(item) | {
        "name": item.name,
        "ids": dict(item.ids),
        "mesh_id": item.ids.get("mesh"),
        "umls_id": item.ids.get("umls"),
        "mentioned_only": item.mentioned_only,
    }


def to_group_values(item: Group) -> Values:
    return to_provenance_values(item) | {"label": item.label, "n": item.n}
