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


def drug_keys(nlp, text: str) -> list[tuple[str, str]]:
    from evidence_miner.extract.extensions import DRUGS

    doc = nlp(text)
    return [(span.text, span.kb_id_) for span in doc.spans[DRUGS]]


def test_cell_and_gene_treatments_are_one_intervention_named_by_their_head(nlp) -> None:
    text = (
        "Surgeons injected fetal neural stem cells into eight patients. The stem cell injections "
        "were safe. A second team tried adenoviral gene therapy."
    )
    assert drug_keys(nlp, text) == [
        ("stem cells", "ner:stem cells"),
        ("stem cell", "ner:stem cells"),
        ("gene therapy", "ner:gene therapy"),
    ]


def test_stem_cells_not_given_and_plain_t_cells_are_biology_not_treatments(nlp) -> None:
    text = "Leukemia stem cells hide in the marrow, where T cells miss them. Engineered T cells did not."
    assert drug_keys(nlp, text) == [("Engineered T cells", "ner:engineered t cells")]


def test_a_capitalised_head_inside_a_name_is_no_treatment(nlp) -> None:
    assert drug_keys(nlp, "She directs the Lee Stem Cell Institute, which treated 40 patients.") == []


def test_a_cell_treatment_takes_no_dose_in_millilitres(nlp) -> None:
    from evidence_miner.extract.pipeline import extract_article
    from evidence_miner.records import Page

    text = (
        "Stem cells ease knee pain\n\nIn a randomized trial of 60 adults published in the journal "
        "Arthritis Today, doctors drew 45 milliliters from the hip and injected the stem "
        "cells into the knee. Pain fell by 40% in those given stem cell injections.\n"
    )
    [findings] = extract_article(nlp, Page(url="file:///t.txt", text=text)).findings
    [cells] = [i for i in findings.interventions if i.name == "stem cells"]
    assert (cells.role, cells.doses) == ("studied", [])
