"""SQL: the text an expression holds, and what that text does.

One reader (`SqlReader.text`) turns an expression into SQL text, following what the
module shows: literals, concatenations and f-strings, `%` and `+`, `.format()`, the
wrappers `text(...)`/`SQL(...)`/`literal_column(...)`, and a variable's one reaching
assignment. A formatted value is PLACEHOLDER. Two questions are asked of the text:

    parse_sql_write("-- bump\nWITH d AS (SELECT 1) UPDATE products SET price = 2")
    -> SqlWrite(verb="update", table="products")

    parse_select("SELECT u.*, o.total AS amount FROM users u JOIN orders o ON …")
    -> Select(columns=("u.*", "total", "amount"), tables={"u": "users", "o": "orders", …},
              all_columns_of=("users",))

Writes: the statement is found after whitespace, comments and `WITH name AS (...)`
clauses; INSERT, UPDATE, DELETE, REPLACE, MERGE, UPSERT and TRUNCATE write; an INSERT
with `ON CONFLICT … DO UPDATE` or `ON DUPLICATE KEY UPDATE` also updates existing rows.
A table name that is not constant text leaves the table unknown.

Selects: only as much SQL as a linter needs: the main `SELECT … FROM …` of a statement
(after any `WITH` clauses), its select list split at top-level commas, and the tables
named in `FROM` and `JOIN` with their aliases; a formatted value reads as the name `_`.
Text that does not start with SELECT or WITH is not a query: None.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

import libcst as cst

from cachelint.model.core.module import SourceModule
from cachelint.model.core.scopes import Scope
from cachelint.model.core.values import string_value

PLACEHOLDER = "\x00"  # stands for a formatted value in SQL text
_MAX_DEPTH = 8
# Calls that hand SQL text on: sqlalchemy.text("…"), psycopg.sql.SQL("…"), literal_column("…").
_SQL_WRAPPERS = frozenset({"text", "SQL", "literal_column"})


class SqlReader:
    """The SQL text expressions of one module hold."""

    def __init__(self, source: SourceModule) -> None:
        self.source = source

    def text(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> str | None:
        """The SQL text `expr` (evaluated in `scope`) holds, formatted values as PLACEHOLDER."""
        if depth > _MAX_DEPTH:
            return None
        text = string_text(expr)
        if text is not None:
            return text
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Modulo, cst.Add)):
            left = self.text(expr.left, scope, depth + 1)
            if left is None or isinstance(expr.operator, cst.Modulo):
                return left
            return left + (self.text(expr.right, scope, depth + 1) or PLACEHOLDER)
        if isinstance(expr, cst.Call) and expr.args:
            func = expr.func
            if isinstance(func, cst.Attribute) and func.attr.value == "format":
                return self.text(func.value, scope, depth + 1)
            name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
            if name in _SQL_WRAPPERS:
                return self.text(expr.args[0].value, scope, depth + 1)
            return None
        if isinstance(expr, cst.Name):
            bindings = self.source.reaching.bindings(expr.value, scope, self.source.spans.start(expr))
            if len(bindings) == 1 and bindings[0].kind in ("assign", "with") \
                    and isinstance(bindings[0].value, cst.BaseExpression):
                return self.text(bindings[0].value, bindings[0].scope, depth + 1)
        return None


def string_text(node: cst.BaseExpression) -> str | None:
    """The text of a string literal, concatenation or f-string; formatted values are PLACEHOLDER."""
    if isinstance(node, cst.SimpleString):
        value = string_value(node)
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


# ---------------------------------------------------------------------- writes

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


def _skipped(text: str) -> str:
    """`text` after its leading whitespace and comments."""
    leading = _SKIP.match(text)  # always matches, if only the empty string
    return text[leading.end():] if leading is not None else text


def _main_statement(sql: str) -> str:
    """The text from the statement's first keyword on, after any `WITH name AS (...)`."""
    text = _skipped(sql)
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
                rest = _skipped(rest)
                if not _CTE_CONTINUES.match(rest):
                    return rest
    return ""


