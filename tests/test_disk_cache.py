"""Tests for the on-disk cache of values built from data files."""

from __future__ import annotations

from evidence_miner import disk_cache


def test_cache_key_changes_with_any_part() -> None:
    key = disk_cache.to_cache_key([b"ab", b"c"])
    assert key == disk_cache.to_cache_key([b"ab", b"c"])
    assert key != disk_cache.to_cache_key([b"a", b"bc"])
    assert key != disk_cache.to_cache_key([b"ab", b"d"])


def test_write_keeps_only_the_newest_versions(tmp_path) -> None:
    for number in range(disk_cache.KEEP_VERSIONS + 3):
        disk_cache.write_cached(tmp_path / f"drugs-{number:032d}.marshal", str(number), (number,))
    assert len(list(tmp_path.glob("drugs-*.marshal"))) == disk_cache.KEEP_VERSIONS
    assert not list(tmp_path.glob(".*.tmp"))



def test_cached_builds_once_per_key(tmp_path) -> None:
    builds = []

    def build() -> dict:
        builds.append(1)
        return {"a": (1, 2.5, frozenset({"x"}))}

    first = disk_cache.cached(tmp_path, "item", [b"v1"], build)
    assert disk_cache.cached(tmp_path, "item", [b"v1"], build) == first
    assert len(builds) == 1
    disk_cache.cached(tmp_path, "item", [b"v2"], build)
    assert len(builds) == 2
