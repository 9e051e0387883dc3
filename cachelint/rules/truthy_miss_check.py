"""CL001 truthy-miss-check: a cache read's result decides hit or miss by truthiness."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from cachelint.model import (
    MAYBE,
    CacheOp,
    Falsy,
    Kind,
    ModuleModel,
    Scope,
    TruthTest,
    argument_for,
    constant_truth,
    find_argument,
    has_call,
    is_none,
    mentions,
    or_fallbacks,
    rebound_in,
    receiver_spelling,
)
from cachelint.model.libraries.memoizers import DICT_CACHE
from cachelint.rules.base import Finding, FixSuggestion, Replacement, Rule, RuleContext


class TruthyMissCheck(Rule):
    """
    ## What it does
    Flags a cache read whose result decides hit or miss by its truthiness:
    `if not cached:`, `if cache.get(key):`, `cache.get(key) or load()`,
    `a if cached else b`, when the falsy side loads the value or fills the cache,
    or the truthy side uses the cached value, and a write of the module can store a
    falsy value under that key: a collection that can be empty (`list(...)`, a query,
    `result = {}` filled in a loop), a count or size, a lookup that can find nothing
    (`.first()`, `fetchone()`, `dict.get`), `json.loads`, a string that can be empty. The
    value is judged as the client gives it back: redis-py returns bytes, so a stored `0`
    reads as `b"0"` and only an empty string is falsy there. The message names the write.
    The evidence is followed through the module's functions: a helper that gives the read
    back as it is (`data = cls.get_cached_data()`), and a helper that stores its parameter,
    whose value is what the module's calls of it pass (`cls.cache_data(data[:10])` after
    `data = cls.get_fresh_data()`, a list filled in a loop that may not run).

    Not flagged when every value stored under the key is truthy (a model instance from
    `.get()`/`get_object_or_404`/`create`, a non-empty display, an instance of a class of
    the module, a response, a token, `json.dumps(...)` on Redis), or is made truthy on its
    way to the store (`if not ids: cache.add(k, EMPTY); return` before `cache.add(k, ids)`;
    `if not body: body = render()`; a dict given a key on every path), or when the module
    stores nothing under it that says what it holds: an HTTP body (`.json()`), a
    collection drawn from a fixed table rather than from the function's input or a query.

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
    for `or` expressions, when the read's miss value is not `None`, or when `None` itself
    can be stored (`.first()`): the message offers the sentinel pattern instead.
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
            # Nothing falsy is ever stored under the key: a model instance, a non-empty dict, a
        # token, a response, JSON text on Redis (a stored `0` would read back as `b"0"`).
        """
        import json
        import secrets

        import redis
        from django.core.cache import cache
        from django.http import HttpResponse
        from django.shortcuts import get_object_or_404

        from .models import Author, Product

        r = redis.Redis()

        def product(pk):
            found = cache.get(f"product:{pk}")
            if not found:
                found = Product.objects.select_related("brand").get(pk=pk)
                cache.set(f"product:{pk}", found, 300)
            return found

        def author_card(author_id):
            card = cache.get(f"author:{author_id}:card")
            if not card:
                author = get_object_or_404(Author, pk=author_id)
                card = {"id": author.pk, "name": author.name}
                cache.set(f"author:{author_id}:card", card, 600)
            return card

        def csrf_token(session_id):
            token = cache.get(f"csrf:{session_id}")
            if not token:
                token = secrets.token_urlsafe(32)
                cache.set(f"csrf:{session_id}", token, 3600)
            return token

        def page(slug):
            response = cache.get(f"page:{slug}")
            if not response:
                response = HttpResponse(render_page(slug))
                cache.set(f"page:{slug}", response, 60)
            return response

        def members(room_id):
            raw = r.get(f"members:{room_id}")
            if raw:
                return json.loads(raw)
            names = list(load_members(room_id))
            r.set(f"members:{room_id}", json.dumps(names), ex=60)
            return names
        """,
        # Every store is truthy on its way: an empty answer is stored as a sentinel and the
        # guard leaves first; a falsy value is replaced before the store; a dict gets a key on
        # every path; a generated code; an HTTP document (what a service answers is unknown);
        # a list drawn from a fixed table, empty only if the whole table were.
        """
        import json
        import random
        import string

        import requests
        from django.core.cache import cache

        NOTHING = "-"
        CURRENCIES = {"EUR": "Euro", "USD": "US dollar"}

        def member_ids(team):
            found = cache.get(f"team:{team.pk}:members")
            if found == NOTHING:
                return set()
            if found:
                return found
            ids = set(team.members.values_list("pk", flat=True))
            if not ids:
                cache.add(f"team:{team.pk}:members", NOTHING)
                return set()
            cache.add(f"team:{team.pk}:members", ids)
            return ids

        def chart(request, key, use_cache):
            body = None
            if use_cache:
                body = cache.get(f"chart:{key}")
                if body:
                    return body
            if request.GET.get("format") == "csv":
                body = render_csv(request)
            if not body:
                body = render_image(request)
            cache.set(f"chart:{key}", body, 60)
            return body

        def listing(request):
            listing = cache.get(f"listing:{request.path}")
            if listing:
                return listing
            listing = {}
            listing["style"] = request.GET.get("style")
            for event in upcoming(request):
                listing[event.pk] = event.name
            cache.set(f"listing:{request.path}", listing, 30)
            return listing

        def invite_code(email):
            code = cache.get(f"invite:{email}")
            if not code:
                code = "".join(random.choice(string.ascii_uppercase + string.digits) for _ in range(16))
                cache.set(f"invite:{email}", code, 7200)
            return code

        def discovery(issuer):
            document = cache.get(f"oidc:{issuer}")
            if not document:
                document = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
                cache.set(f"oidc:{issuer}", document, 3600)
            return document

        def currency_names(language):
            names = cache.get(f"currencies:{language}")
            if names:
                return names
            names = []
            for code, name in CURRENCIES.items():
                if translate(name, language):
                    names.append((code, translate(name, language)))
            names = sorted(names)
            cache.set(f"currencies:{language}", names, 86400)
            return names
        """,
    ]

    INVALID = [
        # the reload is the last statement of the falsy branch; the fill comes after the `if`
        """
        import json

        import requests
        from django.core.cache import cache

        def report(k):
            data = cache.get(k)
            if not data:  # expect: CL001
                data = list(compute(k))
            cache.set(k, data, 60)
            return data

        def feed(url):
            cached = cache.get(url)
            if not cached:  # expect: CL001
                cached = json.loads(requests.get(url, timeout=5).text)
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
                raw = ",".join(fetch_symbols())
                r.set("symbols:all", raw, ex=86400)
            return raw

        def menu(site):
            try:
                items = r.get(f"menu:{site}")
            except redis.RedisError:
                items = []
            if not items:  # expect: CL001
                items = load_menu(site).strip()
                r.set(f"menu:{site}", items, ex=600)
            return items

        def page(slug, fresh=False):
            if not fresh:
                html = r.get(f"page:{slug}")
            else:
                html = None
            if not html:  # expect: CL001
                html = render_page(slug).strip()
                r.set(f"page:{slug}", html, ex=600)
            return html
        """,
        # a helper of this module reloads and fills the cache on a miss
        """
        from django.core.cache import cache

        def _rebuild(pk):
            report = list(build_report(pk))
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
                summary = dict(build_summary(pk))
                cache.set(f"summary:{pk}", summary, 600)
                return summary
        """,
        # a dict cache written with a non-empty tuple here, and with something else there
        """
        import json
        import time

        import requests

        _FEED_CACHE = {}

        def feed(url):
            cached = _FEED_CACHE.get(url)
            if not cached:  # expect: CL001
                cached = json.loads(requests.get(url).text)
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
                months = list(load_months(year))
                cache.set(f"archive:{year}", months, 600)
            return months

        def authors():
            names = caches["long"].get("authors:all")
            if names:  # expect: CL001
                return names
            names = sorted(Author.objects.values_list("name", flat=True))
            caches["long"].set("authors:all", names, 3600)
            return names

        async def stats(pk):
            data = await cache.aget(f"stats:{pk}")
            if not data or data["version"] != 2:  # expect: CL001
                data = dict(await compute_stats(pk))
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
            raw = r.get(f"room:{room_id}:topic")
            if raw:  # expect: CL001
                return raw
            topic = load_room(room_id).topic.strip()
            r.set(f"room:{room_id}:topic", topic, ex=60)
            return topic

        async def members(room_id):
            if raw := await ar.get(f"members:{room_id}"):  # expect: CL001
                return raw.split(",")
            names = await load_members(room_id)
            await ar.set(f"members:{room_id}", ",".join(names), ex=60)
            return names

        def nickname(player):
            if not r.get(f"nick:{player.id}"):  # expect: CL001
                r.set(f"nick:{player.id}", player.nickname.strip(), ex=30)
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

        def refresh(survey_id, plan):
            votes = Vote.objects.filter(survey_id=survey_id)
            cache.set(f"tally:{survey_id}", votes.count(), 300)
            cache.set(f"summary:{survey_id}", list(votes.values("choice")), 300)
            cache.set(f"title:{survey_id}", Survey.objects.get(pk=survey_id).title.strip(), 300)
            cache.set(f"quota:{plan}", Plan.objects.filter(name=plan).count(), 300)
        """,
        # memcache clients, diskcache, aiocache, dict caches.
        """
        import json

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
                data = json.loads(fetch_company(symbol))
                mc.set(f"company:{symbol}", data, expire=3600)
            return data

        def forecast(city):
            data = legacy.get(f"forecast:{city}")
            if data:  # expect: CL001
                return data
            data = json.loads(fetch_forecast(city))
            legacy.set(f"forecast:{city}", data, time=600)
            return data

        def thumbnail(path):
            data = disk.get(f"thumb:{path}", default=[])
            if not data:  # expect: CL001
                data = list(render_thumbnails(path))
                disk.set(f"thumb:{path}", data, expire=86400)
            return data

        async def quote(symbol):
            price = await aio.get(f"quote:{symbol}")
            if not price:  # expect: CL001
                price = len(await fetch_trades(symbol))
                await aio.set(f"quote:{symbol}", price, ttl=5)
            return price

        def rate(currency):
            if not _RATE_CACHE.get(currency):  # expect: CL001
                _RATE_CACHE[currency] = json.loads(fetch_rate(currency))
            return _RATE_CACHE[currency]
        """,
        # A sorted set member's score: None when absent, and 0 is a score.
    ]

    INVALID += [
        # A dict that starts empty and is filled in a loop that may not run; a lookup whose
        # `None` is itself cached, where only a sentinel tells it from a miss.
        """
        from django.core.cache import cache

        from .models import Rating, Profile

        def ratings(symbol):
            cached = cache.get(f"ratings:{symbol}")
            if not cached:  # expect: CL001
                cached = {}
                for rating in Rating.objects.filter(symbol=symbol):
                    cached[rating.firm] = rating.grade
                cache.set(f"ratings:{symbol}", cached, 1800)
            return cached

        def tags(post_id):
            names = cache.get(f"tags:{post_id}")
            if not names:  # expect: CL001
                names = []
                for tag in fetch_tags(post_id):
                    names.append(tag.name)
                if not names:
                    log.info("no tags for %s", post_id)
                cache.set(f"tags:{post_id}", names, 600)
            return names

        def profile(user_id):
            found = cache.get(f"profile:{user_id}")
            if found is None or not found:  # expect: CL001
                found = Profile.objects.filter(user_id=user_id).first()
                cache.set(f"profile:{user_id}", found, 600)
            return found
        """,
    ]

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        reported: set[cst.CSTNode] = set()
        never_falsy = model.dict_caches_never_falsy()
        reads = frozenset(op.node for op in model.ops if op.kind is Kind.READ)  # what the cache held already
        for test in model.truth_tests:
            if test.context in reported:
                continue
            read = _cached_read(model, test, never_falsy)
            if read is None:
                continue
            read = _with_stored(model, read, reads)
            if read is None:
                continue  # nothing falsy is ever stored under the key: a falsy result is a miss
            finding = _judge(model, test, read)
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
    # The evidence: a write of the module that can store a falsy value under the key, and
    # the kinds of falsy value all of them can store.
    store: CacheOp | None = None
    falsy: frozenset[Falsy] = frozenset()

    def stored(self, model: ModuleModel) -> str:
        """`0 or empty collection, which `list(…)` (line 41) can store`; only a read with
        the evidence (`_with_stored`) is reported."""
        store = self.store
        assert store is not None and store.value is not None, "reported only with a write that can store a falsy value"
        kinds = [kind.value for kind in Falsy if kind in self.falsy]
        listed = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " or " + kinds[-1]
        value, order = _assigned(model, store)
        return f"{listed}, which `{_short(model.code(value), 50)}` (line {model.location(order).row}) can store,"

    def describe(self, model: ModuleModel) -> str:
        node = self.op.node
        shown = f"{model.code(node.func)}()" if isinstance(node, cst.Call) else f"{model.code(node.value)}[...]"
        return f"`{shown}` ({self.op.library.label})"

    @property
    def fixable(self) -> bool:
        return self.default is None and self.op.spec.miss == "None" and Falsy.NONE not in self.falsy

    def advice(self, model: ModuleModel, tested: str | None, negated: bool) -> str:
        """What to write instead; `tested` is how to name the result (None: "the result")."""
        if Falsy.NONE in self.falsy and self.op.spec.miss == "None":
            return ("`None` is a cached value here too, so `is None` cannot tell it from a miss: read with a "
                    "sentinel default (`get(key, MISSING)`) and compare `is MISSING`")
        if self.default is not None:
            return (f"a miss gives `{model.code(self.default)}`, which looks like a cached value; read with a "
                    f"sentinel default and compare with `is`")
        if self.op.spec.miss is None:
            return "a miss raises KeyError here: test `key in cache` instead"
        comparison = f"is {'' if negated else 'not '}{self.op.spec.miss}"
        return f"test `{tested} {comparison}` instead" if tested else f"compare the result with `{comparison}` instead"


