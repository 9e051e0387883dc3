"""CL002 set-without-ttl: a cache write that stores an entry which never expires."""
from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from cachelint.model import (
    CacheDecorator,
    CacheOp,
    Kind,
    Meaning,
    ModuleModel,
    Scope,
    Source,
    StoredData,
    Ttl,
    expired_elsewhere,
    find_argument,
    mark,
    named_keys,
    qualified_name,
    receiver_spelling,
    stamped,
)
from cachelint.model.spec import Arg
from cachelint.rules.base import Finding, Option, Rule, RuleContext

_COPIES_NOTHING = frozenset({"a constant", "a random token"})  # marks (cachelint.model.mark) that copy no data
_COUNTERS = frozenset({"incr", "incrby", "decr", "decrby", "incr_version", "inc", "increment"})
_CHECKED_KINDS = (Kind.WRITE, Kind.EXPIRE, Kind.CONFIGURE)
_TTL_CACHE_HINT = "use a cache with a TTL (`cachetools.TTLCache`, `cachetools.func.ttl_cache`)"


class SetWithoutTtl(Rule):
    """
    ## What it does
    Flags cache writes that store an entry which never expires, judged by each client's
    own TTL semantics: redis `set` without `ex`/`px`/`exat`/`pxat`, `setnx`/`mset`/
    `getset`, hash/list/set/zset writes and counters whose key gets no `expire` later in
    the same function or pipeline, nor in another function of the module (a key of the
    same shape: such a write keeps the key's TTL); Django `timeout=None`; Flask-Caching and cachelib
    `timeout=0`; memcache writes without an expiry or with expiry `0`; aiocache without
    `ttl`; diskcache without `expire`; dogpile `expiration_time=None`/`-1`, or a region on a
    Redis backend configured without `redis_expiration_time`; `functools.cache`,
    `lru_cache(maxsize=None)` and cachetools caches without a TTL memoising a function that
    does I/O; writes to a module-level dict cache in a function that does I/O.

    ## Why is this bad?
    An entry without a TTL is only as fresh as the moment it was written: when the data
    behind it changes and an invalidation is missed, the stale value is served until
    someone flushes the cache by hand. Keys that never expire also pile up until the
    server runs out of memory and starts evicting (or refusing) everything else. Note
    that the clients disagree on what `0` and `None` mean: Django's `timeout=None` and
    Flask-Caching's `timeout=0` both mean "forever".

    An in-process memo of a pure function is fine; one of a database query or an HTTP
    call keeps its first answer for the life of the process.

    Not flagged in test code (a file in a `test`, `tests` or `testing` folder of its project,
    or named `test_*.py`, `*_test.py`, `tests.py` or `conftest.py`): what a test writes to
    its cache (often a fakeredis client) is a fixture, gone with the test's store.

    Django's omitted `timeout` uses the configured default and is not flagged, and neither
    is a write of a constant flag or of an id minted where it is stored (`uuid4().hex`,
    `ShortUUID().random(31)`), which copy nothing that can go stale, nor a bounded `lru_cache(maxsize=N)` or the memo of a function without parameters (one
    entry, as a dict cache with one fixed key), nor a dict cache the module deletes entries
    from or clears (`strict = true` reports it), nor a dict cache entry that carries the time it
    was stored for its reader to judge (`CACHE[k] = (time.monotonic(), value)`) or whose
    storing function records that time beside it (`EXPIRY[k] = time.time() + 300`).

    ## Example
    ```python
    r.set(f"product:{pid}", payload)
    r.hset(f"cart:{uid}", mapping=items)
    cache.set(key, value, timeout=None)  # Django
    ```

    ## Use instead
    ```python
    r.set(f"product:{pid}", payload, ex=300)
    with r.pipeline() as pipe:
        pipe.hset(f"cart:{uid}", mapping=items)
        pipe.expire(f"cart:{uid}", 86400)
        pipe.execute()
    cache.set(key, value, timeout=300)
    ```

    ## Fix safety
    No fix is offered: how long an entry may live is a decision about the data.
    """

    code = "CL002"
    name = "set-without-ttl"
    summary = "A cache write stores an entry that never expires."
    options = {
        "strict": Option(
            bool, False,
            "also report an entry that never expires where the module deletes or rewrites entries of "
            "its kind elsewhere (the TTL would be a safety net)",
        ),
    }

    VALID = [
        # redis: a TTL in any of its spellings, or an expire that follows on the same key
        """
        import redis
        from datetime import timedelta

        r = redis.Redis()
        TTL = 300

        def store(pid, payload, token):
            r.set(f"product:{pid}", payload, ex=60)
            r.set(f"product:{pid}:v", payload, px=60_000)
            r.set(f"token:{token}", 1, exat=1_900_000_000)
            r.set(f"product:{pid}:w", payload, ex=timedelta(minutes=5))
            r.set(f"product:{pid}:x", payload, ex=TTL)
            r.setex(f"product:{pid}:y", 60, payload)
            r.psetex(f"product:{pid}:z", 60_000, payload)
        """,
        """
        import redis

        r = redis.Redis()

        def remember(user_id, prefs, item):
            key = f"prefs:{user_id}"
            r.hset(key, mapping=prefs)
            r.expire(key, 3600)
            with r.pipeline() as pipe:
                pipe.rpush(f"recent:{user_id}", item)
                pipe.ltrim(f"recent:{user_id}", 0, 99)
                pipe.expire(f"recent:{user_id}", 86400)
                pipe.execute()

        def hit(path):
            pipe = r.pipeline()
            pipe.incr(f"hits:{path}")
            pipe.expire(f"hits:{path}", 60)
            pipe.execute()

        def quote(sku, price, stock):
            with r.pipeline() as pipe:
                pipe.mset({f"price:{sku}": price, f"stock:{sku}": stock})
                pipe.expire(f"price:{sku}", 60)
                pipe.expire(f"stock:{sku}", 60)
                pipe.execute()

        def rate_limited(bucket, window, limit):
            pipe = r.pipeline()
            pipe.set(bucket, 0, nx=True, ex=window)
            pipe.incr(bucket)
            return pipe.execute()[1] > limit

        def remember_tags(key, tags):
            r.pipeline().sadd(key, *tags).expire(key, 600).execute()

        def remember_cart(user_id, items):
            key = f"cart:{user_id}"
            r.hset(key, mapping=items)
            r.expire(f"cart:{user_id}", 86400)
        """,
        # the TTL cannot be known: stay silent
        """
        import redis

        r = redis.Redis()

        def store(key, value, ttl, **options):
            r.set(key, value, ex=ttl)
            r.set(key, value, **options)
        """,
        # Django: an omitted timeout is the configured default; incr keeps the TTL
        """
        from django.core.cache import cache, caches

        def store(key, value):
            cache.set(key, value)
            cache.set(key, value, 300)
            caches["sessions"].add(key, value, timeout=600)
            cache.get_or_set(key, list, timeout=60)
            cache.incr("visits")
            cache.touch(key, 120)
        """,
        # Flask-Caching / cachelib: None is the default timeout
        """
        from flask_caching import Cache
        from cachelib import SimpleCache

        cache = Cache()
        local = SimpleCache(default_timeout=60)

        @cache.memoize(timeout=60)
        def report(day):
            return day

        def store(key, value):
            cache.set(key, value)
            cache.set(key, value, timeout=None)
            local.set(key, value, timeout=30)
        """,
        # memcache, aiocache, diskcache with an expiry
        """
        import pylibmc
        from pymemcache.client.base import Client
        from aiocache import Cache, cached
        from diskcache import Cache as DiskCache

        mc = Client(("localhost", 11211))
        lib = pylibmc.Client(["127.0.0.1"])
        aio = Cache(Cache.REDIS, ttl=60)
        disk = DiskCache("/tmp/c")

        async def store(key, value):
            mc.set(key, value, expire=60)
            lib.set(key, value, time=60)
            mc.incr(key, 1)
            await aio.set(key, value)
            disk.set(key, value, expire=300)

        @cached(alias="main")  # the configured client's ttl
        async def airports():
            return await load_airports()
        """,
        # dogpile: the Redis backend expires what it stores
        """
        from dogpile.cache import make_region

        region = make_region().configure(
            "dogpile.cache.redis",
            expiration_time=300,
            arguments={"host": "localhost", "redis_expiration_time": 600},
        )
        sessions = make_region().configure(
            "dogpile.cache.redis", expiration_time=None, arguments={"redis_expiration_time": 3600}
        )
        local = make_region().configure("dogpile.cache.memory", expiration_time=300)
        settings_based = make_region().configure("dogpile.cache.redis", arguments=REDIS_ARGUMENTS)

        @region.cache_on_arguments(expiration_time=60)
        def load(pid):
            return pid
        """,
        # in-process memos of pure functions, or bounded ones, are fine
        """
        import functools
        from functools import lru_cache
        import cachetools
        from cachetools import TTLCache, cached
        import requests

        @functools.cache
        def price(tier):
            return {"small": 1, "large": 3}[tier]

        @lru_cache(maxsize=256)
        def rates(currency):
            return requests.get(f"https://fx.example.com/{currency}").json()

        @cached(TTLCache(maxsize=100, ttl=600))
        def weather(city):
            return requests.get(f"https://weather.example.com/{city}").json()

        @cachetools.func.ttl_cache(maxsize=None, ttl=60)
        def quote(symbol):
            return requests.get(f"https://quotes.example.com/{symbol}").json()

        @cached({})
        def slug(title):
            return title.lower().replace(" ", "-")
        """,
        # what a bundled file, a local command or a query builder gives cannot go stale
        """
        import os
        import subprocess
        from functools import cache, lru_cache
        from django.db import connection, models

        @lru_cache(maxsize=None)
        def has_jpeg_support():
            with open(os.path.join(os.path.dirname(__file__), "check.jpg"), "rb") as f:
                return f.read(2) == MAGIC

        @cache
        def git_exec_path():
            return subprocess.run(["git", "--exec-path"], capture_output=True, text=True).stdout

        @cache
        def descendants_sql():
            return "WITH RECURSIVE d AS (SELECT id FROM {0})".format(connection.ops.quote_name("plugin"))

        @cache
        def visible():
            return models.Q(is_public=True) | models.Q(owner__isnull=True)
        """,
        # rewritten by another function under a key the module cannot read, whose text fits
        """
        from django.core.cache import cache

        class CountedValue:
            def rebuild(self):
                value = self.compute()
                cache.set("%s_count" % self.cache_key(), len(value), None)
                return value

        def thread_count(forum):
            key = "Forum:%s:threads_count" % forum.pk
            count = cache.get(key)
            if count is None:
                count = forum.threads.count()
                cache.set(key, count, None)
            return count
        """,
        # an in-process cache whose entries the module removes (on expiry) or clears
        """
        _CONFIG_CACHE = {}

        def site_config(site_id):
            try:
                return _CONFIG_CACHE[site_id]
            except KeyError:
                config = SiteConfig.objects.get(site_id=site_id)
                _CONFIG_CACHE[site_id] = config
                return config

        def forget_expired():
            for site_id, config in list(_CONFIG_CACHE.items()):
                if config.is_expired():
                    del _CONFIG_CACHE[site_id]
        """,
        # a memo of a function without parameters holds one entry: its key space cannot grow
        """
        from functools import cache, lru_cache

        from django.conf import settings
        from django.contrib.contenttypes.models import ContentType

        @cache
        def anonymous_user():
            return User.objects.select_related("profile").get(username=settings.ANONYMOUS_USER_NAME)

        @lru_cache(maxsize=None)
        def form_types():
            return list(ContentType.objects.get_for_models(*form_models()).values())
        """,
        # a memoised factory of clients keeps an object to talk through, not data
        """
        import os
        from functools import cache, lru_cache

        import boto3
        import httpx
        import redis

        @cache
        def get_redis():
            return redis.Redis.from_url(os.environ["REDIS_URL"])

        @lru_cache(maxsize=None)
        def s3():
            return boto3.client("s3")

        @cache
        def http():
            return httpx.Client(timeout=10)
        """,
        # a module-level dict cache of a pure computation
        """
        import re

        _PATTERN_CACHE = {}

        def compiled(pattern):
            if pattern not in _PATTERN_CACHE:
                _PATTERN_CACHE[pattern] = re.compile(pattern)
            return _PATTERN_CACHE[pattern]
        """,
        # a dict cache whose entries carry the time they were stored, checked by the reader
        """
        import datetime
        import time

        import requests

        FEED_TTL = 600
        _FEED_CACHE = {}
        _STATUS_CACHE = {}

        def feed(url):
            cached = _FEED_CACHE.get(url)
            if cached is not None and time.monotonic() - cached[0] < FEED_TTL:
                return cached[1]
            body = requests.get(url).text
            _FEED_CACHE[url] = (time.monotonic(), body)
            return body

        def status(host):
            now = datetime.datetime.now(tz=datetime.timezone.utc)
            result = requests.get(f"https://{host}/health").json()
            _STATUS_CACHE[host] = [now, result]
            return result
        """,
        # ... or whose storing function records that time beside it
        """
        import time

        import requests

        _HOOK_CACHE = {}
        _cache_expiry = {}
        _PLANS_CACHE = {}
        _plans_loaded_at = 0.0

        def hook(name):
            if name in _HOOK_CACHE and _cache_expiry[name] > time.time():
                return _HOOK_CACHE[name]
            data = requests.get(f"https://hooks.example.com/{name}").json()
            _HOOK_CACHE[name] = data
            _cache_expiry[name] = time.time() + 300
            return data

        def plans():
            global _plans_loaded_at
            if time.time() - _plans_loaded_at > 600:
                _PLANS_CACHE["all"] = requests.get("https://billing.example.com/plans").json()
                _plans_loaded_at = time.time()
            return _PLANS_CACHE["all"]
        """,
        # not a cache client: a plain dict, a local dict
        """
        def build(items):
            cache = {}
            for item in items:
                cache[item.id] = item
            settings = {}
            settings["x"] = 1
            return cache
        """,
            # Redis as the primary store of what it holds: a queue, a job registry, the members
        # of a room, a counter. Nothing lives elsewhere for these to go stale against.
        """
        import time

        import redis

        r = redis.Redis()

        def enqueue(user_id, payload):
            r.rpush(f"notif:{user_id}:queue", payload)

        def schedule(job_id, when):
            r.zadd("jobs:scheduled", {job_id: when})

        def join(room_id, member_id):
            r.sadd(f"room:{room_id}:members", member_id)
            r.incr(f"room:{room_id}:joins")
            r.hset(f"room:{room_id}:last_seen", member_id, time.time())
        """,
        # A never-expiring entry the module deletes whenever its rows change; an in-process
        # dict with a fixed set of keys.
        """
        from django.core.cache import cache

        from .models import Article
        from .remote import fetch_settings

        _SETTINGS_CACHE = {}

        def archive(year):
            months = cache.get(f"archive:{year}")
            if months is None:
                months = list(Article.objects.filter(published_at__year=year).dates("published_at", "month"))
                cache.set(f"archive:{year}", months, timeout=None)
            return months

        def publish(article):
            article.save()
            cache.delete(f"archive:{article.published_at.year}")

        def site_settings():
            if "site" not in _SETTINGS_CACHE:
                _SETTINGS_CACHE["site"] = fetch_settings()
            return _SETTINGS_CACHE["site"]
        """,
    ]

    INVALID = [
        # another function writes a key the module cannot read, but its text does not fit
        """
        from django.core.cache import cache

        class CountedValue:
            def rebuild(self):
                cache.set("%s_total" % self.cache_key(), self.compute(), None)

        def thread_count(forum):
            key = "Forum:%s:threads_count" % forum.pk
            count = cache.get(key)
            if count is None:
                count = forum.threads.count()
                cache.set(key, count, None)  # expect: CL002
            return count
        """,
        """
        import redis

        r = redis.Redis()

        def store(pid):
            payload = db.execute("SELECT * FROM products WHERE id = %s", (pid,)).fetchone()
            r.set(f"product:{pid}", payload)  # expect: CL002
            r.set(f"product:{pid}", payload, ex=None)  # expect: CL002
            r.set(f"product:{pid}", payload, keepttl=True)  # expect: CL002
            r.setnx(f"lock:{pid}", 1)  # expect: CL002
            r.set(f"lock:{pid}:sync", 1, nx=True)  # expect: CL002
            r.mset({"a": payload, "b": payload})  # expect: CL002
            r.getset(f"product:{pid}:state", payload)  # expect: CL002
        """,
        """
        import redis
        import redis.asyncio as aioredis

        r = redis.Redis()
        ar = aioredis.from_url("redis://localhost")

        def sync_preferences(user_id):
            rows = db.execute("SELECT channel, enabled FROM prefs WHERE user_id = %s", (user_id,)).fetchall()
            r.hset(f"notif:{user_id}:prefs", mapping={channel: int(on) for channel, on in rows})  # expect: CL002
            r.expire(f"notif:{user_id}:other", 60)
            r.zadd("leaderboard", {user_id: len(rows)})  # expect: CL002

        async def seen(user_id):
            groups = await load_groups(user_id)
            await ar.sadd(f"groups:{user_id}", *groups)  # expect: CL002

        async def load_groups(user_id):
            return await fetch_all("SELECT group_id FROM members WHERE user_id = $1", user_id)

        def fetch_all(sql, *args):
            return db.execute(sql, args).fetchall()
        """,
        # the expire comes before the write, or in another function
        """
        import redis

        r = redis.Redis()

        def fill(product_id):
            key = f"tags:{product_id}"
            values = db.execute("SELECT tag FROM tags WHERE product_id = %s", (product_id,)).fetchall()
            r.expire(key, 60)
            r.sadd(key, *values)  # expect: CL002

        def replace(product_id):
            key = f"product:{product_id}:name"
            value = db.execute("SELECT name FROM products WHERE id = %s", (product_id,)).fetchone()
            r.set(key, value, ex=60)
            r.set(key, value)  # expect: CL002

        def stamp(key):
            r.expire(key, 60)
        """,
        """
        from django.core.cache import cache

        def store(name, value):
            key = f"entry:{name}"
            cache.set(key, value, timeout=None)  # expect: CL002
            cache.set(key, value, None)  # expect: CL002
            cache.set_many({key: value}, timeout=None)  # expect: CL002
            cache.touch(key, None)  # expect: CL002
        """,
        """
        from flask.views import MethodView
        from flask_caching import Cache
        from flask_login import login_required
        from cachelib import FileSystemCache, SimpleCache

        cache = Cache()
        files = FileSystemCache("/tmp/c")
        pinned = SimpleCache(default_timeout=0)

        @cache.memoize(timeout=0)  # expect: CL002
        def report(day):
            return day

        def store(name, value):
            key = f"entry:{name}"
            cache.set(key, value, timeout=0)  # expect: CL002
            files.set(key, value, 0)  # expect: CL002
            pinned.set(key, value)  # expect: CL002

        class ReportAPI(MethodView):
            decorators = [login_required, cache.cached(timeout=0)]  # expect: CL002

            def get(self, day):
                return report(day)
        """,
        """
        import memcache
        from pymemcache.client.base import Client

        mc = Client(("localhost", 11211))
        legacy = memcache.Client(["127.0.0.1:11211"])

        def store(name, value):
            key = f"entry:{name}"
            mc.set(key, value)  # expect: CL002
            mc.set(key, value, expire=0)  # expect: CL002
            legacy.set(key, value, time=0)  # expect: CL002
            legacy.set_multi({key: value})  # expect: CL002
        """,
        """
        from aiocache import Cache, cached
        from diskcache import FanoutCache

        aio = Cache(Cache.MEMORY)
        disk = FanoutCache("/var/cache/app")

        async def store(name, value):
            key = f"entry:{name}"
            await aio.set(key, value)  # expect: CL002
            disk.set(key, value)  # expect: CL002
            disk[key] = value  # expect: CL002

        @disk.memoize()  # expect: CL002
        def render(page):
            return page

        @cached(ttl=0, namespace="tz")  # expect: CL002
        async def timezones():
            return await load_timezones()
        """,
        """
        from dogpile.cache import make_region

        region = make_region().configure(  # expect: CL002
            "dogpile.cache.redis",
            expiration_time=300,
            arguments={"host": "localhost", "port": 6379},
        )
        forever = make_region().configure("dogpile.cache.memory", expiration_time=-1)  # expect: CL002
        persistent = make_region().configure(  # expect: CL002
            "dogpile.cache.redis", expiration_time=300, arguments={"redis_expiration_time": 0}
        )

        def load(name, creator):
            key = f"entry:{name}"
            return region.get_or_create(key, creator, expiration_time=-1)  # expect: CL002
        """,
        """
        import functools
        import sqlite3
        import boto3
        import cachetools
        import cachetools.func
        import requests
        from cachetools import LRUCache, cached

        @functools.lru_cache(maxsize=None)  # expect: CL002
        def model_limits(model):
            return requests.get(f"https://api.example.com/models/{model}").json()

        @functools.cache  # expect: CL002
        def country_names(language):
            with sqlite3.connect("geo.db") as db:
                return db.execute("SELECT code, name FROM country WHERE lang = ?", (language,)).fetchall()

        @cached(LRUCache(maxsize=1000))  # expect: CL002
        def exchange_rate(currency):
            return requests.get(f"https://fx.example.com/{currency}").json()

        @cached({})  # expect: CL002
        def plan(plan_id):
            return _fetch(plan_id)

        @cachetools.func.lru_cache(maxsize=None)  # expect: CL002
        def owner(repo):
            return requests.get(f"https://git.example.com/{repo}").json()

        @functools.lru_cache(None)  # expect: CL002
        def plan_limits(plan_id):
            return Plan.query.filter_by(id=plan_id).one()

        def _fetch(plan_id):
            return requests.get(f"https://billing.example.com/plans/{plan_id}").json()

        cached_fetch = functools.lru_cache(maxsize=None)(_fetch)  # expect: CL002

        S3 = boto3.client("s3")
        http = requests.Session()

        def s3():
            return S3

        @functools.cache  # expect: CL002
        def bucket_listing(bucket):
            return s3().list_objects_v2(Bucket=bucket)["Contents"]

        @functools.cache  # expect: CL002
        def page(url):
            return http.get(url).text

        class PriceBook:
            def __init__(self):
                self._prices = LRUCache(maxsize=256)
                self._stock = cachetools.TTLCache(maxsize=256, ttl=60)

            @cachetools.cachedmethod(lambda self: self._prices)  # expect: CL002
            def price(self, sku):
                return requests.get(f"https://prices.example.com/{sku}").json()

            @cachetools.cachedmethod(lambda self: self._stock)
            def stock(self, sku):
                return requests.get(f"https://stock.example.com/{sku}").json()
        """,
        """
        import requests

        RATES_CACHE = {}

        def rate(currency):
            if currency not in RATES_CACHE:
                RATES_CACHE[currency] = requests.get(f"https://fx.example.com/{currency}").json()  # expect: CL002
            return RATES_CACHE[currency]
        """,
        # a time in the entry that is not when it was stored: not a TTL kept by hand
        """
        import requests

        EVENTS_CACHE = {}

        def event(event_id):
            data = requests.get(f"https://events.example.com/{event_id}").json()
            EVENTS_CACHE[event_id] = (data["starts_at"], data)  # expect: CL002
            return data
        """,
        # Counters that create their key without an expiry.
        """
        import diskcache
        from aiocache import SimpleMemoryCache
        from cashews import cache

        disk = diskcache.Cache("/var/cache/app")
        aio = SimpleMemoryCache()

        async def count_view(page_id):
            disk.incr(f"views:{page_id}")  # expect: CL002
            await aio.increment(f"views:{page_id}")  # expect: CL002
            await cache.incr(f"views:{page_id}")  # expect: CL002
            await cache.incr(f"visits:{page_id}", expire=3600)
        """,
        # cashews decorators: no expiry for None or 0.
        """
        from cashews import cache

        @cache(ttl=0, key="regions:all")  # expect: CL002
        async def regions():
            return await load_regions()

        @cache.early(ttl=None, key="tariffs")  # expect: CL002
        async def tariffs():
            return await load_tariffs()

        @cache.failover(ttl="2h", key="weather:{city}")
        async def weather(city):
            return await load_weather(city)
        """,
        # Several keys at once: each needs its expire.
        """
        import redis

        r = redis.Redis()

        def quote(sku):
            row = db.execute("SELECT price, stock FROM items WHERE sku = %s", (sku,)).fetchone()
            with r.pipeline() as pipe:
                pipe.mset({f"price:{sku}": row["price"], f"stock:{sku}": row["stock"]})  # expect: CL002
                pipe.expire(f"price:{sku}", 60)
                pipe.execute()
        """,
    ]

    INVALID += [
        # A copy of rows that nothing in the module ever deletes; an in-process cache whose
        # keys are the caller's arguments.
        """
        from django.core.cache import cache

        from .feeds import fetch_fx_rate
        from .models import TapLine

        _fx_cache = {}

        def tap_list():
            lines = cache.get("taps:list")
            if lines is None:
                lines = list(TapLine.objects.filter(active=True).values("number", "beer__name"))
                cache.set("taps:list", lines, timeout=None)  # expect: CL002
            return lines

        def fx_rate(base, quote):
            key = f"{base}:{quote}"
            if key not in _fx_cache:
                _fx_cache[key] = fetch_fx_rate(base, quote)  # expect: CL002
            return _fx_cache[key]
        """,
    ]

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        entries = _Entries(model, context.options.get("strict", False))
        for op in model.ops:
            message = _op_message(model, op)
            if message is not None:
                message = entries.judge(op, message)
            if message is not None and not model.is_test_code:  # asked last: where the file is costs more
                yield Finding(op.node, op.statement, message)
        for decorator in model.decorators:
            message = _decorator_message(model, decorator)
            if message is not None:
                yield Finding(decorator.node, decorator.statement, message)


