"""Tests of EvidenceStore: saving articles, replacing records, reading them back."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import evidence_miner.store.save as save_module
from evidence_miner.errors import StoreError
from evidence_miner.store import EvidenceStore, open_store, to_database_url

URL_B = "https://news.example/other"


Query = Callable[..., list[tuple[Any, ...]]]
TABLES = ["pages", "records", "interventions", "doses", "outcomes", "effects", "adverse_events",
          "conditions", "population_groups", "record_history"]


def dump_tables(query: Query) -> dict[str, list[tuple]]:
    """Every row of every table."""
    return {table: query(f"SELECT * FROM {table} ORDER BY 1, 2") for table in TABLES}


def test_save_article_round_trips_records(store: EvidenceStore, make_article) -> None:
    article, records = make_article()
    store.save_article(article, records, pipeline_version="1")
    assert list(store.iter_records()) == sorted(records, key=lambda record: record.record_id)
    assert store.get_record(records[1].record_id) == records[1]


def test_save_article_fills_child_tables(store: EvidenceStore, query: Query, make_article) -> None:
    article, records = make_article(studies=1)
    store.save_article(article, records, pipeline_version="1")
    assert query("SELECT intervention_name, value, unit, route, group_n FROM doses") \
        == [("immunoglobulin", 2.0, "g/kg", "intravenous", 10)]
    assert query("SELECT effect_type, effect_value, ci_low, ci_high, p_value "
                              "FROM outcomes") == [("HR", 0.61, 0.42, 0.88, 0.01)]
    assert query("SELECT name, count, led_to_discontinuation FROM adverse_events") \
        == [("nausea", 1, 1)]
    assert query("SELECT name, drugbank_id, mesh_id FROM interventions") \
        == [("immunoglobulin", "DB00028", "D016756")]
    assert query("SELECT design, journal, total FROM records") \
        == [("retrospective", "Arthritis Care & Research", 19)]


def test_save_article_twice_changes_nothing(
    store: EvidenceStore, query: Query, make_article
) -> None:
    article, records = make_article()
    first = store.save_article(article, records, pipeline_version="1")
    before = dump_tables(query)
    again = store.save_article(article, records, pipeline_version="1")
    assert dump_tables(query) == before
    assert (again.page_id, again.records_written, again.unchanged) == (first.page_id, 0, True)
    assert (first.records_written, first.unchanged) == (2, False)


def test_save_article_removes_stale_records_and_their_rows(
    store: EvidenceStore, make_article
) -> None:
    article, records = make_article(studies=3)
    store.save_article(article, records, pipeline_version="1")
    result = store.save_article(article, records[:1], pipeline_version="1")
    assert (result.records_removed, result.records_written) == (2, 0)
    assert [r.record_id for r in store.iter_records()] == [records[0].record_id]
    counts = store.counts()
    assert (counts["records"], counts["doses"], counts["outcomes"]) == (1, 1, 1)
    assert (counts["adverse_events"], counts["conditions"], counts["population_groups"]) \
        == (1, 1, 1)


def test_save_article_rewrites_a_changed_record(store: EvidenceStore, make_article) -> None:
    article, records = make_article(studies=1)
    store.save_article(article, records, pipeline_version="1")
    changed = records[0].model_copy(update={"outcomes": []})
    result = store.save_article(article, [changed], pipeline_version="1")
    assert (result.records_written, result.unchanged) == (1, False)
    assert store.get_record(changed.record_id) == changed
    assert store.counts()["outcomes"] == 0


def test_save_article_failing_midway_writes_nothing(
    store: EvidenceStore, query: Query, make_article, monkeypatch: pytest.MonkeyPatch
) -> None:
    article, records = make_article(studies=2)
    store.save_article(article, records, pipeline_version="1")
    before = dump_tables(query)
    calls: list[str] = []

    def fail_on_second_record(connection, record) -> None:
        calls.append(record.record_id)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        original(connection, record)

    original = save_module.write_child_rows
    monkeypatch.setattr(save_module, "write_child_rows", fail_on_second_record)
    other, other_records = make_article(URL_B, studies=2, lead="Another text. ")
    changed = [r.model_copy(update={"adverse_events": []}) for r in records]
    for target, target_records in ((other, other_records), (article, changed)):
        calls.clear()
        with pytest.raises(RuntimeError, match="disk on fire"):
            store.save_article(target, target_records, pipeline_version="2")
        assert dump_tables(query) == before


def test_save_article_refuses_duplicate_record_ids(store: EvidenceStore, make_article) -> None:
    article, records = make_article(studies=1)
    with pytest.raises(StoreError, match=r"\[EM307\]"):
        store.save_article(article, records * 2, pipeline_version="1")
    assert store.counts()["pages"] == 0


def test_save_article_stores_no_study_pages_with_reason(
    store: EvidenceStore, query: Query, make_article
) -> None:
    article, records = make_article(studies=0)
    result = store.save_article(article, records, pipeline_version="1")
    assert result.records_written == 0
    assert query("SELECT status, reason FROM pages") \
        == [("no_study", "news without a study")]
    assert store.counts()["no_study"] == 1


def test_save_article_with_no_records_left_marks_page_no_study(
    store: EvidenceStore, make_article
) -> None:
    article, records = make_article(studies=2)
    store.save_article(article, records, pipeline_version="1")
    result = store.save_article(article, [], pipeline_version="1")
    assert result.records_removed == 2
    assert (store.counts()["records"], store.counts()["no_study"]) == (0, 1)


def test_save_failure_records_reason(store: EvidenceStore, query: Query) -> None:
    store.save_failure("https://news.example/gone", "fetch/404")
    store.save_failure("https://news.example/gone", "fetch/404")
    assert query("SELECT url, status, reason FROM pages") \
        == [("https://news.example/gone", "failed", "fetch/404")]
    assert store.counts()["failed"] == 1


def test_save_failure_then_success_clears_the_failure(
    store: EvidenceStore, query: Query, make_article
) -> None:
    article, records = make_article()
    store.save_failure(article.page.url, "fetch/timeout")
    store.save_article(article, records, pipeline_version="1")
    assert query("SELECT status, reason FROM pages") == [("records", None)]


def test_get_page_text_returns_the_article_text(store: EvidenceStore, make_article) -> None:
    article, records = make_article()
    store.save_article(article, records, pipeline_version="1")
    text = store.get_page_text(records[0].record_id)
    assert text == article.page.text
    span = records[0].outcomes[0].span
    assert text[span[0]:span[1]] == "Five of 5 improved"


def test_get_record_and_text_of_unknown_id_are_none(store: EvidenceStore) -> None:
    assert store.get_record("em-missing") is None
    assert store.get_page_text("em-missing") is None


def test_iter_records_orders_by_page_url_then_id(store: EvidenceStore, make_article) -> None:
    for url in ("https://z.example/a", "https://a.example/b"):
        article, records = make_article(url, lead=f"Text of {url}. ")
        store.save_article(article, records, pipeline_version="1")
    found = [(r.source.url, r.record_id) for r in store.iter_records()]
    assert found == sorted(found)
    assert len(found) == 4


def test_counts_tally_every_table(store: EvidenceStore, make_article) -> None:
    store.save_article(*make_article(studies=2), pipeline_version="1")
    store.save_failure("https://news.example/gone", "fetch/404")
    counts = store.counts()
    assert {k: counts[k] for k in ("pages", "records", "failed", "interventions", "doses")} \
        == {"pages": 2, "records": 2, "failed": 1, "interventions": 2, "doses": 2}


def test_close_then_reopen_keeps_everything(db_url: str, make_article) -> None:
    article, records = make_article()
    with open_store(db_url) as store:
        store.save_article(article, records, pipeline_version="1")
    with open_store(to_database_url(db_url)) as store:
        assert {r.record_id: r for r in store.iter_records()} == {r.record_id: r for r in records}


def test_save_article_fills_effects_and_atc_ids(store: EvidenceStore, query: Query, make_article) -> None:
    article, [record] = make_article(studies=1)
    drug = record.interventions[0].model_copy(update={"ids": {"atc": "J06BA02"}})
    store.save_article(article, [record.model_copy(update={"interventions": [drug]})],
                       pipeline_version="1")
    assert query("SELECT position, measure, type, value, ci_low, ci_high, p_operator FROM effects") \
        == [(0, "neuropathy", "HR", 0.61, 0.42, 0.88, "=")]
    assert query("SELECT atc_id, drugbank_id FROM interventions") == [("J06BA02", None)]


def test_newer_pipeline_version_replaces_records_and_keeps_history(
    store: EvidenceStore, query: Query, make_article
) -> None:
    article, records = make_article(studies=2)
    store.save_article(article, records, pipeline_version="1.0")
    newer = [records[0].model_copy(update={"adverse_events": []})]
    result = store.save_article(article, newer, pipeline_version="1.1")
    assert (result.records_written, result.records_removed) == (1, 1)
    assert [r.record_id for r in store.iter_records()] == [records[0].record_id]
    assert query("SELECT pipeline_version FROM records") == [("1.1",)]
    history = query("SELECT record_id, action, pipeline_version FROM record_history ORDER BY id")
    first, second = sorted(r.record_id for r in records)
    assert sorted(history[:2]) == [(first, "inserted", "1.0"), (second, "inserted", "1.0")]
    assert sorted(history[2:]) == sorted([(records[1].record_id, "removed", "1.1"),
                                          (records[0].record_id, "updated", "1.1")])


def test_history_hash_tells_changed_records_apart(store: EvidenceStore, query: Query, make_article) -> None:
    article, [record] = make_article(studies=1)
    store.save_article(article, [record], pipeline_version="1")
    store.save_article(article, [record], pipeline_version="1")
    store.save_article(article, [record.model_copy(update={"outcomes": []})], pipeline_version="1")
    hashes = query("SELECT record_sha256 FROM record_history ORDER BY id")
    assert len(hashes) == 2 and hashes[0] != hashes[1]


def test_failed_save_writes_no_history(
    store: EvidenceStore, query: Query, make_article, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(connection, record) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(save_module, "write_child_rows", fail)
    with pytest.raises(RuntimeError):
        store.save_article(*make_article(), pipeline_version="1")
    assert query("SELECT count(*) FROM record_history") == [(0,)]
    assert query("SELECT count(*) FROM pages") == [(0,)]


def test_history_keeps_every_version_of_a_record(store: EvidenceStore, query: Query, make_article) -> None:
    article, [record] = make_article(studies=1)
    store.save_article(article, [record], pipeline_version="1")
    corrected = record.model_copy(update={"outcomes": []})
    store.save_article(article, [corrected], pipeline_version="1")
    store.save_article(article, [], pipeline_version="1")
    rows = query("SELECT action, record FROM record_history ORDER BY id")
    assert [action for action, _ in rows] == ["inserted", "updated", "removed"]
    versions = [json.loads(data) if isinstance(data, str) else data for _, data in rows]
    assert versions[0]["outcomes"] == record.model_dump(mode="json")["outcomes"] != []
    assert versions[1]["outcomes"] == [] and versions[2] is None
