"""Cache-aside over a backend: namespaces with a TTL each, encoded keys, user scopes, a
miss sentinel, and invalidation of every namespace that caches an entity."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from cachelint.runtime.backend import Backend, seconds
from cachelint.runtime.keys import INDEX_SEGMENT, Id, Variant, check_name, encode_part, encode_variant

T = TypeVar("T")


class _Missing:
    """The result of a read that found nothing; a cached `None`, `0` or `""` is a hit.

    Compare with `is MISSING`. Testing it for truth raises, so that `if not
    cached:` fails on the first miss instead of silently recomputing falsy values."""

    def __bool__(self):
        raise TypeError("test `value is MISSING`, not its truth: a cached None, 0 or '' is a hit")

    def __repr__(self):
        return "MISSING"


MISSING: Any = _Missing()


class Cache:
    """The namespaces of one application on one backend.

    `prefix` (a constant such as the application's name) starts every key. Values go
    through `codec` (anything with `dumps` and `loads`, JSON by default; `pickle` works
    but trusts whoever can write to the store)."""

    def __init__(self, backend: Backend, *, prefix: str | None = None, codec=json) -> None:
        self.backend = backend
        self.prefix = "" if prefix is None else check_name(prefix, "prefix") + ":"
        self.codec = codec
        self._namespaces: dict[str, Namespace] = {}

    def namespace(self, name: str, *, ttl: float | timedelta, entity: str | None = None,
                  per_user: bool = False, aggregate: bool = False) -> Namespace:
        """Declare a namespace. `ttl` is required. `entity` names the table or model its
        entries are computed from, so that `invalidate(entity, id)` reaches them.
        `per_user` entries are private: every call must pass `user=`. An `aggregate`
        namespace (lists, counts, search results) is not keyed by one row's id, so any
        invalidation of its entity drops all of it."""
        if name in self._namespaces:
            raise ValueError(f"namespace {name!r} is already declared")
        namespace = Namespace(self, check_name(name, "namespace"), seconds(ttl), entity, per_user, aggregate)
        self._namespaces[name] = namespace
        return namespace

    def invalidate(self, entity: str, id: Id) -> None:
        """Drop what every namespace of `entity` holds about row `id`: all its variants
        and user scopes, and all of each aggregate namespace. Call it after the write
        commits (see `cachelint.runtime.transaction`)."""
        namespaces = [ns for ns in self._namespaces.values() if ns.entity == entity]
        if not namespaces:
            raise LookupError(f"no namespace is declared for entity {entity!r}")
        for namespace in namespaces:
            namespace.invalidate(id)

    def encode(self, value: object) -> bytes:
        data = self.codec.dumps(value)
        return data.encode() if isinstance(data, str) else data

    def decode(self, data: bytes) -> Any:
        return self.codec.loads(data)


class Namespace:
    """One kind of cached value, `name:id[:v=variant][:u=user]`, with one TTL."""

    def __init__(self, cache: Cache, name: str, ttl: float, entity: str | None, per_user: bool, aggregate: bool) -> None:
        self.cache = cache
        self.name = name
        self.ttl = ttl
        self.entity = entity
        self.per_user = per_user
        self.aggregate = aggregate
        self._base = cache.prefix + name + ":"

    def key(self, id: Id, *, variant: Variant | None = None, user: Id | None = None) -> str:
        if self.per_user and user is None:
            raise TypeError(f"namespace {self.name!r} holds private data: pass user=")
        if not self.per_user and user is not None:
            raise TypeError(f"namespace {self.name!r} is shared by all users; declare it per_user=True")
        key = self._base + encode_part(id)
        if variant is not None:
            key += ":v=" + encode_variant(variant)
        if user is not None:
            key += ":u=" + encode_part(user, "user")
        return key

    def get(self, id: Id, *, variant: Variant | None = None, user: Id | None = None) -> Any:
        """The cached value, or `MISSING`."""
        data = self.cache.backend.get(self.key(id, variant=variant, user=user))
        return MISSING if data is None else self.cache.decode(data)

    def set(self, id: Id, value: object, *, variant: Variant | None = None, user: Id | None = None) -> None:
        """Store `value` for this namespace's TTL."""
        self._write(self.key(id, variant=variant, user=user), id, value)

    def add(self, id: Id, value: object, *, variant: Variant | None = None, user: Id | None = None) -> bool:
        """Store `value` for this namespace's TTL only if the entry is absent, atomically:
        whether this call stored it. The "do it once" primitive (a lock, a replay or
        "sent already" marker): of concurrent callers exactly one gets True (CL014)."""
        key = self.key(id, variant=variant, user=user)
        return self.cache.backend.add(key, self.cache.encode(value), self.ttl, self._index(id))

    def get_or_load(self, id: Id, load: Callable[[], T], *, variant: Variant | None = None, user: Id | None = None) -> T:
        """Cache-aside: the cached value, or `load()`'s, stored for this namespace's TTL.
        A miss returns the value as a hit will (decoded), so callers see one type."""
        key = self.key(id, variant=variant, user=user)
        data = self.cache.backend.get(key)
        if data is None:
            data = self._write(key, id, load())
        return self.cache.decode(data)

    def delete(self, id: Id, *, variant: Variant | None = None, user: Id | None = None) -> None:
        """Drop one entry; `invalidate` drops all of an id's."""
        self.cache.backend.delete(self.key(id, variant=variant, user=user))

    def invalidate(self, id: Id) -> None:
        """Drop every entry of `id` (all its variants and users) in this namespace; in
        an aggregate namespace, every entry."""
        self.cache.backend.delete_indexed(self._index(id))

    def _write(self, key: str, id: Id, value: object) -> bytes:
        data = self.cache.encode(value)
        self.cache.backend.set(key, data, self.ttl, self._index(id))
        return data

    def _index(self, id: Id) -> str:
        if self.aggregate:
            return self._base + INDEX_SEGMENT
        return self._base + encode_part(id) + ":" + INDEX_SEGMENT
