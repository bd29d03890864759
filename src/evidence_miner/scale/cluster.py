"""Open a Dask client: a local cluster of worker processes, or an existing scheduler."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from distributed import Client, LocalCluster

from evidence_miner.errors import ScaleError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = "20s"


def count_cores() -> int:
    """Cores this process may use (the affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


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
def start_local(workers: int) -> Iterator[Client]:
    try:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, memory_limit=0)
    except (OSError, TimeoutError, RuntimeError) as exc:
        raise ScaleError(
            f"[EM804] Cannot start a local Dask cluster of {workers} workers: {exc}. "
            "Try fewer --workers, or --workers 1 to run in this process."
        ) from exc
    with cluster, Client(cluster) as client:
        yield client
