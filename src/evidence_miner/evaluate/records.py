"""The pipeline's records for a set of gold articles, as `evaluate`, the floors test and
scripts/update_floors.py score them."""

from __future__ import annotations

from collections import Counter

from spacy.language import Language

from evidence_miner.crawl.read import read_page
from evidence_miner.evaluate.gold import GoldArticle
from evidence_miner.extract.pipeline import extract_article
from evidence_miner.normalise.article import normalise_article
from evidence_miner.records import EvidenceRecord

MAX_ARTICLE_BYTES = 5_000_000


def records_for_golds(nlp: Language, golds: list[GoldArticle], *, pipeline_version: str = "evaluate") -> list[EvidenceRecord]:
    """Extract and normalise every gold article's page, in order."""
    records: list[EvidenceRecord] = []
    for gold in golds:
        page = read_page(gold.article_path, max_bytes=MAX_ARTICLE_BYTES)
        records += normalise_article(extract_article(nlp, page), pipeline_version=pipeline_version, problems=Counter())
    return records
