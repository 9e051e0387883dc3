"""One module as every analysis sees it: its source, its tree with node spans, and what the
one walk over it found (scopes, functions, calls, `with` statements, truth tests), with
the core analyses over them: reaching definitions and the call resolver.

Analyses of the `cache` and `app` layers take a `SourceModule` and the other analyses
they use, never the whole model (`cachelint.model.build.ModuleModel` extends this class).
"""
from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field

import libcst as cst

from cachelint.diagnostic import Location
from cachelint.model.core.calls import CallResolver
from cachelint.model.core.collect import Site
from cachelint.model.core.facts import FunctionInfo, TruthTest
from cachelint.model.core.modules import is_test_code
from cachelint.model.core.positions import Spans
from cachelint.model.core.reaching import ReachingDefinitions
from cachelint.model.core.scopes import Binding, Scope


@dataclass(eq=False, kw_only=True)
class SourceModule:
    path: str
    source: bytes
    module: cst.Module
    spans: Spans  # node -> Span (byte offset and length)
    module_scope: Scope
    every_scope: list[Scope] = field(default_factory=list)  # the module's, its classes' and its functions'
    functions: dict[cst.FunctionDef, FunctionInfo]
    truth_tests: list[TruthTest] = field(default_factory=list)
    for_loops: dict[cst.BaseExpression, cst.For] = field(default_factory=dict)
    calls: list[Site[cst.Call]] = field(default_factory=list)  # every call, in source order
    withs: list[Site[cst.With]] = field(default_factory=list)  # every `with` statement
    # The file's row for each row of `source`, when that holds only some of the file's
    # statements (cachelint.sparse); None when it is the whole file.
    rows: tuple[int, ...] | None = None
    # Characters at the start of a file's row that `source` lacks (the indentation up to a
    # form feed, which LibCST would drop: cachelint.parsing.prepare), by the file's row.
    column_shift: dict[int, int] = field(default_factory=dict)
    reaching: ReachingDefinitions = field(init=False)  # which assignments of a name a use may see
    call_resolver: CallResolver = field(init=False)  # which function of the module a call runs
    _line_starts: list[int] = field(default_factory=list, init=False)
    _ascii: bool = field(default=False, init=False)  # the source is ASCII (set with _line_starts)
    _code: dict[cst.CSTNode, str] = field(default_factory=dict, init=False)  # rules ask for the same nodes again

    def __post_init__(self) -> None:
        self.reaching = ReachingDefinitions(self.spans)
        self.call_resolver = CallResolver(self.functions, self.spans)

    def release(self) -> None:
        """Let go of everything, once the file's result is out. Scopes and their bindings
        refer to each other, and so do the model and its analyses: left as they are, the
        module's tree would be garbage that only the cyclic collector finds, scanning its
        million objects again (a seventh of the time of a big module); emptied, reference
        counting frees it at once. Nothing may use the model after."""
        for scope in self.every_scope:
            scope.bindings.clear()
            scope.attributes.clear()
            scope.function = scope.parent = scope.owner = None
        vars(self).clear()

    @property
    def is_test_code(self) -> bool:
        """The file is a test of the project (cachelint.model.core.modules.is_test_code)."""
        return is_test_code(self.path)

    # ------------------------------------------------------------------ positions

    def location(self, offset: int, is_end: bool = False) -> Location:
        """The file's 1-based row and character column of a byte offset of `source` (of the
        end of a span with `is_end`: an end at a row's very start, after a newline, precedes
        the characters `source` lacks there)."""
        if not self._line_starts:
            self._line_starts = [0, *itertools.accumulate(len(line) + 1 for line in self.source.split(b"\n")[:-1])]
            self._ascii = self.source.isascii()
        row = bisect.bisect_right(self._line_starts, offset)
        line_start = self._line_starts[row - 1]
        if self._ascii:  # a byte is a character: the bytes need not be decoded to be counted
            column = min(offset, len(self.source)) - line_start + 1
        else:
            column = len(self.source[line_start:offset].decode("utf-8", "replace")) + 1
        row = self._file_row(row)
        if self.column_shift and not (is_end and column == 1):
            column += self.column_shift.get(row, 0)
        return Location(row, column)

    def _file_row(self, row: int) -> int:
        if self.rows is None:
            return row
        if row <= len(self.rows):
            return self.rows[row - 1]
        return self.rows[-1] + row - len(self.rows)  # the end of the last line

    def range(self, node: cst.CSTNode) -> tuple[Location, Location]:
        span = self.spans[node]
        return self.location(span.start), self.location(span.start + span.length, is_end=True)

    def statement_rows(self, statement: cst.CSTNode) -> tuple[int, int]:
        """The rows of a statement, or of a compound statement's header (decorators included)."""
        if statement is self.module:
            return (0, 0)
        start, end = self.range(statement)
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)) and statement.decorators:
            # a def or class span starts at `def`/`class`
            start = self.range(statement.decorators[0])[0]
        if isinstance(statement, (cst.Try, cst.Match)):
            return (start.row, start.row)
        header_end = _header_end(statement)
        if header_end is not None:
            end = self.range(header_end)[1]
        return (start.row, end.row)

    def code(self, node: cst.CSTNode) -> str:
        text = self._code.get(node)
        if text is None:
            text = self._code[node] = self._on_one_line(node) or self.module.code_for_node(node)
        return text

    def _on_one_line(self, node: cst.CSTNode) -> str | None:
        """The code of an expression of `SPANNED_WHOLE` without parentheses, on one line, as
        the source spells it: there LibCST's code for the node (made again, a tenth of a
        big module's time) is the text of its span. A node on several lines is not: LibCST
        makes it without the indentation of the lines it continues on. None for the others."""
        if type(node) not in SPANNED_WHOLE or node.lpar:  # type: ignore[attr-defined]  # every one has parentheses
            return None
        span = self.spans[node]
        text = self.source[span.start:span.start + span.length]
        return None if b"\n" in text or b"\r" in text else text.decode("utf-8")

    def binding_of(self, name: cst.Name, scope: Scope, order: int) -> Binding | None:
        """The binding a use of `name` sees, when there is exactly one candidate."""
        bindings = scope.lookup(name.value, order)
        return bindings[0] if len(bindings) == 1 else None


# The expressions whose span, without parentheses, is all their code (no field of theirs,
# a comma or whitespace, lies outside it).
SPANNED_WHOLE = frozenset({
    cst.Attribute, cst.Await, cst.BinaryOperation, cst.BooleanOperation, cst.Call, cst.Comparison,
    cst.ConcatenatedString, cst.Dict, cst.DictComp, cst.Ellipsis, cst.Float, cst.FormattedString, cst.GeneratorExp,
    cst.IfExp, cst.Imaginary, cst.Integer, cst.Lambda, cst.List, cst.ListComp, cst.Name, cst.NamedExpr, cst.Set,
    cst.SetComp, cst.SimpleString, cst.Subscript, cst.Tuple, cst.UnaryOperation, cst.Yield,
})


def _header_end(statement: cst.CSTNode) -> cst.CSTNode | None:
    """The last node of a compound statement's header, or None for a simple statement."""
    if isinstance(statement, (cst.If, cst.While)):
        return statement.test
    if isinstance(statement, cst.For):
        return statement.iter
    if isinstance(statement, cst.With):
        return statement.items[-1]
    if isinstance(statement, cst.FunctionDef):
        return statement.returns.annotation if statement.returns else statement.name
    if isinstance(statement, cst.ClassDef):
        return statement.name
    return None
