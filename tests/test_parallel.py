"""Worker processes change nothing but the time: the same results, in the same order."""
from __future__ import annotations

import functools
import multiprocessing
import os
import threading
from pathlib import Path

import pytest

from cachelint import parallel
from cachelint.config import Settings
from cachelint.engine import lint_paths

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_CORPUS = ROOT.parent / "shared" / "eval" / "public"


def square(number: int) -> int:
    return number * number


def test_results_come_in_the_order_of_the_items_whatever_runs_first():
    items = list(range(parallel.MIN_ITEMS_FOR_WORKERS * 5))
    assert list(parallel.map_in_order(square, items, jobs=2)) == [n * n for n in items]
    assert list(parallel.map_in_order(square, items, jobs=2, cost=lambda n: n % 7)) == [n * n for n in items]


def test_one_job_or_few_items_run_in_this_process(monkeypatch):
    monkeypatch.setattr(parallel, "_context", lambda: pytest.fail("started workers"))
    assert list(parallel.map_in_order(square, range(100), jobs=1)) == [n * n for n in range(100)]
    assert list(parallel.map_in_order(square, range(3), jobs=4)) == [0, 1, 4]


class Counted:
    """A function that counts how often this process pickles it, and holds much, as the
    run's settings do (a message bigger than a pipe's buffer)."""

    pickled = 0

    def __init__(self, ballast: str = "x" * 300_000) -> None:
        self.ballast = ballast

    def __reduce__(self):
        Counted.pickled += 1
        return (Counted, (self.ballast,))

    def __call__(self, number: int) -> bytes:
        return bytes([number % 256]) * 300_000  # results bigger than a pipe's buffer, too


def test_the_function_goes_to_the_workers_once_a_pass_and_big_messages_do_not_block():
    items = list(range(parallel.MIN_ITEMS_FOR_WORKERS * 10))
    with parallel.Workers(2) as workers:
        for _ in range(2):  # two passes on the same workers
            Counted.pickled = 0
            assert list(workers.map_in_order(Counted(), items)) == [Counted()(n) for n in items]
            assert Counted.pickled == 1


def fails_on_seven(number: int) -> int:
    if number == 7:
        raise ValueError("seven")
    return number


def test_what_an_item_raises_in_a_worker_is_raised_here_and_the_next_pass_starts_new_workers():
    items = list(range(parallel.MIN_ITEMS_FOR_WORKERS * 2))
    with parallel.Workers(2) as workers:
        with pytest.raises(ValueError, match="seven"):
            list(workers.map_in_order(fails_on_seven, items))
        assert list(workers.map_in_order(square, items)) == [n * n for n in items]


def outcome(paths: list[Path], jobs: int) -> list[tuple]:
    run = lint_paths(paths, Settings(select=("ALL",)), jobs=jobs)
    return [(f.filename, f.diagnostics, f.internal_errors) for f in run.files]


@pytest.mark.skipif(not PUBLIC_CORPUS.is_dir(), reason=f"the public corpus is not at {PUBLIC_CORPUS}")
def test_workers_report_what_one_process_reports():
    paths = [ROOT / "fixtures", PUBLIC_CORPUS]
    assert outcome(paths, jobs=2) == outcome(paths, jobs=1)


def pid_of(_: object) -> int:
    return os.getpid()


def test_once_the_workers_run_one_item_goes_to_them():
    with parallel.Workers(2) as workers:
        list(workers.map_in_order(square, range(parallel.MIN_ITEMS_FOR_WORKERS)))  # starts them
        assert list(workers.map_in_order(pid_of, [None])) != [os.getpid()]


def test_threads_mapping_at_once_share_the_workers_and_each_gets_its_own_results():
    """Each thread's map through the same workers, a chunk of one between chunks of the
    others: each gets its own results in order, and what one raises is raised in its own
    thread only."""
    items = list(range(parallel.MIN_ITEMS_FOR_WORKERS * 4))
    barrier = threading.Barrier(3, timeout=10)

    def mapping(offset: int) -> list[int]:
        barrier.wait()  # the three maps run at once
        function = fails_on_seven if offset == 2 else functools.partial(add, offset)
        return list(workers.map_in_order(function, items))

    with parallel.Workers(2) as workers:
        list(workers.map_in_order(square, items))  # starts them
        outcomes = []
        threads = [threading.Thread(target=lambda offset=offset: outcomes.append((offset, _outcome(mapping, offset))))
                   for offset in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes, key=lambda outcome: outcome[0]) == [
            (0, items), (1, [n + 1 for n in items]), (2, "ValueError: seven")]
        assert list(workers.map_in_order(square, items)) == [n * n for n in items]


def add(offset: int, number: int) -> int:
    return number + offset


def _outcome(function, *args):
    try:
        return function(*args)
    except ValueError as error:
        return f"ValueError: {error}"


def test_side_by_side_runs_the_items_at_once_while_the_workers_run():
    """Two items that each wait for the other: they can only both finish side by side."""
    barrier = threading.Barrier(2, timeout=10)

    def meets(item: int) -> int:
        barrier.wait()
        return item * 10

    with parallel.Workers(2) as workers:
        list(workers.map_in_order(square, range(parallel.MIN_ITEMS_FOR_WORKERS)))  # starts them
        assert workers.side_by_side(meets, [1, 2], cost=lambda item: item) == [10, 20]


def test_side_by_side_without_workers_runs_the_items_in_turn_and_raises_what_one_raises():
    ran: list[int] = []

    def recorded(item: int) -> int:
        ran.append(item)
        return fails_on_seven(item)

    workers = parallel.Workers(1)
    assert workers.side_by_side(recorded, [3, 1, 2]) == [3, 1, 2] and ran == [3, 1, 2]
    with pytest.raises(ValueError, match="seven"):
        workers.side_by_side(recorded, [7, 8])


PREPARED: list[int] = []  # the processes `prepare` ran in: set in a worker, inherited by the others


def prepare() -> None:
    PREPARED.append(os.getpid())


def prepared_in(_: object) -> tuple[int, tuple[int, ...]]:
    return os.getpid(), tuple(PREPARED)


def test_workers_started_now_take_what_the_first_prepares_and_are_all_gone_after():
    """`start_now`: the first worker runs `before_start` (the linter's import), not this
    process, and forks the others, which inherit it; when the workers stop, none is left."""
    items = list(range(parallel.MIN_ITEMS_FOR_WORKERS * 8))
    with parallel.Workers(2, before_start=prepare) as workers:
        workers.start_now()
        outcomes = set(workers.map_in_order(prepared_in, items))
    assert PREPARED == []
    first = {prepared for _, prepared in outcomes}
    assert len(first) == 1 and len(first.pop()) == 1  # prepared once, in one process
    for pid in {pid for pid, _ in outcomes}:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def mapped_in_a_daemon(_: object) -> set[int]:
    with parallel.Workers(2) as workers:
        workers.start_now()
        return set(workers.map_in_order(pid_of, range(parallel.MIN_ITEMS_FOR_WORKERS * 2))) | {os.getpid()}


def test_a_daemonic_process_maps_in_itself():
    """A pool's process (the language server's project stage runs in one) may start no
    process of its own: its items run in it."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert len(pool.apply(mapped_in_a_daemon, (None,))) == 1
