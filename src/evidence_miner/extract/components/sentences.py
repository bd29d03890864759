"""Split sentences with rules over spaCy tokens, asking pysbd only where the rules are unsure.

A sentence starts at the first word of a line (after a newline), and after terminal punctuation
(. ! ? ...), possibly followed by closing quotes or brackets, when whitespace and a word that can
open a sentence follow: a capital, a digit, a word like "mRNA", or after . ! ? (not an ellipsis)
any word (web text starts sentences in lowercase). Not after the number or letter that opens a
list item ("1. Keep ..."). A period glued to a word ("Dr.", "U.S.", "kappaB.") is read with the
word lists of the language pack's sentences.toml (lang/en/): never after a title or a `never_end`
abbreviation; after a
`may_end` abbreviation only before a `starters` word, never before a number, a lowercase word, a
name or a date ("U.S. Food and Drug", "Mich. August 7"), and pysbd (Sadvilkar, Neumann and Ammar
2020, "PySBD: Pragmatic Sentence Boundary Disambiguation") decides what is left, reading a few
hundred characters around the period; after a single capital letter only when it follows a word
that is not a name ("vitamin D. The", not "John F. Kennedy"). Example: "Dr. Lee said so. The U.S.
Food and Drug Administration agreed." is two sentences.

Measured against pysbd on GENIA, UD English EWT and hand-made gold for corpus/ and FakeHealth
articles in benchmarks/results/sentence_boundaries.md (benchmarks/sentence_boundaries.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy
from spacy.attrs import SENT_START
from spacy.tokens import Doc

from evidence_miner.lang.pack import Words

CLOSERS = frozenset({'"', "'", ")", "]", "}", "\u201d", "\u2019", "\u00bb"})
OPENERS = frozenset({'"', "'", "(", "[", "\u201c", "\u2018", "\u00ab"})
TERMINAL_CHARS = frozenset(".!?\u2026")
WINDOW = 300  # characters of context pysbd sees on each side of an unsure period

Asker = Callable[[str, int], bool]


@dataclass(frozen=True)
class Tokens:
    """The token texts of a Doc and whether whitespace follows each (plain lists: cheaper to read
    than spaCy Token objects)."""

    doc: Doc
    texts: list[str]
    gaps: list[bool]

    @classmethod
    def of(cls, doc: Doc) -> Tokens:
        return cls(doc, [t.text for t in doc], [bool(t.whitespace_) for t in doc])

    def is_space(self, i: int) -> bool:
        return self.texts[i].isspace()


def is_terminal(text: str) -> bool:
    """A token of sentence-ending punctuation only: ".", "?!", "...", "…"."""
    return bool(text) and all(c in TERMINAL_CHARS for c in text)


def is_opener(tokens: Tokens, i: int) -> bool:
    """Can token i open a sentence: a capital or a digit, or an opening quote or bracket before one,
    or a word with a capital or digit inside ("mRNA", "p53")."""
    text = tokens.texts[i]
    if text in OPENERS and i + 1 < len(tokens.texts):
        text = tokens.texts[i + 1]
    first = text[0]
    if first.isupper() or first.isdigit():
        return True
    return first.isalpha() and any(c.isupper() or c.isdigit() for c in text[1:])


def has_text_before(tokens: Tokens, i: int) -> bool:
    return any(not tokens.is_space(k) for k in range(i - 1, -1, -1))


def is_line_start(tokens: Tokens, i: int) -> bool:
    """The first word after a newline (not at the top of the document)."""
    prev = tokens.texts[i - 1]
    return prev.isspace() and "\n" in prev and has_text_before(tokens, i - 1)


def end_before(tokens: Tokens, i: int) -> int | None:
    """The index of the punctuation or word that may end a sentence before token i: whitespace
    must separate them; spaces and closing quotes or brackets in between are skipped."""
    if not (tokens.gaps[i - 1] or tokens.is_space(i - 1)):
        return None
    j = i - 1
    while j > 0 and tokens.is_space(j):
        j -= 1
    while j > 0 and tokens.texts[j] in CLOSERS:
        j -= 1
    return j if not tokens.is_space(j) else None


def is_initial(tokens: Tokens, j: int, stem: str, words: Words) -> bool:
    """ "J." in "John J. Smith" or "J. Smith": a capital letter after a name, an initial, a title
    or a word of `before_initials` ("and E. Dale Abel"), or at the start; not after another word
    ("vitamin D.", "strain F.")."""
    if not (len(stem) == 1 and stem.isupper()):
        return False
    if j == 0:
        return True
    prev = tokens.texts[j - 1]
    if prev.lower() in words["before_initials"]:
        return True
    return prev[:1].isupper() and (prev[1:].islower() or prev.endswith(".") or len(prev) == 1)


def is_name_or_date(tokens: Tokens, i: int, words: Words) -> bool:
    """A capitalised word before another one, "of", "and" or a number: the sentence goes on
    ("U.S. Food and Drug Administration", "Mich. August 7")."""
    if i + 2 >= len(tokens.texts) or not tokens.gaps[i]:
        return False
    after = tokens.texts[i + 1]
    return after[:1].isupper() or after[:1].isdigit() or after in words["name_joiners"]


def ends_at_abbreviation(tokens: Tokens, i: int, j: int, words: Words, ask: Asker | None) -> bool:
    """Does the sentence end at word-with-period j ("U.S.", "Inc.", "kappaB.") before token i?"""
    stem = tokens.texts[j][:-1]
    key = stem.lower()
    if key in words["titles"] or key in words["never_end"] or is_initial(tokens, j, stem, words):
        return False
    if not is_opener(tokens, i):
        return False
    if key in words["may_end"] or "." in stem:
        return ends_after_may_end(tokens, i, words, ask)
    return True


def ends_after_may_end(tokens: Tokens, i: int, words: Words, ask: Asker | None) -> bool:
    """After "U.S.", "Inc.", "Dec.": a sentence starter begins a sentence; a number, a name or a
    date does not; pysbd (when asked) decides the rest."""
    text = tokens.texts[i]
    if text.lower() in words["starters"]:
        return True
    if text[0].isdigit() or not text[0].isupper() or is_name_or_date(tokens, i, words):
        return False
    return ask(tokens.doc.text, tokens.doc[i].idx) if ask is not None else False


def ends_at_punctuation(tokens: Tokens, i: int, j: int, words: Words) -> bool:
    """Does the sentence end at punctuation token j ("." "?!" "...") before token i?"""
    text = tokens.texts[j]
    if text == "." and j > 0 and is_abbreviation_or_marker(tokens, j - 1, words):
        return False
    if is_opener(tokens, i):
        return True
    # web text starts sentences in lowercase ("... yet? i think"), but not after a quotation
    # ('"Is it safe?" she asked')
    quoted = tokens.texts[j + 1] in CLOSERS if j + 1 < i else False
    return not quoted and not is_ellipsis(text) and tokens.texts[i][0].isalpha()


def is_abbreviation_or_marker(tokens: Tokens, k: int, words: Words) -> bool:
    """ "approx" of "approx ." (the tokenizer split the period off: a title or `never_end` word) or
    the "1" of a numbered list item."""
    word = tokens.texts[k].lower()
    return word in words["titles"] or word in words["never_end"] or is_list_marker(tokens, k)


def is_list_marker(tokens: Tokens, k: int) -> bool:
    """ "1" of "1. Keep the same wake-up time": a short number or one letter opening its line."""
    text = tokens.texts[k]
    if not ((text.isdigit() and len(text) <= 3) or (len(text) == 1 and text.isalpha())):
        return False
    return k == 0 or (tokens.is_space(k - 1) and ("\n" in tokens.texts[k - 1] or k == 1))


def is_ellipsis(text: str) -> bool:
    return text.endswith("..") or text.endswith("\u2026")


def may_start(tokens: Tokens, i: int) -> bool:
    """A cheap filter: whitespace, or a stop, quote or bracket and whitespace, before token i."""
    prev = tokens.texts[i - 1]
    ends = prev[-1] in TERMINAL_CHARS or prev in CLOSERS
    return prev.isspace() or (tokens.gaps[i - 1] and ends)


def is_sentence_start(tokens: Tokens, i: int, words: Words, ask: Asker | None) -> bool:
    if tokens.is_space(i) or not may_start(tokens, i):
        return False
    if is_line_start(tokens, i):
        return True
    j = end_before(tokens, i)
    if j is None:
        return False
    text = tokens.texts[j]
    if is_terminal(text):
        return ends_at_punctuation(tokens, i, j, words)
    if len(text) > 1 and text.endswith("."):
        return ends_at_abbreviation(tokens, i, j, words, ask)
    return False


def find_sentence_starts(doc: Doc, words: Words, ask: Asker | None = None) -> list[int]:
    """Indices of the tokens that start a sentence, after the first. `ask(text, offset)` decides
    unsure periods (None: such a period does not end the sentence)."""
    tokens = Tokens.of(doc)
    return [i for i in range(1, len(doc)) if is_sentence_start(tokens, i, words, ask)]


def ask_pysbd(text: str, offset: int) -> bool:
    """Does pysbd start a sentence at `offset`, reading WINDOW characters on each side?"""
    start = max(0, offset - WINDOW)
    window = text[start : offset + WINDOW]
    spans = pysbd_segmenter().segment(window)
    firsts = (start + span.start + len(span.sent) - len(span.sent.lstrip()) for span in spans[1:])
    return offset in set(firsts)


@cache
def pysbd_segmenter():  # noqa: ANN201  (pysbd is imported only when a period is unsure)
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


class SentenceSplitter:
    """Sets token.is_sent_start on every token (a rule splitter; see the module docstring)."""

    def __init__(self, words: Words, *, defer_to_pysbd: bool) -> None:
        self.words = words
        self.ask = ask_pysbd if defer_to_pysbd else None

    def __call__(self, doc: Doc) -> Doc:
        set_annotations(doc, set(find_sentence_starts(doc, self.words, self.ask)))
        return doc


def set_annotations(doc: Doc, starts: set[int]) -> None:
    """Mark every token: a sentence start or not. One array write (spaCy's Token.is_sent_start
    setter checks the whole document for a parse on every call, quadratic on long documents)."""
    if len(doc) == 0:
        return
    values = numpy.full(len(doc), -1, dtype="int64")
    values[sorted(starts | {0})] = 1
    doc.from_array([SENT_START], values.astype("uint64").reshape(-1, 1))