def _cached_read(model: ModuleModel, test: TruthTest, never_falsy: frozenset[str]) -> _Read | None:
    """The cache read whose result `test` looks at: the read itself, or a variable bound to
    it; None for a read of a dict cache in `never_falsy`."""
    subject, name, fallback = test.subject, None, None
    if isinstance(subject, cst.NamedExpr) and isinstance(subject.target, cst.Name):
        name = subject.target.value
        subject = subject.value
    elif isinstance(subject, cst.Name):
        binding = model.binding_of(subject, test.scope, test.order)
        assigned = binding.assigned if binding is not None and binding.scope is test.scope else None
        if binding is None or assigned is None:
            return None
        # The assignment read, `binding` or one before it: an assignment too.
        read = model.branches.assignment_behind_fallback(test.scope, subject.value, binding).assigned
        if read is None:
            return None
        if read is not assigned and not is_none(assigned):
            fallback = assigned  # `except …: x = []`: `x is None` would take it for a hit
        name = subject.value
        subject = read
    op = model.op_at(subject) or _returned_read(model, subject, test.scope)
    if op is None or op.kind is not Kind.READ or not op.spec.single_value or op.client.is_pipeline:
        return None
    if op.library is DICT_CACHE and receiver_spelling(op, model.code) in never_falsy:
        return None
    default = find_argument(op.call, op.spec.default) if op.call is not None and op.spec.default else None
    if default is MAYBE:
        return None
    if default is None or is_none(default):
        return _Read(op, name, fallback)
    if constant_truth(default) is False:  # `get(k, [])`: a miss looks like a cached []
        return _Read(op, name, default)
    return None  # a sentinel default tells a miss apart


