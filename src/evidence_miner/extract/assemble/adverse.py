"""Adverse events: named events with counts or percentages, "no serious adverse events",
discontinuations."""

from __future__ import annotations

from spacy.tokens import Span

from evidence_miner.extract.assemble.facts import AdverseEventFact, HarmsFact
from evidence_miner.extract.assemble.outcomes import is_ci_level
from evidence_miner.extract.assemble.view import StudyView, clean_label, provenance, word_stem
from evidence_miner.extract.components.counts import is_rounded_count
from evidence_miner.extract.extensions import CONDITIONS, COUNTS, NUMBERS, PERCENTS
from evidence_miner.extract.patterns import terms_of, word_set


def find_no_word(view: StudyView, word: Span):
    """The "no" of "no severe side effects" / "no trial recorded a serious adverse event", or
    the verb of "did not experience notable skin-related side effects" (the harm's name
    starts after it)."""
    lead = view.doc[max(word.sent.start, word.start - 6) : word.start]
    for token in lead:
        verb = find_denying_verb(view, token, word)
        if verb is not None:
            return verb
        if token.lower_ not in word_set("no_words"):
            continue
        between = {t.lower_ for t in view.doc[token.i + 1 : word.start]}
        if word.start - token.i <= 3 or between & word_set("report_verbs"):
            return token
    return None


def find_denying_verb(view: StudyView, token, word: Span):
    """The verb after `token` when the two deny the harm `word`: "not experience [significant]
    side effects", "none reporting [serious or lasting] side effects"."""
    if token.i + 1 >= word.start:
        return None
    verb = view.doc[token.i + 1]
    denies = (
        token.lower_ in word_set("not_words") and verb.lower_ in word_set("negated_harm_verbs")
    ) or (
        token.lower_ in word_set("no_words") and verb.lower_ in word_set("denied_harm_participles")
    )
    if denies and are_harm_modifiers(list(view.doc[verb.i + 1 : word.start])):
        return verb
    return None


def are_harm_modifiers(tokens: list) -> bool:
    """Words that all describe the harm after them, "or"/"and" joining two of them included
    ("severe or lasting")."""
    return all(
        is_harm_modifier(t)
        or (
            t.lower_ in ("or", "and")
            and 0 < k < len(tokens) - 1
            and is_harm_modifier(tokens[k - 1])
            and is_harm_modifier(tokens[k + 1])
        )
        for k, t in enumerate(tokens)
    )


def is_harm_modifier(token) -> bool:
    """A word between "did not experience" and a harm that describes it ("any", "significant",
    "skin-related"), not a clause of its own ("did not have to stop for side effects")."""
    if token.text == "-":
        return True
    return token.text.replace("-", "").isalpha() and token.lower_ not in word_set(
        "harm_modifier_stops"
    )


def find_no_event(view: StudyView) -> list[AdverseEventFact]:
    """ "There were no severe side effects" -> count 0; serious when a serious word is part of
    it."""
    events = []
    for word in view.terms("adverse_event_word"):
        no = find_no_word(view, word)
        if no is None:
            continue
        serious_start = next(
            (s.start for s in view.sentence_terms(word, "serious_cue") if s.end == word.start), None
        )
        start = no.i + 1
        while start < word.start and view.doc[start].lower_ in word_set("harm_name_drops"):
            start += 1  # "did not cause any side effects" -> "side effects"
        name = view.doc[
            serious_start
            if serious_start is not None and word.start - no.i > 3
            else start : word.end
        ]
        serious = any(
            s.start >= no.i for s in view.sentence_terms(word, "serious_cue") if s.end <= word.start
        )
        where = provenance(view, name, 0.8)
        event = AdverseEventFact(
            where=where, name=clean_label(name.text), count=0, serious=serious or None
        )
        events.append(event)
    return events


def is_table_row(view: StudyView, term: Span) -> bool:
    """ "Constipation: 3% vs 17%", "Nausea or vomiting: 2% vs 11%": a line of a flattened
    safety table (the harm opens the line and a colon closes its name)."""
    if term.start - term.sent.start > 3:
        return False
    return any(
        t.text == ":" for t in view.doc[term.end : min(term.end + 3, term.sent.end)]
    ) and all(t.is_alpha for t in view.doc[term.sent.start : term.start])


