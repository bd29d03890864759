"""Tie each dose to its drug, frequency, route, duration and arm ("this dose, that drug, that
arm")."""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Span

from evidence_miner.extract.assemble.drugs import is_shielded
from evidence_miner.extract.assemble.facts import DoseFact, QuantityFact
from evidence_miner.extract.assemble.view import (
    StudyView,
    is_quoted,
    join_provenance,
    provenance,
    states_no_finding,
)
from evidence_miner.extract.components.concepts import is_cell_or_gene_therapy
from evidence_miner.extract.extensions import COUNTS, DOSES, DRUGS, DURATIONS, FREQUENCIES, ROUTES
from evidence_miner.extract.patterns import word_set


def is_future_or_quoted(view: StudyView, span: Span) -> bool:
    """Doses of planned trials, in quotes, of outside experts, examples ("for example, 0.5 mg
    once"), or cut-offs ("maximum 40 mg", "above 1,000 mL") are not doses given in the study."""
    return (
        view.has_term_in_sentence(span, "future_cue")
        or is_quoted(view, span)
        or is_cut_off(view, span)
        or any(0 <= span.start - cue.end <= 3 for cue in view.sentence_terms(span, "example_cue"))
    )


def is_label_fact(view: StudyView, dose: Span) -> bool:
    """ "Each tablet holds 250 milligrams of the extract", "a child's dose is typically 5 mL":
    what a product holds or a dose usually is, stated in the present tense, in a sentence that
    reports nothing of the study, is no dose the study gave."""
    words = word_set("label_fact_words")
    return any(t.lower_ in words for t in dose.sent) and states_no_finding(view, dose)


def is_cut_off(view: StudyView, span: Span) -> bool:
    """ "maximum 40 mg", "above 1,000 mL"; but "titrated up to a 2.4-mg dose" is the target dose."""
    for term in view.sentence_terms(span, "threshold"):
        if 0 <= span.start - term.end <= 1:
            lead = view.doc[max(term.sent.start, term.start - 2) : term.start].text.lower()
            return not any(w in lead for w in word_set("escalation_stems"))
        # "40 mg or more", "2,000 mg a day or more"
        if term.start == end_of_regimen(view, span) and term[0].lower_ == "or":
            return True
    after = view.doc[span.end : min(span.end + 2, span.sent.end)].text.lower()
    if after.startswith(tuple(word_set("maximum_leads"))):  # "400 mg at most"
        return True
    return is_step_or_difference(view, span)


def end_of_regimen(view: StudyView, dose: Span) -> int:
    """Where a dose's own words end: after a frequency that follows it ("2,000 mg a day")."""
    frequency = next((f for f in view.all_spans(FREQUENCIES) if f.start == dose.end), None)
    return frequency.end if frequency is not None else dose.end


def is_step_or_difference(view: StudyView, dose: Span) -> bool:
    """ "then raised by 1 mg every three to seven days" (a titration step), "63 micrograms less
    phenylephrine" (a difference between arms): amounts that no one was given as a dose."""
    before = view.doc[max(dose.sent.start, dose.start - 3) : dose.start]
    if (
        len(before) >= 2
        and before[-1].lower_ == "by"
        and any(t.lower_ in word_set("dose_change_verbs") for t in before[:-1])
    ):
        return True
    after = view.doc[dose.end] if dose.end < dose.sent.end else None
    return after is not None and after.lower_ in word_set("comparative_words")


def find_drug_after(view: StudyView, dose: Span) -> Span | None:
    """ "2.4 mg of semaglutide", "a 2.4-mg dose of semaglutide"."""
    for mention in view.all_spans(DRUGS):
        if not 0 <= mention.start - dose.end <= 6 or mention.sent != dose.sent:
            continue  # the distance first: the gap's words are read only for a near mention
        gap = view.doc[dose.end : mention.start]
        if any(t.lower_ == "of" for t in gap) and not any(t.like_num for t in gap):
            return mention
    return None


def find_drug_before(view: StudyView, dose: Span) -> Span | None:
    before = [
        m
        for m in view.all_spans(DRUGS)
        if m.sent == dose.sent and m.end <= dose.start and not is_shielded(view, m)
    ]
    return before[-1] if before else None


def find_drug_later(view: StudyView, dose: Span) -> Span | None:
    """A drug named just after its dose ("600 mg dupilumab"), not one later in the sentence."""
    later = [
        m
        for m in view.all_spans(DRUGS)
        if m.sent == dose.sent and 0 <= m.start - dose.end <= 3 and not is_shielded(view, m)
    ]
    return later[0] if later else None


