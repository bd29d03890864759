"""Main-text extraction on the article-extraction-benchmark: evidence-miner and plain trafilatura
(defaults, and its precision-first mode) side by side, scored like the benchmark's own
evaluate.py (see ../shared/data/README.md section 1): word 4-gram shingles, per-document precision
and recall macro-averaged, F1 of the averages, exact-match accuracy, and standard deviations from
1,000 bootstrap resamples.

Usage: .venv/bin/python benchmarks/article_extraction.py [--data DIR] [--passes N] [--write-readme]

evidence-miner's Page.text starts with the title line ("Title", blank line, body); the gold
`articleBody` has no title, so the comparable row scores the text after that line, and a second
row scores Page.text exactly as stored (what `evidence-miner text --json` prints as "text").
Everything chosen with this data was chosen looking only at the even half of the ids: trafilatura's
precision-first mode, its fast run first, and the fallback to its default balance when that leaves
no article body (sources/html.py EXTRACTION_TRIES), joining a body split across wrapper rows, and the
junk-line rules added with them (lang/en/junk_lines.toml). The odd half is reported as the held-out score, the
even half beside it. pages/s is wall time of one process, the best of --passes timed passes over
all pages after the scored one (as timeit does); pages/s CPU counts only this process's CPU time.

Figures go to benchmarks/results/article_extraction.json; with --write-readme, also to README.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import platform
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from readme_block import write_readme_block  # benchmarks/ is on sys.path when a script runs

import trafilatura

from evidence_miner.sources.html import page_from_html
from evidence_miner.errors import EvidenceMinerError

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "article-extraction-benchmark"
RESULTS = REPO / "benchmarks" / "results" / "article_extraction.json"
START, END = "<!-- crawl-extraction:start -->", "<!-- crawl-extraction:end -->"
SECTION_END = "<!-- crawl:end -->"
WORD = re.compile(r"\w+")
SHINGLE = 4
RESAMPLES = 1_000


@dataclass
class Counts:
    """One document's shingle counts, divided by their sum so that every document weighs the same."""

    tp: float
    fp: float
    fn: float
    exact: bool


def tokenize(text: str) -> list[str]:
    return WORD.findall(text)


def to_shingles(tokens: list[str]) -> Counter:
    if len(tokens) < SHINGLE:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def count_document(gold: str, predicted: str) -> Counts:
    gold_tokens, predicted_tokens = tokenize(gold), tokenize(predicted)
    gold_shingles, predicted_shingles = to_shingles(gold_tokens), to_shingles(predicted_tokens)
    tp = sum((gold_shingles & predicted_shingles).values())
    fp = sum((predicted_shingles - gold_shingles).values())
    fn = sum((gold_shingles - predicted_shingles).values())
    total = tp + fp + fn
    exact = gold_tokens == predicted_tokens
    if total == 0:
        return Counts(0.0, 0.0, 0.0, exact)
    return Counts(tp / total, fp / total, fn / total, exact)


def score(documents: list[Counts]) -> tuple[float, float, float, float]:
    """Macro precision and recall, F1 of the two, and accuracy (exact token match)."""
    precisions = [perfect_or(d, d.tp + d.fp, d.tp) for d in documents if d.tp + d.fp > 0 or is_perfect(d)]
    recalls = [perfect_or(d, d.tp + d.fn, d.tp) for d in documents if d.tp + d.fn > 0 or is_perfect(d)]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = sum(d.exact for d in documents) / len(documents)
    return precision, recall, f1, accuracy


def is_perfect(document: Counts) -> bool:
    return document.fp == 0 and document.fn == 0


def perfect_or(document: Counts, denominator: float, numerator: float) -> float:
    return 1.0 if is_perfect(document) else numerator / denominator


def bootstrap_std(documents: list[Counts], rng: random.Random) -> tuple[float, ...]:
    samples = [score(rng.choices(documents, k=len(documents))) for _ in range(RESAMPLES)]
    return tuple(std([sample[i] for sample in samples]) for i in range(4))


