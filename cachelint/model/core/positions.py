"""Byte spans of every node and the model's walk, from one code-generation pass.

LibCST's `ByteSpanPositionProvider` finds spans by generating the module's code again and
counting bytes; a `CSTVisitor` walk then rebuilds every node on the way. Both cost more
than the parse (DESIGN.md, performance facts). Here a leaner code-generation state counts
the same bytes and records the order in which nodes are entered and left, and the
visitor is replayed over that record, so the tree is walked once and never rebuilt. The
spans are the provider's own (`CodeSpan`, same starts and lengths); the visitor sees the
same `visit_<Node>`/`leave_<Node>` calls in the same order, and metadata it reads through
`get_metadata(ByteSpanPositionProvider, node)` comes from these spans. Spans are kept by
`id(node)`: a LibCST node's own `__hash__` is a Python function, and a module has a
million nodes (the record of the walk keeps every node, and so its id, alive).

Whitespace (`SimpleWhitespace`, `Newline`, `EmptyLine`, comments…) is half of a module's
nodes, and nothing in the model asks where it is or visits it: its code is counted, but
it gets no span and is not in the record of the walk. Each span is kept as one integer
(start and length packed), not a tuple of two: with the whitespace, that makes the table
a third of its former size (it was about 140 MB per MB of module).

While a module's code is generated for its spans, two of LibCST's methods are replaced
(`_inlined`), for this state only: `CSTNode._codegen`, which calls the state before and
after each node (here the recording is inline: two calls fewer per node), and
`_parenthesize`, a generator-based context manager entered for every expression (here a
class). Together they are a quarter of the pass. The commonest nodes, a token each (names,
numbers, plain strings and f-strings' texts without parentheses, `.` `,` and the other
one-token operators between plain whitespace: half the nodes recorded), get a `_codegen`
of their own that counts and records their token without LibCST's calls (a fifth of the
pass). So do plain whitespace, line ends, blank or comment lines, line breaks inside
brackets and the ends of statement lines (only counted), and the commonest nodes that hold
others (calls, arguments, attributes, simple statement lines, expression statements,
assignments and their targets, subscripts, their elements and indexes, the elements of
lists, sets and tuples, brackets, indented blocks; parameters, annotations, `return`s,
names imported and `from` imports, operations and comparisons, dicts, lists, sets and
tuples, `if`/`elif`/`else` clauses, function definitions and their decorators: nine nodes
in ten of those recorded that are not a token), whose `_codegen` here does what LibCST's
`_codegen` and their `_codegen_impl` do together, without their calls and context
managers. A state of another kind (another thread's `node.code`, while the methods are
replaced) gets LibCST's own.
"""
from __future__ import annotations

import contextlib
import inspect
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple, cast

import libcst as cst
from libcst import MaybeSentinel
from libcst._nodes.base import CSTNode
from libcst._nodes.expression import _BaseParenthesizedNode
from libcst._nodes.internal import CodegenState
from libcst._nodes.op import _BaseOneTokenOp
from libcst.metadata import ByteSpanPositionProvider

_LEAVE = None  # in the record of a walk: the innermost node entered is left


class _SpanState(CodegenState):
    """What `SpanProvidingCodegenState` computes for the provider, without its per-token
    indirections and context-manager overhead, plus the order nodes are entered and left."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.position = 0
        self.spans: dict[int, int] = {}  # id(node) -> start and length, `_packed`
        self.walk: list[cst.CSTNode | None] = []
        self._starts: list[int] = []

    def add_indent_tokens(self) -> None:
        indent = self.indent_tokens
        if indent:
            if not self.tokens:
                self.tokens.append(indent[0])
            self.position += sum(map(len, indent))  # indentation is spaces and tabs (ASCII)

    def add_token(self, value: str) -> None:
        if not self.tokens:  # Module reads whether any token was added; the code itself is not kept
            self.tokens.append(value)
        self.position += len(value) if value.isascii() else len(value.encode("utf-8"))

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append(self.position)
        self.walk.append(node)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._starts.pop()
        self.spans.setdefault(id(node), _packed(start, self.position - start))  # a syntactic position recorded inside wins
        self.walk.append(_LEAVE)

    # The base class returns a generator-based context manager; LibCST only enters and
    # leaves what this returns, which a plain class does more cheaply.
    def record_syntactic_position(  # type: ignore[override]  # same protocol, cheaper class
        self, node, *, start_node=None, end_node=None,
    ) -> _Syntactic:
        return _Syntactic(self, node, start_node, end_node)


class _Syntactic:
    """The context manager `record_syntactic_position` returns (a class: cheaper than a
    generator-based one)."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: _SpanState, node, start_node, end_node) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = self.state.position

    def __exit__(self, *exc_info) -> None:
        spans = self.state.spans
        start = spans[id(self.start_node)] >> _LENGTH_BITS if self.start_node is not None else self.start
        if self.end_node is not None:
            end_start, end_length = _unpacked(spans[id(self.end_node)])
            end = end_start + end_length
        else:
            end = self.state.position
        spans[id(self.node)] = _packed(start, end - start)


_LENGTH_BITS = 40  # a span's length below, its start above (Python's integers have no upper bound)
_LENGTH_MASK = (1 << _LENGTH_BITS) - 1


def _packed(start: int, length: int) -> int:
    return start << _LENGTH_BITS | length


def _unpacked(packed: int) -> tuple[int, int]:
    return packed >> _LENGTH_BITS, packed & _LENGTH_MASK


class Span(NamedTuple):
    """Where a node's code is: UTF-8 byte offset and length, as LibCST's `CodeSpan`."""

    start: int
    length: int


