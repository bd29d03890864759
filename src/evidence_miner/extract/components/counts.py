"""Find counts of people or animals ("19 patients", "two of nine", "all four with X", "(n=10)")."""

from __future__ import annotations

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from evidence_miner.extract.components.numbers import is_age
from evidence_miner.extract.components.quantities import TermIndex
from evidence_miner.extract.extensions import COUNTS, DOSES, DURATIONS, EFFECTS, NUMBERS, PERCENTS
from evidence_miner.extract.patterns import terms_of, using_pack, word_set
from evidence_miner.lang import LanguagePack
from evidence_miner.numbers import load_number_words


def is_population_noun(doc: Doc, i: int) -> bool:
    return 0 <= i < len(doc) and doc[i].lower_ in terms_of("population_noun")


def taken_tokens(doc: Doc) -> set[int]:
    """Tokens inside doses, durations, percentages and effects: their numbers are not counts."""
    taken = set()
    for group in (DOSES, DURATIONS, PERCENTS, EFFECTS):
        for span in doc.spans[group]:
            taken.update(range(span.start, span.end))
    return taken


def is_modifier_word(text: str) -> bool:
    """Words that may stand between a number and its noun: "male C57BL/6 mice", "Sjögren’s"."""
    return text in {"’s", "'s", "-"} or (
        any(c.isalpha() for c in text) and all(c.isalnum() or c in "/-" for c in text)
    )


def find_noun_end(doc: Doc, start: int, stop: int, *, max_modifiers: int = 4) -> int | None:
    """End of "[modifiers] NOUN" from `start` ("Sjögren's syndrome patients" -> after patients)."""
    for i in range(start, min(start + max_modifiers + 1, stop)):
        if is_population_noun(doc, i):
            return i + 1
        token = doc[i]
        joins_adjectives = (
            token.lower_ == "and" and i > start and i + 1 < stop and doc[i + 1].is_alpha
        )
        if joins_adjectives:  # "620 gay and bisexual men"
            continue
        if (
            token.lower_ in word_set("modifier_stop")
            or token.like_num
            or not is_modifier_word(token.text)
        ):
            return None
    return None


def find_label(doc: Doc, start: int, stop: int) -> str | None:
    """The qualifier after a count: "with ataxic neuropathy" -> "ataxic neuropathy", "who
    required corticosteroids" -> "required corticosteroids", "in the placebo group" as is."""
    lead = doc[start].lower_ if start < stop else ""
    if lead not in word_set("label_leads_dropped") | word_set("label_leads_kept"):
        return None
    end = start + 1
    while end < stop and end - start < 9 and (end == start + 1 or not is_label_boundary(doc, end)):
        end += 1
    first = start + 1 if lead in word_set("label_leads_dropped") else start
    return doc[first:end].text if end > start + 1 else None


def is_label_boundary(doc: Doc, i: int) -> bool:
    """Where a qualifier ends: punctuation, a verb of the main clause ("who smoked | relapsed")."""
    token = doc[i]
    return token.lower_ in word_set("label_boundary") or (
        token.lower_.endswith("ed") and token.lower_ in terms_of("outcome")
    )


def make_count(
    doc: Doc, start: int, end: int, value: float, kind: str, *, of: float | None = None
) -> Span:
    span = Span(doc, start, end, label="COUNT")
    span._.em_value = value
    span._.em_of = int(of) if of is not None else None
    span._.em_kind = kind
    return span


def find_of_count(doc: Doc, numbers: dict[int, Span], first: Span, stop: int) -> Span | None:
    """ "two of nine patients", "126 of the 306", "Ten of 13 patients who ...", "412 of the statin
    users"."""
    i = first.end
    if i >= stop or doc[i].lower_ != "of":
        return None
    has_determiner = i + 1 < stop and doc[i + 1].lower_ in word_set("determiners")
    i += 1 + has_determiner
    second = numbers.get(i)
    if second is None and has_determiner:
        return find_of_group(doc, first, i, stop)
    if second is None or second._.em_value < first._.em_value:
        return None
    end = find_noun_end(doc, second.end, stop) or second.end
    return make_count(doc, first.start, end, first._.em_value, "of", of=second._.em_value)


def find_of_group(doc: Doc, first: Span, start: int, stop: int) -> Span | None:
    """ "412 of the statin users": a count of a named group; the label is the group's name."""
    end = start
    while (
        end < stop
        and end - start < 5
        and doc[end].is_alpha
        and doc[end].lower_ not in word_set("label_boundary") | word_set("count_label_stops")
    ):
        end += 1
    if end == start:
        return None
    count = make_count(doc, first.start, first.end, first._.em_value, "of_group")
    count._.em_label = doc[start:end].text
    return count


