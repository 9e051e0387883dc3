"""Shared test helpers: lint a snippet of source and get its diagnostics."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cachelint import engine
from cachelint.config import Settings
from cachelint.engine import lint_text


def lint(source: str, select: tuple[str, ...] = ("ALL",), settings: Settings | None = None, filename: str = "example.py"):
    settings = settings or Settings()
    settings.select = select
    [result] = lint_text(filename, textwrap.dedent(source).encode("utf-8"), settings).files
    assert not result.internal_errors, result.internal_errors
    return result.diagnostics


def lint_tree(root: Path, files: dict[str, str], select: tuple[str, ...]):
    """Write `files` (path -> source, dedented) under `root` and lint the tree with the rules
    of `select`, the project stage included: its findings, without internal errors."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    run = engine.lint_paths([root], Settings(root=root, select=select))
    assert not run.internal_errors, run.internal_errors
    return run.diagnostics


@pytest.fixture
def lint_snippet():
    return lint


@pytest.fixture(autouse=True)
def result_cache(tmp_path_factory, monkeypatch):
    """Each test has a result cache of its own: none is shared between tests (which patch
    rules) or left in the source tree."""
    monkeypatch.setenv("CACHELINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def linted(monkeypatch):
    """The names of the files `engine.lint_source` runs on, in order (in this process)."""
    names: list[str] = []
    lint_source = engine.lint_source

    def counting(filename, *args, **kwargs):
        names.append(Path(filename).name)
        return lint_source(filename, *args, **kwargs)

    monkeypatch.setattr(engine, "lint_source", counting)
    return names