def _op_message(model: ModuleModel, op: CacheOp) -> str | None:
    if op.kind not in _CHECKED_KINDS or op.ttl is None or op.expiry_follows:
        return None
    if op.backend_ttl is not None:
        return _backend_message(model, op, op.backend_ttl) if op.backend_ttl.meaning is Meaning.FOREVER else None
    if op.ttl.meaning is not Meaning.FOREVER or expired_elsewhere(op, model.ops, model.keys):
        return None
    if op.library.in_process and stamped(op, model.calls, model.code):
        return None
    library = op.library.label
    if op.ttl.argument is not None:
        semantics = op.spec.semantics or op.library.semantics_for(op.client.variant)
        omitted_is_default = semantics.omitted is Meaning.DEFAULT and op.kind is not Kind.CONFIGURE
        return _forever_value_message(model, f"{library} `{op.method}`", op.ttl, op.ttl.argument, omitted_is_default)
    if op.call is None:  # CACHE[key] = value
        return _subscript_message(model, op)
    if op.spec.ttl:
        parameters = "/".join(f"`{arg.name}`" for arg in op.spec.ttl[:2] if arg.name) or "a TTL"
        constructor_ttl = op.library.constructor_ttl
        if op.client.constructor_ttl is Meaning.FOREVER and constructor_ttl is not None:
            # `SimpleCache(default_timeout=0)`: only a client whose constructor takes a TTL
            given = f"`{constructor_ttl.name}=0`"
            return f"{library} `{op.method}` without {parameters} uses the client's {given}: the entry never expires; {_pass(op.ttl)}"
        return f"{library} `{op.method}` without {parameters}: the entry never expires; {_pass(op.ttl)}"
    if op.library.followup_expiry:
        if op.key is None:
            return f"{library} `{op.method}` creates keys without a TTL; call `expire` on each in the same pipeline"
        return (
            f"{library} `{op.method}` creates `{_key_text(model, op.key)}` without a TTL and no `expire` "
            f"on that key follows; call `expire` on it in the same function or pipeline"
        )
    return f"{library} `{op.method}` stores an entry that never expires"


