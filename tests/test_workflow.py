"""Workflow helpers for batches: resume skips done pages, summaries count what happened."""

from __future__ import annotations

from pathlib import Path

from evidence_miner.records import Article, Page
from evidence_miner.store import open_store
from evidence_miner.workflow import (
    ArticleResult,
    RunSummary,
    skip_done,
)


def test_skip_done_replaces_done_pages_and_keeps_order() -> None:
    pages = [Page(url=f"https://x.test/{i}", text=f"text {i}") for i in range(5)]
    error = ArticleResult(url="file:///bad.txt", error="[EM103] empty")
    done = {"https://x.test/1", "https://x.test/3"}
    items = list(skip_done([*pages[:2], error, *pages[2:]], lambda pairs: {u for u, _ in pairs} & done, batch_size=2))
    assert [item.url for item in items] == [p.url for p in pages[:2]] + [error.url] + [p.url for p in pages[2:]]
    assert [isinstance(item, ArticleResult) and item.skipped for item in items] == [False, True, False, False, True, False]


def test_run_summary_counts_skipped_apart() -> None:
    summary = RunSummary()
    summary.add(ArticleResult(url="https://x.test/1", skipped=True))
    assert (summary.skipped, summary.articles, summary.failures) == (1, 0, 0)


def test_find_done_pages_needs_same_text_and_version(tmp_path: Path) -> None:
    page = Page(url="https://x.test/1", text="No study here.")
    with open_store(str(tmp_path / "t.db")) as store:
        store.save_article(Article(page=page, no_study_reason="none"), [], pipeline_version="1.0")
        store.save_failure("https://x.test/2", "[EM103] empty")
        pairs = [(page.url, page.text_sha256), ("https://x.test/2", "abc")]
        assert store.find_done_pages(pairs, pipeline_version="1.0") == {page.url}
        assert store.find_done_pages(pairs, pipeline_version="2.0") == set()
        assert store.find_done_pages([(page.url, "other")], pipeline_version="1.0") == set()
