"""cachelint.runtime: a small cache-aside library that does what cachelint's rules ask.

    import redis
    from cachelint.runtime import Cache, MemoryBackend, RedisBackend, transaction

    cache = Cache(RedisBackend(redis.Redis()), prefix="shop")   # or Cache(MemoryBackend())
    products = cache.namespace("product", ttl=60, entity="product")

    def product(pid):
        return products.get_or_load(pid, lambda: load_product(pid))

    def set_price(conn, pid, price):
        with transaction(conn) as tx:
            conn.execute("UPDATE products SET price = ? WHERE id = ?", (price, pid))
            tx.on_commit(lambda: cache.invalidate("product", pid))

- Keys are `prefix:namespace:id[:v=variant][:u=user]`; the id, variant and user are
  percent-encoded, so request input cannot reach another key (CL003, CL005, CL011).
- Every namespace has a TTL, required, positive and finite (CL002, CL013).
- A read returns `MISSING` on a miss, so a cached `None`, `0` or `""` is a hit (CL001).
- `per_user=True` namespaces refuse a read or write without `user=` (CL004).
- `cache.invalidate(entity, id)` drops every namespace declared for the entity through
  index sets, without scanning keys (CL007, CL010); `transaction()` and
  `django_on_commit()` run it after the commit (CL006, CL009).

The Redis backend needs redis-py: `pip install 'cachelint[redis]'`.
`cachelint.runtime.testing` has a fake clock and a throwaway redis-server for tests.
"""
from cachelint.runtime.backend import Backend
from cachelint.runtime.cache import MISSING, Cache, Namespace
from cachelint.runtime.commit import Transaction, django_on_commit, transaction
from cachelint.runtime.memory import MemoryBackend
from cachelint.runtime.redis_backend import RedisBackend

__all__ = [
    "MISSING",
    "Backend",
    "Cache",
    "MemoryBackend",
    "Namespace",
    "RedisBackend",
    "Transaction",
    "django_on_commit",
    "transaction",
]
