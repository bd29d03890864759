"""Outcomes: counts with denominators, percentages and effect sizes, with direction and group."""

from __future__ import annotations

from spacy.tokens import Span

from evidence_miner.codes import DIRECTIONS
from evidence_miner.extract.assemble.drugs import is_shielded
from evidence_miner.extract.assemble.facts import CountOutcomesFact, EffectFact, OutcomeFact
from evidence_miner.extract.assemble.view import (
    StudyView,
    clean_label,
    is_breakdown_head,
    provenance,
    states_no_finding,
)
from evidence_miner.extract.components.counts import is_rounded_count
from evidence_miner.extract.extensions import COUNTS, DRUGS, EFFECTS, PERCENTS
from evidence_miner.extract.patterns import terms_of, word_set

# Code, not vocabulary: effect-type codes (the record's direction values are codes.DIRECTIONS).
RATIO_EFFECTS = {"HR", "OR", "RR", "IRR"}
CLAUSE_BREAKS = {";"}
AGGREGATE_NOUNS = terms_of("aggregate_noun")
POPULATION_WORDS = terms_of("population_noun") | word_set("population_referents")


def outcome_terms_in(view: StudyView, sent: Span) -> list[Span]:
    return view.sentence_terms(sent, "outcome")


def find_outcome_term(view: StudyView, count: Span) -> Span | None:
    """The outcome verb a count is the subject of: the first after it, else (for "the other
    three patients") the last before it in the same sentence."""
    label_end = count.end + len((count._.em_label or "").split()) + (1 if count._.em_label else 0)
    terms = outcome_terms_in(view, count.sent)
    after = [
        t for t in terms if t.start >= count.end and not crosses_break(view, count.end, t.start)
    ]
    after = [t for t in after if t.start >= label_end] or after
    if after:
        return prefer_specific(after)
    before = [t for t in terms if t.end <= count.start]
    if count._.em_kind in ("other", "plain", "elliptical") or follows_comparison(view, count):
        return before[-1] if before else None
    if before and occurs_in(view, before[-1], count):
        return before[-1]
    return None


def occurs_in(view: StudyView, term: Span, count: Span) -> bool:
    """ "The rash cleared in 12 of 20 patients", "remission occurred in nine of the 14": the
    result names its count after "in", right after the outcome word (or the word it governs)."""
    between = [t.lower_ for t in view.doc[term.end : count.start]]
    return 1 <= len(between) <= 3 and between[-1] == "in"


def follows_comparison(view: StudyView, count: Span) -> bool:
    """ "..., compared with 41 of 102 given placebo (and 11 of 12 ...)": later arms of a
    comparison."""
    lead = view.doc[max(count.sent.start, count.start - 2) : count.start].text.lower()
    return any(cue in lead.split() or cue in lead for cue in word_set("comparison_leads"))


def find_stop_term(view: StudyView, count: Span) -> Span | None:
    """ "seven patients had stopped oral steroids entirely": stopping, with no harm as its cause."""
    if view.has_term_in_sentence(count, "cause_cue"):
        return None
    stops = [
        t for t in view.sentence_terms(count, "discontinuation") if 0 <= t.start - count.end <= 3
    ]
    return stops[0] if stops else None


def crosses_break(view: StudyView, start: int, end: int) -> bool:
    return any(t.text in CLAUSE_BREAKS for t in view.doc[start:end])


def prefer_specific(terms: list[Span]) -> Span:
    """ "were able to reduce" is a reduction: a general term gives way to the next one."""
    first = terms[0]
    if (
        first.text.lower() in word_set("able_phrases")
        and len(terms) > 1
        and terms[1].start - first.end <= 3
    ):
        return terms[1]
    return first


def direction_of(view: StudyView, term: Span) -> str | None:
    if view.negation_scopes(term):  # "did not improve": no direction of its own
        return None
    return term.kb_id_ if term.kb_id_ in DIRECTIONS else None


