"""The study population: total, age, condition duration, and the arms and subgroups with sizes."""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Span

from evidence_miner.extract.assemble.arms import ARM_ROLES
from evidence_miner.extract.assemble.facts import (
    CountFact,
    GroupFact,
    InterventionFact,
    QuantityFact,
    TotalFact,
)
from evidence_miner.extract.assemble.outcomes import is_yearly_burden
from evidence_miner.extract.assemble.view import (
    StudyView,
    clean_label,
    is_breakdown_head,
    opens_with_of_the,
    provenance,
)
from evidence_miner.extract.components.counts import is_rounded_count
from evidence_miner.extract.components.numbers import is_age
from evidence_miner.extract.components.quantities import find_range_end
from evidence_miner.extract.extensions import COUNTS, DOSES, DRUGS, DURATIONS, FREQUENCIES, NUMBERS
from evidence_miner.extract.patterns import terms_of, word_map, word_set

# terms that report a result
RESULT_KINDS = (
    "outcome",
    "adverse_event",
    "adverse_event_word",
    "discontinuation",
)


def is_aggregate(count: Span) -> bool:
    """ "12 trials", "40 studies": counts of studies, not of people."""
    return count[-1].lower_ in terms_of("aggregate_noun")


def counts_studies(count: Span) -> bool:
    """ "an analysis of five clinical trials of melatonin ...": a count of studies is no group of
    people, whatever its label."""
    return is_aggregate(count)


def is_definite(view: StudyView, count: Span) -> bool:
    """ "the 14 on verapamil", "these 225 patients": a set the text has already introduced."""
    return count.start > 0 and view.doc[count.start - 1].lower_ in word_set("definite_determiners")


def find_total_cue(view: StudyView, count: Span) -> str | None:
    """The enrolment word that marks a count as the study's total, if any: before the count
    ("enrolled 1,146", "In total, 1,214") unless the count is a definite reference ("Among
    the 14 on verapamil"), or after it ("1,146 were randomized", "56,832 in total")."""
    verbs = word_map("enrolment_verbs")
    if not is_definite(view, count):
        for term in view.sentence_terms(count, "total_cue"):
            if term.end <= count.start and count.start - term.end <= 3:
                return verbs.get(term[-1].lower_, "enrolled")
    after = [t.lower_ for t in view.doc[count.end : min(count.end + 3, count.sent.end)]]
    for word in after:
        if word in verbs:
            return verbs[word]
    for term in view.sentence_terms(count, "total_after_cue"):
        if 0 <= term.start - count.end <= 1:
            return verbs.get(
                term[-1].lower_, "analysed" if "analys" in term.text.lower() else "enrolled"
            )
    return None


def has_weak_total_cue(view: StudyView, count: Span) -> bool:
    """ "looked at 96 children", "treated 48 patients": a verb that may name the cohort, or the
    population it was drawn from, at most 3 tokens before an indefinite count."""
    return not is_definite(view, count) and any(
        term.end <= count.start and count.start - term.end <= 3
        for term in view.sentence_terms(count, "weak_total_cue")
    )


def rank_total(view: StudyView, count: Span) -> tuple | None:
    """Lower ranks win: an enrolment word (a screened count only when nothing else is), the
    sentence naming the design, then an early plain count."""
    if (
        count._.em_kind not in ("plain", "of", "parallel")
        or count._.em_of is not None
        or is_aggregate(count)
        or is_yearly_burden(count)  # "450,000 new cases are diagnosed annually"
    ):
        return None
    cue = find_total_cue(view, count)
    if cue is not None:
        return (1 if cue == "screened" else 0, -count._.em_value, count.start), cue
    if has_weak_total_cue(view, count):  # "looked at 96 children": a cohort or its source
        return (1, -count._.em_value, count.start), "enrolled"
    if count._.em_kind == "parallel":
        return None
    if view.has_term_in_sentence(count, "design") and view.has_term_in_sentence(
        count, "study_word"
    ):
        return (
            1,
            -count._.em_value,
            count.start,
        ), None  # same rank as a screened count: the larger wins
    if (
        count._.em_kind == "plain"
        and not is_definite(view, count)
        and view.sentence_index(count.start) - view.sentence_index(view.start) <= 5
    ):
        return (2, -count._.em_value, count.start), None  # a report states its size early
    return None


