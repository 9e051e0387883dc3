"""Try to break cachelint the way real trees and hostile inputs would.

    python3 scripts/fuzz.py --minutes 10 --source cache      # cache-shaped generated programs
    python3 scripts/fuzz.py --minutes 10 --source grammar    # hypothesmith (pip install 'cachelint[fuzz]')
    python3 scripts/fuzz.py --minutes 10 --source mutation   # mutations of real modules
    python3 scripts/fuzz.py --count 200 --seed 3 --source all

Each program is linted with and without the prefilter (and so sparse parsing), in a
worker process given `--timeout` seconds per program. A failure is any of:

- a crash or an internal error (an exception anywhere, a rule or the model failing);
- a hang (the worker is killed and replaced);
- two reports: the rule findings, or the calls not understood the report counts, differ
  with `--no-prefilter` (README: the prefilter and sparse parsing never change the report).

Failing programs are written to `--out` (one file each, with what went wrong in a
comment on the first line); the closing line gives the counts. The sources:

- **cache**: programs built from the shapes the rules judge (Redis, Django, Flask-Caching
  clients, keys from request input, TTLs, reads tested for truth, DB writes, views),
  padded with unrelated code to 100–400 lines so that sparse parsing cuts them; and a
  fifth with calls that look like cache use the model does not understand, where it
  may never look (a file the prefilter drops, statements sparse parsing leaves out);
- **grammar**: hypothesmith's programs from Python's grammar and from LibCST's nodes;
- **mutation**: modules of the projects in `--corpus` (or any folder of Python files)
  with lines deleted, duplicated, swapped, re-indented or truncated, form feeds, tabs,
  non-ASCII text, cache calls and deep expressions inserted.

`tests/test_fuzz.py` runs a bounded slice of the same generators with a fixed seed.
"""
from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SOURCES = ("cache", "grammar", "mutation")

# ---------------------------------------------------------------------------- checking


def check(text: str) -> str | None:
    """What is wrong with cachelint on this program (None: nothing)."""
    from cachelint.config import Settings
    from cachelint.engine import lint_source

    raw = text.encode("utf-8", "surrogatepass")
    try:
        screened = lint_source("fuzzed.py", raw, Settings(), prefilter=True)
        whole = lint_source("fuzzed.py", raw, Settings(), prefilter=False)
    except BaseException as error:  # noqa: BLE001 - what the campaign looks for
        return f"crash: {type(error).__name__}: {error}"[:500]
    for result in (screened, whole):
        if result.internal_errors:
            return f"internal error: {result.internal_errors[0]}"[:500]
    if _findings(screened) != _findings(whole):
        only_screened = _findings(screened) - _findings(whole)
        only_whole = _findings(whole) - _findings(screened)
        return f"the prefilter changes the report: only with it {sorted(only_screened)}, only without {sorted(only_whole)}"
    if _unresolved(screened) != _unresolved(whole):
        return (f"the prefilter changes the calls not understood: with it {_unresolved(screened)}, "
                f"without {_unresolved(whole)}")[:2000]
    return None


def _unresolved(result) -> list[tuple]:
    """The calls that look like cache use and were not understood (the report counts them)."""
    return sorted((call.line, call.receiver, call.method) for call in result.unresolved)


def _findings(result) -> set[tuple]:
    """Rule findings: a file the prefilter rules out is not parsed, so a syntax error in it
    is only reported without the prefilter."""
    return {(d.code, d.location.row, d.location.column, d.message) for d in result.diagnostics if d.code}


# ------------------------------------------------------------------- cache-shaped programs

