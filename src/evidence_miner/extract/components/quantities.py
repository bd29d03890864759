"""Find doses, durations, percentages, frequencies, routes and effect sizes in a Doc."""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from evidence_miner.extract.extensions import (
    DOSES,
    DURATIONS,
    EFFECTS,
    FREQUENCIES,
    NUMBERS,
    PERCENTS,
    ROUTES,
)
from evidence_miner.extract.components.terms import TERMS
from evidence_miner.extract.patterns import terms_of, using_pack, word_set
from evidence_miner.lang import LanguagePack

P_TOKEN_RE = re.compile(r"^[pP]\s*(=|<|>|≤|≥|<=|>=)\s*(0?\.\d+|\d(?:\.\d+)?)$")


class TermIndex:
    """Term spans of one Doc by their first token, for quick look-ups by kind."""

    def __init__(self, doc: Doc) -> None:
        self.by_start: dict[int, list[Span]] = {}
        for span in doc.spans[TERMS]:
            self.by_start.setdefault(span.start, []).append(span)

    def at(self, i: int, kind: str) -> Span | None:
        spans = [s for s in self.by_start.get(i, []) if s.label_ == kind]
        return max(spans, key=len) if spans else None


def find_range_end(doc: Doc, numbers: dict[int, Span], first: Span) -> Span | None:
    """The second number of "1.5 to 2" / "2-15" / "between 4 and 6" right after `first`."""
    i = first.end
    between = first.start > 0 and doc[first.start - 1].lower_ == "between"
    joiner = doc[i].lower_ if i < len(doc) else ""
    # "50 and 100 mg" is two doses
    if (joiner in word_set("range_words") and joiner != "and") or (joiner == "and" and between):
        second = numbers.get(i + 1)
        if second is not None and second._.em_value >= first._.em_value:
            return second
    return None


def make_quantity(
    doc: Doc, start: int, end: int, label: str, first: Span, last: Span | None
) -> Span:
    span = Span(doc, start, end, label=label)
    if last is None:
        span._.em_value = first._.em_value
    else:
        span._.em_low, span._.em_high = first._.em_value, last._.em_value
    return span


def find_unit_quantities(doc: Doc, kind: str, label: str) -> list[Span]:
    """NUM UNIT, NUM-UNIT, NUM to NUM UNIT, where UNIT is a term of `kind` (dose_unit,
    time_unit)."""
    terms = TermIndex(doc)
    numbers = {s.start: s for s in doc.spans[NUMBERS]}
    units = terms_of(kind)
    found = []
    for first in doc.spans[NUMBERS]:
        if first._.em_kind == "signed":  # no negative doses or durations
            continue
        if first._.em_unit and first._.em_unit.lower() in units:
            span = make_quantity(doc, first.start, first.end, label, first, None)
            span._.em_unit = first._.em_unit
            found.append(span)
            continue
        last = find_range_end(doc, numbers, first)
        unit_at = (last or first).end
        unit = terms.at(unit_at, kind) if unit_at < len(doc) else None
        if unit is None and last is not None and last._.em_unit and last._.em_unit.lower() in units:
            span = make_quantity(doc, first.start, last.end, label, first, last)
            span._.em_unit = last._.em_unit
            found.append(span)
        elif unit is not None:
            span = make_quantity(doc, first.start, unit.end, label, first, last)
            span._.em_unit = unit.text
            found.append(span)
            if last is None:
                found.extend(find_listed_values(doc, numbers, first, span, label))
    return filter_spans(found)


def find_listed_values(
    doc: Doc, numbers: dict[int, Span], first: Span, quantity: Span, label: str
) -> list[Span]:
    """ "3, 6 or 12 mg/kg", "50 and 100 mg": numbers listed before a quantity share its unit."""
    listed = []
    i = first.start
    while i >= 2 and doc[i - 1].lower_ in word_set("value_list_joiners"):
        before = next((n for n in numbers.values() if n.end == i - 1), None)
        if (
            before is None
            or before._.em_unit
            or before._.em_kind == "signed"
            or (i >= 3 and doc[before.start - 1].lower_ == "between")
        ):
            break
        span = make_quantity(doc, before.start, before.end, label, before, None)
        span._.em_unit = quantity._.em_unit
        listed.append(span)
        i = before.start
    return listed


PAIRED_UNIT_RE = re.compile(r"^([a-zA-Zµμ]+)/(\d+(?:\.\d+)?)$")  # the "mg/2.5" of "40 mg/2.5 mg"


