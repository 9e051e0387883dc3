"""CL009 cache-write-in-transaction, run: a rolled-back row left in the cache.

Observed: the bad example renames a product and writes the renamed row to the cache
inside the transaction; a later statement of the same transaction fails (the tag is
taken), the transaction rolls back, and the cache keeps serving the name the database
never committed. The fix defers the invalidation to `on_commit`, which a rollback
drops."""
from __future__ import annotations

import sqlite3

import pytest

from cachelint.runtime import transaction
from tests.behaviour.examples import PRODUCT, product_fixed, product_namespace
from tests.behaviour.examples import product_plain as product_bad


def rename_bad(cache, conn, pid, name, tag):
    with conn:  # sqlite3: commit at the end, roll back on an exception
        conn.execute("UPDATE products SET name = ? WHERE id = ?", (name, pid))
        cache.set(f"product:{pid}", conn.execute(PRODUCT, (pid,)).fetchone(), 300)
        conn.execute("INSERT INTO tags VALUES (?, ?)", (pid, tag))


def make_fixed(cache):
    products = product_namespace(cache)

    def product(conn, pid):
        return product_fixed(products, conn, pid)

    def rename(conn, pid, name, tag):
        with transaction(conn) as tx:
            conn.execute("UPDATE products SET name = ? WHERE id = ?", (name, pid))
            conn.execute("INSERT INTO tags VALUES (?, ?)", (pid, tag))
            tx.on_commit(lambda: cache.invalidate("product", pid))

    return product, rename


def test_bad_leaves_a_rolled_back_row_in_the_cache(store, shop):
    cache = store.plain()
    with pytest.raises(sqlite3.IntegrityError):
        rename_bad(cache, shop.conn, 2, "Teapot XL", "kitchen")  # "kitchen" is product 1's
    assert shop.committed("SELECT name FROM products WHERE id = 2") == [{"name": "Teapot"}]
    assert product_bad(cache, shop.conn, 2)["name"] == "Teapot XL"  # the bug


def test_fixed_drops_the_invalidation_with_the_rollback(store, shop):
    product, rename = make_fixed(store.cache())
    assert product(shop.conn, 2)["name"] == "Teapot"
    with pytest.raises(sqlite3.IntegrityError):
        rename(shop.conn, 2, "Teapot XL", "kitchen")
    assert product(shop.conn, 2)["name"] == "Teapot"
    rename(shop.conn, 2, "Teapot XL", "tea")
    assert product(shop.conn, 2)["name"] == "Teapot XL"


# The caller's transaction: the view opens it, and a helper two calls down invalidates
# inside it. A concurrent request that arrives before the commit (here, as the view's
# last statement begins) re-fills the entry from the old row, and that row is served
# after the commit.

def bust_product(cache, pid):
    cache.delete(f"product:{pid}")


def forget_product(cache, pid):
    bust_product(cache, pid)


def rename_in_callers_transaction_bad(cache, conn, pid, name, tag):
    with conn:
        conn.execute("UPDATE products SET name = ? WHERE id = ?", (name, pid))
        forget_product(cache, pid)
        conn.execute("INSERT INTO tags VALUES (?, ?)", (pid, tag))


def rename_in_callers_transaction_fixed(cache, conn, pid, name, tag):
    with transaction(conn) as tx:
        conn.execute("UPDATE products SET name = ? WHERE id = ?", (name, pid))
        tx.on_commit(lambda: forget_product(cache, pid))
        conn.execute("INSERT INTO tags VALUES (?, ?)", (pid, tag))


def test_bad_helper_in_the_callers_transaction_lets_a_reader_cache_the_old_row(store, shop):
    cache, other_request, seen = store.plain(), shop.connect(), []
    product_bad(cache, shop.conn, 2)
    shop.when("INSERT", lambda: seen.append(product_bad(cache, other_request, 2)["name"]))
    rename_in_callers_transaction_bad(cache, shop.conn, 2, "Teapot XL", "tea")
    assert seen == ["Teapot"]  # the invalidation ran, the commit had not
    assert shop.committed("SELECT name FROM products WHERE id = 2") == [{"name": "Teapot XL"}]
    assert product_bad(cache, shop.conn, 2)["name"] == "Teapot"  # the bug, for 300 s


def test_fixed_helper_deferred_by_the_caller_invalidates_after_the_commit(store, shop):
    cache, other_request, seen = store.plain(), shop.connect(), []
    product_bad(cache, shop.conn, 2)
    shop.when("INSERT", lambda: seen.append(product_bad(cache, other_request, 2)["name"]))
    rename_in_callers_transaction_fixed(cache, shop.conn, 2, "Teapot XL", "tea")
    assert seen == ["Teapot"]
    assert product_bad(cache, shop.conn, 2)["name"] == "Teapot XL"
