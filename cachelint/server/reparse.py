"""Parse a document again after an edit, reusing the top-level statements that did not change.

LibCST's parse is the costliest step of linting a module, and in an editor most of the
module is the same from one keystroke to the next. So the text is cut into top-level
statements (where each starts, as Python's own fast `ast` parser sees it), each piece is
parsed alone, or taken from the last parse when its text is unchanged, and the pieces
are put together into the module a parse of the whole text gives:

- what a piece's parse leaves after its statement (blank lines, comments at column 0) is
  what the whole parse gives the next statement as its leading lines, or the module as
  its footer after the last one; comments indented under a block stay in its footer;
- the first piece's leading lines are the module's header.

A piece whose parse does not fit that shape, pieces that disagree on the module's
default indentation or newline, or text that `ast` does not parse are parsed whole
instead (so a syntax error is reported exactly as the engine reports it). A piece
whose text occurs twice is parsed twice: a node must appear once in a tree, since the
model keys positions by node.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst

from cachelint.parsing import parse_module


@dataclass(frozen=True)
class _Piece:
    module: cst.Module  # the piece parsed alone: one statement, a header (first piece), a footer
    # A compound statement: its blocks are indented by the module's default indentation
    # (a one-line `if x: pass` is taken as one too, and a mismatch parses the text whole).
    has_block: bool


class ReusingParser:
    """One document's parser: `parser(text)` is `parse_module(text)`, faster after small edits."""

    def __init__(self) -> None:
        self._pieces: dict[str, _Piece] = {}

    def __call__(self, text: str) -> cst.Module:
        texts = _pieces(text)
        if texts is None:
            return parse_module(text)
        pieces: dict[str, _Piece] = {}
        parts: list[_Piece] = []
        for piece_text in texts:
            piece = self._pieces.get(piece_text) if piece_text not in pieces else None
            if piece is None:
                try:
                    piece = _parse_piece(piece_text)
                except cst.ParserSyntaxError:
                    piece = None
                if piece is None:
                    return parse_module(text)
            pieces.setdefault(piece_text, piece)
            parts.append(piece)
        module = _assemble(parts)
        if module is None:
            return parse_module(text)
        self._pieces = pieces
        return module


def _pieces(text: str) -> list[str] | None:
    """The text cut at the first line of each top-level statement (its first decorator);
    None when `ast` cannot parse it or lines end other than with "\\n" or "\\r\\n"."""
    if "\r" in text.replace("\r\n", ""):
        return None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if not tree.body:
        return None
    first_rows = sorted({
        min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", ()))])
        for statement in tree.body
    })
    line_starts = [0]
    position = text.find("\n")
    while position != -1:
        line_starts.append(position + 1)
        position = text.find("\n", position + 1)
    cuts = [0, *(line_starts[row - 1] for row in first_rows[1:]), len(text)]
    return [text[start:end] for start, end in zip(cuts, cuts[1:])]


def _parse_piece(text: str) -> _Piece | None:
    module = parse_module(text)
    if len(module.body) != 1:
        return None
    return _Piece(module, isinstance(module.body[0], cst.BaseCompoundStatement))


def _assemble(parts: list[_Piece]) -> cst.Module | None:
    first = parts[0].module
    indents = {part.module.default_indent for part in parts if part.has_block}
    newlines = {part.module.default_newline for part in parts}
    if len(indents) > 1 or len(newlines) > 1 or any(part.module.header for part in parts[1:]):
        return None
    body = [first.body[0]]
    for before, part in zip(parts, parts[1:]):
        statement = part.module.body[0]
        if before.module.footer:
            statement = statement.with_changes(leading_lines=[*before.module.footer, *statement.leading_lines])
        body.append(statement)
    last = parts[-1].module
    return cst.Module(
        body=body,
        header=first.header,
        footer=last.footer,
        encoding=first.encoding,
        default_indent=indents.pop() if indents else first.default_indent,
        default_newline=newlines.pop(),
        has_trailing_newline=last.has_trailing_newline,
    )
