"""Tests for the word lists of lang/en/words.toml and their look-ups (word_set, word_map)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import evidence_miner
from evidence_miner.errors import ExtractionError
from evidence_miner.extract.patterns import terms_of, word_map, word_set
from evidence_miner.lang import load_pack
from evidence_miner.lang.pack import to_word_list

PACKAGE = Path(evidence_miner.__file__).resolve().parent
LOOKUP_RE = re.compile(r"""\bword_(?:set|map)\(\s*["']([a-z0-9_]+)["']\s*\)""")


def names_asked_for_in_source() -> set[str]:
    """Every list name that package code passes to word_set() or word_map() as a literal."""
    sources = (path.read_text("utf-8") for path in PACKAGE.rglob("*.py"))
    return {name for text in sources for name in LOOKUP_RE.findall(text)}


def known_names() -> set[str]:
    pack = load_pack()
    return set(pack.word_lists) | set(pack.word_maps)


def test_word_set_returns_frozenset_of_lowercase_words() -> None:
    words = word_set("arm_heads")
    assert isinstance(words, frozenset)
    assert {"group", "arm", "dose"} <= words
    assert all(isinstance(w, str) and w and w == w.lower() for w in words)


def test_word_set_is_read_once() -> None:
    assert word_set("no_words") is word_set("no_words")


def test_word_set_unknown_name_lists_known_names() -> None:
    with pytest.raises(ExtractionError, match=r"\[EM407\].*'no_such_list'") as raised:
        word_set("no_such_list")
    message = str(raised.value)
    assert "known lists are [" in message
    assert "'arm_heads'" in message and "'report_verbs'" in message
    assert "'enrolment_verbs'" not in message  # a map, not a list


def test_word_map_returns_read_only_table() -> None:
    verbs = word_map("enrolment_verbs")
    assert verbs["randomised"] == "randomized" and verbs["screened"] == "screened"
    with pytest.raises(TypeError):
        verbs["added"] = "enrolled"  # type: ignore[index]


def test_word_map_unknown_name_lists_known_maps() -> None:
    known = r"known maps are \['british_spellings', 'enrolment_verbs', 'therapy_heads'\]"
    with pytest.raises(ExtractionError, match=rf"\[EM407\].*{known}"):
        word_map("arm_heads")


@pytest.mark.parametrize(
    "value",
    [["Group"], ["arm", ""], ["arm", "arm"], "arm", [1], {"Enrolled": "enrolled"}, {"enrolled": 1}],
)
def test_word_list_entry_rejects_bad_values(value: object) -> None:
    with pytest.raises(ExtractionError, match=r"\[EM408\] lang/en/words.toml: 'bad' must be"):
        to_word_list("lang/en/words.toml", "bad", value)


def test_words_file_every_list_is_used_in_source() -> None:
    unused = set(known_names()) - names_asked_for_in_source()
    assert not unused, f"lists no code asks for; remove them from words.toml: {sorted(unused)}"


def test_words_file_has_every_list_the_source_asks_for() -> None:
    missing = names_asked_for_in_source() - set(known_names())
    assert not missing, f"word lists asked for but not in lang/en/words.toml: {sorted(missing)}"


def test_terms_of_unknown_kind_is_an_error_not_an_empty_set() -> None:
    with pytest.raises(ExtractionError, match=r"\[EM460\].*'typo'"):
        terms_of("typo")
