"""Write a benchmark's table into README.md between its start and end markers."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def write_readme_block(start: str, end: str, body: str, *, insert_before: str | None = None) -> None:
    """Replace the text between `start` and `end`; where the markers are missing, insert the block
    before `insert_before`, and without that, stop with an error naming the markers."""
    text = README.read_text("utf-8")
    block = f"{start}\n{body}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    elif insert_before is not None and insert_before in text:
        text = text.replace(insert_before, block + "\n" + insert_before, 1)
    else:
        raise SystemExit(f"README.md has no {start} ... {end} block")
    README.write_text(text, "utf-8")
