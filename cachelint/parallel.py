"""Run one function over many items in worker processes, results in the items' order."""
from __future__ import annotations

import collections
import gc
import multiprocessing
import multiprocessing.connection
import multiprocessing.process
import multiprocessing.reduction
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar, cast

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
    before they start (they are forked on Linux, and inherit what it imports).

    Each worker has a pipe of its own (`_run` says what goes through it); this process
    waits on the pipes for the results, and runs no thread for them, unlike
    `multiprocessing.Pool`, whose three threads (sending the chunks, receiving the
    results, watching the workers) took 0.6 s of CPU of a cold run on the benchmark's
    union, and which pickled the function again with each chunk."""

    def __init__(self, jobs: int, before_start: Callable[[], object] | None = None) -> None:
        self.jobs = jobs
        self._before_start = before_start
        self._workers: list[_Worker] | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exception: object) -> None:
        self._stop()

    def will_use_workers(self, items: int) -> bool:
        if self._workers is not None:
            return items >= 2
        return uses_workers(items, self.jobs)

    def map_in_order(self, function: Callable[[Item], Result], items: Iterable[Item],
                     cost: Callable[[Item], float] | None = None) -> Iterator[Result]:
        """As the module-level `map_in_order`, in these workers."""
        items = list(items)
        if not self.will_use_workers(len(items)):
            yield from map(function, items)
            return
        if self._workers is None:
            if self._before_start is not None:
                self._before_start()
            self._workers = _started(min(self.jobs, len(items)))
        order = sorted(range(len(items)), key=lambda index: -cost(items[index])) if cost else range(len(items))
        size = max(1, min(_CHUNK, len(items) // (4 * self.jobs)))
        indexed = [(index, items[index]) for index in order]
        chunks = collections.deque(indexed[start:start + size] for start in range(0, len(indexed), size))
        results: list = [None] * len(items)
        try:
            self._run(function, chunks, results)
        except BaseException:
            self._stop()  # chunks may be left in the pipes: the next pass starts new workers
            raise
        yield from results

    def _run(self, function: Callable[[Item], Result], chunks: collections.deque, results: list) -> None:
        """Each worker is sent the function once, then a chunk at a time, the next when it
        sends back the results of the one before. So a worker always waits for what it is
        sent (neither side can block the other on a full pipe), and a function that holds
        much (the run's settings, with the configuration of every folder: half a megabyte
        on the benchmark's union) is sent twice a pass, not with each of 200 chunks."""
        assert self._workers is not None
        function_message = _pickled(("function", function))
        waiting: list[multiprocessing.connection.Connection] = []
        for worker in self._workers:
            worker.pipe.send_bytes(function_message)
            if chunks:
                worker.pipe.send_bytes(_pickled(("chunk", chunks.popleft())))
                waiting.append(worker.pipe)
        while waiting:
            for ready in multiprocessing.connection.wait(waiting):
                pipe = cast("multiprocessing.connection.Connection", ready)
                try:
                    succeeded, outcome = pipe.recv()
                except EOFError:
                    raise RuntimeError("a worker process ended unexpectedly") from None
                if not succeeded:
                    raise cast(BaseException, outcome)
                for index, result in cast("list[tuple[int, Result]]", outcome):
                    results[index] = result
                if chunks:
                    pipe.send_bytes(_pickled(("chunk", chunks.popleft())))
                else:
                    waiting.remove(pipe)

    def _stop(self) -> None:
        if self._workers is None:
            return
        for worker in self._workers:
            worker.pipe.close()
            worker.process.terminate()
        for worker in self._workers:
            worker.process.join()
        self._workers = None


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    pipe: multiprocessing.connection.Connection  # this process's end


def _started(processes: int) -> list[_Worker]:
    """`processes` workers, whose cyclic garbage collector leaves alone what they inherit
    (the modules imported before: LibCST, the model, the rules). A collection in a worker
    would otherwise scan all of it each time, and write to every object it scans, so that
    the pages forked workers share with this process are copied: a collection runs after
    each file, whose analysis leaves cycles. This process collects as before."""
    context = _context()
    workers = []
    gc.freeze()
    try:
        for _ in range(processes):
            mine, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, mine), daemon=True)
            process.start()
            theirs.close()
            workers.append(_Worker(process, mine))
    finally:
        gc.unfreeze()
    return workers


def _serve(pipe: multiprocessing.connection.Connection, other_end: multiprocessing.connection.Connection) -> None:
    """A worker's loop: the function of a pass, then each chunk's results (or what one
    item raised) sent back."""
    other_end.close()  # the parent's end, inherited by a fork: closed, so that its death is seen
    function: Callable[[Any], Any] | None = None
    while True:
        try:
            kind, content = pickle.loads(pipe.recv_bytes())
        except EOFError:  # the parent closed its end: the run is over
            return
        if kind == "function":
            function = content
            continue
        assert function is not None  # sent first
        outcome: tuple[bool, object]
        try:
            outcome = (True, [(index, function(item)) for index, item in content])
        except Exception as error:  # noqa: BLE001 - raised again in the parent
            outcome = (False, error)
        pipe.send(outcome)


def _pickled(message: object) -> bytes:
    return bytes(multiprocessing.reduction.ForkingPickler.dumps(message))


def _context():
    # Forking is the quickest start on Linux, and workers inherit what is already imported
    # (and any patching a test did); elsewhere, the platform's default.
    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()
