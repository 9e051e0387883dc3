"""djblets' cache helpers (djblets 5.x, djblets/cache/backend.py), on Django's configured cache.

`cache_memoize(key, lookup_callable, *, expiration=…, force_overwrite=False)` returns the
entry under `make_cache_key(key)` (the key behind the site's domain, hashed when too long
for the backend), and on a miss calls `lookup_callable()` and stores what it returns with
`cache.set(key, value, timeout=expiration)`: a read-through write, like Django's
`get_or_set`. `cache_memoize_iter(key, items_or_callable, …)` does the same for a list
of items, stored in chunks. `force_overwrite=True` skips the read and always stores.
The key may be a sequence of strings (djblets 6): `make_cache_key` joins them with `:`,
each escaped (`:` and `%` percent-encoded), so `("dmarc-record", hostname)` is the key
`dmarc-record:<hostname>`.
`expiration` defaults to `settings.CACHE_EXPIRATION_TIME`, else 30 days; it is passed to
Django as the timeout, so None and 0 mean what they mean there (never expires; not
cached). Before 5.1 `expiration` could be passed by position, third.
"""
from cachelint.model.libraries.django import SEMANTICS as DJANGO_SEMANTICS
from cachelint.model.spec import Arg, Kind, Library, Method

_EXPIRATION = (Arg(2, "expiration"),)


def _memoize(value: str) -> Method:
    return Method(Kind.WRITE, key=Arg(0, "key"), value=Arg(1, value), ttl=_EXPIRATION, if_absent=True, joined_key=":")


DJBLETS = Library(
    name="djblets",
    methods={},
    functions={
        "djblets.cache.backend.cache_memoize": _memoize("lookup_callable"),
        "djblets.cache.backend.cache_memoize_iter": _memoize("items_or_callable"),
    },
    # An omitted expiration is djblets' configured default, as Django's is CACHES' TIMEOUT.
    semantics=DJANGO_SEMANTICS,
)
