"""The tables a SQL statement reads and writes, by its text (enough for the statements
ORMs and hand-written queries send; a statement it cannot read names no table)."""
from __future__ import annotations

import re

_NAME = r'[`"\[]?(\w+)[`"\]]?'
_WRITE = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+" + _NAME,
    re.IGNORECASE,
)
_READ = re.compile(r"\b(?:FROM|JOIN)\s+" + _NAME, re.IGNORECASE)
_SELECT = re.compile(r"^\s*(?:SELECT|WITH)\b", re.IGNORECASE)


def written_table(statement: str) -> str | None:
    match = _WRITE.match(statement)
    return match.group(1).lower() if match else None


def read_tables(statement: str) -> set[str]:
    if not _SELECT.match(statement):
        return set()
    return {name.lower() for name in _READ.findall(statement)}
