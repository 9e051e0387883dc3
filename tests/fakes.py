"""Test-only rules, so that tests of the machinery around rules do not depend on how far
the real rules have come. They carry the catalog's codes and names and read the model
as real rules do; `install` puts them in the registry (and the catalog) in place of the
real ones."""
from __future__ import annotations

import textwrap

import libcst as cst

from cachelint import catalog, rules
from cachelint.config import Settings
from cachelint.engine import lint_source
from cachelint.model import Kind, Meaning
from cachelint.rules.base import Finding, FixSuggestion, Option, Replacement, Rule


class TruthyMissCheck(Rule):
    code = "CL001"
    name = "truthy-miss-check"
    summary = "Test double: reports nothing."

    def check(self, model, context):
        return iter(())


class SetWithoutTtl(Rule):
    """A write whose entry never expires; the unsafe fix passes `ex=3600`."""

    code = "CL002"
    name = "set-without-ttl"
    summary = "Test double: a write without a TTL."
    fix_availability = "sometimes"

    def check(self, model, context):
        for op in model.ops:
            if op.kind is Kind.WRITE and op.ttl is not None and op.ttl.meaning is Meaning.FOREVER:
                fix = None
                if op.call is not None and op.ttl.parameter:
                    code = model.code(op.call)
                    fixed = f"{code[:-1]}, {op.ttl.parameter}=3600)"
                    fix = FixSuggestion(f"Pass `{op.ttl.parameter}=3600`", (Replacement(op.call, fixed),), "unsafe")
                yield Finding(op.node, op.statement, "cache write without a TTL", fix)


class KeysPatternScan(Rule):
    """`r.keys(p)`; the (here: safe) fix renames the method to `scan_iter`."""

    code = "CL007"
    name = "keys-pattern-scan"
    summary = "Test double: KEYS."
    fix_availability = "always"

    def check(self, model, context):
        for op in model.ops:
            if op.kind is Kind.KEYS and isinstance(op.call.func, cst.Attribute):
                fix = FixSuggestion("Use `scan_iter`", (Replacement(op.call.func.attr, "scan_iter"),), "safe")
                yield Finding(op.node, op.statement, "KEYS blocks the server", fix)


class ZeroTtl(Rule):
    code = "CL013"
    name = "zero-ttl"
    summary = "Test double with options: reports nothing."
    options = {
        "limit": Option(int, 0, "an integer"),
        "ratio": Option(float, 0.5, "a number"),
        "strict": Option(bool, False, "a flag"),
        "names": Option(list, [], "a list"),
    }

    def check(self, model, context):
        return iter(())


CATALOG = (TruthyMissCheck, SetWithoutTtl, KeysPatternScan, ZeroTtl)


def install(monkeypatch, *replacements: type[Rule]) -> None:
    """The catalog's test doubles in the registry, each replaced by the rule of the same code
    among `replacements`."""
    by_code = {rule.code: rule for rule in (*CATALOG, *replacements)}
    chosen = sorted(by_code.values(), key=lambda rule: rule.code)
    monkeypatch.setattr(rules, "ALL_RULES", chosen)
    monkeypatch.setattr(rules, "BY_CODE", {rule.code: rule for rule in chosen})
    monkeypatch.setattr(rules, "BY_NAME", {rule.name: rule for rule in chosen})
    entries = tuple(catalog.entry_of(rule) for rule in chosen)  # what selection and configuration read
    monkeypatch.setattr(catalog, "RULES", entries)
    monkeypatch.setattr(catalog, "BY_CODE", {entry.code: entry for entry in entries})
    monkeypatch.setattr(catalog, "BY_NAME", {entry.name: entry for entry in entries})


def lint(source: str, settings: Settings | None = None, filename: str = "example.py"):
    """The diagnostics and internal errors of a dedented snippet."""
    result = lint_source(filename, textwrap.dedent(source).encode("utf-8"), settings or Settings())
    return result.diagnostics, result.internal_errors


REDIS = 'import redis\nr = redis.Redis()\n'
