"""CL011 beyond its examples: messages, and values that leave the function or live on an object."""
from __future__ import annotations

from tests.conftest import lint


def _messages(source: str) -> list[tuple[int, str]]:
    return [(d.location.row, d.message) for d in lint(source, select=("CL011",))]


def test_message_names_the_value_through_variables_and_builders():
    messages = _messages(
        """
        import time
        from uuid import uuid4

        import redis

        r = redis.Redis()

        def draft_key(doc_id):
            return f"draft:{doc_id}:{uuid4().hex}"

        def draft(doc_id):
            return r.get(draft_key(doc_id))

        def strip(doc_id):
            started = time.time()
            key = f"strip:{doc_id}:{started}"
            return r.get(key)
        """
    )
    tail = ("which is new on every call: the entry is never read again and every request misses; leave it "
            "out of the key (a time bucket if entries must change over time) and let the TTL expire them")
    assert messages == [
        (13, f'key `draft_key(doc_id)` (built as `f"draft:{{doc_id}}:{{uuid4().hex}}"`) contains `uuid4()`, {tail}'),
        (18, f'key `f"strip:{{doc_id}}:{{started}}"` contains `time.time()`, {tail}'),
    ]


def test_a_value_that_leaves_the_function_or_lives_on_an_object_repeats():
    assert _messages(
        """
        import time
        import uuid

        import redis

        r = redis.Redis()

        class Session:
            def __init__(self):
                self.started = time.time()

            def load(self):
                return r.get(f"session:{self.started}")

        def begin(payload):
            ticket = uuid.uuid4().hex
            r.set(f"ticket:{ticket}", payload, ex=60)
            return {"ticket": ticket}

        def remember(store, payload):
            nonce = uuid.uuid4().hex
            store.nonce = nonce
            r.set(f"nonce:{nonce}", payload, ex=60)
        """
    ) == []


def test_every_call_that_uses_the_key_is_reported():
    rows = [
        row for row, _ in _messages(
            """
            import random

            from django.core.cache import cache

            def pick():
                key = f"pick:{random.random()}"
                value = cache.get(key)
                if value is None:
                    value = 1
                    cache.set(key, value, 60)
                cache.delete(key)
                return value
            """
        )
    ]
    assert rows == [8, 11, 12]
