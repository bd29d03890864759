"""Arm attribution: each result and harm gets the arm it belongs to, where its sentence says.

A step of its own, run after the results are assembled: a result or harm that carries no group
yet is given the arm named next to it in its sentence.

- The arm named inside the result's own text wins ("4 of 27 canakinumab patients").
- "respectively": the values of the sentence go to its arms in order ("12% and 31% of those on
  the drug and on placebo, respectively"), or, where it names none, to the arms of the sentence
  before in the order it named them.
- Otherwise each value takes the arm named after it and before the next value ("23% on the
  drug versus 31% on placebo"), else the arm named before it and after the previous value,
  else the last arm named before it in the sentence ("Among those on the drug, 30% improved").
  A sentence that names an arm before its first value and none after its last ("In the drug
  group, 23% ...; in the placebo group, 31%") reads the other way: the arm before each value.
- A result whose sentence names no arm but opens on a subgroup ("Among men older than 50, ...")
  takes that subgroup.
- An effect size (HR, OR, RR, ...), and a percentage that is a relative change ("a 30 percent
  lower risk", "a reduction of 41%", "cut the risk by 25 percent"), compares an arm with its
  comparator: it goes to the sentence's first arm that is no comparator, else the studied drug's.
- An arm named after a value behind a comparison cue ("21 percent fewer strokes than warfarin",
  "cut the rate 18 percent compared with placebo") is what the value is measured against, not its
  group: the value takes the arm named before it, else the sentence's own (non-comparator) arm,
  else the studied drug.

Arms are the study's interventions of role studied, comparator or placebo (by their generic
name), control words ("usual care", "control group"), groups named by the words before "group"
or "arm" ("the laser group"), and groups a value is "of" ("8% of the open-surgery patients",
"26% of those assigned to yoga"; no arm of an effect size). Results whose sentence names no arm
keep no group: they are the whole cohort's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypeVar

from spacy.tokens import Span

from evidence_miner.extract.assemble.facts import AdverseEventFact, InterventionFact, OutcomeFact
from evidence_miner.extract.assemble.view import StudyView
from evidence_miner.extract.extensions import COUNTS, DRUGS, NUMBERS, PERCENTS
from evidence_miner.extract.components.concepts import entry_for
from evidence_miner.extract.lexicons import Lexicon
from evidence_miner.extract.patterns import terms_of, word_set

ARM_ROLES = ("studied", "comparator", "placebo")
Result = OutcomeFact | AdverseEventFact
R = TypeVar("R", OutcomeFact, AdverseEventFact)


@dataclass(frozen=True)
class ArmMention:
    """One mention of an arm: its tokens and the label results get."""

    start: int
    end: int
    label: str
    # named only as what a value is "of" ("8% of the open-surgery patients"): no arm an effect
    # size compares
    of_value: bool = False


def find_arm_mentions(
    view: StudyView, interventions: list[InterventionFact], lexicon: Lexicon
) -> list[ArmMention]:
    """Mentions of the study's arms in its body, in text order."""
    names = {i.name for i in interventions if i.role in ARM_ROLES}
    mentions = []
    for span in view.body_spans(DRUGS):
        name = entry_for(lexicon, span.kb_id_, "drug").name.lower()
        if name in names:
            mentions.append(ArmMention(span.start, span.end, name))
    mentions += find_control_mentions(view)
    mentions += find_named_group_mentions(view, mentions)
    mentions += find_value_group_mentions(view, mentions)
    return sorted(mentions, key=lambda m: m.start)


def find_value_group_mentions(view: StudyView, known: list[ArmMention]) -> list[ArmMention]:
    """ "8 percent of the open-surgery patients", "5 percent of keyhole and 8 percent of ...": the
    group a value is "of", named by words before a population noun (or, shared with the next
    value, before "and"), where no arm is named there already. "30% of patients" names none."""
    taken = {i for m in known for i in range(m.start, m.end)}
    taken |= {i for d in view.all_spans(DRUGS) for i in range(d.start, d.end)}
    value_starts = {v.start for kind in (PERCENTS, COUNTS) for v in view.body_spans(kind)}
    found = []
    for value in view.body_spans(PERCENTS) + view.body_spans(COUNTS):
        words = group_words_after_of(view, value, value_starts) or arm_words_after_those(
            view, value
        )
        if words is not None and not taken & set(range(words.start, words.end)):
            found.append(ArmMention(words.start, words.end, words.text.lower(), of_value=True))
    return found


