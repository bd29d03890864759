"""Open a Dask client: a local cluster of worker processes, or an existing scheduler."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from distributed import Client, LocalCluster
from distributed.diagnostics.plugin import WorkerPlugin

from evidence_miner.errors import ScaleError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = "20s"
SILENT = logging.CRITICAL + 1  # above every level: no line passes


class WorkerLogging(WorkerPlugin):
    """Worker processes of a local cluster share this process's stderr: they log as it does
    (same level, format and filters), and Dask's own lines show only at INFO (--verbose)."""

    name = "evidence-miner-logging"

    def __init__(self, root: logging.Logger) -> None:
        handler = root.handlers[0] if root.handlers else logging.StreamHandler(sys.stderr)
        self.level, self.formatter, self.filters = (
            root.level,
            handler.formatter,
            list(handler.filters),
        )

    def setup(self, worker: object) -> None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(self.formatter)
        for kept in self.filters:
            handler.addFilter(kept)
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(self.level)


def to_dask_level(root: logging.Logger) -> int:
    """The level of Dask's lines in worker processes: INFO when this process logs INFO
    (--verbose), otherwise none."""
    return logging.INFO if root.getEffectiveLevel() <= logging.INFO else SILENT


@contextmanager
def open_client(*, workers: int, scheduler: str | None = None) -> Iterator[Client]:
    """A client of `scheduler` (tcp://HOST:PORT) or of a new local cluster with `workers`
    single-threaded worker processes; the cluster is closed on exit."""
    with ExitStack() as stack:
        client = stack.enter_context(connect(scheduler) if scheduler else start_local(workers))
        log.info("Dask client ready: %s", client.dashboard_link, extra={"stage": "scale"})
        yield client


def connect(scheduler: str) -> Client:
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ScaleError(
            f"[EM805] Cannot reach the Dask scheduler {scheduler!r}: {exc}. Check the address "
            "(tcp://HOST:PORT) and that `dask scheduler` runs there."
        ) from exc


@contextmanager
def sigint_ignored() -> Iterator[None]:
    """SIGINT ignored while worker processes start, so they inherit that (an ignored signal
    stays ignored across exec): a Ctrl-C in a terminal, sent to the whole process group, then
    interrupts only this process, which stores what is done and closes the cluster, instead
    of killing the workers mid-batch (their tracebacks, and their pages marked failed)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def start_local(workers: int) -> Iterator[Client]:
    root = logging.getLogger()
    try:  # no dashboard; the scheduler's HTTP server on any free port, not Dask's 8787
        with sigint_ignored():  # workers inherit it: Ctrl-C stops this process, which closes them
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                scheduler_kwargs={"dashboard_address": ":0"},
                memory_limit=0,
                silence_logs=to_dask_level(root),
            )
    except (OSError, TimeoutError, RuntimeError) as exc:
        raise ScaleError(
            f"[EM804] Cannot start a local Dask cluster of {workers} workers: {exc}. "
            "Try fewer --workers, or --workers 1 to run in this process."
        ) from exc
    with cluster, Client(cluster) as client:
        client.register_plugin(WorkerLogging(root))
        yield client
