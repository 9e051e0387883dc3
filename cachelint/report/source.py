"""Source lines as the diagnostics count them: rows split at `\n`, `\r\n` or `\r` only."""
from __future__ import annotations

import re
from functools import lru_cache

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@lru_cache(maxsize=8)
def lines(text: str) -> tuple[str, ...]:
    return tuple(_LINE_BREAK.split(text))


def line(sources: dict[str, str], filename: str, row: int) -> str | None:
    """Row `row` (1-based) of the file, or None when the source or the row is not there."""
    text = sources.get(filename)
    if text is None:
        return None
    rows = lines(text)
    return rows[row - 1] if 1 <= row <= len(rows) else None
