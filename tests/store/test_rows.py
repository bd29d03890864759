"""Tests of store.rows: every page field has a place, child rows get stable positions."""

from __future__ import annotations

from evidence_miner.records import Dose, Intervention, Page
from evidence_miner.store.rows import to_child_rows, to_page_values
from evidence_miner.store.schema import DoseRow, InterventionRow, PageRow


def test_to_page_values_has_a_place_for_every_page_field(make_article) -> None:
    article, _ = make_article()
    values = to_page_values(article.page, status="records", reason=None, pipeline_version="1")
    assert set(values) <= set(PageRow.__table__.columns.keys())
    for field in Page.model_fields:
        assert field in values or field in values["extra"]


def test_to_page_values_fingerprint_follows_content(make_article) -> None:
    article, _ = make_article()
    other = article.page.model_copy(update={"title": "Another title"})
    fingerprints = {
        to_page_values(page, status="records", reason=None, pipeline_version=version)[
            "fingerprint"
        ]
        for page, version in ((article.page, "1"), (article.page, "1"), (other, "1"),
                              (article.page, "2"))
    }
    assert len(fingerprints) == 3


def test_to_child_rows_numbers_doses_across_interventions(make_article) -> None:
    _, [record] = make_article(studies=1)
    doses = [Dose(value=10, unit="mg"), Dose(value=15, unit="mg")]
    record = record.model_copy(update={"interventions": [
        Intervention(name="prednisone", doses=doses),
        Intervention(name="placebo", role="placebo"),
        Intervention(name="methotrexate", doses=doses[:1]),
    ]})
    rows = to_child_rows(record)
    assert [(r["position"], r["name"]) for r in rows[InterventionRow]] \
        == [(0, "prednisone"), (1, "placebo"), (2, "methotrexate")]
    assert [(r["position"], r["intervention_position"], r["intervention_name"], r["value"])
            for r in rows[DoseRow]] \
        == [(0, 0, "prednisone", 10), (1, 0, "prednisone", 15), (2, 2, "methotrexate", 10)]
    assert {r["record_id"] for rows_of in rows.values() for r in rows_of} == {record.record_id}
