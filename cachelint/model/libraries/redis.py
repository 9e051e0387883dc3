"""redis-py and valkey-py (sync, asyncio, cluster, pipelines). See CLIENTS.md §A.1."""
from dataclasses import replace

from cachelint.model.spec import Arg, ClientKind, Kind, Library, Meaning, Method, ScanInstead, TtlSemantics

KEY = Arg(0, "name")
CLIENT = ClientKind()
PIPELINE = ClientKind(role="pipeline")
SENTINEL = ClientKind(role="factory")

# A successful SET without EX/PX/EXAT/PXAT leaves the key without a TTL; EX 0 is rejected.
SEMANTICS = TtlSemantics(
    omitted=Meaning.FOREVER, none=Meaning.FOREVER, zero=Meaning.ERROR, negative=Meaning.ERROR
)
SETEX_SEMANTICS = SEMANTICS.but(unknown=Meaning.EXPIRES)
# A non-positive EXPIRE deletes the key.
EXPIRE_SEMANTICS = SEMANTICS.but(zero=Meaning.NOT_CACHED, negative=Meaning.NOT_CACHED)


def _read(single: bool = True) -> Method:
    return Method(Kind.READ, key=KEY, single_value=single)


def _write(value: Arg | None = Arg(1, "value"), key: Arg | None = KEY) -> Method:
    """A write that can create its key and has no TTL parameter."""
    return Method(Kind.WRITE, key=key, value=value)


_EXPIRE_TIME = (Arg(1, "time"),)

METHODS = {
    "get": _read(),
    "getdel": _read(),
    "getex": Method(
        Kind.READ, key=KEY, single_value=True,
        ttl=(Arg(1, "ex"), Arg(2, "px"), Arg(3, "exat"), Arg(4, "pxat")),
        semantics=SEMANTICS.but(omitted=Meaning.DEFAULT),
    ),
    "hget": _read(),
    "mget": replace(_read(single=False), key=Arg(0, "keys"), variadic_keys=True),
    "hgetall": _read(single=False),
    "hmget": _read(single=False),
    "hkeys": _read(single=False),
    "hvals": _read(single=False),
    "smembers": _read(single=False),
    "lrange": _read(single=False),
    "zrange": _read(single=False),
    "zrevrange": _read(single=False),
    "zrangebyscore": _read(single=False),
    "zrevrangebyscore": _read(single=False),
    "exists": replace(_read(single=False), variadic_keys=True),
    # What a miss returns here is indistinguishable from an empty or absent value (0, False,
    # b"none", -2), so like collection reads their results are not single cached values.
    **{method: _read(single=False) for method in (
        "ttl", "pttl", "llen", "scard", "sismember", "smismember", "hexists", "hlen", "hstrlen",
        "zcard", "zcount", "zmscore", "type", "strlen", "getbit", "xlen", "xrange", "xrevrange",
        "zrangebylex", "zrevrangebylex", "sscan_iter", "hscan_iter", "zscan_iter", "geopos",
    )},
    **{method: Method(Kind.READ, key=Arg(0, "key")) for method in ("getrange", "bitcount", "hrandfield", "expiretime")},
    **{method: replace(_read(single=False), key=Arg(0, "keys"), variadic_keys=True)
       for method in ("sinter", "sunion", "sdiff")},
    # A member's score or rank: None when it is absent, and 0 is a legitimate answer.
    "zscore": _read(),
    "zrank": _read(),
    "zrevrank": _read(),
    "lindex": _read(),
    "set": Method(
        Kind.WRITE, key=KEY, value=Arg(1, "value"),
        ttl=(Arg(2, "ex"), Arg(3, "px"), Arg(8, "exat"), Arg(9, "pxat")), keeps_ttl=False,
        if_absent_flag=Arg(4, "nx"),
    ),
    # SETEX always sets an expiry: a time that is not positive fails the command.
    "setex": Method(Kind.WRITE, key=KEY, value=Arg(2, "value"), ttl=(Arg(1, "time"),), semantics=SETEX_SEMANTICS),
    "psetex": Method(Kind.WRITE, key=KEY, value=Arg(2, "value"), ttl=(Arg(1, "time_ms"),), semantics=SETEX_SEMANTICS),
    "setnx": replace(_write(), if_absent=True),
    "getset": Method(Kind.WRITE, key=KEY, value=Arg(1, "value"), keeps_ttl=False),
    "mset": replace(_write(value=Arg(0, "mapping"), key=None), keeps_ttl=False),
    "msetnx": replace(_write(value=Arg(0, "mapping"), key=None), if_absent=True),
    "hset": _write(value=None),
    "hsetnx": replace(_write(value=None), if_absent=True),
    "hmset": _write(value=Arg(1, "mapping")),
    "hincrby": _write(value=None),
    "hincrbyfloat": _write(value=None),
    "lpush": _write(value=None),
    "rpush": _write(value=None),
    "sadd": _write(value=None),
    "zadd": _write(value=Arg(1, "mapping")),
    "zincrby": _write(value=None),
    "incr": _write(value=None),
    "incrby": _write(value=None),
    "incrbyfloat": _write(value=None),
    "decr": _write(value=None),
    "decrby": _write(value=None),
    "append": _write(),
    "setrange": _write(value=None),
    "setbit": _write(value=None),
    "pfadd": _write(value=None),
    "geoadd": _write(value=None),
    "hsetex": Method(
        Kind.WRITE, key=KEY, ttl=(Arg(5, "ex"), Arg(6, "px"), Arg(7, "exat"), Arg(8, "pxat")),
    ),
    # Only change a key that exists: a missing list stays missing.
    **{method: replace(_write(value=None), creates_key=False) for method in ("lpushx", "rpushx", "lset", "linsert")},
    "expire": Method(Kind.EXPIRE, key=KEY, ttl=_EXPIRE_TIME, semantics=EXPIRE_SEMANTICS),
    "pexpire": Method(Kind.EXPIRE, key=KEY, ttl=_EXPIRE_TIME, semantics=EXPIRE_SEMANTICS),
    "expireat": Method(Kind.EXPIRE, key=KEY, ttl=(Arg(1, "when"),), semantics=SEMANTICS.but(zero=Meaning.UNKNOWN)),
    "pexpireat": Method(Kind.EXPIRE, key=KEY, ttl=(Arg(1, "when"),), semantics=SEMANTICS.but(zero=Meaning.UNKNOWN)),
    "delete": Method(Kind.DELETE, key=KEY, variadic_keys=True),
    "unlink": Method(Kind.DELETE, key=KEY, variadic_keys=True),
    "hdel": Method(Kind.DELETE, key=KEY),
    # Take members out of a cached hash, set, sorted set or list.
    **{method: Method(Kind.DELETE, key=KEY) for method in (
        "srem", "zrem", "lrem", "ltrim", "zremrangebyscore", "zremrangebyrank", "zremrangebylex",
    )},
    "persist": Method(Kind.OTHER, key=KEY),  # drops the key's TTL
    "keys": Method(
        Kind.KEYS, key=None, pattern=Arg(0, "pattern"), scan_instead=ScanInstead("scan_iter", Arg(0, "pattern"), "match"),
    ),
    "scan": Method(Kind.SCAN, key=None),  # returns (cursor, keys), not keys
    "scan_iter": Method(Kind.SCAN, key=None, pattern=Arg(0, "match")),
}


