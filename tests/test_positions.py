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
    assert not any(isinstance(kind.__dict__.get("_codegen"), FunctionType) for kind in WHITESPACE)


def test_whitespace_has_no_span_and_its_bytes_count():
    text = "x = (  # a\n    a +  b)\n\n# c\ny = 'é'  \n"
    module = cst.parse_module(text)
    spans = SpannedModule(module).spans
    assert not any(isinstance(node, WHITESPACE) for node in spans)
    names = {node.value: spans[node] for node in spans if isinstance(node, cst.Name)}
    assert names == {"x": (0, 1), "a": (15, 1), "b": (20, 1), "y": (28, 1)}
    assert spans[module.body[1].body[0].value] == (32, len("'é'".encode()))
