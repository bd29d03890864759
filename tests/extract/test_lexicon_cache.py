"""Tests for the on-disk cache of built lexicons."""

from __future__ import annotations

import marshal
from pathlib import Path

import pytest

from evidence_miner.extract import lexicons
from evidence_miner.extract.lexicons import CONDITION_FILES, CONDITION_STOPLIST


def build_counting(monkeypatch: pytest.MonkeyPatch, folder: Path | None) -> list[int]:
    """Point the cache at `folder` and count how often the lexicon is built from its files."""
    builds: list[int] = []
    real_build = lexicons.build_packaged

    def counting_build(files: tuple[str, ...], stoplist: str) -> lexicons.Lexicon:
        builds.append(1)
        return real_build(files, stoplist)

    monkeypatch.setattr(lexicons, "build_packaged", counting_build)
    monkeypatch.setattr(lexicons, "cache_folder", lambda: folder)
    return builds


def read_conditions() -> lexicons.Lexicon:
    return lexicons.read_packaged(CONDITION_FILES, CONDITION_STOPLIST)


def assert_same_lexicon(one: lexicons.Lexicon, other: lexicons.Lexicon) -> None:
    assert list(one.entries) == list(other.entries)
    assert list(one.entries.values()) == list(other.entries.values())
    assert one.terms == other.terms and one.case_sensitive_terms == other.case_sensitive_terms
    assert one.prefixes() == other.prefixes()
    assert one.class_of("lupus") == other.class_of("lupus")


def test_read_packaged_builds_once_then_reads_the_cache(monkeypatch, tmp_path) -> None:
    builds = build_counting(monkeypatch, tmp_path)
    first = read_conditions()
    second = read_conditions()
    assert len(builds) == 1
    assert len(list(tmp_path.glob("conditions-*.marshal"))) == 1
    assert_same_lexicon(first, second)


def test_cached_lexicon_equals_the_one_built_from_the_data_files(monkeypatch, tmp_path) -> None:
    build_counting(monkeypatch, tmp_path)
    read_conditions()
    cached = read_conditions()
    built = lexicons.build_packaged(CONDITION_FILES, CONDITION_STOPLIST)
    assert_same_lexicon(cached, built)
    entry = cached.lookup("Sjogren's syndrome")
    assert entry is not None and entry == built.lookup("Sjogren's syndrome")
    assert dict(entry.ids) == dict(built.lookup("Sjogren's syndrome").ids)


def test_damaged_cache_file_is_rebuilt(monkeypatch, tmp_path) -> None:
    builds = build_counting(monkeypatch, tmp_path)
    read_conditions()
    (path,) = tmp_path.glob("conditions-*.marshal")
    path.write_bytes(path.read_bytes()[:1000])
    read_conditions()
    assert len(builds) == 2
    read_conditions()
    assert len(builds) == 2


def test_cache_file_of_other_data_is_not_read(monkeypatch, tmp_path) -> None:
    builds = build_counting(monkeypatch, tmp_path)
    read_conditions()
    (path,) = tmp_path.glob("conditions-*.marshal")
    path.write_bytes(marshal.dumps(("another key", ((), {}, {}, {}, (frozenset(), frozenset())))))
    assert read_conditions().lookup("lupus") is not None
    assert len(builds) == 2


def test_unwritable_cache_folder_only_costs_time(monkeypatch, tmp_path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    builds = build_counting(monkeypatch, blocker / "lexicons")
    assert read_conditions().lookup("lupus") is not None
    assert read_conditions().lookup("lupus") is not None
    assert len(builds) == 2


def test_no_cache_folder_builds_every_time(monkeypatch) -> None:
    builds = build_counting(monkeypatch, None)
    read_conditions()
    read_conditions()
    assert len(builds) == 2


def test_changed_spelling_folds_of_the_language_pack_rebuild(monkeypatch, tmp_path) -> None:
    """The lexicon cache's key holds the pack's british_spellings table (fold_term's), so a
    changed word list gives a new cache file instead of a stale lexicon."""
    builds = build_counting(monkeypatch, tmp_path)
    read_conditions()
    monkeypatch.setattr(lexicons, "_BRITISH", {**lexicons._BRITISH, "oesophag": "esophag"})
    read_conditions()
    assert len(builds) == 2
    assert len(list(tmp_path.glob("conditions-*.marshal"))) == 2


def test_cached_lexicon_makes_an_entry_only_when_it_is_read(monkeypatch, tmp_path) -> None:
    build_counting(monkeypatch, tmp_path)
    read_conditions()
    cached = read_conditions()
    assert isinstance(cached.entries, lexicons.PackedEntries) and not cached.entries.made
    entry = cached.lookup("Sjogren's syndrome")
    assert list(cached.entries.made) == [entry.key]
    assert cached.entries[entry.key] is entry and entry.key in cached.entries
    with pytest.raises(KeyError):
        cached.entries["DOID:no-such-key"]
