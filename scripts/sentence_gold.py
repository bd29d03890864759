"""Build and check the hand-made sentence-boundary gold in eval/sentences/ (stdlib only).

Subcommands (see eval/sentences/README.md for the method and the conventions):

  candidates  write /tmp/sentgold/<key>.txt for every sampled article: one over-split candidate
              sentence per line, each line prefixed with the marker "= " (starts a sentence).
  build       read the hand-corrected files and write eval/sentences/{fakehealth,corpus}.jsonl.
              A line "= text" starts a sentence, a line "+ text" continues the previous one.
              The build checks that the lines' text, whitespace ignored, is exactly the article.
  check       recompute every text from the data set / corpus file, verify its sha256 and length,
              the offsets, and print the counts.

Article text never enters the repository: work files live under /tmp/sentgold/ only.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
from pathlib import Path

SEED = 20261207
REPO = Path(__file__).resolve().parent.parent
FAKEHEALTH = REPO.parent.parent / "shared" / "data" / "fakehealth" / "articles.jsonl.gz"
FAKEHEALTH_FALLBACK = Path("/work/shared/data/fakehealth/articles.jsonl.gz")
WORK = Path("/tmp/sentgold")
GOLD = REPO / "eval" / "sentences"
START, CONTINUE = "= ", "+ "

# A candidate boundary: ., ? or ! (any run), then closing quotes/brackets, then whitespace.
_TERMINAL = re.compile(r"[.?!]+[\"'\u201d\u2019)\]]*(?=\s)")


def fakehealth_path() -> Path:
    """The FakeHealth file, beside the repository or at its usual place."""
    return FAKEHEALTH if FAKEHEALTH.exists() else FAKEHEALTH_FALLBACK


def load_fakehealth() -> dict[str, str]:
    """news_id -> segmented text (title + blank line + text) for articles with a non-empty text."""
    texts: dict[str, str] = {}
    with gzip.open(fakehealth_path(), "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["text"]:
                texts[row["news_id"]] = row["title"] + "\n\n" + row["text"]
    return texts


def corpus_text(rel: str) -> str:
    """A corpus file's exact content, decoded as UTF-8 (no newline translation)."""
    return (REPO / rel).read_bytes().decode("utf-8")


def sample() -> list[tuple[str, str, str]]:
    """(set, id, split) for the 30 FakeHealth and 15 corpus articles, in sample order."""
    ids = sorted(load_fakehealth())
    real = random.Random(SEED).sample(ids, 30)
    rows = [("fakehealth", i, "dev" if n < 15 else "heldout") for n, i in enumerate(real)]
    for split, k in (("dev", 10), ("heldout", 5)):
        names = sorted(p.name for p in (REPO / "corpus" / split).glob("*.txt"))
        for name in random.Random(SEED).sample(names, k):
            rows.append(("corpus", f"corpus/{split}/{name}", split))
    return rows


def text_of(kind: str, ident: str, real: dict[str, str]) -> str:
    """The exact text the pipeline segments for one sampled article."""
    return real[ident] if kind == "fakehealth" else corpus_text(ident)


def work_key(ident: str) -> str:
    """File-name key of an article under /tmp/sentgold/."""
    return ident.replace("/", "__")


def candidate_spans(text: str) -> list[tuple[int, int]]:
    """Over-split: cut after every terminal (+ closers) followed by whitespace and at every newline."""
    cuts = {m.end() for m in _TERMINAL.finditer(text)}
    cuts.update(i + 1 for i, ch in enumerate(text) if ch == "\n")
    spans, prev = [], 0
    for cut in sorted(cuts | {len(text)}):
        piece = text[prev:cut]
        if piece.strip():
            left = prev + len(piece) - len(piece.lstrip())
            right = prev + len(piece.rstrip())
            spans.append((left, right))
        prev = cut
    return spans


