"""The skeleton shared by the analyses that follow a value through a module (request input
in taint.py, the user's identity in users.py).

An analysis evaluates an expression to what it holds for that analysis, or None for
nothing of interest. `Evaluator` remembers each expression's value, stops at a depth
limit, resolves a cycle to None, and dispatches names, attributes, items and calls to the
subclass's handlers; every other expression goes to the subclass's `_compound`, which
usually looks for the first of its `parts` holding the kind of value sought. `env` binds
the parameters of a module function being followed to what its caller passed: values
computed under one are not remembered.
"""
from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Final, Generic, TypeGuard, TypeVar

import libcst as cst

from cachelint.model.core.module import SourceModule
from cachelint.model.core.scopes import Scope

MAX_DEPTH = 30
V = TypeVar("V")  # what an analysis evaluates an expression to
W = TypeVar("W")
Env = dict[tuple[Scope | None, str], V]  # (scope or None, name) -> value, as each analysis defines it


class _Pending(Enum):
    PENDING = "not evaluated yet"


_UNKNOWN: Final = _Pending.PENDING


class Evaluator(Generic[V]):
    def __init__(self, source: SourceModule) -> None:
        self.source = source
        self._memo: dict[cst.CSTNode, V | None] = {}
        self._active: set[cst.FunctionDef] = set()  # functions being followed (recursion guard)

    def _value(self, expr: cst.BaseExpression, scope: Scope, env: Env[V], depth: int) -> V | None:
        if depth > MAX_DEPTH:
            return None
        if env:
            return self._evaluate(expr, scope, env, depth)
        value = self._memo.get(expr, _UNKNOWN)  # one lookup: a node hashes through a Python method
        if value is not _UNKNOWN:
            return value
        self._memo[expr] = None  # a cycle holds nothing
        evaluated = self._memo[expr] = self._evaluate(expr, scope, env, depth)
        return evaluated

    def _first(self, exprs: Iterable[cst.BaseExpression], scope: Scope, env: Env[V], depth: int,
               wanted: type[W]) -> W | None:
        """The value of the first of `exprs` that holds a `wanted`, or None."""
        for expr in exprs:
            value = self._value(expr, scope, env, depth + 1)
            if isinstance(value, wanted):
                return value
        return None

    def _evaluate(self, expr: cst.BaseExpression, scope: Scope, env: Env[V], depth: int) -> V | None:
        # Exact types, cheaper than failing `isinstance` tests (no node class has subclasses).
        if type(expr) is cst.Name:
            return self._name(expr, scope, env, depth)
        if type(expr) is cst.Attribute:
            return self._attribute(expr, scope, env, depth)
        if type(expr) is cst.Subscript:
            return self._subscript(expr, scope, env, depth)
        if type(expr) is cst.Call:
            return self._call(expr, scope, env, depth)
        if type(expr) is cst.NamedExpr or type(expr) is cst.StarredElement:
            return self._value(expr.value, scope, env, depth + 1)
        if type(expr) is cst.Await:
            return self._value(expr.expression, scope, env, depth + 1)
        return self._compound(expr, scope, env, depth)

    def _bind_arguments(self, call: cst.Call, params: list[cst.Param], keywords: set[str], callee: Scope,
                        scope: Scope, env: Env[V], depth: int) -> Env[V | None]:
        """The values `call` passes to the parameters `params` (positional) and `keywords`
        of a function whose scope is `callee`."""
        bound: Env[V | None] = {}
        position = 0
        for arg in call.args:
            if arg.star:
                continue
            if arg.keyword is not None:
                name = arg.keyword.value if arg.keyword.value in keywords else None
            else:
                name = params[position].name.value if position < len(params) else None
                position += 1
            if name is not None:
                bound[(callee, name)] = self._value(arg.value, scope, env, depth + 1)
        return bound

    # Handlers each analysis supplies.

    def _name(self, expr: cst.Name, scope: Scope, env: Env[V], depth: int) -> V | None:
        raise NotImplementedError

    def _attribute(self, expr: cst.Attribute, scope: Scope, env: Env[V], depth: int) -> V | None:
        raise NotImplementedError

    def _subscript(self, expr: cst.Subscript, scope: Scope, env: Env[V], depth: int) -> V | None:
        raise NotImplementedError

    def _call(self, expr: cst.Call, scope: Scope, env: Env[V], depth: int) -> V | None:
        raise NotImplementedError

    def _compound(self, expr: cst.BaseExpression, scope: Scope, env: Env[V], depth: int) -> V | None:
        raise NotImplementedError


def parts(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The sub-expressions an f-string, a string concatenation, a binary or boolean
    operation, or a container is built from; none for any other expression."""
    if type(expr) is cst.FormattedString:
        return [p.expression for p in expr.parts if isinstance(p, cst.FormattedStringExpression)]
    if type(expr) is cst.ConcatenatedString or type(expr) is cst.BinaryOperation or type(expr) is cst.BooleanOperation:
        return [expr.left, expr.right]
    if type(expr) is cst.Tuple or type(expr) is cst.List or type(expr) is cst.Set:
        return [e.value for e in expr.elements]
    if type(expr) is cst.Dict:
        return [p for e in expr.elements for p in ((e.key, e.value) if isinstance(e, cst.DictElement) else (e.value,))]
    return []


def is_self(expr: cst.BaseExpression, scope: Scope) -> TypeGuard[cst.Name]:
    """`self` in a method (whatever the method names its first parameter)."""
    function = scope.function
    return (isinstance(expr, cst.Name) and function is not None and function.owner is not None
            and expr.value == function.self_name)
