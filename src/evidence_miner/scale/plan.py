"""Choose where a batch runs: in this process, or on a local Dask cluster when that pays."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import TypeVar

from evidence_miner.records import Page

log = logging.getLogger(__name__)
T = TypeVar("T")

# Below this many documents a batch left at all cores stays in this process: starting the
# workers and building a pipeline in each costs more than sharing the documents saves. The
# break-even measured on 2 cores was 70 to 100 documents (benchmarks/break_even.py, results in
# benchmarks/results/break_even.md); twice that, so that the cluster is never the slower choice.
BREAK_EVEN_DOCUMENTS = 200
# The shortest look at how busy the machine is before workers are started.
MIN_SAMPLE_SECONDS = 0.25


@dataclass(frozen=True)
class CpuSample:
    """Seconds, at one moment: wall clock, CPU time of the machine at normal or higher priority
    (niced background jobs yield to new work, so they do not count), CPU time of this process."""

    wall: float
    busy: float
    own: float


def sample_cpu() -> CpuSample:
    import psutil

    times = psutil.cpu_times()
    busy = sum(getattr(times, name, 0.0) for name in ("user", "system", "irq", "softirq", "steal"))
    own = os.times()
    return CpuSample(wall=time.monotonic(), busy=busy, own=own.user + own.system)


def count_idle_cores(before: CpuSample, after: CpuSample, cores: int) -> float:
    """Cores that other processes left idle between two samples (this process's own work is
    not counted as busy)."""
    wall = after.wall - before.wall
    if wall <= 0:
        return float(cores)
    others = max(0.0, (after.busy - before.busy) - (after.own - before.own)) / wall
    return max(0.0, cores - others)


def count_cores() -> int:
    """Cores this process may use (its affinity mask where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def choose_workers(
    items: Iterable[T],
    *,
    workers: int | None,
    cores: int | None = None,
    sample: Callable[[], CpuSample] = sample_cpu,
) -> tuple[int, Iterator[T]]:
    """Worker processes for a batch (1: this process, without Dask) and its items, all of them
    in order. A number asked for (--workers N) is kept. Left at all cores, the items are read
    ahead up to the break-even: fewer documents than that run in this process, whether they come
    from files, JSONL lines or WARC records (failed and skipped inputs do not count). A larger
    batch gets one worker per core that other processes leave idle, if that makes two or more."""
    if workers is not None:
        return max(1, workers), iter(items)
    cores = cores or count_cores()
    if cores == 1:
        return 1, iter(items)
    before = sample()
    ahead, rest = read_ahead(items, BREAK_EVEN_DOCUMENTS)
    if count_pages(ahead) < BREAK_EVEN_DOCUMENTS:
        return 1, chain(ahead, rest)
    idle = count_idle_cores(before, sample_after(before, sample), cores)
    chosen = min(cores, int(idle + 0.5))
    where = f"{chosen} Dask workers" if chosen > 1 else "this process"
    log.info("%.1f of %d cores idle: %s", idle, cores, where, extra={"stage": "scale"})
    return (chosen if chosen > 1 else 1), chain(ahead, rest)


def sample_after(before: CpuSample, sample: Callable[[], CpuSample]) -> CpuSample:
    """A second sample at least MIN_SAMPLE_SECONDS after `before`."""
    after = sample()
    if after.wall - before.wall < MIN_SAMPLE_SECONDS:
        time.sleep(MIN_SAMPLE_SECONDS - (after.wall - before.wall))
        after = sample()
    return after


def read_ahead(items: Iterable[T], pages: int) -> tuple[list[T], Iterator[T]]:
    """The items up to and including the `pages`-th Page (or all of them), and the rest."""
    iterator, ahead, seen = iter(items), [], 0
    for item in iterator:
        ahead.append(item)
        seen += isinstance(item, Page)
        if seen >= pages:
            break
    return ahead, iterator


def count_pages(items: list) -> int:
    return sum(isinstance(item, Page) for item in items)
