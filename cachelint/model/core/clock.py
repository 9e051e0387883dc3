"""Where a module reads the clock, and where it keeps what it read.

    now = time.time()
    reads_clock(now + 300, ...)          # True: the name was assigned a clock reading
    LOADED_AT = time.time()              # records_time(this call's site, ...): True, a
                                         #   module-level name keeps the time
"""
from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from cachelint.model.core.collect import Site
from cachelint.model.core.scopes import Scope, qualified_name
from cachelint.model.core.values import CLOCK_READINGS


def reads_clock(expr: cst.BaseExpression, scope: Scope, order: int) -> bool:
    """`time.time()`, `time.time() + 300`, or a variable assigned it (`now = datetime.now(tz=utc)`)."""
    if isinstance(expr, cst.BinaryOperation):
        return reads_clock(expr.left, scope, order) or reads_clock(expr.right, scope, order)
    if isinstance(expr, cst.Name):
        bindings = scope.lookup(expr.value, order)
        binding = bindings[0] if len(bindings) == 1 else None
        if binding is None or binding.kind != "assign" or not isinstance(binding.value, cst.BaseExpression):
            return False
        expr, scope, order = binding.value, binding.scope, binding.order
    return isinstance(expr, cst.Call) and qualified_name(expr.func, scope, order) in CLOCK_READINGS


def is_clock_reading(site: Site[cst.Call]) -> bool:
    """The call at `site` reads the clock (`time.monotonic()`, `timezone.now()`…)."""
    return qualified_name(site.node.func, site.scope, site.order) in CLOCK_READINGS


def records_time(clock: Site[cst.Call], key: str | None, code: Callable[[cst.CSTNode], str]) -> bool:
    """Whether the statement of the clock reading at `clock` keeps it: under the subscript
    key spelled `key` (`EXPIRES[k] = time.time() + 300`), or in a module-level name (a
    `global LOADED_AT`)."""
    statement = clock.statement
    assign = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
    if not isinstance(assign, cst.Assign) or not reads_clock(assign.value, clock.scope, clock.order):
        return False
    for assign_target in assign.targets:
        target = assign_target.target
        if isinstance(target, cst.Subscript) and len(target.slice) == 1 and key is not None:
            index = target.slice[0].slice
            if isinstance(index, cst.Index) and code(index.value) == key:
                return True
        if isinstance(target, cst.Name):  # bound in the module: declared `global`
            bindings = clock.scope.lookup(target.value, clock.order)
            if bindings and bindings[0].scope.kind == "module":
                return True
    return False
