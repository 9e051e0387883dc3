"""Run one function over many items in worker processes, results in the items' order."""
from __future__ import annotations

import functools
import gc
import multiprocessing
import multiprocessing.pool
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items, starting workers costs more than it can save. Once they are
# running (an earlier pass of the run started them), two items are enough.
MIN_ITEMS_FOR_WORKERS = 16
# Items go to workers in chunks of up to this many, the costliest first, so that no
# worker is left with a slow one (a big file to parse) while the others are done; sending
# each item alone would cost a tenth of a millisecond of pickling and signalling per file.
_CHUNK = 32


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def uses_workers(items: int, jobs: int) -> bool:
    """Whether `map_in_order` runs this many items in worker processes."""
    return jobs > 1 and items >= MIN_ITEMS_FOR_WORKERS


def map_in_order(function: Callable[[Item], Result], items: Iterable[Item], jobs: int,
                 cost: Callable[[Item], float] | None = None) -> Iterator[Result]:
    """`map(function, items)`, in `jobs` worker processes when that pays, items with the
    highest `cost` first. `function` must be picklable (a module-level function, or a
    `functools.partial` of one)."""
    with Workers(jobs) as workers:
        results = list(workers.map_in_order(function, items, cost))
    yield from results


class Workers:
    """The worker processes of a run of several passes (`map_in_order` for each): started
    by the first pass with enough items for them, and kept for the next, for which
    starting them again would cost more than a few files take. `before_start` runs once,
    before they start (they are forked on Linux, and inherit what it imports)."""

    def __init__(self, jobs: int, before_start: Callable[[], object] | None = None) -> None:
        self.jobs = jobs
        self._before_start = before_start
        self._pool: multiprocessing.pool.Pool | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exception: object) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None

    def will_use_workers(self, items: int) -> bool:
        if self._pool is not None:
            return items >= 2
        return uses_workers(items, self.jobs)

    def map_in_order(self, function: Callable[[Item], Result], items: Iterable[Item],
                     cost: Callable[[Item], float] | None = None) -> Iterator[Result]:
        """As the module-level `map_in_order`, in these workers."""
        items = list(items)
        if not self.will_use_workers(len(items)):
            yield from map(function, items)
            return
        if self._pool is None:
            if self._before_start is not None:
                self._before_start()
            self._pool = _started(min(self.jobs, len(items)))
        order = sorted(range(len(items)), key=lambda index: -cost(items[index])) if cost else range(len(items))
        results: list = [None] * len(items)
        chunk = max(1, min(_CHUNK, len(items) // (4 * self.jobs)))
        work = self._pool.imap_unordered(functools.partial(_indexed, function), [(i, items[i]) for i in order], chunk)
        for index, result in work:
            results[index] = result
        yield from results


def _started(processes: int) -> multiprocessing.pool.Pool:
    """A pool of `processes` workers, whose cyclic garbage collector leaves alone what they
    inherit (the modules imported before: LibCST, the model, the rules). A collection in a
    worker would otherwise scan all of it each time, and write to every object it scans,
    so that the pages forked workers share with this process are copied: a collection runs
    after each file, whose analysis leaves cycles. This process collects as before."""
    gc.freeze()
    try:
        return _context().Pool(processes)
    finally:
        gc.unfreeze()


def _indexed(function: Callable[[Item], Result], pair: tuple[int, Item]) -> tuple[int, Result]:
    index, item = pair
    return index, function(item)


def _context():
    # Forking is the quickest start on Linux, and workers inherit what is already imported
    # (and any patching a test did); elsewhere, the platform's default.
    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()
