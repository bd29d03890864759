"""Choices and defaults that command options show in --help, written out here so that --help
imports no database, model or HTML package (tests/cli/test_choices.py keeps them equal to
their sources: store.tables.EXPORT_TABLES, records.Design, evaluate.fakehealth)."""

from __future__ import annotations

from pathlib import Path

from evidence_miner.codes import DESIGNS  # noqa: F401 (listed in --help)

EXPORT_TABLES = (
    "records",
    "pages",
    "interventions",
    "doses",
    "outcomes",
    "effects",
    "adverse_events",
    "conditions",
    "population_groups",
    "record_history",
)
DEFAULT_FAKEHEALTH = Path("../shared/data/fakehealth/articles.jsonl.gz")
