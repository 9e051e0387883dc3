"""Keys: the layout, and that no id, variant or user value reaches another key."""
from __future__ import annotations

import uuid

import pytest

from cachelint.runtime import Cache, MemoryBackend

HOSTILE = ["42:v=profile", "42:u=1", "*", "product:*", "a?b[c]\\", "x y\nz", "%3A", "#keys", "=", ":", "", "é/😀"]


@pytest.fixture
def products():
    return Cache(MemoryBackend(), prefix="shop").namespace("product", ttl=60)


@pytest.fixture
def orders():
    return Cache(MemoryBackend(), prefix="shop").namespace("orders", ttl=60, per_user=True)


def test_layout(products, orders):
    assert products.key(42) == "shop:product:42"
    assert products.key("42") == products.key(42)
    assert products.key(42, variant="eur") == "shop:product:42:v=eur"
    assert orders.key("recent", user=7) == "shop:orders:recent:u=7"
    assert orders.key("recent", variant=2, user=7) == "shop:orders:recent:v=2:u=7"
    pid = uuid.UUID(int=1)
    assert products.key(pid) == f"shop:product:{pid}"
    assert Cache(MemoryBackend()).namespace("product", ttl=60).key(1) == "product:1"


@pytest.mark.parametrize("value", HOSTILE)
def test_input_cannot_add_a_segment_or_a_glob(products, orders, value):
    for key in (products.key(value), products.key(1, variant=value), orders.key(1, user=value)):
        segments = key.split(":")
        assert segments[:2] == ["shop", products.name] or segments[:2] == ["shop", orders.name]
        assert len(segments) == 3 or (len(segments) == 4 and segments[3][:2] in ("v=", "u="))
        assert not set("*?[]\\ \n#") & set(key)


def test_distinct_inputs_give_distinct_keys(products):
    values = HOSTILE + ["42", "42%3Av%3Dprofile", "x" * 500, "x" * 501]
    assert len({products.key(value) for value in values}) == len(set(values) - {42})
    assert len({products.key(1, variant=value) for value in values}) == len(values)


def test_a_long_part_is_hashed_and_the_key_stays_short(products):
    key = products.key("x" * 10_000)
    assert key.startswith("shop:product:#") and len(key) < 100


def test_a_mapping_variant_is_keyed_by_its_sorted_items(products):
    assert products.key(1, variant={"b": "2", "a": "1"}) == products.key(1, variant={"a": "1", "b": "2"})
    assert products.key(1, variant={"a": "1"}) != products.key(1, variant={"a": "1&b=2"})


@pytest.mark.parametrize("value", [1.5, True, None, b"1", (1,), object()])
def test_an_id_must_be_an_int_str_or_uuid(products, value):
    with pytest.raises(TypeError):
        products.key(value)


@pytest.mark.parametrize("name", ["", "Product", "a:b", "x*", "1st", "prod uct"])
def test_namespace_and_prefix_names_are_checked(name):
    with pytest.raises(ValueError):
        Cache(MemoryBackend()).namespace(name, ttl=60)
    with pytest.raises(ValueError):
        Cache(MemoryBackend(), prefix=name)


def test_user_scope_is_required_exactly_where_declared(products, orders):
    with pytest.raises(TypeError, match="private"):
        orders.key("recent")
    with pytest.raises(TypeError, match="per_user"):
        products.key(1, user=7)
