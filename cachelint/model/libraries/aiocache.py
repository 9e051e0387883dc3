"""aiocache 0.12. See CLIENTS.md §A.6.

An omitted ttl falls back to the instance's `ttl`, which defaults to None: no expiry.
ttl=0 keeps the entry forever in memory and memcached, but sends SETEX 0 on Redis,
which the server rejects.
"""
from cachelint.model.spec import (
    Arg,
    ClientKind,
    Decorator,
    DecoratorBackend,
    Kind,
    Library,
    Meaning,
    Method,
    TtlSemantics,
)

SEMANTICS = TtlSemantics(omitted=Meaning.FOREVER, none=Meaning.FOREVER, zero=Meaning.UNKNOWN)
KEY = Arg(0, "key")
TTL_3RD = (Arg(2, "ttl"),)

AIOCACHE = Library(
    name="aiocache",
    variant_stores={"redis": "redis", "memcached": "memcached", "memory": "memory"},
    methods={
        "get": Method(Kind.READ, key=KEY, single_value=True, default=Arg(1, "default")),
        "multi_get": Method(Kind.READ, key=Arg(0, "keys")),
        "increment": Method(Kind.WRITE, key=KEY),  # a missing key is stored as `delta`, with no TTL
        "exists": Method(Kind.READ, key=KEY),
        "set": Method(Kind.WRITE, key=KEY, value=Arg(1, "value"), ttl=TTL_3RD),
        "add": Method(Kind.WRITE, key=KEY, value=Arg(1, "value"), ttl=TTL_3RD, if_absent=True),
        "multi_set": Method(Kind.WRITE, key=None, value=Arg(0, "pairs"), ttl=(Arg(1, "ttl"),)),
        "expire": Method(Kind.EXPIRE, key=KEY, ttl=(Arg(1, "ttl"),), semantics=SEMANTICS.but(zero=Meaning.UNKNOWN)),
        "delete": Method(Kind.DELETE, key=KEY),
        "clear": Method(Kind.DELETE, key=None),
    },
    semantics=SEMANTICS,
    variant_semantics={
        "redis": SEMANTICS.but(zero=Meaning.ERROR, negative=Meaning.ERROR),  # SETEX k 0|-n: invalid expire time
        "memory": SEMANTICS.but(zero=Meaning.FOREVER),
        "memcached": SEMANTICS.but(zero=Meaning.FOREVER),
        # caches.get("alias"): backend and default ttl come from the config, unseen here.
        "configured": SEMANTICS.but(omitted=Meaning.UNKNOWN),
    },
    constructors={
        "aiocache.Cache": ClientKind(variant_from_first_arg=True),
        "aiocache.SimpleMemoryCache": ClientKind(variant="memory"),
        "aiocache.RedisCache": ClientKind(variant="redis"),
        "aiocache.MemcachedCache": ClientKind(variant="memcached"),
        "aiocache.backends.memory.SimpleMemoryCache": ClientKind(variant="memory"),
        "aiocache.backends.redis.RedisCache": ClientKind(variant="redis"),
        "aiocache.backends.memcached.MemcachedCache": ClientKind(variant="memcached"),
        "aiocache.caches.get": ClientKind(variant="configured"),
        "aiocache.caches.create": ClientKind(variant="configured"),
    },
    constructor_ttl=Arg(None, "ttl"),
    # The decorators make their client from `cache=` (SimpleMemoryCache when omitted), or
    # take the configured one `alias=` names; either way an omitted ttl is the client's None.
    decorators={
        f"{module}.{name}": Decorator("memoize", ttl=(ttl,), backend=DecoratorBackend(
            backend, "memory", alias=Arg(None, "alias"), configured="configured"))
        for module in ("aiocache", "aiocache.decorators")
        for name, ttl, backend in (
            ("cached", Arg(0, "ttl"), Arg(5, "cache")),
            ("multi_cached", Arg(4, "ttl"), Arg(5, "cache")),
            ("cached_stampede", Arg(None, "ttl"), Arg(None, "cache")),
        )
    },
)
