"""The rule reference in rules/ is generated; this fails when a page is out of date."""
from __future__ import annotations

import importlib.util
import re
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


def test_registry_codes_and_names_are_unique_and_well_formed():
    from cachelint.rules import ALL_RULES

    codes, names = [rule.code for rule in ALL_RULES], [rule.name for rule in ALL_RULES]
    assert len(set(codes)) == len(codes) and len(set(names)) == len(names)
    assert codes == sorted(codes)
    for rule in ALL_RULES:
        assert re.fullmatch(r"CL[0-9]{3}", rule.code) and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule


def test_readme_lists_every_rule():
    """The README's rule table, row by row, is the registry's codes, names and summaries."""
    from cachelint.rules import ALL_RULES

    readme = (SCRIPT.parent.parent / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (CL[0-9]+) \| ([a-z0-9-]+) \| (.+) \|$", readme, re.MULTILINE)
    assert rows == [(rule.code, rule.name, rule.summary.rstrip(".")) for rule in ALL_RULES]
