"""The diagnostic record every rule produces and every reporter consumes."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based row and a 1-based column (in characters), as Ruff reports them."""

    row: int
    column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text between two locations with `content`."""

    content: str
    location: Location
    end_location: Location


@dataclass(frozen=True)
class Fix:
    """Edits that remove a finding, and whether applying them is safe."""

    message: str
    edits: tuple[Edit, ...]
    applicability: str = "unsafe"  # "safe" or "unsafe", as Ruff spells it

    def applies(self, unsafe_fixes: bool) -> bool:
        """Whether `--fix` applies it: unsafe fixes need `--unsafe-fixes`."""
        return bool(self.edits) and (unsafe_fixes or self.applicability == "safe")


@dataclass(frozen=True)
class Diagnostic:
    """A finding of a rule, or a problem with a file, at a place in it."""

    code: str | None  # None for problems that are not rule findings (invalid-syntax, io-error)
    name: str
    message: str
    filename: str
    location: Location
    end_location: Location
    fix: Fix | None = None
    severity: str = "error"
    url: str | None = None
    # Every row of the statement the finding belongs to, so that a suppression comment on
    # any line of a multi-line statement applies to it.
    statement_rows: tuple[int, int] = field(default=(0, 0), compare=False)

    def sort_key(self) -> tuple:
        return (self.filename, self.location, self.code or "", self.message)