class _Removers:
    """A module's deletes and writes by the skeleton of a key they name: one the module can
    read (`by_skeleton`), or one it cannot, by their library (its id) and the skeleton of
    what it shows (`unknown`). Each is indexed once (a big module has thousands of writes,
    and each of them judged against all the others was quadratic), and only when a
    question needs it: the first remover found answers, and the keys of the module's
    other writes need not be resolved."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self.by_skeleton: dict[tuple, list[CacheOp]] = {}
        self.unknown: dict[tuple[int, tuple], list[CacheOp]] = {}
        self._unindexed = iter(model.ops)
        self._skeletons: dict[CacheOp, frozenset] = {}

    def any_for(self, op: CacheOp) -> bool:
        """Whether the module deletes an entry of `op`'s kind, or writes one from another
        function: under the same key, or under a key built where the module cannot read it
        whose known text fits this one."""
        mine = self._skeletons_of(op)
        if not mine:
            return False
        if any(_removes(other, op) for skeleton in mine for other in self.by_skeleton.get(skeleton, ())):
            return True
        if any(_removes(other, op) for (library, unknown), others in self.unknown.items()
               if library == id(op.library) and any(_fits(unknown, skeleton) for skeleton in mine)
               for other in others):
            return True
        for other in self._unindexed:
            if other.kind is not Kind.DELETE and other.kind is not Kind.WRITE:
                continue
            skeletons = self._skeletons_of(other)
            unknowns = set(self._unknown_skeletons(other))
            for skeleton in skeletons:
                self.by_skeleton.setdefault(skeleton, []).append(other)
            for unknown in unknowns:
                self.unknown.setdefault((id(other.library), unknown), []).append(other)
            if _removes(other, op) and (not mine.isdisjoint(skeletons) or id(other.library) == id(op.library) and any(
                    _fits(unknown, skeleton) for unknown in unknowns for skeleton in mine)):
                return True
        return False

    def _skeletons_of(self, op: CacheOp) -> frozenset:
        found = self._skeletons.get(op)
        if found is None:
            found = self._skeletons[op] = frozenset(
                shape.skeleton for key in named_keys(op) for shape in self.model.keys.of(key, op.scope)
                if shape.known and not shape.constant or shape.constant)
        return found

    def _unknown_skeletons(self, other: CacheOp) -> list[tuple]:
        """The skeletons of `other`'s keys built where the module cannot read them
        (`self._get_cache_key()`, `"%s_count" % self._get_cache_key()`) that show some text
        (how they start, how they end). A key passed in as a parameter is not one: it is its
        callers' key, whatever they are."""
        shapes = [shape for key in named_keys(other) for shape in self.model.keys.of(key, other.scope)]
        return [shape.skeleton for shape in shapes
                if not shape.known and (any(isinstance(part, str) for part in shape.skeleton)
                                        or isinstance(other.key, cst.Call))]


