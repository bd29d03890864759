"""Which articles give a record: the rules, and where they find nothing, a study classifier's
doc.cats (models/em_textcat_study; here a stand-in component that sets a fixed score)."""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from evidence_miner.extract.pipeline import build_pipeline, extract_article, find_model
from evidence_miner.records import Page

NO_RULE_CUE = (
    "New hope for migraine sufferers\n\n"
    "People who took erenumab had fewer headache days, the company said on Tuesday. "
    "The results will be presented at a neurology meeting next month.\n"
)


@Language.factory("em_test_fixed_cats", default_config={"score": 0.0})
def make_fixed_cats(nlp: Language, name: str, score: float):
    def set_cats(doc: Doc) -> Doc:
        doc.cats = {"STUDY": score, "NO_STUDY": 1.0 - score}
        return doc
    return set_cats


@pytest.fixture(scope="module")
def gated():
    nlp = build_pipeline(ner_model="none", study_model="none")
    nlp.add_pipe("em_test_fixed_cats", before="em_findings")
    return nlp


def findings_with_score(nlp: Language, score: float) -> list:
    nlp.replace_pipe("em_test_fixed_cats", "em_test_fixed_cats", config={"score": score})
    return extract_article(nlp, Page(url="file:///gate.txt", text=NO_RULE_CUE)).findings


def test_study_gate_rules_alone_find_no_study_here(gated) -> None:
    assert findings_with_score(gated, 0.0) == []


def test_study_gate_classifier_above_threshold_makes_a_record(gated) -> None:
    [findings] = findings_with_score(gated, 0.9)
    assert [i.name for i in findings.interventions] == ["erenumab"]


def test_study_gate_honours_the_threshold(gated) -> None:
    assert findings_with_score(gated, 0.6) != []
    gated.get_pipe("em_findings").study_threshold = 0.7
    try:
        assert findings_with_score(gated, 0.6) == []
    finally:
        gated.get_pipe("em_findings").study_threshold = 0.5


def test_study_gate_without_a_classifier_is_the_rules_alone() -> None:
    nlp = build_pipeline(ner_model="none", study_model="none")
    assert "textcat" not in nlp.pipe_names
    assert extract_article(nlp, Page(url="file:///gate.txt", text=NO_RULE_CUE)).findings == []


def test_find_model_refuses_a_folder_without_a_model(tmp_path) -> None:
    from evidence_miner.errors import ExtractionError

    assert find_model("none", "em_textcat_study") is None
    with pytest.raises(ExtractionError, match="EM431"):
        find_model(str(tmp_path), "em_textcat_study")
