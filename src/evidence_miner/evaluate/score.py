"""Score predicted evidence records against gold studies, as docs/evaluation.md describes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from evidence_miner.evaluate.gold import GoldArticle, GoldDrug, GoldStudy
from evidence_miner.records import EvidenceRecord

FIELDS = [
    "records",
    "design",
    "journal",
    "total",
    "age",
    "follow_up",
    "drugs",
    "doses",
    "groups",
    "outcomes",
    "adverse_events",
]
SCORED_ROLES = {"studied", "comparator", "placebo", "concomitant"}
NEUTRAL_ROLES = {"prior", "mentioned"}
STOPWORDS = {
    "a",
    "an",
    "the",
    "of",
    "and",
    "or",
    "to",
    "in",
    "with",
    "for",
    "on",
    "at",
    "by",
    "no",
    "any",
}
# Words that name no group on their own (docs/evaluation.md, strict scoring).
GROUP_FILLERS = {
    "group",
    "groups",
    "arm",
    "arms",
    "patients",
    "patient",
    "people",
    "person",
    "those",
    "taking",
    "took",
    "received",
    "receiving",
    "given",
    "treated",
    "versus",
    "who",
    "participants",
    "subjects",
    "cohort",
    "the",
    "and",
    "with",
    "for",
    "were",
}
JUNK_MARKERS = (
    "leave a reply",
    "bloggers like this",
    "share this",
    "related posts",
    "click to share",
    "subscribe to our newsletter",
    "accept cookies",
    "post a comment",
    "comments are closed",
)


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Tally) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    fields: dict[str, Tally] = field(default_factory=lambda: {f: Tally() for f in FIELDS})
    junk_failures: int = 0
    misses: list[str] = field(default_factory=list)

    def micro(self) -> Tally:
        total = Tally()
        for tally in self.fields.values():
            total.add(tally)
        return total


def fold(text: str | None) -> str:
    """Case, curly quotes, accents and spacing do not matter."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    text = text.replace("’", "'").replace("‘", "'").lower()
    return re.sub(r"\s+", " ", text).strip()


def fold_journal(text: str | None) -> str:
    text = fold(text).replace("&", "and")
    return re.sub(r"^the ", "", re.sub(r"\s+", " ", text))


def same_number(a: object, b: object) -> bool:
    return a is not None and b is not None and abs(float(a) - float(b)) < 1e-6  # type: ignore[arg-type]


def pair_greedy(
    gold: list,
    pred: list,
    matches: Callable[[object, object], bool],
    *,
    optional: Callable[[object], bool] = lambda g: False,
) -> Tally:
    """One-to-one greedy matching; unmatched optional gold items cost nothing."""
    used: set[int] = set()
    tally = Tally()
    for p in pred:
        hit = next((i for i, g in enumerate(gold) if i not in used and matches(g, p)), None)
        if hit is None:
            tally.fp += 1
        else:
            used.add(hit)
            tally.tp += 1
    tally.fn = sum(1 for i, g in enumerate(gold) if i not in used and not optional(g))
    return tally


def is_approximate(item: object) -> bool:
    return isinstance(item, dict) and bool(item.get("approximate"))


def drug_forms(gold: GoldDrug) -> set[str]:
    return {fold(gold.name), *(fold(m) for m in gold.match)}


def predicted_forms(name: str, text: str | None, aliases: Iterable[str]) -> set[str]:
    return {fold(name), fold(text), *(fold(a) for a in aliases)} - {""}


def intervention_forms(record: EvidenceRecord) -> list[tuple[set[str], object]]:
    return [(predicted_forms(i.name, i.text, i.aliases), i) for i in record.interventions]


def score_drugs(gold: GoldStudy, record: EvidenceRecord) -> Tally:
    """Scored roles count; prior/mentioned gold drugs are neutral to find and to miss."""
    scored = [g for g in gold.drugs if g.role not in NEUTRAL_ROLES]
    neutral = [g for g in gold.drugs if g.role in NEUTRAL_ROLES]
    used: set[int] = set()
    tally = Tally()
    for forms, _ in intervention_forms(record):
        hit = next(
            (i for i, g in enumerate(scored) if i not in used and forms & drug_forms(g)), None
        )
        if hit is not None:
            used.add(hit)
            tally.tp += 1
        elif not any(forms & drug_forms(g) for g in neutral):
            tally.fp += 1
    tally.fn = len(scored) - len(used)
    return tally


def gold_drug_named(gold: GoldStudy, name: str) -> GoldDrug:
    found = next((d for d in gold.drugs if fold(d.name) == fold(name)), None)
    return found or GoldDrug(name=name, match=[name])


def predicted_doses(record: EvidenceRecord) -> list[tuple[set[str], object]]:
    items = []
    for forms, intervention in intervention_forms(record):
        for dose in intervention.doses:  # type: ignore[attr-defined]
            if dose.value is not None or dose.low is not None:
                items.append((forms, dose))
    return items