def find_total(view: StudyView, *, stated_only: bool = False) -> TotalFact | None:
    """The study's total; `stated_only` keeps only totals the text marks as the cohort."""
    ranked = []
    for count in view.body_spans(COUNTS):
        rank = rank_total(view, count)
        if rank is not None and not (stated_only and rank[0][0] > 1):  # ranks 0 and 1 are stated
            ranked.append((rank[0], count, rank[1]))
    if not ranked:
        return None if stated_only else find_breakdown_total(view)
    _, count, kind = min(ranked, key=lambda item: item[0])
    return TotalFact(count, kind)


def find_breakdown_total(view: StudyView) -> TotalFact | None:
    """With no other total, "Of the 41,872 infants born in the region, 33,946 received ...": the
    largest set a sentence breaks down is the cohort."""
    heads = [
        c
        for c in view.body_spans(COUNTS)
        if is_breakdown_head(c) and c._.em_kind == "plain" and not is_aggregate(c)
    ]
    return TotalFact(max(heads, key=lambda c: c._.em_value), "enrolled") if heads else None


def to_total(view: StudyView, found: TotalFact | None) -> CountFact | None:
    if found is None:
        return None
    count, kind = found.count, found.kind
    where = provenance(view, count, 0.8 if kind else 0.6)
    return CountFact(where=where, value=int(count._.em_value), kind=kind)


def single_patient_total(view: StudyView, design_span: Span) -> CountFact:
    """A case report is about one patient, whether or not the text counts them."""
    return CountFact(where=provenance(view, design_span, 0.7), value=1, kind="enrolled")


def find_patient_age(view: StudyView) -> QuantityFact | None:
    """A case report's "a 54-year-old man": the first "N-year-old" in the body."""
    for number in view.body_spans(NUMBERS):
        if is_age(number) and number._.em_unit.lower().startswith("year"):
            where = provenance(view, number, 0.7)
            return QuantityFact(where=where, value=number._.em_value, unit="year")
    return None


def find_stat_before(view: StudyView, start: int, window: int = 3) -> str | None:
    for term in view.terms("stat"):
        if 0 <= start - term.end <= window:
            return term.kb_id_
    return None


def find_age(view: StudyView, *, single_patient: bool = False) -> QuantityFact | None:
    """ "mean age, 60 years", "Their mean age was 69", "aged 45 to 70": a stated mean or
    median wins, and a range elsewhere in the text gives its low and high. A lone age without
    a mean or median ("over age 50", "by age 4") is a threshold, not the cohort's age, except
    in a report about one patient."""
    candidates = [
        c
        for c in (age_candidate(view, t) for t in view.terms("age") if t.start >= view.title_end)
        if c
    ]
    if not candidates:
        return None
    best = next((c for c in candidates if c.stat and c.value is not None), None)
    if best is None and single_patient:
        best = next((c for c in candidates if c.value is not None), None)
    ranged = next((c for c in candidates if c.low is not None), None)
    if best is None:
        return replace(ranged, value=None) if ranged is not None else None
    if ranged is not None and best.low is None:
        best = replace(best, low=ranged.low, high=ranged.high)
    return best


def age_candidate(view: StudyView, term: Span) -> QuantityFact | None:
    value = find_value_after(view, term)
    if value is None or (value._.em_value is None and value._.em_low is None):
        return None
    own_stat = value._.em_kind if value._.em_kind in ("mean", "median") else None
    stat = find_stat_before(view, term.start) or own_stat
    numbers = {s.start: s for s in view.all_spans(NUMBERS)}
    if value.label_ == "NUMBER" and (last := find_range_end(view.doc, numbers, value)) is not None:
        where = provenance(view, view.doc[term.start : last.end], 0.8)
        return QuantityFact(
            where=where, value=None, low=value._.em_value, high=last._.em_value, unit="year"
        )
    return QuantityFact(
        where=provenance(view, view.doc[term.start : value.end], 0.8),
        value=value._.em_value,
        low=value._.em_low,
        high=value._.em_high,
        stat=stat,
        unit="year",
    )


