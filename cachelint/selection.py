"""Which rules run: `select`, `ignore` and `extend-select` resolved as Ruff resolves them.

A selector is a full code (`CL002`), a code prefix (`CL`, `CL00`), a rule name
(`set-without-ttl`) or `ALL`. The more specific selector wins when `select` and
`ignore` disagree; on a tie, `ignore` wins.
"""
from __future__ import annotations

from collections.abc import Iterable

from cachelint.rules import ALL_RULES, BY_NAME
from cachelint.rules.base import Rule

DEFAULT_SELECT = ("ALL",)


class UnknownSelector(ValueError):
    pass


def matches(selector: str, rule: type[Rule]) -> bool:
    if selector.upper() == "ALL":
        return True
    if selector.lower() == rule.name:
        return True
    return rule.code.startswith(selector.upper())


def specificity(selector: str) -> int:
    if selector.upper() == "ALL":
        return 0
    if selector.lower() in BY_NAME:
        return 100
    return len(selector)


def validate(selector: str) -> str:
    """The selector itself, or UnknownSelector when it matches no rule."""
    if not any(matches(selector, rule) for rule in ALL_RULES):
        raise UnknownSelector(selector)
    return selector


def resolve(select: Iterable[str], ignore: Iterable[str], extend_select: Iterable[str] = ()) -> frozenset[str]:
    """The codes enabled by these selectors."""
    chosen = [*select, *extend_select]
    ignored = list(ignore)
    enabled = set()
    for rule in ALL_RULES:
        selected = max((specificity(s) for s in chosen if matches(s, rule)), default=-1)
        dropped = max((specificity(s) for s in ignored if matches(s, rule)), default=-1)
        if selected >= 0 and selected > dropped:
            enabled.add(rule.code)
    return frozenset(enabled)
