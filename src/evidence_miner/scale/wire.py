"""Results across the Dask boundary as plain dicts of JSON text: pydantic's serialiser writes
them on the worker and its JSON validator reads them on the client, which costs the client about
a third of what rebuilding the models from Python dicts does (benchmarks/throughput.py)."""

from __future__ import annotations

from typing import Any

from evidence_miner.records import Article, EvidenceRecord
from evidence_miner.workflow import ArticleResult


def to_wire(result: ArticleResult) -> dict[str, Any]:
    """A result as a plain dict: its article and records as JSON strings."""
    return {
        "url": result.url,
        "error": result.error,
        "skipped": result.skipped,
        "article": None if result.article is None else result.article.model_dump_json(),
        "records": [record.model_dump_json() for record in result.records],
    }


def from_wire(data: dict[str, Any]) -> ArticleResult:
    article = None if data["article"] is None else Article.model_validate_json(data["article"])
    records = [EvidenceRecord.model_validate_json(record) for record in data["records"]]
    return ArticleResult(
        url=data["url"],
        article=article,
        records=records,
        error=data["error"],
        skipped=data["skipped"],
    )
