"""Tests for the drug, drug-class and condition lexicons and their term matcher."""

from __future__ import annotations

import importlib.util
import json
import sys
from functools import cache
from importlib import resources
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

import evidence_miner.extract.tokenizer  # noqa: F401 - registers the scispacy tokenizer
from evidence_miner.errors import ExtractionError
from evidence_miner.extract.lexicons import (
    Lexicon,
    fold_term,
    load_condition_lexicon,
    load_drug_lexicon,
    make_term_matcher,
    read_lexicon,
)

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"
DATA = resources.files("evidence_miner.extract").joinpath("lexicon_data")


@cache
def blank_nlp() -> Language:
    """Tokenizer-only pipeline, built once: the matcher needs tokens, not models."""
    config = {"nlp": {"tokenizer": {"@tokenizers": "evidence_miner.scispacy_tokenizer.v1"}}}
    return spacy.blank("en", config=config)


def find_keys(lexicon: Lexicon, text: str) -> list[tuple[str, str]]:
    nlp = blank_nlp()
    doc = nlp(text)
    return [(key, doc[start:end].text) for key, start, end in make_term_matcher(nlp, lexicon)(doc)]


def read_curated(name: str) -> list[dict]:
    lines = DATA.joinpath(name).read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.startswith("//")]


def write_lines(path: Path, *rows: dict | str) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


# --- fold_term -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Sjögren’s syndrome", "sjogren syndrome"),
        ("primary Sjögren's  Syndrome", "primary sjogren syndrome"),
        ("Sjogren syndrome", "sjogren syndrome"),
        ("COVID - 19", "covid-19"),
        ("β-blockers", "beta-blockers"),
        ("Ozempic®", "ozempic"),
        ("tumour", "tumor"),
        ("leukaemia", "leukemia"),
        ("GLP‑1 receptor agonists", "glp-1 receptor agonists"),
    ],
)
def test_fold_term_gives_one_key_for_spelling_variants(text, key):
    assert fold_term(text) == key


def test_fold_term_is_idempotent_on_lexicon_terms():
    terms = list(load_condition_lexicon().terms)[:2000]
    assert all(fold_term(t) == t for t in terms)


# --- drug lexicon --------------------------------------------------------------------------------


def test_load_drug_lexicon_maps_brands_to_generic():
    lexicon = load_drug_lexicon()
    entries = {lexicon.lookup(s) for s in ("Wegovy", "semaglutide", "Ozempic", "OZEMPIC")}
    (entry,) = entries
    assert (entry.name, entry.kind, entry.is_class) == ("semaglutide", "drug", False)
    assert entry.ids["drugbank"] == "DB13928"


@pytest.mark.parametrize(
    "surface",
    ["IVIg", "IVIG", "intravenous immunoglobulin", "immune globulin", "IV immune globulin",
     "subcutaneous immunoglobulin", "immunoglobulins", "Intravenous Immune Globulin"],
)  # fmt: skip
def test_load_drug_lexicon_maps_immunoglobulin_forms_to_one_entry(surface):
    entry = load_drug_lexicon().lookup(surface)
    assert entry is not None and entry.name == "immunoglobulin g"
    assert entry.ids["drugbank"] == "DB00028"


def test_class_of_finds_the_classes_of_a_generic():
    lexicon = load_drug_lexicon()
    assert "statins" in [e.key for e in lexicon.class_of("atorvastatin")]
    assert "corticosteroids" in [e.key for e in lexicon.class_of("Prednisone")]
    assert lexicon.class_of("semaglutide")[0].is_class


def test_load_drug_lexicon_names_classes_as_classes():
    lexicon = load_drug_lexicon()
    for surface, name in [("statins", "statins"), ("SSRIs", "ssris"), ("DOACs", "doacs"),
                          ("direct oral anticoagulants", "doacs"), ("steroids", "corticosteroids"),
                          ("PD-1 inhibitors", "pd-1 inhibitors"), ("β-blockers", "beta blockers")]:  # fmt: skip
        entry = lexicon.lookup(surface)
        assert (entry.name, entry.kind, entry.is_class) == (name, "drug_class", True)


def test_drug_class_members_are_drug_names():
    lexicon = load_drug_lexicon()
    drug_names = {e.name for e in lexicon.entries.values() if e.kind == "drug"}
    missing = {e.key: m for e in lexicon.entries.values() for m in e.members if m not in drug_names}
    assert missing == {}


def test_load_drug_lexicon_has_placebo_kinds():
    lexicon = load_drug_lexicon()
    kinds = {s: lexicon.lookup(s).key for s in ("placebo", "matching placebo", "sham surgery")}
    assert kinds == {"placebo": "placebo", "matching placebo": "placebo", "sham surgery": "sham"}
    assert all(lexicon.entries[k].kind == "placebo" for k in kinds.values())


