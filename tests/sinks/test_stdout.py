"""The stdout sink prints records as they come and ends a JSON array even after a failure."""

from __future__ import annotations

import json

import pytest

from evidence_miner.sinks.stdout import StdoutSink
from evidence_miner.workflow import ArticleResult


def test_stdout_sink_closes_its_json_array_when_not_ok(
    capsys: pytest.CaptureFixture[str], article_result
) -> None:
    sink = StdoutSink("json")
    sink.open()
    sink.write(article_result)
    sink.write(ArticleResult(url="file:///bad.txt", error="[EM103] empty"))
    sink.close(ok=False)
    printed = json.loads(capsys.readouterr().out)
    assert [r["record_id"] for r in printed] == [r.record_id for r in article_result.records]


def test_stdout_sink_of_nothing_prints_an_empty_array(capsys: pytest.CaptureFixture[str]) -> None:
    sink = StdoutSink("json")
    sink.open()
    sink.close(ok=True)
    assert capsys.readouterr().out == "[]\n"
