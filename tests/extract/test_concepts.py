"""Tests for the drug and condition finders' helpers (extract/components/concepts.py)."""

from __future__ import annotations

import spacy

import evidence_miner.extract.tokenizer  # noqa: F401 - registers the scispacy tokenizer
from evidence_miner.extract.components.concepts import COMBINATION_SPLIT_RE, find_split_tokens

TEXT = (
    "Sacubitril/valsartan and emtricitabine-tenofovir beat ACE-inhibitors (p=0.01); "
    "a +5 mg dose, 3/4 of patients, and/or a well- known drug.\n\nEnd-of-study A+B."
)


def test_find_split_tokens_holds_every_token_the_split_pattern_matches_inside() -> None:
    config = {"nlp": {"tokenizer": {"@tokenizers": "evidence_miner.scispacy_tokenizer.v2"}}}
    doc = spacy.blank("en", config=config)(TEXT)
    found = [token.i for token in find_split_tokens(doc)]
    assert found == sorted(set(found))
    inside = [token.i for token in doc if COMBINATION_SPLIT_RE.search(token.text)]
    assert inside and set(inside) <= set(found)
    assert list(find_split_tokens(spacy.blank("en")("No split here."))) == []
