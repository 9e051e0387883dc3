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
pass). So do plain whitespace, line ends, blank or comment lines and the ends of statement
lines (only counted), and the commonest nodes that hold others (calls, arguments,
attributes, simple statement lines, expression statements, assignments and their targets,
subscripts, their elements and indexes, the elements of lists, sets and tuples, brackets,
indented blocks: a third of the nodes recorded), whose `_codegen` here does what LibCST's
`_codegen` and their `_codegen_impl` do together, without their calls and context
managers. A state of another kind (another thread's `node.code`, while the methods are
replaced) gets LibCST's own.
"""
from __future__ import annotations

import contextlib
import inspect
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

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
        for token in self.indent_tokens:
            self.add_token(token)

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


def _leaf(node: cst.Name | cst.Integer | cst.Float | cst.Imaginary | cst.SimpleString, state: CodegenState, **kwargs: Any) -> None:
    """`_codegen` of a one-token expression (`LEAVES`) without parentheses, whose
    `_codegen_impl` is its `value` inside `_parenthesize`: its span is its token's."""
    if type(state) is not _SpanState or node.lpar or node.rpar:
        _codegen(node, state, **kwargs)
        return
    _token(state, node, node.value)


def _text(node: cst.FormattedStringText, state: CodegenState, **kwargs: Any) -> None:
    """`_codegen` of an f-string's literal part: its `value`, no parentheses."""
    if type(state) is not _SpanState:
        _codegen(node, state, **kwargs)
        return
    _token(state, node, node.value)


def _token(state: _SpanState, node: cst.CSTNode, value: str) -> None:
    """A node that is the token `value` entered, spanned and left (what `_codegen` and
    `_Parenthesized` record for it, without their calls)."""
    if not state.tokens:
        state.tokens.append(value)
    start = state.position
    length = len(value) if value.isascii() else len(value.encode("utf-8"))
    state.position = start + length
    state.spans[id(node)] = start << _LENGTH_BITS | length
    state.walk.append(node)
    state.walk.append(_LEAVE)


def _operator(node: _BaseOneTokenOp, state: CodegenState, **kwargs: Any) -> None:
    """`_codegen` of a one-token operator (`.`, `,`, `+`, `==`…) between plain whitespace:
    its span is its token's (`_BaseOneTokenOp._codegen_impl` records it as its syntactic
    position), the whitespace is only counted."""
    before, after = node.whitespace_before, node.whitespace_after
    if type(state) is not _SpanState or type(before) is not cst.SimpleWhitespace or \
            type(after) is not cst.SimpleWhitespace:
        _codegen(node, state, **kwargs)
        return
    token = node._get_token()
    if not state.tokens:
        state.tokens.append(before.value)
    start = state.position + len(before.value)  # plain whitespace and operators are ASCII
    state.position = start + len(token) + len(after.value)
    state.spans[id(node)] = start << _LENGTH_BITS | len(token)
    state.walk.append(node)
    state.walk.append(_LEAVE)


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
    node.whitespace_after_func._codegen(state)
    state.position += 1  # "(", after the function's code: a token is added already
    node.whitespace_before_args._codegen(state)
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
    node.whitespace_after_star._codegen(state)
    keyword, equal = node.keyword, node.equal
    if keyword is not None:
        keyword._codegen(state)
    if equal is MaybeSentinel.DEFAULT and keyword is not None:
        state.position += 3  # " = "
    elif isinstance(equal, cst.AssignEqual):
        equal._codegen(state)
    node.value._codegen(state)
    state.spans[id(node)] = _packed(start, state.position - start)  # its syntactic position: without the comma
    _comma(node.comma, state, ", " if default_comma else "")
    node.whitespace_after_arg._codegen(state)
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
    semicolon = node.semicolon
    if isinstance(semicolon, MaybeSentinel):
        if default_semicolon:
            state.position += 2  # "; "
    elif isinstance(semicolon, cst.Semicolon):
        semicolon._codegen(state)
    state.walk.append(_LEAVE)


def _assign_target(node: cst.AssignTarget, state: CodegenState, **kwargs: Any) -> None:
    if type(state) is not _SpanState:
        _codegen(node, state, **kwargs)
        return
    start = state.position
    state.walk.append(node)
    node.target._codegen(state)
    state.spans[id(node)] = _packed(start, state.position - start)
    node.whitespace_before_equal._codegen(state)
    state.position += 1  # "="
    node.whitespace_after_equal._codegen(state)
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
    node.whitespace_after_value._codegen(state)
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
OPERATORS = tuple(kind for kind in vars(cst).values() if isinstance(kind, type) and issubclass(kind, _BaseOneTokenOp)
                  and kind._codegen_impl is _BaseOneTokenOp._codegen_impl and not inspect.isabstract(kind))
_OWN_CODEGEN: dict[type, Callable[..., None]] = {**dict.fromkeys(UNRECORDED, _codegen_unrecorded),
                cst.SimpleWhitespace: _simple_whitespace, cst.Newline: _newline, **dict.fromkeys(LEAVES, _leaf),
                cst.Call: _call, cst.Arg: _arg, cst.Attribute: _attribute, cst.SimpleStatementLine: _simple_statement_line,
                cst.Expr: _small_statement, cst.Assign: _small_statement, cst.AssignTarget: _assign_target,
                cst.FormattedStringText: _text, **dict.fromkeys(OPERATORS, _operator),
                **dict.fromkeys(_BRACKETS, _opening),
                **dict.fromkeys((cst.RightParen, cst.RightSquareBracket, cst.RightCurlyBrace), _closing),
                cst.Subscript: _subscript, cst.SubscriptElement: _element, cst.Index: _index,
                cst.Element: _element, cst.IndentedBlock: _indented_block,
                cst.TrailingWhitespace: _trailing_whitespace, cst.EmptyLine: _empty_line}

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
        skipping_below = None  # the depth of a node whose children are skipped
        for node in self._walk:
            if node is not _LEAVE:
                entered.append(node)
                if skipping_below is None:
                    visit = (methods.get(type(node)) or _methods(type(visitor), type(node), methods))[0]
                    if visit is not None and visit(visitor, node) is False:
                        skipping_below = len(entered)
                continue
            depth = len(entered)
            node = entered.pop()
            if skipping_below is None or depth == skipping_below:
                skipping_below = None
                leave = (methods.get(type(node)) or _methods(type(visitor), type(node), methods))[1]
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
