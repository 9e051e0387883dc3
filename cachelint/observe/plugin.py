"""The pytest plugin (entry point `pytest11`): `pytest --cachelint` observes the project's
caches and database while its tests run; `--cachelint-report FILE` writes what it saw as
`cachelint check --output-format json` does (plus `test` and `key`); `--cachelint-fail`
fails the session when anything was seen."""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from typing import Any

import pytest

DEFAULT_LATENCY_MS = 5.0


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cachelint", "cachelint: observe the caches while the tests run")
    group.addoption("--cachelint", action="store_true", default=False,
                    help="report the caching bugs the tests make happen (cache clients and database observed)")
    group.addoption("--cachelint-report", metavar="FILE", default=None,
                    help="write what was seen as JSON, in the fields of `cachelint check --output-format json`")
    group.addoption("--cachelint-fail", action="store_true", default=False,
                    help="fail the session when a caching bug was seen")
    group.addoption("--cachelint-user", metavar="MODULE:FUNCTION", default=None,
                    help="a function that returns the id of the user the running code acts for, or None "
                         "(for CL004: an entry filled for one user and served to another); by default, "
                         "the user of the request being handled (Django's request.user, Flask-Login's "
                         "current_user)")
    group.addoption("--cachelint-latency-ms", type=float, default=DEFAULT_LATENCY_MS, metavar="MS",
                    help=f"flag a key namespace whose warm hits take more at p95 (default {DEFAULT_LATENCY_MS:g})")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("cachelint") or config.getoption("cachelint_report") or config.getoption("cachelint_fail"):
        config.pluginmanager.register(Observation(config), "cachelint-observation")


class Observation:
    """One session's observation: the probes, the observer, and what is reported at the end."""

    def __init__(self, config: pytest.Config) -> None:
        from cachelint.observe.frames import ProjectFrames
        from cachelint.observe.observer import Observer
        from cachelint.observe.probes import Probes
        from cachelint.observe.users import request_user

        self.config = config
        # The project's own hook when it names one, else the web framework's request user.
        user = _hook(config.getoption("cachelint_user")) or request_user
        self.observer = Observer(ProjectFrames(str(config.rootpath)).first, user=user)
        self.probes = Probes(self.observer)
        self.probes.install()

    def pytest_unconfigure(self) -> None:
        self.probes.uninstall()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem):
        self.probes.install()  # libraries the test modules imported since
        self.probes.attach_connections()
        self.observer.begin_test(item.nodeid)
        try:
            return (yield)
        finally:
            self.observer.end_test()

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        path = self.config.getoption("cachelint_report")
        if path:
            with open(path, "w", encoding="utf-8") as report:
                json.dump([as_dict(finding) for finding in self.observer.findings], report, indent=2)
                report.write("\n")
        if self.config.getoption("cachelint_fail") and self.observer.findings and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter) -> None:
        write = terminalreporter.write_line
        terminalreporter.section("cachelint: caching bugs seen while the tests ran")
        findings = self.observer.findings
        if not findings:
            write("none")
        for code in sorted({finding.code for finding in findings}):
            group = [finding for finding in findings if finding.code == code]
            write(f"{code} {group[0].name} ({len(group)})")
            for finding in group:
                where = f"{_relative(finding.place.filename)}:{finding.place.row}:{finding.place.column}" \
                    if finding.place else "(no project frame)"
                write(f"  {where} {finding.test} key {finding.key!r}: {finding.message}")
        bound = self.config.getoption("cachelint_latency_ms")
        rows = latency_rows(self.observer.hit_latencies, bound)
        if rows:
            write(f"warm-hit latency per key namespace (flagged when p95 > {bound:g} ms):")
            for name, count, p50, p95, slow in rows:
                write(f"  {name}: {count} hits, p50 {p50:.3f} ms, p95 {p95:.3f} ms{'  SLOW' if slow else ''}")


def _hook(name: str | None):
    """`module:function`, imported when first called (the project's modules are importable
    once the tests are collected)."""
    if name is None:
        return None
    module, _, attribute = name.partition(":")
    if not module or not attribute:
        raise pytest.UsageError(f"--cachelint-user takes MODULE:FUNCTION, not {name!r}")
    found: list[Callable[[], Any]] = []

    def current_user():
        if not found:
            import importlib

            found.append(getattr(importlib.import_module(module), attribute))
        return found[0]()

    return current_user


def percentile(ordered: list[int], fraction: float) -> int:
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latency_rows(latencies: dict[str, list[int]], bound_ms: float) -> list[tuple[str, int, float, float, bool]]:
    rows = []
    for name in sorted(latencies):
        ordered = sorted(latencies[name])
        p50, p95 = (percentile(ordered, fraction) / 1e6 for fraction in (0.50, 0.95))
        rows.append((name, len(ordered), p50, p95, p95 > bound_ms))
    return rows


def _relative(filename: str) -> str:
    try:
        return os.path.relpath(filename)
    except ValueError:
        return filename


def as_dict(finding) -> dict:
    from cachelint import __version__
    from cachelint.report.docs import REPOSITORY

    place = finding.place
    location = {"row": place.row, "column": place.column} if place else None
    identity = "\0".join((finding.code, finding.test, finding.key, place.filename if place else ""))
    return {
        "code": finding.code,
        "name": finding.name,
        "message": finding.message,
        "filename": os.path.abspath(place.filename) if place else None,
        "location": location,
        "end_location": {"row": place.end_row, "column": place.end_column} if place else None,
        "fix": None,
        "url": f"{REPOSITORY}/blob/v{__version__}/rules/{finding.name}.md",
        "severity": "error",
        "noqa_row": place.row if place else None,
        "fingerprint": hashlib.sha256(identity.encode()).hexdigest()[:16],
        "test": finding.test,
        "key": finding.key,
    }
