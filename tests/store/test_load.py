"""Tests of store.load on both backends: an export imported into another database gives the
same records and pages back; bad lines are refused with EM309; importing twice changes nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from evidence_miner.errors import StoreError
from evidence_miner.store import EvidenceStore, open_store, write_jsonl
from evidence_miner.store.export import write_rows_jsonl
from evidence_miner.store.load import PageImport, RecordImport, parse_import_line
from evidence_miner.store.tables import export_columns

URL_B = "https://news.example/other"


def to_lines(store: EvidenceStore, table: str = "records") -> list[str]:
    out = io.StringIO()
    if table == "records":
        write_jsonl(store.iter_records(), out)
    else:
        names, _ = export_columns(table, json_as_text=False)
        write_rows_jsonl(names, store.iter_table_batches(table, json_as_text=False), out)
    return out.getvalue().splitlines()


def parse_all(lines: list[str]) -> list:
    return [parse_import_line(line, f"line {n}") for n, line in enumerate(lines, 1)]


@pytest.fixture
def source(tmp_path: Path, make_article) -> EvidenceStore:
    """A SQLite store with two articles (four records) and a no-study page."""
    store = open_store(str(tmp_path / "source.db"))
    store.save_article(*make_article(studies=2), pipeline_version="1.0")
    store.save_article(*make_article(URL_B, studies=2, lead="Another one. "), pipeline_version="1.1")
    store.save_article(*make_article("https://news.example/none", studies=0), pipeline_version="1.1")
    yield store
    store.close()


def test_export_import_export_gives_identical_records_and_pages(
    source: EvidenceStore, store: EvidenceStore
) -> None:
    records, pages = to_lines(source), to_lines(source, "pages")
    result = store.import_items(parse_all(records + pages))
    assert (result.records_inserted, result.pages_written) == (4, 3)
    assert to_lines(store) == records
    assert to_lines(store, "pages") == pages
    assert store.get_page_text(json.loads(records[0])["record_id"]) is not None
    assert to_lines(store, "doses") == to_lines(source, "doses")


def test_import_twice_changes_nothing(source: EvidenceStore, store: EvidenceStore, query) -> None:
    items = parse_all(to_lines(source) + to_lines(source, "pages"))
    store.import_items(items)
    before = {table: query(f"SELECT * FROM {table} ORDER BY 1, 2") for table in ("records", "pages", "doses")}
    again = store.import_items(items)
    assert (again.records_inserted, again.records_updated, again.records_unchanged) == (0, 0, 4)
    assert {table: query(f"SELECT * FROM {table} ORDER BY 1, 2") for table in before} == before
    assert query("SELECT count(*) FROM record_history") == [(4,)]


def test_records_without_their_pages_get_pages_from_their_source(
    source: EvidenceStore, store: EvidenceStore, query
) -> None:
    store.import_items(parse_all(to_lines(source)))
    assert query("SELECT url, status, site_name, text FROM pages ORDER BY url") == [
        ("https://news.example/ivig", "records", None, None),
        (URL_B, "records", None, None),
    ]
    assert to_lines(store) == to_lines(source)


def test_import_in_small_batches_matches_one_batch(source: EvidenceStore, store: EvidenceStore) -> None:
    result = store.import_items(parse_all(to_lines(source)), batch_size=1)
    assert result.records_inserted == 4
    assert to_lines(store) == to_lines(source)


def test_import_replaces_a_changed_record_and_its_rows(
    source: EvidenceStore, store: EvidenceStore, query
) -> None:
    lines = to_lines(source)
    store.import_items(parse_all(lines))
    changed = json.loads(lines[0]) | {"adverse_events": [], "pipeline_version": "2.0"}
    result = store.import_items(parse_all([json.dumps(changed)]))
    assert result.records_updated == 1
    assert query("SELECT count(*) FROM adverse_events WHERE record_id = :id", id=changed["record_id"]) == [(0,)]
    assert query("SELECT action, pipeline_version FROM record_history WHERE record_id = :id ORDER BY id",
                 id=changed["record_id"]) == [("inserted", "test"), ("updated", "2.0")]  # fmt: skip


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "is not JSON"),
        ('{"record_id": "em-1", "source": {"url": "x"}, "study": {"design": "rtc"}}', "study.design"),
        ('{"hello": 1}', "neither an evidence record"),
        ('{"url": "x", "status": "weird"}', "status 'weird'"),
        ('{"url": "x", "status": "records", "colour": "red"}', "unknown columns"),
        ('{"url": "x", "status": "records", "published": "yesterday"}', "malformed date"),
        ("[1, 2]", "neither an evidence record"),
    ],
)
def test_parse_import_line_refuses_what_is_not_an_export(line: str, problem: str) -> None:
    with pytest.raises(StoreError, match=rf"\[EM309\] line 7 .*{problem}"):
        parse_import_line(line, "line 7")


def test_parse_import_line_reads_page_dates() -> None:
    page = parse_import_line('{"id": 3, "url": "u", "status": "failed", "published": "2024-05-01", '
                             '"created_at": "2024-05-01T10:00:00+00:00"}', "line 1")  # fmt: skip
    assert isinstance(page, PageImport)
    assert "id" not in page.values
    assert str(page.values["published"]) == "2024-05-01"
    assert page.values["created_at"].tzinfo is not None


def test_a_row_the_database_refuses_fails_alone(source: EvidenceStore, store: EvidenceStore, query) -> None:
    """A value no validation caught (a cohort larger than an SQL integer) makes the database
    refuse its batch: the rows are written again one by one and only that one fails (EM323)."""
    lines = to_lines(source)
    huge = json.loads(lines[1]) | {"record_id": "em-huge"}
    huge["population"]["total"]["value"] = 10**30
    items = [*parse_all(lines[:1]), RecordImport(parse_import_line(json.dumps(huge), "x"), "line 2 of 'r.jsonl'"),
             *parse_all(lines[1:])]  # fmt: skip
    result = store.import_items(items)
    assert result.records_inserted == 4 and len(result.refused) == 1
    assert result.refused[0].startswith("[EM323] line 2 of 'r.jsonl': the database refused this row")
    assert query("SELECT count(*) FROM records WHERE record_id = 'em-huge'") == [(0,)]
