"""Write every record the pipeline gives for corpus/, the seed and all FakeHealth articles, one
JSON line per article, so a refactor can show its records are byte-identical before and after.

Usage:
    .venv/bin/python scripts/records_snapshot.py OUT.jsonl [--limit N]
    .venv/bin/python scripts/records_snapshot.py --compare A.jsonl B.jsonl

The FakeHealth text is read from ../shared/data/fakehealth/ and never written out: each line holds
the article's source name, its records as JSON and the error or no-study reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "corpus" / "seed" / "ivig-sjogren.txt"
FAKEHEALTH = REPO.parent / "shared" / "data" / "fakehealth" / "articles.jsonl.gz"


def snapshot_lines(results) -> list[str]:
    """One canonical JSON line per article result. The checkout's own path is written as REPO,
    so snapshots from two worktrees compare; a saved file's record ids (a hash of its URL,
    hence of the path) are left out for the same reason."""
    lines = []
    for result in results:
        records = [json.loads(r.model_dump_json()) for r in result.records]
        reason = result.article.no_study_reason if result.article else None
        if result.url.startswith("file:"):
            for record in records:
                record["record_id"] = "(path-dependent)"
        line = {"url": result.url, "error": result.error, "no_study_reason": reason, "records": records}
        text = json.dumps(line, sort_keys=True, ensure_ascii=False)
        lines.append(text.replace(REPO.as_uri(), "file://REPO").replace(str(REPO), "REPO"))
    return lines


def write_snapshot(out: Path, limit: int | None) -> None:
    from evidence_miner.errors import InputError
    from evidence_miner.evaluate.fakehealth import iter_jsonl_articles, to_page
    from evidence_miner.extract.pipeline import build_pipeline
    from evidence_miner.settings import load_settings
    from evidence_miner.workflow import ArticleResult, find_inputs, process_pages, process_paths

    settings = load_settings()
    nlp = build_pipeline(settings.extract.model, ner_model=settings.extract.ner_model,
                         study_model=settings.extract.study_model)  # fmt: skip
    paths, _ = find_inputs([REPO / "corpus", SEED], settings)
    lines = snapshot_lines(process_paths(sorted(paths), settings, nlp=nlp))
    items = []
    for article in list(iter_jsonl_articles(FAKEHEALTH))[:limit]:
        try:
            items.append(to_page(article))
        except InputError as exc:
            items.append(ArticleResult(url=f"fakehealth:{article.news_id}", error=str(exc)))
    lines += snapshot_lines(process_pages(items, settings, nlp=nlp))
    out.write_text("\n".join(lines) + "\n", "utf-8")
    print(f"{len(lines)} articles written to {out}")


def compare(a: Path, b: Path) -> int:
    """Print the articles whose lines differ; exit status 1 if any do."""
    left = {json.loads(line)["url"]: line for line in a.read_text("utf-8").splitlines()}
    right = {json.loads(line)["url"]: line for line in b.read_text("utf-8").splitlines()}
    differ = sorted(url for url in left.keys() | right.keys() if left.get(url) != right.get(url))
    for url in differ[:50]:
        print(f"differs: {url}")
    print(f"{len(left)} vs {len(right)} articles; {len(differ)} differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="only the first N FakeHealth articles")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"))
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    if not args.out:
        parser.error("give OUT.jsonl or --compare A B")
    write_snapshot(args.out, args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
