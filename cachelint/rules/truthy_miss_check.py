"""CL001 truthy-miss-check: a cache read's result decides hit or miss by truthiness."""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Iterator, Sequence

import libcst as cst

from cachelint.model import (
    Binding, CacheOp, KeyShape, Kind, MAYBE, ModuleModel, Scope, TruthTest, children, find_argument,
)
from cachelint.model.libraries.memoizers import DICT_CACHE
from cachelint.rules.base import Finding, FixSuggestion, Replacement, Rule, RuleContext

_FALSY = '(0, "", [], {}, False)'
_EXITS = (cst.Return, cst.Raise, cst.Continue, cst.Break)
_LOGGERS = ("log", "logger", "logging")
_EMPTY_CONSTRUCTORS = ("dict", "list", "tuple", "set", "str", "bytes", "frozenset")


class TruthyMissCheck(Rule):
    """
    ## What it does
    Flags a cache read whose result decides hit or miss by its truthiness:
    `if not cached:`, `if cache.get(key):`, `cache.get(key) or load()`,
    `a if cached else b`, when the falsy side loads the value or fills the cache,
    or the truthy side uses the cached value.

    ## Why is this bad?
    On a miss the read returns `None`, but `None` is not the only falsy value: a
    legitimately cached `0`, `""`, `b""`, `[]`, `{}` or `False` is taken for a miss too,
    so the slow path (the query, the HTTP call, the render) runs on every request
    although the cache holds the answer. Empty results are the ones most often cached
    and then recomputed forever.

    Not flagged: `is None` / `is not None`, `key in cache`, `has_key`, `exists`,
    a read with a sentinel default compared by identity, collection reads (`hgetall`,
    `smembers`, `lrange`, `get_many`…) where empty is the only way to see a miss, a bare
    feature-flag read (`if cache.get("maintenance"):`), `cache.get(k) or 0` (the
    fallback is itself falsy, so nothing is recomputed), and a read of a module-level
    dict cache that the module only ever fills with non-empty tuples, lists, sets or
    dicts (`_CACHE[k] = (stamp, value)`: no entry is falsy).

    ## Example
    ```python
    def product(pid):
        cached = cache.get(f"product:{pid}")
        if not cached:
            cached = load_product(pid)
            cache.set(f"product:{pid}", cached, 300)
        return cached
    ```

    ## Use instead
    ```python
    def product(pid):
        cached = cache.get(f"product:{pid}")
        if cached is None:
            cached = load_product(pid)
            cache.set(f"product:{pid}", cached, 300)
        return cached
    ```
    Where `None` itself is a value worth caching, read with a sentinel default
    (`cache.get(key, MISSING)`) and compare `is MISSING`.

    ## Fix safety
    `if not cached:` becomes `if cached is None:` and `if cached:` becomes
    `if cached is not None:`. The fix is unsafe: a cached falsy value is then served
    instead of recomputed, which is the point but changes behaviour. No fix is offered
    for `or` expressions, or when the read's miss value is not `None`.
    """

    code = "CL001"
    name = "truthy-miss-check"
    summary = "A cache read's result decides hit or miss by truthiness."
    fix_availability = "sometimes"

    VALID = [
        # Identity checks, membership and sentinels.
        """
        from django.core.cache import cache

        _MISSING = object()

        def article(pk):
            data = cache.get(f"article:{pk}", _MISSING)
            if data is _MISSING:
                data = load_article(pk)
                cache.set(f"article:{pk}", data, 300)
            return data

        def tags(pk):
            tags = cache.get(f"tags:{pk}")
            if tags is None:
                tags = load_tags(pk)
                cache.set(f"tags:{pk}", tags, 300)
            return tags

        def seen(pk):
            if not cache.has_key(f"seen:{pk}"):
                cache.set(f"seen:{pk}", load_seen(pk), 60)
        """,
        # Feature flags and locks: the value is never used, nothing is reloaded.
        """
        from flask import abort
        from flask_caching import Cache

        cache = Cache()

        def before_request():
            if cache.get("maintenance"):
                abort(503)

        def send_digest(user_id):
            if cache.get(f"digest-sent:{user_id}"):
                return
            cache.set(f"digest-sent:{user_id}", True, timeout=3600)
            deliver_digest(user_id)
        """,
        # Guard clauses: a miss is an error, nothing is loaded in its place.
        """
        import redis
        from flask import abort, jsonify

        r = redis.Redis()

        def me(token):
            user_id = r.get(f"session:{token}")
            if not user_id:
                abort(401)
            return jsonify(load_user(int(user_id)))

        def reset(code):
            email = r.get(f"reset:{code}")
            if not email:
                raise PermissionError("expired code")
            return send_reset(email)
        """,
        # Collection reads: an empty collection is the miss.
        """
        import redis

        r = redis.Redis()

        def profile(uid):
            fields = r.hgetall(f"user:{uid}")
            if not fields:
                fields = load_profile(uid)
                r.hset(f"user:{uid}", mapping=fields)
                r.expire(f"user:{uid}", 300)
            return fields

        def members(room):
            ids = r.smembers(f"room:{room}:members") or load_members(room)
            return ids
        """,
        # The variable is reassigned between the read and the test.
        """
        import json
        from redis.asyncio import Redis

        r = Redis()

        async def feed(uid):
            raw = await r.get(f"feed:{uid}")
            raw = raw.decode() if raw is not None else await build_feed(uid)
            if not raw:
                raw = await build_feed(uid)
                await r.set(f"feed:{uid}", raw, ex=60)
            return json.loads(raw)
        """,
        # A falsy fallback recomputes nothing; `and` passes a falsy value through.
        """
        import json
        import redis

        r = redis.Redis(decode_responses=True)

        def hits(page):
            return int(r.get(f"hits:{page}") or 0)

        def settings(site):
            raw = r.get(f"settings:{site}")
            return raw and json.loads(raw)

        def banner(site):
            raw = r.get(f"banner:{site}")
            return json.loads(raw) if raw else None
        """,
        # Pipelines buffer commands: `pipe.get()` is not the value.
        """
        import redis

        r = redis.Redis()

        def warm(keys):
            with r.pipeline() as pipe:
                for key in keys:
                    if pipe.get(key):
                        pipe.expire(key, 60)
                pipe.execute()
        """,
        # Waiting for a value to appear is not a hit/miss decision.
        """
        import time
        from pymemcache.client.base import Client

        mc = Client(("localhost", 11211))

        def wait_for(job_id):
            while not mc.get(f"job:{job_id}:done"):
                time.sleep(0.5)
        """,
        # An unknown receiver, and a read tested in another scope.
        """
        from django.core.cache import cache

        from .clients import store

        def quote(symbol):
            data = store.get(f"quote:{symbol}")
            if not data:
                data = fetch_quote(symbol)
                store.set(f"quote:{symbol}", data)
            return data

        def page(pk):
            data = cache.get(f"page:{pk}")

            def render():
                if not data:
                    return render_fallback(pk)
                return data

            return render()
        """,
        # a dict cache that only ever holds non-empty tuples: an entry is never falsy
        """
        import time

        import requests

        _FEED_CACHE = {}

        def feed(url):
            cached = _FEED_CACHE.get(url)
            if cached and time.monotonic() - cached[0] < 600:
                return cached[1]
            body = requests.get(url).text
            _FEED_CACHE[url] = (time.monotonic(), body)
            return body
        """,
        # a hit returns the value; a miss is an error: raised, aborted or logged, nothing loaded
        """
        import logging

        from django.core.cache import cache
        from django.http import Http404
        from flask import abort

        log = logging.getLogger(__name__)

        def invite(code):
            invite = cache.get(f"invite:{code}")
            if invite:
                return invite
            raise Http404("invite expired")

        def owner(token):
            owner = cache.get(f"token:{token}")
            if owner:
                return owner
            log.info("unknown token %s", token)
            return None

        class Tokens:
            def scope(self, token):
                scope = cache.get(f"scope:{token}")
                if scope:
                    return scope
                self.logger.warning("no scope for %s", token)
                return None

        def ticket(code):
            ticket = cache.get(f"ticket:{code}")
            if ticket:
                return ticket
            abort(410)

        def preview(draft_id):
            html = cache.get(f"preview:{draft_id}")
            if html:
                return JsonResponse({"html": html})
            return JsonResponse({"error": "preview expired"}, status=410)

        def upload(token):
            path = cache.get(f"upload:{token}")
            if path:
                return jsonify(path=path)
            return jsonify(error="unknown upload"), 404
        """,
        # the miss writes another key (a failure record), not the one read
        """
        from django.core.cache import cache

        def confirm(token, ip):
            user_id = cache.get(f"reset:{token}")
            if not user_id:
                cache.set(f"reset-fail:{ip}", {"token": token}, 600)
                return None
            return load_user(int(user_id))
        """,
        # the falsy branch falls back to a value at hand: nothing is loaded again
        """
        _CONFIG_CACHE = {}

        def setting(key, default=""):
            value = _CONFIG_CACHE[key]
            if value:
                log.debug("%s from config", key)
            else:
                value = default
            return value
        """,
    ]

    INVALID = [
        # the reload is the last statement of the falsy branch; the fill comes after the `if`
        """
        from django.core.cache import cache

        def report(k):
            data = cache.get(k)
            if not data:  # expect: CL001
                data = compute(k)
            cache.set(k, data, 60)
            return data

        def feed(url):
            cached = cache.get(url)
            if not cached:  # expect: CL001
                cached = fetch(url)
                cache.set(url, cached, 60)
            return cached
        """,
        # a failed or skipped read falls back to a falsy value: the test still looks at the read
        """
        import redis

        r = redis.Redis()

        def symbols():
            try:
                raw = r.get("symbols:all")
            except redis.ConnectionError:
                raw = None
            if not raw:  # expect: CL001
                raw = fetch_symbols()
                r.set("symbols:all", raw, ex=86400)
            return raw

        def menu(site):
            try:
                items = r.get(f"menu:{site}")
            except redis.RedisError:
                items = []
            if not items:  # expect: CL001
                items = load_menu(site)
                r.set(f"menu:{site}", items, ex=600)
            return items

        def page(slug, fresh=False):
            if not fresh:
                html = r.get(f"page:{slug}")
            else:
                html = None
            if not html:  # expect: CL001
                html = render_page(slug)
                r.set(f"page:{slug}", html, ex=600)
            return html
        """,
        # a helper of this module reloads and fills the cache on a miss
        """
        from django.core.cache import cache

        def _rebuild(pk):
            report = build_report(pk)
            cache.set(f"report:{pk}", report, 600)
            return report

        def report(pk):
            cached = cache.get(f"report:{pk}")
            if not cached:  # expect: CL001
                return _rebuild(pk)
            return cached

        def warm(pk):
            if not cache.get(f"report:{pk}"):  # expect: CL001
                _rebuild(pk)

        class Reports:
            def get(self, pk):
                cached = cache.get(f"summary:{pk}")
                if not cached:  # expect: CL001
                    return self._rebuild(pk)
                return cached

            def _rebuild(self, pk):
                summary = build_summary(pk)
                cache.set(f"summary:{pk}", summary, 600)
                return summary
        """,
        # a dict cache written with a non-empty tuple here, and with something else there
        """
        import time

        import requests

        _FEED_CACHE = {}

        def feed(url):
            cached = _FEED_CACHE.get(url)
            if not cached:  # expect: CL001
                cached = requests.get(url).json()
                _FEED_CACHE[url] = cached
            return cached

        def stamped(url):
            _FEED_CACHE[url] = (time.monotonic(), requests.get(url).json())
        """,
        # Django: the falsy branch reloads and fills the cache.
        """
        from django.core.cache import cache, caches

        def archive(year):
            months = cache.get(f"archive:{year}")
            if not months:  # expect: CL001
                months = load_months(year)
                cache.set(f"archive:{year}", months, 600)
            return months

        def authors():
            names = caches["long"].get("authors:all")
            if names:  # expect: CL001
                return names
            names = load_authors()
            caches["long"].set("authors:all", names, 3600)
            return names

        async def stats(pk):
            data = await cache.aget(f"stats:{pk}")
            if not data or data["version"] != 2:  # expect: CL001
                data = await compute_stats(pk)
                await cache.aset(f"stats:{pk}", data, 60)
            return data
        """,
        # redis-py, sync and asyncio: the truthy branch returns the cached value.
        """
        import json
        import redis
        from redis.asyncio import Redis

        r = redis.Redis(decode_responses=True)
        ar = Redis.from_url("redis://localhost")

        def room(room_id):
            raw = r.get(f"room:{room_id}")
            if raw:  # expect: CL001
                return json.loads(raw)
            data = load_room(room_id)
            r.set(f"room:{room_id}", json.dumps(data), ex=60)
            return data

        async def members(room_id):
            if raw := await ar.get(f"members:{room_id}"):  # expect: CL001
                return json.loads(raw)
            return await load_members(room_id)

        def score(player):
            if not r.get(f"score:{player}"):  # expect: CL001
                r.set(f"score:{player}", compute_score(player), ex=30)
        """,
        # `or` with a fallback that loads, and a conditional expression.
        """
        from flask_caching import Cache

        cache = Cache()

        def tally(survey_id):
            return cache.get(f"tally:{survey_id}") or count_votes(survey_id)  # expect: CL001

        def summary(survey_id):
            cached = cache.get(f"summary:{survey_id}")
            return cached if cached else build_summary(survey_id)  # expect: CL001

        def title(survey_id):
            cached = cache.get(f"title:{survey_id}", None)
            return cached or DEFAULT_TITLE  # expect: CL001

        def quota(plan):
            return cache.get(f"quota:{plan}") or 100  # expect: CL001
        """,
        # memcache clients, diskcache, aiocache, dict caches.
        """
        import diskcache
        import memcache
        from aiocache import Cache
        from pymemcache.client.base import Client

        mc = Client(("memcached", 11211))
        legacy = memcache.Client(["127.0.0.1:11211"])
        disk = diskcache.Cache("/tmp/cache")
        aio = Cache(Cache.REDIS)
        _RATE_CACHE = {}

        def company(symbol):
            data = mc.get(f"company:{symbol}")
            if not data:  # expect: CL001
                data = fetch_company(symbol)
                mc.set(f"company:{symbol}", data, expire=3600)
            return data

        def forecast(city):
            data = legacy.get(f"forecast:{city}")
            if data:  # expect: CL001
                return data
            data = fetch_forecast(city)
            legacy.set(f"forecast:{city}", data, time=600)
            return data

        def thumbnail(path):
            data = disk.get(f"thumb:{path}", default=[])
            if not data:  # expect: CL001
                data = render_thumbnail(path)
                disk.set(f"thumb:{path}", data, expire=86400)
            return data

        async def quote(symbol):
            price = await aio.get(f"quote:{symbol}")
            if not price:  # expect: CL001
                price = await fetch_price(symbol)
                await aio.set(f"quote:{symbol}", price, ttl=5)
            return price

        def rate(currency):
            if not _RATE_CACHE.get(currency):  # expect: CL001
                _RATE_CACHE[currency] = fetch_rate(currency)
            return _RATE_CACHE[currency]
        """,
        # A sorted set member's score: None when absent, and 0 is a score.
        """
        import redis

        r = redis.Redis()

        def reputation(user_id):
            score = r.zscore("reputation", user_id)
            if not score:  # expect: CL001
                score = compute_reputation(user_id)
                r.zadd("reputation", {user_id: score})
            return score
        """,
    ]

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        reported: set[cst.CSTNode] = set()
        paths = _Paths(model)
        never_falsy = _dict_caches_never_falsy(model)
        for test in model.truth_tests:
            if test.context in reported:
                continue
            read = _cached_read(model, test, never_falsy)
            if read is None:
                continue
            finding = _judge(model, paths, test, read)
            if finding is not None:
                reported.add(test.context)
                yield finding


