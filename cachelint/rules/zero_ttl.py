"""CL013 zero-ttl: a TTL of zero or less where the client treats it as an error or as do-not-cache."""
from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from cachelint.model import Kind, Meaning, ModuleModel, Scope, Ttl, evaluate_number
from cachelint.model.spec import Library
from cachelint.rules.base import Finding, Rule, RuleContext

# Redis-protocol clients: their errors and deletions are the server's doing.
_SERVERS = {"redis": "Redis", "valkey": "Valkey"}


class ZeroTtl(Rule):
    """
    ## What it does
    Flags a TTL of `0` or less, written as a literal, a constant or `timedelta(0)`,
    passed to a client that treats it as an error, as "do not cache", or as "already
    expired": redis `set(ex=0)`, `px=0`, `setex(k, 0, v)`,
    `expire(k, 0)`; aiocache `ttl=0` on Redis; Django `timeout=0`, `touch(k, 0)` and
    `cache_page(0)` (with `@`, or applied by a call: `cache_page(0)(views.live)` in a
    urls.py); diskcache `expire=0` and `memoize(expire=0)`; a negative memcached expiry.
    The value is followed through locals, class attributes and constants of the module,
    and into the rest of the project: a constant another module binds (`from .conf
    import NO_EXPIRY`), and a Django setting (`settings.CACHE_TTL`) that every settings
    module of the project that sets it sets to zero or less.

    ## Why is this bad?
    Zero means opposite things to different clients. Flask-Caching, cachelib and
    memcached read `0` as "never expires"; Django reads it as "do not cache" (the
    value is never stored, or the key is deleted), Redis rejects `SET ... EX 0` with an
    error, a non-positive `EXPIRE` deletes the key, and diskcache stores the entry
    already expired. Code moved between clients, or written from memory of another
    one, silently stops caching or fails every write.

    Where `0` means "never expires" the write is CL002's business (set-without-ttl),
    not this rule's; fastapi-cache's `expire=0` falls back to the global default and is
    not flagged.

    Not flagged in test code (a file in a `test`, `tests` or `testing` folder of its project,
    or named `test_*.py`, `*_test.py`, `tests.py` or `conftest.py`): a test that passes `0`
    exercises what the client does with it (Django's own cache tests do), and one that
    passes it by mistake fails where it runs, not in production.

    ## Example
    ```python
    from django.core.cache import cache

    def beer_card(beer_id):
        card = cache.get(f"beer:{beer_id}")
        if card is None:
            card = load_card(beer_id)
            cache.set(f"beer:{beer_id}", card, 0)
        return card
    ```

    ## Use instead
    ```python
    from django.core.cache import cache

    def beer_card(beer_id):
        card = cache.get(f"beer:{beer_id}")
        if card is None:
            card = load_card(beer_id)
            cache.set(f"beer:{beer_id}", card, 300)
        return card
    ```
    To remove an entry, call `delete(key)`; to keep it forever, say so the client's
    own way (Django `timeout=None`, redis without `ex`), and expect CL002 to ask why.
    """

    code = "CL013"
    name = "zero-ttl"
    summary = "A TTL of zero or less where the client treats it as an error or as do-not-cache."

    VALID = [
        # Zero means "never expires" here: CL002's business, not CL013's.
        """
        import memcache
        from flask_caching import Cache
        from pymemcache.client.base import Client

        cache = Cache()
        mc = Client(("memcached", 11211))
        legacy = memcache.Client(["127.0.0.1:11211"])

        def store(key, value):
            cache.set(key, value, timeout=0)
            mc.set(key, value, expire=0)
            legacy.set(key, value, time=0)
        """,
        # Positive TTLs, None, omitted, and values the analysis cannot know.
        """
        from datetime import timedelta

        import redis
        from django.core.cache import cache

        r = redis.Redis()
        TTL = 300

        def store(key, value, ttl):
            r.set(key, value, ex=TTL)
            r.setex(key, timedelta(minutes=5), value)
            r.set(key, value, ex=ttl)
            r.expire(key, 60)
            cache.set(key, value, timeout=None)
            cache.set(key, value)
            cache.set(key, value, ttl or 0)
        """,
        # aiocache: 0 is forever in memory (the decorators' default backend), unknown on a
        # configured alias; fastapi-cache: 0 is the global default.
        """
        from aiocache import SimpleMemoryCache, cached
        from fastapi_cache.decorator import cache

        memory = SimpleMemoryCache()

        async def store(key, value):
            await memory.set(key, value, ttl=0)

        @cached(ttl=0, alias="main")
        async def airports():
            return await load_airports()

        @cache(expire=0)
        async def prices():
            return await load_prices()
        """,
        # Positive timeouts through `method_decorator`.
        """
        from django.utils.decorators import method_decorator
        from django.views import View
        from django.views.decorators.cache import cache_page

        @method_decorator(cache_page(300), name="dispatch")
        class TapListView(View):
            def get(self, request):
                return render_taps(request)
        """,
        # A constant rebound at runtime is not a constant.
        """
        import redis

        r = redis.Redis()
        TTL = 0

        def configure(ttl):
            global TTL
            TTL = ttl

        def store(key, value):
            r.set(key, value, ex=TTL)
        """,
        # A class attribute the constructor sets from its argument is not the body's 0.
        """
        from django.core.cache import cache

        class Board:
            timeout = 0

            def __init__(self, timeout):
                self.timeout = timeout

            def refresh(self, lines):
                cache.set("board:lines", lines, self.timeout)
        """,
    ]

    INVALID = [
        # redis-py, sync, asyncio and pipelines; timedelta(0) is 0 too.
        """
        from datetime import timedelta

        import redis
        from redis.asyncio import Redis

        r = redis.Redis()
        ar = Redis()

        def session_card(session_id, raw):
            r.setex(f"session:{session_id}", 0, raw)  # expect: CL013
            r.set(f"clouds:{session_id}", raw, ex=0)  # expect: CL013
            r.set(f"moon:{session_id}", raw, px=-1)  # expect: CL013
            r.set(f"sun:{session_id}", raw, ex=timedelta(0))  # expect: CL013

        def release(session_id):
            r.expire(f"session:{session_id}", 0)  # expect: CL013

        async def touch(session_id, raw):
            await ar.set(f"session:{session_id}", raw, ex=0)  # expect: CL013
            async with ar.pipeline() as pipe:
                await pipe.set(f"seen:{session_id}", 1).expire(f"seen:{session_id}", 0).execute()  # expect: CL013
        """,
        # Django: 0 and negative timeouts mean "do not cache", via a module constant too.
        """
        from django.core.cache import cache, caches
        from django.views.decorators.cache import cache_page

        NO_EXPIRY = 0

        def beer_card(beer_id, card):
            cache.set(f"beer:{beer_id}", card, 0)  # expect: CL013
            caches["long"].set(f"beer:{beer_id}", card, timeout=NO_EXPIRY)  # expect: CL013
            cache.touch(f"beer:{beer_id}", -1)  # expect: CL013

        def styles():
            return cache.get_or_set("beers:styles", load_styles, timeout=0)  # expect: CL013

        async def tours(card):
            await cache.aset("tours:all", card, timeout=-5)  # expect: CL013

        @cache_page(0)  # expect: CL013
        def on_tap(request):
            return render_taps(request)
        """,
        # Django views decorated through `method_decorator`.
        """
        from django.utils.decorators import method_decorator
        from django.views import View
        from django.views.decorators.cache import cache_page
        from django.views.decorators.vary import vary_on_cookie

        @method_decorator(cache_page(0), name="dispatch")  # expect: CL013
        class TapListView(View):
            def get(self, request):
                return render_taps(request)

        @method_decorator([vary_on_cookie, cache_page(timeout=-1)], name="get")  # expect: CL013
        class TourView(View):
            def get(self, request):
                return render_tours(request)

        class BeerView(View):
            @method_decorator(cache_page(0))  # expect: CL013
            def get(self, request, beer_id):
                return render_beer(request, beer_id)
        """,
        # Applied by a call in a urls.py: the TTL alone decides, wherever the view is.
        """
        from django.urls import path
        from django.views.decorators.cache import cache_page

        from . import views

        no_cache = cache_page(0)

        urlpatterns = [
            path("taps/", cache_page(60 * 15)(views.taps)),
            path("live/", cache_page(0)(views.live)),  # expect: CL013
            path("tours/", cache_page(timeout=-1)(views.TourView.as_view())),  # expect: CL013
            path("pulse/", no_cache(views.pulse)),  # expect: CL013
        ]
        """,
        # aiocache on Redis, diskcache, memcached.
        """
        import diskcache
        from aiocache import Cache, RedisCache, cached
        from pymemcache.client.base import Client

        aio = Cache(Cache.REDIS)
        redis_cache = RedisCache()
        disk = diskcache.Cache("/tmp/cache")
        mc = Client(("memcached", 11211))

        async def store(key, value):
            await aio.set(key, value, ttl=0)  # expect: CL013
            await redis_cache.add(key, value, 0)  # expect: CL013

        def thumbnail(path, data):
            disk.set(f"thumb:{path}", data, expire=0)  # expect: CL013
            mc.set(f"thumb:{path}", data, expire=-1)  # expect: CL013

        @disk.memoize(expire=0)  # expect: CL013
        def render(path):
            return render_thumbnail(path)

        @cached(ttl=0, cache=Cache.REDIS, namespace="geo")  # expect: CL013
        async def geocode(address):
            return await lookup(address)

        @cached(0, cache=RedisCache)  # expect: CL013
        async def airlines():
            return await load_airlines()

        @cached(ttl=-1, cache=RedisCache)  # expect: CL013
        async def airports():
            return await load_airports()
        """,
        # A TTL bound one line up, or in the class body.
        """
        from django.core.cache import cache

        def remember_banner(banner):
            timeout = -1
            cache.set(f"banner:{banner.pk}", banner.html, timeout)  # expect: CL013

        class TapBoard:
            cache_key = "taps:board"
            timeout = 0

            def refresh(self, lines):
                cache.set(self.cache_key, lines, self.timeout)  # expect: CL013
        """,
    ]

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        if model.is_test_code:
            return
        for op in model.ops:
            mistake = _mistake(op.ttl)
            if mistake is not None:
                ttl, argument = mistake
                given = _given(model, ttl, argument, op.call, op.scope, op.order)
                yield Finding(op.node, op.statement, _message(given, ttl, op.library, op.method, op.kind))
        for decorator in model.decorators:
            mistake = _mistake(decorator.ttl)
            if mistake is not None:
                ttl, argument = mistake
                order = model.spans.start(decorator.node)
                given = _given(model, ttl, argument, decorator.call, decorator.scope, order)
                yield Finding(decorator.node, decorator.statement, _message(given, ttl, decorator.library))


