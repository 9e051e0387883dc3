"""Wrapper summaries: a project function that performs one cache operation on a key built
from its parameter is a cache operation wherever it is called, in any module, with the
caller's arguments, the text it puts around the key, its TTL default and the wrapper
chain (`via`); a function that makes something else of what it reads still reads the key."""
from __future__ import annotations

import textwrap
from pathlib import Path

from cachelint.config import Settings
from cachelint.engine import lint_paths, lint_text

CACHE = '''
from django.core.cache import cache


def remember(uid, data, timeout=None):
    cache.set(f"user:{uid}", data, timeout)


def forget_user(uid):
    cache.delete(f"user:{uid}")


def user_name(uid):
    data = cache.get(f"user:{uid}")
    return data["name"] if data else None
'''

HELPERS = '''
from app.cache import remember


def remember_profile(uid, data):
    remember(f"profile:{uid}", data, 60)
'''

VIEWS = '''
from app import cache as c
from app.cache import forget_user, user_name
from app.helpers import remember_profile


def view(uid, data):
    c.remember(uid, data)
    forget_user(uid)
    remember_profile(uid, data)
    return user_name(uid)
'''


def uses(root: Path, prefilter: bool) -> list[tuple]:
    run = lint_paths([root], Settings(root=root), prefilter=prefilter)
    assert not run.internal_errors, run.internal_errors
    return sorted(
        (Path(file.filename).name, use.line, use.kind, use.method, use.key, use.ttl, use.via)
        for file in run.files if file.facts is not None for use in file.facts.uses
        if file.filename.endswith("views.py")
    )


def test_wrappers_are_cache_operations_where_other_modules_call_them(tmp_path):
    for name, text in {"app/__init__.py": "", "app/cache.py": CACHE, "app/helpers.py": HELPERS,
                       "app/views.py": VIEWS}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text))
    expected = [
        ("views.py", 8, "write", "remember", "user:{uid}", "forever", ("app.cache.remember",)),
        ("views.py", 9, "delete", "forget_user", "user:{uid}", None, ("app.cache.forget_user",)),
        ("views.py", 10, "write", "remember_profile", "user:profile:{uid}", "expires",
         ("app.helpers.remember_profile", "app.cache.remember")),
        ("views.py", 11, "read", "user_name", "user:{uid}", None, ("app.cache.user_name",)),
    ]
    assert uses(tmp_path, prefilter=True) == expected
    assert uses(tmp_path, prefilter=False) == expected


def test_a_method_wrapper_is_a_cache_operation_where_the_class_calls_it():
    source = '''
        import redis

        class Store:
            def __init__(self):
                self._r = redis.Redis()

            def put(self, key, value, ttl=None):
                self._r.set(f"app:{key}", value, ex=ttl)

            def refresh(self, uid, profile):
                self.put(f"profile:{uid}", profile)
        '''
    [result] = lint_text("store.py", textwrap.dedent(source).encode(), Settings()).files
    [_, call] = result.facts.uses
    assert (call.line, call.method, call.key, call.ttl, call.via) == (
        12, "Store.put", "app:profile:{uid}", "forever", ("Store.put",))


STORES = '''
import redis
from flask_caching import Cache


class Store:
    """Forwards to a Redis client, under its own prefix, with a default TTL."""

    def __init__(self, prefix):
        self._r = redis.Redis()
        self.prefix = prefix

    def get(self, key):
        return self._r.get(f"{self.prefix}:{key}")

    def set(self, key, value, ttl=300):
        self._r.set(f"{self.prefix}:{key}", value, ex=ttl)

    def delete(self, key):
        self._r.delete(self._prefixed(key))

    def close(self):
        self._r.close()

    def _prefixed(self, key):
        return f"{self.prefix}:{key}"


store = Store("app")


def get_store():
    return Store("made")


class Caches:
    def __init__(self):
        self._pages = Cache()

    @property
    def pages(self):
        return self._pages


caches = Caches()
'''

STORE_USERS = '''
from app.stores import Store, caches, get_store, store
from .stores import store as same_store


def remember(uid, data):
    store.set(f"user:{uid}", data)
    same_store.delete(uid)
    get_store().get(uid)
    caches.pages.get(uid)
    store.close()
    return store.get(f"user:{uid}")


class Service:
    def __init__(self):
        self.store = Store("svc")

    def forget(self, uid):
        self.store.delete(uid)
'''


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))


