"""CL006 cache-before-db-write, run: the cache changed before the database write.

Observed, in two ways:
- writing the new price to the cache first, then an UPDATE that the database rejects
  (a CHECK constraint): the cache serves a price the database never had;
- invalidating first, then the UPDATE: a concurrent request that arrives while the
  UPDATE runs (before the commit) re-fills the cache from the old row, and the old
  price is served after the commit, for the whole TTL.
The fix writes, commits, then invalidates (`transaction` + `on_commit`). The
concurrent request is run at a fixed point, as the UPDATE begins, so the test is
deterministic."""
from __future__ import annotations

import sqlite3

import pytest

from cachelint.runtime import transaction
from tests.behaviour.examples import product_fixed, product_namespace
from tests.behaviour.examples import product_plain as product_bad


def set_price_write_through_bad(cache, conn, pid, price):
    cache.set(f"product:{pid}", {**product_bad(cache, conn, pid), "price": price}, 300)
    conn.execute("UPDATE products SET price = ? WHERE id = ?", (price, pid))
    conn.commit()


def set_price_invalidate_first_bad(cache, conn, pid, price):
    cache.delete(f"product:{pid}")
    conn.execute("UPDATE products SET price = ? WHERE id = ?", (price, pid))
    conn.commit()


def make_fixed(cache):
    products = product_namespace(cache)

    def product(conn, pid):
        return product_fixed(products, conn, pid)

    def set_price(conn, pid, price):
        with transaction(conn) as tx:
            conn.execute("UPDATE products SET price = ? WHERE id = ?", (price, pid))
            tx.on_commit(lambda: cache.invalidate("product", pid))

    return product, set_price


def test_bad_write_through_caches_a_price_the_database_refused(store, shop):
    cache = store.plain()
    with pytest.raises(sqlite3.IntegrityError):
        set_price_write_through_bad(cache, shop.conn, 1, -5)
    shop.conn.rollback()
    assert shop.committed("SELECT price FROM products WHERE id = 1") == [{"price": 2500}]
    assert product_bad(cache, shop.conn, 1)["price"] == -5  # the bug


def test_fixed_leaves_the_cache_alone_when_the_write_fails(store, shop):
    product, set_price = make_fixed(store.cache())
    product(shop.conn, 1)
    with pytest.raises(sqlite3.IntegrityError):
        set_price(shop.conn, 1, -5)
    assert product(shop.conn, 1)["price"] == 2500


def test_bad_invalidation_first_lets_a_concurrent_reader_cache_the_old_price(store, shop):
    cache, other_request, seen = store.plain(), shop.connect(), []
    product_bad(cache, shop.conn, 1)
    shop.when("UPDATE", lambda: seen.append(product_bad(cache, other_request, 1)["price"]))
    set_price_invalidate_first_bad(cache, shop.conn, 1, 1999)
    assert seen == [2500] and shop.selects == 2
    assert shop.committed("SELECT price FROM products WHERE id = 1") == [{"price": 1999}]
    assert product_bad(cache, shop.conn, 1)["price"] == 2500  # the bug, for 300 s


def test_fixed_invalidates_after_the_concurrent_reader(store, shop):
    (product, set_price), other_request, seen = make_fixed(store.cache()), shop.connect(), []
    shop.when("UPDATE", lambda: seen.append(product(other_request, 1)["price"]))
    set_price(shop.conn, 1, 1999)
    assert seen == [2500] and shop.selects == 1  # the concurrent request did cache the old row
    assert product(shop.conn, 1)["price"] == 1999
