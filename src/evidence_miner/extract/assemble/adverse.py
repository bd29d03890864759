"""Adverse events: named events with counts or percentages, "no serious adverse events", discontinuations."""

from __future__ import annotations

from spacy.tokens import Span

from evidence_miner.extract.assemble.view import StudyView, clean_label, provenance
from evidence_miner.extract.extensions import COUNTS, PERCENTS

NO_WORDS = {"no", "zero", "none"}
AE_CONTEXT_VERBS = {"experienced", "developed", "reported", "had", "suffered", "occurred", "included", "common"}


def find_no_event(view: StudyView) -> list[dict]:
    """"There were no severe side effects" -> count 0; serious when a serious word is part of it."""
    events = []
    for word in view.terms("adverse_event_word"):
        lead = view.doc[max(word.sent.start, word.start - 3) : word.start]
        no = next((t for t in lead if t.lower_ in NO_WORDS), None)
        if no is None:
            continue
        name = view.doc[no.i + 1 : word.end]
        serious = any(s.start >= no.i for s in view.sentence_terms(word, "serious_cue") if s.end <= word.start)
        events.append({**provenance(view, name, 0.8), "name": clean_label(name.text), "count": 0, "serious": serious or None})
    return events


def has_ae_context(view: StudyView, term: Span) -> bool:
    sent = term.sent
    words = {t.lower_ for t in sent}
    return (
        view.has_term_in_sentence(term, "adverse_event_word")
        or view.has_term_in_sentence(term, "discontinuation")
        or bool(words & AE_CONTEXT_VERBS)
    ) and not view.has_term_in_sentence(term, "future_cue")


def find_count_for(view: StudyView, term: Span) -> Span | None:
    """The count of people with an event: the nearest count before it in the sentence."""
    before = [c for c in view.doc.spans[COUNTS] if c.sent == term.sent and c.end <= term.start and c._.em_kind != "arm_size"]
    return before[-1] if before else None


def find_percent_for(view: StudyView, term: Span) -> Span | None:
    """"nausea (12%)", "nausea in 12%"."""
    for percent in view.doc.spans[PERCENTS]:
        if percent.sent == term.sent and 0 <= percent.start - term.end <= 3:
            return percent
    return None


def is_discontinuation_cause(view: StudyView, term: Span) -> bool:
    causes = [c for c in view.sentence_terms(term, "cause_cue") if 0 <= term.start - c.end <= 1]
    stops = [s for s in view.sentence_terms(term, "discontinuation") if s.end <= term.start]
    return bool(causes) and bool(stops)


def find_named_events(view: StudyView) -> list[dict]:
    events = []
    for term in view.body_spans("em_terms"):
        if term.label_ != "adverse_event" or not has_ae_context(view, term):
            continue
        percent = find_percent_for(view, term)
        count = None if percent is not None else find_count_for(view, term)
        if count is None and percent is None:
            continue
        events.append({
            **provenance(view, term, 0.75),
            "name": term.text.lower(),
            "count": int(count._.em_value) if count is not None else None,
            "of": count._.em_of if count is not None else None,
            "percent": percent._.em_value if percent is not None else None,
            "led_to_discontinuation": True if is_discontinuation_cause(view, term) else None,
        })
    return events


def assemble_adverse_events(view: StudyView) -> list[dict]:
    events, seen = [], set()
    for event in find_no_event(view) + find_named_events(view):
        key = (event["name"], event.get("count"), event.get("percent"))
        if event["name"] and key not in seen:
            seen.add(key)
            events.append(event)
    return events
