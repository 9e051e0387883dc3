"""CL003 key-without-namespace, run: two entities under the same bare id.

Observed: with keys that are just the id, product 1 and user 1 share one entry, so
whichever is cached first is served for the other: the user page shows a kettle. The
reference cache puts each namespace before the id."""
from __future__ import annotations


def product_bad(cache, conn, pid):
    row = cache.get(str(pid))
    if row is None:
        row = conn.execute("SELECT id, name, price FROM products WHERE id = ?", (pid,)).fetchone()
        cache.set(str(pid), row, 300)
    return row


def user_bad(cache, conn, uid):
    row = cache.get(str(uid))
    if row is None:
        row = conn.execute("SELECT id, name FROM users WHERE id = ?", (uid,)).fetchone()
        cache.set(str(uid), row, 300)
    return row


def test_bad_serves_a_product_as_a_user(store, shop):
    cache = store.plain()
    assert product_bad(cache, shop.conn, 1)["name"] == "Kettle"
    assert user_bad(cache, shop.conn, 1) == {"id": 1, "name": "Kettle", "price": 2500}  # the bug
    assert store.keys() == ["1"]


def test_fixed_keeps_products_and_users_apart(store, shop):
    cache = store.cache()
    products = cache.namespace("product", ttl=300, entity="product")
    users = cache.namespace("user", ttl=300, entity="user")
    product = products.get_or_load(1, lambda: shop.conn.execute(
        "SELECT id, name, price FROM products WHERE id = ?", (1,)).fetchone())
    user = users.get_or_load(1, lambda: shop.conn.execute("SELECT id, name FROM users WHERE id = ?", (1,)).fetchone())
    assert product["name"] == "Kettle" and user == {"id": 1, "name": "alice"}
    assert users.get(1) == {"id": 1, "name": "alice"}
    assert store.entries() == ["product:1", "user:1"]
