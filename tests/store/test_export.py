"""Tests of store.export: JSON Lines that parse back into equal records."""

from __future__ import annotations

import io
from pathlib import Path

from evidence_miner.records import EvidenceRecord
from evidence_miner.store import EvidenceStore, write_jsonl


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
