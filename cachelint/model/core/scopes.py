"""Scopes and name bindings of one module, collected in a single walk of its CST.

This is the small replacement for LibCST's scope and qualified-name providers, which
cost several parses each (DESIGN.md, performance facts): every scope records what each
of its names is bound to, in source order, and a name is looked up the way Python does.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst


@dataclass
class Binding:
    """`name` bound at `order` (a byte offset) to something the model may follow."""

    kind: str  # "import", "assign", "param", "with", "for", "def", "other"
    order: int
    value: object = None  # qualified name (import), expression (assign/with/for), Param, def node, AugAssign
    scope: Scope | None = None
    annotation: cst.BaseExpression | None = None


@dataclass(eq=False)
class Scope:
    kind: str  # "module", "class" or "function"
    node: cst.CSTNode
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

    def bind(self, name: str, binding: Binding) -> None:
        binding.scope = self
        self.bindings.setdefault(name, []).append(binding)

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
                if scope is self:
                    before = [b for b in bindings if b.order <= order]
                    return before[-1:]
                return list(reversed(bindings))
            scope = scope.parent
        return []


def qualified_name(expr: cst.BaseExpression, scope: Scope, order: int) -> str | None:
    """`redis.asyncio.Redis` for `aioredis.Redis` after `import redis.asyncio as aioredis`."""
    text = dotted(expr)
    if text is None:
        return None
    head, _, rest = text.partition(".")
    bindings = scope.lookup(head, order)
    if not bindings or bindings[0].kind != "import":
        return None
    base = bindings[0].value
    return f"{base}.{rest}" if rest else base


def dotted(expr: cst.BaseExpression) -> str | None:
    """The dotted text of a Name/Attribute chain, without resolving imports."""
    # Exact type tests: `isinstance` against LibCST's abstract node classes is slow when it
    # fails, and this runs for most expressions the model meets (neither class has subclasses).
    kind = type(expr)
    if kind is _NAME:
        return expr.value
    parts: list[str] = []
    while kind is _ATTRIBUTE:
        parts.append(expr.attr.value)
        expr = expr.value
        kind = type(expr)
    if kind is not _NAME:
        return None
    return ".".join([expr.value, *reversed(parts)])


_NAME, _ATTRIBUTE = cst.Name, cst.Attribute
