"""Score a pipeline on PubTator documents (exact character spans) and time it."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc

from .convert import expand_to_tokens
from .pubtator import LABELS, PubtatorDoc

Triple = tuple[int, int, str]
TYPES = list(LABELS.values())


def gold_spans(source: PubtatorDoc) -> set[Triple]:
    """The gold (start, end, label) character spans of one document."""
    return {(m.start, m.end, m.label) for m in source.mentions}


def token_gold_spans(doc: Doc, source: PubtatorDoc) -> set[Triple]:
    """Gold spans widened to our token boundaries: what a token-level tagger can reach."""
    return {(*expand_to_tokens(doc, m.start, m.end), m.label) for m in source.mentions}


def predicted_spans(doc: Doc) -> set[Triple]:
    """The predicted (start, end, label) character spans of one document."""
    return {(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents}


def count_matches(gold: set[Triple], pred: set[Triple], counts: Counter) -> None:
    """Add true positives, false positives and false negatives per label to `counts`."""
    for label in TYPES:
        g = {s for s in gold if s[2] == label}
        p = {s for s in pred if s[2] == label}
        counts[(label, "tp")] += len(g & p)
        counts[(label, "fp")] += len(p - g)
        counts[(label, "fn")] += len(g - p)


def to_prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    """Precision, recall and F1 (percentages, 2 decimals) with the raw counts."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "p": round(100 * p, 2),
        "r": round(100 * r, 2),
        "f1": round(100 * f, 2),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "gold": tp + fn,
    }


def to_table(counts: Counter) -> dict[str, dict]:
    """Per-type and micro-averaged scores from the match counts."""
    table = {}
    for label in TYPES:
        table[label] = to_prf(*(counts[(label, k)] for k in ("tp", "fp", "fn")))
    table["micro"] = to_prf(*(sum(counts[(lab, k)] for lab in TYPES) for k in ("tp", "fp", "fn")))
    return table


def score_docs(docs: Iterable[Doc], sources: list[PubtatorDoc]) -> dict[str, dict]:
    """Exact-match scores, and scores against token-aligned gold, for parsed documents."""
    exact: Counter = Counter()
    aligned: Counter = Counter()
    for doc, source in zip(docs, sources, strict=True):
        pred = predicted_spans(doc)
        count_matches(gold_spans(source), pred, exact)
        count_matches(token_gold_spans(doc, source), pred, aligned)
    return {"exact": to_table(exact), "token_aligned_gold": to_table(aligned)}


def time_pipeline(nlp: Language, texts: list[str]) -> tuple[list[Doc], dict[str, float]]:
    """Run the tokenizer alone, then the whole pipeline, over `texts`; words per second each."""
    start = time.perf_counter()
    n_words = sum(len(nlp.make_doc(text)) for text in texts)
    tokenizer_s = time.perf_counter() - start
    start = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=64))
    pipeline_s = time.perf_counter() - start
    return docs, {
        "words": n_words,
        "tokenizer_wps": round(n_words / tokenizer_s),
        "pipeline_wps": round(n_words / pipeline_s),
        "pipeline_seconds": round(pipeline_s, 2),
    }