def _returned_read(model: ModuleModel, expr: cst.BaseExpression, scope: Scope) -> CacheOp | None:
    """The cache read a call of a function of the module gives back as it is: `cls.cached()`
    where `cached` is `return cache.get(cls.KEY)`."""
    if not isinstance(expr, cst.Call):
        return None
    callee = model.call_resolver.callee(expr.func, scope, model.spans.start(expr))
    info = model.functions.get(callee.function) if callee is not None else None
    if info is None or len(info.returns) != 1 or info.returns[0].value is None:
        return None
    return model.op_at(info.returns[0].value)


def _assigned(model: ModuleModel, store: CacheOp) -> tuple[cst.BaseExpression, int]:
    """What can make the stored value falsy, and where: the assignment of the stored
    variable that can (the first of those that reach the write), narrowed to the operand of
    an `or` or a conditional expression that can; otherwise the stored value itself."""
    value, order = store.value, store.order
    assert value is not None, "a store has a value"
    if isinstance(value, cst.Name):
        for binding in model.reaching.bindings(value.value, store.scope, model.spans.start(value)):
            if binding.kind == "assign" and isinstance(binding.value, cst.BaseExpression) \
                    and model.falsy(binding.value, binding.scope):
                value, order = binding.value, binding.order
                break
    while isinstance(value, (cst.BooleanOperation, cst.IfExp)):
        parts = (value.body, value.orelse) if isinstance(value, cst.IfExp) else (value.left, value.right)
        falsy = [part for part in parts if model.falsy(part, store.scope)]
        if isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or):
            falsy = [value.right]
        if not falsy:
            break
        value = falsy[-1]
    passing = _passing(model, value, store.scope)
    if passing is not None:
        return passing, model.spans.start(passing)
    return value, order


