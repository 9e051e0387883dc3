"""The rules: one module each, listed in code order by the registry (cachelint.rules.registry).

The registry is imported on first use of its names here (PEP 562), so that one rule's
module imports alone: the project stage runs its rules on facts from the result cache,
without every other rule, LibCST and the model.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cachelint.rules.base import BaseRule
    from cachelint.rules.registry import ALL_RULES, BY_CODE, BY_NAME

__all__ = ["ALL_RULES", "BY_CODE", "BY_NAME", "rule_for"]
_REGISTRY_NAMES = ("ALL_RULES", "BY_CODE", "BY_NAME")


def __getattr__(name: str) -> Any:
    if name not in _REGISTRY_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    _load_registry()
    return globals()[name]


def _load_registry() -> None:
    """The registry's names, as globals of this module (where tests may replace them)."""
    if "ALL_RULES" not in globals():
        from cachelint.rules import registry

        globals().update({name: getattr(registry, name) for name in _REGISTRY_NAMES})


def rule_for(code_or_name: str) -> type[BaseRule] | None:
    _load_registry()
    return BY_CODE.get(code_or_name.upper()) or BY_NAME.get(code_or_name.lower())
