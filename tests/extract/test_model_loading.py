"""Another spaCy model (a package or a folder, like an official scispacy model) goes through
`spacy.load` and gets evidence-miner's components; its NER adds drugs the lexicons lack."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from evidence_miner.errors import ExtractionError
from evidence_miner.extract.pipeline import build_pipeline, extract_article
from evidence_miner.records import Page

TEXT = (
    "Novel pill trial\n\n"
    "In a randomized trial of 120 adults with gout, patients received ZX-4417 40 mg daily or placebo. "
    "Flares fell in 20 of 60 patients given ZX-4417.\n"
)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small model of the official models' shape: sentences and an NER with CHEMICAL."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "CHEMICAL", "pattern": "ZX-4417"}, {"label": "DISEASE", "pattern": "gout"}])
    path = tmp_path_factory.mktemp("model") / "en_test_chem"
    nlp.to_disk(path)
    return path


def test_build_pipeline_loads_a_model_folder_and_adds_own_components(model_dir: Path) -> None:
    nlp = build_pipeline(str(model_dir))
    assert nlp.pipe_names[0] == "sentencizer"
    assert "em_findings" in nlp.pipe_names and "abbreviation_detector" in nlp.pipe_names


def test_model_ner_supplies_a_drug_the_lexicon_lacks(model_dir: Path) -> None:
    nlp = build_pipeline(str(model_dir))
    [findings] = extract_article(nlp, Page(url="file:///t.txt", text=TEXT)).findings
    code_name = [i for i in findings.interventions if i.name == "zx-4417"]
    assert code_name and code_name[0].role == "studied"
    assert [(d.value, d.unit) for d in code_name[0].doses] == [(40, "mg")]


def test_build_pipeline_unknown_model_is_a_clear_error() -> None:
    with pytest.raises(ExtractionError, match="EM430"):
        build_pipeline("en_no_such_model_xyz")


def test_paused_gc_pauses_the_collector_while_the_pipeline_is_built() -> None:
    import gc

    from evidence_miner.extract.pipeline import paused_gc

    frozen = gc.get_freeze_count()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_add_sourced_components_find_what_the_loaded_model_finds(nlp, corpus_dir: Path) -> None:
    """The shipped NER and study classifier, made from their config and weights inside the
    pipeline, give the entities and scores of the same models loaded by spacy.load."""
    from evidence_miner.extract.pipeline import NER_MODEL_NAME, STUDY_MODEL_NAME
    from evidence_miner.extract.pipeline import find_shipped_model

    text = (corpus_dir / "dev" / "semaglutide-hfpef-rct.txt").read_text("utf-8")
    doc, expected = nlp.make_doc(text), nlp.make_doc(text)
    for name in ("tok2vec", "ner", "textcat"):
        doc = nlp.get_pipe(name)(doc)
    for model in (NER_MODEL_NAME, STUDY_MODEL_NAME):
        for _, component in spacy.load(find_shipped_model(model)).pipeline:
            expected = component(expected)
    assert doc.ents and [(e.start, e.end, e.label_) for e in doc.ents] == [
        (e.start, e.end, e.label_) for e in expected.ents
    ]
    assert doc.cats == expected.cats


def test_grouped_entry_points_select_as_catalogue_would_and_are_restored() -> None:
    import catalogue

    from evidence_miner.extract.pipeline import grouped_entry_points

    available = catalogue.AVAILABLE_ENTRY_POINTS
    expected = list(available.select(group="spacy_factories"))
    with grouped_entry_points():
        grouped = catalogue.AVAILABLE_ENTRY_POINTS
        assert grouped is not available
        assert list(grouped.select(group="spacy_factories")) == expected
        assert grouped.select(group="spacy_factories") is grouped.select(group="spacy_factories")
        assert "em_sentences" in catalogue.Registry(("spacy", "factories"), True).get_all()
    assert catalogue.AVAILABLE_ENTRY_POINTS is available


def test_grouped_entry_points_nest_without_wrapping_twice() -> None:
    import catalogue

    from evidence_miner.extract.pipeline import grouped_entry_points

    available = catalogue.AVAILABLE_ENTRY_POINTS
    with grouped_entry_points():
        outer = catalogue.AVAILABLE_ENTRY_POINTS
        with grouped_entry_points():
            assert catalogue.AVAILABLE_ENTRY_POINTS is outer
        assert catalogue.AVAILABLE_ENTRY_POINTS is outer
    assert catalogue.AVAILABLE_ENTRY_POINTS is available
