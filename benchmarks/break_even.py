"""Where Dask starts to pay: wall time of `evidence-miner extract FOLDER` with `--workers 1` (this
process) and `--workers N` (a local Dask cluster), and with the default, on folders of growing
size; a line fitted to each gives the break-even number of articles.

Usage: .venv/bin/python benchmarks/break_even.py [--sizes 20 200 400] [--workers 2] [--repeat 2]
                                                  [--output benchmarks/results/break_even.md]

Articles are recombined from the bundled corpus (benchmarks/throughput.py, same seed) and written
to a temporary folder; every run is a fresh process with this checkout's src/ first on the path,
so each includes start-up: imports, pipeline build, and for Dask the cluster's start.
The constant to update is evidence_miner.scale.plan.BREAK_EVEN_DOCUMENTS.
"""

from __future__ import annotations

import argparse
import os
import platform
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


def measure(folder: Path, modes: dict[str, str | None], repeat: int) -> dict[str, float]:
    """The fastest of `repeat` runs per mode, the modes interleaved so that a busy spell on a
    shared machine hits them alike."""
    best = dict.fromkeys(modes, float("inf"))
    for _ in range(repeat):
        for mode, workers in modes.items():
            best[mode] = min(best[mode], time_extract(folder, workers))
    return best


def report(line: str, out: list[str]) -> None:
    print(line, flush=True)
    out.append(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 200, 400])
    parser.add_argument("--workers", default="2")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--output", type=Path, help="also write the report here (benchmarks/results/break_even.md)")
    args = parser.parse_args()
    texts = recombine(read_texts(REPO / "corpus"), max(args.sizes))
    modes = {"1 process": "1", f"{args.workers} Dask workers": args.workers, "default": None}
    out: list[str] = []
    report(f"{platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before; "
           f"wall seconds, best of {args.repeat}\n", out)  # fmt: skip
    report("| articles | " + " | ".join(modes) + " |\n" + "|---" * (len(modes) + 1) + "|", out)
    points: dict[str, list[tuple[int, float]]] = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory(prefix="em-break-even-") as root:
        for size in args.sizes:
            best = measure(write_folder(Path(root), texts[:size]), modes, args.repeat)
            for mode, seconds in best.items():
                points[mode].append((size, seconds))
            report(f"| {size} | " + " | ".join(f"{seconds:.1f}" for seconds in best.values()) + " |", out)
    lines = {mode: fit_line(found) for mode, found in points.items()}
    report("", out)
    for mode, (start, per) in lines.items():
        report(f"- {mode}: {start:.1f} s start-up + {per * 1000:.0f} ms per article", out)
    even = to_break_even(lines["1 process"], lines[f"{args.workers} Dask workers"])
    report(f"\nbreak-even: {'never' if even is None else f'{even:.0f} articles'} "
           f"(load average {os.getloadavg()[0]:.1f} after)", out)  # fmt: skip
    if args.output:
        args.output.write_text("\n".join(out) + "\n", "utf-8")


if __name__ == "__main__":
    main()
