"""Async web-app caches: fastapi-cache2 and cashews. See CLIENTS.md §A.6."""
from cachelint.model.spec import Arg, ClientKind, Decorator, Kind, Library, Meaning, Method, TtlSemantics

KEY = Arg(0, "key")

# fastapi-cache: `expire or FastAPICache.get_expire()`, so both None and 0 mean the global default.
FASTAPI_CACHE = Library(
    name="fastapi-cache",
    methods={},
    semantics=TtlSemantics(omitted=Meaning.DEFAULT, none=Meaning.DEFAULT, zero=Meaning.DEFAULT),
    decorators={
        "fastapi_cache.decorator.cache": Decorator("view", ttl=(Arg(0, "expire"),)),
    },
)

# cashews: no expire, None and 0 all write without a TTL on Redis.
_CASHEWS_SEMANTICS = TtlSemantics(omitted=Meaning.FOREVER, none=Meaning.FOREVER, zero=Meaning.FOREVER)
_EXPIRE_3RD = (Arg(2, "expire"),)

CASHEWS = Library(
    name="cashews",
    methods={
        "get": Method(Kind.READ, key=KEY, single_value=True, default=Arg(1, "default")),
        "get_many": Method(Kind.READ, key=None, variadic_keys=True),
        "exists": Method(Kind.READ, key=KEY),
        "get_expire": Method(Kind.READ, key=KEY),
        "incr": Method(Kind.WRITE, key=KEY, ttl=_EXPIRE_3RD),
        "set": Method(Kind.WRITE, key=KEY, value=Arg(1, "value"), ttl=_EXPIRE_3RD),
        "get_or_set": Method(Kind.WRITE, key=KEY, value=Arg(1, "default"), ttl=_EXPIRE_3RD, if_absent=True),
        "set_many": Method(Kind.WRITE, key=None, value=Arg(0, "pairs"), ttl=(Arg(1, "expire"),)),
        "expire": Method(Kind.EXPIRE, key=KEY, ttl=(Arg(1, "timeout"),), semantics=_CASHEWS_SEMANTICS.but(zero=Meaning.UNKNOWN)),
        "delete": Method(Kind.DELETE, key=KEY),
        "delete_many": Method(Kind.DELETE, key=None, variadic_keys=True),
        "delete_match": Method(Kind.DELETE, key=None),
        "scan": Method(Kind.SCAN, key=None),
    },
    semantics=_CASHEWS_SEMANTICS,
    instances={"cashews.cache": ClientKind()},
    constructors={"cashews.Cache": ClientKind()},
    call_decorator=Decorator("memoize", ttl=(Arg(0, "ttl"),)),
    # `@cache.early(ttl="1h")` and friends: the same cache, with refresh or fallback strategies.
    method_decorators={
        name: Decorator("memoize", ttl=(Arg(0, "ttl"),))
        for name in ("cache", "early", "soft", "hit", "failover", "iterator")
    },
)
