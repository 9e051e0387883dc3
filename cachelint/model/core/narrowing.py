"""What a function body says of a variable's truth between where it is bound and where it
is used: the tests that guard the use, and the statements that fill an empty collection.

    def user_ids(flag):
        ids = set(flag.users.values_list("pk", flat=True))
        if not ids:                       # a guard: past it, every earlier value of `ids`
            cache.add(key, EMPTY)         #   is truthy (the body leaves the function,
            return set()                  #   or binds `ids` again)
        cache.add(key, ids)               # truthy_after(ids at this use) -> the `if`'s start

    def widget(request):
        data = {}
        data["type"] = request.GET["style"]   # filled on every path to the use: never empty
        for event in events(request):          # filled in a loop: empty when it does not run;
            data[event.pk] = event.name        #   fills(data) gives the loop's iterable
        cache.set(key, data, 30)

A guard is `if not x:` that always runs before the use and whose body exits or binds `x`
again at its top level, or `if x:` (the `else` of `if not x:`) whose side holds the use.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from cachelint.model.core.branches import exits
from cachelint.model.core.nodes import children
from cachelint.model.core.reaching import ReachingDefinitions
from cachelint.model.core.scopes import Scope

# Methods that always add an element to the collection they are called on.
_ADDING_METHODS = frozenset({"append", "appendleft", "add", "insert", "setdefault"})
# Methods that may add elements (their argument may be empty).
_MAYBE_ADDING_METHODS = frozenset({"extend", "update"})


@dataclass(frozen=True)
class Fill:
    """A statement that adds to a collection variable, and the loops it runs in."""

    start: int
    always: bool  # it adds whatever its argument is (`x[k] = v`, `x.append(v)`)
    loops: tuple[cst.CSTNode, ...]  # the enclosing `for` / `while` statements, outermost first


@dataclass
class _BodyFacts:
    guards: dict[str, list[cst.If]] = field(default_factory=dict)  # `if x:` / `if not x:`
    fills: dict[str, list[Fill]] = field(default_factory=dict)


class Narrowing:
    """Guards and fills of the function bodies of one module, read on first use of each body."""

    def __init__(self, reaching: ReachingDefinitions, spans) -> None:
        self.reaching = reaching
        self.spans = spans
        self._facts: dict[cst.CSTNode, _BodyFacts] = {}

    def truthy_after(self, name: str, scope: Scope, use: int) -> int:
        """The offset before which every binding of `name` is known truthy at `use` (0: none)."""
        cutoff = 0
        for node in self._of(scope).guards.get(name, ()):
            start = self.spans.start(node)
            if start <= cutoff or start >= use:
                continue
            negated = isinstance(node.test, cst.UnaryOperation)
            # Past `if not x:` whose body leaves or binds `x`; or on the side where `x` is true.
            passed = negated and self._end(node) <= use and self.reaching.runs_before(scope, start, use) \
                and (exits(node.body) or _binds_at_top(node.body, name))
            if passed or self._inside(use, node.orelse if negated else node.body):
                cutoff = start
        return cutoff

    def fills(self, name: str, scope: Scope, after: int, use: int) -> list[Fill]:
        """The statements that add to the collection `name` between `after` and `use`; `always`
        only for those that run on every path to the use."""
        found = []
        for fill in self._of(scope).fills.get(name, ()):
            if after < fill.start < use:
                always = fill.always and not fill.loops and self.reaching.runs_before(scope, fill.start, use)
                found.append(Fill(fill.start, always, fill.loops))
        return found

    def _of(self, scope: Scope) -> _BodyFacts:
        node = scope.node
        facts = self._facts.get(node)
        if facts is None:
            facts = self._facts[node] = _BodyFacts()
            body = node.body if isinstance(node, cst.FunctionDef) else node
            self._walk(body, (), facts)
        return facts

    def _walk(self, node: cst.CSTNode, loops: tuple[cst.CSTNode, ...], facts: _BodyFacts) -> None:
        # Exact types, cheaper than failing `isinstance` tests (no node class has subclasses).
        if type(node) is cst.FunctionDef or type(node) is cst.ClassDef or type(node) is cst.Lambda:
            return
        if type(node) is cst.If:
            tested = node.test.expression if isinstance(node.test, cst.UnaryOperation) \
                and isinstance(node.test.operator, cst.Not) else node.test
            if isinstance(tested, cst.Name):
                facts.guards.setdefault(tested.value, []).append(node)
        elif type(node) is cst.SimpleStatementLine:
            for statement in node.body:
                filled = _filled(statement)
                if filled is not None:
                    facts.fills.setdefault(filled[0], []).append(Fill(self.spans.start(node), filled[1], loops))
            return
        if type(node) is cst.For or type(node) is cst.While:
            loops = (*loops, node)
        for child in children(node):
            self._walk(child, loops, facts)

    def _end(self, node: cst.CSTNode) -> int:
        span = self.spans[node]
        return span.start + span.length

    def _inside(self, offset: int, node: cst.CSTNode | None) -> bool:
        return node is not None and self.spans.start(node) <= offset < self._end(node)


def _filled(statement: cst.BaseSmallStatement) -> tuple[str, bool] | None:
    """The collection a small statement adds to (a variable, or an attribute of one named
    `self.aliases`), and whether it surely adds: `x[k] = v` and `x.append(v)` do,
    `x.update(other)` may."""
    if isinstance(statement, cst.Assign):
        for target in statement.targets:
            subscripted = target.target
            if isinstance(subscripted, cst.Subscript):
                name = _collection(subscripted.value)
                if name is not None:
                    return name, True
        return None
    call = statement.value if isinstance(statement, cst.Expr) else None
    if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute):
        method = call.func.attr.value
        name = _collection(call.func.value)
        if name is not None and (method in _ADDING_METHODS or method in _MAYBE_ADDING_METHODS):
            return name, method in _ADDING_METHODS
    return None


def _collection(expr: cst.BaseExpression) -> str | None:
    """`x` for a variable, `self.aliases` for an attribute of one; None for anything else."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        return f"{expr.value.value}.{expr.attr.value}"
    return None


def _binds_at_top(block: cst.BaseSuite, name: str) -> bool:
    """A statement at the top level of `block` assigns `name`."""
    for line in block.body:
        if not isinstance(line, cst.SimpleStatementLine):
            continue
        for statement in line.body:
            if isinstance(statement, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value == name for t in statement.targets):
                return True
            if isinstance(statement, cst.AnnAssign) and isinstance(statement.target, cst.Name) \
                    and statement.target.value == name and statement.value is not None:
                return True
    return False
