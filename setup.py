"""Packaging hook: the wheel carries the trained models of models/ inside the package, as
evidence_miner/models/NAME, so that `pip install .` extracts the same records as a checkout.
models/ stays the one source (nothing is copied into src/); everything else is in pyproject.toml.
Editable installs skip the copy: find_model() reads the checkout's models/ there."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

MODELS = Path(__file__).resolve().parent / "models"


def copy_models(models: Path, package: Path) -> list[Path]:
    """Copy each model folder of `models` (one with a config.cfg) to `package`/models; return
    the copied files. No model there is an error: the wheel would extract different records."""
    names = sorted(p.name for p in models.glob("*") if (p / "config.cfg").is_file())
    if not names:
        raise SystemExit(
            f"No model in {models} (a folder with a config.cfg). Build the wheel from a "
            "checkout or an sdist that has models/ (MANIFEST.in grafts it)."
        )
    target = package / "models"
    shutil.rmtree(target, ignore_errors=True)  # no stale files from an earlier build
    ignore = shutil.ignore_patterns(".*", "__pycache__")
    for name in names:
        shutil.copytree(models / name, target / name, ignore=ignore)
    return sorted(f for f in target.rglob("*") if f.is_file())


class BuildPyWithModels(build_py):
    """build_py, then the models into build/lib/evidence_miner/models."""

    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):
            copy_models(MODELS, Path(self.build_lib) / "evidence_miner")


if __name__ == "__main__":  # setuptools runs this file as __main__; tests import copy_models
    setup(cmdclass={"build_py": BuildPyWithModels})
