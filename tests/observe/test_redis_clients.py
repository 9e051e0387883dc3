"""redis-py and valkey-py (redis-py renamed) observed in every form a project gets them
in: a client from a factory, a pipeline, an asyncio client; the values, results and
exceptions pass through untouched."""
from __future__ import annotations

import pytest

from tests.observe.conftest import observe_suite

# `redis` below is the client module, redis-py's or valkey-py's.
SUITE = '''
import asyncio
import os

import pytest
import {module} as redis
import {module}.asyncio


def make_client():
    return redis.{client}(host="127.0.0.1", port=int(os.environ["PORT"]))


def test_pipeline():
    with make_client().pipeline() as pipe:
        pipe.set("session:1", "x")
        pipe.get("session:1")
        assert pipe.execute() == [True, b"x"]


def test_asyncio():
    async def run():
        client = redis.asyncio.{client}(host="127.0.0.1", port=int(os.environ["PORT"]))
        await client.set("feed:1", "", ex=60)
        cached = await client.get("feed:1")
        if not cached:
            await client.set("feed:1", "", ex=60)
        assert await client.keys("feed:*") == [b"feed:1"]
        await client.aclose()
        return cached
    assert asyncio.run(run()) == b""


def test_untouched():
    client = make_client()
    client.set("plain:1", "value", ex=60)
    client.expire("plain:1", 30)
    assert client.get("plain:1") == b"value"
    assert client.get("plain:absent") is None
    with pytest.raises(redis.ResponseError):
        client.set("plain:2", "value", ex=-5)


def test_set_then_expire_is_not_without_ttl():
    client = make_client()
    client.set("later:1", "value")
    client.expire("later:1", 60)
'''


@pytest.mark.parametrize(("module", "client"), [("redis", "Redis"), ("valkey", "Valkey")])
def test_pipelines_and_asyncio_clients_are_observed(pytester, suite_environment, module, client):
    pytest.importorskip(module)
    result, seen = observe_suite(pytester, SUITE.format(module=module, client=client))
    result.assert_outcomes(passed=4)
    assert seen == {
        ("CL002", "test_pipeline", "session:1"),
        ("CL001", "test_asyncio", "feed:1"),
        ("CL007", "test_asyncio", "feed:*"),
        ("CL013", "test_untouched", "plain:2"),
    }


def test_the_clients_are_themselves_again_after_the_session(pytester, suite_environment):
    import redis

    set_method = redis.Redis.set
    observe_suite(pytester, SUITE.format(module="redis", client="Redis"))
    assert redis.Redis.set is set_method
    assert not hasattr(redis.Redis.get, "__cachelint_original__")
