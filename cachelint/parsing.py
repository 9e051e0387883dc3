"""From a module's text to LibCST's tree, for whatever text Python itself accepts.

- **Python judges first.** A file that Python's own parser refuses for one of its limits
  (200 nested brackets, 100 levels of indentation, a parser stack overflow) is refused here
  (`PythonRefuses`), although LibCST parses it: Python would never run it. Any other error of
  Python's (newer syntax than the running Python's, a plain mistake) is left to LibCST.
- **Depth is bounded.** LibCST's parser takes time cubic in an expression's nesting (1,000
  nested subscripts take 3 s, 3,000 two minutes), and the model and the rules walk trees
  recursively. So each subexpression nested `DEPTH_LIMIT` levels deep (a chain of `or`, of
  adjacent string literals, counts one level per link, as LibCST nests them) is replaced,
  before LibCST sees the text, by a parenthesised placeholder name of exactly its length
  and rows, `(____   )`: what lies beyond is unknown to the model, which is silent about
  what it does not know, and every position outside stays where it is.
- **Form feeds.** LibCST drops a form feed from a line's indentation, so every byte offset
  after it would be early. Python resets the indentation at a form feed, so the text LibCST
  gets has each such line's indentation up to its last form feed removed, and the model
  gives the file's columns back from `Prepared.shift`.
- **Checks off.** Each LibCST node checks its own fields when it is made
  (`CSTNode.__post_init__` calls `_validate`), which is how a codemod learns that it built an
  impossible tree. Nodes made by the parser from source that parsed are valid by
  construction, and checking them costs an eighth of a parse, so the check is switched off
  while the parser runs, and only then. So is the dataclass's `__init__`, which sets each
  field of a frozen node through `object.__setattr__`: an `__init__` made from the same
  fields sets them through their slots (`_fast_inits`, a tenth of a parse less).
- **Deep stacks.** `on_deep_stack` runs a file's analysis on a thread with a big stack and a
  high recursion limit, so that the deepest tree left after bounding never meets Python's
  default limit of 1,000 frames (at 200 levels of nesting the model and the rules need a few
  thousand). The stack is reserved, not used: a thread touches only the pages it needs.
"""
from __future__ import annotations

import ast
import contextlib
import dataclasses
import functools
import inspect
import io
import os
import queue
import re
import sys
import threading
import tokenize
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import libcst as cst
from libcst._nodes.base import CSTNode

from cachelint import tree_scan

DEPTH_LIMIT = 200  # Python's own limit on nested brackets
_STACK_BYTES = 512 * 1024 * 1024
_RECURSION_LIMIT = 50_000
# What Python's parser says when a text exceeds one of its limits rather than its grammar.
_LIMITS = ("too many nested parentheses", "too many levels of indentation", "too complex", "too many statically nested")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")  # as Python counts rows
_INDENT_WITH_FORM_FEED = re.compile(r"^[ \t\f]*\f", re.MULTILINE)
_PIECE_CHARACTERS = 32 * 1024  # a module bigger is parsed in pieces of about this size
_ADJACENT_LITERALS_WORTH_COUNTING = 1_000  # characters: fewer literals than DEPTH_LIMIT fit in less

T = TypeVar("T")


class PythonRefuses(Exception):
    """Python's parser refuses the text for one of its limits."""

    def __init__(self, message: str, row: int, column: int) -> None:
        super().__init__(message)
        self.message, self.row, self.column = message, row, column


@dataclass
class Parsed:
    module: cst.Module
    text: str  # what LibCST parsed (the model's positions are in it)
    bounded: bool = False  # some expression was too deep: its code is not in `text`


@dataclass
class Prepared:
    """A module's text as LibCST can keep every position of it, and how to go back."""

    text: str
    # row -> characters removed at its start; the model gives the file's columns back
    # (cachelint.model.core.module.SourceModule.location)
    shift: dict[int, int] = field(default_factory=dict)


