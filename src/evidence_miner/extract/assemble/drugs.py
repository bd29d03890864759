"""Group drug mentions into interventions and decide each one's role in the study."""

from __future__ import annotations

from spacy.tokens import Span

from evidence_miner.extract.assemble.view import StudyView, provenance
from evidence_miner.extract.extensions import DRUGS
from evidence_miner.extract.lexicons import Lexicon, LexiconEntry

SHIELDING_WORDS = {"before", "after", "following", "during", "than", "stopping", "discontinuing"}


def group_drug_mentions(view: StudyView) -> dict[str, list[Span]]:
    """Drug mentions of the study (headline included) by lexicon key, in text order."""
    groups: dict[str, list[Span]] = {}
    for span in view.doc.spans[DRUGS]:
        in_title = span.end <= view.title_end
        if in_title or view.start <= span.start < view.end:
            groups.setdefault(span._.em_key, []).append(span)
    return groups


def is_shielded(view: StudyView, mention: Span) -> bool:
    """A mention that is a time reference ("before IVIg") rather than the dosed drug."""
    return mention.start > 0 and view.doc[mention.start - 1].lower_ in SHIELDING_WORDS


def has_cue_before(view: StudyView, mention: Span, kind: str, window: int) -> bool:
    return any(
        t.end <= mention.start and mention.start - t.end <= window and t.sent == mention.sent
        for t in view.sentence_terms(mention, kind)
    )


def score_as_studied(view: StudyView, mentions: list[Span], dose_count: int) -> float:
    in_title = any(m.end <= view.title_end for m in mentions)
    assigned = any(has_cue_before(view, m, "assignment_cue", 3) for m in mentions)
    return 3 * in_title + 2 * dose_count + min(len(mentions), 5) + 2 * assigned


def pick_studied(view: StudyView, groups: dict[str, list[Span]], lexicon: Lexicon, doses: dict[str, int]) -> str | None:
    candidates = [
        (score_as_studied(view, mentions, doses.get(key, 0)), -mentions[0].start, key)
        for key, mentions in groups.items()
        if lexicon.entries[key].kind != "placebo"
    ]
    return max(candidates)[2] if candidates else None


def decide_role(view: StudyView, entry: LexiconEntry, mentions: list[Span], *, studied: str | None, dose_count: int) -> str:
    if entry.kind == "placebo":
        return "placebo"
    if entry.key == studied:
        return "studied"
    body = [m for m in mentions if m.start >= view.title_end] or mentions
    if any(has_cue_before(view, m, "comparator_cue", 3) for m in body):
        return "comparator"
    if any(view.has_term_in_sentence(m, "concomitant_cue") for m in body):
        return "concomitant"
    if dose_count:
        return "studied"
    if any(has_cue_before(view, m, "prior_cue", 6) for m in body):
        return "prior"
    if any(has_cue_before(view, m, "assignment_cue", 3) for m in body):
        return "studied"
    return "mentioned"


def build_intervention(view: StudyView, entry: LexiconEntry, mentions: list[Span], role: str, doses: list[dict]) -> dict:
    first = next((m for m in mentions if m.start >= view.title_end), mentions[0])
    aliases = sorted({m.text for m in mentions if m.text.lower() != entry.name.lower()})
    return {
        **provenance(view, first, 0.9 if len(mentions) > 1 else 0.7),
        "name": entry.name.lower(),
        "aliases": aliases,
        "ids": dict(entry.ids),
        "role": role,
        "is_class": entry.is_class,
        "doses": doses,
    }
