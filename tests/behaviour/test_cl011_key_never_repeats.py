"""CL011 key-never-repeats, run: a key with a uuid4 or the current time in it.

Observed: every request misses (five requests, five queries) and leaves one more entry
behind, so the cache only fills memory. The fix keys the entry by what it is, and lets
the namespace's TTL decide when it is recomputed."""
from __future__ import annotations

import time
import uuid

import pytest

TOP_SELLERS = """SELECT products.name, count(*) AS sold FROM orders JOIN products ON products.id = orders.product_id
                 GROUP BY products.id ORDER BY sold DESC, products.id"""

NEVER_REPEATING = {"uuid4": uuid.uuid4, "time": time.time}


def top_sellers_bad(cache, conn, request_tag):
    key = f"top-sellers:{request_tag()}"
    rows = cache.get(key)
    if rows is None:
        rows = conn.execute(TOP_SELLERS).fetchall()
        cache.set(key, rows, 3600)
    return rows


def top_sellers_fixed(reports, conn):
    return reports.get_or_load("top-sellers", lambda: conn.execute(TOP_SELLERS).fetchall())


@pytest.mark.parametrize("tag", NEVER_REPEATING)
def test_bad_misses_every_time_and_fills_the_cache(store, shop, tag):
    cache = store.plain()
    results = [top_sellers_bad(cache, shop.conn, NEVER_REPEATING[tag]) for _ in range(5)]
    assert results[0][0] == {"name": "Kettle", "sold": 1} and results.count(results[0]) == 5
    assert shop.selects == 5  # the bug
    assert len(store.entries("top-sellers:")) == 5


def test_fixed_hits_and_holds_one_entry(store, shop):
    reports = store.cache().namespace("report", ttl=3600)
    results = [top_sellers_fixed(reports, shop.conn) for _ in range(5)]
    assert results.count(results[0]) == 5
    assert shop.selects == 1
    assert store.entries() == ["report:top-sellers"]
