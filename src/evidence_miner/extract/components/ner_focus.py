"""Run the statistical NER only on the sentences where its entities can reach a record.

The NER model's entities matter in one place: the concept finders (concepts.py) take a
CHEMICAL or DISEASE entity that no lexicon term covers when it is a known name, a code name
("LY3298176"), a word with an INN stem ending ("...mab") or a phrase ending in a disease head
("...itis", "... syndrome"). A sentence with none of these cannot give such an entity, so the
model (its tok2vec and ner, about a third of the pipeline's time) runs only on the sentences
that have one, each with `margin` tokens of its neighbours on either side: the tok2vec sees 4
tokens either way (MaxoutWindowEncoder, depth 4, window 1) and the parser a few more, so within
the sentence the model sees what it would see in the whole document. Sentences holding a
whitespace token between two words (a line break inside a sentence, where the lexicon matcher
stops) always run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from spacy.attrs import IDX, IS_SPACE, LENGTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import minibatch

from evidence_miner.extract.patterns import terms_of

CODE_TOKEN_RE = re.compile(r"^[A-Z]{1,6}[- ]?\d{2,}")  # the start of concepts.CODE_NAME_RE
CAPITALS_RE = re.compile(r"^[A-Z]{1,6}$")
TWO_DIGITS_RE = re.compile(r"^\d{2,}")
# Tokens of the chunks the model reads in one pass (docs of a batch together; a longer chunk
# alone): fewer passes cost less, longer ones hold larger arrays (2,000 tokens: +20 MiB peak
# over one doc a pass on corpus/, 100,000: +110 MiB, for no more speed than 1,000).
MODEL_BATCH_TOKENS = 1000


def run_texts(sent: Span) -> Iterator[tuple[int, str]]:
    """(token index, lowercase text from the start of its whitespace-free run to the token's end):
    every way a word (text between spaces) can end at that token."""
    run = ""
    for token in sent:
        run += token.lower_
        yield token.i, run
        if token.whitespace_ or token.is_space:
            run = ""


def is_code_start(sent: Span, token_i: int) -> bool:
    """A code name's start: "LY3298176", "ABC-1234"; or "MK" then "0431" (or "-" then "0431")."""
    return is_code_token(sent.doc, sent.doc[token_i], sent.end)


def is_code_token(doc: Doc, token: Token, sent_end: int) -> bool:
    """is_code_start for a token of the sentence ending at token `sent_end`."""
    text = token.text
    if CODE_TOKEN_RE.match(text):
        return True
    if not CAPITALS_RE.match(text):
        return False
    following = [doc[i].text for i in range(token.i + 1, min(token.i + 3, sent_end))]
    return any(TWO_DIGITS_RE.match(t) for t in following)


def has_inner_space(sent: Span) -> bool:
    """A whitespace token between two other tokens of the sentence (a line break inside it): an
    entity across it can be a lexicon term the lexicon matcher, which stops there, did not see.
    (Entities never start on whitespace; a trailing line break ends no term.)"""
    words = [token.i for token in sent if not token.is_space]
    return bool(words) and any(token.is_space for token in sent.doc[words[0] : words[-1] + 1])


def make_gate(drug_stems: tuple[str, ...], disease_heads: tuple[str, ...]) -> SentenceGate:
    return SentenceGate(drug_stems, disease_heads)


class SentenceGate:
    """Whether an entity in a sentence could pass the concept finders' tests (a superset): a
    line break inside it, a word (run_texts) ending in a disease head or a drug stem, or a
    code name's start. Called on a sentence, it walks its tokens; `choose` decides a doc's
    sentences alike from the doc's text and token offsets, read once (TextTable)."""

    def __init__(self, drug_stems: tuple[str, ...], disease_heads: tuple[str, ...]) -> None:
        self.endings = disease_heads + drug_stems
        # A run's text lowercased whole differs from its tokens lowercased one by one only in a
        # final sigma, which no ASCII ending can hold: then the text can stand for the tokens.
        self.reads_text = all(ending.isascii() and ending for ending in self.endings)
        self.by_last_char: dict[str, tuple[str, ...]] = {}
        for ending in self.endings:
            self.by_last_char[ending[-1:]] = (*self.by_last_char.get(ending[-1:], ()), ending)

    def __call__(self, sent: Span) -> bool:
        if has_inner_space(sent):
            return True
        doc, end, run = sent.doc, sent.end, ""
        for token in sent:
            run += token.lower_
            if run.endswith(self.endings) or is_code_token(doc, token, end):
                return True
            if token.whitespace_ or token.is_space:
                run = ""
        return False

    def choose(self, doc: Doc) -> Iterator[Span]:
        """The doc's sentences the gate lets through, in order."""
        if not self.reads_text:
            yield from (sent for sent in doc.sents if self(sent))
            return
        table = to_text_table(doc)
        for sent in doc.sents:
            if self.is_chosen(table, sent.start, sent.end):
                yield sent

    def is_chosen(self, table: TextTable, start: int, end: int) -> bool:
        """self(doc[start:end]), read from the table."""
        text, starts, ends, spaced, is_space = table
        words = [i for i in range(start, end) if not is_space[i]]
        if words and any(is_space[words[0] : words[-1] + 1]):
            return True
        run_start = starts[start] if start < end else 0
        for i in range(start, end):
            endings = self.by_last_char.get(text[ends[i] - 1].lower()[-1])
            if endings and text[run_start : ends[i]].lower().endswith(endings):
                return True
            if "A" <= text[starts[i]] <= "Z" and is_code_text(table, i, end):
                return True
            if spaced[i] or is_space[i]:
                run_start = starts[i + 1] if i + 1 < len(starts) else ends[i]
        return False


TextTable = tuple[str, list[int], list[int], list[int], list[int]]


def to_text_table(doc: Doc) -> TextTable:
    """The doc's text and, by token, its start and end characters, whether whitespace follows
    it and whether it is whitespace."""
    starts, lengths, spaced, is_space = doc.to_array([IDX, LENGTH, SPACY, IS_SPACE]).T.tolist()
    ends = [first + length for first, length in zip(starts, lengths)]
    return doc.text, starts, ends, spaced, is_space


def is_code_text(table: TextTable, i: int, sent_end: int) -> bool:
    """is_code_token, read from the table."""
    text, starts, ends, _, _ = table
    token = text[starts[i] : ends[i]]
    if CODE_TOKEN_RE.match(token):
        return True
    if not CAPITALS_RE.match(token):
        return False
    following = [text[starts[j] : ends[j]] for j in range(i + 1, min(i + 3, sent_end))]
    return any(TWO_DIGITS_RE.match(t) for t in following)


Chunk = tuple[int, int, list[tuple[int, int]]]


def to_chunks(doc: Doc, gate: SentenceGate, margin: int) -> list[Chunk]:
    """Token ranges to run the model on (the sentences the gate chooses with `margin` tokens
    either side, overlapping ranges merged), each with the chosen sentences inside it."""
    chunks: list[Chunk] = []
    for sent in gate.choose(doc):
        start, end = max(0, sent.start - margin), min(len(doc), sent.end + margin)
        if chunks and start <= chunks[-1][1]:
            first, _, sents = chunks[-1]
            chunks[-1] = (first, end, [*sents, (sent.start, sent.end)])
        else:
            chunks.append((start, end, [(sent.start, sent.end)]))
    return chunks


class FocusedNer:
    """Sets doc.ents: the entities the pipeline's (disabled) `tok2vec` and `ner` components find
    in the sentences where an entity can reach a record, run on those sentences and their
    margins only."""

    def __init__(
        self,
        nlp: Language,
        margin: int,
        tok2vec: str = "tok2vec",
        ner: str = "ner",
        batch_tokens: int = MODEL_BATCH_TOKENS,
    ) -> None:
        self.nlp, self.margin, self.names = nlp, margin, (tok2vec, ner)
        self.batch_tokens = batch_tokens
        self.gate = make_gate(tuple(terms_of("drug_stem")), tuple(terms_of("disease_head")))

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        """The chunks of a batch's docs run through the model together, in passes of up to
        `batch_tokens` tokens (rather than a pass per doc: fewer, fuller passes)."""
        for batch in minibatch(docs, size=batch_size):
            yield from self.set_entities(batch)

    def set_entities(self, docs: list[Doc]) -> list[Doc]:
        tok2vec, ner = (self.nlp.get_pipe(name) for name in self.names)
        chunked = [(doc, to_chunks(doc, self.gate, self.margin)) for doc in docs]
        parts = [part for doc, chunks in chunked for part in to_parts(doc, chunks)]
        found = iter(
            part
            for group in group_by_tokens(parts, self.batch_tokens)
            for part in ner.pipe(tok2vec.pipe(group, batch_size=len(group)), batch_size=len(group))
        )
        for doc, chunks in chunked:
            doc.ents = [
                ent
                for (start, _, sents), part in zip(chunks, islice(found, len(chunks)))
                for ent in map_entities(doc, part, start, sents)
            ]
        return docs


def group_by_tokens(parts: list[Doc], budget: int) -> Iterator[list[Doc]]:
    """The parts in order, in groups of at most `budget` tokens (a longer part alone): the
    model's arrays grow with the tokens of one pass."""
    group: list[Doc] = []
    size = 0
    for part in parts:
        if group and size + len(part) > budget:
            yield group
            group, size = [], 0
        group.append(part)
        size += len(part)
    if group:
        yield group


def to_parts(doc: Doc, chunks: list[Chunk]) -> list[Doc]:
    """Each chunk's tokens as a Doc of their own, with their attributes (norms, sentence starts),
    as Span.as_doc makes it but without what the model does not read and this pipeline has not
    set yet (the span's mean vector: no vectors; heads to rewire: no parser). A doc with entities
    already set goes through as_doc, which also cuts entities at the chunk's edges."""
    if doc.ents:
        return [doc[start:end].as_doc() for start, end, _ in chunks]
    attrs = Doc._get_array_attrs()
    array = doc.to_array(attrs)
    parts = []
    for start, end, _ in chunks:
        tokens = doc[start:end]
        words, spaces = [t.text for t in tokens], [bool(t.whitespace_) for t in tokens]
        parts.append(Doc(doc.vocab, words=words, spaces=spaces).from_array(attrs, array[start:end]))
    return parts


def map_entities(doc: Doc, part: Doc, offset: int, sents: list[tuple[int, int]]) -> Iterator[Span]:
    """The part's entities that lie in one of the chosen sentences, as spans of `doc`."""
    for ent in part.ents:
        start, end = ent.start + offset, ent.end + offset
        if any(low <= start and end <= high for low, high in sents):
            yield Span(doc, start, end, label=ent.label_, kb_id=ent.kb_id_)
