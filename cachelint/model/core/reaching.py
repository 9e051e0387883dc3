"""Reaching definitions: which assignments of a name a use may see.

Within a function, a name may be assigned on several paths before it is read:

    if fast:
        key = "a"              # bindings(key at the return) -> both assignments,
    else:                      #   most recent first
        key = "b"
    return r.get(key)

An assignment that always runs before the use (in a suite that encloses the use) hides
every earlier one; one in another branch does not. Class bodies and module-level reads
from elsewhere fall back to the scope's plain lookup.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import libcst as cst

from cachelint.model.core.scopes import Binding, Scope


class Step(NamedTuple):
    """A variable a dynamic value passed through: `name = value` in `scope`."""

    name: str
    scope: Scope
    value: cst.BaseExpression | None


class ReachingDefinitions:
    """Reaching definitions for one module; the suites of each scope are indexed on first use."""

    def __init__(self, spans) -> None:
        self.spans = spans
        self._blocks: dict[cst.CSTNode, _Blocks] = {}

    def values_of(self, name: cst.Name, scope: Scope) -> list[Step]:
        """The assignments whose value `name` may have where it is used, most recent first
        (every branch that can reach the use); parameters and the like are left out."""
        return [
            Step(name.value, binding.scope, binding.expression)
            for binding in self.bindings(name.value, scope, self.spans.start(name))
            if binding.kind == "assign"
        ]

    def bindings(self, name: str, scope: Scope, position: int) -> list[Binding]:
        """The bindings of `name` a use at `position` may see, most recent first."""
        own = scope.bindings.get(name)
        if not own or scope.kind == "class":
            return scope.lookup(name, position)
        earlier = bisect.bisect_right(own, position, key=lambda binding: binding.order)
        if earlier <= 1:
            return own[:earlier]
        blocks = self._blocks_of(scope)
        use = blocks.chain(position)
        found = []
        for binding in reversed(own[:earlier]):
            found.append(binding)
            if binding.kind in ("param", "import", "def") or _is_prefix(blocks.chain(_position(binding)), use):
                break
        return found

    def runs_before(self, scope: Scope, statement: int, use: int) -> bool:
        """The statement at offset `statement` (before `use`, both in `scope`) runs on every
        path that reaches `use`: it is in a suite that encloses the use."""
        blocks = self._blocks_of(scope)
        return _is_prefix(blocks.chain(statement), blocks.chain(use))

    def exclusive(self, scope: Scope, statement: int, use: int) -> bool:
        """The statement at offset `statement` and `use` are on two branches of one `if` (its
        body and its `else`, or an `elif`) that no loop holds: the statement cannot run
        before the use."""
        blocks = self._blocks_of(scope)
        written, used = blocks.path(statement), blocks.path(use)
        for index, (a, b) in enumerate(zip(written, used)):
            if a[0] is b[0]:
                continue
            # `a` and `b` are two statements of the statement before them: in one suite, or two.
            parent = written[index - 1][0] if index else None
            return a[1] != b[1] and isinstance(parent, cst.If) \
                and not any(isinstance(each[0], (cst.For, cst.While)) for each in written[:index])
        return False

    def _blocks_of(self, scope: Scope) -> _Blocks:
        blocks = self._blocks.get(scope.node)
        if blocks is None:
            blocks = self._blocks[scope.node] = _Blocks(scope.node, self.spans)
        return blocks


_NO_SUITES_WALKED = frozenset({cst.SimpleStatementLine, cst.FunctionDef, cst.ClassDef})


class _Blocks:
    """Which suite of which compound statement each position of one scope's body is in,
    to tell an assignment that always runs before a use from one in another branch."""

    def __init__(self, body: cst.CSTNode, spans) -> None:
        self.spans = spans
        # Every statement in source order (a pre-order walk): start, end, parent's index, chain.
        self.entries: list[tuple[int, int, int, tuple]] = []
        self.sits: list[tuple[cst.CSTNode, object]] = []  # each entry's statement, and the suite it is in
        self._walk(body, (), -1)
        self.starts = [entry[0] for entry in self.entries]

    def _walk(self, node: cst.CSTNode, chain: tuple, parent: int) -> None:
        for suite_name, suite in suites(node):
            for statement in suite:
                span = self.spans[statement]
                index = len(self.entries)
                self.entries.append((span.start, span.start + span.length, parent, chain))
                self.sits.append((statement, suite_name))
                # Exact types (no node class has subclasses): most statements are simple
                # lines, which hold no suite, and failing `isinstance` tests on nodes is slow.
                if type(statement) not in _NO_SUITES_WALKED:
                    self._walk(statement, (*chain, (statement, suite_name)), index)

    def path(self, position: int) -> tuple:
        """The statements that hold `position`, outermost first, each with the suite of the
        one before it that it is in (`(if_node, "else")`)."""
        index = bisect.bisect_right(self.starts, position) - 1
        while index >= 0:
            start, end, parent, _ = self.entries[index]
            if start <= position < end:
                break
            index = parent
        found = []
        while index >= 0:
            found.append(self.sits[index])
            index = self.entries[index][2]
        return tuple(reversed(found))

    def chain(self, position: int) -> tuple:
        index = bisect.bisect_right(self.starts, position) - 1
        while index >= 0:
            start, end, parent, chain = self.entries[index]
            if start <= position < end:
                return chain
            # The innermost statement holding `position` encloses the last one started before it.
            index = parent
        return ()


def suites(node: cst.CSTNode) -> Iterator[tuple[object, Sequence[cst.CSTNode]]]:
    """The statement lists directly inside `node`, each with a name unique within `node`."""
    if isinstance(node, cst.Module):
        yield "body", node.body
        return
    body = getattr(node, "body", None)
    if isinstance(body, cst.BaseSuite):
        yield "body", body.body if isinstance(body, cst.IndentedBlock) else [body]
    if isinstance(node, (cst.Try, cst.TryStar)):
        handlers: Sequence[cst.ExceptHandler | cst.ExceptStarHandler] = node.handlers
        for index, handler in enumerate(handlers):
            yield ("except", index), _block(handler.body)
    if isinstance(node, cst.Match):
        for index, case in enumerate(node.cases):
            yield ("case", index), _block(case.body)
    orelse = getattr(node, "orelse", None)
    if isinstance(orelse, cst.If):
        yield "else", [orelse]
    elif isinstance(orelse, cst.Else):
        yield "else", _block(orelse.body)
    if isinstance(node, (cst.Try, cst.TryStar)) and node.finalbody is not None:
        yield "finally", _block(node.finalbody.body)


def _block(suite: cst.BaseSuite) -> list[cst.CSTNode]:
    return list(suite.body) if isinstance(suite, cst.IndentedBlock) else [suite]


def _position(binding: Binding) -> int:
    # Assignments are recorded at their end; step back inside the statement.
    return binding.order - 1 if binding.kind == "assign" else binding.order


def _is_prefix(chain: tuple, of: tuple) -> bool:
    return len(chain) <= len(of) and all(a[0] is b[0] and a[1] == b[1] for a, b in zip(chain, of))
