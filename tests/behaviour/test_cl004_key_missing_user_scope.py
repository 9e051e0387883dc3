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


# The user read where the rows come from: a class-based view whose `get_object()` looks
# the object up in its own `get_queryset()`, filtered by the request's user (DRF's shape).
LATEST_ORDER = "SELECT orders.id FROM orders WHERE orders.user_id = ? ORDER BY orders.id DESC LIMIT 1"


class Request:
    def __init__(self, user_id):
        self.user_id = user_id


class LatestOrderView:
    def __init__(self, cache, conn, request):
        self.cache, self.conn, self.request = cache, conn, request

    def get_queryset(self):
        return self.conn.execute(LATEST_ORDER, (self.request.user_id,)).fetchall()

    def get_object(self):
        return self.get_queryset()[0]

    def latest_bad(self):
        order = self.cache.get("orders:latest")
        if order is None:
            order = self.get_object()
            self.cache.set("orders:latest", order, 60)
        return order

    def latest_fixed(self, orders):
        return orders.get_or_load("latest", self.get_object, user=self.request.user_id)


def test_bad_get_object_of_the_users_queryset_shows_alice_s_order_to_bob(store, shop):
    cache = store.plain()
    alice = LatestOrderView(cache, shop.conn, Request(1)).latest_bad()
    bob = LatestOrderView(cache, shop.conn, Request(2)).latest_bad()
    assert alice == {"id": 1}
    assert bob == alice  # the bug: Bob's latest order is 2


def test_fixed_get_object_keyed_by_the_user(store, shop):
    orders = store.cache().namespace("orders", ttl=60, entity="order", per_user=True)
    assert LatestOrderView(None, shop.conn, Request(1)).latest_fixed(orders) == {"id": 1}
    assert LatestOrderView(None, shop.conn, Request(2)).latest_fixed(orders) == {"id": 2}


# Tenant scope: each event's ticket count, cached where the module keys its other entries
# by the event; without the event in the key, the second event is shown the first's count.
TICKETS = "SELECT count(*) AS n FROM tickets WHERE event_id = ?"


def sold_bad(cache, conn, event_id):
    sold = cache.get("stats:sold")
    if sold is None:
        sold = conn.execute(TICKETS, (event_id,)).fetchone()["n"]
        cache.set("stats:sold", sold, 60)
    return sold


def sold_fixed(cache, conn, event_id):
    sold = cache.get(f"stats:sold:{event_id}")
    if sold is None:
        sold = conn.execute(TICKETS, (event_id,)).fetchone()["n"]
        cache.set(f"stats:sold:{event_id}", sold, 60)
    return sold


@pytest.fixture
def tickets(shop):
    shop.conn.executescript("CREATE TABLE tickets (event_id INTEGER NOT NULL);"
                            "INSERT INTO tickets VALUES (1), (1), (1), (2);")
    return shop.conn


def test_bad_tenant_data_under_a_shared_key_shows_one_event_the_other_s_count(store, tickets):
    cache = store.plain()
    assert sold_bad(cache, tickets, 1) == 3
    assert sold_bad(cache, tickets, 2) == 3  # the bug: event 2 sold 1


def test_fixed_tenant_in_the_key(store, tickets):
    cache = store.plain()
    assert sold_fixed(cache, tickets, 1) == 3
    assert sold_fixed(cache, tickets, 2) == 1
