"""The evaluator follows docs/evaluation.md: matching, neutral roles, optional items, no-study pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidence_miner.evaluate.gold import find_gold_articles, parse_gold
from evidence_miner.evaluate.score import fold_journal, score_all
from evidence_miner.records import Dose, EvidenceRecord, Intervention, Outcome, Population, Count, Study, Effect


def write_gold(tmp_path: Path, name: str, data: object) -> Path:
    (tmp_path / f"{name}.txt").write_text("text", "utf-8")
    path = tmp_path / f"{name}.expected.json"
    path.write_text(json.dumps(data), "utf-8")
    return path


def make_record(name: str, **fields: object) -> EvidenceRecord:
    return EvidenceRecord(record_id=f"id-{name}", source={"url": f"file:///x/{name}.txt"}, **fields)


GOLD = {
    "id": "g",
    "study": {"design": "rct", "journal": "The Lancet"},
    "drugs": [
        {"name": "semaglutide", "role": "studied", "match": ["wegovy"]},
        {"name": "metformin", "role": "mentioned", "match": ["metformin"]},
    ],
    "doses": [{"drug": "semaglutide", "value": 2.4, "unit": "mg"}],
    "population": {"total": 300, "groups": [{"label": "a", "n": 150}, {"label": "b", "n": 150, "approximate": True}]},
    "outcomes": [{"count": 10, "of": 150}, {"effect": {"type": "HR", "value": 0.8}}],
    "adverse_events": [{"name": "nausea", "count": 12}],
}


def perfect_record(name: str) -> EvidenceRecord:
    return make_record(
        name,
        study=Study(design="rct", journal="Lancet"),
        population=Population(total=Count(value=300), groups=[{"n": 150}]),
        interventions=[Intervention(name="semaglutide", text="Wegovy", doses=[Dose(value=2.4, unit="mg")])],
        outcomes=[Outcome(count=10, of=150), Outcome(effect=Effect(type="HR", value=0.8))],
        adverse_events=[{"name": "Nausea", "count": 12}],
    )


def test_score_perfect_record_gives_f1_one(tmp_path: Path) -> None:
    write_gold(tmp_path, "a", GOLD)
    score = score_all(find_gold_articles(tmp_path), [perfect_record("a")])
    micro = score.micro()
    assert (micro.fp, micro.fn) == (0, 0)
    assert micro.f1 == 1.0


def test_score_neutral_drug_costs_nothing_unknown_drug_is_fp(tmp_path: Path) -> None:
    write_gold(tmp_path, "a", GOLD)
    record = perfect_record("a")
    record.interventions.append(Intervention(name="metformin"))
    assert score_all(find_gold_articles(tmp_path), [record]).fields["drugs"].fp == 0
    record.interventions.append(Intervention(name="aspirin"))
    assert score_all(find_gold_articles(tmp_path), [record]).fields["drugs"].fp == 1


def test_score_wrong_dose_unit_is_fp_and_fn(tmp_path: Path) -> None:
    write_gold(tmp_path, "a", GOLD)
    record = perfect_record("a")
    record.interventions[0].doses[0] = Dose(value=2.4, unit="mcg")
    tally = score_all(find_gold_articles(tmp_path), [record]).fields["doses"]
    assert (tally.tp, tally.fp, tally.fn) == (0, 1, 1)


def test_score_missing_approximate_group_costs_nothing(tmp_path: Path) -> None:
    write_gold(tmp_path, "a", GOLD)
    assert score_all(find_gold_articles(tmp_path), [perfect_record("a")]).fields["groups"].fn == 0


def test_score_record_for_no_study_article_is_fp_with_its_items(tmp_path: Path) -> None:
    write_gold(tmp_path, "opinion", {"id": "o", "expect_records": 0})
    score = score_all(find_gold_articles(tmp_path), [perfect_record("opinion")])
    assert score.fields["records"].fp == 1
    assert score.fields["drugs"].fp == 1
    assert score.fields["outcomes"].fp == 2


def test_score_two_studies_are_matched_by_shared_drugs(tmp_path: Path) -> None:
    second = {"id": "h", "drugs": [{"name": "aspirin", "role": "studied", "match": []}]}
    write_gold(tmp_path, "two", [second, GOLD])
    aspirin = make_record("two", interventions=[Intervention(name="aspirin")])
    score = score_all(find_gold_articles(tmp_path), [perfect_record("two"), aspirin])
    assert score.fields["records"].tp == 2
    assert score.fields["drugs"].fp == 0


def test_score_junk_in_a_record_is_counted(tmp_path: Path) -> None:
    write_gold(tmp_path, "a", GOLD)
    record = perfect_record("a")
    record.adverse_events[0].text = "Leave a Reply"
    assert score_all(find_gold_articles(tmp_path), [record]).junk_failures == 1


@pytest.mark.parametrize("a,b", [("The Lancet", "Lancet"), ("Arthritis Care & Research", "arthritis care and research")])
def test_fold_journal_ignores_the_and_ampersand(a: str, b: str) -> None:
    assert fold_journal(a) == fold_journal(b)


def test_parse_gold_no_study_has_no_studies(tmp_path: Path) -> None:
    path = write_gold(tmp_path, "x", {"id": "x", "expect_records": 0})
    assert parse_gold(path).studies == []


ARMS = {
    "id": "arms",
    "drugs": [{"name": "semaglutide", "role": "studied", "match": ["wegovy"]}, {"name": "placebo", "role": "placebo", "match": []}],
    "outcomes": [{"group": "semaglutide 2.4 mg", "percent": 51}, {"group": "placebo", "percent": 12}, {"group": None, "percent": 30}],
    "adverse_events": [{"name": "nausea", "count": 12, "group": "Wegovy arm"}],
}


def arms_record(groups: dict[float, str | None], event_group: str | None) -> EvidenceRecord:
    return make_record("arms", interventions=[Intervention(name="semaglutide")],
                       outcomes=[Outcome(percent=p, group=g) for p, g in groups.items()],
                       adverse_events=[{"name": "nausea", "count": 12, "group": event_group}])  # fmt: skip


def test_score_strict_needs_the_gold_group_plain_does_not(tmp_path: Path) -> None:
    write_gold(tmp_path, "arms", ARMS)
    golds = find_gold_articles(tmp_path)
    record = arms_record({51: None, 12: "semaglutide", 30: None}, None)
    assert score_all(golds, [record]).fields["outcomes"].tp == 3
    strict = score_all(golds, [record], strict=True).fields
    assert (strict["outcomes"].tp, strict["outcomes"].fp, strict["outcomes"].fn) == (1, 2, 2)
    assert strict["adverse_events"].tp == 0


def test_score_strict_reads_drug_names_and_match_forms_as_one_group(tmp_path: Path) -> None:
    write_gold(tmp_path, "arms", ARMS)
    record = arms_record({51: "those on Wegovy", 12: "the placebo group", 30: "everyone"}, "semaglutide group")
    strict = score_all(find_gold_articles(tmp_path), [record], strict=True).fields
    assert (strict["outcomes"].tp, strict["adverse_events"].tp) == (3, 1)


def test_score_strict_filler_words_name_no_group(tmp_path: Path) -> None:
    write_gold(tmp_path, "arms", ARMS)
    record = arms_record({51: "patients treated", 12: "people taking it", 30: None}, "patients")
    strict = score_all(find_gold_articles(tmp_path), [record], strict=True).fields
    assert (strict["outcomes"].tp, strict["adverse_events"].tp) == (1, 0)


def test_score_approximate_total_is_optional_but_a_wrong_total_is_wrong(tmp_path: Path) -> None:
    write_gold(tmp_path, "a", {"id": "t", "population": {"total": 9000, "total_approximate": True}})
    golds = find_gold_articles(tmp_path)
    missing = score_all(golds, [make_record("a")]).fields["total"]
    wrong = score_all(golds, [make_record("a", population=Population(total=Count(value=12)))]).fields["total"]
    right = score_all(golds, [make_record("a", population=Population(total=Count(value=9000)))]).fields["total"]
    assert [(t.tp, t.fp, t.fn) for t in (missing, wrong, right)] == [(0, 0, 0), (0, 1, 0), (1, 0, 0)]


def test_score_outcome_without_a_value_is_not_scored(tmp_path: Path) -> None:
    write_gold(tmp_path, "a", {"id": "p", "outcomes": [{"effect": {"p": "<0.001"}, "measure": "trend"}]})
    assert score_all(find_gold_articles(tmp_path), [make_record("a")]).fields["outcomes"].fn == 0


def test_score_adverse_events_without_a_number_are_neither_credited_nor_penalised(tmp_path: Path) -> None:
    """evaluation.md scores "one adverse event with a count or a percentage": a gold harm named
    without a number ("headache was common") is not an item, like a dose without an amount."""
    write_gold(tmp_path, "a", {"id": "h", "adverse_events": [{"name": "headache"}, {"name": "nausea", "count": 12}]})
    golds = find_gold_articles(tmp_path)
    found = make_record("a", adverse_events=[{"name": "nausea", "count": 12}])
    events = score_all(golds, [found]).fields["adverse_events"]
    assert (events.tp, events.fp, events.fn) == (1, 0, 0)
    missed = score_all(golds, [make_record("a")]).fields["adverse_events"]
    assert (missed.tp, missed.fp, missed.fn) == (0, 0, 1)