def has_ae_context(view: StudyView, term: Span) -> bool:
    return (
        is_table_row(view, term)
        or (
            view.has_term_in_sentence(term, "adverse_event_word")
            or view.has_term_in_sentence(term, "discontinuation")
            or view.has_term_in_sentence(term, "ae_context")
            or follows_harm_sentence(view, term)
        )
        and not view.has_term_in_sentence(term, "future_cue")
    )


def follows_harm_sentence(view: StudyView, term: Span) -> bool:
    """ "The most common side effect was dizziness ... Six had headaches and five (9%) felt
    tired": a harm named in the sentence right after one about side effects, in its paragraph."""
    index = view.sentence_index(term.start)
    if index == 0:
        return False
    previous = view.doc[view.sentence_starts[index - 1] : term.sent.start]
    if "\n" in previous.text.strip() or "\n" in view.doc[term.sent.start : term.start].text:
        return False
    return bool(view.terms_by_sentence.get((index - 1, "adverse_event_word")))


def is_negated(view: StudyView, anchor: Span) -> bool:
    """Negated by em_negation ("did not develop nausea", "no serious adverse events", counted by
    find_no_event), but not "No patient developed pancreatitis", where the "no" is a count of
    zero that the event takes."""
    zero_counts = {c.start for c in view.all_spans(COUNTS) if c._.em_kind == "none"}
    return any(scope.start not in zero_counts for scope in view.negation_scopes(anchor))


def find_anchors(view: StudyView) -> list[Span]:
    """Named events in sentences about harms; the generic "side effects" only where no named
    event stands in its sentence, or where it is serious or the cause of stopping treatment."""
    studied = studied_conditions(view)
    named = [
        t
        for t in view.body_spans("em_terms")
        if t.label_ == "adverse_event"
        and has_ae_context(view, t)
        and not condition_keys_in(view, t) & studied
        and not is_efficacy_event(view, t)
    ]
    named += unlisted_harms(view, named, studied)
    named_sents = {t.sent.start for t in named}
    generic = [
        w
        for w in view.terms("adverse_event_word")
        if w.start >= view.title_end
        and not is_negated(view, w)
        and (
            w.sent.start not in named_sents
            or is_discontinuation_cause(view, w)
            or has_serious_cue(view, w)
        )
    ]
    anchors = [
        a
        for a in named + generic
        if not is_negated(view, a) and not view.has_term_in_sentence(a, "future_cue")
    ]
    return sorted(anchors, key=lambda a: a.start)


def unlisted_harms(view: StudyView, named: list[Span], studied: set[str]) -> list[Span]:
    """Conditions of the disease vocabulary that the harm list lacks ("hypokalemia"), in a
    sentence that names harms outright ("side effects", "adverse events") or a table row, with
    a figure right after them."""
    taken = {i for t in named for i in range(t.start, t.end)}
    found = []
    for condition in view.body_spans(CONDITIONS):
        if (
            condition.kb_id_ in studied
            or taken & set(range(condition.start, condition.end))
            or is_efficacy_event(view, condition)
        ):
            continue
        strong = view.has_term_in_sentence(condition, "adverse_event_word") or is_table_row(
            view, condition
        )
        if strong and values_between(
            view, condition.end, min(condition.end + 6, condition.sent.end)
        ):
            found.append(Span(view.doc, condition.start, condition.end, label="adverse_event"))
    return found


def condition_keys_in(view: StudyView, span: Span) -> set[str]:
    return {
        c.kb_id_ for c in view.all_spans(CONDITIONS) if c.start < span.end and span.start < c.end
    }


def studied_conditions(view: StudyView) -> set[str]:
    """Conditions named in the headline: the study treats or prevents them, so an event of
    that name ("recurrent venous thromboembolism occurred in 31") is its efficacy outcome."""
    return {c.kb_id_ for c in view.all_spans(CONDITIONS) if c.end <= view.title_end}


def is_efficacy_event(view: StudyView, term: Span) -> bool:
    """An event the headline names ("... quiets nightmares ...", "... repeat clots") is what the
    study sets out to prevent or treat: its efficacy outcome, not a harm. (An event merely
    compared with an effect size in its sentence may be either, so that alone decides nothing.)"""
    return all(word_stem(t.lower_) in view.headline_stems for t in term if t.is_alpha)