_CLIENTS = [
    ("import redis\n", "r = redis.Redis()\n", "r"),
    ("import redis\n", "r = redis.StrictRedis(host='cache', decode_responses=True)\n", "r"),
    ("from django.core.cache import cache\n", "", "cache"),
    ("from django.core.cache import caches\n", "store = caches['default']\n", "store"),
    ("from flask_caching import Cache\n", "cache = Cache()\n", "cache"),
    ("import redis.asyncio as aioredis\n", "r = aioredis.Redis()\n", "r"),
]
_KEYS = [
    "'k'", "'user:%s' % uid", "f'user:{uid}'", "f'{uid}'", "'item:' + str(item_id)", "key_for(uid)",
    "request.GET['q']", "f'search:{request.GET.get(\"q\")}'", "'profile:' + request.user.username",
    "f'session:{request.session.session_key}'", "KEY", "'a' + 'b' * 3", "':'.join(['x', str(uid)])",
    "f'page:{request.path}'", "'token:' + token", "uid", "f'report:{uuid.uuid4()}'", "f'at:{time.time()}'",
]
_VALUES = ["value", "json.dumps(data)", "user.password", "token", "{'a': 1}", "None", "0", "request.user.email",
           "list(Item.objects.all())", "data"]
_TTLS = ["", ", 60", ", 0", ", ex=60", ", ex=0", ", timeout=None", ", timeout=300", ", px=100", ", TTL", ", -1"]


def _op(rng: random.Random, client: str) -> list[str]:
    key, value, ttl = rng.choice(_KEYS), rng.choice(_VALUES), rng.choice(_TTLS)
    kind = rng.randrange(21)
    if kind == 0:
        return [f"cached = {client}.get({key})", "if not cached:", "    cached = compute()",
                f"    {client}.set({key}, cached{ttl})", "return cached"]
    if kind == 1:
        return [f"{client}.set({key}, {value}{ttl})"]
    if kind == 2:
        return [f"value = {client}.get({key})", "if value is None:", "    value = load()", f"    {client}.set({key}, value{ttl})",
                "return value"]
    if kind == 3:
        return [f"for k in {client}.keys('user:*'):", f"    {client}.delete(k)"]
    if kind == 4:
        return ["item = Item.objects.get(pk=uid)", "item.price = price", f"{client}.delete({key})", "item.save()"]
    if kind == 5:
        return ["Item.objects.filter(pk=uid).update(price=price)", f"{client}.delete({key})"]
    if kind == 6:
        return ["with transaction.atomic():", "    Item.objects.filter(pk=uid).update(price=price)",
                f"    {client}.set({key}, {value}{ttl})"]
    if kind == 7:
        return [f"return {client}.get_or_set({key}, lambda: compute(){ttl})"]
    if kind == 8:
        return [f"{client}.setex({key}, 0, {value})"]
    if kind == 9:
        return [f"data = {client}.get({key}) or compute()", "return data"]
    if kind == 10:
        return [f"pipe = {client}.pipeline()", f"pipe.set({key}, {value}{ttl})", "pipe.execute()"]
    if kind == 11:
        return ["conn.execute('UPDATE items SET price = ? WHERE id = ?', (price, uid))",
                f"{client}.delete({key})", "conn.commit()"]
    if kind == 12:
        return [f"cached = {client}.get({key})", "if cached:", "    return cached", "return None"]
    if kind == 13:
        return [f"await {client}.set({key}, {value}{ttl})" if "aio" in client else f"{client}.incr({key})"]
    # What lies in other statements of the module, which sparse parsing may leave out.
    if kind == 14:
        return [f"{client}.delete({key})", f"{rng.choice(_WRITERS)}(uid, price)"]
    if kind == 15:
        return [f"value = {rng.choice(_READERS)}({key})", "if not value:", "    value = compute()",
                f"    {rng.choice(_STORERS)}({key}, value)", "return value"]
    if kind == 16:
        return ["with transaction.atomic():", f"    {rng.choice(_WRITERS)}(uid, price)",
                f"    transaction.on_commit(lambda: {client}.delete({key}))"]
    if kind == 17:
        return ["item = Item(pk=uid)", "db.session.add(item)", f"{client}.set({key}, {value}{ttl})", "db.session.commit()"]
    if kind == 18:
        return [f"get_client().set({key}, {value}{ttl})", "return get_client().get(PREFIX + str(uid))"]
    if kind == 19:
        return ["item = load_item(uid)", f"{client}.set({key}, item{ttl})", "item.save()"]
    return [f"data = {client}.get({key})", "if data is None:", "    data = Item.objects.filter(owner=request.user).count()",
            f"    {client}.set({key}, data{ttl})", "return data"]


