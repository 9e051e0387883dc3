"""diskcache 5.6. See CLIENTS.md §A.6.

`expire=None` (the default) never expires; `expire=0` stores an entry that is already
stale, and `memoize(expire=0)` never stores at all.
"""
from cachelint.model.spec import Arg, ClientKind, Decorator, Kind, Library, Meaning, Method, TtlSemantics

SEMANTICS = TtlSemantics(
    omitted=Meaning.FOREVER, none=Meaning.FOREVER, zero=Meaning.STALE_AT_ONCE, negative=Meaning.STALE_AT_ONCE
)
KEY = Arg(0, "key")
EXPIRE_3RD = (Arg(2, "expire"),)

DISKCACHE = Library(
    name="diskcache",
    store="disk",
    methods={
        "get": Method(Kind.READ, key=KEY, single_value=True, default=Arg(1, "default")),
        "__getitem__": Method(Kind.READ, key=KEY, single_value=True, miss=None),
        "set": Method(Kind.WRITE, key=KEY, value=Arg(1, "value"), ttl=EXPIRE_3RD),
        "add": Method(Kind.WRITE, key=KEY, value=Arg(1, "value"), ttl=EXPIRE_3RD, if_absent=True),
        "__setitem__": Method(Kind.WRITE, key=KEY, value=Arg(1, "value")),
        "touch": Method(Kind.EXPIRE, key=KEY, ttl=(Arg(1, "expire"),)),
        # A missing key starts from `default` (0) and is stored with no expiry.
        "incr": Method(Kind.WRITE, key=KEY),
        "decr": Method(Kind.WRITE, key=KEY),
        "delete": Method(Kind.DELETE, key=KEY),
        "pop": Method(Kind.DELETE, key=KEY),
        "__delitem__": Method(Kind.DELETE, key=KEY),
        "clear": Method(Kind.DELETE, key=None),
        "evict": Method(Kind.DELETE, key=None),
    },
    semantics=SEMANTICS,
    constructors={
        f"{module}.{cls}": ClientKind()
        for module in ("diskcache", "diskcache.core", "diskcache.fanout")
        for cls in ("Cache", "FanoutCache")
    },
    method_decorators={
        "memoize": Decorator(
            "memoize", ttl=(Arg(2, "expire"),),
            semantics=SEMANTICS.but(zero=Meaning.NOT_CACHED, negative=Meaning.NOT_CACHED),
        ),
    },
)