def find_from_to_pair(view: StudyView, doses: list[Span]) -> dict[int, tuple[Span, str]]:
    """Doses in "from X mg ... to Y mg": {index of Y: (X, "after")} and {index of X: (X,
    "before")}."""
    pairs: dict[int, tuple[Span, str]] = {}
    for first, second in zip(doses, doses[1:]):
        if first.sent != second.sent:
            continue
        lead = [t.lower_ for t in view.doc[max(first.sent.start, first.start - 5) : first.start]]
        between = [t.lower_ for t in view.doc[first.end : second.start]]
        if "from" in lead and "to" in between:
            pairs[first.start] = (first, "before")
            pairs[second.start] = (first, "after")
    return pairs


def find_frequencies_after(view: StudyView, dose: Span, stop: int) -> list[Span]:
    """Frequencies after a dose, up to the next dose or the end of its sentence."""
    return [
        f for f in view.all_spans(FREQUENCIES) if dose.end <= f.start < stop and f.sent == dose.sent
    ]


def find_arm_size(view: StudyView, after: Span, stop: int) -> Span | None:
    """An arm size "(10 patients)" / "(n=9)" within three tokens after a dose or frequency."""
    for count in view.all_spans(COUNTS):
        if (
            count._.em_kind == "arm_size"
            and 0 <= count.start - after.end <= 3
            and count.start < stop
        ):
            return count
    return None


def find_route(view: StudyView, dose: Span, drug: Span | None) -> str | None:
    routes = [r for r in view.all_spans(ROUTES) if r.sent == dose.sent]
    for route in routes:
        if drug is not None and 0 <= drug.start - route.end <= 1:
            return route.kb_id_
        if 0 <= route.start - dose.end <= 4:
            return route.kb_id_
    if drug is not None:
        return find_route_in_long_form(view, drug)
    return None


def find_route_in_long_form(view: StudyView, drug: Span) -> str | None:
    """An abbreviation's long form may carry the route: "Intravenous immunoglobulin (IVIg)"."""
    for short in getattr(view.doc._, "abbreviations", []) or []:
        if short.text == drug.text:
            long_form = short._.long_form
            for route in view.all_spans(ROUTES):
                if long_form.start <= route.start and route.end <= long_form.end:
                    return route.kb_id_
    return None


def find_treatment_duration(view: StudyView, after: Span) -> Span | None:
    """ "for a median 7 months" / "for 12 weeks" after a dose or its frequency."""
    for duration in view.all_spans(DURATIONS):
        if duration.sent != after.sent or duration.start < after.end:
            continue
        lead = [t.lower_ for t in view.doc[max(after.end, duration.start - 4) : duration.start]]
        if "for" in lead or "over" in lead:
            return duration
    return None


def to_duration(view: StudyView, span: Span | None) -> QuantityFact | None:
    if span is None:
        return None
    return QuantityFact(
        where=provenance(view, span, 0.8),
        value=span._.em_value,
        low=span._.em_low,
        high=span._.em_high,
        stat=span._.em_kind if span._.em_kind in ("mean", "median") else None,
    )


PLACEBO_KEYS = {"placebo", "vehicle", "sham"}  # lexicon keys (code, not vocabulary)


def resolve_drug(
    view: StudyView,
    dose: Span,
    pairs: dict[int, tuple[Span, str]],
    resolved: dict[int, Span | None],
) -> Span | None:
    """The drug a dose belongs to; a placebo has no amount ("6 mg/kg or placebo" doses the drug),
    so a dose that lands on one goes to the nearest active drug of its sentence or none."""
    if dose.start in pairs and pairs[dose.start][1] == "after":
        return resolved.get(pairs[dose.start][0].start)
    drug = (
        find_drug_after(view, dose)
        or find_drug_before(view, dose)
        or find_drug_later(view, dose)
        or find_recent_drug(view, dose, resolved)
    )
    if drug is not None and drug.kb_id_ in PLACEBO_KEYS:
        active = [
            m for m in view.all_spans(DRUGS) if m.sent == dose.sent and m.kb_id_ not in PLACEBO_KEYS
        ]
        return min(active, key=lambda m: abs(m.start - dose.start)) if active else None
    return drug


def find_recent_drug(view: StudyView, dose: Span, resolved: dict[int, Span | None]) -> Span | None:
    """A dose in a sentence that names no drug belongs to the drug of the dose just before it,
    when that was in the same or the previous sentence ("... had fallen to 5 mg a day")."""
    earlier = [
        (start, drug) for start, drug in resolved.items() if start < dose.start and drug is not None
    ]
    if not earlier:
        return None
    start, drug = max(earlier, key=lambda item: item[0])
    return drug if view.sentence_index(dose.start) - view.sentence_index(start) <= 1 else None


