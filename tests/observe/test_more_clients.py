"""The memcache clients and diskcache observed as redis-py is: each against its real store
(a memcached, a folder), with the TTL meanings of its own library table; values and
results untouched."""
from __future__ import annotations

import pytest

from tests.observe.conftest import observe_suite

# The same code for each memcache client: `make_client()` is the only difference. memcached
# reads an expiry of 0 (every client's default) as "never", and a negative one as "already
# expired".
MEMCACHE_SUITE = '''
import os

{make_client}


def test_without_expiry():
    client = make_client()
    client.set("session:1", "x")
    assert client.get("session:1") in ("x", b"x")


def test_falsy_value_taken_for_a_miss():
    client = make_client()
    client.set("stock:1", "", 60)
    cached = client.get("stock:1")
    if not cached:
        client.set("stock:1", "", 60)
    assert cached in ("", b"")


def test_expired_at_once():
    client = make_client()
    client.set("banner:home", "sale", -1)
    assert client.get("banner:home") is None


def test_fine():
    client = make_client()
    client.set("product:1", "kettle", 60)
    assert client.get("product:1") in ("kettle", b"kettle")
    assert client.get("product:absent") is None
    client.delete("product:1")
'''

MEMCACHE_CLIENTS = {
    "pymemcache": '''
from pymemcache.client.base import PooledClient

def make_client():
    return PooledClient(("127.0.0.1", int(os.environ["PORT"])))
''',
    "memcache": '''
import memcache

def make_client():
    return memcache.Client([f"127.0.0.1:{os.environ['PORT']}"])


def test_prefixed_keys():
    client = make_client()
    client.set_multi({"1": "a", "2": "b"}, key_prefix="price:")
    assert client.get_multi(["1", "2"], key_prefix="price:") == {"1": "a", "2": "b"}
''',
    "pylibmc": '''
import pylibmc

def make_client():
    return pylibmc.Client([f"127.0.0.1:{os.environ['PORT']}"])
''',
}


@pytest.mark.parametrize("module", sorted(MEMCACHE_CLIENTS))
def test_memcache_clients(pytester, memcached_port, monkeypatch, module):
    pytest.importorskip(module)
    monkeypatch.setenv("PORT", str(memcached_port))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # only the plugin given
    import pymemcache

    pymemcache.Client(("127.0.0.1", memcached_port)).flush_all()
    result, seen = observe_suite(pytester, MEMCACHE_SUITE.format(make_client=MEMCACHE_CLIENTS[module]))
    expected = {
        ("CL002", "test_without_expiry", "session:1"),
        ("CL001", "test_falsy_value_taken_for_a_miss", "stock:1"),
        ("CL013", "test_expired_at_once", "banner:home"),
    }
    if module == "memcache":
        expected |= {("CL002", "test_prefixed_keys", "price:1"), ("CL002", "test_prefixed_keys", "price:2")}
    result.assert_outcomes(passed=5 if module == "memcache" else 4)
    assert seen == expected


DISKCACHE_SUITE = '''
import diskcache


def test_cache(tmp_path):
    cache = diskcache.Cache(str(tmp_path))
    cache.set("report:1", {"rows": 3})
    assert cache.get("report:1") == {"rows": 3}
    cache.set("report:2", "x", expire=0)
    cache.set("report:3", "x", expire=60)
    assert cache.get("report:absent") is None


def test_fanout(tmp_path):
    cache = diskcache.FanoutCache(str(tmp_path), shards=2)
    cache.set("feed:1", 0, expire=60)
    cached = cache.get("feed:1")
    if not cached:
        cache.set("feed:1", 0, expire=60)
    assert cached == 0
'''


def test_diskcache(pytester, monkeypatch):
    pytest.importorskip("diskcache")
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    result, seen = observe_suite(pytester, DISKCACHE_SUITE)
    result.assert_outcomes(passed=2)
    assert seen == {
        ("CL002", "test_cache", "report:1"),
        ("CL013", "test_cache", "report:2"),
        ("CL001", "test_fanout", "feed:1"),
    }
