"""Tests for the registered tokenizers."""

from __future__ import annotations

import re

import spacy
from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.tokenizer import Tokenizer

from evidence_miner.extract.tokenizer import DIGIT_DASH_INFIX

TEXT = (
    "Semaglutide 2.4 mg (n=263) vs. placebo; HR 0.72 (95% CI, 0.61\u20130.85), p<0.001. "
    "Pts. aged 18-65 y.o. had IL-6 levels of 3.5 pg/mL e.g. at wk 12; Dr. Smith's i.v. dose."
)


def blank(tokenizer: str) -> spacy.language.Language:
    return spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": tokenizer}}})


def test_bare_tokenizer_loads_no_rules() -> None:
    nlp = blank("evidence_miner.bare_tokenizer.v1")
    assert nlp.tokenizer.rules == {}
    assert [t.text for t in nlp("a b")] == ["a", "b"]


def test_scispacy_tokenizer_v2_matches_scispacy_with_the_dash_infix() -> None:
    """v2 loads its exceptions once; it tokenizes as scispaCy's tokenizer built on spaCy's
    default one, with the digit-dash infix set afterwards."""
    reference = spacy.blank("en")
    tokenizer = combined_rule_tokenizer(reference)
    pattern = tokenizer.infix_finditer.__self__.pattern
    tokenizer.infix_finditer = re.compile(f"{DIGIT_DASH_INFIX}|{pattern}").finditer
    built = blank("evidence_miner.scispacy_tokenizer.v2").tokenizer
    assert isinstance(built, Tokenizer)
    assert built.rules == tokenizer.rules
    assert [t.text for t in built(TEXT)] == [t.text for t in tokenizer(TEXT)]
    assert built.explain(TEXT) == tokenizer.explain(TEXT)
