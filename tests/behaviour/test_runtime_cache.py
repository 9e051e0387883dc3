"""The cache on both backends: the miss sentinel, TTLs, user scopes and invalidation."""
from __future__ import annotations

import math
import pickle
from datetime import timedelta

import pytest

from cachelint.runtime import MISSING


@pytest.fixture
def cache(store):
    return store.cache(prefix="shop")


@pytest.mark.parametrize("value", [None, 0, "", [], {}, False, 0.0])
def test_a_cached_falsy_value_is_a_hit(cache, value):
    answers = cache.namespace("answer", ttl=60)
    loads = []
    for _ in range(3):
        assert answers.get_or_load(1, lambda: loads.append(1) or value) == value
    assert loads == [1]
    assert answers.get(1) == value and answers.get(1) is not MISSING


def test_a_miss_is_missing_and_cannot_be_tested_for_truth(cache):
    products = cache.namespace("product", ttl=60)
    assert products.get(1) is MISSING
    with pytest.raises(TypeError, match="is MISSING"):
        if not products.get(1):
            pass


@pytest.mark.parametrize("ttl", [None, 0, -1, 0.0001, math.inf, math.nan, "60", True, timedelta(0)])
def test_a_namespace_needs_a_positive_finite_ttl(cache, ttl):
    with pytest.raises((TypeError, ValueError)):
        cache.namespace("product", ttl=ttl)


def test_the_ttl_has_no_default(cache):
    with pytest.raises(TypeError):
        cache.namespace("product")


def test_a_namespace_is_declared_once(cache):
    cache.namespace("product", ttl=60)
    with pytest.raises(ValueError, match="already"):
        cache.namespace("product", ttl=5)


def test_entries_live_for_their_namespace_ttl(cache, store):
    cache.namespace("product", ttl=timedelta(minutes=1)).set(1, "kettle")
    cache.namespace("rate", ttl=0.5).set("eur", 1.1)
    assert 59 < store.backend.ttl("shop:product:1") <= 60
    assert 0 < store.backend.ttl("shop:rate:eur") <= 0.5
    store.advance(1)
    assert store.backend.ttl("shop:rate:eur") is None
    assert store.backend.ttl("shop:product:1") <= 59


def test_per_user_entries_are_kept_apart(cache):
    orders = cache.namespace("orders", ttl=60, entity="order", per_user=True)
    orders.set("recent", ["kettle"], user=1)
    assert orders.get("recent", user=2) is MISSING
    assert orders.get("recent", user=1) == ["kettle"]


def test_invalidate_drops_every_namespace_of_the_entity(cache, store):
    product = cache.namespace("product", ttl=60, entity="product")
    prices = cache.namespace("price", ttl=60, entity="product")
    listing = cache.namespace("product-list", ttl=60, entity="product", aggregate=True)
    seen = cache.namespace("seen", ttl=60, entity="product", per_user=True)
    user = cache.namespace("user", ttl=60, entity="user")
    product.set(1, "kettle")
    product.set(2, "teapot")
    prices.set(1, 2500, variant="eur")
    prices.set(1, 2700, variant="usd")
    listing.set("page-1", [1, 2])
    listing.set("page-2", [3])
    seen.set(1, True, user=7)
    user.set(1, "alice")

    cache.invalidate("product", 1)

    assert [product.get(1), prices.get(1, variant="eur"), prices.get(1, variant="usd")] == [MISSING] * 3
    assert [listing.get("page-1"), listing.get("page-2"), seen.get(1, user=7)] == [MISSING] * 3
    assert product.get(2) == "teapot" and user.get(1) == "alice"
    assert store.keys("shop:product:1") == [] and store.keys("shop:price:") == []


def test_invalidating_an_undeclared_entity_is_an_error(cache):
    cache.namespace("product", ttl=60, entity="product")
    with pytest.raises(LookupError):
        cache.invalidate("prodcut", 1)


def test_a_read_returns_a_copy(cache):
    products = cache.namespace("product", ttl=60)
    products.set(1, {"tags": ["kitchen"]})
    products.get(1)["tags"].append("sale")
    assert products.get(1) == {"tags": ["kitchen"]}


def test_another_codec(store):
    points = store.cache(codec=pickle).namespace("point", ttl=60)
    points.set(1, (1, 2))
    assert points.get(1) == (1, 2)


def test_a_miss_returns_what_a_hit_will(cache):
    rows = cache.namespace("row", ttl=60)
    assert rows.get_or_load(1, lambda: (1, "Kettle")) == [1, "Kettle"] == rows.get_or_load(1, lambda: None)
