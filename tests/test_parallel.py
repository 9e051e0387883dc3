"""Worker processes change nothing but the time: the same results, in the same order."""
from __future__ import annotations

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


def outcome(paths: list[Path], jobs: int) -> list[tuple]:
    run = lint_paths(paths, Settings(select=("ALL",)), jobs=jobs)
    return [(f.filename, f.diagnostics, f.internal_errors) for f in run.files]


@pytest.mark.skipif(not PUBLIC_CORPUS.is_dir(), reason=f"the public corpus is not at {PUBLIC_CORPUS}")
def test_workers_report_what_one_process_reports():
    paths = [ROOT / "fixtures", PUBLIC_CORPUS]
    assert outcome(paths, jobs=2) == outcome(paths, jobs=1)
