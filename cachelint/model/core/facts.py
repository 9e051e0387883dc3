"""Facts of the one walk over a module (cachelint.model.core.collect) that analyses read
beyond scopes and bindings: its functions and the expressions whose truthiness decides."""
from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from cachelint.model.core.scopes import Scope


@dataclass(frozen=True, eq=False)
class TruthTest:
    """An expression whose truthiness decides something: `if x:`, `not x`, `x or y`, `a if x else b`."""

    subject: cst.BaseExpression  # the tested expression, `not`/await stripped
    negated: bool
    context: cst.CSTNode  # the If, While, IfExp, BooleanOperation or Assert that decides
    scope: Scope
    statement: cst.CSTNode
    order: int


@dataclass(eq=False)
class FunctionInfo:
    node: cst.FunctionDef
    scope: Scope
    calls: list[cst.Call] = field(default_factory=list)
    returns: list[cst.Return] = field(default_factory=list)  # its own, not nested functions'
    does_io: bool | None = None  # filled lazily by model.io
