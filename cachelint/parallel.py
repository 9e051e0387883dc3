"""Run one function over many items in worker processes, results in the items' order."""
from __future__ import annotations

import collections
import contextlib
import gc
import itertools
import multiprocessing
import multiprocessing.connection
import multiprocessing.process
import multiprocessing.reduction
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar, cast

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items, starting workers costs more than it can save. Once they are
# running (an earlier pass of the run started them), one item is enough.
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

    Each worker has a pipe of its own (`_hand_out` says what goes through it); this
    process waits on the pipes for the results, and runs no thread for them, unlike
    `multiprocessing.Pool`, whose three threads (sending the chunks, receiving the
    results, watching the workers) took 0.6 s of CPU of a cold run on the benchmark's
    union, and which pickled the function again with each chunk.

    Several threads of this process may map at once (`side_by_side`): their chunks share
    the workers, the oldest map's first. One of the waiting threads at a time, the
    leader, hands the chunks out and takes the answers in, for all of them (`_lead`)."""

    def __init__(self, jobs: int, before_start: Callable[[], object] | None = None) -> None:
        # A daemonic process (a pool's: the language server runs a project's stage in one)
        # may start no process: it runs every item itself.
        self.jobs = 1 if multiprocessing.current_process().daemon else jobs
        self._before_start = before_start
        self._workers: list[_Worker] | None = None
        self._lock = threading.Lock()  # guards what follows, and each job's state
        self._changed = threading.Condition(self._lock)  # a job is done, or the leader left
        self._maps: list[_Map] = []  # those with chunks to hand out or answers to wait for
        self._leading = False
        self._numbers = itertools.count()
        # Rung when a map arrives while a leader waits on busy workers: an idle one should
        # not wait for them. Made with the workers.
        self._bell: tuple[multiprocessing.connection.Connection, multiprocessing.connection.Connection] | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exception: object) -> None:
        self._stop()

    def will_use_workers(self, items: int) -> bool:
        # Once they run, even one item goes to them: this process stays free for another
        # thread's work (`side_by_side`).
        if self._workers is not None:
            return items >= 1
        return uses_workers(items, self.jobs)

    def map_in_order(self, function: Callable[[Item], Result], items: Iterable[Item],
                     cost: Callable[[Item], float] | None = None) -> Iterator[Result]:
        """As the module-level `map_in_order`, in these workers."""
        items = list(items)
        if not self.will_use_workers(len(items)):
            yield from map(function, items)
            return
        with self._lock:
            if self._workers is None:
                if self._before_start is not None:
                    self._before_start()
                self._started(_started(min(self.jobs, len(items))))
        order = sorted(range(len(items)), key=lambda index: -cost(items[index])) if cost else range(len(items))
        size = max(1, min(_CHUNK, len(items) // (4 * self.jobs)))
        indexed = [(index, items[index]) for index in order]
        chunks = collections.deque(indexed[start:start + size] for start in range(0, len(indexed), size))
        job = _Map(next(self._numbers), function, chunks, [None] * len(items))
        self._await(job)
        if job.error is not None:
            raise job.error
        yield from job.results

    def start_now(self) -> None:
        """Start the workers now, before a pass asks for them: for a run that will surely
        lint enough files (a cold run of a folder), so that their start overlaps what this
        process does first (finding the files). The first worker runs `before_start` (it
        imports the linter), then forks the others, which inherit it: this process never
        imports it. On Linux only (elsewhere the workers are not forked); else nothing."""
        if self.jobs < 2 or self._workers is not None or sys.platform != "linux":
            return
        with self._lock:
            self._started(_started_by_the_first(self.jobs, self._before_start))

    def _started(self, workers: list[_Worker]) -> None:
        self._workers = workers
        self._bell = _context().Pipe(duplex=False)

    def side_by_side(self, function: Callable[[Item], Result], items: Iterable[Item],
                     cost: Callable[[Item], float] | None = None) -> list[Result]:
        """`[function(item) for item in items]`; while the workers run, in threads of this
        process, a few items at once, those with the highest `cost` first. For work that
        alternates between this process (a project's serial steps: its model, what to lint
        next) and the workers (`map_in_order`): while one item's thread works here, the
        workers lint another's files, where run one after the other a core would wait.
        The items must not share what they change."""
        items = list(items)
        if self._workers is None or len(items) < 2:
            return [function(item) for item in items]
        order = collections.deque(sorted(range(len(items)), key=lambda index: -cost(items[index]))
                                  if cost else range(len(items)))
        results: list = [None] * len(items)
        errors: list[BaseException] = []
        taking = threading.Lock()

        def run() -> None:
            while True:
                with taking:
                    if not order or errors:
                        return
                    index = order.popleft()
                try:
                    results[index] = function(items[index])
                except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
                    with taking:
                        errors.append(error)
                    return

        threads = [threading.Thread(target=run, daemon=True) for _ in range(min(len(items), self.jobs + 1))]
        # A thread waiting for the GIL to take a worker's answer keeps that worker idle:
        # switch sooner than every 5 ms while several threads run.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(_SWITCH_INTERVAL)
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            sys.setswitchinterval(interval)
        if errors:
            raise errors[0]
        return results

    def _await(self, job: _Map) -> None:
        """Wait until `job` is done, leading while no other thread does."""
        with self._lock:
            self._maps.append(job)
            if self._leading:
                self._ring()
            while not job.done:
                if self._leading:
                    self._changed.wait()
                    continue
                self._leading = True
                self._lock.release()
                try:
                    self._lead(job)
                except BaseException as error:
                    with self._lock:  # chunks may be left in the pipes: the next map starts new workers
                        self._fail_all(error)
                    raise
                finally:
                    self._lock.acquire()
                    self._leading = False
                    self._changed.notify_all()

    def _lead(self, job: _Map) -> None:
        """Hand out chunks and take answers in, for every map, until `job` is done."""
        assert self._workers is not None and self._bell is not None
        workers = {worker.pipe: worker for worker in self._workers}
        bell = self._bell[0]
        while True:
            with self._lock:
                if job.done:
                    return
                self._hand_out()
                busy = [worker.pipe for worker in workers.values() if worker.job is not None]
            for ready in multiprocessing.connection.wait([*busy, bell]):
                pipe = cast("multiprocessing.connection.Connection", ready)
                if pipe is bell:
                    while bell.poll():
                        bell.recv_bytes()
                    continue
                try:
                    succeeded, outcome = pipe.recv()
                except EOFError:
                    with self._lock:
                        self._fail_all(RuntimeError("a worker process ended unexpectedly"))
                    return
                with self._lock:
                    self._answered(workers[pipe], succeeded, outcome)

    def _hand_out(self) -> None:
        """To each idle worker, the next chunk of the oldest map that has one; first the
        map's function, when the worker does not hold it yet. A worker is only sent what
        it waits for (neither side can block the other on a full pipe), and a function
        that holds much (the run's settings, with the configuration of every folder: half
        a megabyte on the benchmark's union) is sent once a map, not with each chunk."""
        assert self._workers is not None
        live = frozenset(job.number for job in self._maps)
        for worker in self._workers:
            if worker.job is not None:
                continue
            job = next((job for job in self._maps if job.chunks), None)
            if job is None:
                return
            if job.number not in worker.holds:
                if job.message is None:
                    job.message = _pickled(("function", job.number, job.function))
                worker.pipe.send_bytes(job.message)
            worker.holds = (worker.holds & live) | {job.number}
            worker.pipe.send_bytes(_pickled(("chunk", job.number, job.chunks.popleft(), worker.holds)))
            worker.job = job
            job.sent += 1

    def _answered(self, worker: _Worker, succeeded: bool, outcome: object) -> None:
        job = cast(_Map, worker.job)
        worker.job = None
        job.sent -= 1
        if not succeeded:
            if job.error is None:
                job.error = cast(BaseException, outcome)
            job.chunks.clear()
        elif job.error is None:
            for index, result in cast("list[tuple[int, object]]", outcome):
                job.results[index] = result
        if job.done:
            self._finished(job)

    def _finished(self, job: _Map) -> None:
        if job in self._maps:
            self._maps.remove(job)
        self._changed.notify_all()

    def _fail_all(self, error: BaseException) -> None:
        """Every map fails with `error`, and the workers stop: the next map starts new ones."""
        for job in list(self._maps):
            job.error = job.error or error
            job.chunks.clear()
            job.sent = 0
            self._finished(job)
        self._stop()

    def _ring(self) -> None:
        assert self._bell is not None
        self._bell[1].send_bytes(b"")

    def _stop(self) -> None:
        if self._workers is None:
            return
        for worker in self._workers:
            worker.pipe.close()
            if worker.process is not None:
                worker.process.terminate()
        for worker in self._workers:
            if worker.process is not None:
                worker.process.join()
        self._workers = None
        if self._bell is not None:
            for end in self._bell:
                end.close()
            self._bell = None


_SWITCH_INTERVAL = 0.0005  # seconds


@dataclass(eq=False)
class _Map:
    """One `map_in_order` call in the workers."""

    number: int
    function: Callable[[Any], Any]
    chunks: collections.deque  # those not handed out yet, each a list of (index, item)
    results: list
    sent: int = 0  # chunks handed out and not answered
    error: BaseException | None = None
    message: bytes | None = None  # the function, pickled once for every worker

    @property
    def done(self) -> bool:
        return self.error is not None or (not self.chunks and self.sent == 0)


@dataclass(eq=False)
class _Worker:
    # None for one the first worker forked (`_started_by_the_first`): it ends with the pipe.
    process: multiprocessing.process.BaseProcess | None
    pipe: multiprocessing.connection.Connection  # this process's end
    job: _Map | None = None  # whose chunk it works on (None: it waits for one)
    holds: frozenset[int] = frozenset()  # the maps whose function it holds


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


def _started_by_the_first(processes: int, before_start: Callable[[], object] | None) -> list[_Worker]:
    """`processes` workers: one started here, which runs `before_start`, then forks the
    others (`_first_worker`). Their pipes are made here, before it starts."""
    context = _context()
    pipes = [context.Pipe() for _ in range(processes)]
    first = context.Process(target=_first_worker, args=(before_start, pipes), daemon=True)
    first.start()
    for _, theirs in pipes:
        theirs.close()
    return [_Worker(first if number == 0 else None, mine) for number, (mine, _) in enumerate(pipes)]


def _first_worker(before_start: Callable[[], object] | None,
                  pipes: list[tuple[multiprocessing.connection.Connection, multiprocessing.connection.Connection]]) -> None:
    """The first worker's life: `before_start`, then a fork for each other worker, whose
    collector, as its own, leaves alone what they share (as in `_started`); then its own
    loop. Ended by the parent (SIGTERM), it ends the others."""
    for mine, _ in pipes:
        mine.close()  # the parent's ends: closed, so that its death is seen
    if before_start is not None:
        before_start()
    gc.freeze()
    others = []
    for number in range(1, len(pipes)):
        pid = os.fork()
        if pid == 0:
            try:
                _serve(pipes[number][1], *(theirs for other, (_, theirs) in enumerate(pipes) if other != number))
            finally:
                os._exit(0)
        others.append(pid)

    def waited(stop: bool) -> None:
        """The others ended, and waited for: their CPU time is then counted as this
        process's children's, and so as the run's."""
        for pid in others:
            with contextlib.suppress(OSError):
                if stop:
                    os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)

    def ended(*_: object) -> None:
        waited(stop=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, ended)
    _serve(pipes[0][1], *(theirs for _, theirs in pipes[1:]))
    waited(stop=False)


def _serve(pipe: multiprocessing.connection.Connection, *others: multiprocessing.connection.Connection) -> None:
    """A worker's loop: a map's function, kept under the map's number; then each chunk's
    results (or what one item raised) sent back. A chunk names the maps whose functions
    to keep: the others' are done. `others`: ends of pipes that are not its own,
    inherited by a fork, closed first (the parent's end among them, so that its death
    is seen)."""
    for end in others:
        end.close()
    functions: dict[int, Callable[[Any], Any]] = {}
    while True:
        try:
            message = pickle.loads(pipe.recv_bytes())
        except EOFError:  # the parent closed its end: the run is over
            return
        if message[0] == "function":
            _, number, function = message
            functions[number] = function
            continue
        _, number, content, keep = message
        for done in functions.keys() - keep:
            del functions[done]
        function = functions[number]
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
