"""Whether one statement of a function can run after another in the same call.

Source order is the first approximation; two things break it. Statements in exclusive
branches never both run (the `if` and `else` suites of one `if`, two `except` handlers,
two `case`s). And a `return` or `raise` after the earlier statement, in a suite the
later one is outside of, ends the call first:

    if product is None:
        cache.delete(key)      # may_follow(this, save) is False:
        return None            #   the branch returns before the save
    product.save()

Loops are not unrolled: a statement earlier in a loop body is taken to run before a
later one, not after it.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import libcst as cst

from cachelint.model.core.reaching import suites


class _Level(NamedTuple):
    """Where a position is at one nesting level: which suite of which statement, and
    the index of the statement of that suite that holds the position."""

    owner: cst.CSTNode
    suite: object
    statements: Sequence[cst.CSTNode]
    at: int


class Flow:
    """Answers `may_follow` for positions (byte offsets) inside one function or module."""

    def __init__(self, body: cst.CSTNode, spans) -> None:
        self.body = body
        self.spans = spans

    def may_follow(self, earlier: int, later: int) -> bool:
        """Whether the code at offset `later` can run after the code at `earlier` (< later)."""
        path_a, path_b = self._path(earlier), self._path(later)
        if path_a == path_b:
            return True  # one statement
        depth = 0
        while depth < min(len(path_a), len(path_b)):
            a, b = path_a[depth], path_b[depth]
            if a.suite != b.suite:
                return not (_exclusive(a.owner, a.suite, b.suite) or _exits(path_a[depth:]))
            if a.at != b.at:
                until_b = a.statements[a.at:b.at]
                return not (any(_is_exit(statement) for statement in until_b) or _exits(path_a[depth + 1:]))
            depth += 1
        return not _exits(path_a[depth:])

    def _path(self, position: int) -> list[_Level]:
        path: list[_Level] = []
        owner = self.body
        while True:
            for suite, statements in suites(owner):
                index = self._holding(statements, position)
                if index is not None:
                    path.append(_Level(owner, suite, statements, index))
                    owner = statements[index]
                    break
            else:
                return path
            if isinstance(owner, (cst.FunctionDef, cst.ClassDef)):
                return path

    def _holding(self, statements: Sequence[cst.CSTNode], position: int) -> int | None:
        for index, statement in enumerate(statements):
            span = self.spans[statement]
            if span.start <= position < span.start + span.length:
                return index
        return None


def _exits(path: list[_Level]) -> bool:
    """Whether the call ends (return, raise) at or after the position `path` leads to,
    before leaving the outermost suite of `path`."""
    return any(_is_exit(statement) for level in path for statement in level.statements[level.at:])


def _is_exit(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(small, (cst.Return, cst.Raise)) for small in statement.body
    )


def _exclusive(owner: cst.CSTNode, first: object, second: object) -> bool:
    if isinstance(owner, cst.If):
        return True  # `body` and `else`
    if isinstance(owner, (cst.Try, cst.TryStar)):
        handlers = [suite for suite in (first, second) if isinstance(suite, tuple)]
        return len(handlers) == 2 or (len(handlers) == 1 and "else" in (first, second))
    return isinstance(owner, cst.Match)
