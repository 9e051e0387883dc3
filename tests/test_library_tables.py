"""The library tables of djblets, django-cache-memoize, oslo.cache, aioredis 1.x and the legacy Flask-Cache
imports: what `cachelint ops` understands of each, and what their TTLs mean to the rules."""
from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from cachelint.cli import main


def _ops(tmp_path, source: str) -> list[tuple]:
    (tmp_path / "app.py").write_text(textwrap.dedent(source))
    result = CliRunner().invoke(main, ["ops", "--output-format", "json", str(tmp_path / "app.py")], catch_exceptions=False)
    return [(e["row"], e["kind"], e["library"], e["method"], e["key"], e["ttl"]) for e in json.loads(result.output)]


def _codes(tmp_path, source: str) -> list[tuple[int, str]]:
    (tmp_path / "app.py").write_text(textwrap.dedent(source))
    result = CliRunner().invoke(
        main, ["check", "--no-cache", "--exit-zero", "--output-format", "json", str(tmp_path / "app.py")],
        catch_exceptions=False,
    )
    return sorted((d["location"]["row"], d["code"]) for d in json.loads(result.output))


def test_djblets_cache_memoize_is_a_read_through_write_with_djangos_timeouts(tmp_path):
    source = '''
        from djblets.cache import backend
        from djblets.cache.backend import cache_memoize, cache_memoize_iter

        def consent(user):
            return cache_memoize(f"consent:{user.pk}", lambda: load(user))

        def lines(path):
            return list(cache_memoize_iter(f"lines:{path}", lambda: open(path), expiration=None))

        def pages(site):
            return backend.cache_memoize("pages:%s" % site, list, 0)
    '''
    assert _ops(tmp_path, source) == [
        (6, "write", "djblets", "cache_memoize", "consent:{user.pk}", "default"),
        (9, "write", "djblets", "cache_memoize_iter", "lines:{path}", "forever"),
        (12, "write", "djblets", "cache_memoize", "pages:{site}", "not cached"),
    ]
    # 0 means "not cached" to Django, which djblets hands the expiration to.
    assert (12, "CL013") in _codes(tmp_path, source)


def test_a_function_of_the_same_name_that_is_not_djblets_is_not_an_operation(tmp_path):
    source = '''
        from myapp.cache import cache_memoize

        def cache_memoize_iter(key, load):
            return load()

        def consent(user):
            cache_memoize_iter(f"c:{user.pk}", list)
            return cache_memoize(f"consent:{user.pk}", lambda: load(user), 0)
    '''
    assert _ops(tmp_path, source) == []
    assert _codes(tmp_path, source) == []


def test_oslo_cache_regions_and_memoization_decorators(tmp_path):
    source = '''
        from oslo_cache import core as cache
        from oslo_config import cfg

        region = cache.create_region()
        MEMOIZE = cache.get_memoization_decorator(cfg.CONF, region, group="catalog")

        @MEMOIZE
        def get_catalog(user_id):
            return load(user_id)

        def forget(user_id):
            region.delete(f"catalog:{user_id}")
    '''
    assert _ops(tmp_path, source) == [
        (8, "decorator", "oslo.cache", "MEMOIZE", None, "default"),
        (13, "delete", "oslo.cache", "delete", "catalog:{user_id}", None),
    ]


def test_aioredis_1_clients_and_their_ttls(tmp_path):
    source = '''
        import aioredis

        async def remember(uid, data):
            redis = await aioredis.create_redis_pool("redis://localhost")
            await redis.set(f"user:{uid}", data, expire=60)
            await redis.set(f"draft:{uid}", data, expire=0)
            await redis.setex(f"seen:{uid}", 0, 1)
            for key in await redis.keys("user:*"):
                await redis.delete(key)
    '''
    assert _ops(tmp_path, source) == [
        (6, "write", "aioredis", "set", "user:{uid}", "expires"),
        (7, "write", "aioredis", "set", "draft:{uid}", "forever"),
        (8, "write", "aioredis", "setex", "seen:{uid}", "error"),
        (9, "keys", "aioredis", "keys", None, None),
        (10, "delete", "aioredis", "delete", "user:{key}", None),
    ]
    codes = _codes(tmp_path, source)
    # expire=0 is not sent at all (no TTL): not redis-py's rejected EX 0
    assert (7, "CL013") not in codes and (8, "CL013") in codes and (9, "CL007") in codes


def test_aioredis_2_is_not_the_1_x_table(tmp_path):
    """aioredis 2.x has redis-py's API (`from_url`, `ex=`): its writes are not read with 1.x's `expire=`."""
    source = '''
        import aioredis

        async def remember(uid, data):
            redis = aioredis.from_url("redis://localhost")
            await redis.set(f"user:{uid}", data, ex=60)
    '''
    assert _ops(tmp_path, source) == []


@pytest.mark.parametrize("module", ["flask.ext.cache", "flask_cache", "flask.ext.caching"])
def test_legacy_flask_cache_imports_are_flask_caching(tmp_path, module):
    source = f'''
        from {module} import Cache

        cache = Cache()

        def forget(uid):
            cache.delete(f"user:{{uid}}")
    '''
    assert _ops(tmp_path, source) == [(7, "delete", "flask-caching", "delete", "user:{uid}", None)]


def test_what_dogpile_memoization_adds_to_a_function_is_an_operation(tmp_path):
    source = '''
        from dogpile.cache import make_region
        from oslo_cache import core as cache

        region = make_region().configure("dogpile.cache.redis")
        MEMOIZE = cache.get_memoization_decorator(None, cache.create_region(), group="catalog")

        @region.cache_on_arguments(expiration_time=60)
        def get_user(uid):
            return load(uid)

        @MEMOIZE
        def get_catalog(uid):
            return load(uid)

        def plain(uid):
            return uid

        def rename(uid):
            get_user.invalidate(uid)
            get_user.refresh(uid)
            get_catalog.invalidate(uid)
            plain.invalidate(uid)
            get_user.cache_info()
    '''
    assert [op[:4] for op in _ops(tmp_path, source) if op[1] != "decorator"] == [
        (5, "configure", "dogpile", "configure"),
        (20, "delete", "dogpile", "invalidate"),
        (21, "write", "dogpile", "refresh"),
        (22, "delete", "oslo.cache", "invalidate"),
    ]


def test_django_cache_memoize_keeps_results_in_djangos_cache_and_invalidates_by_arguments(tmp_path):
    source = '''
        from cache_memoize import cache_memoize

        @cache_memoize(600, prefix="plan")
        def plan_of(account_id):
            return load_plan(account_id)

        @cache_memoize(timeout=None)
        def settings_of(site_id):
            return load_settings(site_id)

        def change_plan(account_id, plan):
            store_plan(account_id, plan)
            plan_of.invalidate(account_id)
    '''
    assert [(row, kind, library, method, ttl) for row, kind, library, method, _, ttl in _ops(tmp_path, source)] == [
        (4, "decorator", "cache_memoize", "cache_memoize", "expires"),
        (8, "decorator", "cache_memoize", "cache_memoize", "forever"),
        (14, "delete", "cache_memoize", "invalidate", None),
    ]
