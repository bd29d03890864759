"""Split sentences with rules over spaCy tokens, asking pysbd only where the rules are unsure.

A sentence starts at the first word of a line (after a newline) and after terminal punctuation
(. ! ? ...), possibly followed by closing quotes or brackets, when whitespace and a word that can
open a sentence follow. A period glued to a word ("Dr.", "U.S.", "kappaB.") is read with the word
lists of patterns/sentences.toml: never after a title or a `never_end` abbreviation; after a
`may_end` abbreviation only before a `starters` word, and pysbd (Sadvilkar & Neumann 2020, the
rules of the Golden Rules set) decides the remaining cases on a few hundred characters around the
period; after a single capital letter only when it follows a word that is not a name ("vitamin D.
The", not "John F. Kennedy"). Example: "Dr. Lee said so. The U.S. Food and Drug Administration
agreed." is two sentences.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from importlib import resources

from spacy.tokens import Doc, Token

from evidence_miner.errors import ExtractionError

WORD_LISTS = ("titles", "never_end", "may_end", "starters")
CLOSERS = frozenset({'"', "'", ")", "]", "}", "\u201d", "\u2019", "\u00bb"})
OPENERS = frozenset({'"', "'", "(", "[", "\u201c", "\u2018", "\u00ab"})
TERMINAL_CHARS = frozenset(".!?\u2026")
WINDOW = 300  # characters of context pysbd sees on each side of an unsure period

Asker = Callable[[str, int], bool]


@cache
def load_sentence_words(name: str) -> Mapping[str, frozenset[str]]:
    """The word lists of patterns/NAME, read and checked once."""
    path = resources.files("evidence_miner.extract").joinpath("patterns", name)
    try:
        table = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ExtractionError(f"[EM440] patterns/{name} cannot be read: {exc}. Fix or restore the file.") from exc
    unknown = sorted(set(table) - set(WORD_LISTS))
    if unknown:
        raise ExtractionError(
            f"[EM441] patterns/{name} has unknown lists {unknown}; the allowed lists are {list(WORD_LISTS)}. "
            "Rename or remove them."
        )
    return {key: to_word_set(name, key, table.get(key, [])) for key in WORD_LISTS}


def to_word_set(name: str, key: str, value: object) -> frozenset[str]:
    ok = isinstance(value, list) and all(isinstance(w, str) and w and w == w.lower() for w in value)
    if not ok or len(set(value)) != len(value):
        raise ExtractionError(
            f"[EM442] patterns/{name}: {key!r} must be a list of non-empty lowercase strings without "
            "repeats. Fix the entry."
        )
    return frozenset(value)


def is_terminal(text: str) -> bool:
    """A token of sentence-ending punctuation only: ".", "?!", "...", "…"."""
    return bool(text) and all(c in TERMINAL_CHARS for c in text)


def is_opener(doc: Doc, i: int) -> bool:
    """Can token i open a sentence: a capital or a digit, or an opening quote or bracket before one,
    or a word with a capital or digit inside ("mRNA", "p53")."""
    text = doc[i].text
    if text in OPENERS and i + 1 < len(doc):
        text = doc[i + 1].text
    first = text[0]
    if first.isupper() or first.isdigit():
        return True
    return first.isalpha() and any(c.isupper() or c.isdigit() for c in text[1:])


def has_text_before(doc: Doc, i: int) -> bool:
    return any(not t.is_space for t in doc[:i])


def is_line_start(doc: Doc, i: int) -> bool:
    """The first word after a newline (not at the top of the document)."""
    prev = doc[i - 1]
    return prev.is_space and "\n" in prev.text and has_text_before(doc, i - 1)


def end_before(doc: Doc, i: int) -> int | None:
    """The index of the punctuation or word that may end a sentence before token i: whitespace
    must separate them; spaces and closing quotes or brackets in between are skipped."""
    prev = doc[i - 1]
    if not (prev.whitespace_ or prev.is_space):
        return None
    j = i - 1
    while j > 0 and doc[j].is_space:
        j -= 1
    while j > 0 and doc[j].text in CLOSERS:
        j -= 1
    return j if not doc[j].is_space else None


def is_initial(doc: Doc, j: int, stem: str) -> bool:
    """"J." in "John J. Smith" or "J. Smith": a capital letter after a name, an initial or a title
    (or at the start), not after a common word ("vitamin D.", "strain F.")."""
    if not (len(stem) == 1 and stem.isupper()):
        return False
    if j == 0:
        return True
    prev = doc[j - 1].text
    return prev[:1].isupper() and (prev[1:].islower() or prev.endswith(".") or len(prev) == 1)


def ends_at_abbreviation(doc: Doc, i: int, j: int, words: Mapping[str, frozenset[str]], ask: Asker | None) -> bool:
    """Does the sentence end at word-with-period j ("U.S.", "Inc.", "kappaB.") before token i?"""
    stem = doc[j].text[:-1]
    key = stem.lower()
    if key in words["titles"] or key in words["never_end"] or is_initial(doc, j, stem):
        return False
    if not is_opener(doc, i):
        return False
    if key in words["may_end"] or "." in stem:
        if doc[i].lower_ in words["starters"]:
            return True
        if doc[i].text[0].isdigit():
            return False
        return ask(doc.text, doc[i].idx) if ask is not None and doc[i].text[0].isupper() else False
    return True


def ends_at_punctuation(doc: Doc, i: int, j: int, words: Mapping[str, frozenset[str]]) -> bool:
    """Does the sentence end at punctuation token j ("." "?!" "...") before token i?"""
    text = doc[j].text
    if text == "." and j > 0 and doc[j - 1].lower_ in words["titles"] | words["never_end"]:
        return False
    if is_opener(doc, i):
        return True
    return not is_ellipsis(text) and doc[i].text[0].isalpha()  # "... yet? i think": web text


def is_ellipsis(text: str) -> bool:
    return text.endswith("..") or text.endswith("\u2026")


def is_sentence_start(doc: Doc, i: int, words: Mapping[str, frozenset[str]], ask: Asker | None) -> bool:
    if doc[i].is_space:
        return False
    if is_line_start(doc, i):
        return True
    j = end_before(doc, i)
    if j is None:
        return False
    text = doc[j].text
    if is_terminal(text):
        return ends_at_punctuation(doc, i, j, words)
    if len(text) > 1 and text.endswith("."):
        return ends_at_abbreviation(doc, i, j, words, ask)
    return False


def find_sentence_starts(doc: Doc, words: Mapping[str, frozenset[str]], ask: Asker | None = None) -> Iterator[int]:
    """Indices of the tokens that start a sentence, after the first. `ask(text, offset)` decides
    unsure periods (None: such a period does not end the sentence)."""
    return (i for i in range(1, len(doc)) if is_sentence_start(doc, i, words, ask))


def ask_pysbd(text: str, offset: int) -> bool:
    """Does pysbd start a sentence at `offset`, reading WINDOW characters on each side?"""
    start = max(0, offset - WINDOW)
    window = text[start : offset + WINDOW]
    spans = pysbd_segmenter().segment(window)
    return any(start + span.start + len(span.sent) - len(span.sent.lstrip()) == offset for span in spans[1:])


@cache
def pysbd_segmenter():  # noqa: ANN201  (pysbd is imported only when a period is unsure)
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


class SentenceSplitter:
    """Sets token.is_sent_start on every token (a rule splitter; see the module docstring)."""

    def __init__(self, words: Mapping[str, frozenset[str]], *, defer_to_pysbd: bool) -> None:
        self.words = words
        self.ask = ask_pysbd if defer_to_pysbd else None

    def __call__(self, doc: Doc) -> Doc:
        set_annotations(doc, set(find_sentence_starts(doc, self.words, self.ask)))
        return doc


def set_annotations(doc: Doc, starts: set[int]) -> None:
    token: Token
    for token in doc[1:]:
        token.is_sent_start = token.i in starts
