"""The closed sets of codes a record's fields take (study designs, result directions), kept
apart from records.py so that --help can list them without importing pydantic."""

from __future__ import annotations

DESIGNS = (
    "rct",
    "prospective_cohort",
    "retrospective",
    "case_control",
    "cross_sectional",
    "case_series",
    "case_report",
    "meta_analysis",
    "systematic_review",
    "observational",
    "animal",
    "in_vitro",
    "unknown",
)
DIRECTIONS = (
    "improved",
    "worsened",
    "stable",
    "improved_or_stable",
    "increased",
    "decreased",
    "no_difference",
)