def _uses_in(root: Path, filename: str, prefilter: bool) -> list[tuple]:
    run = lint_paths([root], Settings(root=root), prefilter=prefilter)
    assert not run.internal_errors, run.internal_errors
    return sorted(
        (use.line, use.kind, use.library, use.method, use.key, use.ttl, use.via)
        for file in run.files if file.facts is not None and file.filename.endswith(filename)
        for use in file.facts.uses
    )


def test_instances_of_a_wrapper_class_are_cache_clients_in_the_modules_that_import_them(tmp_path):
    """An instance imported from the module that makes it (or re-imported relatively), one
    made from the imported class, one a factory returns, and a client an imported
    instance holds in an attribute: each call of a summarised method is that method's
    operation, the caller's key inside the class's prefix, its TTL default; `close`,
    which the class does not forward as a cache operation, is none."""
    _tree(tmp_path, {"app/__init__.py": "", "app/stores.py": STORES, "app/users.py": STORE_USERS})
    expected = [
        (7, "write", "redis", "Store.set", "…:user:{uid}", "expires", ("app.stores.Store.set",)),
        (8, "delete", "redis", "Store.delete", "…{uid}…", None, ("app.stores.Store.delete",)),
        (9, "read", "redis", "Store.get", "…:{uid}", None, ("app.stores.Store.get",)),
        (10, "read", "flask-caching", "get", "{uid}", None, ()),
        (12, "read", "redis", "Store.get", "…:user:{uid}", None, ("app.stores.Store.get",)),
        (20, "delete", "redis", "Store.delete", "…{uid}…", None, ("app.stores.Store.delete",)),
    ]
    assert _uses_in(tmp_path, "users.py", prefilter=True) == expected
    assert _uses_in(tmp_path, "users.py", prefilter=False) == expected


def test_instances_of_a_wrapper_class_within_its_module():
    source = STORES + '''

def view(uid, data):
    store.set(f"user:{uid}", data, 60)
    get_store().delete(uid)
    store.close()


class Service:
    def __init__(self):
        self.cache = Store("svc")

    def read(self, uid):
        return self.cache.get(uid)
'''
    [result] = lint_text("stores.py", textwrap.dedent(source).encode(), Settings()).files
    assert not result.internal_errors
    called = [(u.line, u.kind, u.method, u.key, u.ttl, u.via) for u in result.facts.uses if u.via]
    assert called == [
        (49, "write", "Store.set", "…:user:{uid}", "expires", ("Store.set",)),
        (50, "delete", "Store.delete", "…{uid}…", None, ("Store.delete",)),
        (59, "read", "Store.get", "…:{uid}", None, ("Store.get",)),
    ]


def test_a_class_is_no_wrapper_of_two_libraries_nor_its_methods_of_something_else():
    """A class whose methods reach two cache libraries is no one client; a method that
    reads a key built from two of its parameters is no operation a caller's arguments
    describe. One that makes something else of what it reads still reads its caller's key."""
    source = '''
        import redis
        from django.core.cache import cache


        class Both:
            def __init__(self):
                self._r = redis.Redis()

            def get(self, key):
                return self._r.get(key)

            def set(self, key, value):
                cache.set(key, value, 60)


        class Counts:
            def __init__(self):
                self._r = redis.Redis()

            def total(self, key):
                return int(self._r.get(key) or 0) + 1

            def pair(self, a, b):
                return self._r.get(f"{a}:{b}")


        both = Both()
        counts = Counts()


        def view(uid):
            both.get(uid)
            both.set(uid, 1)
            counts.total(uid)
            counts.pair(uid, 2)
        '''
    [result] = lint_text("mixed.py", textwrap.dedent(source).encode(), Settings()).files
    assert not result.internal_errors
    assert [(use.line, use.kind, use.method, use.key) for use in result.facts.uses if use.line > 30] == [
        (35, "read", "Counts.total", "{uid}")]


