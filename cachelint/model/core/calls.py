"""Which function of this module a call runs: the one call resolver every analysis uses.

    class KeysMixin:
        def key(self, pk): ...

    class Reports(KeysMixin):
        @staticmethod
        def build(pk): ...

        def get(self, pk):
            self._rebuild(pk)       # Reports._rebuild: a method of the class, through self
            self.key(pk)            # KeysMixin.key: inherited from a class of this module
            Reports.build(pk)       # Reports.build: a static (or class) method, through the class
            _rebuild(pk)            # the module's _rebuild: the one binding of the name there

        def _rebuild(self, pk): ...

A name resolves when exactly one binding of it is visible where it is called and that
binding is a `def`; a method through `self`/`cls` to the class's last definition of it, or
to the one a base class of this module defines; `Class.method` to a static or class method.
Functions of other modules are not resolved here.
"""
from __future__ import annotations

from typing import NamedTuple, TypeGuard

import libcst as cst

from cachelint.model.core.facts import FunctionInfo
from cachelint.model.core.positions import Spans
from cachelint.model.core.scopes import Scope, dotted

_MAX_BASES = 3  # base classes followed up from a class, for inherited methods


class Callee(NamedTuple):
    """The function a call runs, and whether the call binds its first parameter (`self`, `cls`)."""

    function: cst.FunctionDef
    binds_first: bool


class CallResolver:
    """Resolves the callee of calls in one module."""

    def __init__(self, functions: dict[cst.FunctionDef, FunctionInfo], spans: Spans) -> None:
        self.functions = functions
        self.spans = spans
        self._callers: dict[cst.FunctionDef, list[tuple[cst.Call, Scope, Callee]]] | None = None
        # callee()'s answers: analyses and rules ask again for the same calls.
        self._callees: dict[tuple[cst.BaseExpression, Scope, int], Callee | None] = {}

    def calls_of(self, function: cst.FunctionDef) -> list[tuple[cst.Call, Scope, Callee]]:
        """The calls in the module's functions that run `function`, each with the scope it
        is made in and how it binds the function."""
        if self._callers is None:
            self._callers = {}
            for info in self.functions.values():
                for call in info.calls:
                    callee = self.callee(call.func, info.scope, self.spans.start(call))
                    if callee is not None:
                        self._callers.setdefault(callee.function, []).append((call, info.scope, callee))
        return self._callers.get(function, [])

    def function_called(self, func: cst.BaseExpression, scope: Scope, order: int) -> cst.FunctionDef | None:
        """The function of this module that `func(...)` runs, called at `order` in `scope`."""
        callee = self.callee(func, scope, order)
        return callee.function if callee is not None else None

    def callee(self, func: cst.BaseExpression, scope: Scope, order: int) -> Callee | None:
        """The function `func(...)` runs, and whether it binds the first parameter."""
        asked = (func, scope, order)
        if asked not in self._callees:
            self._callees[asked] = self._callee(func, scope, order)
        return self._callees[asked]

    def _callee(self, func: cst.BaseExpression, scope: Scope, order: int) -> Callee | None:
        if isinstance(func, cst.Name):
            defined = _one_definition(scope, func.value, order)
            return Callee(defined, False) if self._defined(defined) else None
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return None
        function = scope.function
        if function is not None and function.owner is not None and func.value.value == function.self_name:
            method = self.method(function.owner, func.attr.value)
            return Callee(method, not _is_static(method)) if method is not None else None
        return self.class_function(func, scope)

    def class_instantiated(self, func: cst.BaseExpression, scope: Scope, order: int) -> cst.ClassDef | None:
        """The class of this module that `func(...)` instantiates: `Report(...)`."""
        if not isinstance(func, cst.Name):
            return None
        defined = _one_definition(scope, func.value, order)
        return defined if isinstance(defined, cst.ClassDef) else None

    def method(self, owner: Scope, name: str) -> cst.FunctionDef | None:
        """The method `name` of a class (`owner`, a class scope): its last definition in the
        class body, or the one it inherits from a base class of this module."""
        bindings = owner.bindings.get(name, [])
        if bindings:
            defined = bindings[-1].value if bindings[-1].kind == "def" else None
            return defined if self._defined(defined) else None
        return self.inherited_method(owner, name)

    def inherited_method(self, owner: Scope, name: str, depth: int = 0) -> cst.FunctionDef | None:
        """The method `name` a class (`owner`, a class scope) inherits from a base class of
        this module (a mixin), when the class does not define it itself."""
        if depth > _MAX_BASES or not isinstance(owner.node, cst.ClassDef) or owner.parent is None:
            return None
        for base in owner.node.bases:
            if not isinstance(base.value, cst.Name):
                continue
            parent = _one_definition(owner.parent, base.value.value, self.spans.start(owner.node))
            if not isinstance(parent, cst.ClassDef):
                continue
            method = _method_of(parent, name)
            if method is not None:
                return method if method in self.functions else None
            scope = next((self.functions[s].scope.owner for s in parent.body.body
                          if isinstance(s, cst.FunctionDef) and s in self.functions), None)
            found = self.inherited_method(scope, name, depth + 1) if scope is not None else None
            if found is not None:
                return found
        return None

    def class_function(self, func: cst.Attribute, scope: Scope) -> Callee | None:
        """`Keys.product` where `Keys` is a class of this module and `product` its static or
        class method: the method, and whether its first parameter is bound (`cls`)."""
        if not isinstance(func.value, cst.Name):
            return None
        owner = _one_definition(scope, func.value.value, self.spans.start(func))
        if not isinstance(owner, cst.ClassDef):
            return None
        method = _method_of(owner, func.attr.value)
        if method is None or method not in self.functions:
            return None
        kinds = {dotted(d.decorator) for d in method.decorators}
        if "staticmethod" in kinds:
            return Callee(method, False)
        return Callee(method, True) if "classmethod" in kinds else None

    def _defined(self, node: object) -> TypeGuard[cst.FunctionDef]:
        return isinstance(node, cst.FunctionDef) and node in self.functions


def argument_for(call: cst.Call, callee: Callee, name: str) -> cst.BaseExpression | None:
    """What `call` passes for the parameter `name` of the function it runs: its argument,
    else the parameter's default; None when that is not known (a starred argument)."""
    params = callee.function.params
    positional = [*params.posonly_params, *params.params][1 if callee.binds_first else 0:]
    given = []
    for argument in call.args:
        if argument.star:
            return None
        if argument.keyword is not None and argument.keyword.value == name:
            return argument.value
        if argument.keyword is None:
            given.append(argument.value)
    for param, value in zip(positional, given):
        if param.name.value == name:
            return value
    default = next((param.default for param in [*positional, *params.kwonly_params] if param.name.value == name), None)
    return default


def _one_definition(scope: Scope, name: str, order: int) -> object:
    """The function or class `name` is where it is used at `order`, when the one binding
    visible there is a `def` or `class` statement; otherwise None."""
    bindings = scope.lookup(name, order)
    return bindings[0].value if len(bindings) == 1 and bindings[0].kind == "def" else None


def _is_static(method: cst.FunctionDef) -> bool:
    return any(dotted(d.decorator) == "staticmethod" for d in method.decorators)


def _method_of(owner: cst.ClassDef, name: str) -> cst.FunctionDef | None:
    """The one method `name` a class body defines, or None."""
    methods = [s for s in owner.body.body if isinstance(s, cst.FunctionDef) and s.name.value == name]
    return methods[0] if len(methods) == 1 else None