def find_value_after(view: StudyView, term: Span) -> Span | None:
    """The first duration or number within four tokens after `term`, skipping filler words."""
    i = term.end
    while i < term.sent.end and view.doc[i].lower_ in word_set("age_skip") and i - term.end < 5:
        i += 1
    for group in (DURATIONS, NUMBERS):
        for span in view.all_spans(group):
            if span.start == i:
                return span
    return None


def find_condition_duration(view: StudyView) -> QuantityFact | None:
    """ "(median duration of neuropathy, 9 years)", "had had diabetes for a mean of 12 years"."""
    for token in view.doc[view.start : view.end]:
        if token.lower_ != "duration" or token.i < view.title_end:
            continue
        if view.doc[max(token.i - 3, 0) : token.i].text.lower().count("treatment"):
            continue
        duration = next(
            (
                d
                for d in view.all_spans(DURATIONS)
                if d.sent == token.sent and 0 < d.start - token.i <= 8
            ),
            None,
        )
        if duration is not None:
            stat = find_stat_before(view, token.i) or duration._.em_kind
            where = provenance(view, duration, 0.7)
            return QuantityFact(where=where, value=duration._.em_value, stat=stat)
    return None


def arm_label(view: StudyView, count: Span) -> str | None:
    """What an arm size "(10 patients)" / "(n=574)" refers to: the regimen right before it
    when the sentence lists regimens, else the nearest drug before it, else "X group"."""
    for span in view.all_spans(FREQUENCIES):
        if (
            span.sent == count.sent
            and 0 <= count.start - span.end <= 2
            and is_regimen_list(view, count)
        ):
            return span.text
    drugs = [d for d in view.all_spans(DRUGS) if d.sent == count.sent and d.end <= count.start]
    if drugs:
        return drugs[-1].text
    words = view.doc[max(count.sent.start, count.start - 3) : count.start]
    ends = ("group", "arm", *terms_of("group_noun"))  # "Past users (1,820)"
    return clean_label(words.text) if words.text.lower().rstrip(" (").endswith(ends) else None


def is_regimen_list(view: StudyView, count: Span) -> bool:
    sizes = [
        c for c in view.all_spans(COUNTS) if c.sent == count.sent and c._.em_kind == "arm_size"
    ]
    frequencies = [f for f in view.all_spans(FREQUENCIES) if f.sent == count.sent]
    drugs = {d.kb_id_ for d in view.all_spans(DRUGS) if d.sent == count.sent}
    return len(sizes) >= 2 and len(frequencies) >= 2 and len(drugs) <= 1


def find_groups(
    view: StudyView,
    total: Span | None,
    *,
    results: frozenset[int],
    interventions: list[InterventionFact],
) -> list[GroupFact]:
    """Arms and subgroups with their sizes, once each: "(n=107)" after naltrexone and "of 107
    patients in the LDN group" are one arm. A subgroup is part of the cohort, so a "group" as
    large as the total is the cohort described again (or a source population) and is dropped.
    `results`: the count and percent spans the outcome and adverse-event steps took."""
    groups, seen = find_equal_groups(view), set()
    limit = total._.em_value if total is not None else None
    for count in view.body_spans(COUNTS):
        if (total is not None and count.start == total.start) or counts_studies(count):
            continue
        is_result = count.start in results and count._.em_kind not in ("of", "all")
        group = (
            to_arm_group(view, count, results)
            or to_named_group(view, count)
            or (
                None
                if is_rounded_figure(count)
                else (
                    to_breakdown_group(view, count, is_result)
                    or to_breakdown_head(view, count, {g.n for g in groups})
                    or (None if is_result else to_group(view, count, total))
                )
            )
        )
        if group is None or (
            limit is not None and group.n >= limit and count._.em_kind != "arm_size"
        ):
            continue
        if (
            count._.em_kind == "of"
            and names_an_arm(group)
            and any(g.n == group.n and g.where.sentence < group.where.sentence for g in groups)
        ):
            # "298 of the 413 women in the infusion group": the denominator names an arm sized
            # earlier
            continue
        for one in to_each_arm(view, group, count, interventions):
            identity = (one.key or str(one.label).lower(), one.n)
            if identity not in seen:
                seen.add(identity)
                groups.append(one)
    return groups