# Module functions the operations above call: written once per program, far from their callers.
_WRITERS = ["save_price", "write_price", "store_item"]
_READERS = ["cache_get", "read_cached"]
_STORERS = ["cache_set", "remember"]


def _helpers(client: str) -> list[str]:
    return [
        "def save_price(uid, price):", "    item = Item.objects.get(pk=uid)", "    item.price = price", "    item.save()", "",
        "def write_price(uid, price):", "    Item.objects.filter(pk=uid).update(price=price)", "",
        "def store_item(uid, price):", "    conn.execute('UPDATE items SET price = ? WHERE id = ?', (price, uid))",
        "    conn.commit()", "",
        "def load_item(uid):", "    return Item.objects.get(pk=uid)", "",
        "def cache_get(key):", f"    return {client}.get('app:' + key)", "",
        "def read_cached(key):", f"    return {client}.get(key)", "",
        "def cache_set(key, value):", f"    {client}.set('app:' + key, value)", "",
        "def remember(key, value, ttl=0):", f"    {client}.set(key, value, {'ex' if client == 'r' else 'timeout'}=ttl)", "",
        "def get_client():", "    return redis.Redis()", "",
    ]


def _function(rng: random.Random, client: str, index: int) -> list[str]:
    decorators = rng.choice([[], [], ["@login_required"], ["@cache_page(60)"], ["@cache_page(0)"],
                             ["@app.route('/x')", "@cache.cached(timeout=60)"], ["@lru_cache(maxsize=None)"],
                             ["@cached(TTLCache(10, 60))"]])
    params = rng.choice(["request, uid", "uid", "request", "uid, price", "self, uid", "request, item_id"])
    body = [line for _ in range(rng.randint(1, 3)) for line in _op(rng, client)]
    if rng.random() < 0.2:
        body = ["try:", *("    " + line for line in body), "except Exception:", "    pass"]
    head = f"async def handler_{index}({params}):" if "aio" in client else f"def handler_{index}({params}):"
    return [*decorators, head, *("    " + line for line in body), ""]


def _filler(rng: random.Random, index: int) -> list[str]:
    """Code with no cache in it: what sparse parsing leaves out."""
    lines = [f"def helper_{index}(a, b=None):", f'    """Helper {index}."""', "    total = 0",
             "    for i in range(a):", "        if i % 3 == 0:", "            total += i * 2",
             "        elif b:", "            total -= len(b)", "    return total", ""]
    if rng.random() < 0.3:
        lines = [f"class Thing{index}:", "    limit = 10", "", "    def size(self):", "        return self.limit * 2", "",
                 "    def describe(self):", f"        return 'thing {index}'", ""]
    return lines


def cache_program(rng: random.Random, sizes: tuple[int, ...] = (40, 120, 250, 400),
                  clients: list[tuple[str, str, str]] = _CLIENTS) -> str:
    """A program of about one of `sizes` lines around a client of `clients` (its import,
    the line that makes it, its name)."""
    imports, setup, client = rng.choice(clients)
    lines = ["import json", "import time", "import uuid", "from functools import lru_cache",
             "from django.db import transaction", "from django.contrib.auth.decorators import login_required",
             "from django.views.decorators.cache import cache_page", "from cachetools import TTLCache, cached",
             "from .models import Item", "from .db import db, conn", "import redis", imports.rstrip("\n"),
             setup.rstrip("\n"), "KEY = 'config'", "TTL = 0", "PREFIX = 'item:'", "",
             "def key_for(uid):", "    return f'user:{uid}'", ""]
    target = rng.choice(sizes)
    index = 0
    helpers = _helpers(client)
    while len(lines) < target:
        index += 1
        lines += _function(rng, client, index) if rng.random() < 0.35 else _filler(rng, index)
        if helpers and rng.random() < 0.1:  # somewhere in the middle, or at the end
            lines += helpers
            helpers = []
    lines += helpers
    if rng.random() < 0.2:
        lines += ["class Service:", f"    store = {client}", "", "    def read(self, uid):",
                  "        v = self.store.get(f'svc:{uid}')", "        if not v:", "            v = 1",
                  "        self.store.set(f'svc:{uid}', v)", "        return v", ""]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------- calls that look like cache use

