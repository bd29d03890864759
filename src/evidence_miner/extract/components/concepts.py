"""Find drugs and conditions from the lexicons, and give abbreviations their long form's entry."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from evidence_miner.extract.lexicons import Lexicon, make_term_matcher

Matches = list[tuple[str, int, int]]


def find_abbreviation_matches(doc: Doc, matches: Matches) -> Iterator[tuple[str, int, int]]:
    """Short forms whose long form is a lexicon match take that entry ("IVIg" -> its long form)."""
    if not doc.has_extension("abbreviations"):
        return
    by_range = {(start, end): key for key, start, end in matches}
    for short in doc._.abbreviations:
        long_form = short._.long_form
        key = find_key_inside(by_range, long_form.start, long_form.end)
        if key is not None and (short.start, short.end) not in by_range:
            yield key, short.start, short.end


def find_key_inside(by_range: dict[tuple[int, int], str], start: int, end: int) -> str | None:
    inside = [(e - s, key) for (s, e), key in by_range.items() if start <= s and e <= end]
    return max(inside)[1] if inside else None


def to_spans(doc: Doc, matches: Matches, label: str) -> list[Span]:
    spans = []
    for key, start, end in matches:
        span = Span(doc, start, end, label=label)
        span._.em_key = key
        spans.append(span)
    return sorted(filter_spans(spans), key=lambda s: s.start)


class ConceptFinder:
    """Sets doc.spans[group]: one span per mention, em_key = the lexicon entry key."""

    def __init__(self, nlp: Language, load: Callable[[], Lexicon], group: str, label: str) -> None:
        self.lexicon = load()
        self.matcher = make_term_matcher(nlp, self.lexicon)
        self.group = group
        self.label = label

    def __call__(self, doc: Doc) -> Doc:
        matches = list(self.matcher(doc))
        matches += list(find_abbreviation_matches(doc, matches))
        doc.spans[self.group] = to_spans(doc, matches, self.label)
        return doc