_new_span = tuple.__new__


class Spans(Mapping):
    """Node -> `Span`, made when asked for: most nodes' spans are never read."""

    def __init__(self, raw: dict[int, int], walk: list[cst.CSTNode | None]) -> None:
        self._raw = raw
        self._walk = walk

    def __getitem__(self, node: cst.CSTNode) -> Span:
        packed = self._raw[id(node)]
        return _new_span(Span, (packed >> _LENGTH_BITS, packed & _LENGTH_MASK))  # Span(...) without its Python call

    def start(self, node: cst.CSTNode) -> int:
        """`self[node].start`, without making the `Span` (the commonest question: a third of the cost)."""
        return self._raw[id(node)] >> _LENGTH_BITS

    def __contains__(self, node: object) -> bool:
        return id(node) in self._raw

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return (node for node in self._walk if node is not _LEAVE)  # each node is entered once

    def __len__(self) -> int:
        return len(self._raw)


_LIBCST_CODEGEN = CSTNode.__dict__["_codegen"]
_LIBCST_PARENTHESIZE = _BaseParenthesizedNode.__dict__["_parenthesize"]


def _codegen(node: CSTNode, state: CodegenState, **kwargs: Any) -> None:
    """`CSTNode._codegen` with `_SpanState.before_codegen` and `after_codegen` inline."""
    if type(state) is not _SpanState:
        _LIBCST_CODEGEN(node, state, **kwargs)
        return
    start = state.position
    state.walk.append(node)
    node._codegen_impl(state, **kwargs)
    state.spans.setdefault(id(node), _packed(start, state.position - start))  # as after_codegen
    state.walk.append(_LEAVE)


def _codegen_unrecorded(node: CSTNode, state: CodegenState, **kwargs: Any) -> None:
    """`CSTNode._codegen` of whitespace (`UNRECORDED`): its code counted, nothing recorded."""
    if type(state) is not _SpanState:
        _LIBCST_CODEGEN(node, state, **kwargs)
        return
    node._codegen_impl(state, **kwargs)


def _simple_whitespace(node: cst.SimpleWhitespace, state: CodegenState, **kwargs: Any) -> None:
    """`_codegen` of plain whitespace (`SimpleWhitespace`, the commonest node): its value
    counted (spaces, tabs, form feeds and backslash continuations: ASCII)."""
    if type(state) is not _SpanState:
        _LIBCST_CODEGEN(node, state, **kwargs)
        return
    value = node.value
    if not state.tokens:
        state.tokens.append(value)
    state.position += len(value)


def _newline(node: cst.Newline, state: CodegenState, **kwargs: Any) -> None:
    """`_codegen` of a line's end: its value, or the module's default (ASCII either way)."""
    if type(state) is not _SpanState:
        _LIBCST_CODEGEN(node, state, **kwargs)
        return
    value = state.default_newline if node.value is None else node.value
    if not state.tokens:
        state.tokens.append(value)
    state.position += len(value)


def _whitespace(node: cst.BaseParenthesizableWhitespace, state: _SpanState) -> None:
    """Whitespace inside a node, after a token of it: plain whitespace counted without a
    call of its own, other whitespace (a line break inside brackets) generated."""
    if type(node) is cst.SimpleWhitespace:
        state.position += len(node.value)
    else:
        node._codegen(state)


def _parenthesize(node: _BaseParenthesizedNode, state: CodegenState) -> contextlib.AbstractContextManager[None]:
    if type(state) is not _SpanState:
        return _LIBCST_PARENTHESIZE(node, state)
    return _Parenthesized(node, state)


class _Parenthesized:
    """What `_BaseParenthesizedNode._parenthesize` does: the node's left parentheses, its
    syntactic position recorded (as `_Syntactic` records it) around its code, then its
    right parentheses."""

    __slots__ = ("node", "state", "start")

    def __init__(self, node: _BaseParenthesizedNode, state: _SpanState) -> None:
        self.node, self.state = node, state

    def __enter__(self) -> None:
        for lpar in self.node.lpar:
            lpar._codegen(self.state)
        self.start = self.state.position

    def __exit__(self, *exc_info) -> None:
        state = self.state
        state.spans[id(self.node)] = _packed(self.start, state.position - self.start)
        for rpar in self.node.rpar:
            rpar._codegen(state)


def _leaf(node: cst.Name | cst.Integer | cst.Float | cst.Imaginary | cst.SimpleString | cst.FormattedStringText,
          state: CodegenState, **kwargs: Any) -> None:
    """`_codegen` of a one-token expression (`LEAVES`) without parentheses, whose
    `_codegen_impl` is its `value` inside `_parenthesize`, or of an f-string's literal part
    (its `value`, no parentheses): its span is its token's, and it is entered and left."""
    if type(state) is not _SpanState or type(node) is not cst.FormattedStringText and (node.lpar or node.rpar):  # type: ignore[union-attr]  # not an f-string text: a leaf
        _codegen(node, state, **kwargs)
        return
    value = node.value
    if not state.tokens:
        state.tokens.append(value)
    start = state.position
    length = len(value) if value.isascii() else len(value.encode("utf-8"))
    state.position = start + length
    state.spans[id(node)] = start << _LENGTH_BITS | length
    walk = state.walk
    walk.append(node)
    walk.append(_LEAVE)


