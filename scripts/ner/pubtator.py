"""Read BC5CDR PubTator files into plain documents with character-offset mentions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# PubTator entity types -> our (scispacy-compatible) spaCy labels.
LABELS = {"Chemical": "CHEMICAL", "Disease": "DISEASE"}


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    label: str  # CHEMICAL or DISEASE
    composite: bool = False  # "cardiovascular, and respiratory depression": one span, two ids


@dataclass
class PubtatorDoc:
    pmid: str
    text: str  # title + " " + abstract, the text the offsets point into
    mentions: list[Mention] = field(default_factory=list)


def parse_pubtator(text: str) -> list[PubtatorDoc]:
    """Parse a whole PubTator file; relation (CID) lines are skipped."""
    return [parse_block(block) for block in text.strip().split("\n\n") if block.strip()]


def parse_block(block: str) -> PubtatorDoc:
    """Parse one document: `PMID|t|title`, `PMID|a|abstract`, then one line per annotation."""
    lines = block.strip("\n").split("\n")
    pmid, _, title = lines[0].split("|", 2)
    _, _, abstract = lines[1].split("|", 2)
    doc = PubtatorDoc(pmid=pmid, text=f"{title} {abstract}")
    for line in lines[2:]:
        cols = line.split("\t")
        if len(cols) < 5 or cols[1] == "CID":
            continue
        start, end, surface, kind = int(cols[1]), int(cols[2]), cols[3], cols[4]
        if doc.text[start:end] != surface:
            raise ValueError(f"[NER01] PMID {pmid}: offsets {start}-{end} do not give {surface!r}.")
        doc.mentions.append(Mention(start, end, LABELS[kind], composite=len(cols) > 6))
    return doc


def read_pubtator(path: Path, *, max_docs: int | None = None) -> list[PubtatorDoc]:
    """Read a PubTator file, optionally only its first `max_docs` documents."""
    docs = parse_pubtator(path.read_text(encoding="utf-8"))
    return docs[:max_docs] if max_docs else docs