def _removes(other: CacheOp, op: CacheOp) -> bool:
    """`other` may remove or replace `op`'s entry: a delete, or a write from another function."""
    return other is not op and (other.kind is Kind.DELETE
                                or (other.kind is Kind.WRITE and other.scope.function is not op.scope.function))


class _Entries:
    """Which writes without an expiry store a cache entry that can go stale or grow
    without bound, and the evidence for it. A marker (`SET NX`, `add`) is always one:
    a holder that crashes keeps it forever."""

    def __init__(self, model: ModuleModel, strict: bool) -> None:
        self.model = model
        self.strict = strict
        self._removers = _Removers(model)
        self.stored = StoredData(model)

    def judge(self, op: CacheOp, message: str) -> str | None:
        """`message` with the evidence added, or None when there is none."""
        if op.kind is Kind.CONFIGURE:
            return message  # a region's configuration: every entry it will store
        if _is_marker(op) and not op.library.in_process and not self._counted(op):
            return _with_evidence(message, "it is a lock or marker: if its holder dies first, the key stays forever")
        if op.library.in_process:
            # A small fixed set of keys is bounded; a pure computation's memo never goes stale.
            loads = _in_io_function(self.model, op) or self._from_project(op)
            unbounded = self._unbounded_by(op) if loads else None
            if unbounded is None or (self._evicted(op) and not self.strict):
                return None  # an entry the module removes or clears (on expiry, on change) is kept in bounds
            return _with_evidence(message, f"its keys come from `{unbounded}`, so it grows with every new value")
        values = self.stored.values(op)
        if op.kind is Kind.WRITE and values and all(
                _is_literal(value) or mark(value, op.scope, op.order) in _COPIES_NOTHING for value in values):
            return None  # a flag, or an id minted here (`uuid4().hex`): a copy of nothing that can change
        if op.library.store == "redis" and op.spec.keeps_ttl and not any(
                self.model.holds_io_result(value, op.scope) for value in values):
            return None  # a structure or counter that is the primary store of what it holds: a queue, a registry
        #               of jobs, the members of a set; no data elsewhere for it to go stale against
        if not self._spelled(op):
            return None  # a key built elsewhere: whether the project invalidates it cannot be looked for
        if self._removers.any_for(op):
            # Deleted or rewritten elsewhere: the TTL would only be a safety net.
            return message if self.strict else None
        shapes = self.model.keys.of(op.key, op.scope) if op.key is not None else ()
        shown = shapes[0].render(self.model.code) if shapes and shapes[0].known and shapes[0].prefix else None
        entry = f"`{shown}`" if shown is not None and shown not in message else "it"
        return _with_evidence(message, f"nothing in this module deletes or rewrites {entry}, so it stays stale "
                                       f"once the data it copies changes")

    def _spelled(self, op: CacheOp) -> bool:
        """Whether the module says what the key is: every shape known and starting with text."""
        shapes = [shape for key in named_keys(op) for shape in self.model.keys.of(key, op.scope)]
        return bool(shapes) and all(shape.known and shape.prefix for shape in shapes)

    def _counted(self, op: CacheOp) -> bool:
        """`add(k, 0)` then `incr(k)`: the start of a counter, not a marker."""
        return op.key is not None and any(
            other.method in _COUNTERS and other.scope.function is op.scope.function and other.order > op.order
            and other.key is not None and other.key.deep_equals(op.key)
            for other in self.model.ops)

    def _from_project(self, op: CacheOp) -> bool:
        """Whether the stored value is what a function of another module of the project
        returns (a relative import), whose work this module cannot see: not a pure
        computation of the standard library (`re.compile(pattern)`)."""
        for value in self.stored.values(op):
            value = _one_back(self.model, value, op.scope, op.order)
            if isinstance(value, cst.Call):
                qualified = qualified_name(value.func, op.scope, op.order)
                if qualified is not None and qualified.startswith("."):
                    return True
        return False

    def _evicted(self, op: CacheOp) -> bool:
        """The module deletes entries of this in-process cache, or clears it."""
        spelling = receiver_spelling(op, self.model.code)
        return any(other.kind is Kind.DELETE and receiver_spelling(other, self.model.code) == spelling
                   for other in self.model.ops)

    def _unbounded_by(self, op: CacheOp) -> str | None:
        """The parameter or request input an in-process cache's key comes from."""
        for key in named_keys(op):
            for shape in self.model.keys.of(key, op.scope):
                for part in shape.dynamic:
                    if part.source is Source.PARAMETER:
                        return part.name
                    if isinstance(part.node, cst.BaseExpression) and part.scope is not None \
                            and self.model.tainted(part.node, part.scope):
                        return part.render(self.model.code)
        return None


