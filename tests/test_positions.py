"""The one-pass spans and walk give what LibCST's ByteSpanPositionProvider and visitor give."""
from __future__ import annotations

from pathlib import Path
from types import FunctionType

import libcst as cst
import pytest
from libcst._nodes.base import CSTNode
from libcst._nodes.expression import _BaseParenthesizedNode
from libcst.metadata import ByteSpanPositionProvider, MetadataWrapper

from cachelint.model.core import positions
from cachelint.model.core.positions import SpannedModule

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_CORPUS = ROOT.parent / "shared" / "eval" / "public"
SOURCES = sorted((ROOT / "fixtures").glob("*.py")) + sorted(PUBLIC_CORPUS.rglob("*.py"))
# Whitespace has no span and is not visited (the model asks neither of it).
WHITESPACE = positions.UNRECORDED


class Recorder(cst.CSTVisitor):
    """Records every visit and leave (through a `visit_<Node>` and `leave_<Node>` method
    for each kind of node, as a real visitor has them); skips the children of lambdas."""

    METADATA_DEPENDENCIES = (ByteSpanPositionProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple] = []

    def record(self, kind: str, node: cst.CSTNode) -> bool:
        if not isinstance(node, WHITESPACE):
            span = self.get_metadata(ByteSpanPositionProvider, node) if kind == "visit" else None
            self.events.append((kind, node, span and (span.start, span.length)))
        return not isinstance(node, cst.Lambda)


for _name in dir(cst.CSTVisitor):
    _kind, _, _node_type = _name.partition("_")
    if _kind in ("visit", "leave") and _node_type and "_" not in _node_type:  # not attribute hooks
        setattr(Recorder, _name, lambda self, node, kind=_kind: self.record(kind, node))


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: path.name)
def test_spans_and_walk_are_libcsts(path):
    module = cst.parse_module(path.read_text())
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    expected = Recorder()
    wrapper.visit(expected)
    spanned = SpannedModule(module)
    replayed = Recorder()
    spanned.visit(replayed)
    libcsts = wrapper.resolve(ByteSpanPositionProvider)
    assert {node: (span.start, span.length) for node, span in spanned.spans.items()} == {
        node: (span.start, span.length) for node, span in libcsts.items() if not isinstance(node, WHITESPACE)
    }
    assert replayed.events == expected.events
    assert any(kind == "leave" and isinstance(node, cst.Call) for kind, node, _ in expected.events)


def test_a_visitor_that_needs_other_metadata_is_refused():
    class Other(cst.CSTVisitor):
        METADATA_DEPENDENCIES = (cst.metadata.PositionProvider,)

    with pytest.raises(TypeError, match="PositionProvider"):
        SpannedModule(cst.parse_module("x = 1\n")).visit(Other())


def test_libcsts_code_generation_is_its_own_while_and_after_spans_are_made():
    """The pass replaces two of LibCST's methods while it runs; any other code generation
    meanwhile (another thread's) gets LibCST's own, and so do all after it."""
    text = "x = (a + b)  # c\nf((y), *z, **{'k': [1, (2)]})\n"
    module = cst.parse_module(text)
    codegen, parenthesize = CSTNode.__dict__["_codegen"], _BaseParenthesizedNode.__dict__["_parenthesize"]
    expected = {node: (span.start, span.length)
                for node, span in MetadataWrapper(module, unsafe_skip_copy=True).resolve(ByteSpanPositionProvider).items()}
    with positions._inlined():
        assert CSTNode.__dict__["_codegen"] is not codegen
        assert module.code == text
        during = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ByteSpanPositionProvider)
        assert {node: (span.start, span.length) for node, span in during.items()} == expected
    assert CSTNode.__dict__["_codegen"] is codegen
    assert _BaseParenthesizedNode.__dict__["_parenthesize"] is parenthesize
    assert {node: tuple(span) for node, span in SpannedModule(module).spans.items()} == {
        node: span for node, span in expected.items() if not isinstance(node, WHITESPACE)}
    assert not any(isinstance(kind.__dict__.get("_codegen"), FunctionType) for kind in positions._OWN_CODEGEN)


