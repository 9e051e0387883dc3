"""Writes whose key gets its TTL from another function of the module.

    def add_to_cache(client, username, entry):
        key = _key(username)
        pipe = client.pipeline()
        pipe.hset(key, "entry", entry)
        pipe.expire(key, ttl, nx=True)        # the hash's TTL, set once
        pipe.execute()

    def use(client, username):
        key = _key(username)
        client.hincrby(key, "count", 1)       # keeps the hash's TTL: its entry expires

A Redis write to a hash, a set, a list or a counter (`hset`, `sadd`, `rpush`, `incr`)
leaves the key's expiry as it is. When another function of the module gives that key its
TTL (an `expire` on a key of the same shape), the write is one more field of an expiring
entry, not an entry that never expires. (The same function is `expiry_follows`: an
`expire` after the write, cachelint.model.cache.operations.)
"""
from __future__ import annotations

from collections.abc import Sequence

from cachelint.model.cache.facts import CacheOp
from cachelint.model.cache.keys import KeyShape, KeyShapes, Source, named_keys
from cachelint.model.spec import Kind


def expired_elsewhere(write: CacheOp, ops: Sequence[CacheOp], keys: KeyShapes) -> bool:
    """Whether `write` keeps its key's TTL (a structure's or a counter's write) and every
    key it names is one another function of its module expires (of the module's `ops`,
    whose keys are `keys`): the same shape, once a key that is a parameter of its function
    is what the module's calls of it pass (privacyidea's `_use(client, key, ...)`, called
    with `_key(username, realm, resolver)`)."""
    if write.kind is not Kind.WRITE or not write.spec.keeps_ttl or not write.library.followup_expiry:
        return False
    mine = _skeletons(keys, write)
    if not mine:
        return False
    own, expiring = id(write.scope.function), _expiring(keys, ops)
    return all(any(function != own for function in expiring.get((id(write.library), skeleton), ()))
               for skeleton in mine)


def _expiring(keys: KeyShapes, ops: Sequence[CacheOp]) -> dict[tuple[int, tuple], set[int]]:
    """For each library (by id) and key skeleton an `expire` of `ops` names, the functions (by
    id; None's at module level) in which one does. Made once per module and kept on `keys`:
    asked for each write anew, the module's operations were read again for every write
    (a module of 4,000 counter writes took 22 s, 2,000 took 8 s)."""
    if keys.expired is not None and keys.expired[0] is ops:
        return keys.expired[1]
    found: dict[tuple[int, tuple], set[int]] = {}
    for other in ops:
        if other.kind is Kind.EXPIRE:
            for skeleton in _skeletons(keys, other) or ():
                found.setdefault((id(other.library), skeleton), set()).add(id(other.scope.function))
    keys.expired = (ops, found)
    return found


def _skeletons(keys: KeyShapes, op: CacheOp) -> set[tuple] | None:
    """The skeletons of every key `op` names, a leading parameter replaced by what the
    module's calls of its function pass; None when one has no text to tell it by (a key
    the module cannot read, a parameter no call of the module passes). A part built where
    the module cannot read it (`_segment(username)`) is one dynamic part, as any other."""
    found: set[tuple] = set()
    for key in named_keys(op):
        for shape in keys.of(key, op.scope):
            for whole in _as_passed(keys, shape):
                if whole is None or not any(part for part in whole.skeleton):
                    return None
                found.add(whole.skeleton)
    return found or None


def _as_passed(keys: KeyShapes, shape: KeyShape) -> list[KeyShape | None]:
    """`shape`, or when it starts with a parameter, the shapes each call of the module gives
    it ([None] when there is none)."""
    first = shape.first
    if first is None or first.source is not Source.PARAMETER:
        return [shape]
    calls = keys.passed(first)
    return [KeyShape(argument.parts + shape.parts[1:]) for call in calls for argument in call.shapes] or [None]