def find_paired_doses(doc: Doc) -> list[Span]:
    """A fixed-dose combination's strengths, "40 mg/2.5 mg": two doses, one per component.
    The tokenizer keeps "mg/2.5" whole, so the unit finder cannot see either dose."""
    numbers = {s.start: s for s in doc.spans[NUMBERS]}
    units = terms_of("dose_unit")
    found = []
    for i in range(len(doc) - 2):
        match = PAIRED_UNIT_RE.match(doc[i + 1].text)
        if (
            i not in numbers
            or match is None
            or match.group(1).lower() not in units
            or doc[i + 2].lower_ not in units
        ):
            continue
        first = make_quantity(doc, i, i + 1, "DOSE", numbers[i], None)
        first._.em_unit = match.group(1)
        second = Span(doc, i + 1, i + 3, label="DOSE")
        second._.em_value, second._.em_unit = float(match.group(2)), doc[i + 2].text
        found.extend([first, second])
    return found


def find_auc_doses(doc: Doc) -> list[Span]:
    """Carboplatin-style "AUC 5" / "AUC of 5" doses."""
    numbers = {s.start: s for s in doc.spans[NUMBERS]}
    found = []
    for token in doc:
        if token.text != "AUC":
            continue
        i = token.i + 1 + (token.i + 1 < len(doc) and doc[token.i + 1].lower_ in {"of", "="})
        if i in numbers:
            span = make_quantity(doc, token.i, numbers[i].end, "DOSE", numbers[i], None)
            span._.em_unit = "AUC"
            found.append(span)
    return found


def find_percents(doc: Doc) -> list[Span]:
    terms = TermIndex(doc)
    found = []
    for number in doc.spans[NUMBERS]:
        if number._.em_unit == "%":
            found.append(make_quantity(doc, number.start, number.end, "PERCENT", number, None))
            continue
        word = terms.at(number.end, "percent_word") if number.end < len(doc) else None
        if word is not None:
            found.append(make_quantity(doc, number.start, word.end, "PERCENT", number, None))
    return sorted(found + find_listed_percents(doc, found), key=lambda p: p.start)


def find_listed_percents(doc: Doc, percents: list[Span]) -> list[Span]:
    """ "in 21 and 24 percent, respectively", "85.8 and 86.8 percent": numbers listed right before
    a percentage written with a word share its unit (as "3, 6 or 12 mg/kg" share theirs)."""
    numbers = {n.end: n for n in doc.spans[NUMBERS]}
    starts = {p.start for p in percents}
    listed = []
    for percent in percents:
        if doc[percent.end - 1].text == "%" or percent[-1].like_num:
            continue  # "21% and 24%" already has each; only a trailing word is shared
        i = percent.start
        while i >= 2 and doc[i - 1].lower_ in word_set("value_list_joiners"):
            before = numbers.get(i - 1)
            if before is None or before._.em_unit or before.start in starts:
                break
            if before.start > 0 and doc[before.start - 1].lower_ == "between":
                break  # "between 21 and 24 percent" is a range
            listed.append(make_quantity(doc, before.start, before.end, "PERCENT", before, None))
            i = before.start
    return listed


def find_frequencies(doc: Doc, matcher: Matcher) -> list[Span]:
    spans = [Span(doc, s, e, label="FREQUENCY") for _, s, e in matcher(doc)]
    return filter_spans(spans)


def find_routes(doc: Doc) -> list[Span]:
    """Route terms; short forms (IV, SC, IM) only when written in capitals or with dots."""
    routes = []
    for span in doc.spans[TERMS]:
        if span.label_ != "route":
            continue
        if span.text.lower() in word_set("short_route_forms") and not (
            span.text.isupper() or "." in span.text
        ):
            continue
        routes.append(span)
    return routes


def stamp_stats(doc: Doc, spans: Iterable[Span]) -> None:
    """Mark durations preceded by mean/median (within three tokens) with em_kind = the stat."""
    terms = TermIndex(doc)
    for span in spans:
        for i in range(max(span.sent.start, span.start - 4), span.start):
            stat = terms.at(i, "stat")
            if stat is not None:
                span._.em_kind = stat.kb_id_


