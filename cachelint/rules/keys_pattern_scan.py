"""CL007 keys-pattern-scan: Redis `KEYS pattern`, which walks every key and blocks the server."""
from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from cachelint.model import CacheOp, Kind, ModuleModel, find_argument, names_in
from cachelint.model.spec import ScanInstead
from cachelint.rules.base import Finding, FixSuggestion, Replacement, Rule, RuleContext


class KeysPatternScan(Rule):
    """
    ## What it does
    Flags Redis `KEYS pattern` calls: redis-py and valkey `keys(pattern)` (sync or
    awaited, on clients, clusters and pipelines), `execute_command("KEYS", …)`, and
    django-redis `cache.keys(…)`.

    ## Why is this bad?
    `KEYS` walks the whole keyspace in one command. Redis is single-threaded, so while it
    runs every other client waits: on a production instance with millions of keys that
    is a multi-second outage of everything that uses the server, and it gets worse as the
    data grows. The Redis documentation says to use it only for debugging. `SCAN` returns
    the same keys in small batches and lets other commands run in between.

    ## Example
    ```python
    for key in r.keys("session:*"):
        r.delete(key)

    stale = cache.keys("report:*")  # django-redis
    ```

    ## Use instead
    ```python
    for key in r.scan_iter(match="session:*", count=1000):
        r.unlink(key)

    stale = list(cache.iter_keys("report:*"))
    ```
    Better still, keep a set per entity (`SADD report:keys <key>`) and read that instead
    of searching the keyspace.

    Not flagged in test code (a file in a `test`, `tests` or `testing` folder of its project,
    or named `test_*.py`, `*_test.py`, `tests.py` or `conftest.py`): a test's Redis holds a
    few keys and serves no one else. Nor in a function named `keys` that runs KEYS on the
    pattern its caller passes (django-redis' own `keys(search)`): it is the command, offered
    to callers, who are flagged where they call it.

    ## Fix safety
    When the call is what a `for` loop iterates over, the fix replaces it with
    `scan_iter(match=…)` (django-redis: `iter_keys(…)`). It is unsafe: SCAN may return a
    key more than once, and keys written during the loop may or may not be seen.
    """

    code = "CL007"
    name = "keys-pattern-scan"
    summary = "Redis KEYS pattern scans block the server."
    fix_availability = "sometimes"

    VALID = [
        """
        import redis
        from django.core.cache import cache

        r = redis.Redis()

        def purge(prefix):
            for key in r.scan_iter(match=f"{prefix}:*", count=500):
                r.unlink(key)
            cache.delete_pattern("report:*")
            return list(cache.iter_keys("session:*"))

        def fields(name):
            return r.hkeys(f"config:{name}")

        def cursor_page(cursor):
            return r.scan(cursor, match="user:*", count=100)
        """,
        # dict.keys() and other objects' keys() are not Redis
        """
        CACHE = {}

        def summary(stats, registry):
            names = sorted(stats.keys())
            cached = list(CACHE.keys())
            return names, cached, registry.keys("*")
        """,
        """
        import redis

        r = redis.Redis()

        def stats():
            return r.execute_command("INFO", "keyspace")
        """,
        # a cache library's own `keys(search)`: the command, flagged where it is called
        """
        from redis import Redis

        class DefaultClient:
            def keys(self, search, version=None, client: Redis | None = None):
                pattern = self.make_pattern(search, version=version)
                return [self.reverse_key(k) for k in client.keys(pattern)]
        """,
    ]

    INVALID = [
        """
        import redis

        r = redis.Redis(decode_responses=True)

        def flush_sessions():
            for key in r.keys("sess:*"):  # expect: CL007
                r.delete(key)

        def flags():
            return sorted(r.keys("flag:*"))  # expect: CL007

        def buckets():
            return len(r.execute_command("KEYS", "ratelimit:*"))  # expect: CL007

        def locks():
            return r.execute_command("KEYS lock:*")  # expect: CL007
        """,
        """
        import redis.asyncio as aioredis
        from redis.cluster import RedisCluster

        r = aioredis.from_url("redis://localhost")
        cluster = RedisCluster(host="localhost", port=7000)

        async def online():
            return await r.keys("presence:*")  # expect: CL007

        def shard_keys():
            pipe = cluster.pipeline()
            pipe.keys(pattern="job:*")  # expect: CL007
            return pipe.execute()
        """,
        """
        import redis

        store = redis.Redis()

        def keys():
            return [x for x in store.keys()]  # expect: CL007
        """,
        """
        from django.core.cache import cache

        def report():
            return {"entries": len(cache.keys("*"))}  # expect: CL007

        def purge():
            for key in cache.keys("report:*"):  # expect: CL007
                cache.delete(key)
        """,
    ]

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        keys = Kind.KEYS  # asked of every operation of every module
        scans = [(op, op.call) for op in model.ops if op.kind is keys and op.call is not None]  # KEYS is a call
        if not scans or model.is_test_code:  # asked last: where the file is costs more than its calls
            return  # a test's Redis holds the test's few keys, and blocks nobody
        for op, call in scans:
            if _wraps_the_command(op, call):
                continue
            instead = op.spec.scan_instead
            suggestion = f"`{instead.method}({_pattern(instead, '…')})`" if instead else "SCAN"
            message = (
                f"`{_spelling(model, call, op.method)}` runs KEYS, which walks every key and "
                f"blocks the server; iterate with {suggestion} instead"
            )
            yield Finding(op.node, op.statement, message, _fix(model, op))