def lone_group_as_total(
    total: CountFact | None, groups: list[GroupFact]
) -> tuple[CountFact | None, list[GroupFact]]:
    """A subgroup is part of a larger cohort: with no total, a single group that names no arm
    ("The trial was made up of 150 adults who had severe gout") is the cohort itself, so it
    becomes the total and stops being a group. An arm ("55 on vitamin D") stays an arm."""
    if total is not None or len(groups) != 1 or names_an_arm(groups[0]):
        return total, groups
    lone = groups[0]
    where = replace(lone.where, confidence=min(lone.where.confidence, 0.5))
    return CountFact(where=where, value=lone.n, kind=None), []


def is_rounded_figure(count: Span) -> bool:
    """ "4.1 million adults": a figure written with a scale word is a population's rounded size,
    not a subgroup, whose size a study reports to the person; it is an arm's size only where
    the text names the arm ("1.1 million children in the placebo group", "the placebo group
    (1.1 million children)")."""
    return count._.em_kind != "arm_size" and is_rounded_count(count)


def group_at(
    view: StudyView,
    count: Span,
    confidence: float,
    label: str | None,
    n: float,
    *,
    key: str | None = None,
) -> GroupFact:
    """An arm or subgroup of `n` people, read at `count`; `key` is the drug that names it."""
    return GroupFact(where=provenance(view, count, confidence), label=label, n=int(n), key=key)


def find_equal_groups(view: StudyView) -> list[GroupFact]:
    """ "divided into four groups of 12" (four groups), "groups of 10, 14, 14 and 14"."""
    numbers = {n.start: n for n in view.body_spans(NUMBERS)}
    found = []
    for token in view.doc[max(view.start, view.title_end) : view.end]:
        if (
            token.lower_ not in word_set("group_nouns")
            or token.i + 2 >= len(view.doc)
            or view.doc[token.i + 1].lower_ != "of"
        ):
            continue
        sizes, i = [], token.i + 2
        while i in numbers and numbers[i]._.em_value == int(numbers[i]._.em_value):
            sizes.append(numbers[i])
            i = numbers[i].end
            if i < len(view.doc) and view.doc[i].lower_ in {",", "and"}:
                i += 1 + (i + 1 < len(view.doc) and view.doc[i + 1].lower_ == "and")
        how_many = numbers.get(token.i - 1)
        if len(sizes) == 1 and how_many is not None:
            sizes = sizes * int(how_many._.em_value) if 1 < how_many._.em_value <= 12 else sizes
        for k, size in enumerate(sizes, start=1):
            found.append(group_at(view, size, 0.6, f"group {k}", size._.em_value))
    return found if len(found) > 1 else []


def names_an_arm(group: GroupFact) -> bool:
    """ "in the infusion group", "on placebo": a label that names an arm, not a trait of a
    subgroup."""
    label = str(group.label or "").lower()
    return (
        group.key is not None
        or label.startswith(tuple(f"{w} " for w in word_set("arm_label_leads")))
        or any(w in label.split() for w in word_set("arm_label_words"))
    )


def to_each_arm(
    view: StudyView, group: GroupFact, count: Span, interventions: list[InterventionFact]
) -> list[GroupFact]:
    """ "28,416 patients in each group": one group per arm of the study; but "two patients
    died, one in each group" counts events."""
    label = str(group.label or "").lower()
    if not any(w in label for w in word_set("per_arm_phrases")):
        return [group]
    if any(
        t.start < count.start for kind in RESULT_KINDS for t in view.sentence_terms(count, kind)
    ):
        return []  # events split between the arms, not arm sizes
    arms = [i for i in interventions if i.role in ARM_ROLES and not i.is_class]
    if len(arms) < 2:
        return [group]
    return [replace(group, label=arm.name, key=None) for arm in arms]


def opens_breakdown(view: StudyView, count: Span) -> Span | None:
    """The set a sentence breaks down: "Of the 1,108 cases, 734 had diabetes and 374 did not"."""
    sent = count.sent
    if len(sent) < 4 or not opens_with_of_the(sent):
        return None
    head = next((c for c in view.all_spans(COUNTS) if c.start == sent.start + 2), None)
    return head if head is not None and head.start != count.start else None