def _fits(unknown: tuple, known: tuple) -> bool:
    """A key of skeleton `unknown` (None for each part not known) can be one of `known`: the
    text it starts and ends with, where it has some, agrees with the known key's."""
    if not unknown or not known:
        return True
    first, last, head, tail = unknown[0], unknown[-1], known[0], known[-1]
    starts = not (isinstance(first, str) and isinstance(head, str)) or head.startswith(first) or first.startswith(head)
    ends = not (isinstance(last, str) and isinstance(tail, str)) or tail.endswith(last) or last.endswith(tail)
    return starts and ends


def _one_back(model: ModuleModel, value: cst.BaseExpression, scope: Scope, order: int) -> cst.BaseExpression:
    """What a name was assigned, when it has one assignment there; else `value` itself."""
    if isinstance(value, cst.Name):
        binding = model.binding_of(value, scope, order)
        if binding is not None and binding.kind == "assign" and isinstance(binding.value, cst.BaseExpression):
            return binding.value
    return value


def _with_evidence(message: str, evidence: str) -> str:
    """`<what>; <fix>` -> `<what>, and <evidence>; <fix>`."""
    what, separator, fix = message.partition("; ")
    return f"{what}, and {evidence}{separator}{fix}"


def _is_literal(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.UnaryOperation):
        value = value.expression
    return isinstance(value, (cst.Integer, cst.Float, cst.SimpleString)) or (
        isinstance(value, cst.Name) and value.value in ("True", "False", "None"))


