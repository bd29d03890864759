"""Tests for evidence_miner.lang: loading, checking and asking a language pack."""

from __future__ import annotations

import dataclasses
import re
import shutil
from importlib import resources
from pathlib import Path

import pytest

import evidence_miner
from evidence_miner.errors import ConfigError, ExtractionError
from evidence_miner.lang import LANGUAGES, LanguagePack, find_pack_folder, load_pack
from evidence_miner.lang.pack import PACK_FILES, TERM_KINDS, read_pack, to_sentence_word_set

PACKAGE = Path(evidence_miner.__file__).resolve().parent


def copy_en(folder: Path) -> Path:
    """A copy of the shipped English pack in `folder`."""
    source = Path(str(resources.files("evidence_miner.lang").joinpath("en")))
    shutil.copytree(source, folder)
    return folder


def test_load_pack_en_is_read_once_and_frozen() -> None:
    pack = load_pack("en")
    assert pack is load_pack("en") is load_pack()
    assert isinstance(pack, LanguagePack) and pack.name == "lang/en"
    with pytest.raises(dataclasses.FrozenInstanceError):
        pack.name = "xx"  # type: ignore[misc]
    with pytest.raises(TypeError):
        pack.word_lists["articles"] = frozenset()  # type: ignore[index]


def test_pack_terms_of_a_kind_are_lowercase_across_values() -> None:
    routes = load_pack().terms("route")
    assert {"intravenous", "by mouth", "i.v."} <= routes
    assert all(term == term.lower() for term in routes)


def test_pack_terms_unknown_kind_names_known_kinds() -> None:
    message = r"\[EM460\] lang/en/terms.jsonl has no term kind 'typo'"
    with pytest.raises(ExtractionError, match=message) as raised:
        load_pack().terms("typo")
    assert "'dose_unit'" in str(raised.value) and "'route'" in str(raised.value)


def test_find_pack_folder_unknown_name_lists_registered_ones() -> None:
    with pytest.raises(ConfigError, match=r"\[EM461\] No language pack 'xx'") as raised:
        find_pack_folder("xx")
    assert str(sorted(LANGUAGES)) in str(raised.value)


def test_every_registered_pack_has_every_file() -> None:
    for name in LANGUAGES:
        folder = find_pack_folder(name)
        assert all(folder.joinpath(file).is_file() for file in PACK_FILES), name


def test_read_pack_missing_file_names_it(tmp_path: Path) -> None:
    folder = copy_en(tmp_path / "xx")
    (folder / "words.toml").unlink()
    with pytest.raises(ConfigError, match=r"\[EM462\] Language pack xx has no readable words.toml"):
        read_pack(folder, "xx")


def test_read_pack_bad_json_line_names_file_and_line(tmp_path: Path) -> None:
    folder = copy_en(tmp_path / "xx")
    lines = (folder / "terms.jsonl").read_text("utf-8").splitlines()
    lines[2] = '{"kind": "age", "terms": ["aged"'
    (folder / "terms.jsonl").write_text("\n".join(lines), "utf-8")
    with pytest.raises(ExtractionError, match=r"\[EM401\] xx/terms.jsonl line 3 is not valid JSON"):
        read_pack(folder, "xx")


def test_read_pack_unknown_kind_names_file_and_line(tmp_path: Path) -> None:
    folder = copy_en(tmp_path / "xx")
    with (folder / "terms.jsonl").open("a", encoding="utf-8") as out:
        out.write('\n{"kind": "quote_verb", "terms": ["said"]}\n')
    lines = len((folder / "terms.jsonl").read_text("utf-8").splitlines())
    message = rf"\[EM403\] xx/terms.jsonl line {lines} has unknown kind 'quote_verb'"
    with pytest.raises(ExtractionError, match=message):
        read_pack(folder, "xx")


def test_read_pack_unknown_sentence_list_is_an_error(tmp_path: Path) -> None:
    folder = copy_en(tmp_path / "xx")
    with (folder / "sentences.toml").open("a", encoding="utf-8") as out:
        out.write('\ntitels = ["dr"]\n')
    message = r"\[EM441\] xx/sentences.toml has unknown lists \['titels'\]"
    with pytest.raises(ExtractionError, match=message):
        read_pack(folder, "xx")


def test_read_pack_unknown_negation_key_is_an_error(tmp_path: Path) -> None:
    folder = copy_en(tmp_path / "xx")
    with (folder / "negation.toml").open("a", encoding="utf-8") as out:
        out.write('\n[add.preceding]\nx = ["not"]\n')
    message = r"\[EM406\] xx/negation.toml: unknown keys \['preceding'\]"
    with pytest.raises(ExtractionError, match=message):
        read_pack(folder, "xx")


def test_read_pack_bad_word_list_is_an_error(tmp_path: Path) -> None:
    folder = copy_en(tmp_path / "xx")
    with (folder / "words.toml").open("a", encoding="utf-8") as out:
        out.write('\n[bad_map]\nEnrolled = "enrolled"\n')
    with pytest.raises(ExtractionError, match=r"\[EM408\] xx/words.toml: 'bad_map' must be"):
        read_pack(folder, "xx")


def test_every_term_kind_has_terms_and_is_read_in_source() -> None:
    """A kind in TERM_KINDS has lines in the English pack and code that names it (terms_of,
    a span label, a config's targets)."""
    files = [*PACKAGE.rglob("*.py"), PACKAGE / "extract" / "default.cfg"]
    sources = "\n".join(path.read_text("utf-8") for path in files if path.parent.name != "lang")
    read = set(re.findall(r'"([a-z_]+)"', sources)) & TERM_KINDS
    pack = load_pack()
    assert not [kind for kind in TERM_KINDS if not pack.terms(kind)], "kinds without terms"
    assert not TERM_KINDS - read, f"kinds no code reads; remove them: {sorted(TERM_KINDS - read)}"


@pytest.mark.parametrize("value", [["dr", "dr"], ["Dr"], [""], "dr"])
def test_sentence_word_list_bad_entry_is_an_error(value: object) -> None:
    with pytest.raises(ExtractionError, match=r"\[EM442\] xx/sentences.toml: 'titles' must be"):
        to_sentence_word_set("xx/sentences.toml", "titles", value)
