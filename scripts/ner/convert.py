"""Turn PubTator documents into spaCy Docs/DocBins tokenized with evidence-miner's tokenizer."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from spacy.util import filter_spans

from .pubtator import PubtatorDoc

log = logging.getLogger(__name__)

TOKENIZER = "evidence_miner.scispacy_tokenizer.v1"


def make_blank_nlp(tokenizer: str = TOKENIZER) -> Language:
    """A blank English pipeline with a registered tokenizer (ours, found via its entry point)."""
    return spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": tokenizer}}})


def to_spacy_doc(nlp: Language, source: PubtatorDoc, counts: Counter) -> Doc:
    """Tokenize one document and set its gold entities, counting what had to be adjusted.

    Mentions that do not fall on token boundaries are expanded to the tokens that cover
    them (`alignment_mode="expand"`); if expanded spans then overlap, the longest is kept.
    """
    doc = nlp.make_doc(source.text)
    spans = []
    for mention in source.mentions:
        counts["mentions"] += 1
        counts["composite"] += mention.composite
        span = doc.char_span(mention.start, mention.end, label=mention.label)
        if span is None:
            counts["misaligned_expanded"] += 1
            span = doc.char_span(
                mention.start, mention.end, label=mention.label, alignment_mode="expand"
            )
        spans.append(span)
    kept = filter_spans(spans)
    counts["dropped_overlap"] += len(spans) - len(kept)
    doc.ents = kept
    return doc


def to_docbin(nlp: Language, sources: Iterable[PubtatorDoc], path: Path) -> Counter:
    """Write the documents to a DocBin at `path`; return the alignment counters."""
    counts: Counter = Counter()
    docbin = DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"], store_user_data=False)
    for source in sources:
        docbin.add(to_spacy_doc(nlp, source, counts))
        counts["docs"] += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    docbin.to_disk(path)
    log.info("wrote %s: %s", path, dict(counts))
    return counts


def expand_to_tokens(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Character offsets of the smallest run of tokens covering `start:end`."""
    span: Span = doc.char_span(start, end, alignment_mode="expand")
    return span.start_char, span.end_char
