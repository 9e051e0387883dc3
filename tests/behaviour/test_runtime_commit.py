"""Invalidation after the commit: the DB-API transaction hook and Django's on_commit."""
from __future__ import annotations

import subprocess
import sys
import types

import pytest

from cachelint.runtime import django_on_commit, transaction


def price(shop, pid=1):
    return shop.committed("SELECT price FROM products WHERE id = ?", (pid,))[0]["price"]


def test_callbacks_run_after_the_commit(shop):
    seen = []
    with transaction(shop.conn) as tx:
        shop.conn.execute("UPDATE products SET price = 1999 WHERE id = 1")
        tx.on_commit(lambda: seen.append(price(shop)))
        assert seen == [] and price(shop) == 2500
    assert seen == [1999]


def test_an_error_in_the_block_rolls_back_and_drops_the_callbacks(shop):
    seen = []
    with pytest.raises(LookupError), transaction(shop.conn) as tx:
        shop.conn.execute("UPDATE products SET price = 1999 WHERE id = 1")
        tx.on_commit(lambda: seen.append("ran"))
        raise LookupError("the request fails after the UPDATE")
    assert seen == [] and price(shop) == 2500 and not shop.conn.in_transaction


def test_a_failed_commit_rolls_back_and_drops_the_callbacks(shop):
    shop.conn.executescript("""
        PRAGMA foreign_keys = ON;
        CREATE TABLE parent (id INTEGER PRIMARY KEY);
        CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
    """)
    seen = []
    with pytest.raises(Exception, match="FOREIGN KEY"), transaction(shop.conn) as tx:
        shop.conn.execute("INSERT INTO child VALUES (42)")  # checked only at the commit
        tx.on_commit(lambda: seen.append("ran"))
    assert seen == [] and shop.committed("SELECT * FROM child") == []


def test_every_callback_runs_and_the_first_failure_is_raised(shop):
    seen = []
    with pytest.raises(KeyError), transaction(shop.conn) as tx:
        shop.conn.execute("UPDATE products SET price = 1999 WHERE id = 1")
        tx.on_commit(lambda: {}["missing"])
        tx.on_commit(lambda: 1 / 0)
        tx.on_commit(lambda: seen.append("ran"))
    assert seen == ["ran"] and price(shop) == 1999


def test_django_on_commit_hands_the_callback_to_django(monkeypatch):
    calls = []
    stand_in = types.ModuleType("django.db.transaction")
    stand_in.on_commit = lambda callback, using=None: calls.append((callback, using))
    django_db = types.ModuleType("django.db")
    django_db.transaction = stand_in
    monkeypatch.setitem(sys.modules, "django", types.ModuleType("django"))
    monkeypatch.setitem(sys.modules, "django.db", django_db)
    monkeypatch.setitem(sys.modules, "django.db.transaction", stand_in)
    callback = print
    django_on_commit(callback, using="replica")
    assert calls == [(callback, "replica")]


def test_the_package_imports_neither_redis_nor_django():
    code = "import sys, cachelint.runtime; print(sorted(m for m in ('redis', 'django') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
