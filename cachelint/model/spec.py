"""The vocabulary in which each cache library's behaviour is written down as data.

A `Library` says which names create or are clients of that library, and what each
of its methods does: read, write, delete, scan…, where the key is, which arguments
carry the TTL, and what an omitted, `None`, zero or negative TTL means for it.
The tables themselves live in `cachelint.model.libraries`, one module per library.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Meaning(enum.Enum):
    """What a TTL argument (or its absence) does to the entry that is written."""

    EXPIRES = "expires"  # a positive duration: the entry expires
    DEFAULT = "default"  # the client's configured default timeout applies
    FOREVER = "forever"  # the entry never expires
    NOT_CACHED = "not cached"  # the value is not stored, or the key is deleted
    ERROR = "error"  # the server rejects the command
    STALE_AT_ONCE = "stale at once"  # stored, but already expired
    UNKNOWN = "unknown"  # the analysis cannot tell

    @property
    def is_zero_ttl_mistake(self) -> bool:
        return self in (Meaning.NOT_CACHED, Meaning.ERROR, Meaning.STALE_AT_ONCE)


@dataclass(frozen=True)
class TtlSemantics:
    omitted: Meaning = Meaning.DEFAULT
    none: Meaning = Meaning.DEFAULT
    zero: Meaning = Meaning.UNKNOWN
    negative: Meaning = Meaning.UNKNOWN
    # A value the analysis cannot tell (a setting, a parameter): redis SETEX's expires the
    # entry whatever it is, or the command fails.
    unknown: Meaning = Meaning.UNKNOWN

    def but(self, **changes: Meaning) -> TtlSemantics:
        return TtlSemantics(**{**self.__dict__, **changes})


@dataclass(frozen=True)
class Arg:
    """An argument by position (None: keyword-only) and keyword name (None: positional-only)."""

    position: int | None
    name: str | None = None


class Kind(str, enum.Enum):
    READ = "read"
    WRITE = "write"
    DELETE = "delete"
    EXPIRE = "expire"  # sets or changes the TTL of an existing key
    SCAN = "scan"  # incremental key enumeration (SCAN)
    KEYS = "keys"  # blocking key enumeration (KEYS)
    CONFIGURE = "configure"  # configures a client or region (dogpile)
    OTHER = "other"


@dataclass(frozen=True)
class ScanInstead:
    """For a KEYS method: the incremental method that enumerates the same keys."""

    method: str  # `scan_iter`, `iter_keys`
    pattern: Arg  # where the KEYS method takes its pattern
    keyword: str | None = None  # the pattern's keyword in `method`; None: passed positionally


@dataclass(frozen=True)
class BackendExpiry:
    """`configure(backend, arguments={...})` where some backends give stored entries a TTL
    only when `arguments` holds their own expiry argument (dogpile `redis_expiration_time`)."""

    backend: Arg
    arguments: Arg
    expiry_argument: dict[str, str]  # backend name -> the key in `arguments` that sets the TTL
    semantics: TtlSemantics  # what that argument's absence, None, 0… mean


@dataclass(frozen=True)
class Method:
    kind: Kind
    key: Arg | None = Arg(0, "key")
    value: Arg | None = None
    ttl: tuple[Arg, ...] = ()
    # None: the library's own semantics apply.
    semantics: TtlSemantics | None = None
    # For reads: the result is a single value that is None (or a sentinel) on a miss.
    # Collection reads (hgetall, smembers…) return an empty collection instead.
    single_value: bool = False
    default: Arg | None = None  # for reads: the value returned on a miss
    # For single-value reads: what a miss returns when no default is given;
    # None when a miss raises KeyError instead (`CACHE[k]`).
    miss: str | None = "None"
    # For writes that only change an existing entry (Django incr): never creates a key.
    creates_key: bool = True
    # For writes to an existing key: it keeps its TTL (INCR, HSET), or loses it (SET, GETSET).
    keeps_ttl: bool = True
    # For writes that store only when the key has no entry (`add`, `setnx`, `get_or_set`):
    # a lock, a marker or the fill of a miss, never a fresher value over an old one.
    if_absent: bool = False
    # An argument that, passed as true, makes the write store only when the key has no
    # entry (redis `set(k, v, nx=True)`).
    if_absent_flag: Arg | None = None
    scan_instead: ScanInstead | None = None
    # For KEYS and SCAN methods that yield keys: the argument holding the glob pattern.
    pattern: Arg | None = None
    # Every positional argument is a key, not only `key` (redis `delete(*names)`).
    variadic_keys: bool = False
    # An argument that puts its text before every key the call names
    # (python-memcached `set_multi(mapping, key_prefix="product:")`).
    key_prefix: Arg | None = None
    # A key given as a tuple or a list is one key, its elements joined with this text
    # (djblets' `make_cache_key(("dmarc-record", hostname))` is `dmarc-record:<hostname>`).
    joined_key: str | None = None
    backend_expiry: BackendExpiry | None = None
    # The text a project wrapper puts before and after the key it is given (`…` for a part
    # it computes itself): the key is then the caller's argument inside these.
    key_affix: tuple[str, str] = ("", "")
    # The project functions a call of this method goes through to reach the library's
    # own method, outermost first (a wrapper summarised by cachelint.project); empty for
    # the libraries' methods.
    via: tuple[str, ...] = ()
    # A project read-through wrapper (`get_or_compute(key, fn, ttl)`): a call reads the
    # key and, on a miss, fills it (a write only if absent, of what `value` computes).
    read_through: bool = False
    # A project wrapper whose key its module only ever counts under (`incr(k)`, started by
    # `set(k, 0, nx=True)`): the entry is a counter, not a copy of data kept elsewhere
    # (`CacheFills.is_counter`).
    counter: bool = False


@dataclass(frozen=True)
class Decorator:
    """A decorator that caches the decorated function's results or a view's responses."""

    kind: str  # "memoize" or "view"
    ttl: tuple[Arg, ...] = ()
    semantics: TtlSemantics | None = None
    maxsize: Arg | None = None  # functools-style bound; unbounded when None is passed
    unbounded: bool = False  # always unbounded (functools.cache)
    cache: Arg | None = None  # cachetools: the cache object that stores the results
    backend: DecoratorBackend | None = None  # aiocache: the backend class that stores them
    # What the decorated function gains, called as `fn.<name>(...)` with the arguments of a
    # call of `fn` (dogpile `get_user.invalidate(uid)` deletes the entry of `get_user(uid)`).
    methods: dict[str, Method] = field(default_factory=dict)


@dataclass(frozen=True)
class DecoratorBackend:
    """A decorator that makes its own client from a backend class (aiocache
    `cached(cache=Cache.REDIS)`): that backend's variant decides what the TTL means."""

    argument: Arg  # the backend class, named as the library's constructors name it
    omitted: str  # the variant when it is not passed (aiocache: "memory")
    # The argument that names a configured client instead (aiocache `alias="redis"`), and
    # the variant that stands for it.
    alias: Arg | None = None
    configured: str | None = None