def to_breakdown_head(view: StudyView, count: Span, sizes: set[int]) -> GroupFact | None:
    """ "Of these 225 patients, 92 had ...": the set a sentence breaks down is a subgroup, unless
    a group of that size is already known (it then names that group again)."""
    sent = count.sent
    if not is_breakdown_head(count):
        return None
    if int(count._.em_value) in sizes or count.end >= sent.end:
        return None
    after = view.doc[count.end]
    label = clean_label(count._.em_label) or (count[-1].text if len(count) > 1 else None)
    if after.text != "," and not label:
        return None
    return group_at(view, count, 0.5, label, count._.em_value)


def to_breakdown_group(view: StudyView, count: Span, is_result: bool) -> GroupFact | None:
    """Parts of a broken-down set are subgroups when they name a trait, not a result: "1,318
    had accumulated 1 to 90 daily doses, 704 had 91 to 365" (no outcome or harm in the clause)."""
    if opens_breakdown(view, count) is None or count._.em_kind not in ("parallel", "arm", "plain"):
        return None
    follows = view.doc[count.end] if count.end < count.sent.end else None
    if follows is None or not (
        follows.lower_ in word_set("breakdown_verbs")
        or any(t.start == count.end for t in view.sentence_terms(count, "arm_verb"))
    ):
        return None  # "1 to 90 daily doses": a number inside the trait, not a part of the set
    clause_end = next(
        (
            t.i
            for t in view.doc[count.end : count.sent.end]
            if t.text in {",", ";", "."} or t.lower_ == "and"
        ),
        count.sent.end,
    )
    clause = view.doc[count.end : clause_end]
    if any(
        count.end <= t.start < clause_end
        for kind in RESULT_KINDS
        for t in view.sentence_terms(count, kind)
    ):
        return None
    if any(count.end <= p.start < clause_end for p in view.all_spans("em_percents")) and is_result:
        return None
    return group_at(view, count, 0.5, clean_label(clause.text) or None, count._.em_value)


def drug_key_in(view: StudyView, start: int, end: int) -> str | None:
    """The drug named inside tokens [start, end) ("in the LDN group" -> naltrexone's key)."""
    return next(
        (d.kb_id_ for d in view.all_spans(DRUGS) if start <= d.start and d.end <= end), None
    )


def to_arm_group(view: StudyView, count: Span, results: frozenset[int]) -> GroupFact | None:
    """ "1,104 received TXA", "2,106 took atorvastatin", "and 1,273 did not"."""
    # "5 of the 12 mice that received ...", "121 who received ..."
    gap = 2 if count._.em_kind in ("of", "arm") else 1
    if count._.em_kind == "of_group":  # "Ninety-seven of the women were also on ..."
        gap = len((count._.em_label or "").split()) + 3
    verb = next(
        (t for t in view.sentence_terms(count, "arm_verb") if 0 <= t.start - count.end <= gap), None
    )
    if verb is None:
        verb = participle_after(view, count)
    if verb is None:
        return to_parallel_arm(view, count, results)
    if verb.text.lower() in word_set("participles") and is_result_count(view, count, results):
        return None  # "9 children given dexamethasone vomited" reports a result
    drug = next(
        (d for d in view.all_spans(DRUGS) if d.sent == count.sent and 0 <= d.start - verb.end <= 3),
        None,
    )
    level_verb = verb.text.lower() in word_set("dose_level_verbs")
    dose = (
        next(
            (
                d
                for d in view.all_spans(DOSES)
                if d.sent == count.sent and 0 <= d.start - verb.end <= 1
            ),
            None,
        )
        if level_verb
        else None
    )
    # "did not improve" is a result
    negative = verb[-1].lower_ in word_set("negative_words") and not any(
        0 <= t.start - verb.end <= 2 for t in view.sentence_terms(count, "outcome")
    )
    strong = verb.text.lower() in terms_of("strong_arm_verb")
    named_arm = arm_words_after(view, verb) if drug is None and dose is None else None
    named_arm = named_arm if named_arm and named_arm.strip() else None  # "received \n": none
    named_arm = up_to_arm_head(named_arm) if named_arm else None
    # "42 received the low dose"
    if (
        named_arm
        and named_arm.split()[-1].lower() in word_set("arm_heads")
        and not is_result_count(view, count, results)
    ):
        n = count._.em_of if count._.em_kind == "of" else count._.em_value
        return group_at(view, count, 0.6, named_arm, n)
    if drug is None and dose is None and not negative and not strong:
        return None
    if drug is None and dose is not None:  # "38 remained at 5 mg": a dose level names the group
        label = f"{verb.text} {dose.text}"
    else:
        label = (
            drug.text
            if drug is not None
            else (arm_words_after(view, verb) if strong else clean_label(verb.text))
        )
    relative = any(
        t.lower_ in word_set("relative_pronouns") for t in view.doc[count.end : verb.start]
    )
    # "5 of the 12 mice that received" vs "1,012 of the 1,318 took"
    n = count._.em_of if count._.em_kind == "of" and relative else count._.em_value
    return group_at(view, count, 0.7, label, n, key=drug.kb_id_ if drug else None)


