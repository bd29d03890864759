"""Check that a wheel install extracts the same records as the editable install (issue 15).

Usage:
    .venv/bin/python scripts/check_wheel_install.py                    # what .ci/run calls
    .venv/bin/python scripts/check_wheel_install.py --deps-from-index  # dependencies from PyPI too
    .venv/bin/python scripts/check_wheel_install.py --keep             # keep the temporary folder

Builds a wheel (`pip wheel --no-deps`, build isolation, from a clean copy of the checkout so that
no stale build/ leaks in) and installs it with `pip install --no-deps` into a fresh venv in a
temporary folder outside the checkout. The venv gets its dependencies from this (editable)
environment: a folder of symlinks to its installed packages, minus evidence-miner's own
dist-info and editable hook, read after the venv's own site-packages; so both runs use the very
same dependency versions, and setting up takes seconds instead of minutes. With
--deps-from-index the dependencies are installed from the package index instead, pinned to this
environment's versions (`pip freeze --exclude-editable` as constraints; about 2-3 minutes more).
Either way evidence-miner comes only from the wheel: the script checks that the venv imports it
and reads its metadata from its own site-packages, and that "auto" finds both shipped models
inside that package.

Then `evidence-miner extract corpus/ SEED --workers 1` runs twice, each from its own empty working
directory outside the checkout, with no EVIDENCE_MINER_* variables: once with this interpreter on
the checkout's src/ (the editable install; it runs while the wheel builds), once with the venv's
`evidence-miner` script. The two JSONL files must be byte-identical, and neither run may warn
EM450 (a missing model). No field names the install path: `source.url` is the input file's URL,
and both runs read the same absolute input paths.
Exit 0 when identical, 1 when the records differ or a check fails; timings go to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "corpus" / "seed" / "ivig-sjogren.txt"
MODELS = ["em_ner_bc5cdr", "em_textcat_study"]
# Not copied for the build: at the top of the checkout, and anywhere.
NOT_SOURCE_TOP = {".git", ".venv", "build", "dist", "training", ".cache", "records.jsonl"}
NOT_SOURCE = shutil.ignore_patterns("__pycache__", "*.egg-info", ".pytest_cache", ".hypothesis",
                                    "evidence.db*")
SITE_PACKAGES = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
PROBE = """\
import importlib.metadata, sys, evidence_miner
from evidence_miner.extract.pipeline import find_model
print(importlib.metadata.distribution("evidence-miner").locate_file(""))
print(evidence_miner.__file__)
for name in sys.argv[1:]:
    print(find_model("auto", name))
