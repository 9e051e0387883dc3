"""The sample applications' suites run under pytest's own `pytester`, in a subprocess (a
process configures Django once), with this worktree's cachelint and the plugin given by
`-p` (entry points are not loaded, so an installed cachelint cannot stand in for it)."""
from __future__ import annotations

import json
import shutil
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