def _operator(node: _BaseOneTokenOp, state: CodegenState, **kwargs: Any) -> None:
    """`_codegen` of a one-token operator (`.`, `,`, `+`, `==`…): its span is its token's
    (`_BaseOneTokenOp._codegen_impl` records it as its syntactic position); plain
    whitespace around it is only counted, other whitespace (a line break inside brackets)
    generated."""
    if type(state) is not _SpanState:
        _codegen(node, state, **kwargs)
        return
    before, after = node.whitespace_before, node.whitespace_after
    token = node._get_token()
    if type(before) is cst.SimpleWhitespace:
        if not state.tokens:
            state.tokens.append(before.value)
        start = state.position + len(before.value)  # plain whitespace and operators are ASCII
    else:
        before._codegen(state)
        if not state.tokens:
            state.tokens.append(token)
        start = state.position
    state.position = start + len(token)
    state.spans[id(node)] = start << _LENGTH_BITS | len(token)
    walk = state.walk
    walk.append(node)
    walk.append(_LEAVE)
    if type(after) is cst.SimpleWhitespace:
        state.position += len(after.value)
    else:
        after._codegen(state)


# The commonest nodes that hold others (a quarter of the nodes recorded): calls, their
# arguments, attributes, simple statements, expression statements and assignments. Each
# function below does what LibCST's `_codegen` and the class's `_codegen_impl` do
# together (the code counted in the same order, the same span and record of the walk),
# without their calls, context managers and indirections; for a node with parentheses,
# or a statement line with no statement, LibCST's own.


def _call(node: cst.Call, state: CodegenState, **kwargs: Any) -> None:
    if type(state) is not _SpanState or node.lpar or node.rpar:
        _codegen(node, state, **kwargs)
        return
    start = state.position
    state.walk.append(node)
    node.func._codegen(state)
    whitespace = node.whitespace_after_func  # `_whitespace`, inline
    if type(whitespace) is cst.SimpleWhitespace:
        state.position += len(whitespace.value)
    else:
        whitespace._codegen(state)
    state.position += 1  # "(", after the function's code: a token is added already
    whitespace = node.whitespace_before_args  # `_whitespace`, inline
    if type(whitespace) is cst.SimpleWhitespace:
        state.position += len(whitespace.value)
    else:
        whitespace._codegen(state)
    last = len(node.args) - 1
    for index, arg in enumerate(node.args):
        arg._codegen(state, default_comma=index != last)
    state.position += 1  # ")"
    state.spans[id(node)] = _packed(start, state.position - start)
    state.walk.append(_LEAVE)


def _arg(node: cst.Arg, state: CodegenState, default_comma: bool = False) -> None:
    if type(state) is not _SpanState:
        _codegen(node, state, default_comma=default_comma)
        return
    start = state.position
    state.walk.append(node)
    state.position += len(node.star)  # "", "*" or "**"
    whitespace = node.whitespace_after_star  # `_whitespace`, inline
    if type(whitespace) is cst.SimpleWhitespace:
        state.position += len(whitespace.value)
    else:
        whitespace._codegen(state)
    keyword, equal = node.keyword, node.equal
    if keyword is not None:
        keyword._codegen(state)
    if equal is MaybeSentinel.DEFAULT and keyword is not None:
        state.position += 3  # " = "
    elif isinstance(equal, cst.AssignEqual):
        equal._codegen(state)
    node.value._codegen(state)
    state.spans[id(node)] = _packed(start, state.position - start)  # its syntactic position: without the comma
    comma = node.comma  # `_comma`, inline
    if comma is MaybeSentinel.DEFAULT:
        if default_comma:
            state.position += 2  # ", "
    elif type(comma) is cst.Comma:
        comma._codegen(state)
    whitespace = node.whitespace_after_arg  # `_whitespace`, inline
    if type(whitespace) is cst.SimpleWhitespace:
        state.position += len(whitespace.value)
    else:
        whitespace._codegen(state)
    state.walk.append(_LEAVE)


def _attribute(node: cst.Attribute, state: CodegenState, **kwargs: Any) -> None:
    if type(state) is not _SpanState or node.lpar or node.rpar:
        _codegen(node, state, **kwargs)
        return
    start = state.position
    state.walk.append(node)
    node.value._codegen(state)
    node.dot._codegen(state)
    node.attr._codegen(state)
    state.spans[id(node)] = _packed(start, state.position - start)
    state.walk.append(_LEAVE)


def _simple_statement_line(node: cst.SimpleStatementLine, state: CodegenState, **kwargs: Any) -> None:
    if type(state) is not _SpanState or not node.body:
        _codegen(node, state, **kwargs)
        return
    state.walk.append(node)
    for line in node.leading_lines:
        line._codegen(state)
    state.add_indent_tokens()
    start = state.position
    body = node.body
    last = len(body) - 1
    for index, statement in enumerate(body):
        statement._codegen(state, default_semicolon=index != last)
    end_start, end_length = _unpacked(state.spans[id(body[last])])
    state.spans[id(node)] = _packed(start, end_start + end_length - start)  # its statements', as LibCST records it
    node.trailing_whitespace._codegen(state)
    state.walk.append(_LEAVE)


def _small_statement(node: cst.Expr | cst.Assign, state: CodegenState, default_semicolon: bool = False) -> None:
    """An expression statement, or an assignment (its targets, then its value)."""
    if type(state) is not _SpanState:
        _codegen(node, state, default_semicolon=default_semicolon)
        return
    start = state.position
    state.walk.append(node)
    if type(node) is cst.Assign:
        for target in node.targets:
            target._codegen(state)
    node.value._codegen(state)
    state.spans[id(node)] = _packed(start, state.position - start)
    _semicolon(node.semicolon, state, default_semicolon)
    state.walk.append(_LEAVE)


