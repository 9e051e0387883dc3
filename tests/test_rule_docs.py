"""The rule reference in rules/ is generated; this fails when a page is out of date."""
from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "generate_rule_docs.py"


def _generator():
    spec = importlib.util.spec_from_file_location("generate_rule_docs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rule_pages_are_up_to_date():
    stale = _generator().stale_pages()
    assert not stale, f"regenerate with `python scripts/generate_rule_docs.py`: {[p.name for p in stale]}"


def test_every_rule_page_shows_its_examples():
    generator = _generator()
    from cachelint.rules import ALL_RULES

    for rule in ALL_RULES:
        text = generator.page(rule)
        assert text.startswith(f"# {rule.name} ({rule.code})")
        assert "## What it does" in text and "## Use instead" in text, rule.code
