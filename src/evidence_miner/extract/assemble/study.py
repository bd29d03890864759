"""Study facts: design, journal, investigators, country, follow-up."""

from __future__ import annotations

import re
from functools import cache

from spacy.tokens import Doc, Span

from evidence_miner.extract.assemble.facts import DesignFact, QuantityFact
from evidence_miner.extract.assemble.view import (
    StudyView,
    clean_label,
    is_outside_comment,
    provenance,
)
from evidence_miner.extract.components.numbers import is_age
from evidence_miner.extract.extensions import COUNTS, DURATIONS, NUMBERS
from evidence_miner.extract.patterns import pack_in_use, terms_of, word_set
from evidence_miner.lang import LanguagePack

INITIALS_RE = re.compile(r"^[A-Z](?:[A-Z]|-[A-Z]){0,2}\.?$")


def design_priority(value: str, text: str | None = None) -> int:
    """The priority of a design value, or of the term set holding `text` when given (one value
    has strong and weak term sets)."""
    return pack_design_priority(pack_in_use(), value, text)


@cache  # pure over a pack's term sets; asked for every design word of every view
def pack_design_priority(pack: LanguagePack, value: str, text: str | None) -> int:
    sets = [ts for ts in pack.term_sets if ts.kind == "design" and ts.value == value]
    if text is not None:
        sets = [ts for ts in sets if text.lower() in {t.lower() for t in ts.terms}] or sets
    return max((ts.priority for ts in sets), default=0)


def is_other_study(view: StudyView, term: Span) -> bool:
    """ "an earlier randomized trial", "previous cohort studies": the design of another study."""
    return any(
        0 <= term.start - cue.end <= 2 for cue in view.sentence_terms(term, "other_study_cue")
    )


WEAK_DESIGN_PRIORITY = (
    35  # cues below this name a design but are no evidence that a study is reported
)


def controlled_trial_priority() -> int:
    """The priority of the controlled-trial cues: a design word at least this strong wins over
    them."""
    return pack_controlled_trial_priority(pack_in_use())


@cache
def pack_controlled_trial_priority(pack: LanguagePack) -> int:
    return max(
        (ts.priority for ts in pack.term_sets if ts.kind == "controlled_trial_cue"), default=0
    )


def is_study_own_term(view: StudyView, term: Span) -> bool:
    """Not future research, not another study, not negated ("this was not a randomized trial"),
    not an outside expert's wish ("I would want a placebo-controlled trial")."""
    return (
        not view.has_term_in_sentence(term, "future_cue")
        and not is_other_study(view, term)
        and not view.negation_scopes(term)
        and not is_outside_comment(view, term)
    )


def find_design(
    view: StudyView, *, strong_only: bool = False, compared: bool = False
) -> DesignFact | None:
    """The study's design: the highest-priority design word of its text; `strong_only` keeps
    only design words strong enough to show that the text reports a study at all. Without a
    design word at least as strong, a placebo or sham arm or a phase 3 trial makes it an rct.
    A count of studies reviewed or pooled names a review or meta-analysis (find_synthesis).
    `compared`: the study has a comparator arm, so that its own "trial" is a controlled one
    (find_compared_trial)."""
    terms = [t for t in view.terms("design") if is_study_own_term(view, t)]
    if strong_only:
        terms = [t for t in terms if design_priority(t.kb_id_, t.text) >= WEAK_DESIGN_PRIORITY]
    best = (
        max(terms, key=lambda t: (design_priority(t.kb_id_, t.text), -t.start)) if terms else None
    )
    synthesis = find_synthesis(view)
    if synthesis is not None and (
        best is None or design_priority(best.kb_id_, best.text) < design_priority(synthesis.design)
    ):
        return synthesis
    if strong_only:
        return DesignFact(best.kb_id_, best) if best is not None else None
    if not strong_only and (
        best is None or design_priority(best.kb_id_, best.text) < controlled_trial_priority()
    ):
        controlled = next(
            (t for t in view.terms("controlled_trial_cue") if is_study_own_term(view, t)), None
        )
        best = controlled or best
    if best is None and compared:
        trial = find_compared_trial(view)
        if trial is not None:
            return DesignFact("rct", trial)
    if best is None:
        return find_single_patient(view)
    return DesignFact(best.kb_id_, best)