# Each node the pass spans without LibCST's calls (a one-token leaf, an f-string's text, a
# one-token operator), also where it takes LibCST's way (parentheses, whitespace that is
# not plain): a module that starts with a name, names and texts that are not ASCII, a
# backslash continuation, operators before and after a line break inside brackets.
ONE_TOKEN_NODES = """\
déjà = ((x)) + 1.5 - 2j * 0x1F // (3) ** -y
s = ("a" "é") if a . b == c.d ( e , f ) else f'{q!r:>{w}} é {{}}' @ g
h = [
    i,
    (j) ,  # note
    k
    . l
] ; m |= n << o >> p ^ q & r % t
u = v \\
    . w in x and y or not z is not zz and 1 < 2 <= 3 != 4 >= 5 > 6
call(a = 1, *b, **c) ; d /= 1 ; e //= 2 ; e **= 3 ; e %= 4 ; e @= 5 ; e &= 6 ; e ^= 7 ; e >>= 8 ; e <<= 9
e -= 1 ; e += 2 ; e *= 3 ; lambda: (yield) | v / w is x
"""


# Each node that holds others and is spanned without LibCST's calls (a call, an argument,
# an attribute, a statement line, an expression statement, an assignment and its
# targets, a subscript, its elements and indexes, an element of a list, set or tuple,
# brackets, an indented block, a parameter and its annotation, a `return`, a name
# imported, an operation, a comparison and its operands, a dict and its elements, a list,
# set or tuple, a line break inside brackets, `if`, `elif` and `else` clauses, a function
# definition, its decorators and plain parameters, a `from` import), and the lines and
# line ends that are only counted, also
# where it takes LibCST's way (parentheses, whitespace that is not plain): arguments
# starred, named with spaces around `=` and with a comma after the last; statements
# after a semicolon and ending in one; comments (one not ASCII) and line breaks between
# arguments and elements; a block's blank lines, comments and footer; a line end "\r\n".
HOLDING_NODES = """\
a = b = f(x, *y, k = 1, **z)  # c
(g.h)(i) . j ; (k(l)) ; m.n(o=p,) ; q = r ;
s(
    t,  # u
    v = w,
) ; x.y = (z)
a[b] ; c [ d ] [e, f] ; g[*h] ; i[(j)] ; (k[l]) ; m[n,] ; o[p:q, ::2] ; r[ (
    s) ]
t = [1, (2) , 3,] + [ ] + {u, v} + (w, x) + (y,) + {z: 1} + [*a] + f(  )
b = [
    c,  # é
    d
    ]
import a.b as c, d ; from e import (f as g,
    h, )
def i(j, k: int = 1, *l: str, m=2, **n) -> "o":
    return (-j) if not k else [j, ( k ), ] or {l: m, **n} ; return
lambda r, /, s=(1, 2), *, t: r < s > -r is not +s
u = v and (w or x) == (y) in {z: (a), b: c,} ; (d, e) = ((f), (g, h))
@d . e ( f )

# a comment between decorators
@ g  # é
async def h(i, j=1) :
    if i: pass
    elif j :
        pass
    else :  # k
        return
from . import (k) ; from .. l import *
if e:  # a comment
    f = 1

    # a comment in the block
    if g:
        pass
        # the inner block's footer
# a comment after it
h = 2  \r
"""


@pytest.mark.parametrize("text", [ONE_TOKEN_NODES, HOLDING_NODES, "x\n", "'é'\n", "(x)\n", "f'é{x}'\n",
                                  "f(x)\n", "x.y\n", "x = 1\n"])
def test_nodes_spanned_without_libcsts_calls_are_spanned_as_libcst_spans_them(text):
    module = cst.parse_module(text)
    libcsts = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ByteSpanPositionProvider)
    spanned = SpannedModule(module)
    assert module.code == text
    assert {node: tuple(span) for node, span in spanned.spans.items()} == {
        node: (span.start, span.length) for node, span in libcsts.items() if not isinstance(node, WHITESPACE)}
    kinds = {type(node) for node in spanned.spans}
    if text == ONE_TOKEN_NODES:
        assert {*positions.LEAVES, cst.FormattedStringText, *positions.OPERATORS} <= kinds
    if text == HOLDING_NODES:
        assert set(positions._OWN_CODEGEN) - set(WHITESPACE) - {cst.FormattedStringText} - set(positions.LEAVES) \
            - set(positions.OPERATORS) <= kinds


