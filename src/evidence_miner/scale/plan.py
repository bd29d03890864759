"""Choose where a batch runs: in this process, or on a local Dask cluster when that pays."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import TypeVar

from evidence_miner.records import Page

T = TypeVar("T")

# Documents below which a local cluster on all cores is slower than this process: starting the
# workers and building a pipeline in each costs more than sharing the documents saves. Measured
# with benchmarks/break_even.py (2 cores; see docs/architecture.md for the figures).
BREAK_EVEN_DOCUMENTS = 200


def count_cores() -> int:
    """Cores this process may use (its affinity mask where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def choose_workers(items: Iterable[T], *, workers: int | None, cores: int | None = None) -> tuple[int, Iterator[T]]:
    """Worker processes for a batch (1: this process, without Dask) and its items, all of them
    in order. A number asked for (--workers N) is kept. Left at all cores, the items are read
    ahead up to the break-even: fewer documents than that run in this process, whether they come
    from files, JSONL lines or WARC records; failed and skipped inputs do not count."""
    if workers is not None:
        return max(1, workers), iter(items)
    cores = cores or count_cores()
    if cores == 1:
        return 1, iter(items)
    ahead, rest = read_ahead(items, BREAK_EVEN_DOCUMENTS)
    return (cores if count_pages(ahead) >= BREAK_EVEN_DOCUMENTS else 1), chain(ahead, rest)


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
