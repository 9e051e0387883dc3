"""Django's TestCase wraps each test in atomic blocks that never commit, so `on_commit`
callbacks (the invalidations deferred to the commit) never run there: the plugin must not
report the entry they would invalidate as stale (CL010). TransactionTestCase commits for
real and runs them. A missing invalidation is reported under both."""
from __future__ import annotations

import pytest

from tests.observe.conftest import observe_suite

pytest.importorskip("django")

SUITE = '''
import os

import django
from django.conf import settings

settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["DATABASE"]}},
    CACHES={"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{os.environ['PORT']}/0",
    }},
    INSTALLED_APPS=[],
)
django.setup()

from django.core.cache import cache
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase


def product():
    row = cache.get("product:1")
    if row is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, price FROM products WHERE id = %s", [1])
            row = list(cursor.fetchone())
        cache.set("product:1", row, 60)
    return row


def rename(name):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE products SET name = %s WHERE id = 1", [name])
        transaction.on_commit(lambda: cache.delete("product:1"))


def reprice(price):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE products SET price = %s WHERE id = 1", [price])
    transaction.on_commit(lambda: cache.delete("product:1"))


def forgetful_rename(name):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE products SET name = %s WHERE id = 1", [name])


class Shop:
    def setUp(self):
        cache.clear()
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS products (id INTEGER PRIMARY KEY, name TEXT, price INTEGER)")
            cursor.execute("DELETE FROM products")
            cursor.execute("INSERT INTO products VALUES (1, 'Kettle', 30)")

    def test_rename(self):
        product()
        rename("Teapot")
        product()

    def test_reprice(self):
        product()
        reprice(50)
        product()

    def test_forgotten(self):
        product()
        forgetful_rename("Teapot")
        product()


class InTestCase(Shop, TestCase):
    def test_captured(self):
        product()
        with self.captureOnCommitCallbacks(execute=True):
            rename("Teapot")
        assert product() == ["Teapot", 30]


class InTransactionTestCase(Shop, TransactionTestCase):
    def test_committed_for_real(self):
        product()
        rename("Teapot")
        assert product() == ["Teapot", 30]
'''


def test_on_commit_invalidations_under_testcase_and_transactiontestcase(pytester, suite_environment):
    suite_environment.setenv("DATABASE", str(pytester.path / "shop.db"))
    # In a subprocess: a process configures Django once.
    result, seen = observe_suite(pytester, SUITE, "-p", "no:cacheprovider", subprocess=True)
    result.assert_outcomes(passed=8)
    assert seen == {
        ("CL010", "InTestCase::test_forgotten", "product:1"),
        ("CL010", "InTransactionTestCase::test_forgotten", "product:1"),
    }
