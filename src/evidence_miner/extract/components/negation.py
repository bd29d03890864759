"""Negation with negspacy's NegEx: which adverse events, outcomes and conditions a cue negates.

negspacy marks `doc.ents` only, and its scopes run to the end of the sentence (or to a
termination word). Our targets are term and concept spans, and news sentences are long, so
this component reuses negspacy's cue matcher and sentence/termination boundaries and keeps a
negation only when the cue stands within `max_distance` tokens of its target in one clause.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from evidence_miner.extract.components.terms import TERMS
from evidence_miner.extract.extensions import CONDITIONS, NEGATED

CLAUSE_BREAKS = {";", ":", "(", ")"}


class NegationMarker:
    """Sets doc.spans["em_negated"]: one span from cue to target (or target to cue) per negated
    target, labelled with the target's label; its first token is the cue for preceding cues."""

    def __init__(
        self, nlp: Language, termset: dict[str, list[str]], targets: list[str], max_distance: int
    ) -> None:
        from negspacy.negation import Negex  # negspacy registers its own factory on import

        self.negex = Negex(
            nlp, "em_negex", termset, ent_types=[], extension_name="em_negex", chunk_prefix=[]
        )
        self.targets = set(targets)
        self.max_distance = max_distance

    def __call__(self, doc: Doc) -> Doc:
        preceding, following, terminating = self.negex.process_negations(doc)
        boundaries = self.negex.termination_boundaries(doc, terminating)
        scopes = []
        for target in target_spans(doc, self.targets):
            scope = negation_scope(doc, target, preceding, following, boundaries, self.max_distance)
            if scope is not None:
                scopes.append(scope)
        doc.spans[NEGATED] = scopes
        return doc


def target_spans(doc: Doc, labels: set[str]) -> list[Span]:
    spans = [s for s in doc.spans.get(TERMS, []) if s.label_ in labels]
    if "condition" in labels:
        spans += list(doc.spans.get(CONDITIONS, []))
    return spans


def boundary_of(target: Span, boundaries: list[tuple[int, int]]) -> tuple[int, int]:
    return next(
        (b for b in boundaries if b[0] <= target.start < b[1]), (target.sent.start, target.sent.end)
    )


def crosses_clause(doc: Doc, start: int, end: int) -> bool:
    return any(t.text in CLAUSE_BREAKS for t in doc[start:end])


def negation_scope(
    doc: Doc, target: Span, preceding: list, following: list, boundaries: list, max_distance: int
) -> Span | None:
    """The nearest cue before the target (or else after it) in its clause and within reach."""
    low, high = boundary_of(target, boundaries)
    before = [
        (start, end)
        for _, start, end in preceding
        if low <= start
        and end <= target.start
        and target.start - end <= max_distance
        and not crosses_clause(doc, end, target.start)
    ]
    if before:
        start, _ = max(before)
        return Span(doc, start, target.end, label=target.label_)
    after = [
        (start, end)
        for _, start, end in following
        if target.end <= start
        and end <= high
        and start - target.end <= max_distance
        and not crosses_clause(doc, target.end, start)
    ]
    if after:
        _, end = min(after)
        return Span(doc, target.start, end, label=target.label_)
    return None


ScopeIndex = dict[tuple[str, int], list[Span]]


def index_scopes(scopes) -> ScopeIndex:
    """Negation scopes by ("end", token) and ("start", token), for look-ups per span."""
    index: ScopeIndex = {}
    for scope in scopes:
        index.setdefault(("end", scope.end), []).append(scope)
        index.setdefault(("start", scope.start), []).append(scope)
    return index


def scopes_around(index: ScopeIndex, span: Span) -> list[Span]:
    """The negation scopes ending at this span (a cue before it) or starting at it (a cue after)."""
    before = [s for s in index.get(("end", span.end), []) if s.start < span.start]
    after = [s for s in index.get(("start", span.start), []) if s.end > span.end]
    return before + after
