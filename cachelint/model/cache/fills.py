"""What a module's cache writes put in: where it fills a cache (writes a computed value),
dict caches whose entries are never falsy, and entries that carry their own age.

    def _rebuild(pk):
        report = build_report(pk)
        cache.set(f"report:{pk}", report, 600)    # a fill
        return report

    def report(pk):
        cached = cache.get(f"report:{pk}")
        if not cached:
            return _rebuild(pk)                   # fills_in(the read, this branch): True,
        return cached                             #   through the helper it calls

A write of a constant is a flag or a lock (`set("lock:x", "1")`), not a fill; a fill whose
key cannot be the read's (`reset-fail:{ip}` for `reset:{token}`) does not count.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

import libcst as cst

from cachelint.model.cache.facts import CacheOp
from cachelint.model.cache.keys import KeyShape
from cachelint.model.core.branches import Branches, Ranges
from cachelint.model.core.calls import CallResolver
from cachelint.model.core.clock import is_clock_reading, reads_clock, records_time
from cachelint.model.core.collect import Site
from cachelint.model.core.values import constant_truth, non_empty_display
from cachelint.model.libraries.memoizers import DICT_CACHE
from cachelint.model.spec import Kind


class CacheFills:
    """The cache fills of one module, in source order."""

    def __init__(self, ops: list[CacheOp], calls: list[Site], resolver: CallResolver, branches: Branches,
                 key_shapes: Callable[[CacheOp], tuple[KeyShape, ...]]) -> None:
        self.fills = [
            op for op in ops
            if op.kind is Kind.WRITE and op.value is not None and constant_truth(op.value) is None
        ]
        self._fill_orders = [op.order for op in self.fills]
        self.writes = [op for op in ops if op.kind is Kind.WRITE]
        self.stores = [op for op in self.writes if op.value is not None]
        # (which writes, whether built alike) -> the writes' positions by key skeleton and by function
        self._indexes: dict[tuple[int, bool], tuple[dict[tuple, list[int]], dict[int, list[int]]]] = {}
        self._counters: dict[frozenset[tuple], bool] = {}  # key skeletons -> whether the module only counts there
        self.calls = calls
        self._call_orders = [site.order for site in calls]
        self.resolver = resolver
        self.branches = branches
        self.key_shapes = key_shapes

    def fills_in(self, read: CacheOp, ranges: Ranges) -> bool:
        """A fill in `ranges` that may write the key `read` reads, there or in a function of
        this module called there (`return _rebuild(pk)`)."""
        return any(self._fills_between(read, start, end) for start, end in ranges) or self._helper_fills(read, ranges)

    def stores_of(self, read: CacheOp) -> list[CacheOp]:
        """The writes of the module that store under the key `read` reads: a key of the same
        shape (`f"tally:{pk}"` here and there), or, for a key the module cannot spell, a
        write of the same key expression in the same function."""
        return self._under(read, self.stores)

    def is_counter(self, op: CacheOp) -> bool:
        """The module only ever counts under the key `op` names (`incr(k)`), starting the
        count with a constant where there is none (`set(k, 0, nx=True)`, `add(k, 0)`): the
        entry is a counter, not a copy of data kept elsewhere."""
        skeletons = frozenset(self._skeletons(op, built_alike=True))
        if skeletons and skeletons in self._counters:  # the same answer for every key of these shapes
            return self._counters[skeletons]
        writes = self._under(op, self.writes, built_alike=True)
        counts = [write for write in writes if write.value is None]
        counter = bool(counts) and all(
            write.value is None or write.only_if_absent and constant_truth(write.value) is not None for write in writes)
        if skeletons:
            self._counters[skeletons] = counter
        return counter

    def _under(self, read: CacheOp, writes: list[CacheOp], built_alike: bool = False) -> list[CacheOp]:
        """The writes of `writes` (one of this object's lists) under the key `read` names.
        With `built_alike`, a key with parts the module cannot say (a digest of the
        arguments) counts as the same as a key built alike from the same constant text
        (`f"ratelimit:{name}:" + digest(...)` in each function, through one key builder)."""
        reads = self._skeletons(read, built_alike)
        by_skeleton, by_function = self._indexed(writes, built_alike)
        if reads:
            return [writes[i] for i in sorted({i for skeleton in reads for i in by_skeleton.get(skeleton, ())})]
        return [writes[i] for i in by_function.get(id(read.scope.function), ()) if _same_key(read, writes[i])]

    def _skeletons(self, op: CacheOp, built_alike: bool) -> set[tuple]:
        return {shape.skeleton for shape in self.key_shapes(op) if shape.known or built_alike and shape.prefix}

    def _indexed(self, writes: list[CacheOp], built_alike: bool) -> tuple[dict[tuple, list[int]], dict[int, list[int]]]:
        """The positions in `writes` of the writes of each key skeleton, and of each
        function's writes, made once: each read looking at every write was quadratic in a
        big module."""
        found = self._indexes.get((id(writes), built_alike))
        if found is None:
            by_skeleton: dict[tuple, list[int]] = {}
            by_function: dict[int, list[int]] = {}
            for index, write in enumerate(writes):
                for skeleton in self._skeletons(write, built_alike):
                    by_skeleton.setdefault(skeleton, []).append(index)
                by_function.setdefault(id(write.scope.function), []).append(index)
            found = self._indexes[(id(writes), built_alike)] = by_skeleton, by_function
        return found

    def _fills_between(self, read: CacheOp, start: int, end: int) -> bool:
        first, last = bisect_left(self._fill_orders, start), bisect_left(self._fill_orders, end)
        return any(not self._apart(read, fill) for fill in self.fills[first:last])

    def _helper_fills(self, read: CacheOp, ranges: Ranges) -> bool:
        sites = (self.calls[i] for start, end in ranges
                 for i in range(bisect_left(self._call_orders, start), bisect_left(self._call_orders, end)))
        for site in sites:
            function = self.resolver.function_called(site.node.func, site.scope, site.order)
            if function is not None and self._fills_between(read, *self.branches.range(function)):
                return True
        return False

    def _apart(self, read: CacheOp, write: CacheOp) -> bool:
        """The two keys cannot be the same: every shape of each starts with constant text that
        neither starts the other's (`reset:{token}` and `reset-fail:{ip}`)."""
        reads, writes = self.key_shapes(read), self.key_shapes(write)
        return bool(reads and writes) and all(_prefixes_apart(a, b) for a in reads for b in writes)


def _same_key(read: CacheOp, write: CacheOp) -> bool:
    return read.key is not None and write.key is not None and read.key.deep_equals(write.key)


def _prefixes_apart(a: KeyShape, b: KeyShape) -> bool:
    if a.constant and b.constant:
        return a.prefix != b.prefix
    p, q = a.prefix, b.prefix
    return bool(p and q) and not p.startswith(q) and not q.startswith(p)


def dict_caches_never_falsy(ops: list[CacheOp], code: Callable[[cst.CSTNode], str]) -> frozenset[str]:
    """The module-level dict caches (by receiver spelling) that every write of the module
    fills with a non-empty tuple, list, set or dict display (`_CACHE[k] = (stamp, value)`):
    no cached entry is falsy. Other caches may be written elsewhere, with anything."""
    filled: dict[str, bool] = {}
    for write in ops:
        if write.kind is Kind.WRITE and write.library is DICT_CACHE:
            receiver = receiver_spelling(write, code)
            filled[receiver] = filled.get(receiver, True) and non_empty_display(write.value)
    return frozenset(receiver for receiver, non_empty in filled.items() if non_empty)


def receiver_spelling(op: CacheOp, code: Callable[[cst.CSTNode], str]) -> str:
    """The source of the client an operation is applied to: `_CACHE` in `_CACHE.get(k)` or `_CACHE[k]`."""
    node = op.node
    if isinstance(node, cst.Subscript):
        return code(node.value)
    func = node.func
    return code(func.value if isinstance(func, cst.Attribute) else func)


def stamped(op: CacheOp, calls: list[Site], code: Callable[[cst.CSTNode], str]) -> bool:
    """The entry's age is kept by hand, for its reader to judge: the entry carries the time
    it was stored (`CACHE[k] = (time.monotonic(), value)`), the function that stores it also
    records that time (`EXPIRES_CACHE[k] = time.time() + 300`, or a `global LOADED_AT`), or
    the entry is such a time itself."""
    if op.value is not None and reads_clock(op.value, op.scope, op.order):
        return True
    if isinstance(op.value, (cst.Tuple, cst.List)) and any(
        reads_clock(element.value, op.scope, op.order) for element in op.value.elements
    ):
        return True
    key = code(op.key) if op.key is not None else None
    return any(records_time(site, key, code) for site in calls
               if site.scope.function is op.scope.function and site.node is not op.call and is_clock_reading(site))