def is_year(number: Span) -> bool:
    return (
        number._.em_kind == "numeral"
        and 1900 <= number._.em_value <= 2100
        and "," not in number.text
    )


def find_bare_count(
    doc: Doc, number: Span, stop: int, earlier: bool, terms: TermIndex
) -> Span | None:
    """A number standing for people without a noun: "1,104 received TXA", "and 31 on
    amitriptyline (29.5%)", "compared with 17 (3.0%)", "and 1,273 did not"."""
    if is_year(number) or number.end >= stop:
        return None
    following = doc[number.end].lower_
    previous = doc[number.start - 1].lower_ if number.start > 0 else ""
    if previous in word_set("remaining_words") and following in word_set("referring_verbs"):
        return make_count(doc, number.start, number.end, number._.em_value, "other")
    if terms.at(number.end, "arm_verb") is not None:
        return make_count(doc, number.start, number.end, number._.em_value, "arm")
    if (
        following == "who"
        and number.end + 1 < stop
        and terms.at(number.end + 1, "arm_verb") is not None
    ):
        # "121 who received aspirin"
        return make_count(doc, number.start, number.end, number._.em_value, "arm")
    if (
        earlier
        and previous in word_set("group_words")
        and following in word_set("group_count_ends")
    ):
        # "the placebo group 148"
        return make_count(doc, number.start, number.end, number._.em_value, "parallel")
    if previous == "(" and following == ")" and earlier_arm_size(doc, number):
        return make_count(doc, number.start, number.end, number._.em_value, "arm_size")
    if following == "(" and any(s.start == number.end + 1 for s in doc.spans[PERCENTS]):
        return make_count(doc, number.start, number.end, number._.em_value, "parallel")
    if (
        following == "in"
        and "group" in doc[number.end : min(number.end + 5, stop)].text.lower().split()
    ):
        return make_count(doc, number.start, number.end, number._.em_value, "parallel")
    if earlier and (
        following in word_set("bare_next") | word_set("referring_verbs")
        or (following in {".", ",", ";", ")"} and previous in word_set("bare_count_leads"))
    ):
        return make_count(doc, number.start, number.end, number._.em_value, "parallel")
    if (
        previous in word_set("definite_determiners")
        and following in word_set("definite_next")
        and number._.em_value >= 2
    ):
        # "Among the 37,144 without it"
        return make_count(doc, number.start, number.end, number._.em_value, "plain")
    return None


def find_plain_count(doc: Doc, number: Span, stop: int) -> Span | None:
    """ "19 patients", "1,580 older adults", "(10 patients)", "all four with ..."."""
    end = find_noun_end(doc, number.end, stop)
    before = doc[number.start - 1].lower_ if number.start > 0 else ""
    if before == "all" and (
        end or (number.end < stop and doc[number.end].lower_ in word_set("all_count_next"))
    ):
        return make_count(
            doc, number.start - 1, end or number.end, number._.em_value, "all", of=number._.em_value
        )
    if end is None:
        return None
    kind = "other" if before in word_set("remaining_words") else "plain"
    if before == "(" and end < len(doc) and doc[end].text == ")":
        kind = "arm_size"
    count = make_count(doc, number.start, end, number._.em_value, kind)
    if doc[end - 1].lower_ in terms_of("group_noun") and not (
        end < stop and doc[end].lower_ == "of"
    ):
        count._.em_label = doc[
            end - 1
        ].lower_  # "17,248 controls", "812 users": the noun names the group
    return count


def find_n_equals(doc: Doc, number: Span) -> Span | None:
    """ "(n=10)", "n = 306"."""
    if number._.em_kind == "n_equals":
        return make_count(doc, number.start, number.end, number._.em_value, "arm_size")
    if (
        number.start >= 2
        and doc[number.start - 1].text == "="
        and doc[number.start - 2].lower_ == "n"
    ):
        return make_count(doc, number.start - 2, number.end, number._.em_value, "arm_size")
    return None


def find_none_counts(doc: Doc) -> list[Span]:
    """ "No patient developed pancreatitis", "none of the children": a count of zero."""
    found = []
    for token in doc[:-1]:
        nxt = doc[token.i + 1]
        if (
            token.lower_ == "no"
            and nxt.lower_ in terms_of("population_noun")
            and nxt.lower_ not in terms_of("aggregate_noun")
        ):
            found.append(make_count(doc, token.i, token.i + 2, 0, "none"))
        elif token.lower_ == "none" and nxt.lower_ == "of" and is_population_noun(doc, token.i + 3):
            found.append(make_count(doc, token.i, token.i + 4, 0, "none"))
    return found


def find_sole_counts(doc: Doc) -> list[Span]:
    """ "the sole patient with X", "the only participant who ..."."""
    found = []
    for token in doc[:-2]:
        if token.lower_ in word_set("sole_words") and doc[token.i + 1].lower_ in terms_of(
            "population_noun_singular"
        ):
            if token.i > 0 and doc[token.i - 1].lower_ == "the":
                found.append(make_count(doc, token.i - 1, token.i + 2, 1, "all", of=1))
    return found


