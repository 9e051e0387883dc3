"""Run one function over many items in worker processes, results in the items' order."""
from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items, starting workers costs more than it can save.
MIN_ITEMS_FOR_WORKERS = 16
# Items go to workers in chunks, several per worker so that a slow chunk (one big
# file to parse among many the prefilter drops) does not leave the other workers idle.
_CHUNKS_PER_WORKER = 8
_MAX_CHUNK = 64


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_in_order(function: Callable[[Item], Result], items: Iterable[Item], jobs: int) -> Iterator[Result]:
    """`map(function, items)`, in `jobs` worker processes when that pays. `function` must
    be picklable (a module-level function, or a `functools.partial` of one)."""
    items = list(items)
    if jobs <= 1 or len(items) < MIN_ITEMS_FOR_WORKERS:
        yield from map(function, items)
        return
    workers = min(jobs, len(items))
    chunk = max(1, min(_MAX_CHUNK, len(items) // (workers * _CHUNKS_PER_WORKER)))
    with _context().Pool(workers) as pool:
        yield from pool.imap(function, items, chunk)


def _context():
    # Forking is the quickest start on Linux, and workers inherit what is already imported
    # (and any patching a test did); elsewhere, the platform's default.
    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()
