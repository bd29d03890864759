"""Results cross the Dask boundary as plain dicts of JSON text and come back equal."""

from __future__ import annotations

import pickle
from pathlib import Path

from evidence_miner.sources.read import read_page
from evidence_miner.scale.wire import from_wire, to_wire
from evidence_miner.settings import load_settings
from evidence_miner.workflow import ArticleResult, process_pages

REPO = Path(__file__).resolve().parents[2]


def test_wire_round_trips_extracted_results(nlp) -> None:
    settings = load_settings(None, {})
    pages = [read_page(path, max_bytes=5_000_000) for path in sorted((REPO / "corpus" / "dev").glob("*.txt"))[:3]]
    failed = ArticleResult(url="file:///bad.txt", error="[EM103] empty")
    results = [*process_pages(pages, settings, nlp=nlp), failed]
    assert any(result.records for result in results)
    wired = pickle.loads(pickle.dumps([to_wire(result) for result in results]))
    assert [from_wire(data) for data in wired] == results


def test_wire_is_plain_data() -> None:
    data = to_wire(ArticleResult(url="https://x.test/1", skipped=True))
    assert data == {"url": "https://x.test/1", "error": None, "skipped": True, "article": None, "records": []}