def prepare(text: str) -> Prepared:
    """`text` with the indentation up to a form feed removed, where it is indentation (not
    inside a string)."""
    if "\f" not in text:
        return Prepared(text)
    inside_strings = _rows_inside_strings(text)
    lines = text.split("\n")  # the model counts rows at "\n"
    shift = {}
    for index, line in enumerate(lines):
        match = _INDENT_WITH_FORM_FEED.match(line)
        if match is not None and index + 1 not in inside_strings:
            shift[index + 1] = match.end()
            lines[index] = line[match.end():]
    return Prepared("\n".join(lines), shift)


def _rows_inside_strings(text: str) -> set[int]:
    """The rows that begin inside a string literal (None: Python cannot tell; then every
    row that may is counted)."""
    tree = tree_scan.parse(text)
    if tree is None:
        return set(range(1, text.count("\n") + 2))  # leave the text as it is
    return {
        row for node in ast.walk(tree) if isinstance(node, (ast.Constant, ast.JoinedStr)) and node.end_lineno
        for row in range(node.lineno + 1, node.end_lineno + 1)
    }


def parse(text: str, parse_libcst: Callable[[str], cst.Module] | None = None,
          outline: Outline | None = None) -> Parsed:
    """LibCST's tree of `text` (made by `parse_libcst`, `parse_module` by default), with
    expressions beyond `DEPTH_LIMIT` left unknown. `outline`: the text's, when the caller
    has it from Python's tree of the module the text was cut from (cachelint.sparse), which
    Python accepted; without it, Python parses `text`, unless a recent parse of the same
    text left its outline (`_OUTLINES`). Raises `PythonRefuses`, or LibCST's
    `ParserSyntaxError`."""
    parse_libcst = parse_libcst or parse_module
    if outline is None:
        outline = _OUTLINES.get(text)
    if outline is None:
        tree = tree_scan.parse(text)
        # Python's tree is not needed past this point: kept in tree_scan's cache, it would stay
        # alive through LibCST's parse and the analysis (about 90 MB per MB of module).
        tree_scan.parse.cache_clear()
        if tree is None:
            _raise_if_python_refuses(text)
            return Parsed(parse_libcst(text), text)
        outline = Outline.of(tree.body, _LINE.findall(text))
        del tree
        _remember(text, outline)
    bounded = _bounded(text, outline.too_deep)
    if bounded != text:
        try:
            return Parsed(parse_libcst(bounded), bounded, bounded=True)
        except cst.ParserSyntaxError:
            pass  # a placeholder where LibCST wants something else: the whole text, however slow
    elif len(text) > _PIECE_CHARACTERS and parse_libcst is parse_module:
        return Parsed(_parse_in_pieces(text, outline.statement_rows), text)
    return Parsed(parse_libcst(text), text)


Span = tuple[tuple[int, int], tuple[int, int]]  # (row, UTF-8 column) of a start and an end


@dataclass(frozen=True)
class Outline:
    """What the parse takes from Python's syntax tree of a text: the spans of the
    subexpressions that reach `DEPTH_LIMIT`, and the rows where the top-level statements
    start (decorators included)."""

    too_deep: list[Span]
    statement_rows: list[int]

    @classmethod
    def of(cls, statements: Sequence[ast.stmt], lines: list[str], rows: Sequence[int] | None = None) -> Outline:
        """The outline of a text whose top-level statements are `statements`, in the rows
        of `lines`. With `rows`, the text is cut from `lines` (cachelint.sparse): its row r
        is row `rows[r - 1]` of `lines`."""
        too_deep = list(_too_deep(statements, lines))
        starts = [min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", ()))])
                  for statement in statements]
        if rows is not None:
            row_of = {row: index for index, row in enumerate(rows, 1)}
            too_deep = [((row_of[row], column), (row_of[end_row], end_column))
                        for (row, column), (end_row, end_column) in too_deep]
            starts = [row_of[row] for row in starts]
        return cls(too_deep, starts)


# The outlines of the last whole texts parsed, the latest last, up to `_OUTLINED_CHARACTERS`
# of text: a file the project stage's passes lint again, whole, is the same text (the first
# pass parsed it whole too, or a round of the second pass did), and Python need not parse
# it again for its outline (58 syntax trees of 262 on the benchmark's union).
_OUTLINES: dict[str, Outline] = {}
_OUTLINED_CHARACTERS = 4 * 1024 * 1024


