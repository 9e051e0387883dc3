"""CL002 beyond its examples: what each message says, where findings point, and no fix."""
from __future__ import annotations

from cachelint.config import Settings
from cachelint.model import CustomClients, Kind, Meaning
from cachelint.model.spec import Arg, Method, TtlSemantics
from tests.conftest import lint


def _messages(source: str) -> list[tuple[int, str]]:
    return [(d.location.row, d.message) for d in lint(source, select=("CL002",))]


def test_messages_name_the_client_and_what_to_pass():
    messages = _messages(
        """
        import redis
        from flask_caching import Cache
        from pymemcache.client.base import Client

        r = redis.Redis()
        cache = Cache()
        mc = Client(("localhost", 11211))

        def store(user_id):
            key = f"page:{user_id}"
            value = db.execute("SELECT body FROM pages WHERE id = %s", (user_id,)).fetchone()
            prefs = dict(db.execute("SELECT channel, enabled FROM prefs WHERE user_id = %s", (user_id,)).fetchall())
            r.set(key, value)
            r.hset(f"notif:{user_id}:prefs", mapping=prefs)
            r.mset({key: value})
            cache.set(key, value, timeout=0)
            mc.set(key, value, expire=0)
        """
    )
    assert messages == [
        (14, 'redis `set` without `ex`/`px`: the entry never expires, and nothing in this module deletes or rewrites `page:{user_id}`, so it stays stale once the data it copies changes; pass `ex=<seconds>`'),
        (15, 'redis `hset` creates `notif:{user_id}:prefs` without a TTL and no `expire` on that key follows, and nothing in this module deletes or rewrites it, so it stays stale once the data it copies changes; call `expire` on it in the same function or pipeline'),
        (16, 'redis `mset` creates keys without a TTL, and nothing in this module deletes or rewrites it, so it stays stale once the data it copies changes; call `expire` on each in the same pipeline'),
        (17, "Flask-Caching `set` treats `timeout=0` as 'never expires', and nothing in this module deletes or rewrites `page:{user_id}`, so it stays stale once the data it copies changes; pass `timeout=<seconds>` or leave it out for the configured default"),
        (18, "pymemcache `set` treats `expire=0` as 'never expires', and nothing in this module deletes or rewrites `page:{user_id}`, so it stays stale once the data it copies changes; pass `expire=<seconds>`"),
    ]


def test_a_redis_region_without_backend_expiry_is_reported_once_at_configure():
    diagnostics = lint(
        """
        from dogpile.cache import make_region

        region = make_region().configure(
            "dogpile.cache.redis", expiration_time=None, arguments={"host": "cache"}
        )

        def load(key):
            region.set(key, 1)
            return region.get_or_create(key, lambda: 1)
        """,
        select=("CL002",),
    )
    assert [(d.location.row, d.statement_rows) for d in diagnostics] == [(4, (4, 6))]
    assert "`redis_expiration_time`" in diagnostics[0].message


def test_a_memoiser_finding_points_at_the_decorator():
    [diagnostic] = lint(
        """
        import functools
        import requests

        @functools.lru_cache(maxsize=None)
        def limits(model):
            return requests.get(f"https://api.example.com/{model}").json()
        """,
        select=("CL002",),
    )
    assert (diagnostic.location.row, diagnostic.location.column) == (5, 1)
    assert diagnostic.message.startswith("`@functools.lru_cache(maxsize=None)` keeps what `limits` fetches")


def test_no_fix_is_offered():
    diagnostics = lint(
        """
        import redis

        r = redis.Redis()
        r.setnx("lock:mode", "on")
        """,
        select=("CL002",),
    )
    assert [d.fix for d in diagnostics] == [None]


def test_a_configured_wrapper_with_a_positional_ttl():
    settings = Settings(clients=CustomClients(functions={
        "app.cache.put": Method(
            Kind.WRITE, key=Arg(0, None), ttl=(Arg(2, None),),
            semantics=TtlSemantics(omitted=Meaning.FOREVER, zero=Meaning.FOREVER),
        ),
    }))
    messages = [
        d.message for d in lint(
            """
            from app.cache import put

            put("report:1", totals())
            put("report:1", totals(), 0)
            put("report:1", totals(), 60)
            """,
            select=("CL002",), settings=settings,
        )
    ]
    assert messages == [
        "configured wrapper `app.cache.put` without a TTL: the entry never expires, and nothing in this module "
        "deletes or rewrites `report:1`, so it stays stale once the data it copies changes; pass a TTL in seconds",
        "configured wrapper `app.cache.put` treats `0` as 'never expires', and nothing in this module deletes or "
        "rewrites `report:1`, so it stays stale once the data it copies changes; pass a TTL in seconds",
    ]


