"""Tests of review.highlight: a value's sentence, and the article text cut around every span."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from evidence_miner.review.highlight import find_sentence, mark_spans

TEXT = ("Dr. Xavier Mariette reports a study.\n\nPatients received IVIg (2 g/kg) for 5 days a month. "
        "Response was assessed at 12 weeks, e.g. by a scale.")  # fmt: skip


def sentence_of(part: str) -> str:
    start = TEXT.index(part)
    begin, end = find_sentence(TEXT, start, start + len(part))
    return TEXT[begin:end]


def test_find_sentence_cuts_at_stops_and_line_breaks() -> None:
    assert sentence_of("2 g/kg") == "Patients received IVIg (2 g/kg) for 5 days a month."
    assert sentence_of("study") == "Dr. Xavier Mariette reports a study."


def test_find_sentence_keeps_abbreviations_inside() -> None:
    assert sentence_of("Mariette") == "Dr. Xavier Mariette reports a study."
    assert sentence_of("scale") == "Response was assessed at 12 weeks, e.g. by a scale."


def test_find_sentence_widens_to_a_span_across_a_stop() -> None:
    start, end = TEXT.index("study"), TEXT.index("received")
    begin, finish = find_sentence(TEXT, start, end)
    assert begin <= start and finish >= end


def test_mark_spans_gives_the_keys_covering_each_piece() -> None:
    pieces = mark_spans("abcdefgh", {"dose": (1, 4), "drug": (2, 6), "empty": (3, 3)})
    assert [(p.text, p.keys, p.starts) for p in pieces] == [
        ("a", (), ()), ("b", ("dose",), ("dose",)), ("cd", ("dose", "drug"), ("drug",)),
        ("ef", ("drug",), ()), ("gh", (), ()),
    ]  # fmt: skip


spans = st.tuples(st.integers(-5, 60), st.integers(-5, 60))


@given(st.text(alphabet="ab .!?\n", max_size=50), st.dictionaries(st.sampled_from("xyz"), spans))
def test_mark_spans_pieces_join_to_the_text(text: str, found: dict[str, tuple[int, int]]) -> None:
    pieces = mark_spans(text, found)
    assert "".join(piece.text for piece in pieces) == text
    for key, (start, end) in found.items():
        covered = "".join(piece.text for piece in pieces if key in piece.keys)
        assert covered == text[max(0, start):max(0, min(end, len(text)))] or start >= end


@given(st.text(alphabet="ab .!?\n)", max_size=50), st.integers(0, 50), st.integers(0, 50))
def test_find_sentence_holds_the_span(text: str, start: int, length: int) -> None:
    start = min(start, len(text))
    end = min(start + length, len(text))
    begin, finish = find_sentence(text, start, end)
    assert 0 <= begin <= start <= end <= finish <= len(text)