def _passing(model: ModuleModel, value: cst.BaseExpression, scope: Scope) -> cst.Call | None:
    """For a value that is (a slice of) a parameter, the module's call of the function that
    passes a value that can be falsy for it: `cls.cache_data(data[:10])` for `data`."""
    name = value.value if isinstance(value, cst.Subscript) else value
    if not isinstance(name, cst.Name):
        return None
    bindings = scope.bindings.get(name.value, [])
    function = scope.node
    if len(bindings) != 1 or bindings[0].kind != "param" or not isinstance(function, cst.FunctionDef):
        return None
    for call, caller, callee in model.call_resolver.calls_of(function):
        argument = argument_for(call, callee, name.value)
        if argument is not None and model.falsy(argument, caller):
            return call
    return None


def _with_stored(model: ModuleModel, read: _Read, reads: frozenset[cst.CSTNode]) -> _Read | None:
    """`read` with the evidence that a falsy value can be stored under its key, as the
    client gives it back: redis-py returns bytes, so a stored `0` reads as the truthy `b"0"`
    and only an empty string is falsy there. None without such evidence."""
    text_only = read.op.library.store == "redis"
    falsy: frozenset[Falsy] = frozenset()
    first = None
    for store in model.fills.stores_of(read.op):
        if store.value is None:  # a store has a value
            continue
        kinds = model.falsy(store.value, store.scope, known=reads) or frozenset()
        if text_only:
            kinds &= {Falsy.EMPTY_TEXT}
        if kinds and first is None:
            first = store
        falsy |= kinds
    return dataclasses.replace(read, store=first, falsy=falsy) if first is not None else None