def group_words_after_of(view: StudyView, value: Span, value_starts: set[int]) -> Span | None:
    """The one or two group-naming words after a value's "of [the]", ended by a population noun
    or by "and"/"," before the next value."""
    doc, end = view.doc, value.sent.end
    i = value.end
    if i >= end or doc[i].lower_ != "of":
        return None
    i += 1 + (i + 1 < end and doc[i + 1].lower_ in word_set("articles"))
    start = i
    while (
        i < end
        and i - start < 2
        and is_group_name_word(doc[i])
        and not doc[i].like_num  # "of the 300 women": a denominator, no name
        and not is_population_noun(doc[i])
    ):
        i += 1
    if i == start or i >= end:
        return None
    closes = is_population_noun(doc[i]) or (doc[i].lower_ in ("and", ",") and i + 1 in value_starts)
    return doc[start:i] if closes else None


def arm_words_after_those(view: StudyView, value: Span) -> Span | None:
    """ "26% of those assigned to chelation", "38% of those in mindfulness classes", "89% of the
    people who had heart failure": the words of an arm or subgroup after "of those" and an arm
    verb, "had" or "in"/"on", up to three, to a stop word or mark."""
    doc, end = view.doc, value.sent.end
    i = value.end + 1
    if i >= end or doc[i - 1].lower_ != "of":
        return None
    i += i < end and doc[i].lower_ in word_set("articles")
    if i + 1 >= end or doc[i].lower_ not in word_set("those_words"):
        return None
    i += 1
    relative = doc[i].lower_ in word_set("relative_pronouns")  # "of those who had ..."
    i += relative
    verb = next((t for t in view.sentence_terms(value, "arm_verb") if t.start in (i, i + 1)), None)
    if verb is not None:
        i = verb.end
    elif i < end and (
        doc[i].lower_ in ("in", "on") or (relative and doc[i].lower_ in word_set("had_words"))
    ):
        i += 1
    else:
        return None
    i += i < end and doc[i].lower_ in word_set("articles")
    start = i
    while (
        i < end
        and i - start < 3
        and not doc[i].is_punct
        and doc[i].lower_ not in word_set("arm_word_stops")
        and is_group_name_word(doc[i])
    ):
        i += 1
    return doc[start:i] if i > start else None


def is_population_noun(token) -> bool:
    return token.lower_ in terms_of("population_noun") or token.lower_ in ("eyes", "users")


def is_control_label(label: str) -> bool:
    """ "control group", "usual care", "standard-care group": an arm that gets no study drug."""
    return bool(set(label.replace("-", " ").split()) & word_set("control_arm_words"))


def find_named_group_mentions(view: StudyView, known: list[ArmMention]) -> list[ArmMention]:
    """ "the laser group", "the high-dose arm": an arm or subgroup named by the words before
    "group"/"arm" where no drug or control word names it (those are found already)."""
    doc = view.doc
    taken = {i for m in known for i in range(m.start, m.end)}
    taken |= {i for d in view.all_spans(DRUGS) for i in range(d.start, d.end)}
    found = []
    heads = word_set("named_group_heads")
    for token in doc[max(view.start, view.title_end) : view.end]:
        if token.lower_ not in heads or token.i in taken:
            continue
        start = token.i
        while (
            start > token.sent.start
            and token.i - start < 2
            and is_group_name_word(doc[start - 1])
            and doc[start - 1].i not in taken
        ):
            start -= 1
        if start < token.i:
            label = doc[start : token.i + 1].text.lower()
            found.append(ArmMention(start, token.i + 1, label))
    return found


def is_group_name_word(token) -> bool:
    """A word that can name a group ("laser", "high-dose", the "5 mg" of "the 5 mg group"), not
    a determiner or generic word."""
    return (token.like_num or token.text.replace("-", "").isalpha()) and token.lower_ not in (
        word_set("group_name_stopwords")
    )


def find_control_mentions(view: StudyView) -> list[ArmMention]:
    """ "the control group", "usual care", "the controls": arms without a drug name (a control
    word counts only before an arm head, or as "controls": "blood sugar control" is no arm)."""
    found = []
    doc = view.doc
    for token in doc[max(view.start, view.title_end) : view.end]:
        head = doc[token.i + 1].lower_ if token.i + 1 < len(doc) else ""
        if token.lower_ in word_set("control_arm_words") and head in word_set("arm_heads"):
            found.append(ArmMention(token.i, token.i + 2, f"{token.lower_} {head}"))
        elif token.lower_ == "controls":
            found.append(ArmMention(token.i, token.i + 1, "control group"))
    return found