@dataclass(frozen=True)
class _Read:
    """A single-value cache read whose result a truth test looks at."""

    op: CacheOp
    name: str | None  # the variable that holds the result; None when the read is tested directly
    # What a miss gives when it is falsy but not None: a default (`get(k, [])`), or an
    # `except` fallback (`x = []`) when the read fails.
    default: cst.BaseExpression | None

    def describe(self, model: ModuleModel) -> str:
        node = self.op.node
        shown = f"{model.code(node.func)}()" if isinstance(node, cst.Call) else f"{model.code(node.value)}[...]"
        return f"`{shown}` ({self.op.library.label})"

    @property
    def fixable(self) -> bool:
        return self.default is None and self.op.spec.miss == "None"

    def advice(self, model: ModuleModel, tested: str | None, negated: bool) -> str:
        """What to write instead; `tested` is how to name the result (None: "the result")."""
        if self.default is not None:
            return (f"a miss gives `{model.code(self.default)}`, which looks like a cached value; read with a "
                    f"sentinel default and compare with `is`")
        if self.op.spec.miss is None:
            return "a miss raises KeyError here: test `key in cache` instead"
        comparison = f"is {'' if negated else 'not '}{self.op.spec.miss}"
        return f"test `{tested} {comparison}` instead" if tested else f"compare the result with `{comparison}` instead"


