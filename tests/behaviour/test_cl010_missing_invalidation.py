"""CL010 missing-invalidation, run: a write that invalidates one cached view of many.

Observed: a price update deletes `product:<id>` but not the listing or the "related
products" boxes that also show the price, so they keep showing the old price for their
whole TTL. The reference cache declares each namespace with its entity, and
`invalidate("product", id)` drops all of them: the row's entries, and the aggregate
namespaces (the listing, the related boxes: any product's change, an INSERT included,
can stale them)."""
from __future__ import annotations

from cachelint.runtime import transaction

PRODUCT = "SELECT id, name, price FROM products WHERE id = ?"
LISTING = "SELECT id, name, price FROM products ORDER BY id"
RELATED = """SELECT products.id, products.name, products.price FROM related
             JOIN products ON products.id = related.related_id WHERE related.product_id = ?"""


def cached(cache, conn, key, sql, parameters=()):
    rows = cache.get(key)
    if rows is None:
        rows = conn.execute(sql, parameters).fetchall()
        cache.set(key, rows, 300)
    return rows


def pages_bad(cache, conn):
    """What the shop shows: product 1's page, product 2's related box, the listing."""
    return (cached(cache, conn, "product:1", PRODUCT, (1,))[0]["price"],
            cached(cache, conn, "product:2:related", RELATED, (2,))[0]["price"],
            cached(cache, conn, "products:all", LISTING)[0]["price"])


def set_price_bad(cache, conn, pid, price):
    conn.execute("UPDATE products SET price = ? WHERE id = ?", (price, pid))
    conn.commit()
    cache.delete(f"product:{pid}")


class Fixed:
    def __init__(self, cache, conn):
        self.cache, self.conn = cache, conn
        self.products = cache.namespace("product", ttl=300, entity="product")
        self.related = cache.namespace("product-related", ttl=300, entity="product", aggregate=True)
        self.listings = cache.namespace("product-list", ttl=300, entity="product", aggregate=True)

    def rows(self, namespace, id, sql, parameters=()):
        return namespace.get_or_load(id, lambda: self.conn.execute(sql, parameters).fetchall())

    def pages(self):
        return (self.rows(self.products, 1, PRODUCT, (1,))[0]["price"],
                self.rows(self.related, 2, RELATED, (2,))[0]["price"],
                self.rows(self.listings, "all", LISTING)[0]["price"])

    def set_price(self, pid, price):
        with transaction(self.conn) as tx:
            self.conn.execute("UPDATE products SET price = ? WHERE id = ?", (price, pid))
            tx.on_commit(lambda: self.cache.invalidate("product", pid))

    def add_product(self, pid, name, price):
        with transaction(self.conn) as tx:
            self.conn.execute("INSERT INTO products VALUES (?, ?, ?, '')", (pid, name, price))
            tx.on_commit(lambda: self.cache.invalidate("product", pid))


def test_bad_leaves_the_listing_and_related_box_stale(store, shop):
    cache = store.plain()
    assert pages_bad(cache, shop.conn) == (2500, 2500, 2500)
    set_price_bad(cache, shop.conn, 1, 1999)
    assert pages_bad(cache, shop.conn) == (1999, 2500, 2500)  # the bug


def test_fixed_refreshes_every_view_of_the_product(store, shop):
    shop_views = Fixed(store.cache(), shop.conn)
    assert shop_views.pages() == (2500, 2500, 2500)
    shop_views.set_price(1, 1999)
    assert shop_views.pages() == (1999, 1999, 1999)


def test_fixed_an_insert_refreshes_the_listing(store, shop):
    shop_views = Fixed(store.cache(), shop.conn)
    assert len(shop_views.rows(shop_views.listings, "all", LISTING)) == 3
    shop_views.add_product(4, "Saucer", 500)
    assert len(shop_views.rows(shop_views.listings, "all", LISTING)) == 4