def dose_matches(gold: GoldStudy) -> Callable[[object, object], bool]:
    def matches(g: object, p: object) -> bool:
        forms, dose = p  # type: ignore[misc]
        if not forms & drug_forms(gold_drug_named(gold, g["drug"])):  # type: ignore[index]
            return False
        if fold(str(g.get("unit"))) != fold(dose.unit):  # type: ignore[union-attr]
            return False
        if g.get("low") is not None:  # type: ignore[union-attr]
            return same_number(g["low"], dose.low) and same_number(g["high"], dose.high)  # type: ignore[index]
        return same_number(g.get("value"), dose.value)  # type: ignore[union-attr]

    return matches


def score_doses(gold: GoldStudy, record: EvidenceRecord) -> Tally:
    golds = [d for d in gold.doses if d.get("value") is not None or d.get("low") is not None]
    return pair_greedy(golds, predicted_doses(record), dose_matches(gold), optional=is_approximate)


def outcome_kind(item: dict) -> str | None:
    """effect, count or percent: what the item can be matched on (None: nothing to score)."""
    effect = item.get("effect")
    if isinstance(effect, dict) and effect.get("value") is not None:
        return "effect"
    if item.get("count") is not None:
        return "count"
    if item.get("percent") is not None:
        return "percent"
    return None


def outcome_matches(g: dict, p: dict) -> bool:
    kind = outcome_kind(g)
    if kind != outcome_kind(p):
        return False
    if kind == "effect":
        ge, pe = g["effect"], p["effect"]
        return fold(ge.get("type")) == fold(pe.get("type")) and same_number(
            ge.get("value"), pe.get("value")
        )
    if kind == "count":
        denominators = g.get("of") is None or p.get("of") is None or same_number(g["of"], p["of"])
        return same_number(g["count"], p["count"]) and denominators
    return same_number(g.get("percent"), p.get("percent"))


def content_words(name: str | None) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", fold(name)) if w not in STOPWORDS}


def drug_tokens_of(label: str, gold: GoldStudy) -> str:
    """The folded label with every name and `match` form of a gold drug read as that drug."""
    text = f" {fold(label)} "
    forms = sorted(
        ((form, i) for i, d in enumerate(gold.drugs) for form in drug_forms(d) if form),
        key=lambda pair: -len(pair[0]),
    )
    for form, index in forms:
        text = re.sub(rf"(?<![a-z0-9]){re.escape(form)}(?![a-z0-9])", f" golddrug{index} ", text)
    return text


def group_words(label: str | None, gold: GoldStudy) -> set[str]:
    """Numbers and content words (three letters or more, no filler) that name a group."""
    words = re.findall(r"[a-z0-9]+", drug_tokens_of(label or "", gold))
    return {w for w in words if w.isdigit() or (len(w) >= 3 and w not in GROUP_FILLERS)}


def is_same_group(gold_label: str | None, pred_label: str | None, gold: GoldStudy) -> bool:
    """Strict scoring: a gold item without a group needs none; one with a group needs a
    predicted group that shares a number or a content word with it."""
    if not gold_label:
        return True
    return bool(group_words(gold_label, gold) & group_words(pred_label, gold))


def in_same_group(
    matches: Callable[[dict, dict], bool], gold: GoldStudy
) -> Callable[[dict, dict], bool]:
    def strict_matches(g: dict, p: dict) -> bool:
        return matches(g, p) and is_same_group(g.get("group"), p.get("group"), gold)

    return strict_matches


def has_number(event: dict) -> bool:
    """An adverse event is scored only with a count or a percentage (docs: evaluation.md)."""
    return event.get("count") is not None or event.get("percent") is not None


def adverse_matches(g: dict, p: dict) -> bool:
    number_ok = (
        same_number(g.get("count"), p.get("count"))
        if g.get("count") is not None
        else same_number(g.get("percent"), p.get("percent"))
    )
    return number_ok and bool(content_words(g.get("name")) & content_words(p.get("name")))


def score_single(
    gold_value: object, pred_value: object, same: Callable[[object, object], bool]
) -> Tally:
    golds = [] if gold_value in (None, "") else [gold_value]
    preds = [] if pred_value in (None, "") else [pred_value]
    return pair_greedy(golds, preds, same)


def gold_follow_up(gold: GoldStudy) -> tuple | None:
    fu = gold.study.get("follow_up")
    return (fu.get("value"), fold(fu.get("unit"))) if isinstance(fu, dict) else None


def pred_follow_up(record: EvidenceRecord) -> tuple | None:
    fu = record.study.follow_up
    return (fu.value, fold(fu.unit)) if fu is not None and fu.value is not None else None


def same_follow_up(g: object, p: object) -> bool:
    return same_number(g[0], p[0]) and g[1] == p[1]  # type: ignore[index]


def nested(data: dict, *keys: str) -> object:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None  # type: ignore[assignment]
    return data


