"""Agreement between two independent annotations of the same real articles (the human ceiling).

Scores the second annotation (corpus/real/agreement/) against the first (corpus/real/dev/) with the
rules of docs/evaluation.md, plain and strict, over the articles both annotated as studies or both
as no study; articles the two screened differently are counted and listed.

Usage: .venv/bin/python scripts/annotator_agreement.py [--json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evidence_miner.evaluate.agreement import to_records
from evidence_miner.evaluate.gold import find_gold_articles
from evidence_miner.evaluate.score import FIELDS, score_all

REPO = Path(__file__).resolve().parents[1]
FIRST, SECOND = REPO / "corpus" / "real" / "dev", REPO / "corpus" / "real" / "agreement"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    first = {g.stem: g for g in find_gold_articles(FIRST)}
    second = {g.stem: g for g in find_gold_articles(SECOND)}
    both = sorted(set(first) & set(second))
    golds = [first[s] for s in both]
    predicted = [r for s in both for r in to_records(second[s])]
    plain, strict = score_all(golds, predicted), score_all(golds, predicted, strict=True)
    result = {
        "articles": len(both),
        "only_second": sorted(set(second) - set(first)),
        "fields": {f: round(t.f1, 3) for f, t in plain.fields.items()},
        "micro_plain": round(plain.micro().f1, 3),
        "micro_strict": round(strict.micro().f1, 3),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{len(both)} articles annotated twice; second annotator only: {result['only_second']}")
    for name in FIELDS:
        t = plain.fields[name]
        print(f"{name:15} F1 {t.f1:.3f} ({t.tp}/{t.fp}/{t.fn})")
    print(f"micro F1 {result['micro_plain']:.3f} plain, {result['micro_strict']:.3f} strict")


if __name__ == "__main__":
    main()
