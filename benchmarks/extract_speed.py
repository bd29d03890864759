"""Extraction speed on one core: the bare tokenizer (the floor), tokenizer + sentences (the
pipeline's own sentence component), the pipeline without and with the NER model, in one run
over the same texts.

Usage: .venv/bin/python benchmarks/extract_speed.py [--repeat N] [--write-readme]
Texts: the bundled corpus/ articles (page junk removed), repeated N times.
Rates are per CPU second of this process (time.process_time), not wall time, so that other
processes on a shared machine change them less; the table gives the load average.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from pathlib import Path

from readme_block import write_readme_block  # benchmarks/ is on sys.path when a script runs

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: figures are per core


from evidence_miner.sources.read import find_article_paths, read_page  # noqa: E402
from evidence_miner.extract.pipeline import build_pipeline  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
START, END = "<!-- speed:start -->", "<!-- speed:end -->"


def load_texts(repeat: int) -> list[str]:
    paths, _ = find_article_paths([REPO / "corpus"], extensions=[".txt", ".html", ".htm"])
    return [read_page(p, max_bytes=5_000_000).text for p in paths] * repeat


def measure(name: str, run, texts: list[str]) -> dict:
    run(texts[:2])  # warm-up: lazy loading is not speed
    started = time.process_time()
    run(texts)
    seconds = time.process_time() - started
    words = sum(len(t.split()) for t in texts)
    return {"name": name, "seconds": seconds, "articles_s": len(texts) / seconds, "words_s": words / seconds}


def runners() -> list[tuple[str, object]]:
    full = build_pipeline(ner_model="auto")
    no_ner = build_pipeline(ner_model="none")
    sents = build_pipeline(ner_model="none", study_model="none")
    splitter = sents.pipe_names[0]  # the pipeline's own sentence component (default.cfg)
    sents.select_pipes(enable=[splitter])
    return [
        ("bare tokenizer (floor)", lambda ts: list(full.tokenizer.pipe(ts))),
        (f"tokenizer + sentences ({splitter})", lambda ts: list(sents.pipe(ts))),
        ("full pipeline, no NER model", lambda ts: list(no_ner.pipe(ts))),
        ("full pipeline with NER model (default)", lambda ts: list(full.pipe(ts))),
    ]


def to_table(results: list[dict], texts: list[str], load_before: float) -> str:
    floor = results[0]["words_s"]
    rows = [f"| {r['name']} | {r['articles_s']:.1f} | {r['words_s']:,.0f} | {floor / r['words_s']:.1f}x |" for r in results]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    head = (f"{len(texts)} articles ({sum(len(t.split()) for t in texts):,} words), one process, "
            f"{platform.processor() or platform.machine()}, per CPU second (load average "
            f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after); "
            f"peak memory {peak:.0f} MiB.\n\n"
            "| stage | articles/s | words/s | time vs floor |\n|---|---|---|---|")
    return head + "\n" + "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    texts = load_texts(args.repeat)
    results = [measure(name, run, texts) for name, run in runners()]
    table = to_table(results, texts, load_before)
    print(table)
    if args.write_readme:
        write_readme_block(START, END, table)


if __name__ == "__main__":
    main()