def up_to_arm_head(words: str) -> str:
    """ "lower doses averaging 10 mg" -> "lower doses": an arm's words end at their head."""
    split = words.split()
    head = next((k for k, w in enumerate(split) if w.lower() in word_set("arm_heads")), None)
    return " ".join(split[: head + 1]) if head is not None else words


def to_named_group(view: StudyView, count: Span) -> GroupFact | None:
    """ "the metformin group included 152 patients and the placebo group 148"."""
    doc, i = view.doc, count.start
    head = i - 1 if i > 0 and doc[i - 1].lower_ in word_set("group_verbs") else i
    if head < 1 or doc[head - 1].lower_ not in word_set("group_words"):
        return None
    start = head - 1
    while (
        start > count.sent.start
        and doc[start - 1].is_alpha
        and doc[start - 1].lower_ not in word_set("group_name_stops")
        and head - start < 4
    ):
        start -= 1
    drug = next((d for d in doc.spans[DRUGS] if start <= d.start and d.end <= head), None)
    label = clean_label(doc[start:head].text)
    return group_at(view, count, 0.6, label, count._.em_value, key=drug.kb_id_ if drug else None)


def is_result_count(view: StudyView, count: Span, results: frozenset[int]) -> bool:
    """A count the outcome or adverse-event steps took (in `results`: "61 patients in the
    semaglutide group had an event"), or one in a sentence that reports a result."""
    if count.start in results:
        return True
    clause_end = next(
        (
            t.i
            for t in view.doc[count.end : count.sent.end]
            if t.text in {",", ";", ":"} or t.lower_ in word_set("clause_conjunctions")
        ),
        count.sent.end,
    )
    return any(
        count.end <= t.start < clause_end and not names_a_dose_level(view, t)
        for kind in RESULT_KINDS
        for t in view.sentence_terms(count, kind)
    )


def participle_after(view: StudyView, count: Span) -> Span | None:
    """ "872 given magnesium and 862 given placebo": a participle that names an arm (the
    counts step does not treat these as arm verbs, so result counts keep their kind)."""
    if count.end < count.sent.end and view.doc[count.end].lower_ in word_set("participles"):
        return view.doc[count.end : count.end + 1]
    return None


def names_a_dose_level(view: StudyView, term: Span) -> bool:
    """ "the lower dose", "a higher dose": comparison words that name an arm, not a result."""
    return term.end < len(view.doc) and view.doc[term.end].lower_ in word_set("arm_heads")


def arm_phrase_after(view: StudyView, count: Span) -> str | None:
    """ "409 in the placebo arm", "38 the high dose", "412 patients were in the dupilumab arm":
    the arm named right after a count, ending in group/arm/cohort/dose."""
    i = count.end
    if (
        i + 1 < count.sent.end
        and view.doc[i].lower_ in word_set("range_words")
        and view.doc[i + 1].like_num
    ):
        return None  # "1 to 90 daily doses" is a range
    if i < count.sent.end and view.doc[i].lower_ in word_set("past_be"):
        i += 1
    if i < count.sent.end and view.doc[i].lower_ in word_set("place_prepositions"):
        i += 1
        dose = next((d for d in view.all_spans(DOSES) if d.start == i), None)
        if dose is not None and view.doc[i - 1].lower_ in word_set("dose_prepositions"):
            return dose.text  # "and 17 at 2.5 mg": a dose level names the group
    words = []
    for token in view.doc[i : min(i + 5, count.sent.end)]:
        if token.is_punct or token.lower_ in word_set("arm_phrase_stops"):
            break
        words.append(token)
        if token.lower_ in word_set("arm_heads"):
            return clean_label(
                " ".join(w.text for w in words if w.lower_ not in word_set("articles"))
            )
    return None