def find_compared_trial(view: StudyView) -> Span | None:
    """ "The trial gave 480 patients olaparib or chemotherapy": with no design word, a trial
    of this study's own that compares a drug with another arm is a controlled trial, recorded
    as randomized when the story does not say (the convention of the placebo cue)."""
    return next(
        (
            t
            for t in view.terms("study_word")
            if t.text.lower() in word_set("controlled_trial_words")
            and is_study_own_term(view, t)
            and names_this_trial(view, t)
        ),
        None,
    )


def names_this_trial(view: StudyView, term: Span) -> bool:
    """ "the trial", "this clinical trial", "the company's trial", or a trial with its size in
    its sentence ("a trial of 400 patients"); not a trial wished for ("without a positive
    clinical trial")."""
    lead = {t.lower_ for t in view.doc[max(term.sent.start, term.start - 3) : term.start]}
    return bool(lead & word_set("definite_trial_leads")) or any(
        c.sent == term.sent for c in view.body_spans(COUNTS)
    )


SYNTHESIS_GAP = 3  # tokens from the number to "studies"/"trials": "19 [clinical] trials"


def find_synthesis(view: StudyView) -> DesignFact | None:
    """A study of studies: "a review of 15 studies" is a systematic review, "an analysis of 22
    studies" / "combined the results of 19 clinical trials" a meta-analysis, when the sentence
    is this study's (not an earlier one, future research or an outside expert)."""
    for number in view.body_spans(NUMBERS):
        unit = counted_studies(view, number)
        if unit is None or (number._.em_value or 0) < 2 or not is_study_own_term(view, number):
            continue
        if view.has_term_in_sentence(number, "other_study_cue"):  # "earlier analyses of 22 studies"
            continue
        words = {t.lower_ for t in number.sent}
        if words & word_set("pooling_words"):
            return DesignFact("meta_analysis", view.doc[number.start : unit.end])
        if words & word_set("review_words"):
            return DesignFact("systematic_review", view.doc[number.start : unit.end])
    return None


def counted_studies(view: StudyView, number: Span) -> Span | None:
    """The "studies"/"trials" a number counts, with at most two modifiers between."""
    doc = view.doc
    for i in range(number.end, min(number.end + SYNTHESIS_GAP, number.sent.end)):
        if doc[i].lower_ in word_set("synthesis_units"):
            return doc[i : i + 1]
        if doc[i].lower_ not in word_set("synthesis_modifiers"):
            return None
    return None


def find_single_patient(view: StudyView) -> DesignFact | None:
    """ "Doctors described a 70-year-old woman who ...": with no design word, a report about one
    patient (an "N-year-old" early in the story) is a case report."""
    for number in view.body_spans(NUMBERS):
        if (
            view.sentence_index(number.start) - view.sentence_index(max(view.start, view.title_end))
            > 3
        ):
            break
        after = view.doc[number.end].lower_ if number.end < len(view.doc) else ""
        if is_age(number) and after in terms_of("population_noun_singular") | word_set(
            "age_person_nouns"
        ):
            return DesignFact("case_report", view.doc[number.start : number.end + 1])
    return None


def skip_journal_filler(doc: Doc, i: int, stop: int) -> int:
    """Skip "online May 16th in the journal" before a journal's name (a capitalised "Journal"
    is part of the name)."""
    while i < stop and is_journal_filler(doc[i]):
        i += 1
    return i


def is_journal_filler(token) -> bool:
    if token.text == "Journal":
        return False
    word = token.lower_.rstrip(".")  # "Oct.", "Sept.": abbreviated months
    return (
        token.lower_ in word_set("journal_skip") | word_set("month_names") | word_set("day_names")
        or word in word_set("month_names") | {"sept"}
        or token.like_num
        or token.lower_.rstrip("stndrh").isdigit()
    )