@dataclass(frozen=True)
class ClientKind:
    """What a constructor or factory produces: a client, a pipeline, or a factory of clients."""

    role: str = "client"  # "client", "pipeline" or "factory"
    variant: str | None = None  # a backend that changes TTL semantics (aiocache "redis")
    variant_from_first_arg: bool = False  # aiocache Cache(Cache.REDIS)
    # The entry of a `config={...}` argument that names the backend: its value, without a
    # module path or a `Cache` suffix and in lower case, is the variant (Flask-Caching
    # `Cache(app, config={"CACHE_TYPE": "RedisCache"})` -> "redis").
    variant_from_config: str | None = None
    # The configured cache it is, where the settings configure several by name (Django's
    # `cache` is `caches["default"]`); None: not one of them, or not known.
    alias: str | None = None


@dataclass(frozen=True)
class CacheSetting:
    """Where a project's settings name the backend of a library's clients, whose store the
    library alone does not decide (its `store` is None): Django's `CACHES = {alias:
    {"BACKEND": "..."}}`, Flask-Caching's `CACHE_TYPE = "..."`."""

    name: str  # the setting: "CACHES", "CACHE_TYPE"
    # In a setting that maps aliases to caches, the entry of a cache naming its backend
    # (Django's "BACKEND"); None: the setting names the backend itself.
    entry: str | None = None
    # The backends by their dotted path, with the store each keeps its entries in; one
    # not listed is of a store not known. Empty: the name gives the backend's variant, as
    # a `variant_from_config` does (`Library.store_for`).
    stores: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Library:
    name: str
    methods: dict[str, Method]
    semantics: TtlSemantics = TtlSemantics()
    # Per-variant TTL semantics (aiocache behaves differently on Redis and in memory).
    variant_semantics: dict[str, TtlSemantics] = field(default_factory=dict)
    # Qualified names of callables that return a client (constructors, from_url…).
    constructors: dict[str, ClientKind] = field(default_factory=dict)
    # Qualified names of objects that already are clients (django.core.cache.cache).
    instances: dict[str, ClientKind] = field(default_factory=dict)
    # Qualified names of objects indexed to get a client (django.core.cache.caches["x"]).
    registries: frozenset[str] = frozenset()
    # Qualified names of module-level functions that are themselves an operation on the
    # cache the library is configured with (djblets `cache_memoize(key, load)`).
    functions: dict[str, Method] = field(default_factory=dict)
    # Methods that return another client object: name -> what it returns.
    factories: dict[str, ClientKind] = field(default_factory=dict)
    # A TTL given in the constructor (aiocache ttl=, cachelib default_timeout=)
    # replaces what an omitted TTL means on every write.
    constructor_ttl: Arg | None = None
    # An expire on the same key later in the same function gives a written entry its TTL.
    followup_expiry: bool = False
    # Qualified names of module-level decorators of this library.
    decorators: dict[str, Decorator] = field(default_factory=dict)
    # Client methods used as decorators (Flask-Caching `@cache.cached`).
    method_decorators: dict[str, Decorator] = field(default_factory=dict)
    # The client object itself called as a decorator (cashews `@cache(ttl=…)`).
    call_decorator: Decorator | None = None
    # Entries live in this process's memory (functools, cachetools, dict caches): they
    # last as long as the process, so only what can go stale (I/O results) matters.
    in_process: bool = False
    title: str = ""  # how messages spell it ("Flask-Caching"); default: `name`
    # Where the entries live, which decides what a key may hold: "redis", "memcached"
    # (250 bytes, no spaces or control characters), "memory" or "disk"; None when the
    # configuration decides (Django's CACHES). `variant_stores` overrides it per variant.
    store: str | None = None
    variant_stores: dict[str, str] = field(default_factory=dict)
    # Where a project's settings name the backend, when `store` is None.
    backend_setting: CacheSetting | None = None

    @property
    def label(self) -> str:
        return self.title or self.name

    def store_for(self, variant: str | None) -> str | None:
        return self.variant_stores.get(variant or "", self.store)

    def semantics_for(self, variant: str | None) -> TtlSemantics:
        return self.variant_semantics.get(variant or "", self.semantics)
