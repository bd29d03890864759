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


def imported_modules(args: list[str]) -> set[str]:
    """Modules a fresh `python -X importtime -m evidence_miner ARGS` imports."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "evidence_miner", *args], check=False,
                            capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return set(IMPORTED.findall(result.stderr))


@pytest.mark.parametrize("args", [["--version"], *all_help_args()], ids=" ".join)
def test_startup_imports_no_heavy_package(args: list[str]) -> None:
    heavy = sorted({name.split(".")[0] for name in imported_modules(args)} & set(HEAVY))
    assert not heavy, f"`evidence-miner {' '.join(args)}` imports {heavy}: import them inside the function that uses them"


@pytest.mark.parametrize("args", [["--help"], ["--version"]], ids=" ".join)
def test_top_level_imports_no_command_module(args: list[str]) -> None:
    commands = {name for name in imported_modules(args) if name.startswith("evidence_miner.cli.")}
    assert commands <= {"evidence_miner.cli.main", "evidence_miner.cli.common"}, sorted(commands)


def test_listed_summaries_match_each_command_help() -> None:
    """`evidence-miner --help` lists COMMANDS' summaries without importing the commands: each
    must be the first paragraph of the command's own help."""
    from evidence_miner.cli.main import COMMANDS, load_command

    for name, (_, summary) in COMMANDS.items():
        first_paragraph = load_command(name).help.split("\n\n")[0]
        assert summary.split() == first_paragraph.split(), f"COMMANDS[{name!r}] differs from its help"


def test_mistyped_command_gets_suggestions() -> None:
    from typer.testing import CliRunner

    from evidence_miner.cli.main import app

    result = CliRunner().invoke(app, ["extrct"])
    assert result.exit_code == 2 and "Did you mean 'extract'" in result.output


def test_main_freezes_the_collector_as_the_program_ends(monkeypatch, capsys) -> None:
    """The program's exit skips the shutdown collections over spaCy's objects (gc.freeze); the
    exit code is the command's."""
    import gc

    from evidence_miner.cli.main import main

    monkeypatch.setattr(sys, "argv", ["evidence-miner", "--version"])
    frozen = gc.get_freeze_count()
    try:
        with pytest.raises(SystemExit) as exit_info:
            main()
        assert exit_info.value.code in (0, None)
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
    assert "evidence-miner" in capsys.readouterr().out