def _remember(text: str, outline: Outline) -> None:
    if len(text) > _OUTLINED_CHARACTERS:
        return
    _OUTLINES[text] = outline
    kept = sum(map(len, _OUTLINES))
    while kept > _OUTLINED_CHARACTERS:
        oldest = next(iter(_OUTLINES))
        kept -= len(oldest)
        del _OUTLINES[oldest]


def _parse_in_pieces(text: str, starts: list[int]) -> cst.Module:
    """LibCST's tree of a big module, made by parsing runs of its top-level statements of
    about `_PIECE_CHARACTERS` each and joining their trees: LibCST's parser holds several
    times a text's size while it parses it (about 550 MB per MB of module beyond the tree
    it gives), so a module parsed whole needed gigabytes; pieces of a few tens of kilobytes
    also parse faster than bigger ones. The comments between two pieces go to the next
    piece's first statement, as LibCST puts comments before a statement. Where the pieces
    differ in the indentation or line ending they leave to their module's defaults, the
    joined tree is checked against the text, and the module is parsed whole unless it gives
    the text back."""
    lines = _LINE.findall(text)
    cuts, size, last = [], 0, 1
    for row in starts:
        size += sum(len(line) for line in lines[last - 1:row - 1])
        last = row
        if size > _PIECE_CHARACTERS:
            cuts.append(row)
            size = 0
    if not cuts:
        return parse_module(text)
    bounds = [1, *cuts, len(lines) + 1]
    pieces = [parse_module("".join(lines[start - 1:end - 1])) for start, end in zip(bounds, bounds[1:])]
    body: list[cst.CSTNode] = list(pieces[0].body)
    for before, piece in zip(pieces, pieces[1:]):
        first = piece.body[0]
        body.append(first.with_changes(leading_lines=(*before.footer, *piece.header, *first.leading_lines)))
        body.extend(piece.body[1:])
    joined = pieces[0].with_changes(body=body, footer=pieces[-1].footer,
                                    has_trailing_newline=pieces[-1].has_trailing_newline)
    if all(piece.default_indent == joined.default_indent and piece.default_newline == joined.default_newline
           for piece in pieces):
        # Each piece's tree gives its text back (LibCST's promise), and the join only moves
        # lines between neighbours; what a piece leaves to its module's defaults (an
        # indentation, a line ending) the joined module spells the same way.
        return joined
    return joined if joined.code == text else parse_module(text)


def _raise_if_python_refuses(text: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as error:
        if any(limit in (error.msg or "") for limit in _LIMITS):
            raise PythonRefuses(f"SyntaxError: {error.msg}", error.lineno or 1, error.offset or 1) from None
    except (RecursionError, MemoryError):
        raise PythonRefuses("SyntaxError: too complex for Python's parser", 1, 1) from None
    except ValueError:
        pass  # null bytes: LibCST says so


def _bounded(text: str, spans: list[Span]) -> str:
    """`text` with each of `spans` (every subexpression at depth `DEPTH_LIMIT`) replaced by a placeholder."""
    if not spans:
        return text
    lines = _LINE.findall(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    chars = list(text)
    for (row, byte_column), (end_row, end_byte_column) in spans:
        start = starts[row - 1] + _column(lines[row - 1], byte_column)
        end = starts[end_row - 1] + _column(lines[end_row - 1], end_byte_column)
        if end - start < 3:  # `-1`: too short for a placeholder, and shallow
            continue
        blank = [c if c in "\r\n" else " " for c in chars[start:end]]
        blank[0], blank[-1] = "(", ")"
        for index in range(1, len(blank) - 1):
            if blank[index] in "\r\n":
                break
            blank[index] = "_"
        chars[start:end] = blank
    return "".join(chars)


def _column(line: str, byte_column: int) -> int:
    return byte_column if line.isascii() else len(line.encode("utf-8")[:byte_column].decode("utf-8", "replace"))


def _too_deep(statements: Sequence[ast.stmt], lines: list[str]) -> Iterator[Span]:
    """The spans of the subexpressions that reach `DEPTH_LIMIT`; none inside another.
    Depth counts expressions, from each statement."""
    stack: list[tuple[ast.AST, int]] = [(statement, 0) for statement in statements]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.stmt):
            depth = 0
            if node.end_lineno == node.lineno and (node.end_col_offset or 0) - node.col_offset + 1 < DEPTH_LIMIT:
                continue  # each expression in it at depth 1 would be skipped below, for the same reason
        elif isinstance(node, ast.expr):
            depth += 1
            if node.end_lineno == node.lineno and (node.end_col_offset or 0) - node.col_offset + depth < DEPTH_LIMIT:
                # Each level of nesting (and each literal or operand of a chain) takes a
                # character of the span: nothing in this one reaches the limit.
                continue
            if isinstance(node, ast.JoinedStr) or _is_text(node):
                if _adjacent_literals(node, lines) + depth >= DEPTH_LIMIT:
                    yield _span(node)
                continue  # LibCST sees no deeper
            if depth >= DEPTH_LIMIT and _replaceable(node):
                yield _span(node)
                continue
            if isinstance(node, ast.BoolOp) and depth + len(node.values) - 1 >= DEPTH_LIMIT:
                # LibCST nests `a or b or c` one operator deep per link: the first links go.
                kept = max(1, DEPTH_LIMIT - depth - 1)
                first, last = node.values[0], node.values[-kept - 1]
                yield _span(first)[0], _span(last)[1]
                stack.extend((value, depth + kept) for value in node.values[-kept:])
                continue
        for name in tree_scan.CHILD_FIELDS[type(node)]:  # ast.iter_child_nodes's, without its generators
            value = getattr(node, name, None)
            if type(value) is list:
                stack.extend([(item, depth) for item in value if isinstance(item, ast.AST)])
            elif isinstance(value, ast.AST):
                stack.append((value, depth))


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))