def std(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5


def extract_trafilatura(html: str, url: str) -> str:
    return trafilatura.extract(html) or ""


def extract_trafilatura_precision(html: str, url: str) -> str:
    return trafilatura.extract(html, favor_precision=True) or ""


def extract_stored(html: str, url: str) -> str:
    try:
        return page_from_html(html, url=url).text
    except EvidenceMinerError:
        return ""


def without_title_line(text: str) -> str:
    title, _, body = text.partition("\n\n")
    return body if body else ("" if title == text else text)


SYSTEMS: dict[str, Callable[[str, str], str]] = {
    "trafilatura 2 defaults (`trafilatura.extract`)": extract_trafilatura,
    "trafilatura 2 precision first (`favor_precision=True`)": extract_trafilatura_precision,
    "evidence-miner main text (title line left out)": lambda html, url: without_title_line(extract_stored(html, url)),
    "evidence-miner Page.text as stored (title line + body)": extract_stored,
}


def load_items(data: Path) -> list[tuple[str, str, str, str]]:
    truth = json.loads((data / "ground-truth.json").read_text("utf-8"))
    return [
        (key, gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8"),
         item["url"], item["articleBody"])
        for key, item in sorted(truth.items())
    ]  # fmt: skip


def is_held_out(key: str) -> bool:
    """The odd half of the ids (by the first 8 hex digits): not used to choose any setting."""
    return int(key[:8], 16) % 2 == 1


def time_passes(
    extract: Callable[[str, str], str], items: list, passes: int
) -> tuple[float, float]:
    """Pages per second of wall and of CPU time, each the best of `passes` passes over the pages
    (as timeit does: other work on a shared machine only ever slows a pass down)."""
    best_wall, best_cpu = 0.0, 0.0
    for _ in range(passes):
        started, cpu_started = time.perf_counter(), time.process_time()
        for _key, html, url, _gold in items:
            extract(html, url)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        best_wall, best_cpu = max(best_wall, len(items) / wall), max(best_cpu, len(items) / cpu)
    return best_wall, best_cpu


def run(data: Path, passes: int) -> tuple[list[dict], int, int]:
    items = load_items(data)
    rows = []
    for name, extract in SYSTEMS.items():
        counted = [(key, count_document(gold, extract(html, url))) for key, html, url, gold in items]
        pages_s, pages_s_cpu = time_passes(extract, items, passes)
        everything = [c for _, c in counted]
        held_out = [c for key, c in counted if is_held_out(key)]
        tuning = [c for key, c in counted if not is_held_out(key)]
        rows.append({
            "name": name, "all": score(everything), "std": bootstrap_std(everything, random.Random(0)),
            "held_out": score(held_out), "tuning": score(tuning), "pages_s": pages_s,
            "pages_s_cpu": pages_s_cpu,
        })  # fmt: skip
    return rows, len(items), sum(is_held_out(key) for key, *_ in items)


def to_table(rows: list[dict], total: int, held_out: int, passes: int) -> str:
    lines = [
        (f"{total} pages of the article-extraction-benchmark (held-out: the {held_out} pages of "
         f"the odd half; settings chosen on the even half), trafilatura {trafilatura.__version__}, "
         f"one process, pages/s the best of {passes} timed passes; {machine()}."),
        "",
        "| extractor | precision | recall | F1 | accuracy | F1 held-out | F1 even half "
        "| pages/s | pages/s CPU |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        (p, r, f, a), (sp, sr, sf, sa) = row["all"], row["std"]
        lines.append(
            f"| {row['name']} | {p:.3f} ± {sp:.3f} | {r:.3f} ± {sr:.3f} | **{f:.3f}** ± {sf:.3f} "
            f"| {a:.3f} ± {sa:.3f} | {row['held_out'][2]:.3f} | {row['tuning'][2]:.3f} "
            f"| {row['pages_s']:.1f} | {row['pages_s_cpu']:.1f} |"
        )
    return "\n".join(lines)


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def to_results(rows: list[dict], total: int, held_out: int, passes: int) -> dict:
    """The figures as JSON: every score with its bootstrap standard deviation."""
    names = ("precision", "recall", "f1", "accuracy")
    return {
        "pages": total, "held_out_pages": held_out, "trafilatura": trafilatura.__version__,
        "machine": machine(), "date": time.strftime("%Y-%m-%d"), "timed_passes": passes,
        "rows": [{
            "name": row["name"], **dict(zip(names, (round(v, 4) for v in row["all"]))),
            "std": dict(zip(names, (round(v, 4) for v in row["std"]))),
            "f1_held_out": round(row["held_out"][2], 4), "f1_even_half": round(row["tuning"][2], 4),
            "pages_s": round(row["pages_s"], 1), "pages_s_cpu": round(row["pages_s_cpu"], 1),
        } for row in rows],
    }  # fmt: skip


def write_readme(table: str) -> None:
    write_readme_block(START, END, table, insert_before=SECTION_END)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the figures go (JSON)")
    parser.add_argument("--passes", type=int, default=3, help="timed passes; the best is kept")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # trafilatura warns about every page it discards
    rows, total, held_out = run(args.data, args.passes)
    table = to_table(rows, total, held_out, args.passes)
    print(table)
    results = to_results(rows, total, held_out, args.passes)
    args.out.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    if args.write_readme:
        write_readme(table)


if __name__ == "__main__":
    main()