def _cached_read(model: ModuleModel, test: TruthTest, never_falsy: set[str]) -> _Read | None:
    """The cache read whose result `test` looks at: the read itself, or a variable bound to
    it; None for a read of a dict cache in `never_falsy`."""
    subject, name, fallback = test.subject, None, None
    if isinstance(subject, cst.NamedExpr) and isinstance(subject.target, cst.Name):
        subject, name = subject.value, subject.target.value
    elif isinstance(subject, cst.Name):
        binding = model.binding_of(subject, test.scope, test.order)
        if binding is None or binding.kind != "assign" or binding.scope is not test.scope:
            return None
        read = _read_behind_fallback(model, test.scope, subject.value, binding)
        if read is not binding and not _is_none(binding.value):
            fallback = binding.value  # `except …: x = []`: `x is None` would take it for a hit
        subject, name = read.value, subject.value
    op = model.op_at(subject)
    if op is None or op.kind is not Kind.READ or not op.spec.single_value or op.client.is_pipeline:
        return None
    if op.library is DICT_CACHE and _receiver(model, op) in never_falsy:
        return None
    default = find_argument(op.call, op.spec.default) if op.call is not None and op.spec.default else None
    if default is MAYBE:
        return None
    if default is None or _is_none(default):
        return _Read(op, name, fallback)
    if _constant_truth(default) is False:  # `get(k, [])`: a miss looks like a cached []
        return _Read(op, name, default)
    return None  # a sentinel default tells a miss apart


