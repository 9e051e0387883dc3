"""psycopg (3) and psycopg2 connections the project opens itself, on a real PostgreSQL:
their statements and transaction boundaries are observed for CL006 / CL009 (a cache write
or delete before the commit, or during a transaction rolled back) and CL010 (a stale read
after a committed write)."""
from __future__ import annotations

import pytest

from tests.observe.conftest import observe_suite

# `connect` is psycopg's or psycopg2's; the code is the same for both.
SUITE = '''
import os

import pytest
import redis
from {module} import connect

cache = redis.Redis(host="127.0.0.1", port=int(os.environ["PORT"]))


@pytest.fixture
def database():
    connection = connect(os.environ["DSN"])
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS products")
        cursor.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price INTEGER)")
        cursor.execute("INSERT INTO products VALUES (1, 'Kettle', 30)")
    connection.commit()
    connection.close()
    cache.flushdb()
    return connect(os.environ["DSN"])


def product(connection):
    cached = cache.get("product:1")
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM products WHERE id = %s", (1,))
            cached = cursor.fetchone()[0]
        connection.commit()
        cache.set("product:1", cached, ex=60)
        return cached
    return cached.decode()


def test_invalidated_before_the_commit(database):
    product(database)
    with database.cursor() as cursor:
        cursor.execute("UPDATE products SET name = 'Teapot' WHERE id = 1")  # opens a transaction
    cache.delete("product:1")
    database.commit()


def test_not_invalidated(database):
    product(database)
    with database.cursor() as cursor:
        cursor.execute("UPDATE products SET name = %s WHERE id = %s", ("Teapot", 1))
    database.commit()
    assert product(database) == "Kettle"  # stale


def test_written_in_a_transaction_rolled_back(database):
    with database.cursor() as cursor:
        cursor.execute("UPDATE products SET price = 10 WHERE id = 1")
        cache.set("price:1", 10, ex=60)
    database.rollback()


def test_fixed(database):
    product(database)
    with database.cursor() as cursor:
        cursor.execute("UPDATE products SET name = 'Teapot' WHERE id = 1")
    database.commit()
    cache.delete("product:1")
    assert product(database) == "Teapot"
    database.close()
'''


@pytest.mark.parametrize("module", ["psycopg", "psycopg2"])
def test_psycopg_connections(pytester, suite_environment, postgres_dsn, module):
    pytest.importorskip(module)
    suite_environment.setenv("DSN", postgres_dsn)
    result, seen = observe_suite(pytester, SUITE.format(module=module))
    result.assert_outcomes(passed=4)
    assert seen == {
        ("CL006", "test_invalidated_before_the_commit", "product:1"),
        ("CL010", "test_not_invalidated", "product:1"),
        ("CL006", "test_written_in_a_transaction_rolled_back", "price:1"),
    }


TRANSACTION_SUITE = '''
import os

import psycopg
import pytest
import redis

cache = redis.Redis(host="127.0.0.1", port=int(os.environ["PORT"]))


def test_block_rolled_back():
    connection = psycopg.connect(os.environ["DSN"], autocommit=True)
    connection.execute("CREATE TABLE IF NOT EXISTS prices (id INTEGER, price INTEGER)")
    with pytest.raises(ValueError):
        with connection.transaction():
            connection.execute("INSERT INTO prices VALUES (1, 10)")
            cache.set("price:1", 10, ex=60)
            raise ValueError


def test_block_committed():
    connection = psycopg.connect(os.environ["DSN"], autocommit=True)
    with connection.transaction():
        connection.execute("INSERT INTO prices VALUES (2, 20)")
    cache.set("price:2", 20, ex=60)
'''


def test_psycopg_transaction_blocks(pytester, suite_environment, postgres_dsn):
    pytest.importorskip("psycopg")
    suite_environment.setenv("DSN", postgres_dsn)
    result, seen = observe_suite(pytester, TRANSACTION_SUITE)
    result.assert_outcomes(passed=2)
    assert seen == {("CL009", "test_block_rolled_back", "price:1")}
