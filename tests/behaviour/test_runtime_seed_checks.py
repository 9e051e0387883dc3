"""The seed's checks on both backends: products cached for 60 s, busted on a price
update. A cold read queries the database, a warm read does not, an update makes the next
read fresh, and every entry in the store has a TTL."""
from __future__ import annotations

import pytest

from cachelint.runtime import transaction


class Catalog:
    """The seed's example, written with the reference cache."""

    def __init__(self, store, shop) -> None:
        self.conn = shop.conn
        self.cache = store.cache(prefix="shop")
        self.products = self.cache.namespace("product", ttl=60, entity="product")

    def product(self, pid: int) -> dict | None:
        return self.products.get_or_load(pid, lambda: self.conn.execute(
            "SELECT id, name, price FROM products WHERE id = ?", (pid,)).fetchone())

    def set_price(self, pid: int, price: int) -> None:
        with transaction(self.conn) as tx:
            self.conn.execute("UPDATE products SET price = ? WHERE id = ?", (price, pid))
            tx.on_commit(lambda: self.cache.invalidate("product", pid))


@pytest.fixture
def catalog(store, shop) -> Catalog:
    return Catalog(store, shop)


def test_the_cold_path_queries_the_database(catalog, shop):
    assert catalog.product(1) == {"id": 1, "name": "Kettle", "price": 2500}
    assert shop.selects == 1


def test_the_warm_path_hits_without_touching_the_database(catalog, shop):
    catalog.product(1)
    for _ in range(10):
        assert catalog.product(1)["price"] == 2500
    assert shop.selects == 1


def test_a_missing_product_is_cached_too(catalog, shop):
    assert catalog.product(99) is None
    assert catalog.product(99) is None
    assert shop.selects == 1


def test_an_update_makes_the_next_read_fresh(catalog, shop):
    catalog.product(1)
    catalog.set_price(1, 1999)
    assert catalog.product(1)["price"] == 1999
    assert shop.selects == 2


def test_an_entry_expires_after_60_seconds(catalog, shop, store):
    catalog.product(1)
    shop.conn.execute("UPDATE products SET price = 3000 WHERE id = 1")  # behind the cache's back
    shop.conn.commit()
    store.advance(59)
    assert catalog.product(1)["price"] == 2500
    store.advance(2)
    assert catalog.product(1)["price"] == 3000


def test_every_entry_has_a_ttl(catalog, store):
    for pid in (1, 2, 3, 99):
        catalog.product(pid)
    catalog.set_price(2, 1700)
    keys = store.keys()
    assert "shop:product:1" in keys and "shop:product:99" in keys and "shop:product:2" not in keys
    for key in keys:  # the entries and the index sets that record them
        assert 0 < store.backend.ttl(key) <= 60, key