def _read_behind_fallback(model: ModuleModel, scope: Scope, name: str, binding: Binding) -> Binding:
    """`try: x = r.get(k)` / `except RedisError: x = None` (or `[]`), or `if use_cache: x =
    r.get(k)` / `else: x = None`: the other way falls back to a falsy value as a miss does, so a
    test of `x` still looks at the read."""
    if _constant_truth(binding.value) is not False:
        return binding
    earlier = [b for b in scope.bindings[name] if b.order < binding.order]
    if not earlier or earlier[-1].kind != "assign":
        return binding
    read = earlier[-1]
    function = scope.function.node if scope.function is not None else model.module
    for block, others in _alternatives(function):
        if _within(model, read.order, block) and any(_within(model, binding.order, other) for other in others):
            return read
    return binding


def _alternatives(node: cst.CSTNode) -> Iterator[tuple[cst.CSTNode, Sequence[cst.CSTNode]]]:
    """Each block under `node` with the blocks that run instead of it: a `try` body and its
    handlers, an `if` body and its `else`/`elif`."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Try):
            yield node.body, node.handlers
        elif isinstance(node, cst.If) and node.orelse is not None:
            yield node.body, (node.orelse,)
        stack.extend(children(node))


def _within(model: ModuleModel, order: int, node: cst.CSTNode) -> bool:
    """`order` (a binding's: its statement's end) falls in `node`, its end included."""
    span = model.spans[node]
    return span.start <= order <= span.start + span.length


def _dict_caches_never_falsy(model: ModuleModel) -> set[str]:
    """The module-level dict caches that every write of the module fills with a non-empty
    tuple, list, set or dict display (`_CACHE[k] = (stamp, value)`): no cached entry is
    falsy. Other caches may be written elsewhere, with anything."""
    filled: dict[str, bool] = {}
    for write in model.ops:
        if write.kind is Kind.WRITE and write.library is DICT_CACHE:
            receiver = _receiver(model, write)
            filled[receiver] = filled.get(receiver, True) and _non_empty_display(write.value)
    return {receiver for receiver, non_empty in filled.items() if non_empty}


def _receiver(model: ModuleModel, op: CacheOp) -> str:
    node = op.node
    return model.code(node.func.value if isinstance(node, cst.Call) else node.value)


def _non_empty_display(value: cst.BaseExpression | None) -> bool:
    return (isinstance(value, (cst.Tuple, cst.List, cst.Set, cst.Dict)) and bool(value.elements)
            and not any(isinstance(e, (cst.StarredElement, cst.StarredDictElement)) for e in value.elements))


# ---------------------------------------------------------------------- does the test decide?


def _judge(model: ModuleModel, paths: "_Paths", test: TruthTest, read: _Read) -> Finding | None:
    context = test.context
    if isinstance(context, cst.If):
        if not paths.if_decides(test, read, context):
            return None
        return _finding(model, test, read, context.test, "if {}:")
    if isinstance(context, cst.IfExp):
        truthy, falsy = (context.orelse, context.body) if test.negated else (context.body, context.orelse)
        if _constant_truth(falsy) is False:
            return None
        if not (_has_call(falsy) or (read.name is not None and _mentions(truthy, read.name))):
            return None
        return _finding(model, test, read, context.test, "… if {} else …")
    if isinstance(context, cst.BooleanOperation) and isinstance(context.operator, cst.Or) and not test.negated:
        fallbacks = _or_fallbacks(context, test.subject)
        if not fallbacks or all(_constant_truth(f) is False for f in fallbacks):
            return None
        shown = _short(model.code(context))
        message = (f"`{shown}` takes a cached falsy value {_FALSY} from {read.describe(model)} for a miss "
                   f"and uses the fallback instead; {read.advice(model, read.name, True)}")
        return Finding(context, test.statement, message)
    return None  # while loops wait for a value; `x and f(x)` passes a falsy value through


def _finding(model: ModuleModel, test: TruthTest, read: _Read, test_node: cst.BaseExpression, shape: str) -> Finding:
    tested = read.name or _short(model.code(test.subject))
    # Quote the test when it is the read alone; in a longer condition, only the part tested.
    shown = shape.format(_short(model.code(test_node))) if _tested_alone(test, test_node) else tested
    message = (f"`{shown}` takes a cached falsy value {_FALSY} from "
               f"{read.describe(model)} for a miss, so it is recomputed on every call; "
               f"{read.advice(model, tested, test.negated)}")
    return Finding(test_node, test.statement, message, _fix(model, test, read, test_node))


def _fix(model: ModuleModel, test: TruthTest, read: _Read, test_node: cst.BaseExpression) -> FixSuggestion | None:
    """`if not x:` -> `if x is None:`, `if x:` -> `if x is not None:`, for a test of the read alone."""
    if not read.fixable or not _tested_alone(test, test_node):
        return None
    inner = test_node.expression if test.negated else test_node
    tested = model.code(inner)
    if isinstance(inner, cst.NamedExpr) and not inner.lpar:  # `if x := r.get(k):`
        tested = f"({tested})"
    code = f"{tested} is {'' if test.negated else 'not '}None"
    if test_node.lpar:
        code = f"({code})"
    return FixSuggestion(f"Replace with `{code}`", (Replacement(test_node, code),))


class _Paths:
    """What an `if` runs when the cached value is truthy, and when it is falsy (as byte ranges)."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self._uses: dict[cst.CSTNode, _Uses] = {}
        # Where the module writes a computed value to a cache, in source order: a constant is
        # a flag or a lock (`set("lock:x", "1")`), not a fill.
        self._fills = [
            op for op in model.ops
            if op.kind is Kind.WRITE and op.value is not None and _constant_truth(op.value) is None
        ]
        self._fill_orders = [op.order for op in self._fills]
        self._call_orders = [site.order for site in model.calls]

    def if_decides(self, test: TruthTest, read: _Read, node: cst.If) -> bool:
        body = [self._range(node.body)]
        other = [self._range(node.orelse)] if node.orelse is not None else []
        if _exits(node.body):  # `if cached: return cached` — what follows runs on a miss
            other.append((self._end(node), self._end(self._function_node(test))))
        truthy, falsy = (other, body) if test.negated else (body, other)
        fills = any(self._fills_in(read.op, start, end) for start, end in falsy) or self._helper_fills(read.op, falsy)
        if read.name is None:  # `if not cache.get(k): cache.set(k, ...)`, not one part of a longer test
            return fills and _tested_alone(test, node.test)
        # Bound again where the miss does work: `x = load()`, not a fallback at hand (`x = default`).
        if self._reloads(test, read.name, falsy) and (fills or self._uses_in(test).calls_in(falsy)):
            return True
        # Otherwise the cached value must be used on a hit, and a miss must do work: fill the
        # cache, or load something. `if not token: abort(401)` is a guard clause, not a load.
        loads = fills or (not test.negated and self._uses_in(test).calls_in(falsy))
        return loads and self._uses_in(test).mentions(read.name, truthy)

    def _fills_in(self, read: CacheOp, start: int, end: int) -> bool:
        """A fill between `start` and `end` that may write the key read (not `fail:{ip}` for `token:{t}`)."""
        first, last = bisect_left(self._fill_orders, start), bisect_left(self._fill_orders, end)
        return any(not _apart(self.model, read, fill) for fill in self._fills[first:last])

    def _helper_fills(self, read: CacheOp, ranges) -> bool:
        """A call there to a function of this module that fills the cache (`return _rebuild(pk)`)."""
        calls = self.model.calls
        sites = (calls[i] for start, end in ranges
                 for i in range(bisect_left(self._call_orders, start), bisect_left(self._call_orders, end)))
        for site in sites:
            function = self._callee(site.node.func, site.scope, site.order)
            if function is not None and self._fills_in(read, *self._range(function)):
                return True
        return False

    def _callee(self, func: cst.BaseExpression, scope: Scope, order: int) -> cst.FunctionDef | None:
        """The function of this module that `func(...)` calls: `helper(...)`, or `self.helper(...)`."""
        binding = None
        if isinstance(func, cst.Name):
            binding = self.model.binding_of(func, scope, order)
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            method = scope.function
            if method is not None and method.owner is not None and func.value.value == method.self_name:
                found = method.owner.bindings.get(func.attr.value, ())
                binding = found[-1] if len(found) == 1 else None
        if binding is not None and binding.kind == "def" and isinstance(binding.value, cst.FunctionDef):
            return binding.value
        return None

    @staticmethod
    def _reloads(test: TruthTest, name: str, ranges) -> bool:
        """The variable is bound again (`x = load()`, `x, y = load()`) to something not constant.
        A binding's order is where its statement ends, which for a block's last statement is
        where the block ends."""
        return any(
            binding.kind in ("assign", "other") and any(start <= binding.order <= end for start, end in ranges)
            and not (binding.kind == "assign" and _constant_truth(binding.value) is not None)
            for binding in test.scope.bindings.get(name, ())
        )

    def _uses_in(self, test: TruthTest) -> "_Uses":
        function = self._function_node(test)
        if function not in self._uses:
            uses = _Uses(self.model, function if isinstance(function, cst.Module) else function.body)
            self._uses[function] = uses
        return self._uses[function]

    def _function_node(self, test: TruthTest) -> cst.CSTNode:
        function = test.scope.function
        return function.node if function is not None else self.model.module

    def _range(self, node: cst.CSTNode) -> tuple[int, int]:
        return self.model.spans[node].start, self._end(node)

    def _end(self, node: cst.CSTNode) -> int:
        if node is self.model.module:
            return len(self.model.source)
        span = self.model.spans[node]
        return span.start + span.length