# Receivers named like a cache (or not: `cache_key`, `cached_at`), and methods of cache
# libraries (or not: `update`), for calls the model does not understand, in code it may
# never see: a module the prefilter drops, statements sparse parsing leaves out.
_NAMES = ["cache", "_cache", "store", "event_store", "redis_conn", "page_cache", "cache_key", "cached_at", "stores",
          "memcache_client", "cache_config", "PluginStore"]
_METHODS = ["get", "set", "delete", "pop", "clear", "setdefault", "keys", "append", "get_many", "lock", "update"]
# What a name may be bound to: containers (the model leaves those out), anything else, imports.
_BOUND = ["{}", "dict()", "[]", "set()", "{k: v for k, v in pairs}", "OrderedDict()", "collections.defaultdict(list)",
          "make()", "Store()", "None", "connect(url)", "weakref.WeakValueDictionary()", "OrderedDict[str, int]()"]
_ANNOTATIONS = ["dict", "Dict[str, int]", "typing.List[int]", "Cache", "'dict'", "set"]


def _binding(rng: random.Random, name: str) -> str:
    kind = rng.randrange(12)
    value = rng.choice(_BOUND)
    if kind == 0:
        return f"{name}: {rng.choice(_ANNOTATIONS)} = {value}"
    if kind == 1:
        return f"{name}: {rng.choice(_ANNOTATIONS)}"
    if kind == 2:
        return f"if ({name} := {value}): pass"
    if kind == 3:
        return f"for {name} in items: pass"
    if kind == 4:
        return f"with open(path) as {name}: pass"
    if kind == 5:
        return f"import {rng.choice(['glance_store', 'collections', 'app.store', 'fuzzed'])} as {name}"
    if kind == 6:
        return f"from {rng.choice(['.', 'app', 'glance_store'])} import {name}"
    if kind == 7:
        return f"{name}, other = {value}, 1"
    if kind == 8:
        return f"{name} += 1"
    return f"{name} = {value}"


def _call(rng: random.Random, receiver: str) -> str:
    return f"{receiver}.{rng.choice(_METHODS)}({rng.choice(['k', '1', 'k, v', ''])})"