def read_title_case_run(doc: Doc, i: int, stop: int) -> Span | None:
    """ "Arthritis Care & Research", "The New England Journal of Medicine", "JAMA Network Open"."""
    if i >= stop or not (doc[i].is_title or doc[i].is_upper) or not doc[i].is_alpha:
        return None
    end = i
    while end < stop and (
        doc[end].is_title or doc[end].is_upper or doc[end].lower_ in word_set("journal_joiners")
    ):
        end += 1
    while end > i and doc[end - 1].lower_ in word_set("journal_joiners"):
        end -= 1
    if end <= i:
        return None
    return with_listed_fields(doc, doc[i:end], stop)


def with_listed_fields(doc: Doc, run: Span, stop: int) -> Span:
    """ "Applied Physiology, Nutrition and Metabolism": a name that lists its fields goes on past
    the comma when a capitalised list ending in "and"/"&" follows. Not after a name with a
    journal's head word ("JAMA, Brown and Jones found"), where the comma ends it."""
    if (
        run.end + 1 >= stop
        or doc[run.end].text != ","
        or {t.lower_ for t in run} & word_set("journal_head_words")
    ):
        return run
    rest = read_title_case_run(doc, run.end + 1, stop)
    if rest is None or not any(t.lower_ in {"and", "&"} for t in rest[1:-1]):
        return run
    return doc[run.start : rest.end]


def in_after_published(doc: Doc, cue: Span, window: int = 8) -> int | None:
    """ "published simultaneously in", "published this month in", "published today (Thursday)
    in": the "in" after a bare "published", past lowercase words, dates and a parenthesis."""
    depth = 0
    for i in range(cue.end, min(cue.end + window, cue.sent.end)):
        token = doc[i]
        depth += (token.text == "(") - (token.text == ")")
        if token.lower_ == "in" and depth == 0:
            return i
        if not (
            depth > 0 or token.text in {"(", ")", ","} or token.is_lower or is_journal_filler(token)
        ):
            return None
    return None


def find_journal(view: StudyView) -> Span | None:
    cues = [view.citation] if view.citation is not None else view.terms("journal_cue")
    for cue in cues:
        # "in the Journal of ...": the cue's last word is the name's first
        named = cue[-1].text == "Journal"
        # "published online Oct. 1 in The Lancet"
        if cue[-1].lower_ in word_set("journal_cue_open_ends"):
            at = in_after_published(view.doc, cue)
            if at is None:
                continue
            cue = view.doc[cue.start : at + 1]
        start = cue.end - 1 if named else skip_journal_filler(view.doc, cue.end, cue.sent.end)
        run = read_title_case_run(view.doc, start, cue.sent.end)
        run = skip_author_list(view.doc, run, cue.sent.end) if run is not None else None
        if run is not None and names_organisation(run):
            continue  # "Source: National Stroke Association": a photo or data credit
        if run is not None:
            if run.start > 0 and view.doc[run.start - 1].lower_ == "the" and run[0].lower_ != "the":
                run = (
                    view.doc[run.start - 1 : run.end]
                    if run.text.lower().startswith("lancet")
                    else run
                )
            return run
    return find_named_journal(view)


def names_organisation(run: Span) -> bool:
    """ "National Stroke Association", "Mayo Clinic": a body, not a journal, unless a journal's
    head word is in it ("Journal of the American Heart Association")."""
    words = {t.lower_ for t in run}
    return bool(words & word_set("organisation_words")) and not words & word_set(
        "journal_head_words"
    )