class _Uses:
    """Where one function body reads each variable and calls anything that may load a value
    (not in nested functions): building an exception to raise, aborting or logging loads nothing."""

    def __init__(self, model: ModuleModel, body: cst.CSTNode) -> None:
        self.names: dict[str, list[int]] = {}
        self.calls: list[int] = []
        stack: list[tuple[cst.CSTNode, bool]] = [(body, True)]
        while stack:
            node, loads = stack.pop()
            kind = type(node)
            if kind is cst.FunctionDef or kind is cst.ClassDef:
                continue
            if kind is cst.Attribute or kind is cst.Arg:
                # `obj.name` does not read the variable `name`, nor does the keyword in `f(name=1)`.
                stack.append((node.value, loads))
                continue
            if kind is cst.Name:
                self.names.setdefault(node.value, []).append(model.spans[node].start)
            elif kind is cst.Raise or (kind is cst.Return and _error_response(node.value)):
                loads = False
            elif kind is cst.Call:
                loads = loads and not _loads_nothing(node)
                if loads:
                    self.calls.append(model.spans[node].start)
            stack.extend((child, loads) for child in children(node))

    def mentions(self, name: str, ranges) -> bool:
        return any(_inside(offset, ranges) for offset in self.names.get(name, ()))

    def calls_in(self, ranges) -> bool:
        return any(_inside(offset, ranges) for offset in self.calls)


