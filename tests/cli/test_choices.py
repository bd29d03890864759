"""The choices --help shows without importing their sources stay equal to those sources."""

from __future__ import annotations

from typing import get_args

from evidence_miner.cli import choices


def test_choices_export_tables_match_store() -> None:
    from evidence_miner.store.tables import EXPORT_TABLES

    assert choices.EXPORT_TABLES == tuple(EXPORT_TABLES)


def test_choices_designs_match_records() -> None:
    from evidence_miner.records import Design

    assert choices.DESIGNS == get_args(Design)


def test_choices_fakehealth_default_matches_evaluate() -> None:
    from evidence_miner.evaluate.fakehealth import DEFAULT_FAKEHEALTH

    assert choices.DEFAULT_FAKEHEALTH == DEFAULT_FAKEHEALTH