def _wraps_the_command(op: CacheOp, call: cst.Call) -> bool:
    """A function named after the command that runs it on the pattern its caller passes
    (django-redis' `DefaultClient.keys(self, search, ...)`: `client.keys(make_pattern(search))`)
    is the command itself, as a cache library offers it: its callers are the ones that
    scan (django-redis `cache.keys(…)` is flagged where it is called). One that chooses
    the pattern itself (`def keys(): return store.keys()`) is a scan of its own."""
    function = op.scope.function
    if function is None or function.name != op.method or op.spec.pattern is None:
        return False
    pattern = find_argument(call, op.spec.pattern)
    if not isinstance(pattern, cst.BaseExpression):
        return False
    if isinstance(pattern, cst.Name):  # `pattern = self.make_pattern(search)`, bound once
        bindings = op.scope.bindings.get(pattern.value, ())
        assigned = [binding.assigned for binding in bindings if binding.kind == "assign"]
        pattern = assigned[0] if len(assigned) == 1 and assigned[0] is not None else pattern
    parameters = {name for name, bindings in function.bindings.items() if bindings and bindings[0].kind == "param"}
    return not parameters.isdisjoint(names_in(pattern) - {function.self_name})


def _pattern(instead: ScanInstead, pattern: str) -> str:
    return f"{instead.keyword}={pattern}" if instead.keyword else pattern


def _spelling(model: ModuleModel, call: cst.Call, method: str) -> str:
    """`r.keys(…)`, or `r.execute_command("KEYS", …)` for a raw command."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value != method.rsplit(".", 1)[-1]:
        return f"{model.code(func)}({model.code(call.args[0].value)}, …)"
    return f"{model.code(func)}(…)"


def _fix(model: ModuleModel, op: CacheOp) -> FixSuggestion | None:
    """`for k in r.keys(p):` -> `for k in r.scan_iter(match=p):`, when nothing else is passed."""
    call, instead = op.call, op.spec.scan_instead
    if instead is None or call is None or op.node not in model.for_loops:
        return None
    if not isinstance(call.func, cst.Attribute) or call.func.attr.value != op.method:
        return None  # execute_command("KEYS", …)
    pattern = find_argument(call, instead.pattern)
    if len(call.args) > 1 or (call.args and call.args[0].value is not pattern):
        return None
    # Only the method's name and the pattern's keyword change: comments and layout inside
    # the call stay as they are.
    replacements = [Replacement(call.func.attr, instead.method)]
    if pattern is not None and instead.keyword:
        keyword = call.args[0].keyword
        if keyword is None:
            replacements.append(Replacement(pattern, _pattern(instead, model.code(pattern))))
        elif keyword.value != instead.keyword:
            replacements.append(Replacement(keyword, instead.keyword))
    return FixSuggestion(f"Iterate with `{instead.method}`", tuple(replacements))
