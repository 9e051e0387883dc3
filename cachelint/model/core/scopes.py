"""Scopes and name bindings of one module, collected in a single walk of its CST.

This is the small replacement for LibCST's scope and qualified-name providers, which
cost several parses each (DESIGN.md, performance facts): every scope records what each
of its names is bound to, in source order, and a name is looked up the way Python does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

import libcst as cst

# What a name is bound to, by the binding's kind: the qualified name (import), the
# expression (assign, with, for), the Param (param), the FunctionDef or ClassDef (def), the
# AugAssign or nothing (other), nothing (annotation).
BoundValue: TypeAlias = str | cst.BaseExpression | cst.Param | cst.FunctionDef | cst.ClassDef | cst.AugAssign | None


@dataclass
class Binding:
    """`name` bound at `order` (a byte offset) to something the model may follow."""

    kind: str  # "import", "assign", "param", "with", "for", "def", "annotation", "other"
    order: int
    scope: Scope  # the scope the name is bound in (for an attribute, the method or class body)
    value: BoundValue = None
    annotation: cst.BaseExpression | None = None

    @property
    def expression(self) -> cst.BaseExpression | None:
        """The expression bound (assign, with, for), else None."""
        value = self.value
        return value if isinstance(value, cst.BaseExpression) else None

    @property
    def assigned(self) -> cst.BaseExpression | None:
        """The expression an assignment binds (`x = …`, `x: T = …`, `x := …`), else None."""
        value = self.value
        return value if self.kind == "assign" and isinstance(value, cst.BaseExpression) else None

    @property
    def parameter(self) -> cst.Param | None:
        """The parameter a `param` binding is, else None."""
        value = self.value
        return value if isinstance(value, cst.Param) else None

    @property
    def imported(self) -> str | None:
        """The qualified name an import binds, else None."""
        value = self.value
        return value if isinstance(value, str) else None

    @property
    def definition(self) -> cst.FunctionDef | cst.ClassDef | None:
        """The function or class a `def`/`class` statement binds, else None."""
        value = self.value
        return value if isinstance(value, (cst.FunctionDef, cst.ClassDef)) else None


@dataclass(eq=False)
class Scope:
    kind: str  # "module", "class" or "function"
    node: cst.Module | cst.ClassDef | cst.FunctionDef
    parent: Scope | None
    name: str = ""
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    # For a class: what `self.<attr> = …` in its methods and `<attr> = …` in its body bind.
    attributes: dict[str, list[Binding]] = field(default_factory=dict)
    # For a method: its class scope and the name of its first parameter (self, cls).
    owner: Scope | None = None
    self_name: str | None = None

    # The innermost function this scope is, or is nested in (set once: a scope's parent never changes).
    function: Scope | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.function = self if self.kind == "function" else self.parent.function if self.parent is not None else None

    @property
    def enclosing(self) -> Scope:
        """The scope this one is defined in: for a function or class, where its `def` or
        `class` statement is (a module, having none, is its own)."""
        return self.parent if self.parent is not None else self

    @property
    def function_def(self) -> cst.FunctionDef | None:
        """The `def` of the innermost function this scope is, or is nested in."""
        function = self.function
        return function.node if function is not None and isinstance(function.node, cst.FunctionDef) else None

    def bind(self, name: str, kind: str, order: int, value: BoundValue = None,
             annotation: cst.BaseExpression | None = None) -> None:
        self.bindings.setdefault(name, []).append(Binding(kind, order, self, value, annotation))

    def lookup(self, name: str, order: int) -> list[Binding]:
        """The bindings a use of `name` at `order` may see, most likely first.

        In the scope of the use, only the last binding before it counts; in enclosing
        scopes (read later, when the function runs) every binding may, latest first.
        Class bodies are skipped for uses inside their methods, as in Python.
        """
        scope: Scope | None = self
        while scope is not None:
            if scope.kind == "class" and scope is not self:
                scope = scope.parent
                continue
            bindings = scope.bindings.get(name)
            if bindings:
                if scope is self:  # the last binding before the use, found from the end
                    for binding in reversed(bindings):
                        if binding.order <= order:
                            return [binding]
                    return []
                return list(reversed(bindings))
            scope = scope.parent
        return []


def qualified_name(expr: cst.BaseExpression, scope: Scope, order: int) -> str | None:
    """`redis.asyncio.Redis` for `aioredis.Redis` after `import redis.asyncio as aioredis`."""
    text = dotted(expr)
    return qualified_text(text, scope, order) if text is not None else None


def qualified_text(text: str, scope: Scope, order: int) -> str | None:
    """`qualified_name` of a dotted name's text."""
    head, _, rest = text.partition(".")
    bindings = scope.lookup(head, order)
    if not bindings or bindings[0].kind != "import":
        return None
    base = bindings[0].imported
    return f"{base}.{rest}" if rest and base is not None else base


def dotted(expr: cst.BaseExpression) -> str | None:
    """The dotted text of a Name/Attribute chain, without resolving imports."""
    # Exact type tests: `isinstance` against LibCST's abstract node classes is slow when it
    # fails, and this runs for most expressions the model meets (neither class has subclasses).
    if type(expr) is cst.Name:
        return expr.value
    parts: list[str] = []
    while type(expr) is cst.Attribute:
        parts.append(expr.attr.value)
        expr = expr.value
    if type(expr) is not cst.Name:
        return None
    return ".".join([expr.value, *reversed(parts)])