def is_discontinuation(view: StudyView, count: Span, term: Span | None) -> bool:
    """ "one patient stopped treatment because of nausea" is an adverse event, not an outcome;
    "seven patients had stopped oral steroids" (no harm named) is a result."""
    stops = [t for t in view.sentence_terms(count, "discontinuation") if t.start >= count.end]
    if not stops or not view.has_term_in_sentence(count, "cause_cue"):
        return False
    return term is None or stops[0].start < term.start


def measure_after(view: StudyView, term: Span) -> str | None:
    words = []
    for token in view.doc[term.end : min(term.end + 6, term.sent.end)]:
        if token.is_punct or token.lower_ in word_set("measure_stops"):
            break
        words.append(token.text)
    return clean_label(" ".join([term.text, *words]))


def count_outcome(
    view: StudyView, count: Span, term: Span | None, inherited: tuple[int | None, str | None]
) -> OutcomeFact:
    of, group = count._.em_of, clean_label(count._.em_label)
    outcome_label = (
        group if group and term is not None and term.text.lower() in group.lower() else None
    )
    if count._.em_kind in ("other", "elliptical"):  # "the other three", "and four worsened"
        of, group = of or inherited[0], group or inherited[1]
    percent = percent_after(view, count)
    return OutcomeFact(
        where=provenance(view, count, 0.8),
        measure=outcome_label or (measure_after(view, term) if term is not None else None),
        group=None if outcome_label else group,
        direction=direction_of(view, term) if term is not None else None,
        count=int(count._.em_value),
        of=of,
        percent=percent._.em_value if percent is not None else None,
    )


def percent_after(view: StudyView, count: Span) -> Span | None:
    """ "61 patients in the semaglutide group (10.6%)": the percent right after a count or its
    label."""
    label_words = len((count._.em_label or "").split()) + 1 if count._.em_label else 0
    for percent in view.all_spans(PERCENTS):
        if percent.sent == count.sent and 0 <= percent.start - count.end <= 2 + label_words:
            return percent
    return bracketed_percent_after(view, count)


def bracketed_percent_after(view: StudyView, count: Span) -> Span | None:
    """ "287 residents of high-dose homes (5.6%)": a bracketed percent closing the count's own
    phrase, with no other number or clause break between."""
    for percent in view.all_spans(PERCENTS):
        if (
            percent.sent != count.sent
            or not 0 < percent.start - count.end <= 6
            or view.doc[percent.start - 1].text != "("
        ):
            continue
        between = view.doc[count.end : percent.start - 1]
        if not any(
            t.like_num or t.text in {",", ";", ":"} or t.lower_ in word_set("clause_conjunctions")
            for t in between
        ):
            return percent
    return None


def is_arm_count(view: StudyView, count: Span) -> bool:
    """ "1,104 received TXA", "3,447 participants were taking a statin": group sizes, not
    results."""
    if count._.em_kind == "arm":
        return True
    if count._.em_kind == "of":
        return False
    return any(0 <= t.start - count.end <= 1 for t in view.sentence_terms(count, "arm_verb"))


def assemble_count_outcomes(
    view: StudyView, total: Span | None, ae_values: frozenset[int]
) -> CountOutcomesFact:
    """Outcome per count that is the subject of an outcome verb, and the counts and percents
    they used; `ae_values`: the counts and percents the adverse-event step took."""
    outcomes, used = [], set()
    inherited: tuple[int | None, str | None] = (None, None)
    for count in view.body_spans(COUNTS):
        if skips_outcome(view, count, total, ae_values):
            continue
        term = find_outcome_term(view, count) or find_stop_term(view, count)
        percent = percent_after(view, count)
        if (term is None and percent is None) or is_discontinuation(view, count, term):
            continue
        outcome = count_outcome(view, count, term, inherited)
        if (
            percent is None
            and outcome.of is None
            and (term is None or term.start > count.start)  # not "Itch improved in 17 patients"
            and restates_cohort(count, total)
        ):
            continue
        if not is_single_case(outcome):
            outcomes.append(outcome)
        used.add(count.start)
        if percent is not None:
            used.add(percent.start)
        if outcome.of is not None:
            inherited = (outcome.of, outcome.group)
    return CountOutcomesFact(outcomes=outcomes, used=frozenset(used))