def _semicolon(semicolon: cst.Semicolon | MaybeSentinel, state: _SpanState, default_semicolon: bool) -> None:
    """The semicolon after a small statement: its own code, or "; " where the statement
    leaves it to LibCST and another statement follows on its line."""
    if isinstance(semicolon, MaybeSentinel):
        if default_semicolon:
            state.position += 2  # "; "
    elif isinstance(semicolon, cst.Semicolon):
        semicolon._codegen(state)


def _assign_target(node: cst.AssignTarget, state: CodegenState, **kwargs: Any) -> None:
    if type(state) is not _SpanState:
        _codegen(node, state, **kwargs)
        return
    start = state.position
    state.walk.append(node)
    node.target._codegen(state)
    state.spans[id(node)] = _packed(start, state.position - start)
    _whitespace(node.whitespace_before_equal, state)
    state.position += 1  # "="
    _whitespace(node.whitespace_after_equal, state)
    state.walk.append(_LEAVE)


def _opening(node: cst.LeftParen | cst.LeftSquareBracket | cst.LeftCurlyBrace, state: CodegenState,
             **kwargs: Any) -> None:
    """An opening bracket and the whitespace after it (its code, and its span)."""
    if type(state) is not _SpanState:
        _codegen(node, state, **kwargs)
        return
    if not state.tokens:
        state.tokens.append(_BRACKETS[type(node)])
    start = state.position
    state.walk.append(node)
    state.position = start + 1
    after = node.whitespace_after
    if type(after) is cst.SimpleWhitespace:
        state.position += len(after.value)
    else:
        after._codegen(state)
    state.spans[id(node)] = _packed(start, state.position - start)
    state.walk.append(_LEAVE)


def _closing(node: cst.RightParen | cst.RightSquareBracket | cst.RightCurlyBrace, state: CodegenState,
             **kwargs: Any) -> None:
    """The whitespace before a closing bracket and the bracket (its code, and its span)."""
    if type(state) is not _SpanState:
        _codegen(node, state, **kwargs)
        return
    start = state.position
    state.walk.append(node)
    before = node.whitespace_before
    if type(before) is cst.SimpleWhitespace:
        if not state.tokens:
            state.tokens.append(before.value)
        state.position += len(before.value)
    else:
        before._codegen(state)
    state.position += 1
    state.spans[id(node)] = _packed(start, state.position - start)
    state.walk.append(_LEAVE)


_BRACKETS = {cst.LeftParen: "(", cst.LeftSquareBracket: "[", cst.LeftCurlyBrace: "{"}


def _subscript(node: cst.Subscript, state: CodegenState, **kwargs: Any) -> None:
    if type(state) is not _SpanState or node.lpar or node.rpar:
        _codegen(node, state, **kwargs)
        return
    start = state.position
    state.walk.append(node)
    node.value._codegen(state)
    _whitespace(node.whitespace_after_value, state)
    node.lbracket._codegen(state)
    last = len(node.slice) - 1
    for index, element in enumerate(node.slice):
        element._codegen(state, default_comma=index != last)
    node.rbracket._codegen(state)
    state.spans[id(node)] = _packed(start, state.position - start)
    state.walk.append(_LEAVE)


def _index(node: cst.Index, state: CodegenState, **kwargs: Any) -> None:
    if type(state) is not _SpanState:
        _codegen(node, state, **kwargs)
        return
    start = state.position
    state.walk.append(node)
    if node.star is not None:
        state.position += len(node.star)  # "*", after the bracket's code: a token is added already
    if node.whitespace_after_star is not None:
        node.whitespace_after_star._codegen(state)
    node.value._codegen(state)
    state.spans[id(node)] = _packed(start, state.position - start)
    state.walk.append(_LEAVE)


def _element(node: cst.Element | cst.SubscriptElement, state: CodegenState, default_comma: bool = False,
             default_comma_whitespace: bool = False) -> None:
    """An element of a list, set or tuple, or of a subscript: its span is its value's (its
    syntactic position), without the comma after it."""
    subscript = type(node) is cst.SubscriptElement
    if type(state) is not _SpanState:
        _codegen(node, state, default_comma=default_comma,
                 **({} if subscript else {"default_comma_whitespace": default_comma_whitespace}))
        return
    start = state.position
    state.walk.append(node)
    (node.slice if subscript else node.value)._codegen(state)  # type: ignore[union-attr]  # by `subscript`
    state.spans[id(node)] = _packed(start, state.position - start)
    _comma(node.comma, state, (", " if subscript or default_comma_whitespace else ",") if default_comma else "")
    state.walk.append(_LEAVE)


def _comma(comma: cst.Comma | MaybeSentinel, state: _SpanState, default: str) -> None:
    """The comma after an element or an argument: its own code, or `default` where the node
    leaves it to LibCST (`MaybeSentinel.DEFAULT`: a tree built by hand)."""
    if comma is MaybeSentinel.DEFAULT:
        state.position += len(default)
    elif isinstance(comma, cst.Comma):
        comma._codegen(state)


def _indented_block(node: cst.IndentedBlock, state: CodegenState, **kwargs: Any) -> None:
    if type(state) is not _SpanState or not node.body:
        _codegen(node, state, **kwargs)
        return
    state.walk.append(node)
    node.header._codegen(state)
    indent = node.indent
    state.indent_tokens.append(state.default_indent if indent is None else indent)  # CodegenState.increase_indent
    body = node.body
    for statement in body:
        statement._codegen(state)
    spans = state.spans
    start = spans[id(body[0])] >> _LENGTH_BITS
    end_start, end_length = _unpacked(spans[id(body[-1])])
    spans[id(node)] = _packed(start, end_start + end_length - start)  # its statements', as LibCST records it
    for line in node.footer:
        line._codegen(state)
    state.indent_tokens.pop()  # CodegenState.decrease_indent
    state.walk.append(_LEAVE)


