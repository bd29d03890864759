"""Find drugs and conditions from the lexicons, and give abbreviations their long form's entry."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache, partial

import numpy
from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from evidence_miner.extract.lexicons import Lexicon, LexiconEntry, fold_term, make_term_matcher
from evidence_miner.extract.patterns import terms_of, using_pack, word_map, word_set
from evidence_miner.lang import LanguagePack

Matches = list[tuple[str, int, int]]
NER_PREFIX = "ner:"
COMBINATION_PREFIX = "combo:"
# sacubitril/valsartan, emtricitabine-tenofovir
COMBINATION_SPLIT_RE = re.compile(r"[/+]|-(?=[a-z])")
CODE_NAME_RE = re.compile(r"^[A-Z]{1,6}[- ]?\d{2,}[A-Za-z0-9-]*$")  # ABC-1234, LY3298176, MK 0431


def is_drug_like(text: str) -> bool:
    """An NER chemical that is a drug name: a code name, or a word with an INN stem ending."""
    word = text.strip().lower()
    return bool(CODE_NAME_RE.match(text.strip())) or (
        word.isalpha()
        and len(word) > 5
        and any(word.endswith(stem) for stem in terms_of("drug_stem"))
    )


def is_grant_number(ent: Span) -> bool:
    """A code name in a sentence about funding ("NIH grants HL098102 and TR001082")."""
    return bool(CODE_NAME_RE.match(ent.text.strip())) and any(
        t.lower_ in word_set("funding_words") for t in ent.sent
    )


def is_condition_like(text: str) -> bool:
    """An NER disease that names a disease: its last word is (or ends like) a disease head
    ("ataxic neuropathy", "lupus nephritis"), not a lone adjective ("nonataxic")."""
    words = text.strip().lower().split()
    if not words or text.strip().isupper():
        return False
    return any(
        words[-1] == head
        or (len(head) > 3 and words[-1].endswith(head))
        or (len(head) <= 5 and words[-1].endswith(head) and len(words[-1]) > len(head) + 2)
        for head in terms_of("disease_head")
    )


def find_ner_matches(
    doc: Doc, matches: Matches, lexicon: Lexicon, label: str, accept: Callable[[str], bool]
) -> Iterator[tuple[str, int, int]]:
    """Entities of the statistical NER that no lexicon term covered: the lexicon's entry when
    the whole entity is a known name, else a key "ner:<folded name>"."""
    covered = {i for _, start, end in matches for i in range(start, end)}
    for ent in doc.ents:
        if ent.label_ != label or covered & set(range(ent.start, ent.end)):
            continue
        known = lexicon.lookup(ent.text)
        if known is not None:
            yield known.key, ent.start, ent.end
        elif accept(ent.text) and not is_grant_number(ent):
            yield NER_PREFIX + fold_term(ent.text), ent.start, ent.end


def find_therapy_head_matches(doc: Doc, matches: Matches) -> Iterator[tuple[str, int, int]]:
    """Cell and gene treatments that no lexicon names, keyed "ner:<name>" so that every mention
    of one treatment is one intervention: "gene therapy"; "stem cells" where the sentence gives
    them ("injected stem cells", "a stem cell transplant"); T cells with the word that makes them
    a treatment ("CAR T cells"). Not a capitalised head inside a name ("the Lee Stem Cell
    Institute")."""
    covered = {i for _, start, end in matches for i in range(start, end)}
    heads = {tuple(h.split()): name for h, name in word_map("therapy_heads").items()}
    heads |= {tuple(h.split()): "" for h in word_set("qualified_therapy_heads")}
    for i in range(len(doc)):
        for head, name in heads.items():
            end = i + len(head)
            if end > len(doc) or tuple(t.lower_ for t in doc[i:end]) != head:
                continue
            if is_inside_name(doc, i, end):
                continue
            found = name_therapy(doc, i, end, name)
            if found is not None and not covered & set(range(found[1], end)):
                yield NER_PREFIX + found[0], found[1], end


def is_inside_name(doc: Doc, start: int, end: int) -> bool:
    """ "the Lee Stem Cell Institute": a capitalised head after a capitalised word."""
    return (
        start > 0
        and not doc[start].is_sent_start
        and doc[start - 1].is_title
        and all(t.is_title for t in doc[start:end])
    )


def name_therapy(doc: Doc, start: int, end: int, name: str) -> tuple[str, int] | None:
    """The name and first token of a treatment whose head is doc[start:end]; `name` the head's
    own name, or "" for a head named with the word before it ("engineered T cells")."""
    head = " ".join(t.lower_ for t in doc[start:end])
    if name:
        return (name, start) if is_given_therapy(doc, start, end, head) else None
    word = doc[start - 1].lower_ if start > 0 else ""
    return (f"{word} {head}", start - 1) if word in word_set("therapy_qualifiers") else None


def is_cell_or_gene_therapy(key: str) -> bool:
    """A treatment find_therapy_head_matches named ("stem cells", "car t cells")."""
    name = key.removeprefix(NER_PREFIX)
    return key.startswith(NER_PREFIX) and (
        name in set(word_map("therapy_heads").values())
        or any(name.endswith(" " + head) for head in word_set("qualified_therapy_heads"))
    )


def is_given_therapy(doc: Doc, start: int, end: int, head: str) -> bool:
    """A head that is a treatment only where it is given: a giving word right after it or in
    its sentence."""
    if head not in word_set("given_therapy_heads"):
        return True
    given = word_set("therapy_given_words")
    after = doc[end].lower_ if end < len(doc) else ""
    return after in given or any(t.lower_ in given for t in doc[start].sent)


def entry_for(lexicon: Lexicon, key: str, kind: str) -> LexiconEntry:
    """The lexicon entry of a key; an NER find gets an entry of its own, with no ids, and a
    fixed-dose combination without an entry of its own is named by its parts' generic names."""
    if key.startswith(NER_PREFIX):
        return LexiconEntry(
            key=key, name=key.removeprefix(NER_PREFIX), kind=kind, ids={}, is_class=False
        )
    if key.startswith(COMBINATION_PREFIX):
        parts = [lexicon.entries[k] for k in key.removeprefix(COMBINATION_PREFIX).split("|")]
        return LexiconEntry(
            key=key,
            name="/".join(e.name for e in parts),
            kind=kind,
            ids={},
            is_class=False,
            aliases=tuple(e.name for e in parts),
        )
    return lexicon.entries[key]


def index_combinations(lexicon: Lexicon) -> dict[frozenset[str], str]:
    """Lexicon entries that are combinations ("valsartan and sacubitril"), by their parts' keys."""
    index = {}
    for entry in lexicon.entries.values():
        if entry.is_class or " and " not in entry.name:
            continue
        parts = [lexicon.lookup(part) for part in entry.name.split(" and ")]
        if all(p is not None and not p.is_class for p in parts):
            index[frozenset(p.key for p in parts)] = entry.key
    return index


def find_combination_matches(
    doc: Doc,
    matches: Matches,
    lexicon: Lexicon,
    combinations: Callable[[], dict[frozenset[str], str]],
) -> Iterator[tuple[str, int, int]]:
    """A token joining two or more drug names ("sacubitril/valsartan") is one fixed-dose
    combination: the lexicon's combination entry, or a "combo:" key of its parts. (The
    tokenizer keeps such tokens whole, so the lexicon matcher cannot see the parts.)
    `combinations` gives index_combinations' index, asked for only when a combination is found."""
    covered = {i for _, start, end in matches for i in range(start, end)}
    for token in find_split_tokens(doc):
        if token.i in covered or not COMBINATION_SPLIT_RE.search(token.text):
            continue
        parts = [lexicon.lookup(p) for p in COMBINATION_SPLIT_RE.split(token.text) if p]
        if len(parts) < 2 or any(p is None or p.is_class or p.kind != "drug" for p in parts):
            continue
        keys = [p.key for p in parts]
        yield (
            combinations().get(frozenset(keys), COMBINATION_PREFIX + "|".join(keys)),
            token.i,
            token.i + 1,
        )


def find_split_tokens(doc: Doc) -> Iterator[Token]:
    """The tokens, in order, holding a character where COMBINATION_SPLIT_RE matches the doc's
    text (a superset of those it matches inside: a "-" before a letter of the next token
    too), found without visiting every token."""
    positions = sorted({m.start() for m in COMBINATION_SPLIT_RE.finditer(doc.text)})
    if not positions:
        return
    starts = doc.to_array(IDX)
    indices = numpy.searchsorted(starts, positions, side="right") - 1
    for i in sorted(set(indices.tolist())):
        yield doc[i]


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

    def __init__(
        self,
        nlp: Language,
        load: Callable[[], Lexicon],
        group: str,
        label: str,
        *,
        ner_label: str,
        accept: Callable[[str], bool],
        yield_to: str | None = None,
        combinations: bool = False,
        therapy_heads: bool = False,
        pack: LanguagePack,
    ) -> None:
        self.pack = pack
        self.lexicon = load()
        self.matcher = make_term_matcher(nlp, self.lexicon)
        self.group, self.label = group, label
        self.ner_label, self.accept = ner_label, accept
        self.yield_to = yield_to
        self.therapy_heads = therapy_heads
        self.combinations = None
        if combinations:  # index_combinations reads every entry: made when first asked for
            self.combinations = cache(partial(index_combinations, self.lexicon))

    def __call__(self, doc: Doc) -> Doc:
        with using_pack(self.pack):
            return self.find(doc)

    def find(self, doc: Doc) -> Doc:
        matches = list(self.matcher(doc))
        if self.combinations is not None:
            matches += list(find_combination_matches(doc, matches, self.lexicon, self.combinations))
        matches += list(find_ner_matches(doc, matches, self.lexicon, self.ner_label, self.accept))
        if self.therapy_heads:
            matches += list(find_therapy_head_matches(doc, matches))
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
