"""CL004 key-missing-user-scope, run: one user's private data served to another.

Observed: the bad example caches "my recent orders" under one key for everybody, so
Bob, asking second, is shown Alice's orders. A `per_user` namespace keys each entry by
the user and refuses a read or write that forgets `user=`."""
from __future__ import annotations

import pytest

RECENT_ORDERS = """SELECT orders.id, products.name FROM orders JOIN products ON products.id = orders.product_id
                   WHERE orders.user_id = ? ORDER BY orders.id DESC LIMIT 5"""


def recent_orders_bad(cache, conn, user_id):
    orders = cache.get("orders:recent")
    if orders is None:
        orders = conn.execute(RECENT_ORDERS, (user_id,)).fetchall()
        cache.set("orders:recent", orders, 60)
    return orders


def recent_orders_fixed(recent, conn, user_id):
    return recent.get_or_load("recent", lambda: conn.execute(RECENT_ORDERS, (user_id,)).fetchall(), user=user_id)


def test_bad_shows_alice_s_orders_to_bob(store, shop):
    cache = store.plain()
    alice = recent_orders_bad(cache, shop.conn, 1)
    bob = recent_orders_bad(cache, shop.conn, 2)
    assert alice == [{"id": 1, "name": "Kettle"}]
    assert bob == alice  # the bug: Bob ordered a mug


def test_fixed_shows_each_user_their_own(store, shop):
    recent = store.cache().namespace("orders", ttl=60, entity="order", per_user=True)
    assert recent_orders_fixed(recent, shop.conn, 1) == [{"id": 1, "name": "Kettle"}]
    assert recent_orders_fixed(recent, shop.conn, 2) == [{"id": 2, "name": "Mug"}]
    assert recent_orders_fixed(recent, shop.conn, 1) == [{"id": 1, "name": "Kettle"}]
    assert shop.selects == 2
    with pytest.raises(TypeError, match="user="):
        recent.get_or_load("recent", list)
