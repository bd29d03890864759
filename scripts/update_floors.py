"""Raise the accuracy floors of eval/baseline.json to the current scores, rounded down.

    .venv/bin/python scripts/update_floors.py                    # raise floors only
    .venv/bin/python scripts/update_floors.py --corpus-changed   # also lower them (say why in the commit)

A floor is only ever lowered when the gold set itself changed (articles added or corrected):
then the old floor measured a different set. Lowering a floor to make a code change pass is
what the floors exist to stop, so without --corpus-changed the script refuses and lists the drops.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from evidence_miner.evaluate.gold import find_gold_articles
from evidence_miner.evaluate.records import records_for_golds
from evidence_miner.evaluate.score import score_all
from evidence_miner.extract.pipeline import build_pipeline

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "eval" / "baseline.json"
SETS = {name: REPO / path for name, path in json.loads((REPO / "eval" / "sets.json").read_text("utf-8"))["sets"].items()}
FAKEHEALTH = REPO.parent / "shared" / "data" / "fakehealth" / "articles.jsonl.gz"


def current_scores(nlp, folder: Path) -> dict[str, float]:
    """F1 per field, micro F1 and strict micro F1 of the pipeline on one gold folder."""
    golds = find_gold_articles(folder)
    records = records_for_golds(nlp, golds, pipeline_version="floors", fakehealth=FAKEHEALTH)
    score, strict = score_all(golds, records), score_all(golds, records, strict=True)
    return {**{f: t.f1 for f, t in score.fields.items()}, "micro": score.micro().f1, "strict_micro": strict.micro().f1}


def rounded_down(value: float) -> float:
    return math.floor(value * 100 + 1e-9) / 100


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus-changed", action="store_true", help="allow lowering floors because a gold set changed")
    args = parser.parse_args()
    baseline = json.loads(BASELINE.read_text("utf-8"))
    nlp = build_pipeline()
    drops = []
    for name, folder in SETS.items():
        if not folder.is_dir():
            print(f"skipping {name}: {folder} not found", file=sys.stderr)
            continue
        scores = current_scores(nlp, folder)
        floors = baseline["sets"].setdefault(name, {})
        for field, value in scores.items():
            new = rounded_down(value)
            old = floors.get(field)
            if old is not None and new < old:
                drops.append(f"{name}.{field}: {old} -> {new}")
                if not args.corpus_changed:
                    continue
            floors[field] = new
    if drops and not args.corpus_changed:
        print("refusing to lower floors (pass --corpus-changed if a gold set changed):\n  " + "\n  ".join(drops), file=sys.stderr)
        return 1
    BASELINE.write_text(json.dumps(baseline, indent=2) + "\n", "utf-8")
    print("floors written" + (" (lowered: " + ", ".join(drops) + ")" if drops else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
