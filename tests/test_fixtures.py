"""Every rule has a fixture (tests/rule_fixtures.py says how they are named and labelled),
and each fixture is linted with its own rule alone: reported exactly on the lines labelled
with that rule's code. So a new rule needs only its own fixture, and never changes another
rule's fixture test.

The smoke run lints every fixture with every rule: nothing crashes, and every label, of any
code, is reported; what other rules find besides is not pinned."""
from __future__ import annotations

import pytest

from cachelint import rules
from cachelint.config import Settings
from cachelint.engine import lint_paths
from tests.rule_fixtures import Fixture, alone, fixtures

FIXTURES = fixtures()


def findings(fixture: Fixture, select: tuple[str, ...]) -> list[tuple[str, int, str]]:
    run = lint_paths([fixture.path.resolve()], Settings(select=select))
    assert not run.internal_errors, run.internal_errors
    return sorted((fixture.relative(d.filename), d.location.row, d.code) for d in run.diagnostics)


def test_every_rule_has_one_fixture():
    assert sorted((f.code, f.name) for f in FIXTURES) == sorted((rule.code, rule.name) for rule in rules.ALL_RULES)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda fixture: fixture.path.stem)
def test_fixture_is_reported_on_its_labelled_lines(fixture):
    assert fixture.rule is not None, f"{fixture.path.name}: no registered rule {fixture.code} named {fixture.name}"
    labelled = [label for label in fixture.labels() if label[2] == fixture.code]
    assert labelled, f"{fixture.path.name} labels no line with {fixture.code}"
    assert [found for found in findings(fixture, alone(fixture.rule)) if found[2] in (fixture.code, None)] == labelled


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda fixture: fixture.path.stem)
def test_smoke_every_rule_on_the_fixture(fixture):
    found = set(findings(fixture, ("ALL",)))
    missed = [label for label in fixture.labels() if label not in found]
    assert not missed, f"labelled but not reported with every rule enabled: {missed}"
