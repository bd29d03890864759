"""What runs on a Dask worker: one cached pipeline per process, a batch of page dicts in,
result dicts out."""

from __future__ import annotations

import logging
import resource
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from evidence_miner.records import Page
from evidence_miner.settings import Settings
from evidence_miner.scale.wire import to_wire
from evidence_miner.workflow import process_pages

if TYPE_CHECKING:  # the client references this module's functions without loading spaCy
    from spacy.language import Language

log = logging.getLogger(__name__)


@lru_cache(maxsize=2)
def load_pipeline(model: str, ner_model: str, study_model: str, language: str) -> Language:
    """The worker's nlp, built on first use and kept for the life of the worker process."""
    from evidence_miner.extract.pipeline import build_pipeline

    log.info("building the pipeline on a worker", extra={"stage": "scale"})
    return build_pipeline(model, ner_model=ner_model, study_model=study_model, language=language)


def warm_up(model: str, ner_model: str, study_model: str, language: str) -> None:
    """Build the worker's pipeline now, returning nothing (client.run would otherwise ship the
    whole pipeline back to the client)."""
    load_pipeline(model, ner_model, study_model, language)


def extract_page_dicts(pages: list[dict[str, Any]], settings: dict[str, Any]) -> dict[str, Any]:
    """Results of a batch of pages (Page dicts) as plain data (scale.wire), with the batch's
    problem counts."""
    typed = Settings.model_validate(settings)
    extract = typed.extract
    nlp = load_pipeline(extract.model, extract.ner_model, extract.study_model, extract.language)
    problems: Counter = Counter()
    items = [Page.model_validate(page) for page in pages]
    results = [to_wire(r) for r in process_pages(items, typed, nlp=nlp, problems=problems)]
    return {"results": results, "problems": dict(problems), "peak_rss_mib": read_peak_rss_mib()}


def read_peak_rss_mib() -> float:
    """Peak resident memory of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
