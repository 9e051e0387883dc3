"""redis-py observed in every form a project gets it in: a client from a factory, a
pipeline, an asyncio client; the values, results and exceptions pass through untouched."""
from __future__ import annotations

import json

import pytest

SUITE = '''
import asyncio
import os

import pytest
import redis
import redis.asyncio


def make_client():
    return redis.Redis(host="127.0.0.1", port=int(os.environ["PORT"]))


def test_pipeline():
    with make_client().pipeline() as pipe:
        pipe.set("session:1", "x")
        pipe.get("session:1")
        assert pipe.execute() == [True, b"x"]


def test_asyncio():
    async def run():
        client = redis.asyncio.Redis(host="127.0.0.1", port=int(os.environ["PORT"]))
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


@pytest.fixture
def observe(pytester, redis_server, monkeypatch):
    redis_server.flushall()
    monkeypatch.setenv("PORT", str(redis_server.connection_pool.connection_kwargs["port"]))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(test_suite=SUITE)
    report = pytester.path / "report.json"

    def run():
        result = pytester.runpytest("-p", "cachelint.observe.plugin", "--cachelint", f"--cachelint-report={report}")
        return result, {(item["code"], item["test"].split("::")[1], item["key"]) for item in json.loads(report.read_text())}
    return run


def test_pipelines_and_asyncio_clients_are_observed(observe):
    result, seen = observe()
    result.assert_outcomes(passed=4)
    assert seen == {
        ("CL002", "test_pipeline", "session:1"),
        ("CL001", "test_asyncio", "feed:1"),
        ("CL007", "test_asyncio", "feed:*"),
        ("CL013", "test_untouched", "plain:2"),
    }


def test_the_clients_are_themselves_again_after_the_session(observe):
    import redis

    set_method = redis.Redis.set
    observe()
    assert redis.Redis.set is set_method
    assert not hasattr(redis.Redis.get, "__cachelint_original__")
