"""CL013 zero-ttl, run: a TTL of zero.

Observed on a real Redis: `SET ... EX 0` and `SETEX key 0` are refused by the server
(`invalid expire time`), so the request that tries to cache fails every time, and
`EXPIRE key 0` deletes the entry at once, so every request queries again. The in-memory
backend refuses a zero TTL as Redis does (a `ValueError`): the same request fails.
The reference cache takes the TTL once per namespace and refuses zero when the
namespace is declared, at import time, instead of on each request."""
from __future__ import annotations

import json

import pytest

from tests.behaviour.examples import load_product, product_fixed, product_plain


def product_bad(cache, conn, pid):
    return product_plain(cache, conn, pid, ttl=0)


def product_bad_redis_expire(r, conn, pid):
    cached = r.get(f"product:{pid}")
    if cached is not None:
        return json.loads(cached)
    row = load_product(conn, pid)
    r.set(f"product:{pid}", json.dumps(row))
    r.expire(f"product:{pid}", 0)
    return row


def test_bad_the_write_fails(store, shop):
    with pytest.raises(ValueError):  # the bug: every request that caches fails
        product_bad(store.plain(), shop.conn, 1)


@pytest.mark.filterwarnings("ignore:Call to deprecated setex")  # redis-py 5+; still what the rule sees
def test_bad_redis_refuses_a_zero_expiry(redis_store):
    import redis

    with pytest.raises(redis.ResponseError, match="invalid expire time"):
        redis_store.raw.set("product:1", b"{}", ex=0)
    with pytest.raises(redis.ResponseError, match="invalid expire time"):
        redis_store.raw.setex("product:1", 0, b"{}")
    assert redis_store.raw.exists("product:1") == 0


def test_bad_redis_expire_zero_deletes_at_once(redis_store, shop):
    for _ in range(3):
        assert product_bad_redis_expire(redis_store.raw, shop.conn, 1)["price"] == 2500
    assert shop.selects == 3  # the bug: nothing is ever cached


def test_fixed_refuses_zero_at_declaration_and_caches(store, shop):
    cache = store.cache()
    with pytest.raises(ValueError, match="TTL"):
        cache.namespace("product", ttl=0)
    products = cache.namespace("product", ttl=60)
    for _ in range(3):
        assert product_fixed(products, shop.conn, 1)["price"] == 2500
    assert shop.selects == 1


class ProjectSettings:
    """What every settings module of a project sets (`mysite/settings/*.py`), read by a
    view in another module as `settings.CATALOG_TTL`."""

    CATALOG_TTL = -1


def test_bad_a_setting_of_minus_one_makes_every_write_fail(redis_store):
    import redis

    with pytest.raises(redis.ResponseError, match="invalid expire time"):  # the bug, on every request
        redis_store.raw.set("catalog:ids", b"[1, 2]", ex=ProjectSettings.CATALOG_TTL)
    assert redis_store.raw.exists("catalog:ids") == 0


def test_fixed_a_setting_is_refused_where_the_namespace_is_declared(store, shop):
    cache = store.cache()
    with pytest.raises(ValueError, match="TTL"):
        cache.namespace("product", ttl=ProjectSettings.CATALOG_TTL)
    products = cache.namespace("product", ttl=300)
    assert product_fixed(products, shop.conn, 1)["price"] == 2500