# ---------------------------------------------------------------------- small helpers


def _apart(model: ModuleModel, read: CacheOp, write: CacheOp) -> bool:
    """The two keys cannot be the same: every shape of each starts with constant text that
    neither starts the other's (`reset:{token}` and `reset-fail:{ip}`)."""
    reads, writes = model.key_shapes(read), model.key_shapes(write)
    return bool(reads and writes) and all(_prefixes_apart(a, b) for a in reads for b in writes)


def _prefixes_apart(a: KeyShape, b: KeyShape) -> bool:
    if a.constant and b.constant:
        return a.prefix != b.prefix
    p, q = a.prefix, b.prefix
    return bool(p and q) and not p.startswith(q) and not q.startswith(p)


def _inside(offset: int, ranges) -> bool:
    return any(start <= offset < end for start, end in ranges)


def _exits(block: cst.BaseSuite) -> bool:
    last = block.body[-1] if block.body else None
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1]
    return isinstance(last, _EXITS)


def _loads_nothing(call: cst.Call) -> bool:
    """`logger.info(…)`, `self.log.warning(…)`, `logging.debug(…)`, `print(…)`, `abort(404)`,
    which raises, and an error response (`JsonResponse({...}, status=410)`)."""
    func = call.func
    if isinstance(func, cst.Name) and func.value in ("print", "abort"):
        return True
    if any(arg.keyword is not None and arg.keyword.value in ("status", "status_code") and _error_status(arg.value)
           for arg in call.args):
        return True
    if not isinstance(func, cst.Attribute):
        return False
    receiver = func.value  # `logger`, `self.log`
    if isinstance(receiver, cst.Attribute):
        receiver = receiver.attr
    return isinstance(receiver, cst.Name) and receiver.value.lower().lstrip("_") in _LOGGERS


