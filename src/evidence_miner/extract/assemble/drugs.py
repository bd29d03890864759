"""Group drug mentions into interventions and decide each one's role in the study."""

from __future__ import annotations

from spacy.tokens import Span

from evidence_miner.extract.assemble.facts import DoseFact, InterventionFact
from evidence_miner.extract.assemble.view import StudyView, provenance
from evidence_miner.extract.components.concepts import entry_for
from evidence_miner.extract.extensions import DRUGS
from evidence_miner.extract.lexicons import Lexicon, LexiconEntry
from evidence_miner.extract.patterns import word_set


def group_drug_mentions(view: StudyView) -> dict[str, list[Span]]:
    """Drug mentions of the study (headline included) by lexicon key, in text order."""
    groups: dict[str, list[Span]] = {}
    for span in view.all_spans(DRUGS):
        in_title = span.end <= view.title_end
        if (in_title or view.start <= span.start < view.end) and not is_drug_target(view, span):
            groups.setdefault(span.kb_id_, []).append(span)
    return groups


def is_drug_target(view: StudyView, span: Span) -> bool:
    """Mentions that are no treatment: a target ("which blocks interleukin-4", "effects on
    serotonin and norepinephrine"), part of a condition's name or a measurement ("opioid
    dependence", "tetracycline resistance", "vitamin D levels"), or a class describing the drug
    before it ("amitriptyline, a tricyclic antidepressant")."""
    # "tetracycline-resistant"
    head_at = span.end + (span.end < len(view.doc) and view.doc[span.end].text == "-")
    if any(t.start == head_at for t in view.sentence_terms(span, "non_treatment_head")):
        return True
    long_form = long_form_of(view, span)
    if long_form is not None:
        return is_drug_target(view, long_form)  # "calcitonin gene-related peptide (CGRP)"
    cues = [c for c in view.sentence_terms(span, "target_cue") if 0 <= span.start - c.end <= 4]
    if cues:  # the sentence's drug tokens are gathered only where a target cue is near
        drugs = {
            i for d in view.all_spans(DRUGS) if d.sent == span.sent for i in range(d.start, d.end)
        }
        list_words = word_set("drug_list_words")
        for cue in cues:
            if all(t.lower_ in list_words or t.i in drugs for t in view.doc[cue.end : span.start]):
                return True  # "effects on serotonin and norepinephrine": both are targets
    return is_apposition(view, span)


def long_form_of(view: StudyView, short: Span) -> Span | None:
    """The drug mention that an abbreviation stands for, when the abbreviation detector linked
    them."""
    for found in getattr(view.doc._, "abbreviations", None) or []:
        if found.start == short.start and found.end == short.end:
            long = found._.long_form
            return next(
                (d for d in view.all_spans(DRUGS) if long.start <= d.start and d.end <= long.end),
                None,
            )
    return None


def is_apposition(view: StudyView, span: Span) -> bool:
    """ "amitriptyline, a tricyclic antidepressant" / "the antibiotic doxycycline": a word that
    describes the drug next to it."""
    if (
        any(d.start == span.end for d in view.all_spans(DRUGS))
        and span.start > 0
        and view.doc[span.start - 1].lower_ in word_set("articles")
    ):
        return True
    if (
        span.start < 3
        or view.doc[span.start - 1].lower_ not in word_set("articles")
        or view.doc[span.start - 2].text != ","
    ):
        return False
    return any(d.end == span.start - 2 for d in view.all_spans(DRUGS))


def is_shielded(view: StudyView, mention: Span) -> bool:
    """A mention that is a time reference ("before IVIg") rather than the dosed drug."""
    return mention.start > 0 and view.doc[mention.start - 1].lower_ in word_set("shielding_words")


def has_cue_before(view: StudyView, mention: Span, kind: str, window: int) -> bool:
    return any(
        t.end <= mention.start and mention.start - t.end <= window and t.sent == mention.sent
        for t in view.sentence_terms(mention, kind)
    )


