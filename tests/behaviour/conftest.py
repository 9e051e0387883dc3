"""Fixtures: a real redis-server for the session, each test's store on both backends,
and a SQLite shop database."""
from __future__ import annotations

import os
from contextlib import ExitStack

import pytest

from cachelint.runtime import MemoryBackend, RedisBackend, testing
from tests.behaviour.shop import Shop
from tests.behaviour.stores import Store


def _no_redis(reason: str):
    """Skip, or fail where Redis is required (`.ci/run` sets CACHELINT_REQUIRE_REDIS)."""
    if os.environ.get("CACHELINT_REQUIRE_REDIS"):
        pytest.fail(f"CACHELINT_REQUIRE_REDIS is set, but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_server():
    """A redis-py client on a real redis-server started for this test session."""
    try:
        import redis
    except ImportError:
        _no_redis("redis-py is not installed: python3 -m pip install -e '.[test]'")
    with ExitStack() as stack:
        try:
            port = stack.enter_context(testing.redis_server())
        except FileNotFoundError:
            _no_redis("redis-server is not installed: apt-get install -y redis-server (.ci/run does it)")
        except (OSError, RuntimeError) as error:
            _no_redis(f"redis-server could not be started: {error}")
        client = stack.enter_context(redis.Redis(host="127.0.0.1", port=port))
        client.ping()
        yield client


@pytest.fixture
def memory_store() -> Store:
    clock = testing.FakeClock()
    return Store("memory", MemoryBackend(clock=clock), clock=clock)


@pytest.fixture
def redis_store(redis_server) -> Store:
    redis_server.flushdb()
    redis_server.config_resetstat()
    return Store("redis", RedisBackend(redis_server), raw=redis_server)


@pytest.fixture(params=["memory", "redis"])
def store(request) -> Store:
    """Each test that takes `store` runs once per backend."""
    return request.getfixturevalue(f"{request.param}_store")


@pytest.fixture
def shop(tmp_path) -> Shop:
    shop = Shop(tmp_path / "shop.db")
    yield shop
    shop.close()
    if shop.hook_errors:
        raise shop.hook_errors[0]
