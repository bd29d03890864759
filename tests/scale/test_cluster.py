"""Dask: `extract --workers 2` on a local cluster and `--scheduler` on a running one give the
records one process gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS_TEXTS = sorted((REPO / "corpus").rglob("*.txt"))[:12]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("evidence-miner")
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([str(exe), *args], check=False, cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


def write_dump(path: Path) -> None:
    lines = [json.dumps({"url": f"https://dump.test/{p.stem}", "text": p.read_text("utf-8")}) for p in CORPUS_TEXTS]
    path.write_text("\n".join([*lines, "{broken"]) + "\n", "utf-8")


def read_record_ids(path: Path) -> list[str]:
    return sorted(json.loads(line)["record_id"] for line in path.read_text("utf-8").splitlines())


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A JSONL dump and the record ids one process makes of it."""
    root = tmp_path_factory.mktemp("dump")
    write_dump(root / "dump.jsonl")
    result = cli("extract", "dump.jsonl", "--workers", "1", "-o", "one.jsonl", cwd=root)
    assert result.returncode == 0, result.stderr
    return root, read_record_ids(root / "one.jsonl")


@pytest.fixture(scope="module")
def two_workers(dump: tuple[Path, list[str]]) -> subprocess.CompletedProcess:
    """`extract --workers 2` of the dump, run once for the tests below."""
    root, _ = dump
    return cli("extract", "dump.jsonl", "--workers", "2", "--db", "two.db", "-o", "two.jsonl", cwd=root)


@pytest.mark.slow
def test_extract_workers_2_matches_one_process(dump: tuple[Path, list[str]], two_workers: subprocess.CompletedProcess) -> None:
    root, expected = dump
    assert two_workers.returncode == 0, two_workers.stderr
    assert read_record_ids(root / "two.jsonl") == expected and expected
    assert "EM802" in two_workers.stderr


@pytest.mark.slow
def test_extract_workers_2_prints_no_dask_lines(two_workers: subprocess.CompletedProcess) -> None:
    """Neither the client nor the worker processes print Dask's log lines without --verbose."""
    dask_lines = [line for line in two_workers.stderr.splitlines() if "distributed" in line or "tornado" in line]
    assert not dask_lines, "\n".join(dask_lines[:10])


@pytest.mark.slow
def test_extract_workers_2_verbose_prints_dask_lines(dump: tuple[Path, list[str]]) -> None:
    root, _ = dump
    result = cli("--verbose", "extract", "dump.jsonl", "--workers", "2", "-q", "-o", "verbose.jsonl", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "distributed.scheduler" in result.stderr and "distributed.worker" in result.stderr


@pytest.mark.slow
def test_extract_scheduler_uses_running_cluster(dump: tuple[Path, list[str]]) -> None:
    from distributed import Client, LocalCluster

    root, expected = dump
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        result = cli("extract", "dump.jsonl", "--scheduler", cluster.scheduler_address, "-o", "sched.jsonl", cwd=root)
        worker_count = len(client.scheduler_info()["workers"])
    assert result.returncode == 0, result.stderr
    assert worker_count == 2 and read_record_ids(root / "sched.jsonl") == expected


def test_extract_scheduler_unreachable_exits_3(tmp_path: Path) -> None:
    write_dump(tmp_path / "dump.jsonl")
    result = cli("extract", "dump.jsonl", "--scheduler", "tcp://127.0.0.1:9", "-q", cwd=tmp_path)
    assert result.returncode == 3 and "EM805" in result.stderr