def _unmodelled_unit(rng: random.Random, index: int) -> list[str]:
    """A function or a class binding a name like a cache somewhere and calling a method on it."""
    name = rng.choice(_NAMES)
    kind = rng.randrange(9)
    if kind == 0:  # a module-level binding, used in a function (or before it)
        return [_binding(rng, name), f"def use_{index}(k, v):", f"    return {_call(rng, name)}", ""]
    if kind == 1:  # a local binding, before or after the call, or a parameter
        body = [_binding(rng, name), f"x = {_call(rng, name)}"]
        rng.shuffle(body)
        params = rng.choice(["k, v", f"k, v, {name}", f"k, v, {name}: {rng.choice(_ANNOTATIONS)}", f"k, v, *{name}"])
        return [f"def use_{index}({params}):", *("    " + line for line in body), "    return x", ""]
    if kind == 2:  # an attribute of the instance, bound in a method or the class body
        attribute = rng.choice(_NAMES)
        own = rng.choice([[_binding(rng, attribute)], ["def __init__(self):", "    pass"],
                          ["def __init__(self):", f"    self.{attribute} = {rng.choice(_BOUND)}"],
                          ["def __init__(self):", f"    self.{attribute}: {rng.choice(_ANNOTATIONS)} = {rng.choice(_BOUND)}"]])
        return [f"class Holder{index}:", *("    " + line for line in own),
                "    def use(self, k, v):", f"        return {_call(rng, 'self.' + attribute)}", ""]
    if kind == 3:  # a call of a function that returns the cache
        getter = rng.choice(["get_redis", "get_cache", "cache_for", "get_store", "make_cache_key"])
        return [f"def use_{index}(k, v):", f"    return {getter}({rng.choice(['', 'alias', 'a, b'])}).{rng.choice(_METHODS)}(k)", ""]
    if kind == 4:  # a global declared, a nested function, a lambda, a comprehension
        return [f"def use_{index}(k, v):", f"    global {name}", f"    {name} = {rng.choice(_BOUND)}",
                "    def inner():", f"        return {_call(rng, name)}",
                f"    f = lambda {name}: {_call(rng, name)}",
                f"    return [{_call(rng, name)} for {name} in items]", ""]
    if kind == 5:  # a dotted receiver
        return [f"def use_{index}(obj, k, v):", f"    return {_call(rng, rng.choice(['obj', 'sys', 'self.x']) + '.' + name)}", ""]
    if kind == 6:  # except, decorators and defaults (read in the def's scope by the model)
        return [f"@{_call(rng, name)}", f"def use_{index}(k, v={_call(rng, name)}):", "    try:", "        pass",
                f"    except Exception as {name}:", f"        {_call(rng, name)}", ""]
    if kind == 7:  # a class attribute read as the class's
        return [f"class Holder{index}:", f"    {name} = {rng.choice(_BOUND)}", "    def use(cls, k):",
                f"        return {_call(rng, 'cls.' + name)}", f"x_{index} = {_call(rng, f'Holder{index}.{name}')}", ""]
    return [_call(rng, name), ""]


def unmodelled_program(rng: random.Random, sizes: tuple[int, ...] = (30, 150)) -> str:
    """A program of about one of `sizes` lines with calls that look like cache use and that
    the model does not understand, the module without a cache library (the prefilter drops
    it) or with one, in a unit of its own (sparse parsing leaves the others out)."""
    lines = ["import collections", "import sys", "import weakref", "import typing",
             "from collections import OrderedDict", "from typing import Dict", ""]
    if rng.random() < 0.5:
        lines += ["import redis", "", "r = redis.Redis()", "", "def cached(k):", "    return r.get(k)", ""]
    target = rng.choice(sizes)
    index = 0
    while len(lines) < target:
        index += 1
        lines += _unmodelled_unit(rng, index) if rng.random() < 0.5 else _filler(rng, index)
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ mutations

def corpus_files(root: Path, rng: random.Random, limit: int = 5_000) -> list[Path]:
    files = sorted(str(path) for path in root.rglob("*.py") if path.is_file() and path.stat().st_size < 300_000)
    rng.shuffle(files)
    return [Path(name) for name in files[:limit]]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True) or ["\n"]
    for _ in range(rng.randint(1, 4)):
        where = rng.randrange(len(lines))
        kind = rng.randrange(12)
        if kind == 0 and len(lines) > 1:
            del lines[where]
        elif kind == 1:
            lines.insert(where, lines[where])
        elif kind == 2:
            other = rng.randrange(len(lines))
            lines[where], lines[other] = lines[other], lines[where]
        elif kind == 3:
            lines[where] = "\f" + lines[where]
        elif kind == 4:
            lines[where] = "    " + lines[where]
        elif kind == 5:
            lines[where] = lines[where].replace("    ", "\t", 1)
        elif kind == 6:
            lines.insert(where, "import redis\nr = redis.Redis()\nr.set(f'k:{x}', 1)\n")
        elif kind == 7:
            lines[where] = lines[where].rstrip("\n") + "  # é ünïcode ✓ noqa\n"
        elif kind == 8:
            cut = rng.randrange(len(lines[where]) + 1)
            lines = lines[:where] + [lines[where][:cut]]
            break
        elif kind == 9:
            lines.insert(where, "X = " + " + ".join(["'a'"] * rng.randint(100, 600)) + "\n")
        elif kind == 10:
            lines[where] = lines[where].replace("\n", "\r\n")
        else:
            lines.insert(where, "from django.core.cache import cache\n")
    return "".join(lines)


