"""tests/labelled/: realistic modules labelled for CL014, CL015 and CL016 (positives and
decoys), linted as one project with every rule and compared with their labels, as the
public scorer compares (`../shared/eval/score tests/labelled`)."""
from __future__ import annotations

from pathlib import Path

from cachelint.config import Settings
from cachelint.engine import lint_paths
from tests.rule_fixtures import Fixture

LABELLED = Path(__file__).resolve().parent / "labelled"


def test_labelled_modules_are_reported_exactly_on_their_labels():
    run = lint_paths([LABELLED], Settings(select=("ALL",)))
    assert not run.internal_errors
    found = sorted((Path(d.filename).resolve().relative_to(LABELLED).as_posix(), d.location.row, d.code)
                   for d in run.diagnostics)
    labelled = Fixture(LABELLED, "", "")
    expected = sorted((Path(file).relative_to(LABELLED.name).as_posix(), row, code)
                      for file, row, code in labelled.labels())
    assert found == expected
    assert {code for _, _, code in expected} >= {"CL014", "CL015", "CL016"}
