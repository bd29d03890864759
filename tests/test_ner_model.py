"""Tests for the shipped BC5CDR NER model (models/em_ner_bc5cdr) and the script that rebuilds it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "models" / "em_ner_bc5cdr"
DATA = REPO.parent / "shared" / "data"
SCRIPT = REPO / "scripts" / "train_ner.py"

# Written for these tests (not from BC5CDR): news-style sentences with common drugs and diseases.
SENTENCES = [
    "Patients who received cisplatin developed acute kidney injury within two weeks.",
    "Metformin lowered the risk of type 2 diabetes in adults with obesity.",
    "Aspirin was linked to gastrointestinal bleeding in elderly patients.",
    "Haloperidol caused tardive dyskinesia in several patients treated for schizophrenia.",
    "The experimental compound ABC-1234 slowed tumour growth in mice with breast cancer.",
]
KNOWN_DRUGS = {"cisplatin", "metformin", "aspirin", "haloperidol"}


@pytest.fixture(scope="module")
def ner_nlp() -> Language:
    """The shipped model, loaded once for this module."""
    return spacy.load(MODEL)


@pytest.mark.model
def test_ner_model_loads_in_fresh_process() -> None:
    code = f"import spacy; nlp = spacy.load({str(MODEL)!r}); print(','.join(nlp.pipe_names))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("ner")


@pytest.mark.model
def test_ner_model_has_bc5cdr_labels(ner_nlp: Language) -> None:
    assert set(ner_nlp.get_pipe("ner").labels) == {"CHEMICAL", "DISEASE"}


@pytest.mark.model
def test_ner_model_finds_chemicals_and_diseases_in_new_text(ner_nlp: Language) -> None:
    ents = [ent for doc in ner_nlp.pipe(SENTENCES) for ent in doc.ents]
    chemicals = {ent.text.lower() for ent in ents if ent.label_ == "CHEMICAL"}
    diseases = {ent.text.lower() for ent in ents if ent.label_ == "DISEASE"}
    assert chemicals & KNOWN_DRUGS, f"no known drug found; CHEMICAL spans: {chemicals}"
    assert diseases, f"no DISEASE found in {SENTENCES}"


@pytest.mark.model
def test_ner_model_is_small_and_has_metrics() -> None:
    size = sum(f.stat().st_size for f in MODEL.rglob("*") if f.is_file())
    metrics = json.loads((MODEL / "metrics.json").read_text())
    assert size < 30_000_000
    assert set(metrics["test"]["exact"]) == {"CHEMICAL", "DISEASE", "micro"}
    assert metrics["speed"]["pipeline_wps"] > 0
    assert not (MODEL / "model-last").exists() and not list(MODEL.rglob("*.spacy"))


def test_ner_conversion_expands_misaligned_mentions() -> None:
    sys.path.insert(0, str(REPO / "scripts"))
    from ner.convert import make_blank_nlp, to_spacy_doc
    from ner.pubtator import parse_pubtator

    text = (
        "1|t|Lidocaine-induced cardiac asystole.\n1|a|No other drug.\n"
        "1\t0\t9\tLidocaine\tChemical\tD008012\n"
        "1\t18\t34\tcardiac asystole\tDisease\tD006323\n1\tCID\tD008012\tD006323\n"
    )
    counts: dict = {"mentions": 0, "composite": 0, "misaligned_expanded": 0, "dropped_overlap": 0}
    doc = to_spacy_doc(make_blank_nlp(), parse_pubtator(text)[0], counts)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Lidocaine-induced", "CHEMICAL"),
        ("cardiac asystole", "DISEASE"),
    ]
    assert counts["mentions"] == 2 and counts["misaligned_expanded"] == 1


@pytest.mark.slow
def test_ner_rebuild_script_trains_tiny_model(tmp_path: Path) -> None:
    if not (DATA / "bc5cdr" / "pubtator").is_dir():
        pytest.skip(f"BC5CDR not found under {DATA}")
    out = tmp_path / "model"
    cmd = [
        sys.executable,
        str(SCRIPT),
        "--data-dir",
        str(DATA),
        "--output",
        str(out),
        "--max-docs",
        "20",
        "--max-epochs",
        "1",
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test"]["exact"]["micro"]["gold"] > 0
    assert metrics["conversion"]["train"]["docs"] == 20
    assert spacy.load(out).pipe_names == ["tok2vec", "ner"]
