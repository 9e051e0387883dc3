"""Every rule of the catalog has a behaviour module here, `test_<code>_<name>.py`, with
tests that show its bad example's bug (`test_bad_*`) and its fix free of it
(`test_fixed_*`)."""
from __future__ import annotations

import importlib
from pathlib import Path

from cachelint.rules import BY_CODE

CATALOG = {
    "CL001": "truthy-miss-check", "CL002": "set-without-ttl", "CL003": "key-without-namespace",
    "CL004": "key-missing-user-scope", "CL005": "unsanitized-input-in-key", "CL006": "cache-before-db-write",
    "CL007": "keys-pattern-scan", "CL008": "sensitive-data-cached", "CL009": "cache-write-in-transaction",
    "CL010": "missing-invalidation", "CL011": "key-never-repeats", "CL012": "view-cache-ignores-input",
    "CL013": "zero-ttl",
}


def test_every_rule_has_a_bad_and_a_fixed_test():
    found = {path.stem for path in Path(__file__).parent.glob("test_cl*.py")}
    expected = {f"test_{code.lower()}_{name.replace('-', '_')}" for code, name in CATALOG.items()}
    assert found == expected
    for stem in sorted(expected):
        tests = dir(importlib.import_module(f"tests.behaviour.{stem}"))
        assert any(t.startswith("test_bad_") for t in tests) and any(t.startswith("test_fixed_") for t in tests), stem


def test_the_catalog_matches_the_registered_rules():
    for code, rule in BY_CODE.items():
        assert CATALOG[code] == rule.name
