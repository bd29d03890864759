"""Turn an extracted Article into validated EvidenceRecords with canonical values."""

from __future__ import annotations

import logging
import re
from collections import Counter

from evidence_miner.errors import NormaliseError
from evidence_miner.normalise.durations import parse_duration
from evidence_miner.normalise.frequency import parse_frequency
from evidence_miner.normalise.units import normalise_unit
from evidence_miner.records import (
    Article,
    Dose,
    Duration,
    EvidenceRecord,
    Findings,
    Intervention,
    Source,
    make_record_id,
)

log = logging.getLogger(__name__)


def normalise_duration(duration: Duration | None, problems: Counter) -> Duration | None:
    """Fill unit and ISO 8601 form from the duration's text, keeping its span and stat."""
    if duration is None or duration.text is None:
        return duration
    try:
        parsed = parse_duration(duration.text)
    except NormaliseError as exc:
        problems[f"normalise/duration/{exc.__class__.__name__}"] += 1
        log.debug("duration left as written: %s", exc)
        return duration
    return duration.model_copy(
        update={
            "value": duration.value if duration.value is not None else parsed.value,
            "low": duration.low if duration.low is not None else parsed.low,
            "high": duration.high if duration.high is not None else parsed.high,
            "unit": parsed.unit,
            "iso": parsed.iso,
            "stat": duration.stat or parsed.stat,
        }
    )


def normalise_dose(dose: Dose, problems: Counter) -> Dose:
    update: dict = {"duration": normalise_duration(dose.duration, problems)}
    if dose.unit is not None:
        try:
            update["unit"] = normalise_unit(dose.unit)
        except NormaliseError as exc:
            problems["normalise/unit/unknown"] += 1
            log.warning("%s", exc)
    if dose.frequency is not None:
        try:
            frequency = parse_frequency(dose.frequency)
            update["frequency"], update["frequency_per_day"] = (
                frequency.canonical,
                frequency.per_day,
            )
        except NormaliseError as exc:
            problems["normalise/frequency/unknown"] += 1
            log.debug("frequency left as written: %s", exc)
    update["unit"] = per_day_unit(update.get("unit", dose.unit), dose.text)
    return dose.model_copy(update=update)


WEIGHT_BASED_UNITS = {"mg/kg", "mcg/kg", "g/kg"}
PER_DAY_RE = re.compile(r"/kg\s+(?:a|per|each)\s+day\b", re.IGNORECASE)


def per_day_unit(unit: str | None, text: str | None) -> str | None:
    """ "10 mg/kg a day" is the weight-based daily dose mg/kg/day, written as a rate; "40 mg/kg
    once daily" stays a dose given once a day."""
    return (
        f"{unit}/day" if unit in WEIGHT_BASED_UNITS and text and PER_DAY_RE.search(text) else unit
    )


def normalise_intervention(item: Intervention, problems: Counter) -> Intervention:
    return item.model_copy(
        update={"doses": without_restated_doses([normalise_dose(d, problems) for d in item.doses])}
    )


def regimen_key(dose: Dose) -> tuple:
    return (
        dose.value,
        dose.low,
        dose.high,
        dose.unit,
        dose.frequency,
        dose.route,
        dose.group_n,
        dose.when,
    )


def without_restated_doses(doses: list[Dose]) -> list[Dose]:
    """One dose per regimen: "200 mg once a day" and a later "200 mg a day" are one regimen
    once their units and frequencies are canonical (the extractor compares them as written)."""
    kept: dict[tuple, Dose] = {}
    for dose in doses:
        kept.setdefault(regimen_key(dose), dose)
    return [d for d in kept.values() if not is_bare_restatement(d, kept.values())]


def is_bare_restatement(dose: Dose, doses) -> bool:
    """ "the 2.5 mg group" restates "minoxidil 2.5 mg once daily": an amount with nothing else,
    when another dose of the same amount says more."""
    if (dose.frequency, dose.route, dose.group_n, dose.when, dose.duration) != (
        None,
        None,
        None,
        None,
        None,
    ):
        return False
    amount = (dose.value, dose.low, dose.high, dose.unit)
    return any(
        other is not dose and (other.value, other.low, other.high, other.unit) == amount
        for other in doses
    )


def normalise_findings(findings: Findings, problems: Counter) -> Findings:
    study = findings.study.model_copy(
        update={
            "follow_up": normalise_duration(findings.study.follow_up, problems),
            "treatment_duration": normalise_duration(findings.study.treatment_duration, problems),
        }
    )
    population = findings.population.model_copy(
        update={
            "condition_duration": normalise_duration(
                findings.population.condition_duration, problems
            ),
        }
    )
    return findings.model_copy(
        update={
            "study": study,
            "population": population,
            "interventions": [normalise_intervention(i, problems) for i in findings.interventions],
        }
    )


def to_source(article: Article) -> Source:
    page = article.page
    return Source(
        url=page.url,
        canonical_url=page.canonical_url,
        title=page.title,
        site_name=page.site_name,
        authors=page.authors,
        published=page.published,
        fetched_at=page.fetched_at,
        language=page.language,
        text_sha256=page.text_sha256,
    )


def normalise_article(
    article: Article, *, pipeline_version: str, problems: Counter | None = None
) -> list[EvidenceRecord]:
    """One validated EvidenceRecord per study of the article (none for a page with no study)."""
    problems = problems if problems is not None else Counter()
    source = to_source(article)
    records = []
    for index, findings in enumerate(article.findings):
        body = normalise_findings(findings, problems)
        records.append(
            EvidenceRecord(
                record_id=make_record_id(source.url, index),
                source=source,
                pipeline_version=pipeline_version,
                **body.model_dump(),
            )
        )
    return records
