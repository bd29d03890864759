"""Print one FakeHealth article (metadata, then the text with numbered paragraphs) for annotators.

Reads the data set file; copies nothing into the repository. Standard library only.

Usage: python scripts/fakehealth_article.py NEWS_ID [--data PATH]
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "fakehealth" / "articles.jsonl.gz"


def find_article(data: Path, news_id: str) -> dict:
    with gzip.open(data, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["news_id"] == news_id:
                return row
    raise SystemExit(f"no article {news_id!r} in {data}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("news_id")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    row = find_article(args.data, args.news_id)
    for key in ("news_id", "collection", "source", "url", "title", "authors", "publish_date"):
        print(f"{key}: {row.get(key)}")
    print()
    for number, paragraph in enumerate(row["text"].split("\n\n"), start=1):
        print(f"[{number}] {paragraph}")


if __name__ == "__main__":
    main()
