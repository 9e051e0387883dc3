"""CL003 beyond its examples: messages, suggested namespaces and the separator option."""
from __future__ import annotations

from cachelint.config import Settings
from tests.conftest import lint


def _messages(source: str, settings: Settings | None = None) -> list[tuple[int, str]]:
    return [(d.location.row, d.message) for d in lint(source, select=("CL003",), settings=settings)]


def test_messages_name_the_leading_value_and_suggest_a_namespace():
    messages = _messages(
        """
        import redis

        r = redis.Redis()

        def fare_rules(pid):
            return r.get(f"{pid}:rules")

        def comments(article_id):
            return r.get(article_id)

        def legs_key(route_id):
            return "%s:legs" % route_id

        def legs(route_id):
            return r.get(legs_key(route_id))

        def load(obj):
            return r.get(f"{obj.pk}-x")
        """
    )
    assert messages == [
        (7, 'key `f"{pid}:rules"` starts with `pid`, not a namespace: entries of different kinds collide; '
            'use `f"fare:{pid}:rules"`'),
        (10, "key `article_id` is a bare value with no namespace: entries of different kinds with the same "
             'value collide; use `f"article:{article_id}"`'),
        (16, 'key `legs_key(route_id)` (built as `f"{route_id}:legs"`) starts with `route_id`, not a namespace: '
             'entries of different kinds collide; use `f"route:{route_id}:legs"`'),
        (19, 'key `f"{obj.pk}-x"` starts with `obj.pk`, not a namespace: entries of different kinds collide; '
             'use `f"<entity>:{obj.pk}-x"`'),
    ]


def test_the_separator_is_configurable():
    settings = Settings()
    settings.rule_options = {"key-without-namespace": {"namespace-separator": "/"}}
    messages = _messages(
        """
        from django.core.cache import cache

        def card(fare_id):
            return cache.get(f"{fare_id}/card")
        """,
        settings,
    )
    assert messages == [
        (5, 'key `f"{fare_id}/card"` starts with `fare_id`, not a namespace: entries of different kinds '
            'collide; use `f"fare/{fare_id}/card"`'),
    ]


def test_values_that_may_be_keys_or_namespaces_are_left_alone():
    assert _messages(
        """
        import redis

        r = redis.Redis()

        class Store:
            def __init__(self, prefix):
                self.prefix = prefix

            def get(self, name, item_id):
                r.get(name)
                r.get(f"{self.prefix}:{item_id}")
                r.get(self.prefix + str(item_id))

        def scan_all():
            for key in r.scan_iter():
                r.delete(key)
        """
    ) == []


def test_a_key_parameter_is_judged_at_the_calls_and_the_message_names_the_bare_one():
    messages = _messages(
        """
        from django.core.cache import cache

        def cached(key, load):
            value = cache.get(key)
            if value is None:
                value = load()
                cache.set(key, value, 60)
            return value

        def price(sku):
            return cached(f"price:{sku}", lambda: 1)

        def stock(sku):
            return cached(sku, lambda: 2)
        """
    )
    message = (
        "the parameter `key` of `cached()` is a cache key, and `stock()` at line 15 passes `sku`, a value with "
        "no namespace: entries of different kinds with the same value collide; make the key `f\"stock:{sku}\"`"
    )
    assert messages == [(5, message), (8, message)]


def test_keys_a_scan_finds_under_a_pattern_its_caller_passes_are_not_judged():
    """django-redis' `delete_pattern(pattern)` deletes what `scan_iter(match=make_pattern(pattern))`
    finds: the keys the server holds, whose namespace is the pattern's, chosen by the caller."""
    assert _messages(
        """
        from redis import Redis

        class DefaultClient:
            def delete_pattern(self, pattern, version=None, client: Redis | None = None):
                pattern = self.make_pattern(pattern, version=version)
                pipeline = client.pipeline()
                for key in client.scan_iter(match=pattern, count=100):
                    pipeline.delete(key)
                pipeline.execute()

            def make_pattern(self, pattern, version=None):
                if isinstance(pattern, CacheKey):
                    return pattern
                return CacheKey(self._backend.key_func(pattern, version))
        """
    ) == []


def test_the_id_of_a_lock_names_the_entry_itself():
    # A lock helper takes the lock's whole name from its callers; a record's id is still flagged.
    assert [row for row, _ in _messages(
        """
        from contextlib import contextmanager

        from django.core.cache import cache

        @contextmanager
        def exclusive(lock_id, owner, seconds):
            taken = cache.add(lock_id, owner, seconds)
            try:
                yield taken
            finally:
                if taken:
                    cache.delete(lock_id)

        def report(report_id):
            return cache.get(report_id)
        """
    )] == [16]
