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
FAKEHEALTH = REPO.parent / "shared" / "data" / "fakehealth" / "articles.jsonl.gz"
SETS = [
    ("seed (worked example)", REPO.parent / "shared" / "corpus" / "seed"),
    ("corpus/dev (fictional, tuned on)", REPO / "corpus" / "dev"),
    ("corpus/heldout (fictional, held out)", REPO / "corpus" / "heldout"),
    ("real dev (FakeHealth)", REPO / "corpus" / "real" / "dev"),
    ("real heldout (FakeHealth, held out)", REPO / "corpus" / "real" / "heldout"),
]
FIELDS = ["records", "design", "journal", "total", "age", "follow_up", "drugs", "doses", "groups", "outcomes", "adverse_events"]
START, END = "<!-- eval:start -->", "<!-- eval:end -->"


def evaluate(folder: Path) -> dict:
    exe = Path(sys.executable).with_name("evidence-miner")
    command = [str(exe), "evaluate", str(folder), "--json", "--quiet", "--fakehealth", str(FAKEHEALTH)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
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
    rows.append("| **micro F1** | " + " | ".join(f"**{r['micro_plain']['f1']:.3f}**" for _, r in results) + " |")
    rows.append("| **strict micro F1** | " + " | ".join(f"**{r['micro_strict']['f1']:.3f}**" for _, r in results) + " |")
    rows.append("| records with page junk | " + " | ".join(str(r["junk_failures"]) for _, r in results) + " |")
    return "\n".join([header, rule, *rows])


def ner_table() -> str:
    metrics = json.loads((REPO / "models" / "em_ner_bc5cdr" / "metrics.json").read_text("utf-8"))
    exact, aligned = metrics["test"]["exact"], metrics["test"]["token_aligned_gold"]
    rows = ["| type | precision | recall | F1 (exact spans) | F1 (gold widened to our tokens) |", "|---|---|---|---|---|"]
    for kind in ("CHEMICAL", "DISEASE", "micro"):
        e, a = exact[kind], aligned[kind]
        rows.append(f"| {kind} | {e['p']:.2f} | {e['r']:.2f} | {e['f1']:.2f} | {a['f1']:.2f} |")
    rows.append("\nAnchor: scispaCy's `en_ner_bc5cdr_md` reports F1 84.28 (with word vectors, scored on its own tokens).")
    return "\n".join(rows)


def replace_block(text: str, start: str, end: str, body: str) -> str:
    return re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: f"{start}\n{body}\n{end}", text, flags=re.S)


def agreement_line() -> str:
    """Plain and strict micro F1 of the second annotation against the first (the human ceiling)."""
    script = REPO / "scripts" / "annotator_agreement.py"
    out = subprocess.run([sys.executable, str(script), "--json"], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    return (f"micro F1 **{result['micro_plain']:.3f}** plain, **{result['micro_strict']:.3f}** strict "
            f"({result['articles']} articles both annotators judged study reports).")  # fmt: skip


def main() -> None:
    results = [(name, evaluate(folder)) for name, folder in SETS if folder.is_dir()]
    table = "F1 per field, with (true positives/false positives/misses).\n\n" + to_table(results)
    readme = REPO / "README.md"
    text = replace_block(readme.read_text("utf-8"), START, END, table)
    text = replace_block(text, "<!-- ner:start -->", "<!-- ner:end -->", ner_table())
    text = replace_block(text, "<!-- agreement:start -->", "<!-- agreement:end -->", agreement_line())
    readme.write_text(text, "utf-8")
    print(table)


if __name__ == "__main__":
    main()
