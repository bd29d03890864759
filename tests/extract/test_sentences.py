"""em_sentences (extract/components/sentences.py): rule sentence boundaries, pysbd when unsure."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence_miner.extract.components.sentences import find_sentence_starts
from evidence_miner.lang import load_pack


def sentences(nlp, text: str) -> list[str]:
    return [s.text.strip() for s in nlp(text).sents if s.text.strip()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It worked. The end", ["It worked.", "The end"]),
        ('"Is it safe?" she asked. Yes.', ['"Is it safe?" she asked.', "Yes."]),
        ("Headline\nBy Jane Roe\n\nBody text.", ["Headline", "By Jane Roe", "Body text."]),
        ("Ask a doctor (see below). mRNA fell.", ["Ask a doctor (see below).", "mRNA fell."]),
        ("It was the precursor of NF-kappa B. Previously, we showed it.",
         ["It was the precursor of NF-kappa B.", "Previously, we showed it."]),
        ("Cells were treated with herbimycin A. The antisense oligo did not.",
         ["Cells were treated with herbimycin A.", "The antisense oligo did not."]),
        ("Grown in the U.S. The study was small.", ["Grown in the U.S.", "The study was small."]),
    ],
)
def test_sentences_end_at_stops_lines_and_final_abbreviations(
    sentence_nlp, text: str, expected: list[str]
) -> None:
    assert sentences(sentence_nlp, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Dr. Lee and Prof. Ray saw it in Fig. 2 of the paper by Smith et al. last year.",
        "The trial, led by Michael J. Cross and E. Dale Abel, ended.",
        "Published 7:15 a.m. CT Dec. 4, 2024 | Updated 11:40 a.m. CT Dec. 4, 2024",
        "The U.S. Food and Drug Administration approved it.",
        "LANSING, Mich. August 7, 2018 - Cherries may help.",
        "We demonstrate that: 1) activity is up-regulated; 2) the region binds it.",
        "1. Keep the same wake-up time every day",
    ],
)
def test_sentences_go_on_after_titles_initials_abbreviations_and_list_markers(
    sentence_nlp, text: str
) -> None:
    assert sentences(sentence_nlp, text) == [text]


def test_sentences_ask_only_about_unsure_periods(sentence_nlp) -> None:
    asked: list[int] = []

    def ask(text: str, offset: int) -> bool:
        asked.append(offset)
        return True

    words = load_pack().sentence_words
    text = "Dr. Lee said so. The U.S. Food and Drug Administration agreed.\nIt is 5 p.m. Then"
    plain = sentence_nlp.make_doc(text)
    assert len(find_sentence_starts(plain, words, ask)) == 3 and asked == []
    unsure = sentence_nlp.make_doc("The drug is made by Pfizer Inc. Shares fell.")
    assert find_sentence_starts(unsure, words, ask) == [7]
    assert asked == [unsure[7].idx]
    assert find_sentence_starts(unsure, words, None) == []


def test_default_pipeline_splits_with_em_sentences(nlp) -> None:
    text = "Cells got HSV-1 strain F. Immunoblot analysis followed. We show that: 1) it binds."
    assert sentences(nlp, text) == [
        "Cells got HSV-1 strain F.",
        "Immunoblot analysis followed.",
        "We show that: 1) it binds.",
    ]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="aZ1 .!?\"()\n-", max_size=60))
def test_sentences_starts_are_words_in_order(sentence_nlp, text: str) -> None:
    doc = sentence_nlp(text)
    starts = [t.i for t in doc if t.is_sent_start]
    assert starts == sorted(set(starts)) and (not len(doc) or starts[0] == 0)
    assert all(not doc[i].is_space for i in starts[1:])

