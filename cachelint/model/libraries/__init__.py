"""One table per cache library; `LIBRARIES` is every table the model knows."""
from cachelint.model.libraries.aiocache import AIOCACHE
from cachelint.model.libraries.aioredis import AIOREDIS
from cachelint.model.libraries.cache_memoize import CACHE_MEMOIZE
from cachelint.model.libraries.cachelib import CACHELIB, FLASK_CACHING
from cachelint.model.libraries.diskcache import DISKCACHE
from cachelint.model.libraries.django import DJANGO
from cachelint.model.libraries.djblets import DJBLETS
from cachelint.model.libraries.dogpile import DOGPILE
from cachelint.model.libraries.memcache import AIOMCACHE, PYLIBMC, PYMEMCACHE, PYTHON_MEMCACHED
from cachelint.model.libraries.memoizers import CACHETOOLS, DICT_CACHE, FUNCTOOLS
from cachelint.model.libraries.oslo_cache import OSLO_CACHE
from cachelint.model.libraries.redis import REDIS, VALKEY
from cachelint.model.libraries.web import CASHEWS, FASTAPI_CACHE

LIBRARIES = (
    REDIS, VALKEY, DJANGO, FLASK_CACHING, CACHELIB, PYMEMCACHE, PYLIBMC, PYTHON_MEMCACHED,
    AIOMCACHE, AIOCACHE, DISKCACHE, DOGPILE, CACHETOOLS, FUNCTOOLS, FASTAPI_CACHE, CASHEWS,
    DICT_CACHE, DJBLETS, OSLO_CACHE, AIOREDIS, CACHE_MEMOIZE,
)
BY_NAME = {library.name: library for library in LIBRARIES}
# Callables that stand for one entry of the registry they are given: Django's
# `ConnectionProxy(caches, alias)` is `caches[alias]` (how `django.core.cache.cache` is made;
# django CMS makes its menu cache so). Given another registry (`connections`), not a cache.
REGISTRY_PROXIES = frozenset({"django.utils.connection.ConnectionProxy"})
