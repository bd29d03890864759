"""Logging set-up: Dask's own lines show only with --verbose; our warnings show by default."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from evidence_miner.cli.common import setup_logging


@pytest.fixture
def dask_logger() -> Iterator[logging.Logger]:
    """A Dask logger at INFO, as importing distributed leaves it; logging restored after."""
    root, dask = logging.getLogger(), logging.getLogger("distributed")
    saved = (root.handlers[:], root.level, dask.level)
    dask.setLevel(logging.INFO)
    yield logging.getLogger("distributed.scheduler")
    root.handlers[:], _, _ = saved
    root.setLevel(saved[1])
    dask.setLevel(saved[2])


@pytest.mark.parametrize("quiet", [False, True])
def test_setup_logging_drops_dask_lines_unless_verbose(dask_logger: logging.Logger, quiet: bool, capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(quiet=quiet)
    dask_logger.info("Scheduler at: tcp://127.0.0.1:1")
    dask_logger.warning("Port 8787 is already in use")
    assert "distributed" not in capsys.readouterr().err


def test_setup_logging_verbose_shows_dask_info(dask_logger: logging.Logger, capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(quiet=False, verbose=True)
    dask_logger.info("Scheduler at: tcp://127.0.0.1:1")
    logging.getLogger("evidence_miner.scale.worker").info("building the pipeline")
    err = capsys.readouterr().err
    assert "INFO distributed.scheduler: Scheduler at" in err and "building the pipeline" in err


def test_setup_logging_default_keeps_own_warnings(dask_logger: logging.Logger, capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(quiet=False)
    logging.getLogger("evidence_miner.workflow").warning("batch of 16 pages failed")
    logging.getLogger("evidence_miner.workflow").info("not shown")
    err = capsys.readouterr().err
    assert "batch of 16 pages failed" in err and "not shown" not in err
