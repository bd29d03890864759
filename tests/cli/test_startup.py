"""An instant CLI: --help, --version and every command's --help import no heavy package."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

SRC = Path(__file__).resolve().parents[2] / "src"
HEAVY = ("spacy", "scispacy", "thinc", "sqlalchemy", "alembic", "dask", "distributed", "pandas", "pyarrow",
         "trafilatura", "datasette", "numpy")  # fmt: skip
IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*([\w.]+)\s*$", re.M)


def command_paths(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path of the app's Click tree, groups included."""
    yield path
    if hasattr(command, "list_commands"):
        ctx = command.context_class(command, info_name="evidence-miner")
        for name in command.list_commands(ctx):
            yield from command_paths(command.get_command(ctx, name), (*path, name))


def all_help_args() -> list[list[str]]:
    from evidence_miner.cli.main import app

    return [[*path, "--help"] for path in command_paths(typer.main.get_command(app))]


def imported_packages(args: list[str]) -> set[str]:
    """Top-level packages a fresh `python -X importtime -m evidence_miner ARGS` imports."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "evidence_miner", *args], check=False,
                            capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return {name.split(".")[0] for name in IMPORTED.findall(result.stderr)}


@pytest.mark.parametrize("args", [["--version"], *all_help_args()], ids=" ".join)
def test_startup_imports_no_heavy_package(args: list[str]) -> None:
    heavy = sorted(imported_packages(args) & set(HEAVY))
    assert not heavy, f"`evidence-miner {' '.join(args)}` imports {heavy}: import them inside the function that uses them"
