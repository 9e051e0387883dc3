"""The backends' own contract, and what only one of them can show."""
from __future__ import annotations

import math
import time

import pytest

from cachelint.runtime import MemoryBackend
from cachelint.runtime.testing import FakeClock


@pytest.mark.parametrize("ttl", [0, -5, None, math.inf])
def test_every_write_needs_a_ttl(store, ttl):
    with pytest.raises((TypeError, ValueError)):
        store.backend.set("k", b"v", ttl)
    assert store.backend.get("k") is None


def test_get_set_delete_and_ttl(store):
    assert store.backend.get("k") is None and store.backend.ttl("k") is None
    store.backend.set("k", b"", 10)
    assert store.backend.get("k") == b""
    assert 9 < store.backend.ttl("k") <= 10
    store.backend.delete("k", "absent")
    assert store.backend.get("k") is None
    store.backend.delete()


def test_an_index_drops_what_it_recorded(store):
    store.backend.set("a", b"1", 10, index="idx")
    store.backend.set("b", b"2", 10, index="idx")
    store.backend.set("c", b"3", 10)
    assert store.keys() == ["a", "b", "c", "idx"]
    store.backend.delete_indexed("idx")
    store.backend.delete_indexed("idx")
    assert store.keys() == ["c"]


def test_an_index_lives_as_long_as_its_newest_entry(store):
    store.backend.set("a", b"1", 10, index="idx")
    store.advance(6)
    store.backend.set("b", b"2", 10, index="idx")
    store.advance(6)
    assert store.keys() == ["b", "idx"]
    store.backend.delete_indexed("idx")
    assert store.keys() == []


def test_memory_holds_no_more_than_the_live_entries_and_the_writes_since_a_purge():
    clock = FakeClock()
    backend = MemoryBackend(clock=clock)
    for n in range(10_000):
        backend.set(f"k{n}", b"v", 1)
        clock.advance(0.01)  # about 100 entries are live at any time
    assert len(backend) < 400


def test_redis_really_expires_entries(redis_store):
    redis_store.backend.set("k", b"v", 0.05)
    assert redis_store.backend.get("k") == b"v"
    time.sleep(0.1)
    assert redis_store.backend.get("k") is None


def test_a_redis_client_that_decodes_responses(redis_server):
    import redis

    from cachelint.runtime import Cache, RedisBackend

    address = redis_server.connection_pool.connection_kwargs
    client = redis.Redis(host=address["host"], port=address["port"], decode_responses=True)
    redis_server.flushdb()
    backend = RedisBackend(client)
    products = Cache(backend).namespace("product", ttl=60, entity="product")
    products.set(1, {"name": "Kettle"})
    assert products.get(1) == {"name": "Kettle"}
    assert sorted(backend.scan("product:")) == ["product:1", "product:1:#keys"]
    client.close()


def test_memory_forgets_the_index_records_of_dropped_entries():
    clock = FakeClock()
    backend = MemoryBackend(clock=clock)
    for n in range(1000):
        backend.set(f"product:1:u={n}", b"v", 10, index="product:1:#keys")
        clock.advance(1)
    assert len(backend._indexes["product:1:#keys"][0]) < 100


def test_add_stores_only_what_is_absent(store):
    assert store.backend.add("k", b"1", 10) is True
    assert store.backend.add("k", b"2", 10) is False
    assert store.backend.get("k") == b"1"
    store.advance(11)
    assert store.backend.add("k", b"3", 10, index="idx") is True
    assert store.backend.get("k") == b"3" and store.keys() == ["idx", "k"]
    store.backend.delete_indexed("idx")
    assert store.keys() == []


@pytest.mark.parametrize("ttl", [0, -1, None])
def test_add_needs_a_ttl_too(store, ttl):
    with pytest.raises((TypeError, ValueError)):
        store.backend.add("k", b"v", ttl)
    assert store.backend.get("k") is None