def restates_cohort(count: Span, total: Span | None) -> bool:
    """ "In the end, 1,400 adults had lung tests", "2.5 million people could benefit": a count
    that opens its clause with no denominator (its own or one carried from the sentence
    before), two thirds of the cohort or more or a rounded population figure, is the cohort (or
    the population) described again, not a result. Results counted without a denominator ("40
    of them had a stroke": "40 developed a stroke") are a smaller part of it."""
    return is_rounded_count(count) or (
        total is not None and 3 * count._.em_value >= 2 * total._.em_value
    )


def is_single_case(outcome: OutcomeFact) -> bool:
    """ "One patient developed a rash", "one died": a single person without a denominator is an
    anecdote or a harm, not a result to compare (with "1 of 12" it is one)."""
    return outcome.count == 1 and outcome.of is None


def is_population_frame(view: StudyView, count: Span) -> bool:
    """ "Among the 203 children who had ...", "In the 298 patients taking more than 100 mcg":
    the subgroup a result is about, not the result."""
    lead = [t.lower_ for t in view.doc[max(count.sent.start, count.start - 2) : count.start]]
    return "among" in lead or (
        " ".join(lead) in word_set("frame_leads") and count._.em_label is not None
    )


def skips_outcome(
    view: StudyView, count: Span, total: Span | None, ae_values: frozenset[int]
) -> bool:
    return (
        is_population_frame(view, count)
        or (total is not None and count.start == total.start)
        or count._.em_kind == "arm_size"
        or count.start in ae_values
        or count[-1].lower_ in AGGREGATE_NOUNS
        # a comparison group, not a result ("12 cases" can be one)
        or count[-1].lower_ in word_set("comparison_group_nouns")
        # "Of the 1,026 residents, ...": the set broken down, not a result
        or is_breakdown_head(count)
        or is_arm_count(view, count)
        or is_percent_base(view, count)
        or explains_nnt(view, count)
        or is_yearly_burden(count)
    )


def is_percent_base(view: StudyView, count: Span) -> bool:
    """ "41% of the 200 patients on the drug improved": the count after a percentage and "of
    (the)" is what the percentage is of, not a result of its own."""
    doc = view.doc
    at = count.start - 1
    if at > count.sent.start and doc[at].lower_ in word_set("definite_determiners"):
        at -= 1
    if at <= count.sent.start or doc[at].lower_ != "of":
        return False
    return any(p.end == at for p in view.all_spans(PERCENTS))


def is_yearly_burden(count: Span) -> bool:
    """ "About 22,000 new cases are diagnosed each year", "11,000 deaths a year": a disease's
    yearly toll in the population, background to the study, not its result."""
    words = [t.lower_ for t in count.sent]
    pairs = set(zip(words, words[1:]))
    # "11,000 deaths a year", not "after a year"
    a_year = any(
        " ".join(words[i : i + 2]) in word_set("a_year_phrases")
        and (i == 0 or words[i - 1] not in word_set("time_span_leads"))
        for i in range(len(words) - 1)
    )
    return bool(word_set("yearly_phrases") & {*words, *(f"{a} {b}" for a, b in pairs)} or a_year)


def explains_nnt(view: StudyView, count: Span) -> bool:
    """ "about 17 patients would need to take melatonin to prevent one case (number needed to
    treat, 17)": the people of a number needed to treat are no result count."""
    return any(t.kb_id_ == "NNT" for t in view.sentence_terms(count, "effect_type"))


def assemble_percent_outcomes(
    view: StudyView, used: frozenset[int], ae_values: frozenset[int]
) -> list[OutcomeFact]:
    """Percentages in sentences that report an outcome, outside CIs, counts (`used`) and adverse
    events (`ae_values`)."""
    outcomes = []
    for percent in view.body_spans(PERCENTS):
        if (
            percent.start in used
            or percent.start in ae_values
            or is_ci_level(view, percent)
            or is_threshold(view, percent)
        ):
            continue
        terms = outcome_terms_in(view, percent.sent)
        if (not terms and not is_share_of_people(view, percent)) or is_general_fact(view, percent):
            continue
        outcomes.append(
            OutcomeFact(
                where=provenance(view, percent, 0.6),
                measure=measure_after(view, terms[0]) if terms else None,
                group=None,
                direction=direction_of(view, terms[0]) if terms else None,
                percent=percent._.em_value,
            )
        )
    return outcomes