def _param(node: cst.Param, state: CodegenState, default_star: str | None = None,
           default_comma: bool = False) -> None:
    """A parameter: its span is its star and name (its syntactic position), without its
    annotation, default and comma."""
    star = node.star
    if type(state) is not _SpanState or (star is MaybeSentinel.DEFAULT and default_star is None):
        return _codegen(node, state, default_star=default_star, default_comma=default_comma)  # LibCST's, or its error
    start = state.position
    state.walk.append(node)
    if isinstance(star, MaybeSentinel):
        star = cast(str, default_star)  # not None: see above
    if isinstance(star, str):
        state.position += len(star)  # "", "*" or "**", after "def" or "lambda": a token is added already
    node.whitespace_after_star._codegen(state)
    node.name._codegen(state)
    state.spans[id(node)] = _packed(start, state.position - start)
    annotation, equal, default = node.annotation, node.equal, node.default
    if annotation is not None:
        annotation._codegen(state, default_indicator=":")
    if equal is MaybeSentinel.DEFAULT and default is not None:
        state.position += 3  # " = "
    elif isinstance(equal, cst.AssignEqual):
        equal._codegen(state)
    if default is not None:
        default._codegen(state)
    _comma(node.comma, state, ", " if default_comma else "")
    _whitespace(node.whitespace_after_param, state)
    state.walk.append(_LEAVE)


def _annotation(node: cst.Annotation, state: CodegenState, default_indicator: str | None = None) -> None:
    """An annotation (`: int`, `-> str`): its span is the annotation's expression (its
    syntactic position), without the indicator."""
    before = node.whitespace_before_indicator
    if type(state) is not _SpanState or default_indicator is None or \
            not isinstance(before, (cst.BaseParenthesizableWhitespace, MaybeSentinel)):
        return _codegen(node, state, default_indicator=default_indicator)  # LibCST's, or its error
    state.walk.append(node)
    if isinstance(before, MaybeSentinel):
        if default_indicator == "->":
            state.position += 1  # " "
    else:
        before._codegen(state)
    state.position += len(default_indicator)  # after a name: a token is added already
    node.whitespace_after_indicator._codegen(state)
    start = state.position
    node.annotation._codegen(state)
    state.spans[id(node)] = _packed(start, state.position - start)
    state.walk.append(_LEAVE)


def _keyword(node: cst.CSTNode, state: _SpanState, keyword: str) -> int:
    """A statement that starts with `keyword` entered and its keyword counted: where it starts."""
    if not state.tokens:
        state.tokens.append(keyword)
    start = state.position
    state.walk.append(node)
    state.position = start + len(keyword)
    return start


def _return(node: cst.Return, state: CodegenState, default_semicolon: bool = False) -> None:
    """A `return` statement: its span is without the semicolon after it."""
    if type(state) is not _SpanState:
        return _codegen(node, state, default_semicolon=default_semicolon)
    start = _keyword(node, state, "return")
    after, value = node.whitespace_after_return, node.value
    if isinstance(after, MaybeSentinel):
        if value is not None:
            state.position += 1  # " "
    else:
        after._codegen(state)
    if value is not None:
        value._codegen(state)
    state.spans[id(node)] = _packed(start, state.position - start)
    _semicolon(node.semicolon, state, default_semicolon)
    state.walk.append(_LEAVE)


def _import_alias(node: cst.ImportAlias, state: CodegenState, default_comma: bool = False) -> None:
    """A name imported (and its `as` name): its span is without the comma after it."""
    if type(state) is not _SpanState:
        return _codegen(node, state, default_comma=default_comma)
    start = state.position
    state.walk.append(node)
    node.name._codegen(state)
    asname = node.asname
    if asname is not None:
        asname._codegen(state)
    state.spans[id(node)] = _packed(start, state.position - start)
    _comma(node.comma, state, ", " if default_comma else "")
    state.walk.append(_LEAVE)


def _operation(node: cst.BinaryOperation | cst.BooleanOperation | cst.Comparison | cst.UnaryOperation
               | cst.ComparisonTarget, state: CodegenState, **kwargs: Any) -> None:
    """An operation without parentheses, or a comparison's operator and operand: its
    parts in order, its span theirs."""
    if type(state) is not _SpanState or getattr(node, "lpar", None) or getattr(node, "rpar", None):
        return _codegen(node, state, **kwargs)
    start = state.position
    state.walk.append(node)
    if type(node) is cst.Comparison:
        node.left._codegen(state)
        for target in node.comparisons:
            target._codegen(state)
    elif type(node) is cst.UnaryOperation:
        node.operator._codegen(state)
        node.expression._codegen(state)
    elif type(node) is cst.ComparisonTarget:
        node.operator._codegen(state)
        node.comparator._codegen(state)
    else:
        operation = cast(cst.BinaryOperation | cst.BooleanOperation, node)
        operation.left._codegen(state)
        operation.operator._codegen(state)
        operation.right._codegen(state)
    state.spans[id(node)] = _packed(start, state.position - start)
    state.walk.append(_LEAVE)


