"""Draw the real-news gold sample from FakeHealth: a fixed, seeded order of every non-empty article.

Writes `corpus/real/draw.tsv` (rank, news_id, collection, stream, split): article ids only, never text.
Annotators walk their stream in rank order, screen each article (drug study, other study, no study)
and annotate the first ones of each kind up to the quotas in `corpus/real/README.md`. The split of a
rank (dev or heldout, one in three held out) is drawn here, before anyone reads an article, so no
article is chosen or placed by what it says.

Usage: python scripts/draw_real_sample.py [--data ../shared/data/fakehealth/articles.jsonl.gz]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from pathlib import Path

SEED = 16_2026  # issue 16, year of the draw; changing it redraws the whole sample
STREAMS = 7
HELDOUT_SHARE = 1 / 3
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "fakehealth" / "articles.jsonl.gz"


def read_ids(data: Path) -> list[tuple[str, str]]:
    """(news_id, collection) of every article with a non-empty text, sorted by news_id."""
    with gzip.open(data, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    return sorted((r["news_id"], r["collection"]) for r in rows if r["text"].strip())


def draw(ids: list[tuple[str, str]]) -> list[tuple[int, str, str, int, str]]:
    """The seeded order with each rank's stream and split."""
    rng = random.Random(SEED)
    order = list(ids)
    rng.shuffle(order)
    rows = []
    for rank, (news_id, collection) in enumerate(order):
        split = "heldout" if rng.random() < HELDOUT_SHARE else "dev"
        rows.append((rank, news_id, collection, rank % STREAMS, split))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=ROOT / "corpus" / "real" / "draw.tsv")
    args = parser.parse_args()
    rows = draw(read_ids(args.data))
    lines = ["rank\tnews_id\tcollection\tstream\tsplit"] + ["\t".join(map(str, row)) for row in rows]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(rows)} articles drawn into {args.out}")


if __name__ == "__main__":
    main()