def _names(package: str, prefix: str) -> dict[str, ClientKind]:
    """Every spelling by which `package` hands out a client, e.g. redis.asyncio.from_url."""
    classes = [f"{prefix}", f"Strict{prefix}", f"{prefix}Cluster"]
    names: dict[str, ClientKind] = {}
    for module in (package, f"{package}.asyncio"):
        names[f"{module}.from_url"] = CLIENT
        for cls in classes:
            for where in (module, f"{module}.client", f"{module}.cluster"):
                names[f"{where}.{cls}"] = CLIENT
                names[f"{where}.{cls}.from_url"] = CLIENT
    names[f"{package}.utils.from_url"] = CLIENT
    names[f"{package}.sentinel.Sentinel"] = SENTINEL
    names[f"{package}.asyncio.sentinel.Sentinel"] = SENTINEL
    names[f"{package}.Sentinel"] = SENTINEL
    return names


def _library(name: str, package: str, prefix: str, extra: dict[str, ClientKind]) -> Library:
    constructors = _names(package, prefix)
    if package == "valkey":  # valkey also exports Redis, StrictRedis and RedisCluster
        constructors.update(_names(package, "Redis"))
    constructors.update(extra)
    return Library(
        name=name,
        methods=METHODS,
        semantics=SEMANTICS,
        constructors=constructors,
        factories={
            "pipeline": PIPELINE,
            "master_for": CLIENT,
            "slave_for": CLIENT,
        },
        followup_expiry=True,
        store="redis",
    )


REDIS = _library(
    "redis", "redis", "Redis",
    {
        "django_redis.get_redis_connection": CLIENT,
        # django-rq hands out the Redis connection of a queue of `RQ_QUEUES` (a redis-py client).
        **{f"django_rq.{where}{name}": CLIENT for where in ("", "connection_utils.", "queues.")
           for name in ("get_connection", "get_redis_connection")},
        # fakeredis: an in-memory stand-in with redis-py's interface, what tests lint as Redis.
        **{f"fakeredis.{where}{name}": CLIENT for where in ("", "aioredis.")
           for name in ("FakeRedis", "FakeStrictRedis", "FakeAsyncRedis")},
    },
)
VALKEY = _library("valkey", "valkey", "Valkey", {})
