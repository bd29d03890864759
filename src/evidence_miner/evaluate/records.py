"""The pipeline's records for a set of gold articles, as `evaluate`, the floors test and
scripts/update_floors.py score them."""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language

from evidence_miner.sources.read import read_page
from evidence_miner.errors import InputError
from evidence_miner.evaluate.fakehealth import DEFAULT_FAKEHEALTH, read_real_articles, to_page
from evidence_miner.evaluate.gold import GoldArticle
from evidence_miner.records import EvidenceRecord, Page
from evidence_miner.settings import Settings, load_settings
from evidence_miner.workflow import BatchWatch, extract_records

MAX_ARTICLE_BYTES = 5_000_000


def pages_for_golds(
    golds: list[GoldArticle], *, fakehealth: Path = DEFAULT_FAKEHEALTH
) -> list[Page]:
    """Each gold article's page, in order: its saved file, or its FakeHealth article by news_id.

    Raises InputError for a gold file with neither (EM511) or a data set that lacks an id.
    """
    news_ids = [g.news_id for g in golds if g.article_path is None and g.news_id is not None]
    real = read_real_articles(fakehealth, news_ids) if news_ids else {}
    pages = []
    for gold in golds:
        if gold.article_path is not None:
            pages.append(read_page(gold.article_path, max_bytes=MAX_ARTICLE_BYTES))
        elif gold.news_id is not None:
            pages.append(to_page(real[gold.news_id]))
        else:
            raise InputError(
                f"[EM511] Gold file {str(gold.gold_path)!r} has no article beside it and names no "
                "`news_id`. Put NAME.txt or NAME.html beside it, or give the FakeHealth news_id."
            )
    return pages


def records_for_golds(
    nlp: Language | None,
    golds: list[GoldArticle],
    *,
    pipeline_version: str = "evaluate",
    fakehealth: Path = DEFAULT_FAKEHEALTH,
    settings: Settings | None = None,
    watch: BatchWatch | None = None,
) -> list[EvidenceRecord]:
    """Every gold article's records, in order, through the workflow (extract and normalise); an
    article the pipeline fails on has none. `nlp` None: built from the settings."""
    pages = pages_for_golds(golds, fakehealth=fakehealth)
    return extract_records(
        pages, settings or load_settings(), nlp=nlp, pipeline_version=pipeline_version, watch=watch
    )