def has_serious_cue(view: StudyView, word: Span) -> bool:
    return any(0 <= word.start - s.end <= 1 for s in view.sentence_terms(word, "serious_cue"))


def event_name(view: StudyView, anchor: Span) -> Span:
    if anchor.label_ == "adverse_event_word":
        for cue in view.sentence_terms(anchor, "serious_cue"):
            if 0 <= anchor.start - cue.end <= 1:
                return view.doc[cue.start : anchor.end]
        return named_after_copula(view, anchor) or named_before_apposition(view, anchor) or anchor
    return anchor


def named_before_apposition(view: StudyView, anchor: Span) -> Span | None:
    """ "Flu-like reactions, the best-known side effect of rifapentine, occurred in 3.1%": the
    harm is the phrase that opens the sentence, before the comma of the apposition."""
    sent = anchor.sent
    comma = next((t.i for t in view.doc[sent.start : anchor.start] if t.text == ","), None)
    if comma is None or comma - sent.start > 7 or comma == sent.start:
        return None
    between = view.doc[comma + 1 : anchor.start]
    if not len(between) or between[0].lower_ not in word_set("articles"):
        return None
    name = view.doc[sent.start : comma]
    return name if all(t.is_alpha or t.text == "-" or "-" in t.text for t in name) else None


def named_after_copula(view: StudyView, anchor: Span) -> Span | None:
    """ "The most common side effect was increased urination, reported by 30%": the harm is
    named after "was/were", in words the harm list may not have."""
    i = anchor.end
    if i >= anchor.sent.end or view.doc[i].lower_ not in word_set("past_be"):
        return None
    end = i + 1
    while (
        end < anchor.sent.end
        and end - i <= 4
        and view.doc[end].is_alpha
        and view.doc[end].lower_ not in word_set("copula_name_stops")
    ):
        end += 1
    name = view.doc[i + 1 : end]
    return (
        name
        if len(name) and not any(t.lower_ in word_set("copula_name_qualifiers") for t in name)
        else None
    )


def follows_event(view: StudyView, count: Span) -> bool:
    """ "constipation (18 patients)": a size in brackets right after a harm counts that harm."""
    bracket = count.start - 1
    return (
        bracket > 0
        and view.doc[bracket].text == "("
        and any(t.end == bracket for t in view.sentence_terms(count, "adverse_event"))
    )


def values_between(view: StudyView, start: int, stop: int) -> list[Span]:
    """Counts, and percentages not already attached to a count, in [start, stop)."""
    counts = [
        c
        for c in view.all_spans(COUNTS)
        if start <= c.start < stop
        and (c._.em_kind != "arm_size" or follows_event(view, c))
        and not is_rounded_count(c)  # "used by 3.2 million people": no harm's count
    ]
    attached = {p.start for c in counts if (p := find_percent_for(view, c)) is not None}
    percents = [
        p
        for p in view.all_spans(PERCENTS)
        if start <= p.start < stop and p.start not in attached and not is_ci_level(view, p)
    ]
    return sorted(counts + percents, key=lambda v: v.start)


def clause_start(view: StudyView, i: int, sent_start: int) -> int:
    """Start of the clause holding token i: after the last ";" or ", and/but/while" before it."""
    for j in range(i - 1, sent_start, -1):
        token = view.doc[j]
        if token.text == ";" or (
            token.text == ","
            and j + 1 < i
            and view.doc[j + 1].lower_ in word_set("clause_conjunctions")
        ):
            return j + 1
    return sent_start


def stop_clause_start(view: StudyView, anchor: Span) -> int | None:
    """Where the clause of "... stopped ... because of X" begins, for a discontinuation cause."""
    stops = [s for s in view.sentence_terms(anchor, "discontinuation") if s.end <= anchor.start]
    return clause_start(view, stops[-1].start, anchor.sent.start) if stops else None


def reserved_counts(view: StudyView, anchors: list[Span]) -> dict[int, int]:
    """ "three had injection-site reactions": a count right before "had/developed <event>"
    belongs to that event ({count start: anchor start})."""
    reserved = {}
    verbs = word_set("report_verbs") | {"had"}
    for anchor in anchors:
        for count in view.all_spans(COUNTS):
            if not 0 < anchor.start - count.end <= 3 or count.sent != anchor.sent:
                continue  # the distance first: the words between are read only for a near count
            if {t.lower_ for t in view.doc[count.end : anchor.start]} & verbs:
                reserved[count.start] = anchor.start
    return reserved