def _error_response(value: cst.BaseExpression | None) -> bool:
    """`return jsonify(error=...), 404`: Flask's (body, status) with an error status."""
    return isinstance(value, cst.Tuple) and len(value.elements) >= 2 and _error_status(value.elements[1].value)


def _error_status(expr: cst.BaseExpression) -> bool:
    """`404`, DRF's `status.HTTP_410_GONE`."""
    if isinstance(expr, cst.Integer):
        return 400 <= int(expr.value) < 600
    return isinstance(expr, cst.Attribute) and expr.attr.value.startswith(("HTTP_4", "HTTP_5"))


def _or_fallbacks(node: cst.BooleanOperation, subject: cst.BaseExpression) -> list[cst.BaseExpression]:
    """In `a or b or c`, what is used when `subject` (one of the operands) is falsy."""
    operands: list[cst.BaseExpression] = []

    def flatten(expr: cst.BaseExpression) -> None:
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or) and not expr.lpar:
            flatten(expr.left)
            flatten(expr.right)
        else:
            operands.append(expr)

    flatten(node)
    for index, operand in enumerate(operands):
        if _strip_await(operand) is subject:
            return operands[index + 1:]
    return []


def _tested_alone(test: TruthTest, test_node: cst.BaseExpression) -> bool:
    """The whole test is the subject, or `not` the subject."""
    if test.negated:
        if not (isinstance(test_node, cst.UnaryOperation) and isinstance(test_node.operator, cst.Not)):
            return False
        test_node = test_node.expression
    return _strip_await(test_node) is test.subject


