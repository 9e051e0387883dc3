"""Suppression comments.

- `# noqa` and `# noqa: CL002, CL007` (codes or prefixes), as flake8 and Ruff read them;
- `# cachelint: ignore` and `# cachelint: ignore[set-without-ttl, CL007]`;
- either trailing on any line of the statement the finding belongs to, or alone on the
  line directly above that statement;
- `# cachelint: noqa` alone on a line anywhere: the whole file is skipped.
"""
from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

from cachelint.diagnostic import Diagnostic

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Za-z0-9_,\s-]+?))?\s*(?:#|$)", re.IGNORECASE)
_IGNORE = re.compile(r"#\s*cachelint:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
_FILE_NOQA = re.compile(r"#\s*cachelint:\s*noqa\b", re.IGNORECASE)
ALL = None  # a comment that suppresses every rule


@dataclass(frozen=True)
class Comment:
    row: int
    alone: bool  # the only thing on its line
    selectors: tuple[str, ...] | None  # None: every rule


def file_is_suppressed(text: str) -> bool:
    return any(_FILE_NOQA.match(line.strip()) for line in text.splitlines() if "cachelint" in line)


def comments(text: str) -> dict[int, Comment]:
    """Suppression comments by row. Comments are found with the tokenizer, so a `# noqa`
    inside a string is not one."""
    found: dict[int, Comment] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return found
    line_has_code: set[int] = set()
    for token in tokens:
        if token.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                              tokenize.DEDENT, tokenize.ENDMARKER):
            for row in range(token.start[0], token.end[0] + 1):
                line_has_code.add(row)
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        selectors = _parse(token.string)
        if selectors is False:
            continue
        row = token.start[0]
        found[row] = Comment(row, row not in line_has_code, selectors)
    return found


def _parse(comment: str):
    """The selectors a comment names, None for all, or False when it suppresses nothing."""
    match = _IGNORE.search(comment)
    if match is None:
        match = _NOQA.search(comment)
        if match is None:
            return False
    codes = match.group("codes")
    if codes is None:
        return ALL
    selectors = tuple(part.strip() for part in codes.split(",") if part.strip())
    return selectors or ALL


def _covers(selectors: tuple[str, ...] | None, diagnostic: Diagnostic) -> bool:
    if selectors is ALL:
        return True
    for selector in selectors:
        if selector.lower() == diagnostic.name or diagnostic.code.startswith(selector.upper()):
            return True
    return False


def is_suppressed(diagnostic: Diagnostic, by_row: dict[int, Comment]) -> bool:
    first, last = diagnostic.statement_rows
    if not first:
        first = last = diagnostic.location.row
    for row in range(first, last + 1):
        comment = by_row.get(row)
        if comment is not None and _covers(comment.selectors, diagnostic):
            return True
    above = by_row.get(first - 1)
    return above is not None and above.alone and _covers(above.selectors, diagnostic)
