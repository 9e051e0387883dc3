"""CL013 beyond its examples: where it points and what it says about each client."""
from __future__ import annotations

from tests.conftest import lint


def _messages(source: str) -> list[tuple[int, str]]:
    return [(d.location.row, d.message) for d in lint(source, select=("CL013",))]


def test_redis_messages_name_the_argument_and_the_command():
    messages = _messages(
        """
        import redis

        r = redis.Redis()
        NO_TTL = 0

        def store(key, raw):
            r.set(key, raw, ex=0)
            r.setex(key, 0, raw)
            r.set(key, raw, ex=NO_TTL)
            r.expire(key, 0)
        """
    )
    assert messages == [
        (8, "`ex=0`: Redis rejects SET with a non-positive expire time (invalid expire time), "
            "so the command fails; give a positive TTL"),
        (9, "a `time` of `0`: Redis rejects SETEX with a non-positive expire time (invalid expire time), "
            "so the command fails; give a positive TTL"),
        (10, "`ex=NO_TTL` (`NO_TTL` is 0): Redis rejects SET with a non-positive expire time "
             "(invalid expire time), so the command fails; give a positive TTL"),
        (11, "a `time` of `0`: Redis removes the key at once instead of setting a TTL; call `delete()` "
             "if that is the intent, or give a positive TTL"),
    ]


def test_django_timeout_zero_is_do_not_cache():
    messages = _messages(
        """
        from django.core.cache import cache
        from django.views.decorators.cache import cache_page

        def store(key, value):
            cache.set(key, value, timeout=0)

        @cache_page(0)
        def home(request):
            return render_home(request)
        """
    )
    assert messages == [
        (6, "Django treats `timeout=0` as 'do not cache': the value is never stored; give a positive TTL"),
        (8, "Django treats a `timeout` of `0` as 'do not cache': nothing is ever cached; give a positive TTL"),
    ]


def test_aiocache_on_redis_and_diskcache():
    messages = _messages(
        """
        import diskcache
        from aiocache import Cache

        aio = Cache(Cache.REDIS)
        disk = diskcache.Cache("/tmp/c")

        async def store(key, value):
            await aio.set(key, value, ttl=0)
            disk.set(key, value, expire=0)
        """
    )
    assert messages == [
        (9, "`ttl=0`: Redis rejects the SETEX aiocache sends with a non-positive expire time "
            "(invalid expire time), so the command fails; give a positive TTL"),
        (10, "`expire=0`: diskcache stores the entry already expired, so every read misses; give a positive TTL"),
    ]


DECORATED = """
import diskcache

disk = diskcache.Cache("/tmp/c")

@disk.memoize(expire=0){comment}
def render(path):
    return draw(path)
"""


def test_a_decorator_finding_points_at_the_decorator_and_is_suppressed_there():
    (diagnostic,) = lint(DECORATED.format(comment=""), select=("CL013",))
    assert (diagnostic.location.row, diagnostic.location.column) == (6, 1)
    assert lint(DECORATED.format(comment="  # noqa: CL013"), select=("CL013",)) == []