def values_for(view: StudyView, anchor: Span, stop: int, reserved: dict[int, int]) -> list[Span]:
    sent = anchor.sent
    mine = [
        v
        for v in values_between(view, sent.start, sent.end)
        if reserved.get(v.start) == anchor.start
    ]
    if mine:
        return mine
    if subject := subject_number(view, anchor):
        return subject
    if is_discontinuation_cause(view, anchor):
        start = stop_clause_start(view, anchor) or sent.start
        return [v for v in values_between(view, start, sent.end) if v.start not in reserved]
    after = [v for v in values_between(view, anchor.end, stop) if v.start not in reserved]
    if after:
        return after
    before = [
        v
        for v in values_between(view, sent.start, anchor.start)
        if v.label_ == "COUNT" and v.start not in reserved
    ]
    return before[-1:] or leading_number(view, anchor)


def subject_number(view: StudyView, anchor: Span) -> list[Span]:
    """ "Six had headaches": a bare number that is the subject of "had/developed <harm>"."""
    verb = anchor.start - 1
    if (
        verb < 1
        or view.doc[verb].lower_ not in word_set("report_verbs")
        or any(c.end == verb for c in view.all_spans(COUNTS))
    ):
        return []  # a count span before the verb is reserved_counts' to give
    return whole_number_count(
        view, next((n for n in view.all_spans(NUMBERS) if n.end == verb), None)
    )


def whole_number_count(view: StudyView, number: Span | None) -> list[Span]:
    """A number written as a numeral or word, as a count span of its own."""
    if (
        number is None
        or number._.em_kind not in ("numeral", "word")
        or number._.em_value != int(number._.em_value)
    ):
        return []
    count = Span(view.doc, number.start, number.end, label="COUNT")
    count._.em_value = number._.em_value
    return [count]


def leading_number(view: StudyView, anchor: Span) -> list[Span]:
    """ "Two serious adverse events occurred": the number that opens the event's own name."""
    name = event_name(view, anchor)
    return whole_number_count(
        view, next((n for n in view.all_spans(NUMBERS) if n.end == name.start), None)
    )


def find_stop(view: StudyView, anchor: Span, following: list[Span]) -> int:
    """Values of an event run to the next event, or to a later clause about stopping treatment."""
    stop = following[0].start if following else anchor.sent.end
    for other in following:
        clause = stop_clause_start(view, other) if is_discontinuation_cause(view, other) else None
        if clause is not None and clause > anchor.end:
            stop = min(stop, clause)
    return stop


def to_event(view: StudyView, anchor: Span, value: Span) -> AdverseEventFact:
    name = event_name(view, anchor)
    percent = value if value.label_ == "PERCENT" else find_percent_for(view, value)
    is_count = value.label_ == "COUNT"
    return AdverseEventFact(
        where=provenance(view, name, 0.75),
        name=clean_label(name.text.lower()),
        count=int(value._.em_value) if is_count else None,
        of=value._.em_of if is_count else None,
        percent=percent._.em_value if percent is not None else None,
        serious=True if has_serious_cue(view, anchor) else None,
        led_to_discontinuation=True if is_discontinuation_cause(view, anchor) else None,
    )


def applies_to_each_arm(view: StudyView, value: Span) -> bool:
    """ "4% in each group", "in both arms": one figure that stands for two arms."""
    after = view.doc[value.end : min(value.end + 4, value.sent.end)].text.lower()
    return any(p in after for p in word_set("per_arm_phrases"))


def find_named_events(view: StudyView) -> HarmsFact:
    """Harms named with their figures, and the count and percent spans those figures took."""
    anchors = find_anchors(view)
    reserved = reserved_counts(view, anchors)
    events, used = [], set()
    for index, anchor in enumerate(anchors):
        following = [a for a in anchors[index + 1 :] if a.sent == anchor.sent]
        for value in values_for(view, anchor, find_stop(view, anchor, following), reserved):
            if value.start not in used:
                used.add(value.start)
                event = to_event(view, anchor, value)
                if (
                    value.label_ == "COUNT"
                    and (percent := find_percent_for(view, value)) is not None
                ):
                    used.add(percent.start)
                events.extend([event, event] if applies_to_each_arm(view, value) else [event])
    return HarmsFact(events=events, values=frozenset(used))