READ_THROUGH = '''
from django.core.cache import cache


def get_or_compute(key, compute, timeout=600):
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


def cached_profile(uid):
    key = f"profile:{uid}"
    found = cache.get(key)
    if found is None:
        found = {"uid": uid}
        cache.set(key, found, 60)
    return found


def not_the_same_key(uid, compute):
    found = cache.get(f"a:{uid}")
    if found is None:
        cache.set(f"b:{uid}", compute(), 60)
    return found


def page(pid, render):
    get_or_compute(f"page:{pid}", render)
    cached_profile(pid)
    not_the_same_key(pid, render)
'''


def test_a_read_through_wrapper_reads_and_fills_the_key_at_each_call():
    """`get_or_compute(key, fn, ttl)`: read, and on a miss, write the same key: each call
    is a read-through of the caller's key, a write that stores only if absent, with the
    wrapper's TTL default; a function that reads one key and writes another is none."""
    [result] = lint_text("helpers.py", READ_THROUGH.encode(), Settings()).files
    assert not result.internal_errors
    called = [(u.line, u.kind, u.method, u.key, u.ttl, u.via) for u in result.facts.uses if u.via]
    assert called == [
        (30, "read-through", "get_or_compute", "page:{pid}", "expires", ("get_or_compute",)),
        (31, "read-through", "cached_profile", "profile:{pid}", "expires", ("cached_profile",)),
    ]


def test_a_read_through_call_is_a_read_with_the_ttl_of_the_fill_and_no_value_of_its_own():
    """What a read-through stores is judged inside it, where its write is: at the caller it
    is a read of the key (no `add`: a get then a set is not atomic), with the fill's TTL."""
    from cachelint.model.build import build_model
    from cachelint.model.spec import Kind, Meaning
    from cachelint.parsing import parse_module

    model = build_model("helpers.py", READ_THROUGH.encode(), parse_module(READ_THROUGH.encode()))
    [call] = [op for op in model.ops if op.method == "get_or_compute"]
    assert call.kind is Kind.READ and call.spec.read_through and not call.only_if_absent and call.value is None
    assert model.code(call.key) == 'f"page:{pid}"' and call.ttl.meaning is Meaning.EXPIRES


MEMOIZERS = '''
import functools

from django.core.cache import cache


def memoize_redis(ttl=300):
    def decorator(function):
        @functools.wraps(function)
        def inner(*args):
            key = f"memo:{function.__name__}:{args}"
            value = cache.get(key)
            if value is None:
                value = function(*args)
                cache.set(key, value, ttl)
            return value
        return inner
    return decorator


def memoize(function):
    def inner(*args):
        found = cache.get(f"m:{args}")
        if found is None:
            found = function(*args)
            cache.set(f"m:{args}", found)
        return found
    return inner


def logged(function):
    def inner(*args):
        cache.get("calls")
        cache.set("calls", 1, 60)
        return function(*args)
    return inner
'''

MEMOIZED = '''
from app import memo
from app.memo import logged, memoize_redis


@memoize_redis(ttl=0)
def prices(pid):
    return pid


@memo.memoize
def rates(pid):
    return pid


@memoize_redis
def applied_bare(pid):
    return pid


@logged
def audited(pid):
    return pid
'''


def test_the_projects_own_memoizers_are_cache_decorators_with_their_ttl(tmp_path):
    """A decorator that reads a key and, on a miss, writes what the decorated function
    returns is a cache decorator wherever it is applied, with its TTL (the factory's
    parameter, or what its write always passes), in its module and in others; a factory
    applied bare, or a decorator that caches something other than the result, is none."""
    _tree(tmp_path, {"app/__init__.py": "", "app/memo.py": MEMOIZERS, "app/views.py": MEMOIZED})
    expected = [
        (6, "decorator", "django", "memoize_redis", None, "not cached", ()),
        (11, "decorator", "django", "memo.memoize", None, "default", ()),
    ]
    assert _uses_in(tmp_path, "views.py", prefilter=True) == expected
    assert _uses_in(tmp_path, "views.py", prefilter=False) == expected
    run = lint_paths([tmp_path], Settings(root=tmp_path))
    assert [(Path(d.filename).name, d.code, d.location.row) for d in run.diagnostics] == [("views.py", "CL013", 6)]


def test_a_memoizer_within_its_module():
    source = MEMOIZERS + '''

@memoize_redis(60)
def prices(pid):
    return pid


@memoize
def rates(pid):
    return pid


@logged
def audited(pid):
    return pid
'''
    [result] = lint_text("memo.py", source.encode(), Settings()).files
    decorators = [(u.line, u.method, u.ttl) for u in result.facts.uses if u.kind == "decorator"]
    assert decorators == [(39, "memoize_redis", "expires"), (44, "memoize", "default")]


