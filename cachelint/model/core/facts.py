"""Facts of the one walk over a module (cachelint.model.core.collect) that analyses read
beyond scopes and bindings: its functions and the expressions whose truthiness decides."""
from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from cachelint.model.core.nodes import strip_await
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

    def tests_alone(self, test_node: cst.BaseExpression) -> bool:
        """`test_node` (the test of the `if`, `while`…) is the subject alone, or `not` the subject."""
        if self.negated:
            if not (isinstance(test_node, cst.UnaryOperation) and isinstance(test_node.operator, cst.Not)):
                return False
            test_node = test_node.expression
        return strip_await(test_node) is self.subject


@dataclass(eq=False)
class FunctionInfo:
    node: cst.FunctionDef
    scope: Scope
    calls: list[cst.Call] = field(default_factory=list)
    returns: list[cst.Return] = field(default_factory=list)  # its own, not nested functions'
    does_io: bool | None = None  # filled lazily by model.io
