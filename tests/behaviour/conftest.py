"""Fixtures: a real redis-server for the session, each test's store on both backends,
and a SQLite shop database."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest

from cachelint.runtime import MemoryBackend, RedisBackend
from tests.behaviour.shop import Shop
from tests.behaviour.stores import FakeClock, Store

START_TIMEOUT = 10.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_redis(binary: str, directory) -> tuple[subprocess.Popen, int]:
    """Start redis-server on loopback and a free port, with no persistence; return the
    process and its port once it answers, or raise RuntimeError with its log."""
    log_path = directory / "redis.log"
    for _ in range(3):  # another process may take the free port before redis-server does
        port = _free_port()
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                 "--dir", str(directory), "--daemonize", "no"],
                stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while process.poll() is None and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return process, port
            except OSError:
                time.sleep(0.02)
        process.kill()
        process.wait()
    raise RuntimeError(f"redis-server did not start: {log_path.read_text()[-2000:]}")


def _no_redis(reason: str):
    """Skip, or fail where Redis is required (`.ci/run` sets CACHELINT_REQUIRE_REDIS)."""
    if os.environ.get("CACHELINT_REQUIRE_REDIS"):
        pytest.fail(f"CACHELINT_REQUIRE_REDIS is set, but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A redis-py client on a real redis-server started for this test session."""
    try:
        import redis
    except ImportError:
        _no_redis("redis-py is not installed: python3 -m pip install -e '.[test]'")
    binary = shutil.which("redis-server")
    if binary is None:
        _no_redis("redis-server is not installed: apt-get install -y redis-server (.ci/run does it)")
    try:
        process, port = _start_redis(binary, tmp_path_factory.mktemp("redis"))
    except (OSError, RuntimeError) as error:
        _no_redis(f"redis-server could not be started: {error}")
    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        client.ping()
        yield client
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def memory_store() -> Store:
    clock = FakeClock()
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
