"""Batch throughput in one run: the floor (tokenizer + sentence splitter), the full pipeline
(extract + normalise) in one process, and the full pipeline on 2 Dask workers.

Usage: .venv/bin/python benchmarks/throughput.py [--articles 2000] [--folder DIR] [--write-readme]
       [--output benchmarks/results/throughput.md]
Texts: new articles recombined from the bundled corpus's titles and paragraphs (seeded), or
the articles of --folder. Each stage runs in fresh processes, so peak memory is per worker.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from readme_block import write_readme_block  # benchmarks/ is on sys.path when a script runs

os.environ.setdefault("OMP_NUM_THREADS", "1")  # figures are per core

from evidence_miner.sources.read import find_article_paths, read_page
from evidence_miner.records import Page

REPO = Path(__file__).resolve().parents[1]
START, END = "<!-- throughput:start -->", "<!-- throughput:end -->"
BATCH_SIZE = 16


def read_texts(folder: Path) -> list[str]:
    paths, _ = find_article_paths([folder], extensions=[".txt", ".html", ".htm"])
    return [read_page(p, max_bytes=5_000_000).text for p in paths]


def recombine(texts: list[str], count: int, *, seed: int = 8) -> list[str]:
    """New articles of typical length: one article's title and opening, then paragraphs of
    two others, until about the source articles' mean word count."""
    rng = random.Random(seed)
    splits = [[p for p in t.split("\n") if p.strip()] for t in texts]
    mean_words = sum(len(t.split()) for t in texts) / len(texts)
    articles = []
    for _ in range(count):
        first, *others = rng.sample(splits, 3)
        paragraphs = first[:3] + rng.sample(others[0], min(3, len(others[0]))) + others[1]
        article, words = [], 0
        for paragraph in paragraphs:
            if words >= mean_words:
                break
            article.append(paragraph)
            words += len(paragraph.split())
        articles.append("\n".join(article))
    return articles


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_floor(texts: list[str]) -> tuple[float, float]:
    """The tokenizer and the pipeline's own sentence component (the first in default.cfg)."""
    from evidence_miner.extract.pipeline import build_pipeline

    nlp = build_pipeline(ner_model="none", study_model="none")
    nlp.select_pipes(enable=[nlp.pipe_names[0]])
    list(nlp.pipe(texts[:2]))
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=BATCH_SIZE):
        pass
    return time.perf_counter() - started, peak_mib()


def to_pages(texts: list[str]) -> list[Page]:
    return [Page(url=f"bench:{i}", text=text) for i, text in enumerate(texts)]


def run_one_process(texts: list[str]) -> tuple[float, float]:
    from evidence_miner.settings import load_settings
    from evidence_miner.workflow import process_pages

    settings = load_settings(None, {})
    from evidence_miner.extract.pipeline import build_pipeline

    nlp = build_pipeline(settings.extract.model, ner_model=settings.extract.ner_model)
    list(process_pages(to_pages(texts[:2]), settings, nlp=nlp))
    started = time.perf_counter()
    for _ in process_pages(to_pages(texts), settings, nlp=nlp):
        pass
    return time.perf_counter() - started, peak_mib()


def run_dask(texts: list[str], workers: int) -> tuple[float, float]:
    from collections import Counter

    from evidence_miner.scale.cluster import open_client
    from evidence_miner.scale.submit import process_distributed
    from evidence_miner.scale.worker import read_peak_rss_mib, warm_up
    from evidence_miner.settings import load_settings

    settings = load_settings(None, {})
    with open_client(workers=workers) as client:
        extract = settings.extract
        client.run(warm_up, extract.model, extract.ner_model, extract.study_model, extract.language)  # warm-up
        started = time.perf_counter()
        for _ in process_distributed(to_pages(texts), settings, client, problems=Counter()):
            pass
        seconds = time.perf_counter() - started
        peaks = client.run(read_peak_rss_mib)
    return seconds, max(peaks.values())


def run_isolated(stage: str, texts: list[str]) -> tuple[float, float]:
    """One stage in a fresh process, so its peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:  # not daemonic: may start Dask
        return pool.submit(STAGES[stage], texts).result()


def run_dask_2(texts: list[str]) -> tuple[float, float]:
    return run_dask(texts, 2)


STAGES = {"floor": run_floor, "one": run_one_process, "dask2": run_dask_2}
LABELS = {"floor": "tokenizer + sentences (floor)", "one": "full pipeline, 1 process",
          "dask2": "full pipeline, 2 Dask workers"}
CORES = {"floor": 1, "one": 1, "dask2": 2}
LOAD: list[float] = [0.0]  # the machine's load average when the run started


def to_table(results: dict[str, tuple[float, float]], texts: list[str]) -> str:
    words = sum(len(t.split()) for t in texts)
    floor_rate = len(texts) / results["floor"][0]
    rows = []
    for stage, (seconds, peak) in results.items():
        rate = len(texts) / seconds
        per_core = floor_rate / (rate / CORES[stage])
        rows.append(f"| {LABELS[stage]} | {rate:.1f} | {words / seconds:,.0f} | {peak:.0f} | {floor_rate / rate:.1f}x | {per_core:.1f}x |")
    speedup = results["one"][0] / results["dask2"][0]
    head = (f"{len(texts):,} articles ({words:,} words, {words / len(texts):.0f} per article), "
            f"{platform.machine()}, {os.cpu_count()} cores (load average {LOAD[0]:.1f} before, "
            f"{os.getloadavg()[0]:.1f} after); 2 workers vs 1 process: **{speedup:.2f}x**.\n\n"
            "| stage | articles/s | words/s | peak MiB per worker | time vs floor | per core vs floor |\n"
            "|---|---|---|---|---|---|")
    return head + "\n" + "\n".join(rows)


def write_readme(table: str) -> None:
    write_readme_block(START, END, table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--folder", type=Path, help="measure these articles instead of recombined ones")
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument("--output", type=Path, help="also write the table here (benchmarks/results/throughput.md)")
    args = parser.parse_args()
    texts = read_texts(args.folder) if args.folder else recombine(read_texts(REPO / "corpus"), args.articles)
    LOAD[:] = os.getloadavg()
    results = {stage: run_isolated(stage, texts) for stage in STAGES}
    table = to_table(results, texts)
    print(table)
    if args.output:
        args.output.write_text(table + "\n", encoding="utf-8")
    if args.write_readme:
        write_readme(table)


if __name__ == "__main__":
    main()
