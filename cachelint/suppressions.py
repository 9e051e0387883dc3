"""Suppression comments.

- `# noqa` and `# noqa: CL002, CL007` (codes, prefixes such as `CL00`, or rule names),
  as flake8 and Ruff read them; `# noqa:` followed by no code suppresses nothing;
- `# cachelint: ignore` and `# cachelint: ignore[set-without-ttl, CL007]`;
- either trailing on any line of the statement the finding belongs to, or alone on the
  line directly above that statement;
- `# cachelint: noqa` alone on a line anywhere: the whole file is skipped;
  `# cachelint: noqa: CL002` skips those rules for the whole file, as `# ruff: noqa: F401`.
"""
from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

from cachelint.diagnostic import Diagnostic
from cachelint.rules import base as rules
from cachelint.selection import matches, matching

EVERY_RULE = ("ALL",)
_SELECTOR = r"[A-Za-z]+[0-9]+|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+"
_SELECTORS = rf"(?:{_SELECTOR})(?:[ \t,]+(?:{_SELECTOR}))*"
# After a bare `noqa`/`ignore` comes the end of the comment, a space or another comment.
_BARE = r"(?![\w:\[-])"
_NOQA = re.compile(rf"#[ \t]*noqa(?::[ \t]*(?P<codes>{_SELECTORS})|{_BARE})", re.IGNORECASE)
_IGNORE = re.compile(rf"#[ \t]*cachelint:[ \t]*ignore(?:\[(?P<codes>[^\]\n]*)\]|{_BARE})", re.IGNORECASE)
_ANY_SUPPRESSION = re.compile(r"noqa|cachelint[ \t]*:[ \t]*ignore", re.IGNORECASE)
_FILE_NOQA = re.compile(
    rf"^[ \t]*#[ \t]*cachelint:[ \t]*noqa(?::[ \t]*(?P<codes>{_SELECTORS})|{_BARE})", re.IGNORECASE | re.MULTILINE
)


@dataclass(frozen=True)
class Directive:
    """One `# noqa…` or `# cachelint: ignore…` in a comment: where it is on its row (0-based
    character columns) and what it names."""

    start: int
    end: int
    kind: str  # "noqa" or "ignore"
    selectors: tuple[str, ...]  # EVERY_RULE when it names none


@dataclass(frozen=True)
class Comment:
    row: int
    alone: bool  # the only thing on its line
    directives: tuple[Directive, ...]

    @property
    def selectors(self) -> tuple[str, ...]:
        return tuple(selector for directive in self.directives for selector in directive.selectors)


def _selectors(match: re.Match[str]) -> tuple[str, ...]:
    codes = match["codes"]
    if codes is None:
        return EVERY_RULE
    return tuple(part for part in re.split(r"[ \t,]+", codes) if part)


def file_level(text: str) -> tuple[str, ...]:
    """What `# cachelint: noqa` comments standing on their own lines suppress in the whole file."""
    return tuple(selector for match in _FILE_NOQA.finditer(text) for selector in _selectors(match))


def comments(text: str) -> dict[int, Comment]:
    """Suppression comments by row. Comments are found with the tokenizer, so a `# noqa`
    inside a string is not one; if the tokenizer gives up part way (source it does not
    know that LibCST parsed), the comments before that point still count."""
    found: dict[int, Comment] = {}
    if not _ANY_SUPPRESSION.search(text):  # most files have none, and tokenizing costs
        return found
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.COMMENT:
                continue
            row, column = token.start
            directives = tuple(
                Directive(column + match.start(), column + match.end(), kind, _selectors(match))
                for kind, pattern in (("ignore", _IGNORE), ("noqa", _NOQA))
                for match in pattern.finditer(token.string)
            )
            if directives:
                found[row] = Comment(row, not token.line[:column].strip(), directives)
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def suppressing(diagnostic: Diagnostic, by_row: dict[int, Comment]) -> list[tuple[Comment, Directive, str]]:
    """Every comment, directive and selector in it that suppresses the diagnostic."""
    first, last = diagnostic.statement_rows
    if not first:
        first = last = diagnostic.location.row
    candidates = [by_row.get(row) for row in range(first, last + 1)]
    above = by_row.get(first - 1)
    if above is not None and above.alone:
        candidates.append(above)
    return [
        (comment, directive, selector)
        for comment in candidates if comment is not None
        for directive in comment.directives
        for selector in directive.selectors if matches(selector, diagnostic)
    ]


def is_suppressed(diagnostic: Diagnostic, by_row: dict[int, Comment]) -> bool:
    return bool(suppressing(diagnostic, by_row))


def judged(by_row: dict[int, Comment], suppressed: list[Diagnostic], lines: list[str]) -> list[rules.Suppression]:
    """The file's suppression directives as the comment rules judge them (CL900), each
    with the selectors that hid one of the `suppressed` findings; `lines` are the file's."""
    used: dict[tuple[int, int], set[str]] = {}
    for diagnostic in suppressed:
        for comment, directive, selector in suppressing(diagnostic, by_row):
            used.setdefault((comment.row, directive.start), set()).add(selector)
    return [
        rules.Suppression(comment.row, directive.start, directive.end, lines[comment.row - 1], directive.kind,
                    directive.selectors, tuple(matching([selector]) for selector in directive.selectors),
                    frozenset(used.get((comment.row, directive.start), ())))
        for comment in by_row.values() if comment.row <= len(lines)
        for directive in comment.directives
    ]


def with_noqa(line: str, code: str) -> str:
    """`line` suppressing `code` too: the code added to its `# noqa: …` comment, or
    `  # noqa: CODE` appended (after any other comment, as flake8 and Ruff read it)."""
    matches = list(_NOQA.finditer(line))
    last = matches[-1] if matches else None
    if last is not None and last["codes"]:
        return f"{line[:last.end('codes')]}, {code}{line[last.end('codes'):]}"
    return f"{line.rstrip()}  # noqa: {code}"


_ROWS = re.compile(r"(\r\n|\r|\n)")


def with_noqa_comments(text: str, diagnostics: list[Diagnostic]) -> tuple[str, int]:
    """`text` with a `# noqa: CODE` for each diagnostic (`--add-noqa`), on the last row of
    its statement as the editor's quick fix puts it, and how many codes were added. Rows
    end at `\n`, `\r\n` or `\r`, as diagnostics count them; each keeps its own ending."""
    wanted: dict[int, set[str]] = {}
    for diagnostic in diagnostics:
        if diagnostic.code is not None:
            wanted.setdefault(diagnostic.statement_rows[1] or diagnostic.location.row, set()).add(diagnostic.code)
    pieces = _ROWS.split(text)  # row, ending, row, ending, ..., last row
    added = 0
    for row, codes in wanted.items():
        index = 2 * (row - 1)
        if index >= len(pieces):
            continue
        for code in sorted(codes):
            pieces[index] = with_noqa(pieces[index], code)
            added += 1
    return "".join(pieces), added