# ---------------------------------------------------------------------- does the test decide?


def _judge(model: ModuleModel, test: TruthTest, read: _Read) -> Finding | None:
    context = test.context
    if isinstance(context, cst.If):
        if not _if_decides(model, test, read, context):
            return None
        return _finding(model, test, read, context.test, "if {}:")
    if isinstance(context, cst.IfExp):
        truthy, falsy = (context.orelse, context.body) if test.negated else (context.body, context.orelse)
        if constant_truth(falsy) is False:
            return None
        if not (has_call(falsy) or (read.name is not None and mentions(truthy, read.name))):
            return None
        return _finding(model, test, read, context.test, "… if {} else …")
    if isinstance(context, cst.BooleanOperation) and isinstance(context.operator, cst.Or) and not test.negated:
        fallbacks = or_fallbacks(context, test.subject)
        if not fallbacks or all(constant_truth(f) is False for f in fallbacks):
            return None
        shown = _short(model.code(context))
        message = (f"`{shown}` reads a cached {read.stored(model)} from {read.describe(model)} as a miss "
                   f"and uses the fallback instead; {read.advice(model, read.name, True)}")
        return Finding(context, test.statement, message)
    return None  # while loops wait for a value; `x and f(x)` passes a falsy value through


def _if_decides(model: ModuleModel, test: TruthTest, read: _Read, node: cst.If) -> bool:
    """The `if` takes a falsy cached value for a miss: its falsy side does a miss's work."""
    body, other = model.branches.if_sides(node, test.scope)
    truthy, falsy = (other, body) if test.negated else (body, other)
    fills = model.fills.fills_in(read.op, falsy)
    if read.name is None:  # `if not cache.get(k): cache.set(k, ...)`, not one part of a longer test
        return fills and test.tests_alone(node.test)
    uses = model.branches.uses(test.scope)
    # Bound again where the miss does work: `x = load()`, not a fallback at hand (`x = default`).
    if rebound_in(test.scope, read.name, falsy) and (fills or uses.calls_in(falsy)):
        return True
    # Started again from an empty value and filled: `x = {}`, a loop that adds, then the fill.
    if fills and any(binding.kind == "assign" and any(start <= binding.order <= end for start, end in falsy)
                     for binding in test.scope.bindings.get(read.name, ())):
        return True
    # Otherwise the cached value must be used on a hit, and a miss must do work: fill the
    # cache, or load something. `if not token: abort(401)` is a guard clause, not a load.
    loads = fills or (not test.negated and uses.calls_in(falsy))
    return loads and uses.mentions(read.name, truthy)


