"""The records file sink writes JSON Lines (or a JSON array); the file is replaced only on
success."""

from __future__ import annotations

import json
from pathlib import Path

from evidence_miner.records import to_json_line
from evidence_miner.sinks.jsonl import RecordsFileSink
from evidence_miner.workflow import ArticleResult

PRECIOUS = '{"kept": 1}\n'


def test_records_file_sink_writes_each_record_as_one_line(tmp_path: Path, article_result) -> None:
    path = tmp_path / "records.jsonl"
    sink = RecordsFileSink(path)
    sink.open()
    sink.write(article_result)
    sink.write(ArticleResult(url="file:///bad.txt", error="[EM103] empty"))
    sink.close(ok=True)
    expected = "".join(to_json_line(record) + "\n" for record in article_result.records)
    assert path.read_text("utf-8") == expected


def test_records_file_sink_not_ok_leaves_the_old_file(tmp_path: Path, article_result) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text(PRECIOUS, "utf-8")
    sink = RecordsFileSink(path)
    sink.open()
    sink.write(article_result)
    sink.close(ok=False)
    assert path.read_text("utf-8") == PRECIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.jsonl"]


def test_records_file_sink_writes_a_json_array(tmp_path: Path, article_result) -> None:
    path = tmp_path / "records.json"
    sink = RecordsFileSink(path, "json")
    sink.open()
    sink.write(article_result)
    sink.close(ok=True)
    records = json.loads(path.read_text("utf-8"))
    assert [r["record_id"] for r in records] == [r.record_id for r in article_result.records]
