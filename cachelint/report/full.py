"""`--output-format full`, the default: each diagnostic with the source it points at, laid
out as Ruff lays it out:

    app.py:3:1: CL002 Cache write without a TTL
      |
    1 | import redis
    2 | r = redis.Redis()
    3 | r.set("user:1", data)
      | ^^^^^^^^^^^^^^^^^^^^^ CL002
      |
      = help: Add `ex=...`

A range over several lines gets a `/`, `|`, `|___^` margin. Tabs are expanded and control
characters shown as symbols, so a source file cannot move the carets or drive the terminal.
"""
from __future__ import annotations

import unicodedata

from cachelint.diagnostic import Diagnostic, Location
from cachelint.report import ReportContext, source
from cachelint.report.text import ERROR, GUTTER, HELP, Painter, header, summary

CONTEXT_LINES = 2
TAB_WIDTH = 4


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    paint = Painter(context.color)
    parts = []
    for diagnostic in diagnostics:
        parts.append(header(diagnostic, context, paint) + "\n")
        text = context.sources.get(diagnostic.filename)
        if text is not None:
            parts.extend(line + "\n" for line in _frame(diagnostic, source.lines(text), paint))
    if context.summary:
        parts.append(summary(diagnostics, context, paint))
    return "".join(parts)


def _frame(diagnostic: Diagnostic, rows: tuple[str, ...], paint: Painter) -> list[str]:
    """The framed source lines, the help line and a blank line; nothing when the range is not in the file."""
    span = _span(diagnostic, rows)
    if span is None:
        return []
    start, end = span
    first = max(1, start.row - CONTEXT_LINES)
    while first < start.row and not rows[first - 1].strip():
        first += 1
    last = min(len(rows), end.row + CONTEXT_LINES)
    while last > end.row and not rows[last - 1].strip():
        last -= 1

    gutter = _Gutter(len(str(last)), paint)
    label = f" {diagnostic.code}" if diagnostic.code else ""
    shown = {row: _displayed(rows[row - 1]) for row in range(first, last + 1)}
    start_at = _offset(shown[start.row][1], start.column)
    end_at = _offset(shown[end.row][1], end.column)
    multiline = end.row > start.row
    # A range that starts after only indentation opens with `/` on its first line; one that
    # starts mid-line is pointed at from below with ` ___^`.
    opens_inline = multiline and not rows[start.row - 1][: start.column - 1].strip()

    lines = [gutter.rule()]
    for row in range(first, last + 1):
        if not multiline:
            margin = ""
        elif row == start.row and opens_inline:
            margin = "/ "
        elif start.row < row <= end.row:
            margin = "| "
        else:
            margin = "  "
        lines.append(gutter.source(row, margin, shown[row][0]))
        if not multiline and row == start.row:
            lines.append(gutter.marks(" " * start_at + "^" * max(end_at - start_at, 1) + label))
        elif multiline and row == start.row and not opens_inline:
            lines.append(gutter.marks(" " + "_" * (start_at + 1) + "^"))
        elif multiline and row == end.row:
            lines.append(gutter.marks("|" + "_" * end_at + "^" + label))
    lines.append(gutter.rule())
    if diagnostic.fix is not None:
        lines.append(gutter.help(diagnostic.fix.message))
    lines.append("")
    return lines


def _span(diagnostic: Diagnostic, rows: tuple[str, ...]) -> tuple[Location, Location] | None:
    """The range clamped to the file; a range that ends just after a line break ends on the line before."""
    start, end = diagnostic.location, max(diagnostic.location, diagnostic.end_location)
    if not 1 <= start.row <= len(rows):
        return None
    if end.row > len(rows):
        end = Location(len(rows), len(rows[-1]) + 1)
    if end.row > start.row and end.column == 1:
        end = Location(end.row - 1, len(rows[end.row - 2]) + 1)
    return start, end


class _Gutter:
    """Lines with the numbered `N |` gutter on the left."""

    def __init__(self, width: int, paint: Painter) -> None:
        self.width = width
        self.paint = paint

    def rule(self) -> str:
        return self.paint(" " * self.width + " |", GUTTER)

    def source(self, row: int, margin: str, text: str) -> str:
        body = (margin + text).rstrip()
        if not body:
            return self.paint(f"{row:>{self.width}} |", GUTTER)
        margin, text = body[: len(margin)], body[len(margin):]
        return self.paint(f"{row:>{self.width}} |", GUTTER) + " " + self.paint(margin, ERROR) + text

    def marks(self, marks: str) -> str:
        indent = len(marks) - len(marks.lstrip())
        return self.rule() + " " + marks[:indent] + self.paint(marks[indent:], ERROR)

    def help(self, message: str) -> str:
        return " " * (self.width + 1) + self.paint("=", GUTTER) + " " + self.paint("help", HELP) + ": " + message


def _displayed(line: str) -> tuple[str, list[int]]:
    """The line as printed, and for each character index the terminal column it starts at
    (one entry more than there are characters: the column just after the line)."""
    if line.isascii() and line.isprintable():  # no tab, no control character: one column each
        return line, list(range(len(line) + 1))
    pieces, columns, width = [], [0], 0
    for char in line:
        if char == "\t":
            piece = " " * (TAB_WIDTH - width % TAB_WIDTH)
        elif unicodedata.category(char) == "Cc":
            piece = _control_picture(char)
        else:
            piece = char
        pieces.append(piece)
        width += sum(_char_width(c) for c in piece)
        columns.append(width)
    return "".join(pieces), columns


def _control_picture(char: str) -> str:
    """The Unicode symbol for a C0 control character or DEL; U+FFFD for a C1 control."""
    if char == "\x7f":
        return "\u2421"
    return chr(0x2400 + ord(char)) if char < " " else "\ufffd"


def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _offset(columns: list[int], column: int) -> int:
    """The terminal column of a 1-based character column, clamped to the line."""
    return columns[min(max(column - 1, 0), len(columns) - 1)]
