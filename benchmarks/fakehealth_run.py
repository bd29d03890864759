"""Run the whole pipeline over every FakeHealth article (2,217 real news stories and press
releases) and report what became of them: failures, records per article, the share with no study
and why, and the extraction speed of the same run (one process).

Usage: .venv/bin/python benchmarks/fakehealth_run.py [--data PATH] [--limit N] [--write-readme]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import time
from collections import Counter
from pathlib import Path

from readme_block import write_readme_block

from evidence_miner.errors import InputError
from evidence_miner.evaluate.fakehealth import RealArticle, iter_jsonl_articles, to_page
from evidence_miner.settings import load_settings
from evidence_miner.workflow import ArticleResult, process_pages

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "fakehealth" / "articles.jsonl.gz"
RESULTS = REPO / "benchmarks" / "results" / "fakehealth_run.json"
START, END = "<!-- fakehealth:start -->", "<!-- fakehealth:end -->"


def pages_or_errors(articles: list[RealArticle]) -> list:
    """Each article as a page, or an ArticleResult with the error (an empty text)."""
    items = []
    for article in articles:
        try:
            items.append(to_page(article))
        except InputError as exc:
            items.append(ArticleResult(url=f"fakehealth:{article.news_id}", error=str(exc)))
    return items


def reason_key(reason: str) -> str:
    """A no-study reason without the classifier's score, so reasons group into a table."""
    return re.sub(r" \(STUDY [0-9.]+\)", "", reason)


def summarise(results: list[ArticleResult], seconds: float) -> dict:
    failures = Counter(re.match(r"\[(EM\d+)\]", r.error).group(1) if r.error and r.error.startswith("[EM") else "other"
                       for r in results if r.error)  # fmt: skip
    done = [r for r in results if not r.error]
    no_study = Counter(reason_key(r.article.no_study_reason or "") for r in done if not r.records and r.article)
    records = sum(len(r.records) for r in done)
    return {
        "articles": len(results), "failed": sum(failures.values()), "failures_by_code": dict(failures),
        "extracted": len(done), "with_records": sum(1 for r in done if r.records), "records": records,
        "records_per_article": round(records / max(1, len(done)), 3),
        "no_study": sum(no_study.values()), "no_study_by_reason": dict(no_study.most_common()),
        "seconds": round(seconds, 1), "articles_per_second": round(len(done) / max(seconds, 1e-9), 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def to_markdown(summary: dict) -> str:
    share = summary["no_study"] / max(1, summary["extracted"])
    lines = [
        f"All {summary['articles']:,} FakeHealth articles, one process: {summary['failed']} failed "
        f"({', '.join(f'{c}: {n}' for c, n in summary['failures_by_code'].items()) or 'none'}); of the "
        f"{summary['extracted']:,} extracted, {summary['with_records']:,} gave {summary['records']:,} records "
        f"({summary['records_per_article']} per article) and {summary['no_study']:,} ({share:.0%}) gave none; "
        f"{summary['articles_per_second']} articles/s ({summary['seconds']} s, peak memory "
        f"{summary['peak_rss_mib']} MiB, pipeline build excluded).", "",
        "| why an article gave no record | articles |", "|---|---|",
    ]
    lines += [f"| {reason} | {count:,} |" for reason, count in summary["no_study_by_reason"].items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles (a quick look)")
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    articles = list(iter_jsonl_articles(args.data))[: args.limit]
    settings = load_settings()
    from evidence_miner.extract.pipeline import build_pipeline

    nlp = build_pipeline(settings.extract.model, ner_model=settings.extract.ner_model, study_model=settings.extract.study_model)
    items = pages_or_errors(articles)
    started = time.perf_counter()
    results = list(process_pages(items, settings, nlp=nlp))
    summary = summarise(results, time.perf_counter() - started)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
    print(to_markdown(summary))
    if args.write_readme and args.limit is None:
        write_readme_block(START, END, to_markdown(summary), insert_before="### Speed")


if __name__ == "__main__":
    main()
