"""Fixtures for the sink tests: a real result with records, extracted once per test run."""

from __future__ import annotations

import pytest

from evidence_miner.records import Page
from evidence_miner.settings import load_settings
from evidence_miner.workflow import ArticleResult, process_pages

ARTICLE = (
    "Low-dose aspirin cut repeat strokes in a randomized trial\n\n"
    "In a randomized trial of 400 adults, patients received aspirin 81 mg daily or placebo. "
    "After two years, 20 of 200 patients in the aspirin group had a second stroke, compared "
    "with 34 of 200 in the placebo group.\n"
)


@pytest.fixture(scope="session")
def article_result(nlp) -> ArticleResult:
    page = Page(url="https://news.test/aspirin", text=ARTICLE)
    (result,) = process_pages([page], load_settings(), nlp=nlp)
    assert result.records, "the article must give a record"
    return result
