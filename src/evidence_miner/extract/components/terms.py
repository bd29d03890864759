"""Find the vocabulary terms of extract/patterns/terms.jsonl (design words, cues, units...)."""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from evidence_miner.extract.patterns import TermSet, word_set

TERMS = "em_terms"


def make_term_matcher(nlp: Language, term_sets: tuple[TermSet, ...]) -> PhraseMatcher:
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for ts in term_sets:
        docs = list(nlp.tokenizer.pipe([t.lower() for t in ts.terms]))
        matcher.add(f"{ts.kind}|{ts.value}", docs)
    return matcher


def find_terms(doc: Doc, matcher: PhraseMatcher) -> list[Span]:
    """Every term match as a span labelled with its kind, value in kb_id_; overlaps kept per kind."""
    spans = []
    for match_id, start, end in matcher(doc):
        kind, value = doc.vocab.strings[match_id].split("|", 1)
        span = Span(doc, start, end, label=kind, kb_id=value)
        spans.append(span)
    return [s for s in longest_per_kind(spans) if not is_past_need(doc, s)]


def is_past_need(doc: Doc, span: Span) -> bool:
    """"rescue epinephrine was needed by 22 children" reports the past: "needed" is a cue of
    research still to come only without a past auxiliary before it."""
    return span.label_ == "future_cue" and span[0].lower_ in {"needed", "need"} and span.start > 0 and doc[span.start - 1].lower_ in word_set("past_auxiliaries")


def longest_per_kind(spans: list[Span]) -> list[Span]:
    by_kind: dict[str, list[Span]] = {}
    for span in spans:
        by_kind.setdefault(span.label_, []).append(span)
    kept = [s for group in by_kind.values() for s in filter_spans(group)]
    return sorted(kept, key=lambda s: (s.start, s.end))


class TermFinder:
    """Sets doc.spans["em_terms"]: label = term kind, kb_id_ = the term's value."""

    def __init__(self, nlp: Language, term_sets: tuple[TermSet, ...]) -> None:
        self.matcher = make_term_matcher(nlp, term_sets)

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[TERMS] = find_terms(doc, self.matcher)
        return doc
