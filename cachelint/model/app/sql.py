"""What a SQL SELECT statement returns: its column list and the tables it reads.

Only as much SQL as a linter needs: the main `SELECT … FROM …` of a statement (after
any `WITH` clauses), its select list split at top-level commas, and the tables named in
`FROM` and `JOIN` with their aliases.

    parse_select("SELECT u.*, o.total AS amount FROM users u JOIN orders o ON …")
    -> Select(columns=("u.*", "total", "amount"), tables={"u": "users", "o": "orders", …},
              all_columns_of=("users",))

Text that does not start with SELECT or WITH is not a query: None.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

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
    return [(match.lastgroup, match.group(0)) for match in _TOKEN.finditer(sql) if match.lastgroup != "space"]


def _unquote(name: str) -> str:
    return name[1:-1] if name[:1] in "\"`[" else name


def parse_select(sql: str) -> Select | None:
    tokens = _tokens(sql)
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
