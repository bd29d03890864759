"""Choices and defaults that command options show in --help, written out here so that --help
imports no database, model or HTML package (tests/cli/test_choices.py keeps them equal to
their sources: store.tables.EXPORT_TABLES, records.Design, evaluate.fakehealth)."""

from __future__ import annotations

from pathlib import Path

EXPORT_TABLES = ("records", "pages", "interventions", "doses", "outcomes", "effects", "adverse_events",
                 "conditions", "population_groups", "record_history")  # fmt: skip
DESIGNS = ("rct", "prospective_cohort", "retrospective", "case_control", "cross_sectional", "case_series",
           "case_report", "meta_analysis", "systematic_review", "observational", "animal", "in_vitro",
           "unknown")  # fmt: skip
DEFAULT_FAKEHEALTH = Path("../shared/data/fakehealth/articles.jsonl.gz")
