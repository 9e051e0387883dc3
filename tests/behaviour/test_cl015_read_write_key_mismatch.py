"""CL015 read-write-key-mismatch, run: the miss branch writes another key than it read.

Observed: with the namespace spelled `product:` on the read and `products:` on the
write, five requests for one product run five queries, and the store fills with an
entry nobody reads. The fixed code builds both keys in one place (the reference cache
builds every key of a namespace from its name) and queries once."""
from __future__ import annotations

from tests.behaviour.examples import load_product, product_fixed, product_namespace, product_plain


def product_bad(cache, conn, pid):
    row = cache.get(f"product:{pid}")
    if row is None:
        row = load_product(conn, pid)
        cache.set(f"products:{pid}", row, 300)
    return row


def test_bad_five_requests_five_queries(store, shop):
    cache = store.plain()
    rows = [product_bad(cache, shop.conn, 1) for _ in range(5)]
    assert all(row["name"] == "Kettle" for row in rows)
    assert shop.selects == 5  # the bug: the entry written is never read
    assert store.entries() == ["products:1"]  # and it is there, filling memory


def test_fixed_one_key_five_requests_one_query(store, shop):
    cache = store.plain()
    assert [product_plain(cache, shop.conn, 1)["name"] for _ in range(5)] == ["Kettle"] * 5
    assert shop.selects == 1


def test_fixed_reference_cache_five_requests_one_query(store, shop):
    products = product_namespace(store.cache())
    assert [product_fixed(products, shop.conn, 1)["name"] for _ in range(5)] == ["Kettle"] * 5
    assert shop.selects == 1