def _dict_element(node: cst.DictElement, state: CodegenState, default_comma: bool = False,
                  default_comma_whitespace: bool = False) -> None:
    """A dict's `key: value`: its span is without the comma after it."""
    if type(state) is not _SpanState:
        return _codegen(node, state, default_comma=default_comma, default_comma_whitespace=default_comma_whitespace)
    start = state.position
    state.walk.append(node)
    node.key._codegen(state)
    _whitespace(node.whitespace_before_colon, state)
    state.position += 1  # ":"
    _whitespace(node.whitespace_after_colon, state)
    node.value._codegen(state)
    state.spans[id(node)] = _packed(start, state.position - start)
    _comma(node.comma, state, (", " if default_comma_whitespace else ",") if default_comma else "")
    state.walk.append(_LEAVE)


def _collection(node: cst.Dict | cst.List | cst.Set | cst.Tuple, state: CodegenState, **kwargs: Any) -> None:
    """A dict, list, set or tuple display: its parentheses, its brackets (a tuple has none
    of its own), its elements; its span is without the parentheses (its syntactic position)."""
    if type(state) is not _SpanState:
        return _codegen(node, state, **kwargs)
    state.walk.append(node)
    for lpar in node.lpar:
        lpar._codegen(state)
    start = state.position
    elements = node.elements
    if type(node) is cst.Tuple:
        if len(elements) == 1:
            elements[0]._codegen(state, default_comma=True, default_comma_whitespace=False)
        else:
            last = len(elements) - 1
            for index, element in enumerate(elements):
                element._codegen(state, default_comma=index != last, default_comma_whitespace=True)
    else:
        opening: cst.CSTNode
        closing: cst.CSTNode
        if type(node) is cst.List:
            opening, closing = node.lbracket, node.rbracket
        else:
            braced = cast(cst.Dict | cst.Set, node)
            opening, closing = braced.lbrace, braced.rbrace
        opening._codegen(state)
        last = len(elements) - 1
        for index, element in enumerate(elements):
            element._codegen(state, default_comma=index != last, default_comma_whitespace=True)
        closing._codegen(state)
    state.spans[id(node)] = _packed(start, state.position - start)
    for rpar in node.rpar:
        rpar._codegen(state)
    state.walk.append(_LEAVE)


def _parenthesized_whitespace(node: cst.ParenthesizedWhitespace, state: CodegenState, **kwargs: Any) -> None:
    """A line break inside brackets (the line's end, blank or comment lines, the next
    line's indentation and whitespace): only counted."""
    if type(state) is not _SpanState:
        return _codegen_unrecorded(node, state, **kwargs)
    node.first_line._codegen(state)
    for line in node.empty_lines:
        line._codegen(state)
    if node.indent:
        state.add_indent_tokens()
    last = node.last_line
    if type(last) is cst.SimpleWhitespace:
        state.position += len(last.value)  # after the line's end: a token is added already
    else:
        last._codegen(state)


def _if(node: cst.If | cst.Else, state: CodegenState, is_elif: bool = False) -> None:
    """An `if`, `elif` or `else` clause: its span runs from its keyword to the end of its
    body, or of the clauses after it (its syntactic position)."""
    if type(state) is not _SpanState:
        return _codegen(node, state, is_elif=is_elif) if type(node) is cst.If else _codegen(node, state)
    state.walk.append(node)
    for line in node.leading_lines:
        line._codegen(state)
    state.add_indent_tokens()
    start = state.position
    if type(node) is cst.If:
        keyword = "elif" if is_elif else "if"
        if not state.tokens:
            state.tokens.append(keyword)
        state.position += len(keyword)
        node.whitespace_before_test._codegen(state)
        node.test._codegen(state)
        node.whitespace_after_test._codegen(state)
        state.position += 1  # ":"
        node.body._codegen(state)
        orelse = node.orelse
        if type(orelse) is cst.If:
            orelse._codegen(state, is_elif=True)
        elif orelse is not None:
            orelse._codegen(state)
        end_node = node.body if orelse is None else orelse
    else:
        if not state.tokens:
            state.tokens.append("else")
        state.position += 4  # "else"
        cast(cst.Else, node).whitespace_before_colon._codegen(state)
        state.position += 1  # ":"
        node.body._codegen(state)
        end_node = node.body
    end_start, end_length = _unpacked(state.spans[id(end_node)])
    state.spans[id(node)] = _packed(start, end_start + end_length - start)
    state.walk.append(_LEAVE)


def _function_def(node: cst.FunctionDef, state: CodegenState, **kwargs: Any) -> None:
    """A function definition: its leading lines and decorators, then its span, from
    `async` or `def` to the end of its body (its syntactic position)."""
    if type(state) is not _SpanState:
        return _codegen(node, state, **kwargs)
    state.walk.append(node)
    for line in node.leading_lines:
        line._codegen(state)
    for decorator in node.decorators:
        decorator._codegen(state)
    for line in node.lines_after_decorators:
        line._codegen(state)
    state.add_indent_tokens()
    start = state.position
    if node.asynchronous is not None:
        node.asynchronous._codegen(state)
    if not state.tokens:
        state.tokens.append("def")
    state.position += 3  # "def"
    node.whitespace_after_def._codegen(state)
    node.name._codegen(state)
    node.whitespace_after_name._codegen(state)
    if node.type_parameters is not None:
        node.type_parameters._codegen(state)
    node.whitespace_after_type_parameters._codegen(state)
    state.position += 1  # "("
    node.whitespace_before_params._codegen(state)
    node.params._codegen(state)
    state.position += 1  # ")"
    if node.returns is not None:
        node.returns._codegen(state, default_indicator="->")
    node.whitespace_before_colon._codegen(state)
    state.position += 1  # ":"
    body = node.body
    body._codegen(state)
    end_start, end_length = _unpacked(state.spans[id(body)])
    state.spans[id(node)] = _packed(start, end_start + end_length - start)
    state.walk.append(_LEAVE)