def find_named_journal(view: StudyView) -> Span | None:
    """No cue: "in the August 18 New England Journal of Medicine", "in today's Annals of
    Internal Medicine", "in the print edition of Nature Medicine": a capitalised run after "in"
    holding a journal's head word, or a known journal's name."""
    doc = view.doc
    for token in doc[max(view.start, view.title_end) : view.end]:
        if token.lower_ != "in":
            continue
        run = read_title_case_run(
            doc, skip_journal_filler(doc, token.i + 1, token.sent.end), token.sent.end
        )
        if (
            run is not None
            and (
                {t.lower_ for t in run} & word_set("journal_head_words")
                or is_known_journal(run.text)
            )
            and not is_outside_comment(view, token.sent)
        ):
            return run
    return None


def is_known_journal(name: str) -> bool:
    """A journal whose name holds no head word ("Nature Medicine", "CMAJ", "Pediatrics")."""
    folded = name.lower().removeprefix("the ")
    return folded in word_set("known_journals")


def is_author(doc: Doc, run: Span) -> bool:
    """ "Sato H," / "Liu W-J," / "Sato H et al": a surname with initials, not a journal's name."""
    follows = doc[run.end].text if run.end < len(doc) else ""
    return follows in {",", "et"} and len(run) >= 2 and INITIALS_RE.match(run[-1].text) is not None


def skip_author_list(doc: Doc, run: Span, stop: int) -> Span | None:
    """ "Journal reference: Sato H, Morimoto K, et al. Clinical Cancer Research (2024)": a run
    followed by a comma or "et al" is an author; the journal comes after "et al." or the list."""
    if run.end >= stop or not is_author(doc, run):
        return run
    i = run.end
    while i < stop and not (doc[i].text == "." or doc[i].lower_ in {"al.", "al"}):
        i += 1
    i += 1 + (i + 1 < stop and doc[i + 1].text == ".")
    return read_title_case_run(doc, skip_journal_filler(doc, i, stop), stop)


def read_person_name(doc: Doc, i: int, stop: int) -> Span | None:
    """Two to four capitalised words (initials and particles allowed) from token i."""
    end = i
    while (
        end < stop
        and end - i < 4
        and (
            (doc[end].is_title and doc[end].is_alpha)
            or is_initial(doc[end])
            or (
                end > i
                and doc[end].lower_ in word_set("name_particles")
                and end + 1 < stop
                and doc[end + 1].is_title
            )
        )
    ):
        end += 1
    return doc[i:end] if end - i >= 2 and doc[end - 1].is_title else None


def is_initial(token) -> bool:
    return len(token.text) == 2 and token.text[0].isupper() and token.text[1] == "."


def find_investigators(view: StudyView) -> list[Span]:
    """Named with a title or degree ("Dr. X Y", "X Y, MD") first; a name next to "and
    colleagues" / "led by" only in sentences without such a name. Outside experts are skipped."""
    titles = terms_of("investigator_title")
    strong, weak = [], []
    for token in view.doc[max(view.start, view.title_end) : view.end]:
        if token.lower_ in titles:
            start = (
                token.i + 1 + (token.i + 1 < len(view.doc) and view.doc[token.i + 1].text == ".")
            )
            strong.append(read_person_name(view.doc, start, token.sent.end))
    for cue in view.body_spans("em_terms"):
        if cue.label_ == "investigator_suffix":
            strong.append(name_before_suffix(view.doc, cue))
        elif cue.label_ == "investigator_cue":
            weak.append(name_near_cue(view.doc, cue))
    strong = [n for n in strong if n is not None]
    with_strong = {n.sent.start for n in strong}
    names = strong + [n for n in weak if n is not None and n.sent.start not in with_strong]
    return unique_names(
        [n for n in names if not view.has_term_in_sentence(n, "outside_expert_cue")]
    )


def unique_names(names: list[Span]) -> list[Span]:
    seen, kept = set(), []
    for name in sorted(names, key=lambda n: n.start):
        if name.text not in seen:
            seen.add(name.text)
            kept.append(name)
    return kept


def name_before_suffix(doc: Doc, suffix: Span) -> Span | None:
    """ "Jane K. Doe, MD"."""
    if suffix.start >= 2 and doc[suffix.start - 1].text == ",":
        return name_ending_at(doc, suffix.start - 1, suffix.sent.start)
    return None


