"""Tests for what runs on a Dask worker."""

from __future__ import annotations

from evidence_miner.scale import worker


def test_warm_up_builds_the_cached_pipeline_and_returns_nothing(monkeypatch) -> None:
    built: list[tuple[str, str, str, str]] = []
    monkeypatch.setattr(worker, "load_pipeline", lambda *args: built.append(args) or object())
    assert worker.warm_up("default", "none", "none", "en") is None
    assert built == [("default", "none", "none", "en")]