# ---------------------------------------------------------------------------- generators

def programs(source: str, seed: int, corpus: Path | None) -> Iterator[str]:
    rng = random.Random(seed)
    if source == "cache":
        while True:
            yield cache_program(rng) if rng.random() < 0.8 else unmodelled_program(rng)
    elif source == "mutation":
        files = corpus_files(corpus, rng) if corpus is not None else []
        if not files:
            raise SystemExit(f"no Python files under {corpus}")
        while True:
            path = rng.choice(files)
            try:
                text = path.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            yield mutate(text, rng)
    else:
        yield from grammar_programs(seed)


def grammar_programs(seed: int, batch: int = 50) -> Iterator[str]:
    """hypothesmith's programs, reproducibly: batches drawn by a seeded `@given`."""
    import hypothesmith
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as seeded

    for number in range(seed * 1_000_000, sys.maxsize):
        strategy = (hypothesmith.from_grammar(), hypothesmith.from_node())[number % 2]
        drawn: list[str] = []

        @seeded(number)
        @settings(max_examples=batch, database=None, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def collect(program: str) -> None:
            drawn.append(program)  # noqa: B023 (collect runs at once, in this iteration)

        collect()
        yield from drawn


# ---------------------------------------------------------------------------------- run

def _worker_check(text: str) -> str | None:
    return check(text)


def run(source: str, seed: int, minutes: float | None, count: int | None, timeout: float, corpus: Path | None,
        out: Path | None) -> Counter:
    """Check programs of `source` until `minutes` pass or `count` are checked."""
    counts: Counter = Counter()
    context = multiprocessing.get_context("spawn" if sys.platform != "linux" else "fork")
    pool = context.Pool(1)
    deadline = time.monotonic() + minutes * 60 if minutes else None
    try:
        for text in programs(source, seed, corpus):
            if (count is not None and counts["programs"] >= count) or (deadline and time.monotonic() > deadline):
                break
            counts["programs"] += 1
            counts["lines"] += text.count("\n")
            pending = pool.apply_async(_worker_check, (text,))
            try:
                problem = pending.get(timeout)
            except multiprocessing.TimeoutError:
                problem = f"hang: no result within {timeout} s"
                pool.terminate()
                pool = context.Pool(1)
            except Exception as error:  # noqa: BLE001 - the worker itself died
                problem = f"worker failed: {type(error).__name__}: {error}"
                pool.terminate()
                pool = context.Pool(1)
            if problem is not None:
                counts[problem.split(":")[0]] += 1
                _keep(out, source, counts["programs"], text, problem)
    finally:
        pool.terminate()
    return counts


def _keep(out: Path | None, source: str, number: int, text: str, problem: str) -> None:
    print(f"{source} #{number}: {problem}", file=sys.stderr)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        comment = "# " + problem.replace("\n", " ") + "\n"
        (out / f"{source}-{number}.py").write_text(comment + text, encoding="utf-8", errors="surrogatepass")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", choices=[*SOURCES, "all"], default="all")
    parser.add_argument("--minutes", type=float, help="how long to run (split between the sources)")
    parser.add_argument("--count", type=int, help="how many programs (per source)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per program before it is a hang")
    parser.add_argument("--corpus", type=Path, default=Path("/work/corpus/src"), help="modules to mutate")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="where failing programs go")
    args = parser.parse_args()
    if args.minutes is None and args.count is None:
        parser.error("give --minutes or --count")
    sources = SOURCES if args.source == "all" else (args.source,)
    failed = 0
    for source in sources:
        minutes = args.minutes / len(sources) if args.minutes else None
        started = time.monotonic()
        counts = run(source, args.seed, minutes, args.count, args.timeout, args.corpus, args.out)
        problems = {name: n for name, n in counts.items() if name not in ("programs", "lines")}
        failed += sum(problems.values())
        print(f"{source}: {counts['programs']} programs, {counts['lines']} lines in {time.monotonic() - started:.0f} s;"
              f" problems: {problems or 'none'}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