def _adjacent_literals(node: ast.expr, lines: list[str]) -> int:
    """How many literals make up a string (LibCST nests adjacent ones one level each)."""
    (row, column), (end_row, end_column) = _span(node)
    if end_row == row and end_column - column < _ADJACENT_LITERALS_WORTH_COUNTING:
        return 1
    if row == end_row:
        segment = lines[row - 1].encode("utf-8")[column:end_column].decode("utf-8", "replace")
    else:
        segment = "".join([lines[row - 1].encode("utf-8")[column:].decode("utf-8", "replace"), *lines[row:end_row - 1],
                           lines[end_row - 1].encode("utf-8")[:end_column].decode("utf-8", "replace")])
    try:
        tokens = tokenize.generate_tokens(io.StringIO(f"({segment})").readline)
        return sum(token.type == tokenize.STRING for token in tokens)
    except (tokenize.TokenError, SyntaxError):
        return 1


def _replaceable(node: ast.expr) -> bool:
    return isinstance(getattr(node, "ctx", ast.Load()), ast.Load) and node.end_lineno is not None


def _span(node: ast.expr) -> Span:
    # A node the parser made has its end; only a node built by hand may lack it.
    assert node.end_lineno is not None and node.end_col_offset is not None
    return (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)


def parse_module(text: str) -> cst.Module:
    with _nodes_unchecked():
        return cst.parse_module(text)


@contextlib.contextmanager
def _nodes_unchecked() -> Iterator[None]:
    """While the parser runs: no node checks its fields (`__post_init__`), and each node
    class is made by `_fast_inits`' `__init__`."""
    check = CSTNode.__dict__.get("__post_init__")
    if check is None:  # a LibCST that checks nodes some other way: leave it alone
        yield
        return
    inits = _fast_inits()
    # Replacing methods on the classes is the point here; mypy forbids it in general.
    CSTNode.__post_init__ = _unchecked  # type: ignore[method-assign, assignment]
    for kind, (fast, _) in inits.items():
        kind.__init__ = fast  # type: ignore[misc]
    try:
        yield
    finally:
        CSTNode.__post_init__ = check  # type: ignore[method-assign]
        for kind, (_, original) in inits.items():
            kind.__init__ = original  # type: ignore[misc]


def _unchecked(node: CSTNode) -> None:
    pass


