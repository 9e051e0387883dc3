"""CL007 keys-pattern-scan, run: invalidating by pattern costs the whole keyspace.

Observed: `KEYS product:1:*` on a real Redis takes server time in proportion to every
key in the database, its own three or not: with 20,000 unrelated keys it costs
hundreds of times what it costs in an empty database, and Redis serves nobody else
meanwhile (it runs one command at a time). The reference cache records each id's keys
in an index set, so `invalidate` costs the same whatever else is stored, and it never
runs KEYS or SCAN.

Costs are Redis's own per-command CPU time (`INFO commandstats`), so client and
network noise do not count, and the smallest of three runs. The in-memory backend has
no KEYS; its equivalent, filtering every key by prefix, holds the backend's lock for the
whole pass in the same way, and is measured in wall time."""
from __future__ import annotations

import time
from functools import partial

import pytest

UNRELATED = 20_000
CURRENCIES = ("eur", "usd", "gbp")


def invalidate_bad_redis(r, pid):
    keys = r.keys(f"product:{pid}:*")
    if keys:
        r.delete(*keys)


def invalidate_bad_in_memory(backend, pid):
    for key in list(backend.scan(f"product:{pid}:")):
        backend.delete(key)


def fill_unrelated(store):
    if store.raw is not None:
        for start in range(0, UNRELATED, 5000):
            store.raw.mset({f"session:{n}": b"x" for n in range(start, start + 5000)})
    else:
        for n in range(UNRELATED):
            store.backend.set(f"session:{n}", b"x", 3600)


def cost(store, prepare, action) -> float:
    """The smallest of three runs of `action`, in microseconds of Redis CPU time or of
    wall time in memory; `prepare` runs, unmeasured, before each."""
    runs = []
    for _ in range(3):
        prepare()
        if store.raw is not None:
            store.raw.config_resetstat()
            action()
            stats = store.raw.info("commandstats")
            runs.append(sum(s["usec"] for name, s in stats.items() if not name.startswith(("cmdstat_info", "cmdstat_config"))))
        else:
            start = time.perf_counter()
            action()
            runs.append((time.perf_counter() - start) * 1e6)
    return min(runs)


def write_prices_raw(store, pid=1):
    for currency in CURRENCIES:
        if store.raw is not None:
            store.raw.set(f"product:{pid}:{currency}", b"2500", ex=300)
        else:
            store.backend.set(f"product:{pid}:{currency}", b"2500", 300)


@pytest.fixture
def prices(store):
    cache = store.cache()
    prices = cache.namespace("product", ttl=300, entity="product")

    def write():
        for currency in CURRENCIES:
            prices.set(1, 2500, variant=currency)

    return cache, write


def test_bad_costs_grow_with_the_keyspace(store):
    if store.raw is not None:
        invalidate = partial(invalidate_bad_redis, store.raw, 1)
    else:
        invalidate = partial(invalidate_bad_in_memory, store.backend, 1)
    alone = cost(store, partial(write_prices_raw, store), invalidate)
    fill_unrelated(store)
    crowded = cost(store, partial(write_prices_raw, store), invalidate)
    assert crowded > 20 * max(alone, 1), (alone, crowded)  # the bug
    if store.raw is not None:
        assert store.raw.info("commandstats")["cmdstat_keys"]["calls"] == 1
    assert store.keys("product:") == []


def test_fixed_cost_does_not_depend_on_the_keyspace(store, prices):
    cache, write = prices
    alone = cost(store, write, lambda: cache.invalidate("product", 1))
    fill_unrelated(store)
    crowded = cost(store, write, lambda: cache.invalidate("product", 1))
    assert crowded < 5 * alone + 100, (alone, crowded)
    if store.raw is not None:
        used = store.raw.info("commandstats")
        assert not {"cmdstat_keys", "cmdstat_scan"} & set(used), sorted(used)
    assert store.keys("product:") == [] and len(store.keys("session:")) == UNRELATED