class QuantityFinder:
    """Sets doc.spans em_doses, em_durations, em_percents, em_frequencies, em_routes, em_effects.

    Doses and durations carry em_value or em_low/em_high and em_unit (as written); durations
    preceded by mean/median carry em_kind = "mean"/"median"; effects carry kb_id_ (HR, OR...),
    em_value, em_low/em_high (the CI), em_p and em_op.
    """

    def __init__(self, nlp: Language, pack: LanguagePack) -> None:
        self.pack = pack
        self.frequency_matcher = Matcher(nlp.vocab)
        for row in pack.frequency_patterns:
            self.frequency_matcher.add(row["label"], [row["pattern"]])

    def __call__(self, doc: Doc) -> Doc:
        with using_pack(self.pack):
            return self.find(doc)

    def find(self, doc: Doc) -> Doc:
        doc.spans[DOSES] = filter_spans(
            find_unit_quantities(doc, "dose_unit", "DOSE")
            + find_auc_doses(doc)
            + find_paired_doses(doc)
        )
        durations = find_unit_quantities(doc, "time_unit", "DURATION")
        stamp_stats(doc, durations)
        doc.spans[DURATIONS] = durations
        doc.spans[PERCENTS] = find_percents(doc)
        doc.spans[FREQUENCIES] = find_frequencies(doc, self.frequency_matcher)
        doc.spans[ROUTES] = find_routes(doc)
        doc.spans[EFFECTS] = find_effects(doc)
        return doc


def find_effects(doc: Doc) -> list[Span]:
    """HR/OR/RR/MD... followed by a value, an optional confidence interval and p value."""
    numbers = {s.start: s for s in doc.spans[NUMBERS]}
    effect_words = [t for t in doc.spans[TERMS] if t.label_ == "effect_type"]
    terms = [t for t in effect_words if is_effect_term(t)]
    term_starts = {t.start for t in terms}
    effects = []
    for term in terms:
        value = next_number(doc, numbers, term.end, limit=4, stop=term.sent.end)
        if value is None or term_starts & set(range(term.end, value.start)):
            continue  # "no meaningful difference (HR 0.94; ...)": the value is the later word's
        if names_no_value(doc, term, value):
            continue
        span_end, low, high = find_interval(doc, numbers, value.end, term.sent.end)
        p_value, p_op, span_end = find_p_value(doc, numbers, span_end, term.sent.end)
        span = Span(doc, term.start, span_end, label="EFFECT", kb_id=effect_type(doc, term, value))
        span._.em_value = value._.em_value
        span._.em_low, span._.em_high, span._.em_p, span._.em_op = low, high, p_value, p_op
        effects.append(span)
        effects.extend(find_parallel_effects(doc, numbers, span))
    effects = filter_spans(effects + find_point_differences(doc, numbers, effect_words))
    return filter_spans(effects + find_untyped_effects(doc, numbers, effects))


def find_point_differences(
    doc: Doc, numbers: dict[int, Span], effect_words: list[Span]
) -> list[Span]:
    """ "a 14.6-percentage-point difference": a risk difference whose value comes before the
    word; not a difference a trial was powered to detect ("designed to detect a 10-point ...")."""
    found = []
    for term in effect_words:
        value = numbers.get(term.start - 1)
        if term.kb_id_ not in ("MD", "RD") or value is None:
            continue
        if "percentage" not in (value._.em_unit or "") or any(
            t.lower_ in word_set("power_words") for t in term.sent
        ):
            continue
        span = Span(doc, value.start, term.end, label="EFFECT", kb_id="RD")
        span._.em_value = value._.em_value
        found.append(span)
    return found


def find_untyped_effects(doc: Doc, numbers: dict[int, Span], effects: list[Span]) -> list[Span]:
    """ "Among the 37,144 without it, the estimate was 1.11 (95% CI, 0.93 to 1.33)": a value
    with its own interval but no effect word takes the type of the effect just before it (in
    that sentence or the two before)."""
    taken = {i for e in effects for i in range(e.start, e.end)}
    sentence_starts = [s.start for s in doc.sents]
    found = []
    for value in doc.spans[NUMBERS]:
        if value.start in taken or is_ci_level(doc, value) or value._.em_unit:
            continue
        end, low, high = find_interval(doc, numbers, value.end, value.sent.end)
        if low is None or not (low <= value._.em_value <= high) or not opens_interval(doc, value):
            continue
        earlier = [
            e
            for e in effects
            if e.end <= value.start
            and sentences_between(sentence_starts, e.start, value.start) <= 2
        ]
        if not earlier:
            continue
        span = Span(doc, value.start, end, label="EFFECT", kb_id=earlier[-1].kb_id_)
        span._.em_value, span._.em_low, span._.em_high = value._.em_value, low, high
        p_value, p_op, _ = find_p_value(doc, numbers, end, value.sent.end)
        span._.em_p, span._.em_op = p_value, p_op
        found.append(span)
        taken.update(range(span.start, span.end))
    return found