@pytest.mark.parametrize(
    "word", ["today", "focus", "water", "air", "lead", "gold", "sugar", "salt", "iron", "alcohol"]
)
def test_load_drug_lexicon_leaves_out_ordinary_words(word):
    lexicon = load_drug_lexicon()
    assert lexicon.lookup(word) is None
    assert lexicon.lookup(word.title()) is None


def test_load_drug_lexicon_keeps_common_drugs_that_are_frequent_words():
    lexicon = load_drug_lexicon()
    for word in ("insulin", "aspirin", "caffeine", "nicotine", "placebo", "morphine"):
        assert lexicon.lookup(word).name == word


def test_lookup_matches_short_forms_case_sensitively():
    drugs, conditions = load_drug_lexicon(), load_condition_lexicon()
    assert drugs.lookup("5-FU").name == "fluorouracil"
    assert drugs.lookup("ivig") is None
    assert conditions.lookup("COPD").ids["doid"] == "DOID:3083"
    assert conditions.lookup("copd") is None
    assert conditions.lookup("ALS").name == "amyotrophic lateral sclerosis"
    assert conditions.lookup("als") is None


def test_lexicon_entries_are_hashable_and_read_only():
    entry = load_drug_lexicon().lookup("prednisone")
    assert hash(entry) == hash(load_drug_lexicon().lookup("prednisone"))
    with pytest.raises(TypeError):
        entry.ids["drugbank"] = "DB00000"  # type: ignore[index]


# --- condition lexicon ---------------------------------------------------------------------------


def test_load_condition_lexicon_agrees_on_sjogren_variants():
    lexicon = load_condition_lexicon()
    surfaces = ["Sjogren syndrome", "primary Sjögren's syndrome", "Sjögren’s syndrome",
                "SJOGREN'S SYNDROME"]  # fmt: skip
    doids = {lexicon.lookup(s).ids["doid"] for s in surfaces}
    assert doids == {"DOID:12894"}
    assert lexicon.lookup("Sjogren syndrome").ids["mesh"] == "D012859"


def test_load_condition_lexicon_adds_plurals_and_lay_names():
    lexicon = load_condition_lexicon()
    assert lexicon.lookup("breast cancers").ids["doid"] == "DOID:1612"
    assert lexicon.lookup("high blood pressure").name == "hypertension"
    assert lexicon.lookup("disease") is None


def test_curated_condition_extras_use_live_doids_and_their_names():
    generated = read_lexicon(Path(str(DATA.joinpath("conditions.jsonl.gz"))))
    for row in read_curated("conditions_extra.jsonl"):
        if "doid" in row.get("ids", {}):
            assert generated.entries[row["ids"]["doid"]].name == row["name"]
        else:  # a concept the Disease Ontology lacks: none of its terms may be a DO term
            assert not {fold_term(t) for t in row["terms"]} & set(generated.terms), row["name"]


@pytest.mark.parametrize(
    "name", ["drugs_extra.jsonl", "drug_classes.jsonl", "conditions_extra.jsonl"]
)
def test_curated_files_keep_short_terms_case_sensitive(name):
    long_terms = [t for row in read_curated(name) for t in row.get("terms", ())]
    assert [t for t in long_terms if len(t) <= 4] == []


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ('{"name": "x", "kind": "drug"', "EM411"),
        ('{"name": "x", "kind": "drug", "brands": ["y"]}', "EM412"),
        ('{"kind": "drug"}', "EM413"),
        ('{"name": "x", "kind": "drug", "terms": "xx"}', "EM413"),
        ('{"name": "x", "kind": "gene"}', "EM414"),
        ('{"name": "x", "kind": "drug", "ids": {"pubchem": "1"}}', "EM415"),
    ],
)
def test_read_lexicon_rejects_malformed_line(tmp_path, line, code):
    path = write_lines(tmp_path / "bad.jsonl", {"name": "ok", "kind": "drug"}, line)
    with pytest.raises(ExtractionError, match=rf"\[{code}\] Lexicon bad.jsonl line 2"):
        read_lexicon(path)


def test_read_lexicon_lists_allowed_keys_for_unknown_key(tmp_path):
    path = write_lines(tmp_path / "bad.jsonl", '{"name": "x", "kind": "drug", "brand": "y"}')
    with pytest.raises(ExtractionError, match=r"allowed keys are \[.*'cs_terms'.*'terms'"):
        read_lexicon(path)


