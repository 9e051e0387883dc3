"""Between cachelint's locations and the positions of the Language Server Protocol.

cachelint counts rows from 1 at each "\\n" and columns from 1 in characters, as Ruff
reports them; LSP counts lines from 0 and columns in the code units the client and the
server agreed on when the session began (UTF-16 unless the client offers UTF-8 or
UTF-32). A character outside the Basic Multilingual Plane is one column for cachelint
and two UTF-16 units for most editors.
"""
from __future__ import annotations

from lsprotocol import types

from cachelint.diagnostic import Location

UTF8, UTF16, UTF32 = types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16, types.PositionEncodingKind.Utf32


class Lines:
    """The lines of one text, to convert positions in it."""

    def __init__(self, text: str, encoding: str | None = UTF16) -> None:
        # None (no encoding negotiated) counts as UTF-16, the protocol's default.
        self.lines = text.split("\n")
        self.encoding = encoding

    def position(self, location: Location) -> types.Position:
        if location.row > len(self.lines):  # past the end: the end of the text
            return types.Position(len(self.lines) - 1, self._units(self.lines[-1]))
        line = location.row - 1
        return types.Position(line, self._units(self.lines[line][: location.column - 1]))

    def range(self, start: Location, end: Location) -> types.Range:
        return types.Range(self.position(start), self.position(end))

    def location(self, position: types.Position) -> Location:
        """The character location of a position (clamped to the text)."""
        line = min(position.line, len(self.lines) - 1)
        text = self.lines[line] if position.line == line else ""
        units = column = 0
        for character in text:
            if units >= position.character:
                break
            units += self._units(character)
            column += 1
        return Location(line + 1, column + 1)

    def line(self, row: int) -> str:
        """The text of a 1-based row, without its line break."""
        return self.lines[row - 1].removesuffix("\r") if 0 < row <= len(self.lines) else ""

    def _units(self, text: str) -> int:
        if self.encoding == UTF32 or text.isascii():
            return len(text)
        if self.encoding == UTF8:
            return len(text.encode("utf-8", "surrogatepass"))
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
