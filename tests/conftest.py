"""Shared fixtures: the pipeline is built once per test run."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_SEED = REPO.parent / "shared" / "corpus" / "seed"
CORPUS = REPO / "corpus"


@pytest.fixture(scope="session")
def nlp():
    from evidence_miner.extract.pipeline import build_pipeline

    return build_pipeline()


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    if not (SHARED_SEED / "ivig-sjogren.txt").is_file():
        pytest.skip("the shared seed corpus is not next to this checkout")
    return SHARED_SEED


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def sentence_nlp():
    """scispaCy's tokenizer and em_sentences only: a fast pipeline for sentence tests."""
    import spacy

    from evidence_miner.extract import factories, tokenizer  # noqa: F401  (register them)

    config = {"nlp": {"tokenizer": {"@tokenizers": "evidence_miner.scispacy_tokenizer.v2"}}}
    nlp = spacy.blank("en", config=config)
    nlp.add_pipe("em_sentences")
    return nlp
