"""django-cache-memoize (0.2.1, src/cache_memoize/__init__.py), on one of Django's caches.

`@cache_memoize(timeout, prefix=None, args_rewrite=None, …, cache_alias="default")` keeps a
function's results in `caches[cache_alias]` under an md5 of the prefix (the function's
qualified name by default) and its arguments, written with `cache.set(key, result, timeout)`:
the timeout means what it means to Django (None: never expires; 0: not kept; omitted:
`DEFAULT_TIMEOUT`, the cache's configured default). The decorated function gains
`invalidate(*args, **kwargs)`, which deletes the entry of a call with those arguments, and
`get_cache_key(*args, **kwargs)`.
"""
from cachelint.model.libraries.django import SEMANTICS as DJANGO_SEMANTICS
from cachelint.model.spec import Arg, Decorator, Kind, Library, Method

CACHE_MEMOIZE = Library(
    name="cache_memoize",
    title="django-cache-memoize",
    methods={},
    semantics=DJANGO_SEMANTICS,
    decorators={
        "cache_memoize.cache_memoize": Decorator(
            "memoize", ttl=(Arg(0, "timeout"),), methods={"invalidate": Method(Kind.DELETE, key=None)},
        ),
    },
)
