"""Find the vocabulary terms of a language pack's terms.jsonl (design words, cues, units...)."""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from evidence_miner.extract.patterns import using_pack, word_set
from evidence_miner.lang import LanguagePack
from evidence_miner.lang.pack import TermSet

TERMS = "em_terms"


def make_term_matcher(nlp: Language, term_sets: tuple[TermSet, ...]) -> PhraseMatcher:
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for ts in term_sets:
        docs = list(nlp.tokenizer.pipe([t.lower() for t in ts.terms]))
        matcher.add(f"{ts.kind}|{ts.value}", docs)
    return matcher


def find_terms(doc: Doc, matcher: PhraseMatcher) -> list[Span]:
    """Every term match as a span labelled with its kind, value in kb_id_; overlaps kept per
    kind."""
    spans = []
    for match_id, start, end in matcher(doc):
        kind, value = doc.vocab.strings[match_id].split("|", 1)
        span = Span(doc, start, end, label=kind, kb_id=value)
        spans.append(span)
    return [s for s in longest_per_kind(spans) if not is_past_need(doc, s)]


def is_past_need(doc: Doc, span: Span) -> bool:
    """ "rescue epinephrine was needed by 22 children" reports the past: "needed" is a cue of
    research still to come only without a past auxiliary before it."""
    return (
        span.label_ == "future_cue"
        and span[0].lower_ in word_set("need_words")
        and span.start > 0
        and doc[span.start - 1].lower_ in word_set("past_auxiliaries")
    )


def longest_per_kind(spans: list[Span]) -> list[Span]:
    by_kind: dict[str, list[Span]] = {}
    for span in spans:
        by_kind.setdefault(span.label_, []).append(span)
    kept = [s for group in by_kind.values() for s in filter_spans(group)]
    return sorted(kept, key=lambda s: (s.start, s.end))


class TermFinder:
    """Sets doc.spans["em_terms"]: label = term kind, kb_id_ = the term's value."""

    def __init__(self, nlp: Language, pack: LanguagePack) -> None:
        self.pack = pack
        self.matcher = make_term_matcher(nlp, pack.term_sets)

    def __call__(self, doc: Doc) -> Doc:
        with using_pack(self.pack):
            doc.spans[TERMS] = find_terms(doc, self.matcher)
        return doc