def _is_marker(op: CacheOp) -> bool:
    if op.spec.if_absent:
        return True
    nx = find_argument(op.call, Arg(None, "nx")) if op.call is not None else None
    return isinstance(nx, cst.Name) and nx.value == "True"


def _forever_value_message(model: ModuleModel, what: str, ttl: Ttl, argument: cst.BaseExpression,
                           omitted_is_default: bool) -> str:
    """The message for `ttl`, given by `argument`, that means the entry never expires."""
    given = f"{ttl.parameter}={model.code(argument)}" if ttl.parameter else model.code(argument)
    message = f"{what} treats `{given}` as 'never expires'; {_pass(ttl)}"
    return message + " or leave it out for the configured default" if omitted_is_default else message


def _pass(ttl: Ttl) -> str:
    return f"pass `{ttl.parameter}=<seconds>`" if ttl.parameter else "pass a TTL in seconds"


def _subscript_message(model: ModuleModel, op: CacheOp) -> str:
    target = model.code(op.node)
    if op.library.in_process:
        return (
            f"`{target} = …` keeps an I/O result in a {op.library.label} cache for the life of the "
            f"process; {_TTL_CACHE_HINT}"
        )
    setter = op.library.methods.get("set")
    instead = f"`set(…, {setter.ttl[0].name}=<seconds>)`" if setter and setter.ttl else "a write with a TTL"
    return f"{op.library.label} `{target} = …` stores an entry that never expires; use {instead}"


