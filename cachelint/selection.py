"""Which rules run: `select`, `ignore` and `extend-select` resolved as Ruff resolves them.

A selector is a full code (`CL002`), a code prefix (`CL`, `CL00`), a rule name
(`set-without-ttl`) or `ALL`. Selections come in layers, the configuration's first and
the command line's after it. Within a layer the more specific selector wins when
`select` and `ignore` disagree, and on a tie `ignore` wins; a layer that sets `select`
starts afresh, one that does not only adds (`extend-select`) and removes (`ignore`).
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cachelint import catalog
from cachelint.catalog import Entry
from cachelint.diagnostic import Diagnostic

# Every rule but the CL9xx ones, which judge the others (CL900, unused suppressions) and
# are chosen explicitly, as Ruff's RUF100 is; `ALL` includes them.
DEFAULT_SELECT = ("CL0",)
_CODE_PREFIX = re.compile(r"([A-Z]+)([0-9]*)")


class UnknownSelector(ValueError):
    pass


@dataclass(frozen=True)
class Selection:
    """One layer of rule selection; `select=None` keeps what earlier layers enabled."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()


def matches(selector: str, rule: Entry | Diagnostic) -> bool:
    """Whether the selector names this rule (or the rule of this diagnostic)."""
    upper = selector.upper()
    if upper == "ALL" or selector.lower() == rule.name:
        return True
    prefix = _CODE_PREFIX.fullmatch(upper)
    # `CL0` selects CL001…CL009, but `C` is not a prefix of the `CL` linter.
    code = rule.code  # None for a diagnostic that no rule made (invalid-syntax, io-error)
    return prefix is not None and code is not None and code.startswith(upper) and code[len(prefix[1])].isdigit()


def specificity(selector: str) -> int:
    """ALL < CL < CL0 < CL00 < CL002; a rule name is as specific as the rule's code."""
    if selector.upper() == "ALL":
        return 0
    rule = catalog.BY_NAME.get(selector.lower())
    return len(rule.code if rule else selector)


def validate(selector: str) -> str:
    """The selector itself, or UnknownSelector when it matches no rule."""
    if not any(matches(selector, rule) for rule in catalog.RULES):
        raise UnknownSelector(selector)
    return selector


def _strongest(selectors: Iterable[str], rule: Entry) -> int:
    return max((specificity(s) for s in selectors if matches(s, rule)), default=-1)


def matching(selectors: Iterable[str]) -> frozenset[str]:
    """The codes any of these selectors names, whatever their specificity."""
    return _matching(tuple(selectors), catalog.RULES)


def resolve(layers: Iterable[Selection]) -> frozenset[str]:
    """The codes enabled by these layers of selection, applied in order."""
    return _resolved(tuple(layers), catalog.RULES)


# Every file of a run asks for its codes (a run checks thousands, with a few distinct
# selections): each answer is worked out once, for the catalog it was asked of.
@functools.cache
def _matching(selectors: tuple[str, ...], entries: tuple[Entry, ...]) -> frozenset[str]:
    return frozenset(rule.code for rule in entries if any(matches(s, rule) for s in selectors))


@functools.cache
def _resolved(layers: tuple[Selection, ...], entries: tuple[Entry, ...]) -> frozenset[str]:
    enabled: set[str] = set()
    for layer in layers:
        chosen = (*(layer.select or ()), *layer.extend_select)
        if layer.select is not None:
            enabled.clear()
        for rule in entries:
            selected, dropped = _strongest(chosen, rule), _strongest(layer.ignore, rule)
            if selected > dropped:
                enabled.add(rule.code)
            elif dropped >= 0:
                enabled.discard(rule.code)
    return frozenset(enabled)