def _strip_await(expr: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(expr, cst.Await):
        expr = expr.expression
    return expr


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def _constant_truth(expr: cst.BaseExpression) -> bool | None:
    """The truthiness of a literal constant (`0`, `""`, `[]`, `True`…); None when `expr` is not one."""
    if isinstance(expr, cst.Name) and expr.value in ("None", "False", "True"):
        return expr.value == "True"
    if isinstance(expr, (cst.Integer, cst.Float, cst.SimpleString)):
        return bool(expr.evaluated_value)
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        return _constant_truth(expr.expression)
    if isinstance(expr, (cst.List, cst.Tuple, cst.Dict, cst.Set)) and not expr.elements:
        return False
    if isinstance(expr, cst.Call) and not expr.args and isinstance(expr.func, cst.Name):
        return False if expr.func.value in _EMPTY_CONSTRUCTORS else None
    return None


def _mentions(node: cst.CSTNode, name: str) -> bool:
    if isinstance(node, cst.Name):
        return node.value == name
    if isinstance(node, cst.Attribute):  # `obj.name` is not the variable `name`
        return _mentions(node.value, name)
    if isinstance(node, cst.Arg):  # nor is the keyword in `f(name=1)`
        return _mentions(node.value, name)
    return any(_mentions(child, name) for child in children(node))


def _has_call(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Call) or any(_has_call(child) for child in children(node))


def _short(code: str, limit: int = 60) -> str:
    code = " ".join(code.split())
    return code if len(code) <= limit else code[: limit - 1] + "…"
