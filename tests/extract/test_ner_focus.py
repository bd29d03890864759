"""Tests for running the NER model only on the sentences where its entities can reach a record."""

from __future__ import annotations

from functools import cache

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from evidence_miner.extract.components.ner_focus import (
    has_inner_space,
    is_code_start,
    make_gate,
    run_texts,
    to_chunks,
    to_parts,
)
from evidence_miner.extract.pipeline import build_pipeline, find_ner_model
from evidence_miner.extract.patterns import terms_of

TEXT = (
    "The weather was fine in March. Patients took semaglutide weekly. Doses of LY3298176 were given. "
    "MK 0431 was tested too. She had arthritis of the knee. Nobody was sure what to say about it. "
    "The result was a surprise to the team. Multiple\nsclerosis was seen in one of them."
)


@cache
def sentences_nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def gate():
    return make_gate(tuple(terms_of("drug_stem")), tuple(terms_of("disease_head")))


def test_gate_chooses_sentences_with_a_drug_stem_code_name_disease_head_or_inner_line_break() -> None:
    doc = sentences_nlp()(TEXT)
    chosen = [gate()(sent) for sent in doc.sents]
    assert chosen == [False, True, True, True, True, False, False, True]


def test_trailing_line_break_is_not_an_inner_space() -> None:
    doc = sentences_nlp()("The result was fine.\n\nThe next one too.")
    first = next(iter(doc.sents))
    assert not has_inner_space(first)
    assert has_inner_space(sentences_nlp()("Multiple\nsclerosis was seen.")[:])


def test_to_chunks_adds_margins_and_merges_overlaps() -> None:
    doc = sentences_nlp()(TEXT)
    sents = list(doc.sents)
    chunks = to_chunks(doc, gate(), margin=3)
    assert chunks[0][0] == sents[1].start - 3
    assert [len(chosen) for _, _, chosen in chunks] == [4, 1]
    assert chunks[0][1] == sents[4].end + 3
    assert chunks[-1][1] == len(doc)


@pytest.mark.model
def test_focused_ner_finds_what_the_model_finds_in_the_chosen_sentences() -> None:
    if find_ner_model("auto") is None:
        pytest.skip("no NER model in models/")
    nlp = build_pipeline(study_model="none")
    assert "em_ner_focus" in nlp.pipe_names and {"tok2vec", "ner"} <= set(nlp.disabled)
    text = TEXT + " Treatment with rituximab reduced lupus nephritis flares in 40 patients with IgA nephropathy."
    focused = nlp(text)
    full = nlp.make_doc(text)
    for name in nlp.pipe_names[: nlp.pipe_names.index("em_ner_focus")]:
        full = nlp.get_pipe(name)(full)
    full = nlp.get_pipe("ner")(nlp.get_pipe("tok2vec")(full))
    chosen = [s for s in focused.sents if gate()(s)]
    expected = [(e.start, e.end, e.label_) for e in full.ents if any(s.start <= e.start and e.end <= s.end for s in chosen)]
    assert [(e.start, e.end, e.label_) for e in focused.ents] == expected
    assert expected


def test_to_parts_copy_the_chunks_as_span_as_doc_does() -> None:
    doc = sentences_nlp()(TEXT + " Don't stop.")
    chunks = to_chunks(doc, gate(), margin=3)
    attrs = Doc._get_array_attrs()
    for part, (start, end, _) in zip(to_parts(doc, chunks), chunks, strict=True):
        expected = doc[start:end].as_doc()
        assert part.text == expected.text
        assert [t.norm_ for t in part] == [t.norm_ for t in expected]
        assert (part.to_array(attrs) == expected.to_array(attrs)).all()


def test_gate_agrees_with_its_definition_on_every_sentence() -> None:
    """One pass, stopping early, decides as: an inner line break, or any word ending in a disease
    head or drug stem, or any code name start."""
    stems, heads = tuple(terms_of("drug_stem")), tuple(terms_of("disease_head"))
    doc = sentences_nlp()(TEXT + " Patients (n=40) got rituximab-based care. IL-6 was ABC 12.")
    for sent in doc.sents:
        expected = has_inner_space(sent) or any(
            run.endswith(heads) or run.endswith(stems) or is_code_start(sent, i)
            for i, run in run_texts(sent)
        )
        assert make_gate(stems, heads)(sent) == expected


@pytest.mark.model
def test_focused_ner_batch_finds_what_it_finds_one_doc_at_a_time() -> None:
    if find_ner_model("auto") is None:
        pytest.skip("no NER model in models/")
    nlp = build_pipeline(study_model="none")
    texts = [TEXT, "Rituximab helped.", "Nothing here.", TEXT + " Lupus nephritis was rare."]
    one_by_one = [[(e.start, e.end, e.label_) for e in nlp(text).ents] for text in texts]
    batched = [[(e.start, e.end, e.label_) for e in doc.ents] for doc in nlp.pipe(texts)]
    assert batched == one_by_one and any(one_by_one)


def test_gate_choose_reads_the_text_as_the_gate_reads_the_tokens() -> None:
    text = (
        TEXT + " ΟΔΟΣ ΚΑΙ ΣΑΣ arthritis.\nMK 0431 was given.  İstanbul NEPHRITIS; ABC-12 x. "
        "(rituximab)\n\nLY3298176-treated mice. K\u212a. Hepatitis-like signs."
    )
    doc = sentences_nlp()(text)
    expected = [(s.start, s.end) for s in doc.sents if gate()(s)]
    assert gate().reads_text
    assert [(s.start, s.end) for s in gate().choose(doc)] == expected
    assert list(gate().choose(sentences_nlp()(""))) == []


def test_group_by_tokens_keeps_order_and_the_budget() -> None:
    from evidence_miner.extract.components.ner_focus import group_by_tokens

    nlp = sentences_nlp()
    parts = [nlp.make_doc(" ".join(["w"] * n)) for n in (3, 4, 9, 2, 2, 1)]
    groups = list(group_by_tokens(parts, budget=5))
    assert [[len(p) for p in g] for g in groups] == [[3], [4], [9], [2, 2, 1]]
    assert list(group_by_tokens([], budget=5)) == []
