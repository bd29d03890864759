"""Benchmark: import N synthetic records into a store, then export them to Parquet with the
real `evidence-miner export` command, measuring its peak memory (ru_maxrss) and time.

Usage:
    .venv/bin/python benchmarks/export_parquet.py                  # 100,000 records, SQLite
    .venv/bin/python benchmarks/export_parquet.py --records 10000 --db postgresql://...
    .venv/bin/python benchmarks/export_parquet.py --readme         # also rewrite the README figures

Results go to benchmarks/results/export_parquet.json; with --readme, the figures between
<!-- store-bench:start --> and <!-- store-bench:end --> in README.md are rewritten.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from readme_block import write_readme_block  # benchmarks/ is on sys.path when a script runs

from evidence_miner.records import (
    AdverseEvent,
    Concept,
    Count,
    Dose,
    Effect,
    EvidenceRecord,
    Group,
    Intervention,
    Outcome,
    Population,
    Source,
    Study,
)
from evidence_miner.store import open_store

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "export_parquet.json"
EXE = Path(sys.executable).with_name("evidence-miner")
DRUGS = [("semaglutide", "DB13928", "mg", [0.25, 0.5, 1.0, 2.4], "weekly", "subcutaneous"),
         ("metformin", "DB00331", "mg", [500.0, 850.0, 1000.0], "twice daily", "oral"),
         ("apixaban", "DB06605", "mg", [2.5, 5.0], "twice daily", "oral"),
         ("atorvastatin", "DB01076", "mg", [10.0, 20.0, 40.0, 80.0], "daily", "oral"),
         ("dupilumab", "DB12159", "mg", [300.0], "every 2 weeks", "subcutaneous")]  # fmt: skip
CONDITIONS = [("obesity", "D009765"), ("type 2 diabetes mellitus", "D003924"),
              ("venous thromboembolism", "D054556"), ("atopic dermatitis", "D003876")]  # fmt: skip
DESIGNS = ["rct", "prospective_cohort", "retrospective", "meta_analysis", "case_series"]
SITES = ["Healio", "MedWire Daily", "CardioBeat", "The Health Ledger"]


def build_record(index: int, rng: random.Random) -> EvidenceRecord:
    """One plausible record: a drug at two doses, a condition, two outcomes, an adverse event."""
    name, drugbank, unit, values, frequency, route = rng.choice(DRUGS)
    condition, mesh = rng.choice(CONDITIONS)
    n = rng.randint(20, 5000)
    doses = [Dose(text=f"{v:g} {unit} {frequency}", span=(100 + 40 * i, 130 + 40 * i), sentence=2,
                  value=v, unit=unit, route=route, frequency=frequency, group=f"arm {i + 1}",
                  group_n=n // 2, confidence=0.85) for i, v in enumerate(rng.sample(values, min(2, len(values))))]  # fmt: skip
    hr = round(rng.uniform(0.4, 1.2), 2)
    outcomes = [Outcome(text=f"{n // 10} of {n // 2} patients improved", span=(400, 440), sentence=4,
                        measure="response", group="arm 1", direction="improved", count=n // 10, of=n // 2,
                        effect=Effect(type="HR", value=hr, ci=(round(hr - 0.1, 2), round(hr + 0.1, 2)), p=0.01)),
                Outcome(text="no difference in mortality", span=(500, 527), sentence=5,
                        measure="mortality", direction="no_difference")]  # fmt: skip
    published = date(2015, 1, 1) + timedelta(days=index % 3650)
    source = Source(url=f"https://{SITES[index % 4].lower().replace(' ', '')}.example/{index // 2}",
                    title=f"{name.title()} in {condition}: study {index}", site_name=SITES[index % 4],
                    published=published, fetched_at=datetime(2025, 1, 1, tzinfo=UTC))  # fmt: skip
    return EvidenceRecord(
        record_id=f"em-bench-{index:08d}", source=source, pipeline_version="bench",
        study=Study(design=rng.choice(DESIGNS), journal="Journal of Benchmarks", country="France"),
        conditions=[Concept(name=condition, ids={"mesh": mesh}, text=condition, span=(10, 10 + len(condition)))],
        population=Population(total=Count(value=n, kind="enrolled", text=f"{n} patients"),
                              groups=[Group(label="arm 1", n=n // 2), Group(label="arm 2", n=n - n // 2)]),
        interventions=[Intervention(name=name, ids={"drugbank": drugbank}, text=name, span=(50, 50 + len(name)),
                                    doses=doses)],
        outcomes=outcomes,
        adverse_events=[AdverseEvent(name="nausea", count=rng.randint(0, n // 5), of=n, text="nausea")],
    )  # fmt: skip


def build_records(count: int) -> Iterator[EvidenceRecord]:
    rng = random.Random(7)
    return (build_record(index, rng) for index in range(count))


def fill_store(db: str, count: int) -> float:
    """Import `count` records; returns the seconds it took."""
    started = time.perf_counter()
    with open_store(db) as store:
        store.import_items(build_records(count), batch_size=1000)
    return time.perf_counter() - started


def run_measured(command: list[str]) -> tuple[float, float]:
    """Run a command; its peak resident memory (MB) and wall time (s)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=os.environ | {"COLUMNS": "100"}, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command} failed")
    return usage.ru_maxrss / 1024, seconds