def _backend_message(model: ModuleModel, op: CacheOp, ttl: Ttl) -> str:
    """The message for an `op` whose backend's TTL `ttl` (its `backend_ttl`) never expires."""
    parameter = ttl.parameter
    how = f"without `{parameter}`" if ttl.argument is None else f'with `"{parameter}": {model.code(ttl.argument)}`'
    advice = f'add `"{parameter}": <seconds>` to' if ttl.argument is None else f"give `{parameter}` a positive TTL in"
    return (
        f"{op.library.label} region configured {how} in `arguments`: the backend "
        f"stores every entry without a TTL (`expiration_time` only marks it stale); {advice} `arguments`"
    )


def _decorator_message(model: ModuleModel, decorator: CacheDecorator) -> str | None:
    if decorator.library.in_process:
        function = decorator.function
        if not isinstance(function, cst.FunctionDef) or not _keeps_results_forever(decorator) \
                or not _takes_arguments(function) or not model.does_io(function):
            return None
        return (
            f"`@{model.code(decorator.expression)}` keeps what `{function.name.value}` "
            f"fetches (it does I/O) for the life of the process; {_TTL_CACHE_HINT}"
        )
    ttl = decorator.ttl
    if ttl is None or ttl.meaning is not Meaning.FOREVER:
        return None
    name = f"`@{model.code(decorator.call.func if decorator.call else decorator.expression)}`"
    if ttl.argument is not None:
        semantics = decorator.spec.semantics or decorator.library.semantics
        return _forever_value_message(model, name, ttl, ttl.argument, semantics.omitted is Meaning.DEFAULT)
    return f"{name} without a TTL stores results that never expire; {_pass(ttl)}"