def _mistake(ttl: Ttl | None) -> tuple[Ttl, cst.BaseExpression] | None:
    """A TTL given as an argument whose value the client takes as a mistake, and that
    argument. Most operations give none (an omitted TTL is not this rule's): asked first."""
    if ttl is None or ttl.argument is None or not ttl.meaning.is_zero_ttl_mistake:
        return None
    return ttl, ttl.argument


def _message(given: str, ttl: Ttl, library: Library, method: str | None = None, kind: Kind | None = None) -> str:
    """What this client does with the TTL given; `method` and `kind` are None for a decorator."""
    client = _SERVERS.get(library.name, library.label)
    if ttl.meaning is Meaning.ERROR:
        if library.name in _SERVERS and method:
            command = method.upper()
        else:  # a client that passes the TTL on to Redis (aiocache)
            client, command = "Redis", f"the SETEX {library.name} sends"
        return (f"{given}: {client} rejects {command} with a non-positive expire time (invalid expire time), "
                f"so the command fails; give a positive TTL")
    if ttl.meaning is Meaning.STALE_AT_ONCE:
        return f"{given}: {client} stores the entry already expired, so every read misses; give a positive TTL"
    if kind is Kind.EXPIRE:
        return (f"{given}: {client} removes the key at once instead of setting a TTL; call `delete()` "
                f"if that is the intent, or give a positive TTL")
    stored = "the value is never stored" if kind is not None else "nothing is ever cached"
    return f"{client} treats {given} as 'do not cache': {stored}; give a positive TTL"


def _given(model: ModuleModel, ttl: Ttl, argument: cst.BaseExpression, call: cst.Call | None, scope: Scope,
           order: int) -> str:
    """`timeout=0`, a `timeout` of `0`, or `timeout=NO_EXPIRY` (`NO_EXPIRY` is 0): the TTL
    `argument` as `ttl` reads it."""
    shown = ttl.via_constant or " ".join(model.code(argument).split())
    by_keyword = call is not None and any(arg.value is argument and arg.keyword for arg in call.args)
    if by_keyword or not ttl.parameter:
        written = f"`{ttl.parameter}={shown}`" if ttl.parameter else f"`{shown}`"
    else:
        written = f"a `{ttl.parameter}` of `{shown}`" if ttl.via_constant is None else \
            f"the `{ttl.parameter}` argument" + (f" `{shown}`" if shown != ttl.parameter else "")
    if ttl.via_constant is None:
        return written
    value = ttl.declared if ttl.declared is not None else evaluate_number(argument, scope, order)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if ttl.declared is not None:
        return f"{written} (which the project sets to {value})"
    return f"{written} (`{ttl.via_constant}` is {value})"
