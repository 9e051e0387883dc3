"""cachelint.model.app.sql: the select list and tables of a SELECT statement."""
from __future__ import annotations

import pytest

from cachelint.model.app.sql import parse_select


def test_columns_and_tables():
    select = parse_select("SELECT id, display_name AS name FROM users WHERE id = %s")
    assert select.columns == ("id", "display_name", "name")
    assert select.tables == {"users": "users"}
    assert select.all_columns_of == ()


def test_a_star_selects_every_column_of_every_table():
    select = parse_select("select distinct * from public.users u, orders o where o.uid = u.id")
    assert select.columns == ("*",)
    assert select.all_columns_of == ("users", "orders")


def test_a_qualified_star_selects_the_columns_of_its_table():
    select = parse_select('SELECT u.*, o.total FROM "users" AS u JOIN orders o ON o.user_id = u.id')
    assert select.columns == ("u.*", "total")
    assert select.all_columns_of == ("users",)


@pytest.mark.parametrize("sql", [
    "SELECT COUNT(*) FROM users",
    "SELECT id FROM (SELECT * FROM users) AS s",
    "WITH s AS (SELECT * FROM users) SELECT id FROM s",
])
def test_a_star_inside_parentheses_is_not_the_select_list(sql):
    assert parse_select(sql).all_columns_of == ()


def test_functions_keywords_and_qualifiers_are_not_columns():
    select = parse_select("SELECT SUM(a.balance) AS total, CASE WHEN is_admin THEN 1 ELSE 0 END FROM accounts a")
    assert select.columns == ("balance", "total", "is_admin")


def test_comments_and_strings_are_skipped():
    select = parse_select("-- the card\nSELECT /* cheap */ name, 'a, b' AS label FROM users")
    assert select.columns == ("name", "label")


@pytest.mark.parametrize("text", ["UPDATE users SET name = %s", "users", "", "selector:*"])
def test_other_text_is_not_a_query(text):
    assert parse_select(text) is None
