"""How long cachelint takes on one big module: 2,000 cache calls by default.

Method:

1. A module is generated (deterministically) from five kinds of function, five cache
   calls each, repeated until it holds `--calls` calls: a Django cache-aside read with a
   Redis side write, a Flask view whose key takes a request argument, a write-through
   after an ORM update, a `functools.lru_cache` loader with Redis counters, and a Redis
   pipeline. Some of them hold mistakes, so rules have findings to report, as on real code.
2. cachelint's modules are compiled to bytecode (as `pip install` does), then
   `cachelint --no-cache --exit-zero MODULE` runs `--runs` times as a fresh process
   (what a user or a pre-commit hook waits for: interpreter start, imports, parse, model,
   project facts, all thirteen rules, report).
3. In one process, with everything imported: each stage on its own, `--runs` times
   (parse, model, project facts, the thirteen rules), then `engine.lint_source` on the
   module, which runs them all and turns findings into diagnostics (the module's own
   cost, without interpreter start and imports).

It prints medians. Run: `python scripts/bench_module.py [--calls 2000] [--runs 7]`.
"""
from __future__ import annotations

import argparse
import compileall
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = '''\
import functools

import redis
from django.core.cache import cache
from django.db import transaction
from flask import Flask, request

from shop.models import Product

app = Flask(__name__)
r = redis.Redis()
'''

# Each template holds exactly five cache calls; `{n}` makes every function its own.
TEMPLATES = (
    '''
def product_{n}(pid, user_id):
    key = f"product:{{pid}}:v{n}"
    data = cache.get(key)
    if data is None:
        data = Product.objects.filter(pk=pid).values().first()
        cache.set(key, data, 300)
    r.set(f"user:{{user_id}}:seen:{n}", 1, ex=60)
    r.delete(f"product:{{pid}}:stale")
    r.expire(f"user:{{user_id}}:seen:{n}", 60)
    return data
''',
    '''
@app.route("/search/{n}")
def search_{n}():
    term = request.args.get("q", "")
    hits = cache.get("search:" + term)
    if not hits:
        hits = [p.pk for p in Product.objects.filter(name__icontains=term)]
        cache.set("search:" + term, hits, 120)
    r.incr("searches:{n}")
    r.expire("searches:{n}", 3600)
    r.set("last-search:{n}", term)
    return {{"hits": hits}}
''',
    '''
def rename_{n}(pid, name):
    with transaction.atomic():
        Product.objects.filter(pk=pid).update(name=name)
        cache.delete(f"product:{{pid}}:v{n}")
    cache.set(f"product:{{pid}}:name", name, timeout=600)
    r.delete(f"product:{{pid}}:stale")
    r.hset(f"names:{n}", pid, name)
    r.expire(f"names:{n}", 600)
''',
    '''
@functools.lru_cache(maxsize=128)
def price_{n}(pid):
    r.incr(f"price-lookups:{{pid}}")
    r.expire(f"price-lookups:{{pid}}", 86400)
    seen = r.get(f"price:{{pid}}")
    if seen is not None:
        return float(seen)
    price = Product.objects.get(pk=pid).price
    r.set(f"price:{{pid}}", price, ex=300)
    return price
''',
    '''
def warm_{n}(pids):
    with r.pipeline() as pipe:
        for pid in pids:
            pipe.set(f"stock:{{pid}}", 0, ex=30)
            pipe.expire(f"stock:{{pid}}", 30)
        pipe.execute()
    cache.set_many({{f"stock:{{pid}}": 0 for pid in pids}}, 30)
    cache.delete_many([f"stock:{{pid}}:old" for pid in pids])
    return cache.get_many([f"stock:{{pid}}" for pid in pids])
''',
)
CALLS_PER_FUNCTION = 5


def generate(calls: int) -> str:
    functions = [TEMPLATES[n % len(TEMPLATES)].format(n=n) for n in range(calls // CALLS_PER_FUNCTION)]
    return HEADER + "".join(functions)


def median_seconds(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def command_line(module: Path, runs: int) -> tuple[float, int]:
    """The median wall time of a cachelint process on `module`, and its findings."""
    command = [sys.executable, "-m", "cachelint", "--no-cache", "--exit-zero", str(module)]
    wall = median_seconds(lambda: subprocess.run(command, check=True, stdout=subprocess.DEVNULL), runs)
    report = subprocess.run([*command, "--output-format", "json"], check=True, capture_output=True, text=True)
    return wall, len(json.loads(report.stdout))


def in_process(module: Path, runs: int) -> dict[str, float]:
    from cachelint import config, engine, rules
    from cachelint.model import build_model
    from cachelint.parsing import parse_module
    from cachelint.project.extract import facts_for
    from cachelint.rules.base import Rule, RuleContext

    settings = config.load_settings(None)
    raw = module.read_bytes()
    text = raw.decode()
    gc.disable()  # as engine.lint_source runs
    tree = parse_module(text)
    model = build_model(str(module), raw, tree, settings.clients)

    stages: dict[str, list[float]] = {"parse (LibCST)": [], "model": [], "project facts": [], "13 rules": []}
    for _ in range(runs):  # each stage on fresh objects: the model computes some of its parts when first asked
        times = [time.perf_counter()]
        tree = parse_module(text)
        times.append(time.perf_counter())
        model = build_model(str(module), raw, tree, settings.clients)
        times.append(time.perf_counter())
        facts_for(model, settings.root)
        times.append(time.perf_counter())
        for rule in [rule for rule in rules.ALL_RULES if issubclass(rule, Rule)]:
            list(rule().check(model, RuleContext(settings.options_for(rule))))
        times.append(time.perf_counter())
        for name, start, end in zip(stages, times, times[1:]):
            stages[name].append(end - start)
    medians = {name: statistics.median(seconds) for name, seconds in stages.items()}
    gc.enable()
    medians["lint_source (the above, and reporting)"] = median_seconds(
        lambda: engine.lint_source(str(module), raw, settings), runs)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="cache calls in the module")
    parser.add_argument("--runs", type=int, default=7, help="runs of each measurement (the median counts)")
    args = parser.parse_args()
    compileall.compile_dir(Path(__file__).resolve().parent.parent / "cachelint", quiet=1)
    with tempfile.TemporaryDirectory() as folder:
        module = Path(folder) / "big_module.py"
        module.write_text(generate(args.calls))
        lines = module.read_text().count("\n")
        wall, findings = command_line(module, args.runs)
        stages = in_process(module, args.runs)
    print(f"module: {args.calls:,} cache calls, {lines:,} lines, {findings} findings")
    print(f"{'measurement':<40} {'median s':>9}")
    print(f"{'cachelint --no-cache (a process)':<40} {wall:>9.3f}")
    for name, seconds in stages.items():
        print(f"{name:<40} {seconds:>9.3f}")


if __name__ == "__main__":
    main()
