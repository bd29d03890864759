"""A second language pack: a folder named in the pipeline's config is what its components read."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pytest
import spacy

from evidence_miner.extract.patterns import pack_in_use, terms_of, using_pack, word_set
from evidence_miner.extract.pipeline import load_default_config
from evidence_miner.lang import LANGUAGES, load_pack

TEXT = "Of the 40 patients, 12 received 5 flurbs of drug X. Dr. Lee said so."


def make_pack(folder: Path) -> Path:
    """A copy of lang/en/ with one dose unit added ("flurbs") and "dr" no longer a title."""
    shutil.copytree(Path(str(resources.files("evidence_miner.lang").joinpath("en"))), folder)
    terms = folder / "terms.jsonl"
    lines = terms.read_text("utf-8").splitlines()
    first = json.loads(lines[0])
    assert first["kind"] == "dose_unit"
    lines[0] = json.dumps({**first, "terms": [*first["terms"], "flurbs"]})
    terms.write_text("\n".join(lines) + "\n", "utf-8")
    sentences = folder / "sentences.toml"
    text = sentences.read_text("utf-8")
    assert text.count('\n    "dr", "drs", ') == 1
    sentences.write_text(text.replace('\n    "dr", "drs", ', '\n    "drs", '), "utf-8")
    return folder


def build_nlp(language: str) -> spacy.language.Language:
    """The default pipeline without statistical models, reading the pack `language`."""
    config = load_default_config()
    config["evidence_miner"]["language"] = language
    return spacy.blank("en", config=config)


@pytest.fixture(scope="module")
def other_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_pack(tmp_path_factory.mktemp("packs") / "en-test")


def test_config_language_folder_changes_terms_and_sentences(other_pack: Path) -> None:
    doc = build_nlp(str(other_pack))(TEXT)
    assert [s.text for s in doc.spans["em_doses"]] == ["5 flurbs"]
    assert [s.text for s in doc.sents][-2:] == ["Dr.", "Lee said so."]
    assert doc.spans["em_counts"], "the components after em_terms ran with the pack too"


def test_config_default_language_keeps_english_words() -> None:
    doc = build_nlp("en")(TEXT)
    assert [s.text for s in doc.spans["em_doses"]] == []
    assert [s.text for s in doc.sents][-1] == "Dr. Lee said so."


def test_components_read_their_own_pack_not_a_global_one(other_pack: Path) -> None:
    """Two pipelines with two packs in one process each keep their own words."""
    english, other = build_nlp("en"), build_nlp(str(other_pack))
    other_doc, english_doc, other_again = other(TEXT), english(TEXT), other(TEXT)
    assert list(other_doc.spans["em_doses"]) and not list(english_doc.spans["em_doses"])
    assert list(other_again.spans["em_doses"])


def test_registered_name_of_a_new_pack_is_honoured(
    other_pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second language is its folder plus one line in LANGUAGES."""
    monkeypatch.setitem(LANGUAGES, "en-test", str(other_pack))
    assert load_pack("en-test").name == str(other_pack)
    doc = build_nlp("en-test")(TEXT)
    assert [s.text for s in doc.spans["em_doses"]] == ["5 flurbs"]


def test_using_pack_sets_the_words_read_only_inside_the_block(other_pack: Path) -> None:
    pack = load_pack(str(other_pack))
    assert "flurbs" not in terms_of("dose_unit")
    with using_pack(pack):
        assert pack_in_use() is pack
        assert "flurbs" in terms_of("dose_unit")
        assert word_set("articles") == load_pack().words("articles")
    assert pack_in_use() is load_pack()


def test_extract_language_setting_reaches_the_workflow_pipeline() -> None:
    """`extract.language` (settings) is what the workflow builds its pipeline with: an unknown
    pack stops the run with EM461 instead of running on English."""
    from evidence_miner.errors import EvidenceMinerError
    from evidence_miner.records import Page
    from evidence_miner.settings import load_settings
    from evidence_miner.workflow import process_pages

    extract = {"language": "no-such-pack", "ner_model": "none", "study_model": "none"}
    settings = load_settings(None, {"extract": extract})
    page = Page(url="https://x.test/flurbs", text="Drug X trial\n\n" + TEXT)
    with pytest.raises(EvidenceMinerError, match=r"\[EM461\]"):
        list(process_pages([page], settings))


def test_build_pipeline_language_fills_the_config(other_pack: Path) -> None:
    from evidence_miner.extract.pipeline import build_pipeline

    nlp = build_pipeline(ner_model="none", study_model="none", language=str(other_pack))
    assert nlp.config["evidence_miner"]["language"] == str(other_pack)
    doc = nlp(TEXT)
    assert [s.text for s in doc.spans["em_doses"]] == ["5 flurbs"]