def base_dose(view: StudyView, dose: Span, *, route: str | None, when: str | None) -> DoseFact:
    return DoseFact(
        where=provenance(view, dose, 0.85),
        value=dose._.em_value,
        low=dose._.em_low,
        high=dose._.em_high,
        unit=dose._.em_unit,
        route=route,
        when=when,
    )


def expand_regimens(view: StudyView, dose: Span, base: DoseFact, stop: int) -> list[DoseFact]:
    """One dose per regimen: "2 g/kg for 5 days a month (10 patients) or 2 days a month (9
    patients)"."""
    frequencies = find_frequencies_after(view, dose, stop)
    arms = [(f, find_arm_size(view, f, stop)) for f in frequencies]
    if len(arms) >= 2 and all(size is not None for _, size in arms):
        return [regimen(view, dose, base, f, size, label=f.text) for f, size in arms]
    frequency = frequencies[0] if frequencies else find_frequency_before(view, dose)
    size = find_arm_size(
        view, frequency if frequency is not None and frequency.start > dose.start else dose, stop
    )
    return [regimen(view, dose, base, frequency, size, label=None)]


def find_frequency_before(view: StudyView, dose: Span) -> Span | None:
    before = [
        f
        for f in view.all_spans(FREQUENCIES)
        if f.sent == dose.sent and 0 <= dose.start - f.end <= 2
    ]
    return before[-1] if before else None


def regimen(
    view: StudyView,
    dose: Span,
    base: DoseFact,
    frequency: Span | None,
    size: Span | None,
    *,
    label: str | None,
) -> DoseFact:
    last = max([s for s in (dose, frequency, size) if s is not None], key=lambda s: s.end)
    duration = find_treatment_duration(view, last)
    return replace(
        base,
        where=join_provenance(view, dose, last, base.where.confidence),
        frequency=frequency.text if frequency is not None else None,
        group=label,
        group_n=int(size._.em_value) if size is not None else None,
        duration=to_duration(view, duration),
    )


def assemble_doses(view: StudyView, studied: str | None) -> list[tuple[str, DoseFact]]:
    """(drug key, dose dict) for every dose of the study, inheriting across "from X to Y"."""
    doses = [
        d
        for d in view.body_spans(DOSES)
        if not is_future_or_quoted(view, d) and not is_label_fact(view, d)
    ]
    pairs = find_from_to_pair(view, doses)
    resolved: dict[int, Span | None] = {}
    found: list[tuple[str, DoseFact]] = []
    previous_frequency: dict[int, str | None] = {}
    for index, dose in enumerate(doses):
        drug = resolve_drug(view, dose, pairs, resolved)
        resolved[dose.start] = drug
        key = drug.kb_id_ if drug is not None else studied
        # cells and vectors are counted, not dosed in the record's units: the millilitres of a
        # marrow harvest or a cell preparation are no dose of a stem cell treatment
        if key is None or is_cell_or_gene_therapy(key):
            continue
        stop = doses[index + 1].start if index + 1 < len(doses) else dose.sent.end
        when = pairs[dose.start][1] if dose.start in pairs else None
        base = base_dose(view, dose, route=find_route(view, dose, drug), when=when)
        for item in expand_regimens(view, dose, base, stop):
            item = inherit_frequency(item, dose, pairs, previous_frequency)
            if not repeats_earlier_dose(found, key, item):
                found.append((key, item))
    return found


def drop_repeated_doses(items: list[tuple[str, DoseFact]]) -> list[tuple[str, DoseFact]]:
    kept: list[tuple[str, DoseFact]] = []
    for key, item in items:
        if not repeats_earlier_dose(kept, key, item):
            kept.append((key, item))
    return kept


def repeats_earlier_dose(found: list[tuple[str, DoseFact]], key: str, item: DoseFact) -> bool:
    """ "mice given 80 mg/kg of lithium" in the results restates the 80 mg/kg arm's dose."""
    if item.group_n is not None or item.when is not None:
        return False
    amount = (item.value, item.low, item.high, item.unit)
    return any(
        k == key
        and (d.value, d.low, d.high, d.unit) == amount
        and item.frequency in (None, d.frequency)
        for k, d in found
    )


def inherit_frequency(
    item: DoseFact, dose: Span, pairs: dict[int, tuple[Span, str]], seen: dict[int, str | None]
) -> DoseFact:
    """The second dose of "from 15 mg daily to 10 mg" is daily too."""
    if item.frequency is None and dose.start in pairs and pairs[dose.start][1] == "after":
        item = replace(item, frequency=seen.get(pairs[dose.start][0].start))
    seen[dose.start] = item.frequency
    return item
