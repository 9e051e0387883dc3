"""Every registered rule has a behaviour module here, `test_<code>_<name>.py`, with tests
that show its bad example's bug (`test_bad_*`) and its fix free of it (`test_fixed_*`);
and every behaviour module is for a registered rule."""
from __future__ import annotations

import importlib
from pathlib import Path

from cachelint.rules import ALL_RULES


def test_every_rule_has_a_bad_and_a_fixed_test():
    found = {path.stem for path in Path(__file__).parent.glob("test_cl*.py")}
    expected = {f"test_{rule.code.lower()}_{rule.name.replace('-', '_')}" for rule in ALL_RULES}
    assert found == expected
    for stem in sorted(expected):
        tests = dir(importlib.import_module(f"tests.behaviour.{stem}"))
        assert any(t.startswith("test_bad_") for t in tests) and any(t.startswith("test_fixed_") for t in tests), stem
