"""sqlite3 connections the project opens itself (no ORM): their statements and transaction
boundaries are observed, for CL006 / CL009 (a cache write or delete before the commit, or
during a transaction rolled back) and CL010 (a stale read after a committed write)."""
from __future__ import annotations

from tests.observe.conftest import observe_suite

SUITE = '''
import os
import sqlite3

import pytest
import redis

cache = redis.Redis(host="127.0.0.1", port=int(os.environ["PORT"]))


@pytest.fixture
def database(tmp_path):
    path = str(tmp_path / "shop.db")
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price INTEGER)")
        connection.execute("INSERT INTO products VALUES (1, 'Kettle', 30)")
    connection.close()
    cache.flushdb()
    return path


def product(connection):
    cached = cache.get("product:1")
    if cached is None:
        cached = connection.execute("SELECT name FROM products WHERE id = ?", (1,)).fetchone()[0]
        cache.set("product:1", cached, ex=60)
        return cached
    return cached.decode()


def test_invalidated_before_the_commit(database):
    connection = sqlite3.connect(database)
    product(connection)
    connection.execute("UPDATE products SET name = 'Teapot' WHERE id = 1")  # opens a transaction
    cache.delete("product:1")
    connection.commit()


def test_not_invalidated(database):
    connection = sqlite3.connect(database, isolation_level=None)  # autocommit
    product(connection)
    connection.cursor().execute("UPDATE products SET name = ? WHERE id = ?", ("Teapot", 1))
    assert product(connection) == "Kettle"  # stale


def test_written_in_a_transaction_rolled_back(database):
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("BEGIN")
    connection.execute("UPDATE products SET price = 10 WHERE id = 1")
    cache.set("price:1", 10, ex=60)
    connection.execute("ROLLBACK")


def test_with_block_rolled_back(database):
    connection = sqlite3.connect(database)
    with pytest.raises(ValueError):
        with connection:
            connection.execute("UPDATE products SET price = 20 WHERE id = 1")
            cache.set("discount:1", 20, ex=60)
            raise ValueError


def test_fixed(database):
    connection = sqlite3.connect(database)
    product(connection)
    with connection:
        connection.execute("UPDATE products SET name = 'Teapot' WHERE id = 1")
    cache.delete("product:1")
    assert product(connection) == "Teapot"
    connection.execute("UPDATE products SET price = 5 WHERE id = 1")
    connection.commit()
    cache.delete("product:1")
    assert product(connection) == "Teapot"
    connection.close()
'''


def test_sqlite3_connections(pytester, suite_environment):
    result, seen = observe_suite(pytester, SUITE)
    result.assert_outcomes(passed=5)
    assert seen == {
        ("CL006", "test_invalidated_before_the_commit", "product:1"),
        ("CL010", "test_not_invalidated", "product:1"),
        ("CL009", "test_written_in_a_transaction_rolled_back", "price:1"),
        ("CL006", "test_with_block_rolled_back", "discount:1"),
    }