def score_total(gold_population: dict, predicted: int | None) -> Tally:
    """`total_approximate` ("about 9,000") makes the gold total optional, as `approximate` does
    for list items: a match earns credit, a miss costs nothing, a wrong total is still wrong."""
    golds = [] if gold_population.get("total") is None else [gold_population["total"]]
    optional = bool(gold_population.get("total_approximate"))
    return pair_greedy(
        golds, [] if predicted is None else [predicted], same_number, optional=lambda _: optional
    )


def score_study(
    gold: GoldStudy, record: EvidenceRecord, score: Score, *, strict: bool = False
) -> None:
    pop, pred_pop = gold.population, record.population
    f = score.fields
    f["design"].add(
        score_single(gold.study.get("design"), record.study.design, lambda a, b: fold(a) == fold(b))
    )  # type: ignore[arg-type]
    f["journal"].add(
        score_single(
            gold.study.get("journal"),
            record.study.journal,
            lambda a, b: fold_journal(a) == fold_journal(b),
        )
    )  # type: ignore[arg-type]
    f["total"].add(score_total(pop, pred_pop.total.value if pred_pop.total else None))
    f["age"].add(
        score_single(
            nested(pop, "age", "value"), pred_pop.age.value if pred_pop.age else None, same_number
        )
    )
    f["follow_up"].add(score_single(gold_follow_up(gold), pred_follow_up(record), same_follow_up))
    f["drugs"].add(score_drugs(gold, record))
    f["doses"].add(score_doses(gold, record))
    groups = [g for g in pop.get("groups", []) if g.get("n") is not None]
    f["groups"].add(
        pair_greedy(
            groups,
            [g.n for g in pred_pop.groups if g.n is not None],
            lambda g, n: same_number(g["n"], n),
            optional=is_approximate,
        )
    )
    outcome_rule = in_same_group(outcome_matches, gold) if strict else outcome_matches
    adverse_rule = in_same_group(adverse_matches, gold) if strict else adverse_matches
    pred_outcomes = [o.model_dump() for o in record.outcomes if outcome_kind(o.model_dump())]
    f["outcomes"].add(
        pair_greedy(
            [o for o in gold.outcomes if outcome_kind(o)],
            pred_outcomes,
            outcome_rule,
            optional=is_approximate,
        )
    )
    pred_events = [a.model_dump() for a in record.adverse_events if has_number(a.model_dump())]
    gold_events = [a for a in gold.adverse_events if has_number(a)]
    f["adverse_events"].add(
        pair_greedy(gold_events, pred_events, adverse_rule, optional=is_approximate)
    )


def score_spurious(record: EvidenceRecord, score: Score) -> None:
    """A record no gold study claims: the record and every item inside it are false positives."""
    f = score.fields
    f["records"].fp += 1
    f["drugs"].fp += len(record.interventions)
    f["doses"].fp += len(predicted_doses(record))
    f["outcomes"].fp += sum(1 for o in record.outcomes if outcome_kind(o.model_dump()))
    f["adverse_events"].fp += sum(1 for a in record.adverse_events if has_number(a.model_dump()))
    f["total"].fp += record.population.total is not None


def shared_drugs(gold: GoldStudy, record: EvidenceRecord) -> int:
    forms = [f for f, _ in intervention_forms(record)]
    return sum(1 for g in gold.drugs if any(f & drug_forms(g) for f in forms))


def owner_of(record: EvidenceRecord, articles: list[GoldArticle]) -> GoldArticle | None:
    """The gold article whose name stem appears in the record's URL (the longest such stem)."""
    owners = [a for a in articles if a.stem in record.source.url]
    return max(owners, key=lambda a: len(a.stem)) if owners else None


def contains_junk(record: EvidenceRecord) -> bool:
    text = fold(record.model_dump_json(exclude={"source"}))
    return any(marker in text for marker in JUNK_MARKERS)


def score_article(
    article: GoldArticle, records: list[EvidenceRecord], score: Score, *, strict: bool = False
) -> None:
    unused = list(records)
    for gold in article.studies:
        if not unused:
            score.fields["records"].fn += 1
            score.misses.append(f"{article.stem}: no record for study {gold.id}")
            score_study(
                gold, EvidenceRecord(record_id="missing", source={"url": ""}), score, strict=strict
            )
            continue
        best = max(unused, key=lambda r: shared_drugs(gold, r))
        unused.remove(best)
        score.fields["records"].tp += 1
        score_study(gold, best, score, strict=strict)
    for record in unused:
        score_spurious(record, score)
    score.junk_failures += sum(1 for r in records if contains_junk(r))


def score_all(
    articles: list[GoldArticle], records: list[EvidenceRecord], *, strict: bool = False
) -> Score:
    """Scores of the records against the gold articles; `strict` ties results to their group."""
    score = Score()
    by_article: dict[str, list[EvidenceRecord]] = {a.stem: [] for a in articles}
    for record in records:
        owner = owner_of(record, articles)
        if owner is not None:
            by_article[owner.stem].append(record)
    for article in articles:
        score_article(article, by_article[article.stem], score, strict=strict)
    return score
