"""In-process memoisation: functools, cachetools, and module-level dicts used as caches.

None of these can expire an entry unless built to (cachetools' TTLCache/TLRUCache), so
what they hold is as old as the process. See CLIENTS.md §A.6.
"""
from cachelint.model.spec import Arg, ClientKind, Decorator, Kind, Library, Meaning, Method, TtlSemantics

FOREVER = TtlSemantics(omitted=Meaning.FOREVER, none=Meaning.FOREVER)
KEY = Arg(0, "key")

MAPPING_METHODS = {
    "get": Method(Kind.READ, key=KEY, single_value=True, default=Arg(1, "default")),
    "__getitem__": Method(Kind.READ, key=KEY, single_value=True, miss=None),
    "__setitem__": Method(Kind.WRITE, key=KEY, value=Arg(1, "value")),
    "setdefault": Method(Kind.WRITE, key=KEY, value=Arg(1, "default"), if_absent=True),
    "pop": Method(Kind.DELETE, key=KEY),
    "__delitem__": Method(Kind.DELETE, key=KEY),
    "clear": Method(Kind.DELETE, key=None),
}

_MAXSIZE = Arg(0, "maxsize")

FUNCTOOLS = Library(
    name="functools",
    methods={},
    semantics=FOREVER,
    in_process=True,
    store="memory",
    decorators={
        "functools.lru_cache": Decorator("memoize", maxsize=_MAXSIZE),
        "functools.cache": Decorator("memoize", unbounded=True),
    },
)

# A cache without a TTL keeps an entry until it is evicted for room, however stale.
NO_TTL = "no-ttl"
_NO_TTL_CLASSES = ("Cache", "LRUCache", "LFUCache", "RRCache", "FIFOCache", "MRUCache")
_TTL_CLASSES = ("TTLCache", "TLRUCache")

CACHETOOLS = Library(
    name="cachetools",
    methods=MAPPING_METHODS,
    semantics=TtlSemantics(omitted=Meaning.DEFAULT),
    variant_semantics={NO_TTL: FOREVER},
    in_process=True,
    store="memory",
    constructors={
        **{f"cachetools.{cls}": ClientKind(variant=NO_TTL) for cls in _NO_TTL_CLASSES},
        **{f"cachetools.{cls}": ClientKind(variant="ttl") for cls in _TTL_CLASSES},
    },
    decorators={
        "cachetools.cached": Decorator("memoize", cache=Arg(0, "cache")),
        "cachetools.cachedmethod": Decorator("memoize", cache=Arg(0, "cache")),
        **{
            f"cachetools.func.{name}": Decorator("memoize", maxsize=_MAXSIZE, semantics=FOREVER)
            for name in ("lru_cache", "lfu_cache", "rr_cache", "fifo_cache", "mru_cache")
        },
        "cachetools.func.ttl_cache": Decorator("memoize", ttl=(Arg(1, "ttl"),), maxsize=_MAXSIZE),
    },
)

# Recognised by the extractor: a module-level `{}`, `dict()`… whose name contains "cache".
DICT_CACHE = Library(
    name="dict", methods=MAPPING_METHODS, semantics=FOREVER, in_process=True, store="memory", title="module-level dict"
)
