"""Where "auto" finds the shipped models (models/em_ner_bc5cdr, models/em_textcat_study): in the
installed package (a wheel carries them, setup.py copies them there) or in the checkout's
models/ (editable installs, PYTHONPATH=src); a missing one is a warning, once, never silent."""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from evidence_miner.extract.pipeline import NER_MODEL_NAME, STUDY_MODEL_NAME, find_model

REPO = Path(__file__).resolve().parents[2]
SHIPPED = [NER_MODEL_NAME, STUDY_MODEL_NAME]


def load_setup_script() -> ModuleType:
    """setup.py as a module: its build hook without running setup()."""
    spec = importlib.util.spec_from_file_location("evidence_miner_setup", REPO / "setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package as a wheel installs it (site/evidence_miner): src/evidence_miner plus what
    setup.py's build hook adds."""
    package = tmp_path_factory.mktemp("site") / "evidence_miner"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO / "src" / "evidence_miner", package, ignore=ignore)
    load_setup_script().copy_models(REPO / "models", package)
    return package


def model_files(folder: Path) -> list[str]:
    return sorted(str(f.relative_to(folder)) for f in folder.rglob("*") if f.is_file())


def test_copy_models_puts_every_model_file_in_the_package(installed: Path) -> None:
    for name in SHIPPED:
        assert model_files(installed / "models" / name) == model_files(REPO / "models" / name)


def test_find_model_auto_finds_the_models_shipped_in_an_installed_package(
    installed: Path, tmp_path: Path
) -> None:
    code = (
        "from evidence_miner.extract.pipeline import find_model\n"
        f"for name in {SHIPPED!r}: print(find_model('auto', name))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(installed.parent)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=tmp_path, env=env)
    assert out.stdout.split() == [str(installed / "models" / name) for name in SHIPPED]
    assert "EM450" not in out.stderr


def test_find_model_auto_finds_the_checkout_models_from_a_source_tree() -> None:
    for name in SHIPPED:
        assert find_model("auto", name) == REPO / "models" / name


def test_find_model_auto_warns_once_when_a_shipped_model_is_missing(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="evidence_miner.extract.pipeline"):
        assert find_model("auto", "em_no_such_model") is None
        assert find_model("auto", "em_no_such_model") is None
    [record] = [r for r in caplog.records if "em_no_such_model" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert "[EM450]" in record.getMessage() and "records differ" in record.getMessage()


def test_find_model_none_is_silent(caplog) -> None:
    with caplog.at_level(logging.WARNING):
        assert find_model("none", NER_MODEL_NAME) is None
    assert not caplog.records
