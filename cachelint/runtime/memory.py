"""An in-process backend with the same expiry semantics as the Redis one."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

from cachelint.runtime.backend import seconds


class MemoryBackend:
    """A dict of `(bytes, expires_at)` guarded by a lock.

    `clock` returns seconds and is `time.monotonic` by default; tests pass a fake clock
    and move it forward instead of sleeping. Expired entries are dropped when read, and
    all of them (and the index records of dropped entries) are purged once as many
    writes have happened since the last purge as there were live entries then, so
    memory stays proportional to the live entries at an amortised O(1) per write.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[str, tuple[bytes, float]] = {}
        self._indexes: dict[str, tuple[set[str], float]] = {}
        self._lock = threading.Lock()
        self._writes_until_purge = 0

    def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._live(self._entries, key)
            return None if entry is None else entry[0]

    def set(self, key: str, value: bytes, ttl: float, index: str | None = None) -> None:
        with self._lock:
            self._store(key, value, ttl, index)

    def _store(self, key: str, value: bytes, ttl: float, index: str | None) -> None:
        """Write an entry (and its index record); the caller holds the lock."""
        if not isinstance(value, bytes):
            raise TypeError(f"values are bytes, not {type(value).__name__}")
        expires_at = self._clock() + seconds(ttl)
        self._entries[key] = (value, expires_at)
        if index is not None:
            no_members: set[str] = set()
            members, _ = self._live(self._indexes, index) or (no_members, expires_at)
            members.add(key)
            self._indexes[index] = (members, expires_at)
        self._count_write()

    def add(self, key: str, value: bytes, ttl: float, index: str | None = None) -> bool:
        with self._lock:
            if self._live(self._entries, key) is not None:
                return False
            self._store(key, value, ttl, index)
            return True

    def delete(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._entries.pop(key, None)

    def delete_indexed(self, index: str) -> None:
        with self._lock:
            members, _ = self._indexes.pop(index, (set(), 0.0))
            for key in members:
                self._entries.pop(key, None)

    def ttl(self, key: str) -> float | None:
        with self._lock:
            entry = self._live(self._entries, key) or self._live(self._indexes, key)
            return None if entry is None else entry[1] - self._clock()

    def scan(self, prefix: str) -> Iterator[str]:
        """Entries and index sets, like Redis's SCAN (but holding the lock throughout)."""
        with self._lock:
            now = self._clock()
            found = [key for table in (self._entries, self._indexes)
                     for key, (_, expires_at) in table.items() if key.startswith(prefix) and expires_at > now]
        return iter(found)

    def __len__(self) -> int:
        """How many entries are held, expired ones not yet purged included."""
        return len(self._entries)

    def _live(self, table: dict, key: str):
        entry = table.get(key)
        if entry is not None and entry[1] <= self._clock():
            del table[key]
            return None
        return entry

    def _count_write(self) -> None:
        self._writes_until_purge -= 1
        if self._writes_until_purge > 0:
            return
        now = self._clock()
        for table in (self._entries, self._indexes):
            for key in [key for key, (_, expires_at) in table.items() if expires_at <= now]:
                del table[key]
        for members, _ in self._indexes.values():
            members.intersection_update(self._entries)
        self._writes_until_purge = max(len(self._entries), 16)