def name_near_cue(doc: Doc, cue: Span) -> Span | None:
    """ "led by Jane Doe", "lead author Jane Doe", "Jane Doe and colleagues"."""
    sent = cue.sent
    after = read_person_name(doc, cue.end, sent.end)
    return after or name_ending_at(doc, cue.start, sent.start)


def name_ending_at(doc: Doc, end: int, sent_start: int) -> Span | None:
    start = end
    while (
        start > sent_start
        and end - start < 4
        and (doc[start - 1].is_title or is_initial(doc[start - 1]))
        and doc[start - 1].is_alpha | is_initial(doc[start - 1])
    ):
        start -= 1
    return doc[start:end] if end - start >= 2 else None


def find_country(view: StudyView) -> str | None:
    for term in view.terms("country"):
        if not term.text[0].isupper() or (
            len(term.text) <= 3 and not term.text.replace(".", "").isupper()
        ):
            continue
        if {t.lower_ for t in term.sent} & word_set("research_words"):
            return term.kb_id_
    return None


def find_follow_up(view: StudyView, treatment: QuantityFact | None = None) -> QuantityFact | None:
    """ "a median follow-up of 27 months", "followed for 5 years", "27-month follow-up", a
    contact after treatment ("families were telephoned 7 days later"); else the length of the
    study ("a 72-week trial"), of its treatment ("once daily for 24 weeks"), or the week of its
    main assessment ("At Week 24")."""
    if treatment is not None and any(
        w in (treatment.where.text or "").lower() for w in word_set("short_time_units")
    ):
        treatment = None  # "infused over 10 minutes" times a dose, not the study
    return (
        find_stated_follow_up(view)
        or find_contact_follow_up(view)
        or find_followed_for(view)
        or find_observation_span(view)
        or find_study_length(view)
        or treatment
        or find_assessment_week(view)
    )


def period(
    view: StudyView, duration: Span, confidence: float, *, stat: str | None = None
) -> QuantityFact:
    """A follow-up of one duration span: its provenance, value and statistic (no range)."""
    where = provenance(view, duration, confidence)
    return QuantityFact(where=where, value=duration._.em_value, stat=stat)


def find_followed_for(view: StudyView) -> QuantityFact | None:
    """ "followed the women for one year", "tracked them for an average of five years"."""
    for duration in view.body_spans(DURATIONS):
        i = duration.start - 1
        while i > duration.sent.start and view.doc[i].lower_ in word_set("follow_period_fillers"):
            i -= 1
        if view.doc[i].lower_ != "for":
            continue
        lead = view.doc[max(duration.sent.start, i - 6) : i]
        if any(t.lower_ in word_set("follow_verbs") for t in lead) and not is_outside_comment(
            view, duration
        ):
            return period(view, duration, 0.6, stat=stat_before(view, duration))
    return None


def find_observation_span(view: StudyView) -> QuantityFact | None:
    """ "Events were counted over a median of 3.1 years", "at the 6-month visit": a period of
    observation named without the word follow-up."""
    for duration in view.body_spans(DURATIONS):
        lead = {
            t.lower_
            for t in view.doc[max(duration.sent.start, duration.start - 4) : duration.start]
        }
        after = view.doc[duration.end].lower_ if duration.end < len(view.doc) else ""
        stat = duration._.em_kind if duration._.em_kind in ("mean", "median") else None
        if (stat and lead & word_set("period_leads")) or after in word_set("assessment_nouns"):
            return period(view, duration, 0.6, stat=stat)
    return None


def find_contact_follow_up(view: StudyView) -> QuantityFact | None:
    """ "were contacted 7 days later", "were telephoned 7 days after the visit"."""
    for duration in view.body_spans(DURATIONS):
        after = view.doc[duration.end].lower_ if duration.end < len(view.doc) else ""
        lead = view.doc[max(duration.sent.start, duration.start - 3) : duration.start]
        if after in word_set("later_words") and any(
            t.lower_ in terms_of("contact_verb") for t in lead
        ):
            return period(view, duration, 0.7)
    return None


