"""Regenerate the accuracy table in README.md from `evidence-miner evaluate --json` runs.

Usage: .venv/bin/python scripts/update_readme_eval.py
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SETS = [
    ("seed (worked example)", REPO.parent / "shared" / "corpus" / "seed"),
    ("corpus/dev (tuned on)", REPO / "corpus" / "dev"),
    ("corpus/heldout (held out)", REPO / "corpus" / "heldout"),
    ("corpus (all)", REPO / "corpus"),
]
FIELDS = ["records", "design", "journal", "total", "age", "follow_up", "drugs", "doses", "groups", "outcomes", "adverse_events"]
START, END = "<!-- eval:start -->", "<!-- eval:end -->"


def evaluate(folder: Path) -> dict:
    exe = Path(sys.executable).with_name("evidence-miner")
    out = subprocess.run([str(exe), "evaluate", str(folder), "--json", "--quiet"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def to_table(results: list[tuple[str, dict]]) -> str:
    header = "| field | " + " | ".join(name for name, _ in results) + " |"
    rule = "|---|" + "---|" * len(results)
    rows = []
    for field in FIELDS:
        cells = []
        for _, result in results:
            f = result["fields"][field]
            cells.append(f"{f['f1']:.3f} ({f['tp']}/{f['fp']}/{f['fn']})")
        rows.append(f"| {field} | " + " | ".join(cells) + " |")
    rows.append("| **micro F1** | " + " | ".join(f"**{r['micro']['f1']:.3f}**" for _, r in results) + " |")
    rows.append("| records with page junk | " + " | ".join(str(r["junk_failures"]) for _, r in results) + " |")
    return "\n".join([header, rule, *rows])


def main() -> None:
    results = [(name, evaluate(folder)) for name, folder in SETS if folder.is_dir()]
    table = "F1 per field, with (true positives/false positives/misses).\n\n" + to_table(results)
    readme = REPO / "README.md"
    text = readme.read_text("utf-8")
    block = f"{START}\n{table}\n{END}"
    readme.write_text(re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S), "utf-8")
    print(table)


if __name__ == "__main__":
    main()