def is_general_fact(view: StudyView, value: Span) -> bool:
    """ "About 30 percent of all gut tumours carry the marker", "as many as
    85% of older adults develop worsening eyesight": a figure stated in the present tense, in a
    sentence that names no drug, no study and no finding, is background to the study, not its
    result (results are reported: "had", "fell", "the study found")."""
    verbs = word_set("general_fact_verbs")
    return (
        any(t.lower_ in verbs for t in value.sent)
        and states_no_finding(view, value)
        # "infections after stem cell treatments": a drug named as a time names no result
        and not any(
            d.sent == value.sent and not is_shielded(view, d) for d in view.all_spans(DRUGS)
        )
    )


def is_threshold(view: StudyView, span: Span) -> bool:
    """ "at least 45%", "more than 1,000 mL", "15% or more": cut-offs, not results."""
    for term in view.sentence_terms(span, "threshold"):
        if 0 <= span.start - term.end <= 1 or 0 <= term.start - span.end <= 1:
            return True
    return False


def is_share_of_people(view: StudyView, percent: Span) -> bool:
    """ "21.4% of patients who got TXA"."""
    after = [t.lower_ for t in view.doc[percent.end : min(percent.end + 3, percent.sent.end)]]
    return bool(after) and after[0] == "of" and any(w in POPULATION_WORDS for w in after[1:])


def is_ci_level(view: StudyView, percent: Span) -> bool:
    """The "95%" of "95% CI" / "95% confidence interval"."""
    return any(t.lower_ in word_set("ci_words") for t in view.doc[percent.end : percent.end + 2])


def assemble_effect_outcomes(view: StudyView) -> list[OutcomeFact]:
    outcomes = []
    for effect in view.body_spans(EFFECTS):
        kind, value, low, high = effect.kb_id_, effect._.em_value, effect._.em_low, effect._.em_high
        outcomes.append(
            OutcomeFact(
                where=provenance(view, effect, 0.85),
                measure=measure_before(view, effect),
                direction=effect_direction(kind, value, low, high),
                effect=EffectFact(
                    type=kind,
                    value=value,
                    ci=(low, high) if low is not None else None,
                    p=effect._.em_p,
                    p_operator=effect._.em_op,
                ),
            )
        )
    return outcomes


def measure_before(view: StudyView, effect: Span) -> str | None:
    words = view.doc[max(effect.sent.start, effect.start - 8) : effect.start]
    return clean_label(words.text.split(",")[-1].split("(")[0]) if len(words) else None


def effect_direction(kind: str, value: float, low: float | None, high: float | None) -> str | None:
    null = 1.0 if kind in RATIO_EFFECTS else 0.0
    if low is not None and high is not None and low <= null <= high:
        return "no_difference"
    if kind in RATIO_EFFECTS | {"MD", "SMD"}:
        return "decreased" if value < null else "increased"
    return None


def outcome_key(outcome: OutcomeFact) -> tuple | None:
    """What a restatement repeats: an effect's type and value, a count and its denominator, or
    a percentage."""
    if outcome.effect:
        return ("effect", outcome.effect.type, outcome.effect.value)
    if outcome.count is not None:
        return ("count", outcome.count, outcome.of) if outcome.of is not None else None
    return ("percent", outcome.percent) if outcome.percent is not None else None


def drop_repeated_outcomes(found: list[OutcomeFact]) -> list[OutcomeFact]:
    """A result said again in another sentence (a "Key Takeaways" box, a recap: "20 mg: hazard
    ratio 0.60") is one result; the first statement, usually the fuller one, is kept. Counts
    without a denominator are too common to be taken for repeats."""
    first_sentence: dict[tuple, int] = {}
    kept = []
    for outcome in sorted(found, key=lambda o: o.where.span[0]):
        key = outcome_key(outcome)
        sentence = outcome.where.sentence
        if key is not None and first_sentence.setdefault(key, sentence) != sentence:
            continue
        kept.append(outcome)
    return kept