# ---------------------------------------------------------------------- selects

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|--[^\n]*|/\*.*?\*/)
    | (?P<string>'(?:[^']|'')*')
    | (?P<name>"[^"]*"|`[^`]*`|\[[^\]]*\]|[A-Za-z_][A-Za-z0-9_$]*)
    | (?P<number>[0-9][0-9.]*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
# Words that end a FROM clause.
_FROM_ENDS = {
    "where", "group", "order", "having", "limit", "offset", "union", "intersect", "except", "window",
    "for", "fetch", "returning",
}
# Words that cannot be a table alias.
_NOT_ALIASES = _FROM_ENDS | {
    "on", "using", "join", "inner", "left", "right", "full", "outer", "cross", "natural", "lateral",
}
_SELECT_MODIFIERS = {"distinct", "all"}
_KEYWORDS = {
    "as", "case", "when", "then", "else", "end", "and", "or", "not", "is", "null", "in", "like", "between",
    "distinct", "true", "false", "cast", "over", "partition", "by", "filter", "where", "interval",
}


@dataclass(frozen=True)
class Select:
    columns: tuple[str, ...]  # each name the select list uses (unqualified), and `*`/`t.*` items
    tables: dict[str, str]  # alias (or the table's own name) -> table name, lower-cased, unquoted
    all_columns_of: tuple[str, ...]  # tables whose every column is selected (`*`, `t.*`)


def _tokens(sql: str) -> list[tuple[str, str]]:
    # Every alternative of _TOKEN is a named group: each match has a `lastgroup`.
    return [(kind, match.group(0)) for match in _TOKEN.finditer(sql)
            if (kind := match.lastgroup) is not None and kind != "space"]


def _unquote(name: str) -> str:
    return name[1:-1] if name[:1] in "\"`[" else name


def parse_select(sql: str) -> Select | None:
    """The columns and tables of a SELECT statement, or None when the text is no query."""
    tokens = _tokens(sql.replace(PLACEHOLDER, " _ "))
    start = _main_select(tokens)
    if start is None:
        return None
    items, end = _select_list(tokens, start + 1)
    tables = _from_tables(tokens, end)
    columns: list[str] = []
    all_columns_of: list[str] = []
    for item in items:
        star = _star(item)
        if star == "*":
            all_columns_of += tables.values()
            columns.append("*")
        elif star is not None:
            all_columns_of.append(tables.get(star, star))
            columns.append(f"{star}.*")
        else:
            columns += _names(item)
    return Select(tuple(columns), tables, tuple(dict.fromkeys(all_columns_of)))


def _main_select(tokens: list[tuple[str, str]]) -> int | None:
    """The index of the SELECT keyword of the statement (after `WITH … AS (…)` clauses)."""
    if not tokens or tokens[0][0] != "name" or tokens[0][1].lower() not in ("select", "with"):
        return None
    depth = 0
    for index, (kind, text) in enumerate(tokens):
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif depth == 0 and kind == "name" and text.lower() == "select":
            return index
    return None


def _select_list(tokens: list[tuple[str, str]], index: int) -> tuple[list[list[tuple[str, str]]], int]:
    """The select list's items (each a list of tokens) and the index after it."""
    items: list[list[tuple[str, str]]] = [[]]
    depth = 0
    while index < len(tokens):
        kind, text = tokens[index]
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif depth == 0 and kind == "name" and text.lower() in ("from", "into", "union", "where"):
            break
        if depth == 0 and text == ",":
            items.append([])
        elif not (len(items) == 1 and not items[0] and text.lower() in _SELECT_MODIFIERS):
            items[-1].append((kind, text))
        index += 1
    return [item for item in items if item], index


def _star(item: list[tuple[str, str]]) -> str | None:
    """`*` for a bare star item, the table or alias for `t.*`, else None."""
    texts = [text for _, text in item]
    if texts == ["*"]:
        return "*"
    if len(texts) >= 3 and texts[-2:] == [".", "*"]:
        return _unquote(texts[-3]).lower()
    return None


def _names(item: list[tuple[str, str]]) -> list[str]:
    """The column names and aliases an item uses: not functions, keywords or qualifiers."""
    names = []
    for index, (kind, text) in enumerate(item):
        if kind != "name":
            continue
        following = item[index + 1][1] if index + 1 < len(item) else ""
        if following in ("(", ".") or text.lower() in _KEYWORDS:
            continue
        names.append(_unquote(text))
    return names


def _from_tables(tokens: list[tuple[str, str]], index: int) -> dict[str, str]:
    """Alias -> table for the tables after FROM and JOIN (subqueries are skipped)."""
    tables: dict[str, str] = {}
    if index >= len(tokens) or tokens[index][1].lower() != "from":
        return tables
    depth = 0
    expect_table = True
    index += 1
    while index < len(tokens):
        kind, text = tokens[index]
        lower = text.lower()
        if text in "()":
            depth += 1 if text == "(" else -1
            if depth < 0:
                break
        elif depth == 0 and kind == "name" and lower in _FROM_ENDS:
            break
        elif depth == 0 and (text == "," or lower == "join"):
            expect_table = True
        elif depth == 0 and kind == "name" and expect_table:
            name, index = _dotted(tokens, index)
            table = name.rsplit(".", 1)[-1].lower()
            tables[table] = table
            alias, index = _alias(tokens, index)
            if alias:
                tables[alias] = table
            expect_table = False
            continue
        index += 1
    return tables


def _dotted(tokens: list[tuple[str, str]], index: int) -> tuple[str, int]:
    """`schema.table` starting at `index`: its text and the index after it."""
    parts = [_unquote(tokens[index][1])]
    index += 1
    while index + 1 < len(tokens) and tokens[index][1] == "." and tokens[index + 1][0] == "name":
        parts.append(_unquote(tokens[index + 1][1]))
        index += 2
    return ".".join(parts), index


def _alias(tokens: list[tuple[str, str]], index: int) -> tuple[str | None, int]:
    if index < len(tokens) and tokens[index][1].lower() == "as":
        index += 1
    if index < len(tokens) and tokens[index][0] == "name" and tokens[index][1].lower() not in _NOT_ALIASES:
        return _unquote(tokens[index][1]).lower(), index + 1
    return None, index
