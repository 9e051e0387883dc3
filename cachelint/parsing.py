"""LibCST's parse, without checking again every node its parser made.

Each LibCST node checks its own fields when it is made (`CSTNode.__post_init__` calls
`_validate`), which is how a codemod learns that it built an impossible tree. Nodes made
by the parser from source that parsed are valid by construction, and checking them costs
an eighth of a parse (LibCST's own comment on `__post_init__` says as much). So the check
is switched off while the parser runs, and only then: nodes made anywhere else are
checked as usual.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import libcst as cst
from libcst._nodes.base import CSTNode


def parse_module(text: str) -> cst.Module:
    with _nodes_unchecked():
        return cst.parse_module(text)


@contextlib.contextmanager
def _nodes_unchecked() -> Iterator[None]:
    check = CSTNode.__dict__.get("__post_init__")
    if check is None:  # a LibCST that checks nodes some other way: leave it alone
        yield
        return
    CSTNode.__post_init__ = _unchecked
    try:
        yield
    finally:
        CSTNode.__post_init__ = check


def _unchecked(node: CSTNode) -> None:
    pass
