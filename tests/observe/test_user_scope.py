"""CL004 by observation: an entry filled for one user from queries filtered by that user's
id, under a key that does not name the user, then served to another user
(`--cachelint-user` names the function that says who the running code acts for)."""
from __future__ import annotations

import json

import pytest

pytest.importorskip("sqlalchemy")

SUITE = '''
import os

import pytest
import redis
from sqlalchemy import create_engine, text

import accounts

engine = create_engine("sqlite://")
cache = redis.Redis(host="127.0.0.1", port=int(os.environ["PORT"]))


@pytest.fixture(autouse=True)
def orders():
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS orders (user_id INTEGER, total INTEGER)"))
        connection.execute(text("DELETE FROM orders"))
        connection.execute(text("INSERT INTO orders VALUES (7, 10), (8, 99)"))
    cache.flushdb()


def recent_orders(key):
    cached = cache.get(key)
    if cached is None:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT total FROM orders WHERE user_id = :user"),
                                      {"user": accounts.CURRENT}).all()
        cached = str([row.total for row in rows]).encode()
        cache.set(key, cached, ex=60)
    return cached


def test_unscoped_key():
    accounts.CURRENT = 7
    assert recent_orders("orders:recent") == b"[10]"
    accounts.CURRENT = 8
    recent_orders("orders:recent")  # user 8 is served user 7's orders


def test_scoped_key():
    for user in (7, 8):
        accounts.CURRENT = user
        recent_orders(f"orders:recent:{user}")
        recent_orders(f"orders:recent:{user}")
'''


def test_an_entry_filled_for_one_user_and_served_to_another(pytester, redis_server, monkeypatch):
    monkeypatch.setenv("PORT", str(redis_server.connection_pool.connection_kwargs["port"]))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(test_orders=SUITE, accounts="CURRENT = None\n\ndef current_user():\n    return CURRENT\n")
    pytester.syspathinsert()
    report = pytester.path / "report.json"
    result = pytester.runpytest("-p", "cachelint.observe.plugin", "--cachelint-user=accounts:current_user",
                                f"--cachelint-report={report}")
    result.assert_outcomes(passed=2)
    seen = [(item["code"], item["test"], item["key"]) for item in json.loads(report.read_text())]
    assert seen == [("CL004", "test_orders.py::test_unscoped_key", "orders:recent")]
