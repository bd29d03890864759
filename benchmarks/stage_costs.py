"""Where the time of the full pipeline goes: CPU milliseconds per article of each stage (the
tokenizer, every pipeline component, then normalising the article's findings into records), on
one core, over the bundled corpus.

Usage: .venv/bin/python benchmarks/stage_costs.py [--repeat 3] [--output benchmarks/results/stage_costs.md]

Each article runs through the components one at a time (nlp.pipe batches the NER model's
tok2vec a little more cheaply, so its share here is an upper bound). CPU time, not wall time,
so that other processes on a shared machine change the figures less.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: figures are per core

from evidence_miner.sources.read import find_article_paths, read_page  # noqa: E402
from evidence_miner.extract.pipeline import build_pipeline, to_article  # noqa: E402
from evidence_miner.normalise.article import normalise_article  # noqa: E402
from evidence_miner.records import Page  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def load_pages() -> list[Page]:
    paths, _ = find_article_paths([REPO / "corpus"], extensions=[".txt", ".html", ".htm"])
    return [read_page(p, max_bytes=5_000_000) for p in paths]


def measure(pages: list[Page], repeat: int) -> dict[str, float]:
    """CPU seconds per stage over `repeat` passes (after one untimed warm-up article)."""
    nlp = build_pipeline()
    normalise_article(to_article(pages[0], nlp(pages[0].text)), pipeline_version="bench")
    costs: dict[str, float] = {"tokenizer": 0.0, **{name: 0.0 for name in nlp.pipe_names}, "normalise": 0.0}
    for _ in range(repeat):
        for page in pages:
            started = time.process_time()
            doc = nlp.make_doc(page.text)
            costs["tokenizer"] += time.process_time() - started
            for name, component in nlp.pipeline:
                started = time.process_time()
                doc = component(doc)
                costs[name] += time.process_time() - started
            started = time.process_time()
            normalise_article(to_article(page, doc), pipeline_version="bench")
            costs["normalise"] += time.process_time() - started
    return costs


def to_report(costs: dict[str, float], articles: int) -> str:
    total = sum(costs.values())
    rows = [f"| {name} | {1000 * seconds / articles:.1f} | {100 * seconds / total:.0f}% |"
            for name, seconds in sorted(costs.items(), key=lambda item: -item[1])]  # fmt: skip
    head = (f"{articles} article passes over corpus/, one core, {platform.machine()}, "
            f"load average {os.getloadavg()[0]:.1f}; {articles / total:.1f} articles per CPU second "
            f"({1000 * total / articles:.0f} ms each).\n\n| stage | CPU ms per article | share |\n|---|---|---|")
    return head + "\n" + "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, help="also write the report here")
    args = parser.parse_args()
    pages = load_pages()
    report = to_report(measure(pages, args.repeat), len(pages) * args.repeat)
    print(report)
    if args.output:
        args.output.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
