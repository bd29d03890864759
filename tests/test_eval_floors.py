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
SETS = {"seed": REPO.parent / "shared" / "corpus" / "seed", "dev": REPO / "corpus" / "dev", "heldout": REPO / "corpus" / "heldout"}


@pytest.mark.parametrize("name", sorted(BASELINE["sets"]))
def test_eval_floor_holds(nlp, name: str) -> None:
    folder = SETS[name]
    if not folder.is_dir():
        pytest.skip(f"{folder} is not next to this checkout")
    golds = find_gold_articles(folder)
    score = score_all(golds, records_for_golds(nlp, golds, pipeline_version="test"))
    floors = BASELINE["sets"][name]
    drops = {f: round(score.fields[f].f1, 3) for f, floor in floors.items() if f != "micro" and score.fields[f].f1 + 1e-9 < floor}
    if score.micro().f1 + 1e-9 < floors["micro"]:
        drops["micro"] = round(score.micro().f1, 3)
    assert drops == {}, f"{name}: below the floors of eval/baseline.json: {drops}"
    assert score.junk_failures == 0