def _takes_arguments(function: cst.FunctionDef) -> bool:
    """A memo of a function without parameters holds one entry, as a dict cache with one
    fixed key does: its key space cannot grow."""
    params = function.params
    return bool(params.params or params.posonly_params or params.kwonly_params
                or isinstance(params.star_arg, cst.Param) or params.star_kwarg is not None)


def _keeps_results_forever(decorator: CacheDecorator) -> bool:
    """functools-style: unbounded; cachetools `cached(cache)`: the cache has no TTL."""
    if decorator.spec.cache is not None:
        storage = decorator.storage
        return storage is not None and storage.library.semantics_for(storage.variant).omitted is Meaning.FOREVER
    return decorator.unbounded and decorator.ttl is not None and decorator.ttl.meaning is Meaning.FOREVER


def _in_io_function(model: ModuleModel, op: CacheOp) -> bool:
    function = op.scope.function_def
    return function is not None and model.does_io(function)


def _key_text(model: ModuleModel, key: cst.BaseExpression) -> str:
    """`notif:{user_id}:prefs` for f"notif:{user_id}:prefs", the source for anything else."""
    if isinstance(key, cst.SimpleString):
        return str(key.evaluated_value)  # b"…" for bytes, as an f-string shows them
    if isinstance(key, cst.FormattedString):
        return "".join(model.code(part) for part in key.parts)
    return model.code(key)
