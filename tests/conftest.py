"""Shared test helpers: lint a snippet of source and get its diagnostics."""
from __future__ import annotations

import textwrap

import pytest

from cachelint.config import Settings
from cachelint.engine import lint_source
from cachelint.index.project import check_project


def lint(source: str, select: tuple[str, ...] = ("ALL",), settings: Settings | None = None, filename: str = "example.py"):
    settings = settings or Settings()
    settings.select = select
    result = lint_source(filename, textwrap.dedent(source).encode("utf-8"), settings)
    check_project([result], settings)
    assert not result.internal_errors, result.internal_errors
    return result.diagnostics


@pytest.fixture
def lint_snippet():
    return lint


@pytest.fixture(autouse=True)
def result_cache(tmp_path_factory, monkeypatch):
    """Each test has a result cache of its own: none is shared between tests (which patch
    rules) or left in the source tree."""
    monkeypatch.setenv("CACHELINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
