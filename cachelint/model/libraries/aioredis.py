"""aioredis 1.x (1.3.1, aioredis/commands/*.py): the asyncio Redis client before redis-py
took it in as `redis.asyncio`.

Clients come from `await aioredis.create_redis(address)` or `create_redis_pool(address)`
(`create_sentinel(...)` hands them out with `master_for(name)`); `pipeline()` and
`multi_exec()` buffer commands. The commands are redis-py's, mostly with the same
arguments, but keyed `key` and not `name`, and:
- `set(key, value, *, expire=0, pexpire=0, exist=None)` sends EX/PX only when they are
  truthy (string.py:177), so an omitted, None or 0 `expire` writes a key that never
  expires; a negative one is sent and the server rejects it;
- `setex(key, seconds, value)`, `expire(key, timeout)`: as in Redis (SETEX 0 is rejected,
  a non-positive EXPIRE deletes the key);
- `mset(key, value, *pairs)`, `hmset(key, field, value, *pairs)`, `zadd(key, score,
  member, …)` take pairs, not a mapping; `iscan(match=…)` iterates a SCAN.
aioredis 2.x has redis-py's API (`aioredis.from_url`) and is not this table.
"""
from dataclasses import replace

from cachelint.model.libraries.redis import EXPIRE_SEMANTICS
from cachelint.model.libraries.redis import METHODS as REDIS_METHODS
from cachelint.model.libraries.redis import SEMANTICS as REDIS_SEMANTICS
from cachelint.model.spec import Arg, ClientKind, Kind, Library, Meaning, Method, ScanInstead

KEY = Arg(0, "key")
# Redis's, except that a zero or None `expire` is not sent at all.
SEMANTICS = REDIS_SEMANTICS.but(zero=Meaning.FOREVER)

# redis-py's methods that aioredis 1.3.1 does not have (commands added to Redis since).
_ABSENT = frozenset({
    "expiretime", "getdel", "getex", "hrandfield", "hscan_iter", "hsetex", "scan_iter", "smismember",
    "sscan_iter", "zmscore", "zscan_iter",
})


def _keyed(method: Method) -> Method:
    """redis-py's method with aioredis' name for its key."""
    return replace(method, key=KEY) if method.key == Arg(0, "name") else method


METHODS = {
    **{name: _keyed(method) for name, method in REDIS_METHODS.items() if name not in _ABSENT},
    "set": Method(
        Kind.WRITE, key=KEY, value=Arg(1, "value"), ttl=(Arg(None, "expire"), Arg(None, "pexpire")), keeps_ttl=False,
    ),
    "setex": Method(Kind.WRITE, key=KEY, value=Arg(2, "value"), ttl=(Arg(1, "seconds"),), semantics=REDIS_SEMANTICS),
    "psetex": Method(Kind.WRITE, key=KEY, value=Arg(2, "value"), ttl=(Arg(1, "milliseconds"),), semantics=REDIS_SEMANTICS),
    "mset": Method(Kind.WRITE, key=KEY, value=Arg(1, "value"), keeps_ttl=False),
    "msetnx": Method(Kind.WRITE, key=KEY, value=Arg(1, "value"), if_absent=True),
    "hmset": Method(Kind.WRITE, key=KEY),
    "hmset_dict": Method(Kind.WRITE, key=KEY),
    "zadd": Method(Kind.WRITE, key=KEY),
    "expire": Method(Kind.EXPIRE, key=KEY, ttl=(Arg(1, "timeout"),), semantics=EXPIRE_SEMANTICS),
    "pexpire": Method(Kind.EXPIRE, key=KEY, ttl=(Arg(1, "timeout"),), semantics=EXPIRE_SEMANTICS),
    "keys": Method(Kind.KEYS, key=None, pattern=Arg(0, "pattern"), scan_instead=ScanInstead("iscan", Arg(0, "pattern"), "match")),
    "scan": Method(Kind.SCAN, key=None, pattern=Arg(1, "match")),  # returns (cursor, keys)
    "iscan": Method(Kind.SCAN, key=None, pattern=Arg(None, "match")),
}

CLIENT = ClientKind()

AIOREDIS = Library(
    name="aioredis",
    methods=METHODS,
    semantics=SEMANTICS,
    constructors={
        "aioredis.create_redis": CLIENT,
        "aioredis.create_redis_pool": CLIENT,
        "aioredis.commands.create_redis": CLIENT,
        "aioredis.commands.create_redis_pool": CLIENT,
        "aioredis.create_sentinel": ClientKind(role="factory"),
        "aioredis.sentinel.create_sentinel": ClientKind(role="factory"),
    },
    factories={"pipeline": ClientKind(role="pipeline"), "multi_exec": ClientKind(role="pipeline"), "master_for": CLIENT},
    followup_expiry=True,
    store="redis",
)
