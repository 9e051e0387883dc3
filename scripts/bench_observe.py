"""The cost of `pytest --cachelint` on the sample applications' test suites.

Usage: python scripts/bench_observe.py [--runs N] [--per-call]

Each sample of tests/observe/samples (a Django shop, a Flask + SQLAlchemy shop) is copied
into a temporary directory and its suite run N times in a fresh interpreter without the
plugin's options and N times with `--cachelint --cachelint-report`, alternately, against a
redis-server started on loopback for the run. The result is each sample's median wall time
and CPU time (the child's user + system) with and without, and their ratio, the whole run
timed (interpreter start-up, imports, collection, the tests) as a CI job pays it; and the
session's time as pytest reports it, which leaves out the start-up (where the plugin loads
the library tables).

`--per-call` measures instead the CPU the wrappers add to one cache call, in this process:
redis-py's `get` and `set` with the network taken out (the client's `execute_command`
answers from a dict), without and with the probes installed.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's cachelint, not an installed one

from cachelint.runtime import testing  # noqa: E402

SAMPLES = ROOT / "tests" / "observe" / "samples"


def copy_sample(name: str, into: Path) -> Path:
    target = into / name
    for path in (SAMPLES / name).rglob("*.py"):
        destination = target / path.relative_to(SAMPLES / name)
        if path.name == "conftest_sample.py":
            destination = destination.with_name("conftest.py")
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, destination)
    return target


def timed_run(directory: Path, options: list[str], environment: dict[str, str]) -> tuple[float, float, float]:
    """The run's wall time, its CPU time, and the session's time as pytest reports it (the
    collection and the tests, after start-up and the plugins' configuration)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "cachelint.observe.plugin", "-p", "no:cacheprovider",
         *options, "shop_tests.py"],
        cwd=directory, env=environment, check=True, capture_output=True, text=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    session = float(re.findall(r"passed in ([0-9.]+)s", run.stdout)[-1])
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), session


def per_call(calls: int = 50_000) -> None:
    import redis

    from cachelint.observe.frames import ProjectFrames
    from cachelint.observe.observer import Observer
    from cachelint.observe.probes import Probes

    client = redis.Redis()
    store: dict = {}

    def execute_command(*args, **options):
        if args[0] == "GET":
            return store.get(args[1])
        store[args[1]] = args[2]
        return True

    client.execute_command = execute_command  # type: ignore[method-assign]

    def nanoseconds_per_call() -> float:
        start = time.process_time()
        for index in range(calls):
            key = f"product:{index % 100}"
            client.get(key)
            client.set(key, "x", ex=60)
        return (time.process_time() - start) / calls / 2 * 1e9

    nanoseconds_per_call()  # warm up
    without = min(nanoseconds_per_call() for _ in range(5))
    observer = Observer(ProjectFrames(str(ROOT)).first)
    probes = Probes(observer)
    probes.install()
    observer.begin_test("bench")
    try:
        with_ = min(nanoseconds_per_call() for _ in range(5))
    finally:
        probes.uninstall()
    print(f"redis-py get/set, no network: {without:.0f} ns -> {with_:.0f} ns a call "
          f"(+{with_ - without:.0f} ns observed), best of 5 x {calls} pairs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--per-call", action="store_true", help="the wrappers' CPU per cache call instead")
    arguments = parser.parse_args()
    if arguments.per_call:
        per_call()
        return
    with testing.redis_server() as port, tempfile.TemporaryDirectory() as scratch:
        for name in sorted(path.name for path in SAMPLES.iterdir() if path.is_dir()):
            directory = copy_sample(name, Path(scratch))
            environment = {
                **os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
                "SHOP_REDIS_PORT": str(port), "SHOP_DATABASE": str(directory / "shop.db"), "SHOP_FIXED": "1",
            }
            timings: dict[str, list[tuple[float, float, float]]] = {"without": [], "with": []}
            for _ in range(arguments.runs):
                timings["without"].append(timed_run(directory, [], environment))
                timings["with"].append(timed_run(
                    directory, ["--cachelint", f"--cachelint-report={directory / 'report.json'}"], environment))
            medians = {mode: [statistics.median(run[i] for run in runs) for i in range(3)]
                       for mode, runs in timings.items()}
            figures = ", ".join(
                f"{label} {without:.2f} s -> {with_:.2f} s ({with_ / without:.2f}x)"
                for label, without, with_ in zip(("wall", "CPU", "session"), medians["without"], medians["with"])
            )
            print(f"{name}: {figures}, median of {arguments.runs}")


if __name__ == "__main__":
    main()