"""


@contextmanager
def timed(label: str) -> Iterator[None]:
    start = time.monotonic()
    yield
    print(f"{label}: {time.monotonic() - start:.1f} s", file=sys.stderr)


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without EVIDENCE_MINER_* settings and PYTHONPATH, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_MINER_")}
    env.pop("PYTHONPATH", None)
    return {**env, **extra}


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, text=True, **kwargs)


def ignore_not_source(directory: str, names: list[str]) -> set[str]:
    top = NOT_SOURCE_TOP if Path(directory) == REPO else set()
    return set(NOT_SOURCE(directory, names)) | (top & set(names))


def build_wheel(tmp: Path) -> Path:
    """The wheel of a clean copy of the checkout (sources, models/, corpus/ as committed)."""
    source = tmp / "source"
    shutil.copytree(REPO, source, ignore=ignore_not_source)
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(source),
         "-w", str(tmp / "dist")], cwd=tmp)
    [wheel] = (tmp / "dist").glob("evidence_miner-*.whl")
    return wheel


def install_wheel(tmp: Path, wheel: Path, *, deps_from_index: bool) -> Path:
    """A fresh venv with the wheel (pip --python: the venv needs no pip of its own) and the
    dependencies: installed from the index, pinned like this environment, or this environment's
    own installed packages (see link_dependencies)."""
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
           "--quiet", "--no-compile"]
    if deps_from_index:
        constraints = tmp / "constraints.txt"
        frozen = run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
                     capture_output=True)
        constraints.write_text(frozen.stdout, "utf-8")
        run([*pip, "-c", str(constraints), str(wheel)], cwd=tmp)
    else:
        run([*pip, "--no-deps", str(wheel)], cwd=tmp)
        link_dependencies(tmp / "dependencies", venv)
    return venv


def link_dependencies(view: Path, venv: Path) -> None:
    """This environment's installed packages except evidence-miner (its dist-info, editable .pth
    and finder) as a folder of symlinks, read by the venv after its own site-packages (one .pth
    line; .pth files inside the folder are not run, so no editable path comes in)."""
    view.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if "evidence_miner" not in entry.name.replace("-", "_").lower() and entry.suffix != ".pth":
            (view / entry.name).symlink_to(entry)
    site = run([str(venv / "bin" / "python"), "-c", SITE_PACKAGES], capture_output=True)
    (Path(site.stdout.strip()) / "zz_evidence_miner_check_dependencies.pth").write_text(f"{view}\n")


def check_models_in_package(venv: Path, workdir: Path) -> list[str]:
    """Problems, if any: evidence_miner must come from the venv, its models from the package."""
    out = run([str(venv / "bin" / "python"), "-c", PROBE, *MODELS], cwd=workdir,
              env=clean_env(), capture_output=True).stdout.split()
    metadata, package = Path(out[0]), Path(out[1]).parent
    problems = [f"{what} from {where}" for what, where in
                [("evidence-miner's metadata", metadata), ("evidence_miner imported", package)]
                if not where.is_relative_to(venv)]
    for name, found in zip(MODELS, out[2:]):
        if found != str(package / "models" / name):
            problems.append(f"find_model('auto', {name!r}) gave {found}, not the package's copy")
    return problems


def start_extract(program: list[str], inputs: list[Path], tmp: Path, label: str,
                  env: dict[str, str]) -> subprocess.Popen:
    """`evidence-miner extract` in the background, from an empty working directory `tmp`/LABEL,
    into `tmp`/LABEL.jsonl; its stderr (warnings such as EM450, the summary) into LABEL.err."""
    workdir = tmp / f"work-{label}"
    workdir.mkdir()
    cmd = [*program, "extract", *map(str, inputs),
           "-o", str(tmp / f"{label}.jsonl"), "--workers", "1"]
    with open(tmp / f"{label}.err", "w", encoding="utf-8") as err:
        return subprocess.Popen(cmd, cwd=workdir, env=env, stdout=err, stderr=subprocess.STDOUT)


def finish_extract(process: subprocess.Popen, tmp: Path, label: str) -> list[str]:
    """Problems of a finished extract run: a failure, or an EM450 warning (a missing model)."""
    log = (tmp / f"{label}.err").read_text("utf-8")
    if process.wait() != 0:
        return [f"the {label} install's extract failed ({process.returncode}):\n{log}"]
    return [f"the {label} install warned about a missing model:\n{log}"] if "EM450" in log else []


def describe_difference(editable: Path, wheel: Path) -> str:
    """The first record that differs and the top-level fields that differ in it."""
    left, right = editable.read_text("utf-8").splitlines(), wheel.read_text("utf-8").splitlines()
    if len(left) != len(right):
        return f"{len(left)} records from the editable install, {len(right)} from the wheel"
    for number, (a, b) in enumerate(zip(left, right), start=1):
        if a != b:
            ra, rb = json.loads(a), json.loads(b)
            fields = sorted(k for k in ra.keys() | rb.keys() if ra.get(k) != rb.get(k))
            return f"line {number} ({ra.get('source', {}).get('url')}) differs in {fields}"
    return "the files differ in bytes only (line endings?)"


def check(tmp: Path, *, deps_from_index: bool) -> list[str]:
    inputs = [REPO / "corpus"] + ([SEED] if SEED.is_file() else [])
    if not SEED.is_file():
        print(f"note: {SEED} is missing; comparing corpus/ only", file=sys.stderr)
    editable_env = clean_env(PYTHONPATH=str(REPO / "src"))  # the checkout's code, as -e installs it
    editable = start_extract([sys.executable, "-m", "evidence_miner"], inputs, tmp, "editable",
                             editable_env)
    with timed("build the wheel"):
        wheel = build_wheel(tmp)
    with timed("create a venv and install the wheel"):
        venv = install_wheel(tmp, wheel, deps_from_index=deps_from_index)
    (tmp / "work-probe").mkdir()
    problems = check_models_in_package(venv, tmp / "work-probe")
    with timed("extract with the wheel install"):
        wheel_run = start_extract([str(venv / "bin" / "evidence-miner")], inputs, tmp, "wheel",
                                  clean_env())
        problems += finish_extract(wheel_run, tmp, "wheel")
    with timed("wait for the editable install's extract"):
        problems += finish_extract(editable, tmp, "editable")
    return problems + compare_records(tmp / "editable.jsonl", tmp / "wheel.jsonl")


def compare_records(editable: Path, wheel: Path) -> list[str]:
    """A problem when both runs wrote records (written only on success) and they differ."""
    if not (editable.is_file() and wheel.is_file()) or editable.read_bytes() == wheel.read_bytes():
        return []
    return ["records differ: " + describe_difference(editable, wheel)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--deps-from-index", action="store_true",
                        help="install the dependencies from the package index (pinned to this "
                             "environment's versions) instead of reusing this environment's")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="em-wheel-check-"))
    try:
        with timed("wheel install check, in all"):
            problems = check(tmp, deps_from_index=args.deps_from_index)
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    if not problems:
        print("wheel install: records byte-identical to the editable install's", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