def cmd_candidates(_: argparse.Namespace) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    real = load_fakehealth()
    for kind, ident, split in sample():
        text = text_of(kind, ident, real)
        lines = [START + text[a:b] + "\n" for a, b in candidate_spans(text)]
        out = WORK / f"{work_key(ident)}.txt"
        if out.exists():
            print(f"keep {out} (already there; delete it to regenerate)")
            continue
        out.write_text("".join(lines), encoding="utf-8")
        (WORK / f"{work_key(ident)}.orig").write_text("".join(lines), encoding="utf-8")
        print(f"{kind} {split} {ident}: {len(lines)} candidates")


def starts_from_lines(text: str, lines: list[str], name: str) -> list[int]:
    """Map corrected lines back to offsets; fail unless the lines cover the text exactly."""
    positions = [i for i, ch in enumerate(text) if not ch.isspace()]
    k, starts = 0, []
    for lineno, raw in enumerate(lines, 1):
        line = raw.rstrip("\n")
        if not line.strip():
            continue
        marker, body = line[:2], line[2:]
        if marker not in (START, CONTINUE):
            sys.exit(f"{name}:{lineno}: line must start with '= ' or '+ ', got {line[:20]!r}")
        chars = [ch for ch in body if not ch.isspace()]
        if not chars:
            sys.exit(f"{name}:{lineno}: empty line after the marker")
        if marker == START:
            starts.append(positions[k])
        elif not starts:
            sys.exit(f"{name}:{lineno}: the first line cannot continue a sentence")
        for ch in chars:
            if k >= len(positions) or text[positions[k]] != ch:
                got = text[positions[k]] if k < len(positions) else "<end>"
                sys.exit(f"{name}:{lineno}: text differs from the article at {ch!r} (article {got!r})")
            k += 1
    if k != len(positions):
        sys.exit(f"{name}: the lines stop {len(positions) - k} non-space characters before the end")
    return starts


def cmd_build(_: argparse.Namespace) -> None:
    real = load_fakehealth()
    out: dict[str, list[str]] = {"fakehealth": [], "corpus": []}
    for kind, ident, split in sample():
        text = text_of(kind, ident, real)
        path = WORK / f"{work_key(ident)}.txt"
        starts = starts_from_lines(text, path.read_text(encoding="utf-8").splitlines(), str(path))
        row = {
            "id": ident,
            "split": split,
            "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "chars": len(text),
            "starts": starts,
        }
        out[kind].append(json.dumps(row, ensure_ascii=False))
    GOLD.mkdir(parents=True, exist_ok=True)
    for kind, rows in out.items():
        (GOLD / f"{kind}.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
        print(f"wrote {GOLD / (kind + '.jsonl')}: {len(rows)} articles")


def cmd_check(_: argparse.Namespace) -> None:
    real = load_fakehealth()
    total_a = total_s = 0
    for kind in ("fakehealth", "corpus"):
        n_a = n_s = 0
        splits: dict[str, list[int]] = {}
        for line in (GOLD / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            text = real[row["id"]] if kind == "fakehealth" else corpus_text(row["id"])
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            if digest != row["text_sha256"] or len(text) != row["chars"]:
                sys.exit(f"{kind} {row['id']}: text changed (sha256/length differ from the gold)")
            starts = row["starts"]
            if starts != sorted(set(starts)) or any(text[s].isspace() for s in starts):
                sys.exit(f"{kind} {row['id']}: starts must increase and point at non-space characters")
            if starts[0] != len(text) - len(text.lstrip()):
                sys.exit(f"{kind} {row['id']}: the first sentence must start at the first character")
            n_a += 1
            n_s += len(starts)
            counts = splits.setdefault(row["split"], [0, 0])
            counts[0] += 1
            counts[1] += len(starts)
        detail = ", ".join(f"{k}: {a} articles / {s} sentences" for k, (a, s) in sorted(splits.items()))
        print(f"{kind}: {n_a} articles, {n_s} sentences ({detail}) -- sha256 ok")
        total_a += n_a
        total_s += n_s
    print(f"total: {total_a} articles, {total_s} sentences")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func in (("candidates", cmd_candidates), ("build", cmd_build), ("check", cmd_check)):
        sub.add_parser(name).set_defaults(func=func)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
