"""Warm-hit latency of the reference cache, on the in-memory backend and on Redis.

Usage: python scripts/bench_runtime.py [--reads N] [--redis-url URL]

Each backend holds the seed's product rows (1,000 products, namespace `product`, TTL
60 s). After a warm-up, every product is read N times in shuffled order through
`products.get_or_load`, the call an application makes on each request, and each call is
timed on its own with `time.perf_counter_ns`; the loader is never called (every read is
a hit). The result is each backend's p50/p95/p99 in microseconds. Redis is a
redis-server started on loopback for the run (or `--redis-url`), reached through
redis-py on one connection, so a hit is one round trip and a JSON decode.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from contextlib import ExitStack

from cachelint.runtime import Cache, MemoryBackend, RedisBackend, testing

PRODUCTS = 1000


def product_row(pid: int) -> dict:
    return {"id": pid, "name": f"Product {pid}", "price": 100 + pid, "description": "Stainless steel, 1.7 l"}


def warm_hit_latencies(cache: Cache, reads: int) -> list[int]:
    products = cache.namespace("product", ttl=60, entity="product")

    def never_called():
        raise AssertionError("a warm read missed")

    for pid in range(PRODUCTS):
        products.set(pid, product_row(pid))
    order = [pid for pid in range(PRODUCTS) for _ in range(max(1, reads // PRODUCTS))]
    random.Random(0).shuffle(order)
    for pid in order[:1000]:  # warm-up
        products.get_or_load(pid, never_called)
    latencies = []
    clock = time.perf_counter_ns
    for pid in order:
        start = clock()
        products.get_or_load(pid, never_called)
        latencies.append(clock() - start)
    return latencies


def percentile(sorted_values: list[int], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))]


def report(name: str, latencies: list[int]) -> str:
    ordered = sorted(latencies)
    figures = [percentile(ordered, p) / 1000 for p in (0.50, 0.95, 0.99)]
    mean = statistics.fmean(latencies) / 1000
    return f"| {name} | {len(latencies):,} | " + " | ".join(f"{value:.1f}" for value in figures) + f" | {mean:.1f} |"


def redis_latencies(reads: int, url: str | None) -> tuple[list[int], str]:
    """The latencies and the server's version."""
    import redis

    with ExitStack() as stack:
        if url is None:
            url = f"redis://127.0.0.1:{stack.enter_context(testing.redis_server())}"
        client = stack.enter_context(redis.Redis.from_url(url))
        return warm_hit_latencies(Cache(RedisBackend(client), prefix="bench"), reads), client.info()["redis_version"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=100_000, help="warm reads per backend (default 100,000)")
    parser.add_argument("--redis-url", help="use this Redis instead of starting one on loopback")
    args = parser.parse_args()

    memory = warm_hit_latencies(Cache(MemoryBackend()), args.reads)
    redis_reads, redis_version = redis_latencies(args.reads, args.redis_url)
    print(f"Python {platform.python_version()}, redis-server {redis_version}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print("| backend | reads | p50 µs | p95 µs | p99 µs | mean µs |")
    print("|---|---|---|---|---|---|")
    print(report("in-memory", memory))
    print(report("Redis (loopback)", redis_reads))
    return 0


if __name__ == "__main__":
    sys.exit(main())
