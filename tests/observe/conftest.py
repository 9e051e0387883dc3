"""The sample applications' suites run under pytest's own `pytester`, in a subprocess (a
process configures Django once), with this worktree's cachelint and the plugin given by
`-p` (entry points are not loaded, so an installed cachelint cannot stand in for it)."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.behaviour.conftest import redis_server  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path(__file__).parent / "samples"


class SampleRun:
    def __init__(self, pytester: pytest.Pytester, sample: str, port: int, monkeypatch) -> None:
        self.pytester = pytester
        source = SAMPLES / sample
        for path in source.rglob("*.py"):
            name = "conftest.py" if path.name == "conftest_sample.py" else path.name
            target = pytester.path / path.relative_to(source).parent / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
        monkeypatch.setenv("PYTHONPATH", f"{ROOT}")
        monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
        monkeypatch.setenv("SHOP_REDIS_PORT", str(port))
        monkeypatch.setenv("SHOP_DATABASE", str(pytester.path / "shop.db"))
        self.monkeypatch = monkeypatch

    def run(self, *options: str, fixed: bool = False) -> pytest.RunResult:
        self.monkeypatch.setenv("SHOP_FIXED", "1" if fixed else "0")
        return self.pytester.runpytest_subprocess("-p", "cachelint.observe.plugin", "-p", "no:cacheprovider",
                                                  *options, "shop_tests.py")

    def observe(self, fixed: bool = False) -> tuple[pytest.RunResult, list[dict]]:
        report = self.pytester.path / "cachelint.json"
        result = self.run("--cachelint", f"--cachelint-report={report}", fixed=fixed)
        return result, json.loads(report.read_text())


@pytest.fixture
def sample(pytester, redis_server, monkeypatch):  # noqa: F811
    def make(name: str) -> SampleRun:
        redis_server.flushall()
        port = redis_server.connection_pool.connection_kwargs["port"]
        return SampleRun(pytester, name, port, monkeypatch)
    return make


@pytest.fixture
def suite_environment(redis_server, monkeypatch):  # noqa: F811
    """The environment of a suite run by `observe_suite`: an empty redis-server at $PORT,
    no plugin but the one given, this checkout's cachelint in a subprocess too."""
    redis_server.flushall()
    monkeypatch.setenv("PORT", str(redis_server.connection_pool.connection_kwargs["port"]))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    return monkeypatch


def observe_suite(pytester: pytest.Pytester, suite: str, *options: str,
                  subprocess: bool = False) -> tuple[pytest.RunResult, set[tuple]]:
    """Run `suite` (a test module's text) under the plugin, in this process or in a new
    one (Django is configured once a process); the observations as (code, test, key)."""
    pytester.makepyfile(test_suite=suite)
    report = pytester.path / "report.json"
    run = pytester.runpytest_subprocess if subprocess else pytester.runpytest
    result = run("-p", "cachelint.observe.plugin", "--cachelint", f"--cachelint-report={report}", *options)
    seen = {(item["code"], item["test"].split("::", 1)[1], item["key"]) for item in json.loads(report.read_text())}
    return result, seen


@pytest.fixture(scope="session")
def memcached_port():
    """The port of a memcached started on loopback for this test session (skipped, with
    the reason, when memcached is not installed: .ci/run installs only redis-server)."""
    binary = shutil.which("memcached")
    if binary is None:
        pytest.skip("memcached is not installed (Debian: apt-get install -y memcached)")
    port = _free_port()
    user = ["-u", "root"] if os.geteuid() == 0 else []  # memcached refuses root unless told
    process = subprocess.Popen([binary, "-l", "127.0.0.1", "-p", str(port), "-U", "0", *user],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"memcached did not start: {process.stderr.read().decode()[-2000:]}")
                time.sleep(0.02)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_dsn():
    """The DSN of a PostgreSQL server started on loopback for this test session, in a
    cluster of its own (skipped, with the reason, when PostgreSQL is not installed).
    PostgreSQL will not run as root: under root it runs as the `postgres` user."""
    initdb, postgres = shutil.which("initdb"), shutil.which("postgres")
    if initdb is None or postgres is None:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install -y postgresql)")
    psycopg = pytest.importorskip("psycopg")
    # Not under pytest's own temporary folder: only its owner may enter it.
    directory = Path(tempfile.mkdtemp(prefix="cachelint-postgres-"))
    account: dict = {}
    if os.geteuid() == 0:
        import pwd

        try:
            entry = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run PostgreSQL as")
        account = {"user": entry.pw_uid, "group": entry.pw_gid}
        os.chown(directory, entry.pw_uid, entry.pw_gid)
    data = directory / "data"
    try:
        subprocess.run([initdb, "-D", str(data), "-A", "trust", "-U", "cachelint", "-E", "UTF8", "--no-sync"],
                       check=True, capture_output=True, cwd=directory, **account)
    except subprocess.CalledProcessError as error:
        shutil.rmtree(directory, ignore_errors=True)
        pytest.fail(f"initdb failed: {error.stderr.decode()[-2000:]}")
    port = _free_port()
    process = subprocess.Popen(
        [postgres, "-D", str(data), "-p", str(port), "-k", str(directory), "-c", "listen_addresses=127.0.0.1",
         "-c", "fsync=off"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=directory, **account)
    dsn = f"host=127.0.0.1 port={port} user=cachelint dbname=postgres"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(dsn).close()
                break
            except psycopg.OperationalError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"PostgreSQL did not start: {process.stderr.read().decode()[-2000:]}")
                time.sleep(0.1)
        yield dsn
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(directory, ignore_errors=True)
