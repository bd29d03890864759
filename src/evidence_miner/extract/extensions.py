"""The one table of custom spaCy attributes evidence-miner sets, registered once."""

from __future__ import annotations

from spacy.tokens import Doc, Span

# Span attributes hold plain data, one type each (None when not set). spaCy keeps them by
# character offsets, so two spans over the same text share them: a value that differs by span
# group (a term's value, a lexicon key, an effect type) lives in the span's own kb_id instead.
SPAN_EXTENSIONS: dict[str, object] = {
    "em_value": None,  # float: the number a span stands for
    "em_low": None,  # float: low end of a range
    "em_high": None,  # float: high end of a range
    "em_unit": None,  # str: unit as written (dose units, time units)
    "em_of": None,  # int: a count's denominator ("two of nine")
    # str: a count's group label ("with ataxic neuropathy" -> "ataxic neuropathy")
    "em_label": None,
    "em_kind": None,  # str: how a span was found (pattern name)
    "em_p": None,  # float: an effect's p value
    "em_op": None,  # str: the p value's operator ("=", "<", ...)
}
DOC_EXTENSIONS: dict[str, object] = {
    "em_findings": None,  # list[dict]: Findings.model_dump() per study, set by em_findings
    "em_no_study_reason": None,  # str: why no study was found
}

# Span groups (doc.spans[...]) the components write.
NUMBERS = "em_numbers"
DRUGS = "em_drugs"
CONDITIONS = "em_conditions"
DOSES = "em_doses"
DURATIONS = "em_durations"
PERCENTS = "em_percents"
FREQUENCIES = "em_frequencies"
ROUTES = "em_routes"
EFFECTS = "em_effects"
COUNTS = "em_counts"
NEGATED = "em_negated"  # negation scopes, cue to target (em_negation)


def register_extensions() -> None:
    """Declare every attribute once; calling it again changes nothing."""
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