def to_parallel_arm(view: StudyView, count: Span, results: frozenset[int]) -> GroupFact | None:
    """ "7,160 patients had been assigned to colchicine and 7,127 to placebo / to a control group";
    "409 in the placebo arm"."""
    if (
        count._.em_kind in ("parallel", "plain")
        and not is_result_count(view, count, results)
        and (phrase := arm_phrase_after(view, count)) is not None
    ):
        if (
            count._.em_kind == "parallel"
            or count._.em_label is None
            or count._.em_label.startswith(tuple(f"{w} " for w in word_set("located_label_leads")))
        ):
            return group_at(view, count, 0.5, phrase, count._.em_value)
    if (
        count._.em_kind != "parallel"
        or count.end >= count.sent.end
        or view.doc[count.end].lower_ != "to"
    ):
        return None
    drug = next(
        (d for d in view.all_spans(DRUGS) if d.sent == count.sent and 0 < d.start - count.end <= 2),
        None,
    )
    if drug is not None:
        return group_at(view, count, 0.6, drug.text, count._.em_value, key=drug.kb_id_)
    words = arm_words_after(view, view.doc[count.end : count.end + 1])
    if words and words.split()[-1].lower() in word_set("arm_target_heads"):
        return group_at(view, count, 0.5, words, count._.em_value)
    return None


def arm_words_after(view: StudyView, verb: Span) -> str | None:
    """The few words naming an arm after its verb: "to a control group", "prescribed doxy-PEP"."""
    words = []
    for token in view.doc[verb.end : min(verb.end + 5, verb.sent.end)]:
        if token.is_punct or token.lower_ in word_set("arm_word_stops"):
            break
        words.append(token.text)
    return (
        clean_label(" ".join(w for w in words if w.lower() not in word_set("articles")))
        if words
        else None
    )


def to_group(view: StudyView, count: Span, total: Span | None) -> GroupFact | None:
    kind, label = count._.em_kind, clean_label(count._.em_label)
    if total is not None and count.start == total.start:
        return None
    key = drug_key_in(view, count.end, count.end + len((count._.em_label or "").split()) + 1)
    if kind == "arm_size":
        label, n = arm_label(view, count), count._.em_value
        key = arm_drug_key(view, count) or key
    elif kind in ("of", "all") and label and not is_outcome_label(view, count):
        n = count._.em_of
    elif (
        kind == "plain" and label and not is_outcome_label(view, count) and not is_aggregate(count)
    ):
        n = count._.em_value
    elif (
        kind == "parallel"
        and label
        and is_definite(view, count)
        and not is_outcome_label(view, count)
    ):
        n = count._.em_value  # "than the 978 taking 200 mg a day or less"
    elif (
        kind in ("plain", "parallel") and not label and (label := unlabelled_subgroup(view, count))
    ):
        n = count._.em_value
    else:
        return None
    return group_at(view, count, 0.7, label, n, key=key)


def unlabelled_subgroup(view: StudyView, count: Span) -> str | None:
    """A subgroup named by its noun alone, as the frame of a result: "among the 20,748 men, it
    was 0.87". (The sex of the cohort, "25 patients were women", is no analysed subgroup.)"""
    noun = count[-1].lower_ if len(count) > 1 else None
    lead = [t.lower_ for t in view.doc[max(count.sent.start, count.start - 2) : count.start]]
    if (
        noun in terms_of("population_noun")
        and " ".join(lead) in word_set("subgroup_frame_leads")
        and not is_aggregate(count)
    ):
        return noun
    return None


def arm_drug_key(view: StudyView, count: Span) -> str | None:
    drugs = [d for d in view.all_spans(DRUGS) if d.sent == count.sent and d.end <= count.start]
    return drugs[-1].kb_id_ if drugs and not is_regimen_list(view, count) else None


def is_outcome_label(view: StudyView, count: Span) -> bool:
    """ "patients who had dramatic improvements" names an outcome, not a subgroup."""
    label = (count._.em_label or "").lower()
    return any(term in label.split() or f" {term} " in f" {label} " for term in terms_of("outcome"))