def _finding(model: ModuleModel, test: TruthTest, read: _Read, test_node: cst.BaseExpression, shape: str) -> Finding:
    tested = read.name or _short(model.code(test.subject))
    # Quote the test when it is the read alone; in a longer condition, only the part tested.
    shown = shape.format(_short(model.code(test_node))) if test.tests_alone(test_node) else tested
    message = (f"`{shown}` reads a cached {read.stored(model)} from {read.describe(model)} as a miss, "
               f"so it is recomputed on every call; {read.advice(model, tested, test.negated)}")
    return Finding(test_node, test.statement, message, _fix(model, test, read, test_node))


def _fix(model: ModuleModel, test: TruthTest, read: _Read, test_node: cst.BaseExpression) -> FixSuggestion | None:
    """`if not x:` -> `if x is None:`, `if x:` -> `if x is not None:`, for a test of the read alone."""
    if not read.fixable or not test.tests_alone(test_node):
        return None
    inner = test_node.expression if test.negated and isinstance(test_node, cst.UnaryOperation) else test_node
    tested = model.code(inner)
    if isinstance(inner, cst.NamedExpr) and not inner.lpar:  # `if x := r.get(k):`
        tested = f"({tested})"
    code = f"{tested} is {'' if test.negated else 'not '}None"
    if test_node.lpar:
        code = f"({code})"
    return FixSuggestion(f"Replace with `{code}`", (Replacement(test_node, code),))


def _short(code: str, limit: int = 60) -> str:
    code = " ".join(code.split())
    return code if len(code) <= limit else code[: limit - 1] + "…"
