"""The house style over src/: the formatter leaves every file as it is, no line passes the
100-character limit, and the formatter is switched off only around data tables."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"


def ruff(*args: str) -> subprocess.CompletedProcess:
    pytest.importorskip("ruff", reason="ruff comes with the test extra: pip install -e '.[test]'")
    command = [sys.executable, "-m", "ruff", *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)


def test_formatter_leaves_src_unchanged() -> None:
    result = ruff("format", "--check", str(SRC))
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_line_in_src_passes_the_limit() -> None:
    result = ruff("check", "--select", "E501", "--output-format", "concise", str(SRC))
    assert result.returncode == 0, result.stdout + result.stderr


def is_data_table_close(line: str) -> bool:
    """`)  # fmt: skip` at the left margin: the end of a module-level table kept as written."""
    return re.fullmatch(r"[\]\)\}]\s*# fmt: skip", line) is not None


def test_formatter_is_off_only_around_data_tables() -> None:
    stray = []
    for path in sorted(SRC.rglob("*.py")):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if "# fmt: skip" in line and not is_data_table_close(line):
                stray.append(f"{path.relative_to(REPO)}:{number}")
            if line.strip() == "# fmt: off" and line != "# fmt: off":
                stray.append(f"{path.relative_to(REPO)}:{number} (fmt: off inside code)")
    assert stray == []


def test_data_table_check_tells_tables_from_code() -> None:
    assert is_data_table_close(")  # fmt: skip")
    assert not is_data_table_close("    x = f(a, b)  # fmt: skip")
    assert not is_data_table_close("    )  # fmt: skip")