def test_a_tree_built_by_hand_is_spanned_with_libcsts_default_spelling():
    """Commas, `=` and semicolons a node leaves to its defaults (`MaybeSentinel`), which
    no parsed module has."""
    def call() -> cst.Call:
        return cst.Call(cst.Name("f"), [cst.Arg(cst.Name("a")), cst.Arg(cst.Name("b"), keyword=cst.Name("k"))])

    def line(expression: cst.BaseExpression) -> cst.SimpleStatementLine:
        return cst.SimpleStatementLine([cst.Expr(expression)])

    elements = [cst.Element(cst.Name("a")), cst.Element(cst.Name("b"))]
    subscript = cst.Subscript(cst.Name("s"), [cst.SubscriptElement(cst.Index(cst.Name(name))) for name in "ij"])
    function = cst.FunctionDef(cst.Name("g"), cst.Parameters(
        [cst.Param(cst.Name("q")), cst.Param(cst.Name("p"), cst.Annotation(cst.Name("int")), default=cst.Integer("1"))],
        star_arg=cst.Param(cst.Name("r")), kwonly_params=[cst.Param(cst.Name("s"))], star_kwarg=cst.Param(cst.Name("t"))),
        cst.IndentedBlock([cst.SimpleStatementLine([cst.Return(cst.Dict([cst.DictElement(cst.Name("k"), cst.Name("v")),
                                                                         cst.DictElement(cst.Name("w"), cst.Name("x"))])),
                                                    cst.Return()])]),
        returns=cst.Annotation(cst.Name("str")))
    module = cst.Module([cst.SimpleStatementLine([cst.Expr(call()), cst.Assign([cst.AssignTarget(cst.Name("c"))], call())]),
                         line(cst.Name("d")),
                         cst.SimpleStatementLine([cst.ImportFrom(cst.Name("m"), [cst.ImportAlias(cst.Name("n")),
                                                                                 cst.ImportAlias(cst.Name("o"))])]),
                         function,
                         cst.If(cst.Name("e"), cst.IndentedBlock([line(cst.List(elements)), line(cst.Tuple(elements)),
                                                                  line(cst.Tuple(elements[:1])), line(subscript)]),
                                orelse=cst.Else(cst.IndentedBlock([line(cst.Name("z"))]))),
                         cst.FunctionDef(cst.Name("u"), cst.Parameters([cst.Param(cst.Name("v")), cst.Param(cst.Name("w"))]),
                                         cst.IndentedBlock([line(cst.Ellipsis())]), decorators=[cst.Decorator(cst.Name("x"))])])
    assert module.code == "f(a, k = b); c = f(a, k = b)\nd\nfrom m import n, o\n" \
        "def g(q, p: int = 1, *r, s, **t) -> str:\n    return {k: v, w: x}; return\nif e:\n    [a, b]\n    (a, b)\n    (a,)\n    s[i, j]\nelse:\n    z\n@x\ndef u(v, w):\n    ...\n"
    libcsts = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ByteSpanPositionProvider)
    assert {node: tuple(span) for node, span in SpannedModule(module).spans.items()} == {
        node: (span.start, span.length) for node, span in libcsts.items() if not isinstance(node, WHITESPACE)}


def test_whitespace_has_no_span_and_its_bytes_count():
    text = "x = (  # a\n    a +  b)\n\n# c\ny = 'é'  \n"
    module = cst.parse_module(text)
    spans = SpannedModule(module).spans
    assert not any(isinstance(node, WHITESPACE) for node in spans)
    names = {node.value: spans[node] for node in spans if isinstance(node, cst.Name)}
    assert names == {"x": (0, 1), "a": (15, 1), "b": (20, 1), "y": (28, 1)}
    assert spans[module.body[1].body[0].value] == (32, len("'é'".encode()))
