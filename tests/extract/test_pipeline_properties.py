"""Any text through the whole pipeline: no crash, and every record valid against the contract."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence_miner.extract.pipeline import extract_article
from evidence_miner.normalise.article import normalise_article
from evidence_miner.records import EvidenceRecord, Page

WORDS = ["patients", "mg", "of", "19", "two", "nine", "received", "placebo", "aspirin", "(n=12)", "%", "95%", "CI",
         "HR", "0.7", "to", "randomized", "trial", "daily", "improved", "nausea", "because", "stopped", "median",
         "months", "age", "all", "with", "the", "and", ",", ".", "\n", "g/kg", "1,580", "twenty-two", "P<0.001"]  # fmt: skip


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=60), st.text(max_size=80))
def test_pipeline_any_text_gives_valid_records(nlp, words: list[str], noise: str) -> None:
    text = "Headline\n\n" + " ".join(words) + noise
    article = extract_article(nlp, Page(url="file:///p.txt", text=text))
    for record in normalise_article(article, pipeline_version="t", problems=Counter()):
        EvidenceRecord.model_validate(record.model_dump())
        for intervention in record.interventions:
            for dose in intervention.doses:
                assert dose.span is None or text[dose.span[0] : dose.span[1]] == dose.text
