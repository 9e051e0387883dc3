"""The product page several rules' examples share, read the usual way through a plain
client (where a rule's bug is elsewhere) or through the reference cache."""
from __future__ import annotations

PRODUCT = "SELECT id, name, price FROM products WHERE id = ?"


def load_product(conn, pid):
    return conn.execute(PRODUCT, (pid,)).fetchone()


def product_plain(cache, conn, pid, ttl=300):
    row = cache.get(f"product:{pid}")
    if row is None:
        row = load_product(conn, pid)
        cache.set(f"product:{pid}", row, ttl)
    return row


def product_namespace(cache, ttl=300):
    return cache.namespace("product", ttl=ttl, entity="product")


def product_fixed(products, conn, pid):
    return products.get_or_load(pid, lambda: load_product(conn, pid))
