"""dogpile.cache regions. See CLIENTS.md §A.6.

`expiration_time` is only a staleness check made by dogpile; what the backend stores
expires only with `redis_expiration_time` / `memcached_expire_time`, which default to 0.
"""
from cachelint.model.spec import Arg, BackendExpiry, ClientKind, Decorator, Kind, Library, Meaning, Method, TtlSemantics

SEMANTICS = TtlSemantics(omitted=Meaning.DEFAULT, none=Meaning.DEFAULT, negative=Meaning.FOREVER)
# At configure() time None is the region-wide default: never stale.
CONFIGURE_SEMANTICS = SEMANTICS.but(none=Meaning.FOREVER)
KEY = Arg(0, "key")

# Backends whose stored entries only expire when this argument is given.
BACKEND_EXPIRY_ARGUMENTS = {
    "dogpile.cache.redis": "redis_expiration_time",
    "dogpile.cache.redis_sentinel": "redis_expiration_time",
    "dogpile.cache.redis_cluster": "redis_expiration_time",
    "dogpile.cache.valkey": "valkey_expiration_time",
}
# The backend writes a plain SET (no TTL) when the argument is missing, None or 0.
BACKEND_SEMANTICS = TtlSemantics(omitted=Meaning.FOREVER, none=Meaning.FOREVER, zero=Meaning.FOREVER)

# What `cache_on_arguments` adds to the function it decorates (region.py, `cache_decorator`):
# each takes the function's own arguments, from which the key is made. `set(value, *args)`
# and `refresh(*args)` store with the region's `set`, which takes no expiration.
MEMOIZED_METHODS = {
    "invalidate": Method(Kind.DELETE, key=None),
    "get": Method(Kind.READ, key=None, single_value=True, miss="NO_VALUE"),
    "set": Method(Kind.WRITE, key=None, value=Arg(0, "value")),
    "refresh": Method(Kind.WRITE, key=None),
}

DOGPILE = Library(
    name="dogpile",
    title="dogpile.cache",
    methods={
        "get": Method(Kind.READ, key=KEY, single_value=True, ttl=(Arg(1, "expiration_time"),), miss="NO_VALUE"),
        "get_multi": Method(Kind.READ, key=Arg(0, "keys")),
        "get_or_create": Method(Kind.WRITE, key=KEY, value=Arg(1, "creator"), ttl=(Arg(2, "expiration_time"),), if_absent=True),
        "set": Method(Kind.WRITE, key=KEY, value=Arg(1, "value")),
        "set_multi": Method(Kind.WRITE, key=None, value=Arg(0, "mapping")),
        "delete": Method(Kind.DELETE, key=KEY),
        "delete_multi": Method(Kind.DELETE, key=Arg(0, "keys")),
        "invalidate": Method(Kind.DELETE, key=None),
        "configure": Method(
            Kind.CONFIGURE, key=None, ttl=(Arg(1, "expiration_time"),), semantics=CONFIGURE_SEMANTICS,
            backend_expiry=BackendExpiry(
                Arg(0, "backend"), Arg(2, "arguments"), BACKEND_EXPIRY_ARGUMENTS, BACKEND_SEMANTICS
            ),
        ),
    },
    semantics=SEMANTICS,
    constructors={
        "dogpile.cache.make_region": ClientKind(),
        "dogpile.cache.region.make_region": ClientKind(),
        "dogpile.cache.CacheRegion": ClientKind(),
        "dogpile.cache.region.CacheRegion": ClientKind(),
    },
    factories={"configure": ClientKind()},
    method_decorators={
        "cache_on_arguments": Decorator("memoize", ttl=(Arg(1, "expiration_time"),), methods=MEMOIZED_METHODS),
        "cache_multi_on_arguments": Decorator("memoize", ttl=(Arg(1, "expiration_time"),), methods=MEMOIZED_METHODS),
    },
)