def opens_interval(doc: Doc, value: Span) -> bool:
    """ "1.11 (95% CI ...", "-0.6 points for lamotrigine (95% CI ...": at most four words, and
    no other number, between a value and the bracket or comma that opens its interval."""
    for token in doc[value.end : min(value.end + 5, value.sent.end)]:
        if token.text in {"(", ","}:
            return True
        if not token.is_alpha:
            return False
    return False


def sentences_between(starts: list[int], a: int, b: int) -> int:
    return sum(1 for s in starts if a < s <= b)


def effect_type(doc: Doc, term: Span, value: Span) -> str:
    """A plain "difference of 5.8 percentage points" is a risk difference, not a mean difference."""
    after = doc[value.end : min(value.end + 3, len(doc))].text.lower()
    if term.text.lower() == "difference" and "percentage point" in after:
        return "RD"
    return term.kb_id_


def find_parallel_effects(doc: Doc, numbers: dict[int, Span], first: Span) -> list[Span]:
    """ "... 0.78 (95% CI, 0.63-0.97) in trials of X and 0.72 (95% CI, 0.61-0.85) in Y": later
    values of the same measure, each with its own interval, joined by "and"."""
    found, start, stop = [], first.end, first.sent.end
    for i in range(start, stop):
        value = numbers.get(i)
        if (
            value is None
            or is_ci_level(doc, value)
            or doc[i - 1].lower_ not in word_set("effect_list_joiners")
        ):
            continue
        end, low, high = find_interval(doc, numbers, value.end, stop)
        if low is None or end - value.end > 10:
            continue
        span = Span(doc, value.start, end, label="EFFECT", kb_id=first.kb_id_)
        span._.em_value, span._.em_low, span._.em_high = value._.em_value, low, high
        found.append(span)
    return found


def names_no_value(doc: Doc, term: Span, value: Span) -> bool:
    """ "the difference between Groups 2 and 3", "a difference between the two": what follows
    "between" names the things compared; "MD Anderson ... 2017": an abbreviation followed by
    a name is no effect word."""
    gap = doc[term.end : value.start]
    if any(t.lower_ in word_set("comparison_stops") for t in gap):
        return True
    return term.text.isupper() and len(gap) > 0 and gap[0].is_title and gap[0].is_alpha


def is_effect_term(term: Span) -> bool:
    """Abbreviations (OR, HR, RR, MD; plurals ORs, HRs) count only in capitals: "or" is a
    conjunction, "hrs" hours."""
    text = term.text
    if " " in text or len(text) > 4:
        return True
    return text.isupper() or (text.endswith("s") and text[:-1].isupper())


def next_number(
    doc: Doc, numbers: dict[int, Span], start: int, *, limit: int, stop: int
) -> Span | None:
    for i in range(start, min(start + limit, stop)):
        if i in numbers and not is_ci_level(doc, numbers[i]):
            return numbers[i]
    return None


def is_ci_level(doc: Doc, number: Span) -> bool:
    """The "95" of "95% CI"."""
    after = {t.lower_ for t in doc[number.end : number.end + 3]}
    return number._.em_value in (90, 95, 99) and bool(after & word_set("ci_words"))


def find_interval(
    doc: Doc, numbers: dict[int, Span], start: int, stop: int
) -> tuple[int, float | None, float | None]:
    """(end token, low, high) of a confidence interval starting within 8 tokens of `start`."""
    window = {t.lower_ for t in doc[start : min(start + 8, stop)]}
    if not window & word_set("ci_words"):
        return start, None, None
    for i in range(start, min(start + 12, stop)):
        first = numbers.get(i)
        if first is None or is_ci_level(doc, first):
            continue
        j = first.end + (
            first.end < stop and doc[first.end].lower_ in word_set("range_words") | {","}
        )
        second = numbers.get(j)
        if second is not None:
            return second.end, first._.em_value, second._.em_value
    return start, None, None


def find_p_value(
    doc: Doc, numbers: dict[int, Span], start: int, stop: int
) -> tuple[float | None, str | None, int]:
    """A p value ("P = .12", "p<0.001", "P value of 0.03") within 6 tokens of `start`."""
    for i in range(start, min(start + 6, stop)):
        token = doc[i]
        if match := P_TOKEN_RE.match(token.text):
            return float(match.group(2)), normalise_operator(match.group(1)), i + 1
        if token.lower_ == "p" and i + 2 < stop and doc[i + 1].text in {"=", "<", ">", "≤", "≥"}:
            if (i + 2) in numbers:
                return (
                    numbers[i + 2]._.em_value,
                    normalise_operator(doc[i + 1].text),
                    numbers[i + 2].end,
                )
    return None, None, start


def normalise_operator(op: str) -> str:
    return {"≤": "<=", "≥": ">="}.get(op, op)
