"""A bounded slice of scripts/fuzz.py, with a fixed seed: generated programs never crash
cachelint, and the report is the same whatever path a file takes through the engine
(with or without the prefilter and sparse parsing, in one process or several, from the
result cache or not)."""
from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

from cachelint.config import Settings
from cachelint.engine import lint_paths, lint_source

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("fuzz", ROOT / "scripts" / "fuzz.py")
fuzz = importlib.util.module_from_spec(_spec)
sys.modules["fuzz"] = fuzz
_spec.loader.exec_module(fuzz)


# A few hundred programs in all, small ones mostly (about 25 ms each: two lints of 60
# lines), so that the slice costs the suite seconds, not minutes.
SMALL_PROGRAMS, BIG_PROGRAMS, MUTATIONS, UNMODELLED_PROGRAMS = 220, 20, 80, 150


def test_generated_cache_programs_give_one_report_with_and_without_the_prefilter():
    rng = random.Random(15)
    programs = [fuzz.cache_program(rng, sizes=(30, 60)) for _ in range(SMALL_PROGRAMS)]
    # 100 lines and more: sparse parsing cuts these
    programs += [fuzz.cache_program(rng, sizes=(120, 250)) for _ in range(BIG_PROGRAMS)]
    problems = [(index, fuzz.check(text)) for index, text in enumerate(programs)]
    assert [(index, problem) for index, problem in problems if problem] == []


def test_calls_not_understood_are_the_same_with_and_without_the_prefilter():
    """The count the report gives of calls that look like cache use and were not understood
    (and `cachelint ops --unresolved`'s list) takes in the files the prefilter drops and the
    statements sparse parsing leaves out, as the model would list them had it seen them."""
    rng = random.Random(15)
    programs = [fuzz.unmodelled_program(rng) for _ in range(UNMODELLED_PROGRAMS)]
    problems = [(index, fuzz.check(text)) for index, text in enumerate(programs)]
    assert [(index, problem) for index, problem in problems if problem] == []
    # Both paths were taken, with such calls in them.
    results = [lint_source("fuzzed.py", text.encode(), Settings()) for text in programs]
    assert sum(len(result.unmodelled) for result in results if result.facts is None) > 50  # dropped files
    assert sum(len(result.unmodelled) for result in results if result.facts is not None and result.facts.partial) > 50


def test_mutated_modules_never_crash_cachelint():
    rng = random.Random(15)
    modules = sorted((ROOT / "fixtures").rglob("*.py")) + sorted((ROOT / "cachelint" / "rules").glob("*.py"))[:10]
    texts = [path.read_text() for path in modules]
    problems = [fuzz.check(fuzz.mutate(rng.choice(texts), rng)) for _ in range(MUTATIONS)]
    assert [problem for problem in problems if problem] == []


def test_programs_from_pythons_grammar_never_crash_cachelint():
    pytest.importorskip("hypothesmith")
    programs = fuzz.grammar_programs(seed=15, batch=5)  # hypothesmith takes a second or more a program
    problems = [fuzz.check(next(programs)) for _ in range(5)]
    assert [problem for problem in problems if problem] == []


def _report(run) -> list[tuple]:
    """The findings, and the calls not understood (which the report counts)."""
    return sorted((Path(d.filename).name, d.code, d.location.row, d.location.column, d.message)
                  for d in run.diagnostics) + sorted(
        (Path(file.filename).name, "not understood", call.line, call.receiver, call.method)
        for file in run.files for call in file.unresolved)


def test_one_report_whatever_the_path_through_the_engine(tmp_path, monkeypatch):
    """Every path: with and without the prefilter (and so sparse parsing), big modules
    parsed whole or in pieces, in one process or two, from a cold or a warm result cache,
    and warm after an edit; some modules use a client another module makes (the engine's
    second pass)."""
    from cachelint import parallel, parsing, sparse

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(parallel, "MIN_ITEMS_FOR_WORKERS", 2)  # two processes for this handful of files
    rng = random.Random(16)
    (tmp_path / "clients.py").write_text("import redis\n\nr = redis.Redis()\n")
    imported = [("from clients import r\n", "", "r")]
    for index in range(8):
        clients = imported if index % 3 == 0 else fuzz._CLIENTS
        (tmp_path / f"module_{index}.py").write_text(fuzz.cache_program(rng, sizes=(40, 150), clients=clients))
    for index in range(4):  # calls not understood, in modules the prefilter drops or cuts
        (tmp_path / f"unmodelled_{index}.py").write_text(fuzz.unmodelled_program(rng))
    settings = Settings()
    whole = parsing._PIECE_CHARACTERS

    def reference() -> list[tuple]:
        monkeypatch.setattr(parsing, "_PIECE_CHARACTERS", whole)
        return _report(lint_paths([tmp_path], settings, prefilter=False))

    expected = reference()
    assert expected  # the programs are made to have findings
    assert any(name.startswith("module_0") for name, *_ in expected)  # a module of the imported client
    assert any(name.startswith("unmodelled_") for name, *_ in expected)
    cut, in_pieces = [], []
    reduce, parse_in_pieces = sparse.reduce, parsing._parse_in_pieces
    monkeypatch.setattr(sparse, "reduce", lambda *args: _noted(cut, reduce(*args)))
    monkeypatch.setattr(parsing, "_parse_in_pieces", lambda *args: _noted(in_pieces, parse_in_pieces(*args)))
    # Pieces of 1,000 characters cut every module bigger than that: two of the paths do.
    paths = [(whole, 1, True), (whole, 1, False), (whole, 2, True), (whole, 2, False), (1_000, 1, True), (1_000, 2, False)]
    for path in paths:
        pieces, jobs, prefilter = path
        monkeypatch.setattr(parsing, "_PIECE_CHARACTERS", pieces)
        cache = tmp_path / f".cache-{pieces}-{jobs}-{prefilter}"
        cold = _report(lint_paths([tmp_path], settings, jobs, cache, prefilter=prefilter))
        warm = _report(lint_paths([tmp_path], settings, jobs, cache, prefilter=prefilter))
        assert (path, cold) == (path, expected)
        assert (path, warm) == (path, expected)
    assert cut and in_pieces  # the paths were taken (in this process, at -j 1)
    # Warm after an edit: the changed module is linted again, the others come from the cache.
    edited = tmp_path / "module_1.py"
    edited.write_text(edited.read_text() + fuzz.cache_program(random.Random(17), sizes=(40,)).split("\n\n", 1)[1])
    expected = reference()
    for jobs in (1, 2):
        for prefilter in (True, False):
            cache = tmp_path / f".cache-{whole}-{jobs}-{prefilter}"
            assert (jobs, prefilter, _report(lint_paths([tmp_path], settings, jobs, cache, prefilter=prefilter))) \
                == (jobs, prefilter, expected)


def _noted(seen: list, value):
    if value is not None:
        seen.append(value)
    return value
