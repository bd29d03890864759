"""Rewrite tests/golden_known_gaps.toml from the pipeline's current records of corpus/dev.

    .venv/bin/python scripts/update_known_gaps.py          # write the file
    .venv/bin/python scripts/update_known_gaps.py --check  # list what would change, write nothing

Every dev article and field the extractor still gets wrong gets an entry; an entry whose gap is
fixed is dropped (the golden test checks each entry's exact counts, so a stale entry fails the
suite, and so does a gap that grows). A note already written for a gap is kept, with its counts updated; a new
gap is marked "not yet analysed" until someone looks at it.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

from evidence_miner.evaluate.gold import find_gold_articles
from evidence_miner.evaluate.records import records_for_golds
from evidence_miner.evaluate.score import FIELDS, score_all
from evidence_miner.extract.pipeline import build_pipeline

REPO = Path(__file__).resolve().parents[1]
GAPS = REPO / "tests" / "golden_known_gaps.toml"
DEV = REPO / "corpus" / "dev"
HEADER_END = "\n\n["  # the comment block before the first table is kept as it is


def current_gaps() -> dict[str, dict[str, tuple[int, int]]]:
    """{article stem: {field: (false positives, misses)}} for every field not scored perfectly."""
    nlp = build_pipeline()
    gaps: dict[str, dict[str, tuple[int, int]]] = {}
    for gold in find_gold_articles(DEV):
        tallies = score_all([gold], records_for_golds(nlp, [gold], pipeline_version="gaps")).fields
        found = {f: (tallies[f].fp, tallies[f].fn) for f in FIELDS if tallies[f].fp or tallies[f].fn}
        if found:
            gaps[gold.stem] = found
    return gaps


def note_for(old: dict, stem: str, field: str, counts: tuple[int, int]) -> str:
    """The old note with its counts brought up to date, or a new 'not yet analysed' note."""
    text = old.get(stem, {}).get(field)
    body = re.sub(r"^\(\d+, \d+\):\s*", "", text) if text else "not yet analysed"
    return f"({counts[0]}, {counts[1]}): {body}"


def to_toml(header: str, old: dict, gaps: dict[str, dict[str, tuple[int, int]]]) -> str:
    lines = [header.rstrip("\n")]  # each table adds the blank line before it
    for stem in sorted(gaps):
        lines += ["", f"[{stem}]"]
        lines += [f"{field} = {quoted(note_for(old, stem, field, counts))}" for field, counts in gaps[stem].items()]
    return "\n".join(lines) + "\n"


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list the changes, write nothing")
    args = parser.parse_args()
    text = GAPS.read_text("utf-8")
    old = tomllib.loads(text)
    header = text.split(HEADER_END, 1)[0]
    gaps = current_gaps()
    before = {(s, f) for s, fields in old.items() for f in fields}
    after = {(s, f) for s, fields in gaps.items() for f in fields}
    for stem, field in sorted(before - after):
        print(f"fixed:   {stem} {field}")
    for stem, field in sorted(after - before):
        print(f"new gap: {stem} {field} {gaps[stem][field]}")
    if not args.check:
        GAPS.write_text(to_toml(header, old, gaps), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