def find_elliptical(doc: Doc, number: Span, stop: int, terms: TermIndex) -> Span | None:
    """A bare number followed by an outcome verb: "and four worsened"."""
    if (
        number.end < stop
        and terms.at(number.end, "outcome") is not None
        and number._.em_value == int(number._.em_value)
    ):
        return make_count(doc, number.start, number.end, number._.em_value, "elliptical")
    return None


def is_not_a_headcount(number: Span) -> bool:
    """Negative numbers, ages ("a 90-year-old man") and dated years ("Oct. 4, 2019 - heart
    patients ...", "since March 2018") count no one."""
    return number._.em_kind == "signed" or is_age(number) or is_dated_year(number)


def is_rounded_count(count: Span) -> bool:
    """ "4.1 million adults": a count written with a scale word, a population's rounded size
    rather than people a study counted one by one."""
    return any(t.lower_ in load_number_words().scales for t in count)


def is_dated_year(number: Span) -> bool:
    """A year after a month, or after a month's day and a comma ("Oct. 4, 2019")."""
    if not is_year(number):
        return False
    doc, i = number.doc, number.start
    before = [doc[j].lower_.rstrip(".") for j in range(max(0, i - 3), i)]
    months = word_set("month_names")
    return bool(before) and (
        before[-1] in months
        or (len(before) == 3 and before[-1] == "," and before[-2].isdigit() and before[0] in months)
    )


def find_counts(doc: Doc) -> list[Span]:
    numbers = {s.start: s for s in doc.spans[NUMBERS]}
    taken = taken_tokens(doc)
    terms = TermIndex(doc)  # built once: every number looks terms up
    found = find_sole_counts(doc) + find_none_counts(doc)
    by_sentence: dict[int, list[Span]] = {}
    for count in found:
        by_sentence.setdefault(count.sent.start, []).append(count)
    for number in doc.spans[NUMBERS]:
        if (
            number.start in taken
            or is_not_a_headcount(number)
            or number._.em_value != int(number._.em_value)
            or is_rate(doc, number)
        ):
            continue
        sent = number.sent
        stop = sent.end
        if number._.em_kind == "fraction":
            count = make_count(
                doc, number.start, number.end, number._.em_value, "of", of=number._.em_of
            )
        else:
            earlier = any(
                c.end <= number.start and not is_aggregate_count(c)
                for c in by_sentence.get(sent.start, [])
            )
            count = (
                find_n_equals(doc, number)
                or find_of_count(doc, numbers, number, stop)
                or find_plain_count(doc, number, stop)
                or find_elliptical(doc, number, stop, terms)
                or find_bare_count(doc, number, stop, earlier, terms)
            )
        if count is not None:
            found.append(count)
            by_sentence.setdefault(sent.start, []).append(count)
    return [attach_label(doc, c) for c in filter_spans(found)]


def earlier_arm_size(doc: Doc, number: Span) -> bool:
    """ "to tirzepatide (345 patients) or to placebo (343)": a sibling arm already has a size."""
    window = doc[number.sent.start : number.start]
    return any(t.text == ")" for t in window) and any(is_population_noun(doc, t.i) for t in window)


def is_rate(doc: Doc, number: Span) -> bool:
    """ "one in four patients", "1 in 7 adults", "for every 17 patients treated", "per 1,000
    person-years": a rate."""
    before = doc[number.start - 1].lower_ if number.start >= 1 else ""
    after = doc[number.end].lower_ if number.end < len(doc) else ""
    if before in word_set("rate_leads") or after.startswith(
        tuple(word_set("person_time_prefixes"))
    ):
        return True  # "for every 17", "per 1,000 person-years"
    return (
        number.start >= 2
        and before == "in"
        and doc[number.start - 2].lower_ in word_set("one_words")
    )


def is_aggregate_count(count: Span) -> bool:
    """ "Two studies", "12 trials": counts of studies, not of people."""
    return count[-1].lower_ in terms_of("aggregate_noun")


def attach_label(doc: Doc, count: Span) -> Span:
    label = find_label(doc, count.end, count.sent.end)
    if label is not None or count._.em_label is None:
        count._.em_label = label or count._.em_label
    return count


class CountFinder:
    """Sets doc.spans["em_counts"]: em_value, em_of (denominator), em_kind, em_label (qualifier)."""

    def __init__(self, pack: LanguagePack) -> None:
        self.pack = pack

    def __call__(self, doc: Doc) -> Doc:
        with using_pack(self.pack):
            doc.spans[COUNTS] = find_counts(doc)
        return doc
