"""Django's cache framework, with django-redis's extras. See CLIENTS.md §A.2, §A.3."""
from cachelint.model.spec import (
    Arg,
    CacheSetting,
    ClientKind,
    Decorator,
    Kind,
    Library,
    Meaning,
    Method,
    ScanInstead,
    TtlSemantics,
)

# An omitted timeout uses CACHES[alias]["TIMEOUT"]; None never expires; 0 (and with
# django-redis any timeout <= 0) means "do not cache" or deletes the key.
SEMANTICS = TtlSemantics(
    omitted=Meaning.DEFAULT, none=Meaning.FOREVER, zero=Meaning.NOT_CACHED, negative=Meaning.NOT_CACHED
)

KEY = Arg(0, "key")
# `expire_at(key, when)` takes a point in time, not a duration.
_WHEN = SEMANTICS.but(zero=Meaning.UNKNOWN, negative=Meaning.UNKNOWN)


def _both(name: str, method: Method) -> dict[str, Method]:
    """Django offers every method also as a coroutine with an `a` prefix."""
    return {name: method, f"a{name}": method}


METHODS = {
    **_both("get", Method(Kind.READ, key=KEY, single_value=True, default=Arg(1, "default"))),
    **_both("get_many", Method(Kind.READ, key=Arg(0, "keys"))),
    **_both("has_key", Method(Kind.READ, key=KEY)),
    **_both("set", Method(Kind.WRITE, key=KEY, value=Arg(1, "value"), ttl=(Arg(2, "timeout"),))),
    **_both("add", Method(Kind.WRITE, key=KEY, value=Arg(1, "value"), ttl=(Arg(2, "timeout"),), if_absent=True)),
    **_both("get_or_set", Method(Kind.WRITE, key=KEY, value=Arg(1, "default"), ttl=(Arg(2, "timeout"),), if_absent=True)),
    **_both("set_many", Method(Kind.WRITE, key=None, value=Arg(0, "data"), ttl=(Arg(1, "timeout"),))),
    **_both("touch", Method(Kind.EXPIRE, key=KEY, ttl=(Arg(1, "timeout"),))),
    **_both("incr", Method(Kind.WRITE, key=KEY, creates_key=False)),
    **_both("decr", Method(Kind.WRITE, key=KEY, creates_key=False)),
    **_both("delete", Method(Kind.DELETE, key=KEY)),
    **_both("delete_many", Method(Kind.DELETE, key=Arg(0, "keys"))),
    **_both("clear", Method(Kind.DELETE, key=None)),
    # Moves the entry to another version of its key: readers of the current version miss
    # and load it afresh, as after a delete.
    **_both("incr_version", Method(Kind.DELETE, key=KEY)),
    **_both("decr_version", Method(Kind.DELETE, key=KEY)),
    # django-redis
    "keys": Method(Kind.KEYS, key=None, pattern=Arg(0, "search"), scan_instead=ScanInstead("iter_keys", Arg(0, "search"))),
    "iter_keys": Method(Kind.SCAN, key=None, pattern=Arg(0, "search")),
    "delete_pattern": Method(Kind.DELETE, key=None, pattern=Arg(0, "pattern")),
    "persist": Method(Kind.OTHER, key=KEY),
    "expire": Method(Kind.EXPIRE, key=KEY, ttl=(Arg(1, "timeout"),)),
    "pexpire": Method(Kind.EXPIRE, key=KEY, ttl=(Arg(1, "timeout"),)),
    **{method: Method(Kind.EXPIRE, key=KEY, ttl=(Arg(1, "when"),), semantics=_WHEN) for method in ("expire_at", "pexpire_at")},
    "ttl": Method(Kind.READ, key=KEY),
    "pttl": Method(Kind.READ, key=KEY),
    "lock": Method(Kind.OTHER, key=KEY),
}

# The backends a project's `CACHES` can name, by the store they keep entries in (Django
# 5.2 "Django's cache framework", "Setting up the cache"; each package's README). A
# memcached server refuses a key with a space, a control character or more than 250
# bytes, and Django's memcached backends raise `InvalidCacheKey` for one. A backend not
# listed is of a store not known: a project's own class (pretix's `CustomDummyCache`),
# and `db.DatabaseCache`, whose key column takes 255 characters (a longer key fails on
# PostgreSQL and MySQL).
_MEMCACHED = "django.core.cache.backends.memcached"
BACKEND_STORES = {
    **dict.fromkeys((
        f"{_MEMCACHED}.PyMemcacheCache", f"{_MEMCACHED}.PyLibMCCache", f"{_MEMCACHED}.MemcachedCache",
        f"{_MEMCACHED}.BaseMemcachedCache",
        "django_bmemcached.memcached.BMemcached",  # django-bmemcached (binary protocol, SASL)
        "django_pylibmc.memcached.PyLibMCCache",  # django-pylibmc
        "django_elasticache.memcached.ElastiCache",  # django-elasticache
        "django_prometheus.cache.backends.memcached.PyMemcacheCache",  # django-prometheus' instrumented ones
        "django_prometheus.cache.backends.memcached.PyLibMCCache",
        "django_prometheus.cache.backends.memcached.MemcachedCache",
    ), "memcached"),
    **dict.fromkeys((
        "django.core.cache.backends.redis.RedisCache",  # Django 4.0+
        "django_redis.cache.RedisCache",  # django-redis
        "redis_cache.RedisCache", "redis_cache.cache.RedisCache",  # django-redis-cache
        "redis_cache.ShardedRedisCache", "redis_cache.RedisClusterCache",
        "django_valkey.cache.ValkeyCache",  # django-valkey
        "django_prometheus.cache.backends.redis.RedisCache",
        "django_prometheus.cache.backends.django_redis.RedisCache",
    ), "redis"),
    **dict.fromkeys((
        "django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache",
        "django_prometheus.cache.backends.locmem.LocMemCache",
    ), "memory"),
    **dict.fromkeys((
        "django.core.cache.backends.filebased.FileBasedCache",  # the file name is a hash of the key
        "django_prometheus.cache.backends.filebased.FileBasedCache",
        "diskcache.DjangoCache",  # diskcache's Django backend
    ), "disk"),
}

DJANGO = Library(
    name="django",
    title="Django",
    methods=METHODS,
    semantics=SEMANTICS,
    # `cache` is `caches["default"]` (DEFAULT_CACHE_ALIAS).
    instances={"django.core.cache.cache": ClientKind(alias="default")},
    backend_setting=CacheSetting("CACHES", entry="BACKEND", stores=BACKEND_STORES),
    # The base class of every backend: what a parameter or property annotated with it
    # holds (`cache: BaseCache`), and what a project's own backend subclasses.
    # `get_cache(alias)`, removed in Django 1.9, which projects still import as a fallback
    # of `caches[alias]` (`except ImportError: from django.core.cache import get_cache`).
    constructors={"django.core.cache.backends.base.BaseCache": ClientKind(), "django.core.cache.get_cache": ClientKind()},
    registries=frozenset({"django.core.cache.caches"}),
    decorators={
        # cache_page(None) falls back to max-age or CACHE_MIDDLEWARE_SECONDS (middleware/cache.py).
        "django.views.decorators.cache.cache_page": Decorator(
            "view", ttl=(Arg(0, "timeout"),), semantics=SEMANTICS.but(none=Meaning.DEFAULT)
        ),
    },
)
