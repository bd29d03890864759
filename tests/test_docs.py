"""The reference docs stay true: every command, error code and setting is documented."""

from __future__ import annotations

import importlib.util
import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import typer

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
SRC = REPO / "src" / "evidence_miner"
PROG = "evidence-miner"
CODE_RE = re.compile(r"\bEM\d{3}\b")
REGENERATE = "run: .venv/bin/python scripts/gen_cli_docs.py"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_cli_docs", REPO / "scripts" / "gen_cli_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def command_paths(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every visible command path of the app's Click tree (walked here, not by the generator)."""
    yield path
    if hasattr(command, "list_commands"):
        ctx = command.context_class(command, info_name=PROG)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from command_paths(sub, (*path, name))


def source_codes() -> dict[str, list[str]]:
    """Every EMxxx code written in the package source ("[EM104] ..." messages and bare "EM305"
    codes handed to store.failures.raise_store_errors), with where it occurs."""
    found: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            for code in CODE_RE.findall(line):
                found.setdefault(code, []).append(f"{path.relative_to(REPO)}:{number}")
    return found


def flatten_keys(table: dict[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from flatten_keys(value, f"{name}.")
        else:
            yield name


def test_cli_doc_matches_current_help(capsys: pytest.CaptureFixture[str]) -> None:
    status = load_generator().main(["--check"])
    assert status == 0, f"docs/cli.md does not match the current --help; {REGENERATE}\n{capsys.readouterr().err}"


def test_cli_doc_has_heading_per_command() -> None:
    from evidence_miner.cli.main import app

    headings = set(re.findall(r"^#+ (.+?)\s*$", (DOCS / "cli.md").read_text("utf-8"), re.M))
    titles = [" ".join((PROG, *path)) for path in command_paths(typer.main.get_command(app))]
    assert len(titles) > 1
    missing = [title for title in titles if title not in headings]
    assert not missing, f"commands without a heading in docs/cli.md: {missing}; {REGENERATE}"


def test_errors_doc_lists_every_code() -> None:
    documented = set(CODE_RE.findall((DOCS / "errors.md").read_text("utf-8")))
    missing = {code: where for code, where in source_codes().items() if code not in documented}
    assert not missing, f"error codes raised in src/ but not in docs/errors.md: {missing}"


def test_errors_doc_lists_no_unknown_code() -> None:
    documented = set(CODE_RE.findall((DOCS / "errors.md").read_text("utf-8")))
    retired = sorted(documented - set(source_codes()))
    assert not retired, f"docs/errors.md documents codes that src/ no longer has: {retired}"


def test_settings_doc_lists_every_key() -> None:
    defaults = tomllib.loads((SRC / "default.toml").read_text("utf-8"))
    text = (DOCS / "settings.md").read_text("utf-8")
    missing = [key for key in flatten_keys(defaults) if f"`{key}`" not in text]
    assert not missing, f"settings in default.toml but not in docs/settings.md: {missing}"


def record_field_names(model: type, seen: set[type] | None = None) -> set[str]:
    """Field names of a record model and of every model nested in it."""
    from pydantic import BaseModel

    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    names = set(model.model_fields)
    for field in model.model_fields.values():
        for kind in re.findall(r"\w+", str(field.annotation)):
            nested = getattr(importlib.import_module("evidence_miner.records"), kind, None)
            if isinstance(nested, type) and issubclass(nested, BaseModel):
                names |= record_field_names(nested, seen)
    return names


def test_record_doc_lists_every_field() -> None:
    from evidence_miner.records import EvidenceRecord

    text = (DOCS / "evidence-record.md").read_text("utf-8")
    missing = sorted(name for name in record_field_names(EvidenceRecord) if f"`{name}`" not in text)
    assert not missing, f"record fields not in docs/evidence-record.md: {missing}"


def test_architecture_doc_lists_every_component_and_attribute() -> None:
    from evidence_miner.extract.extensions import DOC_EXTENSIONS, SPAN_EXTENSIONS

    config = (SRC / "extract" / "default.cfg").read_text("utf-8")
    pipeline = json.loads(re.search(r"^pipeline = (\[.*\])$", config, re.M).group(1))
    text = (DOCS / "architecture.md").read_text("utf-8")
    names = [*pipeline, *SPAN_EXTENSIONS, *DOC_EXTENSIONS]
    missing = [name for name in names if f"`{name}`" not in text and f"_.{name}`" not in text]
    assert not missing, f"pipeline components or extension attributes not in docs/architecture.md: {missing}"


def test_readme_record_example_starts_as_a_records_line_does() -> None:
    """records.jsonl lines start with record_id and source (records.to_json_line); the README's
    example record shows them in that order."""
    from evidence_miner.records import LEADING_KEYS

    readme = (REPO / "README.md").read_text("utf-8")
    example = readme.split("## An evidence record", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    keys = re.findall(r'^  "(\w+)":', example, re.M)
    assert tuple(keys[: len(LEADING_KEYS)]) == LEADING_KEYS, keys


def test_errors_doc_states_the_import_limits_the_reader_uses() -> None:
    """EM340's row gives the numbers cli/import_reader.py uses (lines before a file is left, lines
    shown per code)."""
    from evidence_miner.cli.import_reader import SHOWN_PER_CODE, WRONG_FILE_LINES

    row = next(line for line in (DOCS / "errors.md").read_text("utf-8").splitlines() if line.startswith("| EM340 |"))
    assert f"first {WRONG_FILE_LINES} lines" in row and f"{SHOWN_PER_CODE} are shown" in row