def find_percent_for(view: StudyView, term: Span) -> Span | None:
    """ "nausea (12%)", "61 patients (10.6%)", "nine patients on LDN (8.4%)"."""
    label_words = (
        len((term._.em_label or "").split()) + 1
        if term.label_ == "COUNT" and term._.em_label
        else 0
    )
    for percent in view.all_spans(PERCENTS):
        if percent.sent == term.sent and 0 <= percent.start - term.end <= 2 + label_words:
            return percent
    return None


def is_discontinuation_cause(view: StudyView, term: Span) -> bool:
    causes = [c for c in view.sentence_terms(term, "cause_cue") if 0 <= term.start - c.end <= 1]
    stops = [s for s in view.sentence_terms(term, "discontinuation") if s.end <= term.start]
    return bool(causes) and bool(stops)


def find_single_patient_events(
    view: StudyView, found: list[AdverseEventFact]
) -> list[AdverseEventFact]:
    """In a case report, every harm named in the body befell the one patient: count 1 each
    ("came to the emergency department with a tremor, headache and nausea")."""
    named = {e.name for e in found}
    events = []
    for term in view.body_spans("em_terms"):
        if (
            term.label_ != "adverse_event"
            or is_negated(view, term)
            or view.has_term_in_sentence(term, "future_cue")
        ):
            continue
        name = clean_label(term.text.lower())
        if name and name not in named:
            named.add(name)
            where = provenance(view, term, 0.6)
            events.append(AdverseEventFact(where=where, name=name, count=1, of=1))
    return events


def is_event_modifier(token) -> bool:
    """Words between "no" and a harm's name that still describe the harm ("no opportunistic
    infections"), unlike a subject and verb ("no patient developed pancreatitis")."""
    if token.lower_ in word_set("event_count_nouns"):  # "no cases of anaphylaxis"
        return True
    return token.is_alpha and token.lower_ not in terms_of("population_noun") | word_set(
        "report_verbs"
    ) | word_set("have_forms")


def find_no_named_events(view: StudyView) -> list[AdverseEventFact]:
    """ "No opportunistic infections were reported": a named harm right after "no", in a
    sentence that reports events, is a count of zero."""
    events = []
    for term in view.body_spans("em_terms"):
        death = (
            term.label_ == "outcome"
            and term.kb_id_ == "died"
            and term[0].lower_ in word_set("death_words")
        )
        if term.label_ != "adverse_event" and not death:
            continue
        lead = view.doc[max(term.sent.start, term.start - 4) : term.start]
        no = next((t for t in lead if t.lower_ in word_set("no_words")), None)
        words = {t.lower_ for t in term.sent}
        between = view.doc[no.i + 1 : term.start] if no is not None else []
        reported = words & word_set("zero_event_verbs") or (
            no is not None and no.i > 0 and view.doc[no.i - 1].lower_ in word_set("past_be")
        )
        if no is None or not reported or not all(is_event_modifier(t) for t in between):
            continue  # "there were no maternal deaths" reports; "patients had no symptoms" may not
        first = next(
            (t.i for t in between if t.lower_ not in word_set("event_count_nouns")), term.start
        )
        name = view.doc[first : term.end]  # "no cases of anaphylaxis" -> "anaphylaxis"
        where = provenance(view, name, 0.7)
        events.append(AdverseEventFact(where=where, name=clean_label(name.text.lower()), count=0))
    return events


def assemble_adverse_events(view: StudyView, *, single_patient: bool = False) -> HarmsFact:
    """Events once each; the same name and numbers in another sentence (a summary box, a
    recap) are a repeat, in the same sentence another arm ("two of nine at 1 mg/kg, two of
    nine at 3 mg/kg"). With them, the count and percent spans the named events took."""
    events, seen = [], {}
    named = find_named_events(view)
    found = find_no_event(view) + find_no_named_events(view) + named.events
    if single_patient:
        found += find_single_patient_events(view, found)
    for event in found:
        key = (event.name, event.count, event.of, event.percent)
        zero = event.count == 0  # "no X" is said once, whichever step found it
        sentence = event.where.sentence
        if event.name and (key not in seen if zero else seen.get(key, sentence) == sentence):
            seen[key] = sentence
            events.append(event)
    return HarmsFact(events=events, values=named.values)
