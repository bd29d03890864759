"""Find drugs and conditions from the lexicons, and give abbreviations their long form's entry."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from evidence_miner.extract.lexicons import Lexicon, LexiconEntry, fold_term, make_term_matcher
from evidence_miner.extract.patterns import terms_of

Matches = list[tuple[str, int, int]]
NER_PREFIX = "ner:"
CODE_NAME_RE = re.compile(r"^[A-Z]{1,6}[- ]?\d{2,}[A-Za-z0-9-]*$")  # ABC-1234, LY3298176, MK 0431


def is_drug_like(text: str) -> bool:
    """An NER chemical that is a drug name: a code name, or a word with an INN stem ending."""
    word = text.strip().lower()
    return bool(CODE_NAME_RE.match(text.strip())) or (
        word.isalpha() and len(word) > 5 and any(word.endswith(stem) for stem in terms_of("drug_stem"))
    )


def is_condition_like(text: str) -> bool:
    """An NER disease that names a disease: its last word is (or ends like) a disease head
    ("ataxic neuropathy", "lupus nephritis"), not a lone adjective ("nonataxic")."""
    words = text.strip().lower().split()
    if not words or text.strip().isupper():
        return False
    return any(words[-1] == head or (len(head) > 3 and words[-1].endswith(head)) or (len(head) <= 5 and words[-1].endswith(head) and len(words[-1]) > len(head) + 2)
               for head in terms_of("disease_head"))


def find_ner_matches(doc: Doc, matches: Matches, lexicon: Lexicon, label: str, accept: Callable[[str], bool]) -> Iterator[tuple[str, int, int]]:
    """Entities of the statistical NER that no lexicon term covered: the lexicon's entry when
    the whole entity is a known name, else a key "ner:<folded name>"."""
    covered = {i for _, start, end in matches for i in range(start, end)}
    for ent in doc.ents:
        if ent.label_ != label or covered & set(range(ent.start, ent.end)):
            continue
        known = lexicon.lookup(ent.text)
        if known is not None:
            yield known.key, ent.start, ent.end
        elif accept(ent.text):
            yield NER_PREFIX + fold_term(ent.text), ent.start, ent.end


def entry_for(lexicon: Lexicon, key: str, kind: str) -> LexiconEntry:
    """The lexicon entry of a key; an NER find gets an entry of its own, with no ids."""
    if key.startswith(NER_PREFIX):
        return LexiconEntry(key=key, name=key.removeprefix(NER_PREFIX), kind=kind, ids={}, is_class=False)
    return lexicon.entries[key]


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
        span = Span(doc, start, end, label=label, kb_id=key)
        spans.append(span)
    return sorted(filter_spans(spans), key=lambda s: s.start)


class ConceptFinder:
    """Sets doc.spans[group]: one span per mention, kb_id_ = the lexicon entry key, or
    "ner:<name>" for an entity of a statistical NER (if the pipeline has one) that no
    lexicon term covers and that passes `accept`."""

    def __init__(self, nlp: Language, load: Callable[[], Lexicon], group: str, label: str, *, ner_label: str, accept: Callable[[str], bool], yield_to: str | None = None) -> None:
        self.lexicon = load()
        self.matcher = make_term_matcher(nlp, self.lexicon)
        self.group, self.label = group, label
        self.ner_label, self.accept = ner_label, accept
        self.yield_to = yield_to

    def __call__(self, doc: Doc) -> Doc:
        matches = list(self.matcher(doc))
        matches += list(find_ner_matches(doc, matches, self.lexicon, self.ner_label, self.accept))
        matches += list(find_abbreviation_matches(doc, matches))
        doc.spans[self.group] = to_spans(doc, drop_taken(doc, matches, self.yield_to), self.label)
        return doc


def drop_taken(doc: Doc, matches: Matches, group: str | None) -> Matches:
    """A word is a drug or a condition, not both: matches overlapping the other group's spans
    give way."""
    if group is None or group not in doc.spans:
        return matches
    taken = {i for span in doc.spans[group] for i in range(span.start, span.end)}
    return [(key, start, end) for key, start, end in matches if not taken & set(range(start, end))]
