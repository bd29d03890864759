"""A read-only view of one study's part of an annotated Doc, with provenance helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from spacy.tokens import Doc, Span

from evidence_miner.extract.assemble.facts import Provenance
from evidence_miner.extract.components.negation import ScopeIndex, index_scopes, scopes_around
from evidence_miner.extract.components.terms import TERMS
from evidence_miner.extract.extensions import NEGATED
from evidence_miner.extract.patterns import word_set


@dataclass
class StudyView:
    """The tokens [start, end) of a Doc that report one study."""

    doc: Doc
    start: int
    end: int
    title_end: int = 0  # tokens before this are the headline (shared by every study)
    citation: Span | None = None  # this report's own "Source:" line, when a roundup stacks them
    span_group_cache: dict[str, list[Span]] = field(default_factory=dict, init=False, repr=False)

    def spans(self, group: str) -> list[Span]:
        return [s for s in self.all_spans(group) if self.start <= s.start and s.end <= self.end]

    def all_spans(self, group: str) -> list[Span]:
        """The doc's span group as a list, built once: a SpanGroup makes new Span objects on
        every iteration, and the assembly steps read the groups thousands of times."""
        cache = self.span_group_cache
        if group not in cache:
            cache[group] = list(self.doc.spans[group]) if group in self.doc.spans else []
        return cache[group]

    def body_spans(self, group: str) -> list[Span]:
        """Spans of the group in this study's part, headline excluded."""
        return [s for s in self.spans(group) if s.start >= self.title_end]

    def terms(self, kind: str) -> list[Span]:
        return [s for s in self.spans(TERMS) if s.label_ == kind]

    @cached_property
    def text(self) -> str:
        """The whole Doc's text, built once: Doc.text joins every token on each call, and the
        quote and expert checks read it for thousands of spans."""
        return self.doc.text

    @cached_property
    def headline_stems(self) -> set[str]:
        """Stems of the headline's words, built once: asked for every harm term and condition."""
        return {word_stem(t.lower_) for t in self.doc[: self.title_end] if t.is_alpha}

    @cached_property
    def sentence_starts(self) -> list[int]:
        return [s.start for s in self.doc.sents]

    def sentence_index(self, token_i: int) -> int:
        starts = self.sentence_starts
        lo, hi = 0, len(starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if starts[mid] <= token_i:
                lo = mid
            else:
                hi = mid - 1
        return lo

    @cached_property
    def terms_by_sentence(self) -> dict[tuple[int, str], list[Span]]:
        """Terms by (sentence index, kind), built once: sentence_terms is called for most spans."""
        index: dict[tuple[int, str], list[Span]] = {}
        for term in self.all_spans(TERMS):
            index.setdefault((self.sentence_index(term.start), term.label_), []).append(term)
        return index

    def sentence_terms(self, span: Span, kind: str) -> list[Span]:
        return self.terms_by_sentence.get((self.sentence_index(span.start), kind), [])

    @cached_property
    def negation_index(self) -> ScopeIndex:
        return index_scopes(self.all_spans(NEGATED))

    def negation_scopes(self, span: Span) -> list[Span]:
        """The negation scopes ending at this span (a cue before it) or starting at it (a cue
        after)."""
        return scopes_around(self.negation_index, span)

    def has_term_in_sentence(self, span: Span, kind: str) -> bool:
        return bool(self.sentence_terms(span, kind))


def word_stem(word: str) -> str:
    """ "infections" and "infection", "nightmares" and "nightmare" compare equal."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def opens_with_of_the(sent: Span) -> bool:
    """A sentence that breaks a set down: "Of the 1,108 cases, ...", "Of these 225 patients,
    ..."."""
    return (
        len(sent) >= 3
        and sent[0].lower_ == "of"
        and sent[1].lower_ in word_set("definite_determiners")
    )


def is_breakdown_head(count: Span) -> bool:
    """The count right after a sentence's opening "Of the": the set the sentence breaks down."""
    return count.start == count.sent.start + 2 and opens_with_of_the(count.sent)


def provenance(view: StudyView, span: Span, confidence: float) -> Provenance:
    """text, character span and sentence index of a span, with a confidence."""
    where = (span.start_char, span.end_char)
    return Provenance(span.text, where, view.sentence_index(span.start), confidence)


def join_provenance(view: StudyView, first: Span, last: Span, confidence: float) -> Provenance:
    """Provenance of the text from `first` to `last` (same sentence or not)."""
    start, end = min(first.start, last.start), max(first.end, last.end)
    return provenance(view, view.doc[start:end], confidence)


def clean_label(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip(" ,;:.()")
    return text or None


def is_quoted(view: StudyView, span: Span) -> bool:
    """Inside quotation marks in its paragraph, or in a sentence of an outside expert."""
    text = view.text
    paragraph_start = text.rfind("\n", 0, span.start_char) + 1
    before = text[paragraph_start : span.start_char]
    open_curly = before.count("\u201c") - before.count("\u201d")
    inside = open_curly > 0 or before.count('"') % 2 == 1
    return inside or is_outside_comment(view, span)


def states_no_finding(view: StudyView, span: Span) -> bool:
    """The sentence of `span` reports nothing of the study: no word of a result or of giving a
    drug ("had", "fell", "received", "the study found") and no study word of its own."""
    words = {t.lower_ for t in span.sent}
    return not words & word_set("result_report_words") and not view.has_term_in_sentence(
        span, "study_word"
    )


def is_outside_comment(view: StudyView, span: Span) -> bool:
    """In a sentence or paragraph of an outside expert ("who was not involved in the study")."""
    return view.has_term_in_sentence(span, "outside_expert_cue") or in_expert_paragraph(view, span)


def in_expert_paragraph(view: StudyView, span: Span) -> bool:
    """A paragraph that introduces an outside expert ("who was not involved") is commentary."""
    text = view.text
    start = text.rfind("\n", 0, span.start_char) + 1
    end = text.find("\n", span.end_char)
    paragraph = view.doc.char_span(start, end if end != -1 else len(text), alignment_mode="expand")
    return paragraph is not None and any(
        t.label_ == "outside_expert_cue" and paragraph.start <= t.start < paragraph.end
        for t in view.all_spans("em_terms")
    )
