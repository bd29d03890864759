"""The SQL store sink saves articles and failures and counts what its saves did."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from evidence_miner.records import Page
from evidence_miner.sinks.sql import SqlStoreSink
from evidence_miner.store import EvidenceStore, open_store
from evidence_miner.store.run_log import PageVersionRow
from evidence_miner.workflow import ArticleResult


def to_changed(result: ArticleResult) -> ArticleResult:
    """The same article with another text: a correction of the page."""
    assert result.article is not None
    page = Page(url=result.url, text=result.article.page.text + "\nCorrection: a typo was fixed.")
    article = result.article.model_copy(update={"page": page})
    return ArticleResult(url=result.url, article=article, records=result.records)


def count_page_versions(store: EvidenceStore) -> int:
    with store._engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(PageVersionRow)).scalar_one()


def test_sql_sink_counts_new_unchanged_changed_and_failed(tmp_path: Path, article_result) -> None:
    with open_store(str(tmp_path / "evidence.db")) as store:
        sink = SqlStoreSink(store, keep_versions=True)
        sink.open()
        sink.write(article_result)
        sink.write(article_result)
        sink.write(to_changed(article_result))
        sink.write(ArticleResult(url="file:///bad.txt", error="[EM103] empty"))
        sink.write(ArticleResult(url="https://news.test/done", skipped=True))
        sink.close(ok=True)
        tally = sink.tally
        pages = (tally.pages_new, tally.pages_unchanged, tally.pages_changed, tally.pages_failed)
        assert pages == (1, 1, 1, 1)
        assert tally.records_added == len(article_result.records)
        assert tally.errors == ["[EM103] empty"]
        assert [r.record_id for r in store.get_page_records(article_result.url)] == [
            r.record_id for r in article_result.records
        ]
        assert count_page_versions(store) == 1


def test_sql_sink_without_keep_versions_keeps_no_old_text(tmp_path: Path, article_result) -> None:
    with open_store(str(tmp_path / "evidence.db")) as store:
        sink = SqlStoreSink(store)
        sink.write(article_result)
        sink.write(to_changed(article_result))
        assert count_page_versions(store) == 0
