"""SQL text: which statement writes, and to which table.

    parse_sql_write("-- bump\nWITH d AS (SELECT 1) UPDATE products SET price = 2")
    -> SqlWrite(verb="update", table="products")

The statement is found after whitespace, comments and `WITH name AS (...)` clauses;
INSERT, UPDATE, DELETE, REPLACE, MERGE, UPSERT and TRUNCATE write; an INSERT with `ON
CONFLICT … DO UPDATE` or `ON DUPLICATE KEY UPDATE` also updates existing rows. A table
name that is not constant text (a formatted value, `%s`) leaves the table unknown.
"""
from __future__ import annotations

import re
from typing import NamedTuple

import libcst as cst

_SKIP = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)
_NAME = r"(?:\"[^\"]+\"|`[^`]+`|\[[^\]]+\]|[A-Za-z_][\w$]*)"
_WRITE_SQL = re.compile(
    r"(?P<verb>insert|replace|upsert|merge|update|delete|truncate)\b"
    r"(?:\s+(?:or\s+\w+|ignore|low_priority|delayed|high_priority|quick|table))*"
    r"(?:\s+(?:into|from))?(?:\s+only)?"
    rf"(?:\s+(?P<table>{_NAME}(?:\s*\.\s*{_NAME})*)(?=[\s(;,]|$))?",
    re.I,
)
_CTE_CONTINUES = re.compile(r",|as\b|not\b|materialized\b", re.I)
PLACEHOLDER = "\x00"  # stands for a formatted value in SQL text


_UPDATE_ON_CONFLICT = re.compile(r"\bon\s+(?:conflict\b.*?\bdo\s+update|duplicate\s+key\s+update)\b", re.I | re.S)


class SqlWrite(NamedTuple):
    verb: str  # lower case: insert, update, delete, replace, upsert, merge, truncate
    table: str | None  # unquoted, as written (`public.products`); None: not constant text
    updates_existing: bool = False  # an INSERT that updates the row it conflicts with


def parse_sql_write(sql: str) -> SqlWrite | None:
    """The write a SQL statement makes, or None when it is not a write (a SELECT…)."""
    text = _main_statement(sql)
    match = _WRITE_SQL.match(text)
    if match is None:
        return None
    verb = match.group("verb").lower()
    table = match.group("table")
    if table is not None:
        table = ".".join(part.strip().strip("\"`[]") for part in re.split(r"\s*\.\s*", table))
    return SqlWrite(verb, table, verb == "insert" and _UPDATE_ON_CONFLICT.search(text) is not None)


def _main_statement(sql: str) -> str:
    """The text from the statement's first keyword on, after any `WITH name AS (...)`."""
    text = sql[_SKIP.match(sql).end():]
    if not re.match(r"with\b", text, re.I):
        return text
    depth = 0
    quote = None
    for index, char in enumerate(text):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                rest = text[index + 1:]
                rest = rest[_SKIP.match(rest).end():]
                if not _CTE_CONTINUES.match(rest):
                    return rest
    return ""


def string_text(node: cst.BaseExpression) -> str | None:
    """The text of a string literal, concatenation or f-string; formatted values are PLACEHOLDER."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    if isinstance(node, cst.ConcatenatedString):
        left, right = string_text(node.left), string_text(node.right)
        return None if left is None else left + (right if right is not None else PLACEHOLDER)
    if isinstance(node, cst.FormattedString):
        parts = []
        for part in node.parts:
            parts.append(part.value if isinstance(part, cst.FormattedStringText) else PLACEHOLDER)
        return "".join(parts)
    return None