def score_as_studied(view: StudyView, mentions: list[Span], dose_count: int) -> float:
    # "New Blood Thinner Beats Heparin": a headline's comparator is not what it reports
    in_title = any(m.end <= view.title_end and not is_compared(view, m) for m in mentions)
    assigned = any(has_cue_before(view, m, "assignment_cue", 3) for m in mentions)
    # "better than heparin", "compared with heparin": named mostly as what is compared with
    mostly_compared = 2 * sum(1 for m in mentions if is_compared(view, m)) >= len(mentions)
    return (
        3 * in_title + 2 * dose_count + min(len(mentions), 5) + 2 * assigned - 3 * mostly_compared
    )


def is_compared(view: StudyView, mention: Span) -> bool:
    """A mention named as what something is compared with ("than heparin", "beats heparin")."""
    return has_cue_before(view, mention, "comparator_cue", 3)


def pick_studied(
    view: StudyView, groups: dict[str, list[Span]], lexicon: Lexicon, doses: dict[str, int]
) -> str | None:
    """The drug the study is about: in the headline, dosed, given, named often; a class only
    when no single drug stands out."""
    candidates = [
        (
            score_as_studied(view, mentions, doses.get(key, 0))
            - 6 * entry_for(lexicon, key, "drug").is_class,
            -mentions[0].start,
            key,
        )
        for key, mentions in groups.items()
        if entry_for(lexicon, key, "drug").kind != "placebo"
    ]
    return max(candidates)[2] if candidates else None


def decide_role(
    view: StudyView,
    entry: LexiconEntry,
    mentions: list[Span],
    *,
    studied: str | None,
    dose_count: int,
) -> str:
    if entry.kind == "placebo":
        return "placebo"
    if entry.key == studied:
        return "studied"
    body = [m for m in mentions if m.start >= view.title_end] or mentions
    if any(has_cue_before(view, m, "comparator_cue", 3) for m in body) or is_other_arm(
        view, body, studied
    ):
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


def is_other_arm(view: StudyView, mentions: list[Span], studied: str | None) -> bool:
    """ "assigned to 4.5 mg of naltrexone (n=107) or 25 mg of amitriptyline": the drug after
    "or"/"versus" in a sentence that assigns the studied drug is the comparator."""
    for mention in mentions:
        sent = mention.sent
        lead = {t.lower_ for t in view.doc[max(sent.start, mention.start - 8) : mention.start]}
        studied_before = any(
            d.kb_id_ == studied and d.sent == sent and d.end <= mention.start
            for d in view.all_spans(DRUGS)
        )
        if (
            studied_before
            and lead & word_set("alternative_words")
            and view.has_term_in_sentence(mention, "assignment_cue")
        ):
            return True
    return False


def merge_salt_forms(
    groups: dict[str, list[Span]], lexicon: Lexicon
) -> tuple[dict[str, list[Span]], dict[str, str]]:
    """ "lithium" in a text about "lithium chloride" is that salt: a one-word name's mentions
    join the most-mentioned entry whose name starts with it. Returns the groups and the keys
    moved."""
    merged = {key: list(spans) for key, spans in groups.items()}
    moved: dict[str, str] = {}
    names = {k: entry_for(lexicon, k, "drug").name.lower() for k in merged}
    for key in list(merged):
        name = names[key]
        longer = [k for k in merged if k != key and names[k].startswith(name + " ")]
        if " " in name or not longer:
            continue
        target = max(longer, key=lambda k: len(merged[k]))
        merged[target] = sorted(merged[target] + merged.pop(key), key=lambda s: s.start)
        moved[key] = target
    return merged, moved


def build_intervention(
    view: StudyView, entry: LexiconEntry, mentions: list[Span], role: str, doses: list[DoseFact]
) -> InterventionFact:
    first = next((m for m in mentions if m.start >= view.title_end), mentions[0])
    aliases = sorted({m.text for m in mentions if m.text.lower() != entry.name.lower()})
    return InterventionFact(
        where=provenance(view, first, 0.9 if len(mentions) > 1 else 0.7),
        name=entry.name.lower(),
        aliases=aliases,
        ids=dict(entry.ids),
        role=role,
        is_class=entry.is_class,
        doses=doses,
    )