def _parameters(node: cst.Parameters, state: CodegenState, **kwargs: Any) -> None:
    """Parameters that are only plain ones (no `/`, `*` or `**`): each with a comma after
    it but the last (`Parameters._codegen_impl` for them)."""
    if type(state) is not _SpanState or node.posonly_params or not isinstance(node.posonly_ind, MaybeSentinel) \
            or not isinstance(node.star_arg, MaybeSentinel) or node.kwonly_params or node.star_kwarg is not None:
        return _codegen(node, state, **kwargs)
    start = state.position
    state.walk.append(node)
    params = node.params
    last = len(params) - 1
    for index, param in enumerate(params):
        param._codegen(state, default_star="", default_comma=index < last)
    state.spans[id(node)] = _packed(start, state.position - start)
    state.walk.append(_LEAVE)


def _import_from(node: cst.ImportFrom, state: CodegenState, default_semicolon: bool = False) -> None:
    """`from … import` names (not `*`): its span runs from `from` to its last name, or
    its closing parenthesis (its syntactic position), without the semicolon after it."""
    names = node.names
    if type(state) is not _SpanState or isinstance(names, cst.ImportStar):
        return _codegen(node, state, default_semicolon=default_semicolon)
    start = _keyword(node, state, "from")
    node.whitespace_after_from._codegen(state)
    for dot in node.relative:
        dot._codegen(state)
    if node.module is not None:
        node.module._codegen(state)
    node.whitespace_before_import._codegen(state)
    state.position += 6  # "import"
    node.whitespace_after_import._codegen(state)
    lpar, rpar = node.lpar, node.rpar
    if lpar is not None:
        lpar._codegen(state)
    last = len(names) - 1
    for index, name in enumerate(names):
        name._codegen(state, default_comma=index != last)
    if rpar is not None:
        rpar._codegen(state)
    end_start, end_length = _unpacked(state.spans[id(names[-1] if rpar is None else rpar)])
    state.spans[id(node)] = _packed(start, end_start + end_length - start)
    _semicolon(node.semicolon, state, default_semicolon)
    state.walk.append(_LEAVE)


def _decorator(node: cst.Decorator, state: CodegenState, **kwargs: Any) -> None:
    """A decorator line: its span runs from `@` to the end of its expression."""
    if type(state) is not _SpanState:
        return _codegen(node, state, **kwargs)
    state.walk.append(node)
    for line in node.leading_lines:
        line._codegen(state)
    state.add_indent_tokens()
    if not state.tokens:
        state.tokens.append("@")
    start = state.position
    state.position += 1  # "@"
    node.whitespace_after_at._codegen(state)
    node.decorator._codegen(state)
    state.spans[id(node)] = _packed(start, state.position - start)
    node.trailing_whitespace._codegen(state)
    state.walk.append(_LEAVE)


def _trailing_whitespace(node: cst.TrailingWhitespace, state: CodegenState, **kwargs: Any) -> None:
    """The end of a line (whitespace, a comment, a line end): only counted."""
    whitespace = node.whitespace
    if type(state) is not _SpanState or type(whitespace) is not cst.SimpleWhitespace:
        _codegen_unrecorded(node, state, **kwargs)
        return
    _line_end(state, whitespace.value, node.comment, node.newline)


def _empty_line(node: cst.EmptyLine, state: CodegenState, **kwargs: Any) -> None:
    """A line of only whitespace and maybe a comment: only counted."""
    whitespace = node.whitespace
    if type(state) is not _SpanState or type(whitespace) is not cst.SimpleWhitespace:
        _codegen_unrecorded(node, state, **kwargs)
        return
    if node.indent:
        state.add_indent_tokens()
    _line_end(state, whitespace.value, node.comment, node.newline)


def _line_end(state: _SpanState, whitespace: str, comment: cst.Comment | None, newline: cst.Newline) -> None:
    """Whitespace (plain: ASCII), a comment and a line end (ASCII), counted."""
    if not state.tokens:
        state.tokens.append(whitespace)
    position = state.position + len(whitespace)
    if comment is not None:
        value = comment.value
        position += len(value) if value.isascii() else len(value.encode("utf-8"))
    state.position = position + len(state.default_newline if newline.value is None else newline.value)


_REPLACING = threading.RLock()


@contextlib.contextmanager
def _inlined() -> Iterator[None]:
    """LibCST's `_codegen` and `_parenthesize` replaced by the ones above (see the module's
    docstring) while a `_SpanState` generates a module's code; whitespace's `_codegen`
    given on its own classes, and taken away after."""
    with _REPLACING:
        for owner, name, replacement in _REPLACEMENTS:
            setattr(owner, name, replacement)
        for kind, replacement in _OWN_CODEGEN.items():
            setattr(kind, "_codegen", replacement)  # noqa: B010 - as the replacements above
        try:
            yield
        finally:
            for owner, name, original in _ORIGINALS:
                setattr(owner, name, original)
            for kind in _OWN_CODEGEN:
                delattr(kind, "_codegen")


_REPLACEMENTS = ((CSTNode, "_codegen", _codegen), (_BaseParenthesizedNode, "_parenthesize", _parenthesize))
_ORIGINALS = ((CSTNode, "_codegen", _LIBCST_CODEGEN), (_BaseParenthesizedNode, "_parenthesize", _LIBCST_PARENTHESIZE))
# Nodes the model never asks the span of nor visits, and all they hold: no span, and not
# in the record of the walk. Each class inherits `_codegen` from CSTNode (and has no subclass).
UNRECORDED = (cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.Newline, cst.TrailingWhitespace,
              cst.EmptyLine, cst.Comment)