def find_assessment_week(view: StudyView) -> QuantityFact | None:
    """ "At Week 24, hair count increased ...": the latest such week is when the study ended."""
    weeks = []
    for token in view.doc[max(view.start, view.title_end) : view.end]:
        nxt = view.doc[token.i + 1] if token.i + 1 < len(view.doc) else None
        if (
            token.text in {"Week", "week"}
            and nxt is not None
            and nxt.like_num
            and token.i > 0
            and view.doc[token.i - 1].lower_ in word_set("week_leads")
        ):
            weeks.append(view.doc[token.i : token.i + 2])
    if not weeks:
        return None
    last = max(
        weeks, key=lambda w: float(w[1].text) if w[1].text.replace(".", "", 1).isdigit() else 0
    )
    if not last[1].text.isdigit():
        return None
    return QuantityFact(where=provenance(view, last, 0.5), value=float(last[1].text), unit="week")


def find_study_length(view: StudyView) -> QuantityFact | None:
    """ "a 72-week trial", "the 12-week, phase 2 clinical trial", "over a 48-week period", "the
    duration of the study (80 weeks)": the length of the study itself."""
    for duration in view.body_spans(DURATIONS):
        if ("-" in duration.text and names_study_after(view, duration)) or is_study_period(
            view, duration
        ):
            return period(view, duration, 0.6)
    return None


def names_study_after(view: StudyView, duration: Span) -> bool:
    """A study noun after the duration, past a comma, a phase and "clinical" ("12-week, phase 2
    clinical trial")."""
    i = duration.end
    while i < min(duration.end + 5, duration.sent.end) and (
        view.doc[i].text == ","
        or view.doc[i].lower_ in word_set("trial_modifiers")
        or view.doc[i].like_num
        or view.doc[i].text in {"I", "II", "III"}
    ):
        i += 1
    return i < len(view.doc) and view.doc[i].lower_ in word_set("trial_words")


def is_study_period(view: StudyView, duration: Span) -> bool:
    """ "over a 48-week period", "the study (80 weeks)"."""
    doc = view.doc
    after = doc[duration.end].lower_ if duration.end < len(doc) else ""
    lead = [t.lower_ for t in doc[max(duration.sent.start, duration.start - 3) : duration.start]]
    in_brackets = " ".join(lead[-2:]) in word_set("bracketed_period_leads")
    return (after == "period" and bool(word_set("period_leads") & set(lead))) or in_brackets


def find_stated_follow_up(view: StudyView) -> QuantityFact | None:
    for term in view.terms("follow_up"):
        duration = find_follow_up_duration(view, term)
        if duration is None or term.start < view.title_end:
            continue
        stat = (
            duration._.em_kind
            if duration._.em_kind in ("mean", "median")
            else stat_before(view, term)
        )
        return QuantityFact(
            where=provenance(view, duration, 0.8),
            value=duration._.em_value,
            low=duration._.em_low,
            high=duration._.em_high,
            stat=stat,
        )
    return None


def find_follow_up_duration(view: StudyView, term: Span) -> Span | None:
    """The period a follow-up word names: after it ("followed for a median of 8.7 years") or
    right before it ("a 12-month follow-up"); never a repeat interval ("every two years")."""
    durations = [
        d
        for d in view.all_spans(DURATIONS)
        if d.sent == term.sent and not (d.start > 0 and view.doc[d.start - 1].lower_ == "every")
    ]
    after = next((d for d in durations if 0 <= d.start - term.end <= 8), None)
    return after or next((d for d in durations if 0 <= term.start - d.end <= 1), None)


def stat_before(view: StudyView, span: Span) -> str | None:
    for term in view.terms("stat"):
        if term.sent == span.sent and 0 <= span.start - term.end <= 2:
            return term.kb_id_
    return None


def to_names(spans: list[Span]) -> list[str]:
    return [clean_label(s.text) for s in spans if clean_label(s.text)]
