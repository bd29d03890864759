"""One article end to end: the wall time of `evidence-miner extract ARTICLE` (median of N fresh
processes) and, in one more fresh process, where that time goes: interpreter and CLI, imports of
the pipeline's packages, building the spaCy pipeline, extracting and normalising the article,
writing its records.

Usage: .venv/bin/python benchmarks/one_article.py [ARTICLE] [--runs 5] [--profile FILE.prof]
       [--output benchmarks/results/one_article.md]

The commands run with this checkout's src/ first on the path. The target (issue 19) is <= 1.5 s.
The CPU seconds of each run are given too: on a busy machine they change less than wall time.
Built lexicons and facts read from pint are kept in the user's cache folder (evidence_miner/
disk_cache.py); the untimed warm-up run fills it, as any earlier run on the machine would.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ARTICLE = REPO / "corpus" / "dev" / "semaglutide-hfpef-rct.txt"
PACKAGES = ("spacy", "scispacy", "pysbd", "pint", "dask", "distributed", "trafilatura", "sqlalchemy", "alembic")


def to_env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "OMP_NUM_THREADS": "1"}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_cli(article: Path, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of `evidence-miner extract ARTICLE -q`, one untimed warm-up run first."""
    command = [sys.executable, "-m", "evidence_miner", "extract", str(article), "-q", "-o", os.devnull]
    timings, cpu = [], []
    for index in range(runs + 1):
        started, cpu_before = time.perf_counter(), children_cpu()
        subprocess.run(command, check=True, env=to_env(), stdout=subprocess.DEVNULL)
        if index:
            timings.append(time.perf_counter() - started)
            cpu.append(children_cpu() - cpu_before)
    return timings, cpu


def measure_stages(article: str) -> dict[str, float]:
    """Seconds per stage in this (fresh) process; run as `one_article.py --stages ARTICLE`."""
    started = time.perf_counter()
    marks: dict[str, float] = {}

    def mark(name: str) -> None:
        marks[name] = time.perf_counter() - started - sum(marks.values())

    from evidence_miner.cli import main  # noqa: F401 - the CLI itself

    mark("CLI modules")
    for package in PACKAGES[:3]:
        __import__(package)
    mark("import spaCy, scispaCy, pysbd")
    import evidence_miner.workflow  # noqa: F401 - the pipeline's own modules, pint, trafilatura

    mark("import workflow (pint, trafilatura, own modules)")
    from evidence_miner.cli.common import cli_settings
    from evidence_miner.sources.read import read_page
    from evidence_miner.extract.pipeline import build_pipeline
    from evidence_miner.records import to_json_line
    from evidence_miner.workflow import process_pages

    settings = cli_settings(None)
    nlp = build_pipeline(settings.extract.model, ner_model=settings.extract.ner_model,
                         study_model=settings.extract.study_model)  # fmt: skip
    mark("build the spaCy pipeline")
    page = read_page(Path(article), max_bytes=settings.input.max_file_bytes)
    results = list(process_pages([page], settings, nlp=nlp))
    mark("read, extract and normalise the article")
    lines = [to_json_line(record) for result in results for record in result.records]
    mark("write records")
    marks["(records)"] = len(lines)
    marks["(imported)"] = sorted(p for p in PACKAGES if p in sys.modules)  # type: ignore[assignment]
    return marks


def run_stages(article: Path, profile: Path | None) -> dict:
    prefix = [sys.executable, "-m", "cProfile", "-o", str(profile)] if profile else [sys.executable]
    result = subprocess.run([*prefix, __file__, "--stages", str(article)], check=True, env=to_env(),
                            capture_output=True, text=True)  # fmt: skip
    return json.loads(result.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", type=Path, default=DEFAULT_ARTICLE)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", type=Path, help="also write a cProfile of the stages run here")
    parser.add_argument("--output", type=Path, help="also write the report here")
    parser.add_argument("--stages", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stages:
        print(json.dumps(measure_stages(str(args.article))))
        return
    load = os.getloadavg()[0]
    timings, cpu = time_cli(args.article, args.runs)
    lines = [f"{args.article.name}, load average {load:.1f} before, {os.getloadavg()[0]:.1f} after",
             f"evidence-miner extract: median {statistics.median(timings):.2f} s, best {min(timings):.2f} s "
             f"({args.runs} runs; CPU median {statistics.median(cpu):.2f} s, best {min(cpu):.2f} s)\n",
             "| stage (one fresh process) | seconds |", "|---|---|"]  # fmt: skip
    for stage, value in run_stages(args.article, args.profile).items():
        lines.append(f"| {stage} | {value if isinstance(value, (int, list)) else f'{value:.2f}'} |")
    print("\n".join(lines))
    if args.output:
        args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
