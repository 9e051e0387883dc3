"""Every fixtures/*.py file, linted with every rule, is reported exactly on the lines its
`# expect: CODE[, CODE…]` comments mark (the convention of the public evaluation corpus).
A fixture folder (for project-wide rules such as CL010) is linted as one project."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from cachelint.config import Settings
from cachelint.engine import lint_paths
from tests.conftest import lint

FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures").glob("*.py"))
FOLDERS = sorted(path for path in (Path(__file__).resolve().parent.parent / "fixtures").iterdir() if path.is_dir())
EXPECT = re.compile(r"#\s*expect:\s*(.+)$")


def _labels(text: str) -> list[tuple[int, str]]:
    labels = []
    for row, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            labels += [(row, code.strip()) for code in match.group(1).split(",")]
    return sorted(labels)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.stem)
def test_fixture_is_reported_on_its_labelled_lines(path):
    text = path.read_text(encoding="utf-8")
    diagnostics = lint(text, select=("ALL",), filename=f"fixtures/{path.name}")
    assert sorted((d.location.row, d.code) for d in diagnostics) == _labels(text)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda path: path.name)
def test_fixture_folder_is_reported_on_its_labelled_lines(folder):
    run = lint_paths([folder], Settings(select=("ALL",)))
    assert not run.internal_errors
    found = sorted((Path(d.filename).name, d.location.row, d.code) for d in run.diagnostics)
    expected = sorted((path.name, row, code) for path in folder.glob("*.py") for row, code in _labels(path.read_text()))
    assert found == expected
