"""Where Dask starts to pay: wall time of `evidence-miner extract FOLDER` with `--workers 1` (this
process) and `--workers N` (a local Dask cluster), and with the default, on folders of growing
size; a line fitted to each gives the break-even number of articles.

Usage: .venv/bin/python benchmarks/break_even.py [--sizes 25 50 100 200 400] [--workers 2] [--repeat 1]

Articles are recombined from the bundled corpus (benchmarks/throughput.py, same seed) and written
to a temporary folder; every run is a fresh process with this checkout's src/ first on the path,
so each includes start-up: imports, pipeline build, and for Dask the cluster's start.
The constant to update is evidence_miner.scale.plan.BREAK_EVEN_DOCUMENTS.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from throughput import REPO, read_texts, recombine  # benchmarks/ is on sys.path when a script runs


def to_env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "OMP_NUM_THREADS": "1"}


def write_folder(root: Path, texts: list[str]) -> Path:
    folder = root / f"articles-{len(texts)}"
    folder.mkdir()
    for index, text in enumerate(texts):
        (folder / f"a{index:05d}.txt").write_text(text, "utf-8")
    return folder


def time_extract(folder: Path, workers: str | None) -> float:
    command = [sys.executable, "-m", "evidence_miner", "extract", str(folder), "-q", "-o", os.devnull]
    command += ["--workers", workers] if workers else []
    started = time.perf_counter()
    subprocess.run(command, check=True, env=to_env(), stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def fit_line(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least-squares intercept (start-up seconds) and slope (seconds per article)."""
    slope, intercept = statistics.linear_regression([n for n, _ in points], [s for _, s in points])
    return intercept, slope


def to_break_even(one: tuple[float, float], many: tuple[float, float]) -> float | None:
    """Articles above which the cluster is faster; None when it never is."""
    if many[1] >= one[1]:
        return None
    return (many[0] - one[0]) / (one[1] - many[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100, 200, 400])
    parser.add_argument("--workers", default="2")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    texts = recombine(read_texts(REPO / "corpus"), max(args.sizes))
    modes = {"1 process": "1", f"{args.workers} Dask workers": args.workers, "default": None}
    print(f"load average {os.getloadavg()[0]:.1f}\n\n| articles | " + " | ".join(modes) + " |")
    print("|---" * (len(modes) + 1) + "|")
    points: dict[str, list[tuple[int, float]]] = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory(prefix="em-break-even-") as root:
        for size in args.sizes:
            folder = write_folder(Path(root), texts[:size])
            row = []
            for mode, workers in modes.items():
                seconds = min(time_extract(folder, workers) for _ in range(args.repeat))
                points[mode].append((size, seconds))
                row.append(f"{seconds:.1f}")
            print(f"| {size} | " + " | ".join(row) + " |", flush=True)
    lines = {mode: fit_line(found) for mode, found in points.items()}
    for mode, (start, per) in lines.items():
        print(f"\n{mode}: {start:.1f} s start-up + {per * 1000:.0f} ms per article", end="")
    one, many = lines["1 process"], lines[f"{args.workers} Dask workers"]
    even = to_break_even(one, many)
    print(f"\nbreak-even: {'never' if even is None else f'{even:.0f} articles'}"
          f"  (load average {os.getloadavg()[0]:.1f} after)")  # fmt: skip


if __name__ == "__main__":
    main()
