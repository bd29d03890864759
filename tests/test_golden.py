"""Golden tests: the records for the worked example and the bundled dev corpus hold every gold fact."""

from __future__ import annotations

import re

import tomllib
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from evidence_miner.evaluate.gold import find_gold_articles
from evidence_miner.evaluate.score import FIELDS, score_all
from evidence_miner.extract.pipeline import extract_article
from evidence_miner.sources.read import read_page
from evidence_miner.normalise.article import normalise_article
from evidence_miner.records import EvidenceRecord

REPO = Path(__file__).resolve().parents[1]
KNOWN_GAPS = tomllib.loads((Path(__file__).with_name("golden_known_gaps.toml")).read_text("utf-8"))


def records_of(nlp, path: Path) -> list[EvidenceRecord]:
    article = extract_article(nlp, read_page(path, max_bytes=5_000_000))
    return normalise_article(article, pipeline_version="test", problems=Counter())


@pytest.fixture(scope="module")
def seed_record(nlp, seed_dir: Path) -> EvidenceRecord:
    records = records_of(nlp, seed_dir / "ivig-sjogren.txt")
    assert len(records) == 1
    return records[0]


def test_golden_seed_scores_f1_one(nlp, seed_dir: Path, seed_record: EvidenceRecord) -> None:
    score = score_all(find_gold_articles(seed_dir), [seed_record])
    misses = {f: (t.fp, t.fn) for f, t in score.fields.items() if t.fp or t.fn}
    assert misses == {}
    assert score.micro().f1 == 1.0
    assert score.junk_failures == 0


def test_golden_seed_study_facts(seed_record: EvidenceRecord) -> None:
    study, population = seed_record.study, seed_record.population
    assert study.investigators == ["Xavier Mariette"]
    assert study.country == "France"
    assert (study.follow_up.stat, study.follow_up.iso) == ("median", "P27M")
    assert (study.treatment_duration.stat, study.treatment_duration.iso) == ("median", "P7M")
    assert (population.age.stat, population.age.value) == ("mean", 60)
    assert (population.condition_duration.stat, population.condition_duration.iso) == ("median", "P9Y")
    assert any("sjogren" in c.name.lower() for c in seed_record.conditions)


def test_golden_seed_regimens_and_roles(seed_record: EvidenceRecord) -> None:
    by_name = {i.name: i for i in seed_record.interventions}
    ivig = by_name["immunoglobulin g"]
    assert ivig.role == "studied" and "IVIg" in ivig.aliases
    regimens = {(d.frequency, d.group_n, d.route, d.unit) for d in ivig.doses}
    assert regimens == {("5 days a month", 10, "intravenous", "g/kg"), ("2 days a month", 9, "intravenous", "g/kg")}
    prednisone = by_name["prednisone"]
    assert prednisone.role == "concomitant"
    assert {(d.value, d.when, d.frequency) for d in prednisone.doses} == {(15, "before", "daily"), (10, "after", "daily")}
    assert by_name["corticosteroids"].is_class


def test_golden_seed_adverse_events(seed_record: EvidenceRecord) -> None:
    events = {e.name: e for e in seed_record.adverse_events}
    assert events["nausea"].count == 1 and events["nausea"].led_to_discontinuation
    serious = [e for e in events.values() if e.serious]
    assert [(e.count, e.serious) for e in serious] == [(0, True)]


def test_golden_seed_spans_point_at_their_text(seed_dir: Path, seed_record: EvidenceRecord) -> None:
    from evidence_miner.sources.read import read_page as read

    text = read(seed_dir / "ivig-sjogren.txt", max_bytes=5_000_000).text
    for outcome in seed_record.outcomes:
        start, end = outcome.span
        assert text[start:end] == outcome.text


_RECORDS: dict[str, list[EvidenceRecord]] = {}
DEV_GOLDS = sorted((REPO / "corpus" / "dev").glob("*.expected.json"))


@cache
def dev_golds_by_stem() -> dict:
    """The dev gold files, parsed once for all of this module's tests (not once per test)."""
    return {g.stem: g for g in find_gold_articles(REPO / "corpus" / "dev")}


def gap_marks(stem: str) -> dict[str, str]:
    return KNOWN_GAPS.get(stem, {})


@pytest.mark.parametrize("gold_path", DEV_GOLDS, ids=lambda p: p.name.removesuffix(".expected.json"))
@pytest.mark.parametrize("field", FIELDS)
def test_golden_dev_corpus_field(nlp, gold_path: Path, field: str) -> None:
    """Every fact of every dev article, exactly: (0, 0) errors, or the exact (false positives,
    misses) of a known gap, so a gap that grows fails as surely as one that closes (then
    scripts/update_known_gaps.py updates the file)."""
    stem = gold_path.name.removesuffix(".expected.json")
    expected = known_counts(gap_marks(stem).get(field))
    golds = [dev_golds_by_stem()[stem]]
    if stem not in _RECORDS:
        _RECORDS[stem] = records_of(nlp, golds[0].article_path)
    records = _RECORDS[stem]
    tally = score_all(golds, records).fields[field]
    note = gap_marks(stem).get(field, "no known gap")
    assert (tally.fp, tally.fn) == expected, f"{stem} {field}: {tally.fp} false positives, {tally.fn} misses ({note})"


def known_counts(note: str | None) -> tuple[int, int]:
    """(false positives, misses) a gap note starts with: "(1, 0): ...". No note: (0, 0)."""
    if note is None:
        return (0, 0)
    found = re.match(r"\((\d+), (\d+)\)", note)
    assert found, f"a known gap note must start with its counts: {note!r}"
    return int(found.group(1)), int(found.group(2))