def test_read_lexicon_merges_lines_with_one_key(tmp_path):
    path = write_lines(
        tmp_path / "drugs.jsonl",
        {"name": "foxidrug", "kind": "drug", "ids": {"drugbank": "DB1"}, "terms": ["foxidrug"]},
        {
            "name": "foxidrug",
            "kind": "drug",
            "ids": {"drugbank": "DB2", "mesh": "D1"},
            "cs_terms": ["FXD"],
        },
    )
    lexicon = read_lexicon(path)
    assert dict(lexicon.entries["foxidrug"].ids) == {"drugbank": "DB1", "mesh": "D1"}
    assert lexicon.lookup("FXD") == lexicon.lookup("Foxidrug")


def test_read_lexicon_rejects_one_key_of_two_kinds(tmp_path):
    path = write_lines(
        tmp_path / "drugs.jsonl",
        {"name": "sham", "kind": "placebo"},
        {"name": "sham", "kind": "drug"},
    )
    with pytest.raises(ExtractionError, match=r"\[EM416\].*line 2"):
        read_lexicon(path)


def test_read_lexicon_applies_stoplist(tmp_path):
    path = write_lines(
        tmp_path / "d.jsonl", {"name": "lead", "kind": "drug", "terms": ["lead", "lead acetate"]}
    )
    stoplist = write_lines(tmp_path / "stop.txt", "# words", "lead  # a verb")
    lexicon = read_lexicon(path, stoplist)
    assert lexicon.lookup("lead") is None
    assert lexicon.lookup("Lead acetate").name == "lead"


# --- term matcher --------------------------------------------------------------------------------


def test_term_matcher_finds_drugs_and_conditions():
    text = (
        "Patients with primary Sjögren’s syndrome and ataxic neuropathy received IVIg "
        "(intravenous immunoglobulin) and prednisone; others took Ozempic or a matching placebo. "
        "Statins and β-blockers were allowed."
    )
    drugs = find_keys(load_drug_lexicon(), text)
    assert drugs == [
        ("immunoglobulin g", "IVIg"), ("immunoglobulin g", "intravenous immunoglobulin"),
        ("prednisone", "prednisone"), ("semaglutide", "Ozempic"), ("placebo", "matching placebo"),
        ("statins", "Statins"), ("beta blockers", "β-blockers"),
    ]  # fmt: skip
    conditions = find_keys(load_condition_lexicon(), text)
    assert conditions == [("DOID:12894", "primary Sjögren’s syndrome"), ("DOID:870", "neuropathy")]


def test_term_matcher_prefers_the_longest_term():
    found = find_keys(load_condition_lexicon(), "She has type 2 diabetes and breast cancer.")
    assert found == [("DOID:9352", "type 2 diabetes"), ("DOID:1612", "breast cancer")]


def test_term_matcher_ignores_ordinary_words_and_lowercase_acronyms():
    text = "Today we lead with focus: water, air, gold and iron, as als and copd aids all."
    assert find_keys(load_drug_lexicon(), text) == []
    assert find_keys(load_condition_lexicon(), text) == []


def test_term_matcher_does_not_cross_line_breaks():
    found = find_keys(
        load_condition_lexicon(), "Multiple\n\nsclerosis of the hip. Multiple sclerosis."
    )
    assert found == [("DOID:2377", "Multiple sclerosis")]


# --- build script --------------------------------------------------------------------------------


def load_build_script():
    spec = importlib.util.spec_from_file_location(
        "build_lexicons", REPO / "scripts/build_lexicons.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the script loads
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_build_lexicons_script_writes_a_deterministic_slice(tmp_path, capsys):
    pytest.importorskip("drug_named_entity_recognition")
    pytest.importorskip("wordfreq")
    if not (SHARED_DATA / "disease-ontology" / "doid.obo.gz").is_file():
        pytest.skip("shared/data is not next to this checkout")
    build = load_build_script()
    for out in ("a", "b"):
        build.main(
            ["--data-dir", str(SHARED_DATA), "--out-dir", str(tmp_path / out), "--limit", "300"]
        )
    assert "drug entries:" in capsys.readouterr().out
    for name in ("drugs.jsonl.gz", "conditions.jsonl.gz"):
        first, second = (tmp_path / out / name for out in ("a", "b"))
        assert first.read_bytes() == second.read_bytes()
        assert len(read_lexicon(first).entries) > 50


def test_fold_span_text_is_fold_term() -> None:
    from evidence_miner.extract.lexicons import fold_span_text, fold_term

    for text in ("Sjögren’s  Syndrome", "β - blockers", "Anaemia", "the"):
        assert fold_span_text(text) == fold_term(text)
