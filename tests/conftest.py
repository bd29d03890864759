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