NAMESPACED = '''
from django.core.cache import caches


class NamespacedCache:
    def __init__(self, prefix):
        self.cache = caches["default"]
        self.prefix = prefix

    def _prefixed(self, key):
        return "%s:%s" % (self.prefix, key)

    def get(self, key):
        return self.cache.get(self._prefixed(key))

    def delete(self, key):
        self.cache.delete(self._prefixed(key))


class ObjectCache(NamespacedCache):
    def __init__(self, obj):
        super().__init__("%s:%s" % (type(obj).__name__, obj.pk))

    def delete(self, key):
        pass


def name_of(obj):
    return ObjectCache(obj).get("name")
'''

OWNERS = '''
from functools import cached_property

from app.namespaced import ObjectCache


class Event:
    @cached_property
    def cache(self):
        return ObjectCache(self)

    def timezone(self):
        self.cache.delete("tz")
        return self.cache.get("tz")
'''


def test_a_subclass_of_a_wrapper_class_inherits_the_methods_it_does_not_define(tmp_path):
    """`ObjectCache(NamespacedCache)`: its `get` is the base class's, in the module and in
    another; its own `delete`, which forwards nothing, is no cache operation."""
    _tree(tmp_path, {"app/__init__.py": "", "app/namespaced.py": NAMESPACED, "app/owners.py": OWNERS})
    assert [use[:4] for use in _uses_in(tmp_path, "namespaced.py", prefilter=True) if use[-1]] == [
        (29, "read", "django", "ObjectCache.get")]
    assert _uses_in(tmp_path, "owners.py", prefilter=True) == [
        (14, "read", "django", "ObjectCache.get", "…tz…", None, ("app.namespaced.NamespacedCache.get",))]


def test_a_method_of_several_operations_on_one_key_is_one_operation():
    """Reads of one key, each returned (`hgetall` or `hget` of a field); a write of the
    caller's value that an expire of the same key follows, which sets the TTL the caller
    passes; deletes of one key, or of the keys it holds (`delete(*base_key)`); not a
    method that reads one key and deletes another."""
    source = '''
        import redis


        class Cache:
            def __init__(self):
                self.redis = redis.Redis()

            def get(self, key, base_key):
                if key is None:
                    return self.redis.hgetall(base_key)
                return self.redis.hget(base_key, key)

            def set(self, key, value, expires=None, base_key="cache"):
                self.redis.hset(base_key, key, value)
                if expires:
                    self.redis.expire(base_key, expires)

            def move(self, old, new):
                self.redis.delete(old)
                return self.redis.get(new)

            def forget(self, key=None, base_key=("cache",)):
                if key:
                    return self.redis.hdel(base_key, key)
                return self.redis.delete(*base_key)


        cache = Cache()


        def view(path):
            cache.get(None, f"page:{path}")
            cache.set("body", "x", 60, f"page:{path}")
            cache.move(path, path)
            cache.forget(base_key=[f"page:{path}"])
        '''
    [result] = lint_text("cache.py", textwrap.dedent(source).encode(), Settings()).files
    assert [(u.line, u.kind, u.method, u.key, u.ttl) for u in result.facts.uses if u.via] == [
        (33, "read", "Cache.get", "page:{path}", None),
        (34, "write", "Cache.set", "page:{path}", "expires"),
        (36, "delete", "Cache.forget", "page:{path}", None),
    ]


def test_a_class_whose_methods_use_a_modules_client_is_no_wrapper_class():
    """A model with a cache helper on the module's client holds no client: its instances
    are not cache clients (calls through `self` inside it still are operations)."""
    source = '''
        from django.core.cache import cache


        class TreeModel:
            def cached_depth(self, key):
                return cache.get(f"depth:{key}")

            def depth(self):
                return self.cached_depth("tree")


        def view(node_id):
            TreeModel().cached_depth(node_id)
        '''
    [result] = lint_text("models.py", textwrap.dedent(source).encode(), Settings()).files
    assert [(u.line, u.method) for u in result.facts.uses if u.via] == [(10, "TreeModel.cached_depth")]
