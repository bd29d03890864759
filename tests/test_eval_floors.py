"""Accuracy never silently drops: every set's F1 stays at or above its floor in eval/baseline.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidence_miner.evaluate.gold import find_gold_articles
from evidence_miner.evaluate.records import records_for_golds
from evidence_miner.evaluate.score import score_all

REPO = Path(__file__).resolve().parents[1]
BASELINE = json.loads((REPO / "eval" / "baseline.json").read_text("utf-8"))
SETS = {name: REPO / path for name, path in json.loads((REPO / "eval" / "sets.json").read_text("utf-8"))["sets"].items()}
FAKEHEALTH = REPO.parent / "shared" / "data" / "fakehealth" / "articles.jsonl.gz"


@pytest.mark.parametrize("name", sorted(BASELINE["sets"]))
def test_eval_floor_holds(nlp, name: str) -> None:
    folder = SETS[name]
    if not folder.is_dir():
        pytest.skip(f"{folder} is not next to this checkout")
    golds = find_gold_articles(folder)
    if any(g.news_id for g in golds) and not FAKEHEALTH.is_file():
        pytest.skip(f"{FAKEHEALTH} is not next to this checkout")
    records = records_for_golds(nlp, golds, pipeline_version="test", fakehealth=FAKEHEALTH)
    score, strict = score_all(golds, records), score_all(golds, records, strict=True)
    got = {**{f: t.f1 for f, t in score.fields.items()}, "micro": score.micro().f1, "strict_micro": strict.micro().f1}
    floors = BASELINE["sets"][name]
    drops = {f: round(got[f], 3) for f, floor in floors.items() if got[f] + 1e-9 < floor}
    assert drops == {}, f"{name}: below the floors of eval/baseline.json: {drops}"
    assert score.junk_failures == 0
