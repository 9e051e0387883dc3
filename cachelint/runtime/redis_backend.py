"""A backend on a redis-py client (the optional extra `cachelint[redis]`).

Nothing here imports redis: the caller builds the client (`redis.Redis(...)`, with the
default `decode_responses=False`), so the core package does not depend on redis-py.
The index sets and the entries they record are separate keys, so this backend wants a
single Redis server (or a replicated one), not a Redis Cluster. An index set keeps the
name of every entry written under it until it is invalidated or goes a whole TTL
without a write, so an id that is read by many users (`per_user`) and never
invalidated collects one short name per user and TTL period.
"""
from __future__ import annotations

import math
from collections.abc import Iterator

from cachelint.runtime.backend import seconds

_ADD_INDEXED = """
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
    redis.call('SADD', KEYS[2], KEYS[1])
    redis.call('PEXPIRE', KEYS[2], ARGV[2])
    return 1
end
return 0
"""


class RedisBackend:
    def __init__(self, client) -> None:
        self.client = client

    def get(self, key: str) -> bytes | None:
        value = self.client.get(key)
        return value.encode() if isinstance(value, str) else value

    def set(self, key: str, value: bytes, ttl: float, index: str | None = None) -> None:
        milliseconds = round(seconds(ttl) * 1000)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(key, value, px=milliseconds)
            if index is not None:
                pipe.sadd(index, key)
                pipe.pexpire(index, milliseconds)
            pipe.execute()

    def add(self, key: str, value: bytes, ttl: float, index: str | None = None) -> bool:
        milliseconds = round(seconds(ttl) * 1000)
        if index is None:
            return bool(self.client.set(key, value, px=milliseconds, nx=True))
        # SET NX and the index record in one step: a script runs atomically on the server.
        return bool(self.client.eval(_ADD_INDEXED, 2, key, index, value, milliseconds))

    def delete(self, *keys: str) -> None:
        if keys:
            self.client.delete(*keys)

    def delete_indexed(self, index: str) -> None:
        members = list(self.client.smembers(index))
        if not members:
            return
        with self.client.pipeline(transaction=True) as pipe:
            pipe.delete(*members)
            pipe.srem(index, *members)
            pipe.execute()

    def ttl(self, key: str) -> float | None:
        milliseconds = self.client.pttl(key)
        if milliseconds == -2:
            return None
        return math.inf if milliseconds == -1 else milliseconds / 1000

    def scan(self, prefix: str) -> Iterator[str]:
        for key in self.client.scan_iter(match=prefix + "*", count=1000):
            yield key.decode() if isinstance(key, bytes) else key
