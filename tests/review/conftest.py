"""Fixtures for the reviewer's view: the seed article's store, and `browse` serving it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import evidence_miner

SRC = Path(evidence_miner.__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory: pytest.TempPathFactory, seed_dir: Path, nlp) -> Path:
    """A store holding the seed article (ivig-sjogren) and its record, as `run` writes them."""
    from evidence_miner.settings import load_settings
    from evidence_miner.store import open_store
    from evidence_miner.workflow import PIPELINE_VERSION, process_paths

    path = tmp_path_factory.mktemp("review") / "seed.db"
    (result,) = process_paths([seed_dir / "ivig-sjogren.txt"], load_settings(), nlp=nlp)
    assert result.article is not None and result.records, result.error
    with open_store(str(path)) as store:
        store.save_article(result.article, result.records, pipeline_version=PIPELINE_VERSION)
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_browse(db: Path, port: int, *, env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> subprocess.Popen:
    """`evidence-miner browse` of this checkout (src/ first on the path), in a subprocess."""
    path = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "evidence_miner", "browse", "--db", str(db), "--port", str(port), *args]
    return subprocess.Popen(command, cwd=db.parent, env={**os.environ, "PYTHONPATH": path, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip


def wait_for(url: str, server: subprocess.Popen, deadline: float) -> str:
    """The page at `url` once the server answers; fails if the server exits or time runs out."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError) as exc:
            if server.poll() is not None:
                raise AssertionError(f"browse exited: {server.communicate()[1]}") from exc
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def stop(server: subprocess.Popen) -> str:
    server.terminate()
    return server.communicate(timeout=30)[1]


@pytest.fixture(scope="session")
def review_url(seed_db: Path) -> Iterator[str]:
    """The seed store's database page, served by `browse` on a free loopback port."""
    port = free_port()
    server = start_browse(seed_db, port)
    url = f"http://127.0.0.1:{port}/{seed_db.stem}"
    try:
        wait_for(url, server, time.monotonic() + 60)
        yield url
    finally:
        stop(server)
