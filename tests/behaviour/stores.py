"""The two backends as the behaviour tests see them, and a plain client for bad examples."""
from __future__ import annotations

import json
from dataclasses import dataclass

from cachelint.runtime import Backend, Cache
from cachelint.runtime.keys import INDEX_SEGMENT
from cachelint.runtime.testing import FakeClock


@dataclass
class Store:
    """One backend under test. `raw` is the redis-py client behind the Redis backend
    (None in memory): some bugs are in how the raw client is called."""

    name: str
    backend: Backend
    clock: FakeClock | None = None
    raw: object = None

    def cache(self, **options) -> Cache:
        return Cache(self.backend, **options)

    def plain(self) -> PlainClient:
        return PlainClient(self.backend)

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass for expiry. Redis's clock cannot be moved, so every key's
        TTL is shortened by `seconds` instead (keys without one are left alone), which is
        all that passing time does to the keys these tests write."""
        if self.clock is not None:
            self.clock.advance(seconds)
            return
        keys = list(self.raw.scan_iter(count=1000))
        with self.raw.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.pttl(key)
            remaining = pipe.execute()
        with self.raw.pipeline(transaction=True) as pipe:
            for key, milliseconds in zip(keys, remaining, strict=True):
                left = milliseconds - round(seconds * 1000)
                if milliseconds >= 0 and left > 0:
                    pipe.pexpire(key, left)
                elif milliseconds >= 0:
                    pipe.delete(key)
            pipe.execute()

    def keys(self, prefix: str = "") -> list[str]:
        """Every key under `prefix`, the cache's index sets included."""
        return sorted(self.backend.scan(prefix))

    def entries(self, prefix: str = "") -> list[str]:
        """The keys under `prefix` that hold values, not index sets."""
        return [key for key in self.keys(prefix) if not key.endswith(INDEX_SEGMENT)]


class PlainClient:
    """A client shaped like Django's cache over a reference backend: `get` returns
    `None` on a miss, `set` takes the TTL. The rules' bad examples are written against
    this shape; the reference `Cache` is what they should use instead."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def get(self, key: str):
        data = self.backend.get(key)
        return None if data is None else json.loads(data)

    def set(self, key: str, value, timeout: float) -> None:
        self.backend.set(key, json.dumps(value).encode(), timeout)

    def delete(self, key: str) -> None:
        self.backend.delete(key)
