"""CL002 set-without-ttl, run: an entry that never expires.

Observed: after the price changes behind the cache's back (an admin's SQL, another
service, a write path that forgot to invalidate) and a day passes, the bad examples
still serve the old price, and Redis reports the key has no TTL (`TTL` is -1). With
a 60-second namespace the next read after a minute is fresh.

The reference backends refuse a write without a TTL, so the bad example runs on the
raw redis-py client (`r.set` without `ex`) and, in memory, in the in-process form
the rule also flags: a module-level dict used as a cache."""
from __future__ import annotations

import json

from tests.behaviour.examples import load_product, product_fixed, product_namespace

DAY = 24 * 3600
PRODUCT_CACHE: dict = {}


def product_bad_redis(r, conn, pid):
    cached = r.get(f"product:{pid}")
    if cached is not None:
        return json.loads(cached)
    row = load_product(conn, pid)
    r.set(f"product:{pid}", json.dumps(row))
    return row


def product_bad_in_memory(conn, pid):
    if pid not in PRODUCT_CACHE:
        PRODUCT_CACHE[pid] = load_product(conn, pid)
    return PRODUCT_CACHE[pid]


def change_price_elsewhere(shop, price):
    other = shop.connect()
    other.execute("UPDATE products SET price = ? WHERE id = 1", (price,))
    other.commit()


def test_bad_on_redis_never_expires(redis_store, shop):
    r = redis_store.raw
    assert product_bad_redis(r, shop.conn, 1)["price"] == 2500
    assert r.ttl("product:1") == -1  # the bug: no expiry at all
    change_price_elsewhere(shop, 1999)
    redis_store.advance(DAY)
    assert product_bad_redis(r, shop.conn, 1)["price"] == 2500


def test_bad_in_memory_never_expires(memory_store, shop):
    PRODUCT_CACHE.clear()
    assert product_bad_in_memory(shop.conn, 1)["price"] == 2500
    change_price_elsewhere(shop, 1999)
    memory_store.advance(DAY)
    assert product_bad_in_memory(shop.conn, 1)["price"] == 2500
    for pid in range(1, 1000):
        product_bad_in_memory(shop.conn, pid)
    assert len(PRODUCT_CACHE) == 999  # every id ever asked for, held for the process's life


def test_fixed_expires_after_its_ttl(store, shop):
    products = product_namespace(store.cache(), ttl=60)
    assert product_fixed(products, shop.conn, 1)["price"] == 2500
    assert 0 < store.backend.ttl("product:1") <= 60
    change_price_elsewhere(shop, 1999)
    store.advance(61)
    assert product_fixed(products, shop.conn, 1)["price"] == 1999
    for key in store.keys():  # noqa: SIM118 (a Store, not a dict: its keys() reads the backend)
        assert 0 < store.backend.ttl(key) <= 60