def item_tokens(view: StudyView, item: Result, taken: set[int]) -> Span | None:
    """The tokens of an assembled result or harm's value: its own span when that holds a number,
    else the first number of its sentence with the item's value ("Constipation occurred in 3% of
    patients on X and 1% on placebo": a harm's span is its name, its values come after)."""
    start, end = item.where.span
    tokens = view.doc.char_span(start, end, alignment_mode="expand")
    if tokens is None or any(t.like_num or any(c.isdigit() for c in t.text) for t in tokens):
        return tokens
    wanted = item.percent if item.percent is not None else item.count
    for group in (PERCENTS, COUNTS, NUMBERS):
        for span in view.all_spans(group):
            if (
                span.sent.start == tokens.sent.start
                and span.start not in taken
                and is_value(span, wanted)
            ):
                taken.add(span.start)
                return span
    return tokens


def is_value(span: Span, wanted: object) -> bool:
    value = span._.em_value
    return value is not None and wanted is not None and abs(float(value) - float(wanted)) < 1e-9  # type: ignore[arg-type]


def pick_arm(item: Span, values: list[Span], arms: list[ArmMention]) -> ArmMention | None:
    """The arm of one value among the values and arms of its sentence (rules in the module doc)."""
    inside = [a for a in arms if item.start <= a.start and a.end <= item.end]
    if inside:
        return inside[0]
    if "respectively" in {t.lower_ for t in item.sent} and len(values) == len(arms):
        return arms[values.index(item)] if item in values else None
    position = values.index(item) if item in values else -1
    next_value = values[position + 1].start if 0 <= position < len(values) - 1 else item.sent.end
    prev_value = values[position - 1].end if position > 0 else item.sent.start
    after = [a for a in arms if item.end <= a.start < next_value]
    before = [a for a in arms if prev_value <= a.start and a.end <= item.start]
    earlier = [a for a in arms if a.end <= item.start]
    if names_arms_first(values or [item], arms):
        return (before[-1:] or earlier[-1:] or after or [None])[0]
    return (after or before[-1:] or earlier[-1:] or [None])[0]


def names_arms_first(values: list[Span], arms: list[ArmMention]) -> bool:
    """ "In the X group, 41% ..., and in the Y group, 27%": an arm before the first value and none
    after the last one: each value's arm is the one before it."""
    return any(a.end <= values[0].start for a in arms) and not any(
        a.start >= values[-1].end for a in arms
    )


def studied_label(interventions: list[InterventionFact]) -> str | None:
    return next((i.name for i in interventions if i.role == "studied"), None)


def effect_arm(arms: list[ArmMention], interventions: list[InterventionFact]) -> str | None:
    """An effect size compares an arm with its comparator: the first arm of its sentence that is
    no comparator, placebo or control ("colchicine cut the risk compared with placebo (RR 0.75)"),
    else the studied drug."""
    comparators = {i.name for i in interventions if i.role in ("comparator", "placebo")}
    own = [a for a in arms if a.label not in comparators and not is_control_label(a.label)]
    return own[0].label if own else studied_label(interventions)


def is_relative_change(view: StudyView, value: Span) -> bool:
    """ "a 30 percent lower risk", "a reduction of 41%", "cut the risk by 25 percent": a
    percentage that compares one arm with another, as an effect size does (no arm's own rate,
    as "41% of those on the drug" is)."""
    doc = view.doc
    after = doc[value.end].lower_ if value.end < len(doc) else ""
    before = [t.lower_ for t in doc[max(value.sent.start, value.start - 2) : value.start]]
    return (
        after in word_set("relative_change_words")
        or (bool(before) and before[-1] == "by")
        or (
            len(before) == 2
            and before[1] == "of"
            and before[0] in word_set("relative_change_words")
        )
    )


# How many tokens may stand between a comparison cue and the arm it names ("than those on").
REFERENCE_GAP = 3


def is_reference_arm(view: StudyView, arm: ArmMention, value: Span) -> bool:
    """The arm follows the value behind a comparison cue ("compared with", "than", "versus")
    with at most REFERENCE_GAP tokens between, and no other value: the value is measured
    against it."""
    if arm.start < value.end:
        return False
    for cue in view.sentence_terms(value, "comparator_cue"):
        if not value.end <= cue.start < cue.end <= arm.start:
            continue
        gap = view.doc[cue.end : arm.start]
        if len(gap) <= REFERENCE_GAP and not has_value(gap):
            return True
    return False


