"""The cache facts of a module: its clients, its cache operations with their TTLs, its cache decorators."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from cachelint.model.core.scopes import Scope
from cachelint.model.core.values import MAYBE, find_argument
from cachelint.model.spec import ClientKind, Decorator, Kind, Library, Meaning, Method


@dataclass(frozen=True, eq=False)
class Client:
    """A receiver known to be a cache client of `library`."""

    library: Library
    kind: ClientKind
    variant: str | None = None
    # The TTL the client was constructed with replaces what an omitted TTL means.
    constructor_ttl: Meaning | None = None
    # An instance of a project wrapper class (cachelint.model.cache.wrappers): what a call
    # of each of its methods is; None for the libraries' own clients.
    wrapper: WrapperClass | None = None
    # The configured caches of its library it may be, where the settings configure several
    # by name (Django's `caches["x"]`, `cache` for "default"); empty: any of them (or the
    # library's one configuration).
    aliases: tuple[str, ...] = ()

    @property
    def store(self) -> str | None:
        """Where the entries live ("redis", "memcached", "memory", "disk"); None: unknown."""
        return self.library.store_for(self.variant)

    @property
    def is_pipeline(self) -> bool:
        return self.kind.role == "pipeline"


WRAPPER = ClientKind(role="wrapper")  # the kind of a wrapper class's instances


@dataclass(frozen=True, eq=False)
class WrapperClass:
    """A project class whose methods forward to a cache client (`class Store` with `get`,
    `set` and `delete` calling `self._r`): each summarised method, with the client it
    reaches and the operation a call of it is."""

    name: str  # how `via` names the class: `Store`, `app.stores.Store`
    methods: dict[str, tuple[Client, Method]]

    def instance(self) -> Client:
        """An instance of the class, as a receiver the cache operations resolve."""
        first = next(iter(self.methods.values()))[0]
        return Client(first.library, WRAPPER, first.variant, first.constructor_ttl, self, first.aliases)


@dataclass(frozen=True)
class Ttl:
    """What the TTL of one write means, and the argument that says so (None: omitted)."""

    meaning: Meaning
    argument: cst.BaseExpression | None = None
    via_constant: str | None = None  # the module constant the value was read from
    # The parameter that sets this TTL: the one passed, or the one to pass when omitted.
    parameter: str | None = None
    # The value of a constant or setting of another module of the project the TTL reads
    # (`settings.CACHE_TTL`), which the module alone does not show.
    declared: float | None = None


@dataclass(eq=False)
class CacheOp:
    """One operation on a cache: `r.set(k, v, ex=60)`, `CACHE[k]`, `await cache.aget(k)`."""

    client: Client
    method: str
    spec: Method
    node: cst.Call | cst.Subscript  # the call, or the subscript for `CACHE[k]`
    call: cst.Call | None
    scope: Scope
    statement: cst.CSTNode
    order: int
    key: cst.BaseExpression | None = None
    value: cst.BaseExpression | None = None
    ttl: Ttl | None = None
    # Writes: an expire on the same key follows in the same function (redis-style clients).
    expiry_follows: bool = False
    # Configure: the TTL the backend gives what it stores, for backends that take their
    # own expiry argument (dogpile `redis_expiration_time`); None for other backends.
    backend_ttl: Ttl | None = None
    # A call of a wrapper function of this module (cachelint.model.cache.wrappers): the
    # wrapper's own operation is in the module too, its key judged at the callers there.
    through_local_wrapper: bool = False
    # The spec's kind, kept as a field: every rule asks it of every operation.
    kind: Kind = field(init=False)
    # The keys it names (cachelint.model.cache.keys.named_keys), found once: the rules ask
    # for them again and again.
    _named_keys: tuple[cst.BaseExpression, ...] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.kind = self.spec.kind

    @property
    def library(self) -> Library:
        return self.client.library

    @property
    def only_if_absent(self) -> bool:
        """The write stores only when the key has no entry: `add`, `setnx`, `set(nx=True)`."""
        if self.spec.if_absent:
            return True
        flag = self.spec.if_absent_flag
        if flag is None or self.call is None:
            return False
        given = find_argument(self.call, flag)
        return given is MAYBE or (given is not None and not (isinstance(given, cst.Name) and given.value in ("False", "None")))


@dataclass(eq=False)
class CacheDecorator:
    """A decorator that caches results (`@lru_cache`) or responses (`@cache_page`), written
    with `@`, applied by a call (`path("live/", cache_page(60)(views.live))`), or listed in
    a class-based view's `decorators = [cache.cached(60)]` (Flask)."""

    library: Library
    spec: Decorator
    # The `@...` line, the call that applies the decorator (`cache_page(60)(views.live)`),
    # or the element of a `decorators` list.
    node: cst.Decorator | cst.BaseExpression
    # The decorator as written: what follows `@`, `cache_page(60)` of a call form, or the element.
    expression: cst.BaseExpression
    # The decorated function, or the class whose view its decorators wrap (`method_decorator`
    # on the class, `View.as_view()` in a call form, a `decorators` list); None when it is
    # defined in another module.
    function: cst.FunctionDef | cst.ClassDef | None
    scope: Scope  # the scope the decorator is evaluated in (with `@`: where the function is defined)
    call: cst.Call | None
    ttl: Ttl | None
    # The statement a finding about the decorator belongs to: the decorated def or class,
    # or the statement holding the call form.
    statement: cst.CSTNode
    # For maxsize-bounded memoizers: True when the decorator keeps every entry.
    unbounded: bool = False
    # cachetools `cached(cache)`: the client the results are kept in, if known.
    storage: Client | None = None
    # A call form's other decorators on the same function, inside or around it:
    # `vary_on_cookie` in `cache_page(60)(vary_on_cookie(view))`.
    applied_with: tuple[cst.BaseExpression, ...] = ()


# The cache client an expression evaluated in a scope at an offset is, if any
# (cachelint.model.cache.clients.ClientResolver.client_of).
ClientOf = Callable[[cst.BaseExpression, Scope, int], Client | None]
# The cache operation an expression is, if any (ModuleModel.op_at).
OpAt = Callable[[cst.BaseExpression], CacheOp | None]