def measure_exports(db: str, folder: Path) -> dict[str, dict[str, float]]:
    figures = {}
    for table in ("records", "doses"):
        out = folder / f"{table}.parquet"
        command = [str(EXE), "export", "--db", db, "--format", "parquet", "--table", table, "-o", str(out), "--quiet"]
        peak, seconds = run_measured(command)
        figures[table] = {"peak_mb": round(peak, 1), "seconds": round(seconds, 1),
                          "file_mb": round(out.stat().st_size / 2**20, 1)}  # fmt: skip
    baseline, _ = run_measured([str(EXE), "export", "--help"])
    figures["startup"] = {"peak_mb": round(baseline, 1)}
    return figures


def to_readme_block(result: dict) -> str:
    records, doses = result["exports"]["records"], result["exports"]["doses"]
    rows = [
        (f"`--table records` ({result['records']:,} rows, full JSON)", records),
        (f"`--table doses` ({result['rows']['doses']:,} rows)", doses),
    ]
    table = [f"| {what} | {f['peak_mb']:.0f} MB | {f['seconds']:.1f} s | {f['file_mb']:.1f} MB |"
             for what, f in rows]  # fmt: skip
    startup = result["exports"]["startup"]["peak_mb"]
    return "\n".join([
        (f"Exporting {result['records']:,} synthetic records to Parquet (`benchmarks/export_parquet.py`, "
         f"{result['backend']}, {result['machine']}):"),
        "",
        "| export | peak memory | time | file |",
        "|---|---|---|---|",
        *table,
        "",
        (f"Peak memory is the whole command's (`evidence-miner export --help` alone: {startup:.0f} MB). "
         f"Importing the records took {result['import_seconds']:.0f} s."),
    ])  # fmt: skip


def update_readme(result: dict) -> None:
    write_readme_block("<!-- store-bench:start -->", "<!-- store-bench:end -->", to_readme_block(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--db", help="a database URL to fill (default: a new SQLite file)")
    parser.add_argument("--readme", action="store_true", help="rewrite the README figures")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the figures go (JSON)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="em-bench-") as folder:
        db = args.db or str(Path(folder) / "bench.db")
        import_seconds = fill_store(db, args.records)
        with open_store(db) as store:
            counts = store.counts()
        exports = measure_exports(db, Path(folder))
    result = {
        "records": args.records, "rows": {"doses": counts["doses"]},
        "backend": "PostgreSQL" if "://" in db and not db.startswith("sqlite") else "SQLite",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "import_seconds": round(import_seconds, 1), "exports": exports,
    }  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))
    if args.readme:
        update_readme(result)


if __name__ == "__main__":
    main()
