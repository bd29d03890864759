"""Wall time of short CLI commands (`--help`, `--version`, `SUBCOMMAND --help`), each run N times
in a fresh process: median and worst wall time, and median CPU time (user + system), which a
busy machine inflates less than wall time; with --importtime, the slowest imports instead.

Usage: .venv/bin/python benchmarks/cli_startup.py [--runs 9] [--all] [--importtime ARGS...]

The commands run as `python -m evidence_miner ...` with this checkout's src/ first on the path,
so a worktree measures its own code. The target (issue 19) is <= 0.3 s for --help and --version.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASIC = [["--help"], ["--version"], ["extract", "--help"], ["run", "--help"]]
SUBCOMMANDS = ["browse", "config show", "crawl", "db migrate", "db status", "evaluate", "export", "import",
               "runs", "schedule", "schema", "search", "show", "stats", "text"]  # fmt: skip
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def to_env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "COLUMNS": "100"}


def time_once(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "evidence_miner", *args], check=True, env=to_env(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def time_command(args: list[str], runs: int) -> tuple[float, float, float]:
    """Median and worst wall time and median CPU time of `runs` runs, after one untimed run
    that warms the file cache."""
    time_once(args)
    walls, cpus = zip(*(time_once(args) for _ in range(runs)), strict=True)
    return statistics.median(walls), max(walls), statistics.median(cpus)


def top_imports(args: list[str], count: int = 25) -> list[tuple[int, str]]:
    """The top-level packages that cost the most import time (their own time, microseconds)."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "evidence_miner", *args], check=False,
                            env=to_env(), capture_output=True, text=True)  # fmt: skip
    totals: dict[str, int] = {}
    for match in IMPORT_LINE.finditer(result.stderr):
        top = match.group(4).split(".")[0]
        totals[top] = totals.get(top, 0) + int(match.group(1))
    return sorted(((us, name) for name, us in totals.items()), reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--all", action="store_true", help="also every other SUBCOMMAND --help")
    parser.add_argument("--importtime", nargs=argparse.REMAINDER, help="print the slowest imports of these args")
    args = parser.parse_args()
    if args.importtime is not None:
        for us, name in top_imports(args.importtime or ["--help"]):
            print(f"{us / 1000:8.1f} ms  {name}")
        return
    commands = BASIC + ([[*name.split(), "--help"] for name in SUBCOMMANDS] if args.all else [])
    print(f"load average {os.getloadavg()[0]:.1f}, {args.runs} runs each\n")
    print("| command | median wall s | worst wall s | median CPU s |\n|---|---|---|---|")
    for command in commands:
        median, worst, cpu = time_command(command, args.runs)
        print(f"| evidence-miner {' '.join(command)} | {median:.3f} | {worst:.3f} | {cpu:.3f} |")


if __name__ == "__main__":
    main()
