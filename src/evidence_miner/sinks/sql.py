"""The SQL store sink: each result saved in the evidence database (SQLite or PostgreSQL, store/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evidence_miner.sinks import SinkContext

if TYPE_CHECKING:
    from evidence_miner.store import EvidenceStore
    from evidence_miner.workflow import ArticleResult


@dataclass
class SaveTally:
    """What the saves of a run did: pages new, changed, unchanged or failed, records added or
    updated, and the failures' messages (a scheduled run's run log row)."""

    pages_new: int = 0
    pages_changed: int = 0
    pages_unchanged: int = 0
    pages_failed: int = 0
    records_added: int = 0
    records_updated: int = 0
    errors: list[str] = field(default_factory=list)


class SqlStoreSink:
    """Saves each article with exactly its records (the store removes the ones it no longer
    has) or the failure with its reason; a document skipped by --resume is stored already.
    With `keep_versions` (crawls), a page whose text changed keeps its old text in
    page_versions, noted with `run_id`. `tally` counts what the saves did."""

    def __init__(
        self,
        store: EvidenceStore,
        *,
        keep_versions: bool = False,
        run_id: int | None = None,
        tally: SaveTally | None = None,
        owned: bool = False,
    ) -> None:
        self.store, self.keep_versions, self.run_id = store, keep_versions, run_id
        self.owned = owned  # opened by make_sql_store_sink: closed with the sink
        self.tally = tally if tally is not None else SaveTally()

    def open(self) -> None:
        """Nothing to do: the store is open (and migrated) when the sink is made."""

    def write(self, result: ArticleResult) -> None:
        if result.skipped:
            return
        if result.error is not None or result.article is None:
            self.tally.pages_failed += 1
            self.tally.errors.append(str(result.error))
            self.store.save_failure(result.url, str(result.error))
            return
        self.save_article(result)

    def save_article(self, result: ArticleResult) -> None:
        from evidence_miner.workflow import PIPELINE_VERSION

        assert result.article is not None
        run_log = self.store.run_log()
        known = run_log.stored_text_sha256(result.url)
        if self.keep_versions and known is not None and known != result.article.page.text_sha256:
            run_log.keep_page_version(result.url, self.run_id)
        saved = self.store.save_article(
            result.article, result.records, pipeline_version=PIPELINE_VERSION
        )
        if known is None:
            self.tally.pages_new += 1
            self.tally.records_added += saved.records_written
        elif saved.unchanged:
            self.tally.pages_unchanged += 1
        else:
            self.tally.pages_changed += 1
            self.tally.records_updated += saved.records_written + saved.records_removed

    def close(self, *, ok: bool) -> None:
        if self.owned:
            self.store.close()


def make_sql_store_sink(context: SinkContext) -> SqlStoreSink:
    """`--sink sql=DB` (a SQLite path or database URL, opened and migrated now), or `--sink sql`
    for the run's --db."""
    if context.target:
        from evidence_miner.store import open_store

        return SqlStoreSink(open_store(context.target), owned=True)
    if context.store is None:
        from evidence_miner.sinks import require_target

        require_target("sql", context, "a database (or the command's --db)")
    assert context.store is not None
    return SqlStoreSink(context.store)
