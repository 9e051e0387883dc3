"""What the cache needs from a store: bytes under string keys, each with a TTL, and
index sets that record which keys to drop together."""
from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta
from typing import Protocol


class Backend(Protocol):
    def get(self, key: str) -> bytes | None:
        """The stored bytes, or `None` when the key is absent or expired."""

    def set(self, key: str, value: bytes, ttl: float, index: str | None = None) -> None:
        """Store `value` for `ttl` seconds (required, > 0) and, atomically with it, add
        `key` to the set `index` and give the index the same TTL. The entries of one
        index share a TTL (their namespace's), so the index outlives every entry."""

    def add(self, key: str, value: bytes, ttl: float, index: str | None = None) -> bool:
        """As `set`, but only if `key` holds nothing, in one atomic step: whether it was
        stored. Of concurrent adds of one key, exactly one succeeds."""

    def delete(self, *keys: str) -> None:
        """Remove these keys."""

    def delete_indexed(self, index: str) -> None:
        """Remove every key recorded in `index`, and those records; a key added to the
        index meanwhile stays recorded."""

    def ttl(self, key: str) -> float | None:
        """Seconds left before `key` expires; `math.inf` if it never does, `None` if absent."""

    def scan(self, prefix: str) -> Iterator[str]:
        """The keys that start with `prefix`, without blocking the store (for
        inspection and tests; the cache itself never enumerates keys)."""


def seconds(ttl: float | timedelta) -> float:
    """A TTL as a positive, finite number of seconds (at least one millisecond).

    Zero, negative, `None` and infinite TTLs are refused: no store agrees on what they
    mean (Redis rejects 0, Django does not cache, Flask-Caching keeps forever)."""
    if isinstance(ttl, timedelta):
        ttl = ttl.total_seconds()
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)):
        raise TypeError(f"a TTL is a number of seconds or a timedelta, not {ttl!r}")
    if not math.isfinite(ttl) or ttl < 0.001:
        raise ValueError(f"a TTL must be at least 1 ms and finite, not {ttl!r}: every entry expires")
    return float(ttl)