# The commonest nodes, a token each (half of the nodes recorded): their `_codegen_impl`
# is LibCST's one-token code, which the functions above do without its calls. Each
# class inherits `_codegen` from CSTNode.
LEAVES = (cst.Name, cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString)
# By the classes' own ancestry, not `issubclass`: LibCST's nodes are ABCs, whose caches a
# test of every class fills (and empties at exit): tens of milliseconds of a small file's run.
OPERATORS = tuple(kind for kind in vars(cst).values() if isinstance(kind, type) and _BaseOneTokenOp in kind.__mro__
                  and getattr(kind, "_codegen_impl", None) is _BaseOneTokenOp._codegen_impl and not inspect.isabstract(kind))
_OWN_CODEGEN: dict[type, Callable[..., None]] = {**dict.fromkeys(UNRECORDED, _codegen_unrecorded),
                cst.SimpleWhitespace: _simple_whitespace, cst.Newline: _newline, **dict.fromkeys(LEAVES, _leaf),
                cst.Call: _call, cst.Arg: _arg, cst.Attribute: _attribute, cst.SimpleStatementLine: _simple_statement_line,
                cst.Expr: _small_statement, cst.Assign: _small_statement, cst.AssignTarget: _assign_target,
                cst.FormattedStringText: _leaf, **dict.fromkeys(OPERATORS, _operator),
                **dict.fromkeys(_BRACKETS, _opening),
                **dict.fromkeys((cst.RightParen, cst.RightSquareBracket, cst.RightCurlyBrace), _closing),
                cst.Subscript: _subscript, cst.SubscriptElement: _element, cst.Index: _index,
                cst.Element: _element, cst.IndentedBlock: _indented_block,
                cst.TrailingWhitespace: _trailing_whitespace, cst.EmptyLine: _empty_line,
                cst.Param: _param, cst.Annotation: _annotation, cst.Return: _return, cst.ImportAlias: _import_alias,
                **dict.fromkeys((cst.BinaryOperation, cst.BooleanOperation, cst.Comparison, cst.UnaryOperation,
                                 cst.ComparisonTarget), _operation),
                cst.DictElement: _dict_element, **dict.fromkeys((cst.Dict, cst.List, cst.Set, cst.Tuple), _collection),
                cst.ParenthesizedWhitespace: _parenthesized_whitespace, cst.If: _if, cst.Else: _if,
                cst.FunctionDef: _function_def, cst.Parameters: _parameters, cst.ImportFrom: _import_from,
                cst.Decorator: _decorator}

class SpannedModule:
    """A module's node spans, and the order its nodes are entered and left."""

    def __init__(self, module: cst.Module) -> None:
        state = _SpanState(module)
        with _inlined():
            module._codegen(state)
        self.module = module
        self.spans = Spans(state.spans, state.walk)
        self._walk = state.walk

    def visit(self, visitor: cst.CSTVisitor) -> None:
        """Call `visitor`'s `visit_<Node>` and `leave_<Node>` methods as
        `module.visit(visitor)` would (a visit returning False skips the node's children),
        with its ByteSpanPositionProvider metadata taken from these spans. Whitespace
        (`UNRECORDED`) is not visited; nor are attribute hooks (`visit_<Node>_<field>`)
        and overridden `on_visit`/`on_leave` called. The methods are the visitor's class's
        (one set on the instance is not called)."""
        unknown = set(visitor.get_inherited_dependencies()) - {ByteSpanPositionProvider}
        if unknown:
            raise TypeError(f"{type(visitor).__name__} needs {unknown}: resolve them with a MetadataWrapper")
        visitor.metadata = {ByteSpanPositionProvider: self.spans}
        # node type -> the visitor class's visit and leave functions, or None
        methods = _METHODS.get(type(visitor)) or _METHODS.setdefault(type(visitor), {})
        entered: list[cst.CSTNode] = []
        enter, leave_last, found = entered.append, entered.pop, methods.get  # bound once: a million calls
        kind = type(visitor)
        skipping_below = None  # the depth of a node whose children are skipped
        for node in self._walk:
            if node is not None:  # entered (`_LEAVE` is None)
                enter(node)
                if skipping_below is None:
                    visit = (found(type(node)) or _methods(kind, type(node), methods))[0]
                    if visit is not None and visit(visitor, node) is False:
                        skipping_below = len(entered)
                continue
            if skipping_below is not None:
                if len(entered) != skipping_below:
                    leave_last()
                    continue
                skipping_below = None
            node = leave_last()
            leave = (found(type(node)) or _methods(kind, type(node), methods))[1]
            if leave is not None:
                leave(visitor, node)


# Each visitor class's visit and leave functions by node type, found once per process:
# looked up again for each module, they were a tenth of the replay.
_METHODS: dict[type, dict[type, tuple]] = {}


def _methods(visitor: type[cst.CSTVisitor], kind: type, methods: dict[type, tuple]) -> tuple:
    """The visitor class's own visit and leave functions for nodes of `kind` (None for the
    empty ones every CSTVisitor inherits, so that they are not called for nothing)."""
    methods[kind] = tuple(_own(visitor, f"{what}_{kind.__name__}") for what in ("visit", "leave"))
    return methods[kind]


def _own(visitor: type[cst.CSTVisitor], name: str):
    function = getattr(visitor, name, None)
    return None if function is getattr(cst.CSTVisitor, name, None) else function