def has_value(tokens: Span) -> bool:
    return any(t.like_num or any(c.isdigit() for c in t.text) for t in tokens)


def measured_arm(
    value: Span,
    reference: ArmMention,
    arms: list[ArmMention],
    interventions: list[InterventionFact],
) -> str | None:
    """The arm a value measured against `reference` belongs to: the arm named before the value,
    else the sentence's first arm that is no comparator, else the studied drug."""
    earlier = [a for a in arms if a.end <= value.start and a.label != reference.label]
    if earlier:
        return earlier[-1].label
    others = [a for a in arms if a.label != reference.label]
    label = effect_arm(others, interventions)
    return label if label != reference.label else None


def attribute_arms(
    view: StudyView, items: list[R], arms: list[ArmMention], interventions: list[InterventionFact]
) -> list[R]:
    """The results or harms with `group` filled from their sentence where it was empty; `arms`
    from find_arm_mentions, found once per study for its results and its harms."""
    taken: set[int] = set()
    located = [(item, item_tokens(view, item, taken)) for item in items]
    by_sentence: dict[int, list[Span]] = {}
    for _, tokens in located:
        if tokens is not None:
            by_sentence.setdefault(tokens.sent.start, []).append(tokens)
    attributed = []
    for item, tokens in located:
        if item.group or tokens is None:
            attributed.append(item)
            continue
        values = sorted(by_sentence[tokens.sent.start], key=lambda s: s.start)
        in_sentence = [a for a in arms if tokens.sent.start <= a.start < tokens.sent.end]
        if isinstance(item, OutcomeFact) and (item.effect or is_relative_change(view, tokens)):
            # with no arm in its sentence, a subgroup the sentence opens on names it first
            frame = None if in_sentence else subgroup_frame(view, tokens)
            label = frame or effect_arm([a for a in in_sentence if not a.of_value], interventions)
        else:
            arm = pick_arm(tokens, values, in_sentence)
            if arm is not None and is_reference_arm(view, arm, tokens):
                label = measured_arm(tokens, arm, in_sentence, interventions)
            else:
                label = arm.label if arm is not None else None
        label = (
            label or subgroup_frame(view, tokens) or respectively_arm(view, tokens, values, arms)
        )
        attributed.append(replace(item, group=label) if label else item)
    return attributed


def respectively_arm(
    view: StudyView, value: Span, values: list[Span], arms: list[ArmMention]
) -> str | None:
    """ "... in 49% of the drug group vs. 47% of the placebo group. Two or more attacks came in
    21 and 24 percent, respectively.": a "respectively" sentence that names no arm lists its
    values in the order the sentence before named its arms (one each)."""
    sent = value.sent
    if "respectively" not in {t.lower_ for t in sent} or sent.start == 0 or value not in values:
        return None
    if any(sent.start <= a.start < sent.end for a in arms):
        return None
    before = view.doc[sent.start - 1].sent
    named = unique_labels([a for a in arms if before.start <= a.start < before.end])
    return named[values.index(value)] if len(named) == len(values) else None


def unique_labels(arms: list[ArmMention]) -> list[str]:
    labels: list[str] = []
    for arm in arms:
        if arm.label not in labels:
            labels.append(arm.label)
    return labels


FRAME_LENGTH = 10  # tokens of "Among men older than 50 who kept taking it," at most


def subgroup_frame(view: StudyView, value: Span) -> str | None:
    """ "Among men older than 50, migraine days fell by 61%": the people a sentence
    opens on, up to its first comma, are the subgroup of a result that names no arm."""
    doc, sent = view.doc, value.sent
    start = sent.start
    while start < value.start and doc[start].lower_ in word_set("frame_openers"):
        start += 1
    if start >= value.start or doc[start].lower_ not in word_set("subgroup_frame_words"):
        return None
    comma = next(
        (t.i for t in doc[start : min(start + FRAME_LENGTH + 1, value.start)] if t.text == ","),
        None,
    )
    if comma is None:
        return None
    phrase = doc[start + 1 : comma]
    people = terms_of("population_noun") | {"those"}
    if not any(t.lower_ in people for t in phrase):
        return None
    words = [t for t in phrase if t.lower_ not in word_set("frame_drops")] or list(phrase)
    return doc[words[0].i : words[-1].i + 1].text
