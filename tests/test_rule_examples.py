"""Every rule's VALID examples are clean and its INVALID examples are reported exactly
on the lines marked `# expect: CODE` (as the public evaluation corpus marks them)."""
from __future__ import annotations

import re

import pytest

from cachelint.rules import ALL_RULES
from tests.conftest import lint
from tests.rule_fixtures import alone

EXPECT = re.compile(r"#\s*expect:\s*(.+)$")


def _expected(source: str, code: str) -> list[int]:
    rows = []
    for row, line in enumerate(source.splitlines(), start=1):
        match = EXPECT.search(line)
        if match and code in [c.strip() for c in match.group(1).split(",")]:
            rows.append(row)
    return rows


def _cases(attribute: str):
    return [
        pytest.param(rule, index, id=f"{rule.code}-{attribute.lower()}-{index}")
        for rule in ALL_RULES
        for index in range(len(getattr(rule, attribute)))
    ]


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_rule_has_examples(rule):
    assert rule.VALID and rule.INVALID, f"{rule.code} needs VALID and INVALID examples"
    assert all(_expected(example, rule.code) for example in rule.INVALID), "mark each INVALID line"


@pytest.mark.parametrize("rule,index", _cases("VALID"))
def test_valid_example_is_clean(rule, index):
    diagnostics = [d for d in lint(rule.VALID[index], select=alone(rule)) if d.code in (rule.code, None)]
    assert [(d.location.row, d.message) for d in diagnostics] == []


@pytest.mark.parametrize("rule,index", _cases("INVALID"))
def test_invalid_example_is_reported(rule, index):
    source = rule.INVALID[index]
    diagnostics = [d for d in lint(source, select=alone(rule)) if d.code in (rule.code, None)]
    # Examples are dedented by `lint`, which keeps line numbers.
    assert sorted(d.location.row for d in diagnostics) == _expected(source, rule.code)
