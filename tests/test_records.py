"""records.py: a record's JSON line starts with what identifies it."""

from __future__ import annotations

import json

from evidence_miner.records import Count, EvidenceRecord, Intervention, Population, Source, Study, to_json_line


def build_record() -> EvidenceRecord:
    return EvidenceRecord(record_id="em-order", source=Source(url="https://a.example/1", title="A trial"),
                          study=Study(design="rct"), population=Population(total=Count(value=120)),
                          interventions=[Intervention(name="semaglutide")], pipeline_version="1")  # fmt: skip


def test_to_json_line_puts_record_id_and_source_first() -> None:
    line = to_json_line(build_record())
    assert list(json.loads(line))[:2] == ["record_id", "source"]
    assert line.startswith('{"record_id": "em-order", "source": {"url": "https://a.example/1"')


def test_to_json_line_keeps_every_value() -> None:
    record = build_record()
    assert json.loads(to_json_line(record)) == record.model_dump(mode="json")
    assert EvidenceRecord.model_validate_json(to_json_line(record)) == record
