"""Tests of store.export and store.tables on both backends: JSON Lines, CSV and typed Parquet
that carry every row, and exports that stream in bounded memory."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evidence_miner.errors import ConfigError
from evidence_miner.records import EvidenceRecord
from evidence_miner.store import EvidenceStore, open_store, write_jsonl
from evidence_miner.store.export import to_csv_cell, write_csv, write_parquet, write_rows_jsonl
from evidence_miner.store.tables import EXPORT_TABLES, export_columns, select_export_rows


def export_rows(store: EvidenceStore, table: str, *, json_as_text: bool = True) -> list[dict]:
    names, _ = export_columns(table, json_as_text=json_as_text)
    return [dict(zip(names, row, strict=True))
            for batch in store.iter_table_batches(table, json_as_text=json_as_text)
            for row in batch]  # fmt: skip


def test_write_jsonl_round_trips_through_the_store(
    store: EvidenceStore, tmp_path: Path, make_article
) -> None:
    article, records = make_article(studies=3)
    store.save_article(article, records, pipeline_version="1")
    out_path = tmp_path / "records.jsonl"
    with out_path.open("w", encoding="utf-8") as out:
        written = write_jsonl(store.iter_records(), out)
    lines = out_path.read_text(encoding="utf-8").splitlines()
    assert written == len(lines) == 3
    in_id_order = sorted(records, key=lambda record: record.record_id)
    assert [EvidenceRecord.model_validate_json(line) for line in lines] == in_id_order


def test_write_jsonl_keeps_non_ascii_text(make_article) -> None:
    _, records = make_article(studies=1)
    out = io.StringIO()
    write_jsonl(records, out)
    assert "Sjögren" in out.getvalue()
    assert out.getvalue().endswith("}\n")


def test_write_jsonl_of_nothing_writes_nothing() -> None:
    out = io.StringIO()
    assert write_jsonl([], out) == 0
    assert out.getvalue() == ""


def test_every_table_exports_every_row(store: EvidenceStore, make_article) -> None:
    store.save_article(*make_article(studies=2), pipeline_version="1")
    counts = store.counts()
    for table in EXPORT_TABLES:
        assert len(export_rows(store, table)) == counts[table], table


def test_doses_rows_carry_record_id_and_drug(store: EvidenceStore, make_article) -> None:
    _, [record] = make_article(studies=1)
    store.save_article(*make_article(studies=1), pipeline_version="1")
    [dose] = export_rows(store, "doses")
    assert {k: dose[k] for k in ("record_id", "drug", "drugbank_id", "value", "unit", "group_n")} \
        == {"record_id": record.record_id, "drug": "immunoglobulin", "drugbank_id": "DB00028",
            "value": 2.0, "unit": "g/kg", "group_n": 10}  # fmt: skip


def test_records_rows_join_page_drugs_and_conditions(store: EvidenceStore, make_article) -> None:
    article, records = make_article(studies=1)
    store.save_article(article, records, pipeline_version="1")
    [row] = export_rows(store, "records")
    assert (row["url"], row["site_name"], row["drugs"], row["conditions"]) \
        == (article.page.url, "Example News", "immunoglobulin", "sjogren syndrome")
    assert json.loads(row["record"]) == records[0].model_dump(mode="json")
    assert row["published"] == date(2015, 4, 2)


def test_outcome_rows_list_the_studied_drugs_in_order(store: EvidenceStore, make_article) -> None:
    article, [record] = make_article(studies=1)
    drugs = [record.interventions[0],
             record.interventions[0].model_copy(update={"name": "prednisone", "doses": []}),
             record.interventions[0].model_copy(update={"name": "placebo", "role": "placebo"})]
    store.save_article(article, [record.model_copy(update={"interventions": drugs})],
                       pipeline_version="1")  # fmt: skip
    [outcome] = export_rows(store, "outcomes")
    assert outcome["drugs"] == "immunoglobulin; prednisone"


def test_csv_is_spreadsheet_safe(make_article) -> None:
    out = io.StringIO()
    rows = [[1, True, None, "=HYPERLINK(1)", 0.5, "line one\nline two", "Sjögren", -3]]
    write_csv(["n", "flag", "empty", "formula", "x", "text", "name", "neg"], [rows], out)
    [_, row] = list(csv.reader(io.StringIO(out.getvalue())))
    assert row == ["1", "true", "", "'=HYPERLINK(1)", "0.5", "line one\nline two", "Sjögren", "-3"]
    assert out.getvalue().split("\n")[0].endswith("\r")
    assert to_csv_cell(datetime(2024, 5, 1, 12)) == "2024-05-01T12:00:00"


def test_csv_of_pages_leaves_out_the_text(store: EvidenceStore, make_article) -> None:
    names, _ = export_columns("pages", json_as_text=True, csv=True)
    assert "text" not in names and "url" in names
    assert "record" not in export_columns("records", json_as_text=True, csv=True)[0]


def test_parquet_has_proper_types_and_every_value(
    store: EvidenceStore, tmp_path: Path, make_article
) -> None:
    store.save_article(*make_article(studies=2), pipeline_version="1")
    path = tmp_path / "doses.parquet"
    names, types = export_columns("doses", json_as_text=True)
    written = write_parquet(names, types, store.iter_table_batches("doses", json_as_text=True), path)
    table = pq.read_table(path)
    assert written == table.num_rows == 2
    schema = {field.name: field.type for field in table.schema}
    assert (schema["value"], schema["group_n"], schema["drug"]) == (pa.float64(), pa.int64(), pa.string())
    assert table.column("value").to_pylist() == [2.0, 2.0]
    assert table.to_pylist() == export_rows(store, "doses")


def test_parquet_types_dates_timestamps_and_booleans(
    store: EvidenceStore, tmp_path: Path, make_article
) -> None:
    store.save_article(*make_article(studies=1), pipeline_version="1")
    for table, column, kind in (("records", "published", pa.date32()),
                                ("records", "created_at", pa.timestamp("us", tz="UTC")),
                                ("adverse_events", "led_to_discontinuation", pa.bool_())):
        names, types = export_columns(table, json_as_text=True)
        path = tmp_path / f"{table}.parquet"
        write_parquet(names, types, store.iter_table_batches(table, json_as_text=True), path)
        assert pq.read_schema(path).field(column).type == kind, (table, column)
    assert pq.read_table(tmp_path / "adverse_events.parquet").column("led_to_discontinuation") \
        .to_pylist() == [True]


def test_parquet_of_an_empty_table_has_its_columns(store: EvidenceStore, tmp_path: Path) -> None:
    names, types = export_columns("outcomes", json_as_text=True)
    path = tmp_path / "empty.parquet"
    assert write_parquet(names, types, store.iter_table_batches("outcomes", json_as_text=True), path) == 0
    assert pq.read_schema(path).names == names


def test_jsonl_rows_of_pages_keep_text_and_json_values(store: EvidenceStore, make_article) -> None:
    article, records = make_article(studies=1)
    store.save_article(article, records, pipeline_version="1")
    names, _ = export_columns("pages", json_as_text=False)
    out = io.StringIO()
    write_rows_jsonl(names, store.iter_table_batches("pages", json_as_text=False), out)
    [page] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert (page["text"], page["authors"], page["published"]) == (article.page.text, ["A. Writer"], "2015-04-02")
    assert "id" not in page


def test_unknown_table_is_a_usage_error() -> None:
    with pytest.raises(ConfigError, match=r"\[EM310\].*'dosez'.*doses"):
        select_export_rows("dosez", json_as_text=True)


MEASURE = textwrap.dedent('''
    import json, resource, sys
    from pathlib import Path
    import pyarrow.parquet  # imported before the baseline: it is loaded by any parquet export
    from evidence_miner.cli.export import ExportFormat, ExportTable, export
    from evidence_miner.store import open_store
    db, fmt, out = sys.argv[1:4]
    open_store(db).close()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    export(db=db, fmt=ExportFormat(fmt), table=ExportTable["records"], output=Path(out), config=None, quiet=True)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"before_kb": before, "after_kb": after}))
''')
BIG_RECORDS = 10_000
PADDING = 12_000  # characters of outcome text per record: about 120 MB of record JSON in all
GROWTH_LIMIT_MB = 60


def fill_store(db_url: str, make_article) -> int:
    """10,000 records of about 12 KB each; returns the bytes of record JSON stored."""
    _, [template] = make_article(studies=1)
    outcome = template.outcomes[0].model_copy(update={"text": "x" * PADDING})
    template = template.model_copy(update={"outcomes": [outcome]})

    def records():
        for index in range(BIG_RECORDS):
            source = template.source.model_copy(update={"url": f"https://big.example/{index // 4}"})
            yield template.model_copy(update={"record_id": f"em-big-{index:06d}", "source": source})

    with open_store(db_url) as store:
        store.import_items(records(), batch_size=1000)
        assert store.counts()["records"] == BIG_RECORDS
    return BIG_RECORDS * len(template.model_dump_json())


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def big_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, make_article,
           new_pg_schema) -> Iterator[tuple[str, int]]:
    """A store of 10,000 large records on each backend, shared by this module's tests."""
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("big") / "big.db")
        yield url, fill_store(url, make_article)
        return
    with new_pg_schema(request.getfixturevalue("pg_server_url")) as url:
        yield url, fill_store(url, make_article)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_export_of_10000_records_stays_in_bounded_memory(big_db, fmt: str, tmp_path: Path) -> None:
    db_url, json_bytes = big_db
    assert json_bytes > 2 * GROWTH_LIMIT_MB * 2**20  # holding the rows at once could not pass
    out = tmp_path / f"records.{fmt}"
    process = subprocess.Popen([sys.executable, "-c", MEASURE, db_url, fmt, str(out)],
                               stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    stdout, _ = process.communicate(timeout=300)
    assert process.returncode == 0
    measured = json.loads(stdout)
    growth_mb = (measured["after_kb"] - measured["before_kb"]) / 1024
    assert growth_mb < GROWTH_LIMIT_MB, f"export grew by {growth_mb:.0f} MB"
    rows = pq.read_metadata(out).num_rows if fmt == "parquet" else len(out.read_text("utf-8").splitlines())
    assert rows == BIG_RECORDS
