"""Flask-Caching and cachelib: a timeout of 0 means the entry never expires. CLIENTS.md §A.4."""
from cachelint.model.spec import Arg, CacheSetting, ClientKind, Decorator, Kind, Library, Meaning, Method, TtlSemantics

# None (or an omitted timeout) uses the default timeout; 0 never expires, the opposite of Django.
SEMANTICS = TtlSemantics(omitted=Meaning.DEFAULT, none=Meaning.DEFAULT, zero=Meaning.FOREVER)

KEY = Arg(0, "key")
TIMEOUT_3RD = (Arg(2, "timeout"),)

METHODS = {
    "get": Method(Kind.READ, key=KEY, single_value=True),
    "get_many": Method(Kind.READ, key=None, variadic_keys=True),
    "get_dict": Method(Kind.READ, key=None, variadic_keys=True),
    "has": Method(Kind.READ, key=KEY),
    "set": Method(Kind.WRITE, key=KEY, value=Arg(1, "value"), ttl=TIMEOUT_3RD),
    "add": Method(Kind.WRITE, key=KEY, value=Arg(1, "value"), ttl=TIMEOUT_3RD, if_absent=True),
    "set_many": Method(Kind.WRITE, key=None, value=Arg(0, "mapping"), ttl=(Arg(1, "timeout"),)),
    "delete": Method(Kind.DELETE, key=KEY),
    "delete_many": Method(Kind.DELETE, key=None, variadic_keys=True),
    "clear": Method(Kind.DELETE, key=None),
}

# The backends by the variant their name gives (`RedisCache`, `"redis"` -> "redis").
BACKEND_STORES = {
    **dict.fromkeys(("redis", "rediscluster", "redissentinel"), "redis"),
    **dict.fromkeys(("memcached", "saslmemcached", "spreadsaslmemcached"), "memcached"),
    **dict.fromkeys(("simple", "null", "uwsgi"), "memory"),
    "filesystem": "disk",
}

_CACHELIB_CLASSES = (
    "SimpleCache", "FileSystemCache", "RedisCache", "MemcachedCache", "UWSGICache",
    "MongoDbCache", "DynamoDbCache", "NullCache",
)

FLASK_CACHING = Library(
    name="flask-caching",
    title="Flask-Caching",
    # `delete_memoized(f, *args)` drops what `@cache.memoize` stored for `f` (those arguments).
    methods={
        **METHODS,
        "delete_memoized": Method(Kind.DELETE, key=None),
        "delete_memoized_verhash": Method(Kind.DELETE, key=None),
        "unlink": Method(Kind.DELETE, key=None, variadic_keys=True),
    },
    semantics=SEMANTICS,
    # Flask-Cache (`flask_cache`, 0.13) is Flask-Caching's predecessor, with the same API;
    # before Flask 1.0 both were also imported through the `flask.ext` redirect.
    constructors={
        f"{module}.Cache": ClientKind(variant_from_config="CACHE_TYPE")
        for module in ("flask_caching", "flask_cache", "flask.ext.caching", "flask.ext.cache")
    },
    variant_stores=BACKEND_STORES,
    # `CACHE_TYPE` in the app's config (a config class, `app.config[...]`, a config dict):
    # what `Cache(app)` uses when it is not given a `config` of its own.
    backend_setting=CacheSetting("CACHE_TYPE"),
    method_decorators={
        "cached": Decorator("view", ttl=(Arg(0, "timeout"),)),
        "memoize": Decorator("memoize", ttl=(Arg(0, "timeout"),)),
    },
)

CACHELIB = Library(
    name="cachelib",
    # `inc`/`dec` store a missing key as `delta` with the default timeout.
    methods={**METHODS, "inc": Method(Kind.WRITE, key=KEY), "dec": Method(Kind.WRITE, key=KEY)},
    semantics=SEMANTICS,
    constructors={
        f"{module}.{cls}": ClientKind(variant=cls.lower().removesuffix("cache"))
        for module in ("cachelib", "werkzeug.contrib.cache")
        for cls in _CACHELIB_CLASSES
    } | {
        # The base class of the backends (Flask-Caching's extends cachelib's): what an
        # attribute annotated with it holds (`self._cache: Optional[BaseCache]`).
        name: ClientKind() for name in (
            "cachelib.BaseCache", "cachelib.base.BaseCache",
            "flask_caching.BaseCache", "flask_caching.backends.BaseCache", "flask_caching.backends.base.BaseCache",
        )
    },
    variant_stores=BACKEND_STORES,
    constructor_ttl=Arg(None, "default_timeout"),
)