def test_a_structure_another_function_of_the_module_expires_is_not_reported():
    """As privacyidea's `_use` adds fields to the hash `add_to_cache` gave a TTL
    (`expire(key, ttl, nx=True)`), a hash another function expires (`seen`): HSET keeps
    the key's expiry, so what it writes expires with it. A key of another shape expired
    elsewhere says nothing of this one's TTL."""
    messages = _messages(
        """
        import redis

        r = redis.Redis()

        def _key(user_id):
            return f"prefs:{user_id}"

        def fill(user_id):
            r.hset(_key(user_id), mapping=load(user_id))

        def seen(user_id, ttl):
            r.expire(_key(user_id), ttl)

        def other(user_id):
            r.hset(f"groups:{user_id}", mapping=load(user_id))

        def load(user_id):
            return dict(db.execute("SELECT channel, enabled FROM prefs WHERE user_id = %s", (user_id,)).fetchall())
        """
    )
    assert [row for row, _ in messages] == [16]


def test_what_a_test_writes_to_its_cache_is_not_reported():
    """label-studio's import test fills a fakeredis client (`redis.set("test.json", ...)`)
    as the storage to import from: a fixture, gone with the test's store. The same write
    in the project's code is reported."""
    source = """
        import json

        from fakeredis import FakeRedis

        def fill(data):
            redis = FakeRedis(decode_responses=True)
            redis.set("test.json", json.dumps(data))
        """
    found = [(d.location.row, d.code) for d in lint(source, select=("CL002",), filename="tests/test_import.py")]
    assert found == []
    assert [(d.location.row, d.code) for d in lint(source, select=("CL002",), filename="app/storage.py")] == [
        (8, "CL002"),
    ]



_LOAD = """
        def load(name):
            return dict(db.execute("SELECT channel, enabled FROM prefs WHERE name = %s", (name,)).fetchall())
        """


def test_an_expire_in_the_writing_function_itself_is_not_one_elsewhere():
    """An `expire` before the write, in the same function, is not another function's: the
    write that follows it is still one that never expires; the same `expire` in another
    function gives the key its TTL."""
    source = """
        import redis

        r = redis.Redis()

        def fill(name):
            r.expire(f"prefs:{name}", 60)
            r.hset(f"prefs:{name}", mapping=load(name))
        """ + _LOAD
    assert [row for row, _ in _messages(source)] == [8]
    assert _messages(source + """
        def seen(name):
            r.expire(f"prefs:{name}", 60)
        """) == []


def test_the_keys_expired_elsewhere_are_read_once_per_module(monkeypatch):
    """Whether a hash's key is expired in another function is looked up in what the
    module's `expire`s name, read once: not every `expire` again for each write (a module of
    thousands of such writes took minutes)."""
    from cachelint.model.cache import expiry

    read = []
    skeletons = expiry._skeletons
    monkeypatch.setattr(expiry, "_skeletons", lambda keys, op: read.append(op) or skeletons(keys, op))
    functions = "".join(f"""
        def fill_{n}(name):
            r.hset(f"prefs{n}:{{name}}", mapping=load(name))

        def seen_{n}(name):
            r.expire(f"seen{n}:{{name}}", 60)
        """ for n in range(40))
    messages = _messages("""
        import redis

        r = redis.Redis()
        """ + functions + _LOAD)
    assert len(messages) == 40
    # Each write's own keys, once per question (the rule's and the facts'), and each expire's once.
    assert len(read) <= 3 * 40


def test_an_id_minted_where_it_is_stored_copies_nothing_that_can_go_stale():
    # A fresh random id stored under a mapping key is the record itself, like a flag;
    # a value read from elsewhere is still a copy that can go stale.
    source = """
        import uuid

        import redis
        from shortuuid import ShortUUID

        r = redis.Redis()

        def link_form(token, form_id):
            short = ShortUUID().random(31)
            r.set(f"form-link:{token}:{form_id}", value=short)
            r.set(f"form-uuid:{token}:{form_id}", uuid.uuid4().hex)

        def remember_title(form_id):
            title = load_title(form_id)
            r.set(f"form-title:{form_id}", title)
        """
    assert [d.location.row for d in lint(source, select=("CL002",))] == [16]