@functools.cache
def _fast_inits() -> dict[type, tuple[Callable[..., None], Callable[..., None]]]:
    """For each node class the parser makes, an `__init__` that does what the dataclass's
    does without its check: each field set through its slot (a frozen dataclass's calls
    `object.__setattr__` for each), its default or its default factory's value when not
    given; and the class's own `__init__`. The parser makes a million nodes per MB of
    module, and their `__init__` was a tenth of its time; this one takes two thirds of that.
    A class of another shape (a field that is not a slot, or not in `__init__`, an
    `__init__` of its own) keeps its own."""
    inits = {}
    for kind in vars(cst).values():
        if not (isinstance(kind, type) and issubclass(kind, CSTNode) and dataclasses.is_dataclass(kind)) \
                or inspect.isabstract(kind):
            continue
        fast = _fast_init(kind)
        if fast is not None:
            inits[kind] = (fast, kind.__dict__["__init__"])
    return inits


def _fast_init(kind: type) -> Callable[..., None] | None:
    original = kind.__dict__.get("__init__")
    fields = dataclasses.fields(kind)
    if original is None or original.__code__.co_filename != "<string>" or any(  # not the dataclass's
            not each.init or each.kw_only or type(kind.__dict__.get(each.name)).__name__ != "member_descriptor"
            for each in fields):
        return None
    names: dict[str, object] = {"_GIVEN_NOTHING": _GIVEN_NOTHING}
    parameters, body = [], []
    for index, each in enumerate(fields):
        setter, value = f"_set{index}", each.name
        names[setter] = kind.__dict__[each.name].__set__
        if each.default is not dataclasses.MISSING:
            names[f"_default{index}"] = each.default
            parameters.append(f"{each.name}=_default{index}")
        elif each.default_factory is not dataclasses.MISSING:
            names[f"_factory{index}"] = each.default_factory
            parameters.append(f"{each.name}=_GIVEN_NOTHING")
            value = f"_factory{index}() if {each.name} is _GIVEN_NOTHING else {each.name}"
        else:
            parameters.append(each.name)
        body.append(f"    {setter}(self, {value})\n")
    code = f"def __init__(self, {', '.join(parameters)}):\n" + ("".join(body) or "    pass\n")
    exec(code, names)  # code made above from the dataclass's own fields
    init: Any = names["__init__"]
    init.__qualname__ = f"{kind.__qualname__}.__init__"
    return init


_GIVEN_NOTHING = object()  # a field's default when its default factory makes it


def on_deep_stack(function: Callable[..., T], *args) -> T:
    """`function(*args)`, on a thread with a big stack and a high recursion limit (see the
    module's docstring); whatever it raises is raised here."""
    if getattr(_on_deep_stack, "active", False):  # already there (a call made from inside one)
        return function(*args)
    runner = _DeepStack.for_this_process()
    if runner is None:  # a platform that cannot: the caller's own stack
        return function(*args)
    return runner.run(function, args)


_on_deep_stack = threading.local()


class _DeepStack:
    """One thread with the big stack per process, reused for every file: starting a thread
    with a 512 MB stack for each file cost about 0.4 ms a file, a third of a cold run over
    django's 2,800 files. A worker process forked from this one has none of its threads,
    so each process starts its own."""

    _current: _DeepStack | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        previous = threading.stack_size(_STACK_BYTES)
        try:
            threading.Thread(target=self._serve, name="cachelint-deep-stack", daemon=True).start()
        finally:
            threading.stack_size(previous)

    @classmethod
    def for_this_process(cls) -> _DeepStack | None:
        with cls._lock:
            if cls._current is None or cls._current.pid != os.getpid():
                try:
                    cls._current = cls()
                except (ValueError, RuntimeError):  # no stack of that size here
                    return None
            return cls._current

    def run(self, function: Callable[..., T], args: tuple) -> T:
        reply: queue.SimpleQueue = queue.SimpleQueue()
        self.jobs.put((function, args, reply))
        succeeded, value = reply.get()
        if not succeeded:
            raise value
        return value

    def _serve(self) -> None:
        _on_deep_stack.active = True
        while True:
            function, args, reply = self.jobs.get()
            limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))
            try:
                reply.put((True, function(*args)))
            except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
                reply.put((False, error))
            finally:
                sys.setrecursionlimit(limit)
