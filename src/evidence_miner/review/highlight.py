"""Cut an article text into pieces for the record page: a value's sentence, and the text with
every value's span marked (spans may overlap or nest)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from evidence_miner.lang import load_pack

# A sentence ends at a line break, or at . ! ? (and closing quotes or brackets) before a space,
# unless the word before the stop is a title or abbreviation (Dr., e.g.) or a single letter; after
# an abbreviation that may end a sentence (Inc., U.S.) only before a word that starts one ("The").
# The words are the sentence splitter's (lang/en/sentences.toml).
STOP = re.compile(r"\n|[.!?][\"'”’)\]]*(?=\s)")
WORD_BEFORE = re.compile(r"(\S+)$")
WORD_AFTER = re.compile(r"\s*(\w+)")
SENTENCE_WORDS = load_pack().sentence_words
ABBREVIATIONS = SENTENCE_WORDS["titles"] | SENTENCE_WORDS["never_end"]


class Piece(BaseModel):
    """Some characters of the text and the spans covering them; `starts`: spans beginning here."""

    model_config = ConfigDict(frozen=True)

    text: str
    keys: tuple[str, ...] = ()
    starts: tuple[str, ...] = ()


def is_sentence_end(text: str, stop: re.Match[str]) -> bool:
    if stop.group() == "\n":
        return True
    word = WORD_BEFORE.search(text, 0, stop.start())
    before = word.group(1).lower().lstrip("(\"'“‘") if word else ""
    if (len(before) == 1 and before.isalpha()) or before in ABBREVIATIONS:
        return False
    if before in SENTENCE_WORDS["may_end"]:
        after = WORD_AFTER.match(text, stop.end())
        return after is not None and after.group(1).lower() in SENTENCE_WORDS["starters"]
    return True


def find_sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The [start, end) of the sentence around text[start:end], widened to hold all of it.

    >>> find_sentence("It rained. IVIg 2 g/kg was given. Done.", 16, 22)
    (11, 33)
    """
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    begin = 0
    for stop in STOP.finditer(text, 0, start):
        if is_sentence_end(text, stop):
            begin = stop.end()
    finish = len(text)
    for stop in STOP.finditer(text, max(end - 1, begin, 0)):
        if stop.end() >= end and is_sentence_end(text, stop):
            finish = stop.end() if stop.group() != "\n" else stop.start()
            break
    while begin < min(start, finish) and text[begin].isspace():
        begin += 1
    return begin, max(finish, end)


def mark_spans(text: str, spans: dict[str, tuple[int, int]]) -> list[Piece]:
    """The text in pieces, each with the keys of the spans covering it; joined, the pieces are
    the text. Spans outside the text are clipped; empty ones are left out."""
    clipped = {key: (max(0, s), min(len(text), e)) for key, (s, e) in spans.items()}
    clipped = {key: (s, e) for key, (s, e) in clipped.items() if s < e}
    cuts = sorted({0, len(text)} | {edge for span in clipped.values() for edge in span})
    pieces = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        keys = tuple(key for key, (s, e) in clipped.items() if s <= left and right <= e)
        starts = tuple(key for key in keys if clipped[key][0] == left)
        pieces.append(Piece(text=text[left:right], keys=keys, starts=starts))
    return pieces
