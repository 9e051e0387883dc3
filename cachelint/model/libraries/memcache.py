"""Memcached clients: pymemcache, pylibmc, python-memcached, aiomcache. CLIENTS.md §A.5.

The protocol reads an expiry of 0 as "never expires", which is every client's default,
and a negative expiry as "expires at once".
"""
from dataclasses import replace

from cachelint.model.spec import Arg, ClientKind, Kind, Library, Meaning, Method, TtlSemantics

SEMANTICS = TtlSemantics(
    omitted=Meaning.FOREVER, none=Meaning.UNKNOWN, zero=Meaning.FOREVER, negative=Meaning.STALE_AT_ONCE
)
KEY = Arg(0, "key")
KEYS = Arg(0, "keys")
# python-memcached and pylibmc put `key_prefix` before every key of a `*_multi` call.
KEY_PREFIX = Arg(None, "key_prefix")


def _methods(expiry: str, value: str) -> dict[str, Method]:
    """The methods every memcached client shares, with its own names for the expiry and the
    value arguments."""

    def write(value_name: str, ttl_position: int, key: Arg | None = KEY) -> Method:
        return Method(Kind.WRITE, key=key, value=Arg(1 if key else 0, value_name), ttl=(Arg(ttl_position, expiry),))

    return {
        "get": Method(Kind.READ, key=KEY, single_value=True, default=Arg(1, "default")),
        "gets": Method(Kind.READ, key=KEY, single_value=True),
        "get_many": Method(Kind.READ, key=KEYS),
        "get_multi": Method(Kind.READ, key=KEYS, key_prefix=KEY_PREFIX),
        "set": write(value, 2),
        "add": replace(write(value, 2), if_absent=True),
        "replace": Method(Kind.WRITE, key=KEY, value=Arg(1, value), ttl=(Arg(2, expiry),), creates_key=False),
        "cas": write(value, 3),
        "set_many": write("values", 1, key=None),
        "set_multi": replace(write("mapping", 1, key=None), key_prefix=KEY_PREFIX),
        "add_multi": replace(write("mapping", 1, key=None), key_prefix=KEY_PREFIX, if_absent=True),  # pylibmc
        "touch": Method(Kind.EXPIRE, key=KEY, ttl=(Arg(1, expiry),)),
        "delete": Method(Kind.DELETE, key=KEY),
        "delete_many": Method(Kind.DELETE, key=KEYS),
        "delete_multi": Method(Kind.DELETE, key=KEYS, key_prefix=KEY_PREFIX),
        "incr": Method(Kind.WRITE, key=KEY, creates_key=False),
        "decr": Method(Kind.WRITE, key=KEY, creates_key=False),
        "append": Method(Kind.WRITE, key=KEY, value=Arg(1, value), creates_key=False),
        "prepend": Method(Kind.WRITE, key=KEY, value=Arg(1, value), creates_key=False),
        "gets_many": Method(Kind.READ, key=None),
        "flush_all": Method(Kind.DELETE, key=None),
    }


def _library(name: str, expiry: str, constructors: tuple[str, ...], value: str = "value") -> Library:
    return Library(
        name=name,
        methods=_methods(expiry, value),
        semantics=SEMANTICS,
        constructors={qualified: ClientKind() for qualified in constructors},
        store="memcached",
    )


PYMEMCACHE = _library(
    "pymemcache", "expire",
    tuple(
        f"{module}.{cls}"
        for module in ("pymemcache", "pymemcache.client", "pymemcache.client.base", "pymemcache.client.hash")
        for cls in ("Client", "PooledClient", "HashClient", "RetryingClient")
    ),
)
PYLIBMC = _library("pylibmc", "time", ("pylibmc.Client",), value="val")
PYTHON_MEMCACHED = _library("python-memcached", "time", ("memcache.Client",), value="val")
AIOMCACHE = _library("aiomcache", "exptime", ("aiomcache.Client",))
