"""The real-news gold sample keeps its promises (corpus/real/README.md): every annotated article
was drawn by the seeded order, no article of a stream was skipped, the quotas decided which ones
were annotated, each gold file sits in its drawn split, and no gold file holds article text."""

from __future__ import annotations

import csv
import importlib.util
import json
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL = REPO / "corpus" / "real"
CATEGORIES = {"drug_study", "other_study", "no_study"}
DRUG_QUOTA, OTHER_QUOTA = 19, 3
MAX_NOTE_WORDS = 400


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


DRAW = {row["news_id"]: row for row in read_tsv(REAL / "draw.tsv")}
SCREENING = {p.stem: read_tsv(p) for p in sorted((REAL / "screening").glob("stream-*.tsv"))}
GOLD_PATHS = sorted(p for split in ("dev", "heldout") for p in (REAL / split).glob("*.expected.json"))


def stream_ranks(stream: int) -> list[int]:
    return sorted(int(r["rank"]) for r in DRAW.values() if int(r["stream"]) == stream)


def load_draw_script():
    spec = importlib.util.spec_from_file_location("draw_real_sample", REPO / "scripts" / "draw_real_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_real_draw_is_the_seeded_order() -> None:
    draw = load_draw_script().draw

    ids = sorted((row["news_id"], row["collection"]) for row in DRAW.values())
    expected = [(str(r), n, c, str(s), sp) for r, n, c, s, sp in draw(ids)]
    got = sorted(((r["rank"], n, r["collection"], r["stream"], r["split"]) for n, r in DRAW.items()), key=lambda t: int(t[0]))
    assert got == expected


@pytest.mark.parametrize("name", sorted(SCREENING))
def test_real_screening_walks_its_stream_without_gaps(name: str) -> None:
    rows = SCREENING[name]
    stream = int(name.removeprefix("stream-"))
    ranks = [int(r["rank"]) for r in rows]
    assert ranks == stream_ranks(stream)[: len(ranks)], "every article of the stream, in rank order"
    assert all(r["category"] in CATEGORIES and r["annotated"] in {"yes", "no"} for r in rows)
    assert all(DRAW[r["news_id"]]["split"] == r["split"] for r in rows)


@pytest.mark.parametrize("name", sorted(SCREENING))
def test_real_screening_annotates_the_first_of_each_quota(name: str) -> None:
    seen: dict[str, int] = defaultdict(int)
    for row in SCREENING[name]:
        kind = "drug" if row["category"] == "drug_study" else "other"
        seen[kind] += 1
        in_quota = seen[kind] <= (DRUG_QUOTA if kind == "drug" else OTHER_QUOTA)
        assert (row["annotated"] == "yes") == in_quota, f"rank {row['rank']}"
        gold = REAL / row["split"] / f"{row['news_id']}.expected.json"
        assert gold.is_file() == in_quota, f"gold file of rank {row['rank']}"


@pytest.mark.parametrize("gold_path", GOLD_PATHS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_real_gold_names_its_article_and_category(gold_path: Path) -> None:
    data = json.loads(gold_path.read_text("utf-8"))
    studies = data if isinstance(data, list) else [data]
    news_id = gold_path.name.removesuffix(".expected.json")
    assert DRAW[news_id]["split"] == gold_path.parent.name
    assert {s.get("news_id") for s in studies} == {news_id}
    categories = {s.get("category") for s in studies}
    assert len(categories) == 1 and categories <= CATEGORIES
    no_study = isinstance(data, dict) and data.get("expect_records") == 0
    assert no_study == (categories == {"no_study"})
    assert all(s.get("passes") == 2 for s in studies), "every article had a second full pass"
    assert all(len(str(s.get("note", "")).split()) <= MAX_NOTE_WORDS for s in studies)


EXTRA = {p.stem: read_tsv(p) for p in sorted((REAL / "screening-extra").glob("stream-*.tsv"))}


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_real_extra_screening_goes_on_where_the_stream_stopped(name: str) -> None:
    """Labels for the study classifier: the next articles of the stream, none skipped."""
    stream = int(name.removeprefix("stream-"))
    done = len(SCREENING.get(name, []))
    ranks = [int(r["rank"]) for r in EXTRA[name]]
    assert ranks == stream_ranks(stream)[done : done + len(ranks)]
    assert all(r["category"] in CATEGORIES and DRAW[r["news_id"]]["split"] == r["split"] for r in EXTRA[name])
