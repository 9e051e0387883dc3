"""Cache use real projects write that the model understands (issue 13), each with the
look-alike it must not take for cache use: `cachelint ops` and `ops --unresolved` on
small projects."""
from __future__ import annotations

import textwrap
from pathlib import Path

from cachelint.config import Settings
from cachelint.engine import lint_paths


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))


def _run(root: Path, files: dict[str, str], prefilter: bool = True):
    _tree(root, files)
    run = lint_paths([root], Settings(root=root), prefilter=prefilter)
    assert not run.internal_errors, run.internal_errors
    return run


def understood(root: Path, files: dict[str, str], filename: str, prefilter: bool = True) -> list[tuple]:
    """(row, kind, library, method, key, via) of what the model understood in `filename`."""
    run = _run(root, files, prefilter)
    return sorted(
        (use.line, use.kind, use.library, use.method, use.key, use.via)
        for file in run.files if file.facts is not None and file.filename.endswith(filename)
        for use in file.facts.uses
    )


def unresolved(root: Path, files: dict[str, str], filename: str, prefilter: bool = True) -> list[tuple]:
    run = _run(root, files, prefilter)
    return sorted(
        (call.line, call.receiver, call.method)
        for file in run.files if file.facts is not None and file.filename.endswith(filename)
        for call in file.facts.unresolved
    )


# ---------------------------------------------------------------- a wrapper's own `clear`

NAMESPACED = '''
from django.core.cache import caches


class Namespaced:
    def __init__(self, prefix):
        self.cache = caches["default"]
        self.prefix = prefix

    def _key(self, key):
        return "%s:%s:%s" % (self.prefix, self.cache.get(self.prefix), key)

    def get(self, key):
        return self.cache.get(self._key(key))

    def clear(self):
        try:
            self.cache.incr(self.prefix)
        except ValueError:
            self.cache.set(self.prefix, 1)

    def reset(self, key):
        self.cache.delete(key)


def clear():
    caches["default"].clear()
'''

CLEARING = '''
from app.store import Namespaced
from app import store


def forget(event):
    ns = Namespaced(f"event:{event.pk}")
    ns.get("x")
    ns.clear()
    store.clear()
'''


def test_a_wrappers_argumentless_clear_is_the_librarys_clear(tmp_path):
    """A wrapper class's `clear(self)` that only bumps its namespace through the client it
    holds drops what the class keeps: a call of it is a keyless delete; so is a module's
    `clear()` over one library, called through the module."""
    found = understood(tmp_path, {"app/__init__.py": "", "app/store.py": NAMESPACED, "app/views.py": CLEARING},
                       "views.py")
    assert (9, "delete", "django", "Namespaced.clear", None, ("app.store.Namespaced.clear",)) in found
    assert (10, "delete", "django", "clear", None, ("app.store.clear",)) in found


MODEL_CLEAR = '''
from django.core.cache import cache


class Basket:
    def __init__(self):
        self.items = []

    def clear(self):
        self.items = []
        cache.delete("basket-count")


def empty(basket):
    basket.clear()
'''


def test_a_clear_with_an_argument_or_over_a_module_client_is_not_one(tmp_path):
    """`reset(self, key)` takes an argument (it is no keyless clear, and its key is not the
    one it deletes); a class's `clear` that deletes one key of a module's cache is the
    class's own business, not a cache's clear."""
    found = understood(tmp_path, {"app/__init__.py": "", "app/store.py": NAMESPACED, "app/basket.py": MODEL_CLEAR},
                       "basket.py")
    assert [use[3] for use in found] == ["delete"]  # the `cache.delete` inside, nothing at `basket.clear()`


# ---------------------------------------------------------------- library factories

def test_django_rq_hands_out_redis_clients(tmp_path):
    """`django_rq.get_connection()` returns the Redis connection of a queue: its commands
    are Redis operations."""
    source = '''
    from django_rq import get_connection
    import django_rq

    _redis = get_connection()


    def seen(uid):
        _redis.set(f"seen:{uid}", 1, ex=60)
        return django_rq.get_connection("low").smembers("active-users")
    '''
    found = understood(tmp_path, {"app/__init__.py": "", "app/activity.py": source}, "activity.py")
    assert [(row, kind, library, method) for row, kind, library, method, *_ in found] == [
        (9, "write", "redis", "set"), (10, "read", "redis", "smembers"),
    ]


# ---------------------------------------------------------------- attributes typed by their name

SCOPED = '''
from django.core.cache import caches


class Scoped:
    def __init__(self, obj):
        self.backend = caches["default"]
        self.prefix = f"{type(obj).__name__}:{obj.pk}"

    def get(self, key):
        return self.backend.get(f"{self.prefix}:{key}")

    def delete(self, key):
        self.backend.delete(f"{self.prefix}:{key}")

    def clear(self):
        self.backend.incr(self.prefix)
'''

MODELS = '''
from functools import cached_property


class Event:
    @cached_property
    def cache(self):
        from app.scoped import Scoped

        return Scoped(self)


class Organizer:
    def __init__(self):
        from app.scoped import Scoped

        self.cache = Scoped(self)
'''

VIEWS = '''
import jinja_env


def view(request, event, sender):
    request.event.cache.get("seats")
    scoped = sender.cache
    scoped.delete("stats")
    event.cache.clear()
    jinja_env.cache.clear()


class Loader:
    def reset(self):
        self.cache.clear()
'''


def test_an_attribute_every_project_class_makes_one_wrapper_types_unknown_receivers(tmp_path):
    """`Event.cache` and `Organizer.cache` are both a `Scoped` (a property and an
    attribute set in `__init__`): `x.cache` on a receiver of unknown type (a parameter, a
    relation) is then one, with the class's prefix. Not an imported module's `cache`
    (another package's object), nor `self.cache` in a class that defines none."""
    files = {"app/__init__.py": "", "app/scoped.py": SCOPED, "app/models.py": MODELS, "app/views.py": VIEWS}
    found = understood(tmp_path, files, "views.py", prefilter=False)
    assert [(row, kind, method, key) for row, kind, _, method, key, _ in found] == [
        (6, "read", "Scoped.get", "…:seats"),
        (8, "delete", "Scoped.delete", "…:stats"),
        (9, "delete", "Scoped.clear", None),
    ]
    # A file the prefilter skips for having no cache code is not linted again for them
    # (the cost of parsing every file that names `.cache` whole); one it models is.
    assert understood(tmp_path, files, "views.py") == []
    with_code = {**files, "app/views.py": "from django.core.cache import cache\n" + textwrap.dedent(VIEWS)}
    assert [row for row, *_ in understood(tmp_path, with_code, "views.py")] == [7, 9, 10]
    assert unresolved(tmp_path, with_code, "views.py") == [(11, "jinja_env.cache", "clear"), (16, "self.cache", "clear")]


OTHER = '''
class Renderer:
    def __init__(self):
        self.cache = {}
'''


def test_an_attribute_one_class_makes_something_else_types_only_receivers_named_after_a_class(tmp_path):
    """A third class whose `cache` is a dict: the name alone no longer says what `x.cache`
    is (`sender.cache` may be a `Renderer`'s), but `event.cache` and `request.event.cache`
    are still the `Event`'s, which is a `Scoped`."""
    files = {"app/__init__.py": "", "app/scoped.py": SCOPED, "app/models.py": MODELS, "app/views.py": VIEWS,
             "app/render.py": OTHER}
    assert [(row, method) for row, _, _, method, _, _ in understood(tmp_path, files, "views.py", prefilter=False)] == [
        (6, "Scoped.get"), (9, "Scoped.clear"),
    ]
    assert understood(tmp_path, files, "views.py", prefilter=False)[1:] == [
        (9, "delete", "django", "Scoped.clear", None, ("app.scoped.Scoped.clear",)),
    ]


HOLDER = '''
from django.core.cache import caches


class Holder:
    """A wrapper that keeps its client in an attribute of the same name."""

    def __init__(self, obj):
        self.cache = caches["default"]
        self.prefix = obj.pk

    def get(self, key):
        return self.cache.get(f"{self.prefix}:{key}")
'''


def test_the_client_a_wrapper_holds_does_not_count_against_the_name(tmp_path):
    """`Holder.cache` is the Django client the wrapper forwards to, reached through its
    methods: the classes whose `cache` is a `Holder` still type `event.cache`."""
    models = MODELS.replace("app.scoped import Scoped", "app.holder import Holder").replace("Scoped(self)", "Holder(self)")
    files = {"app/__init__.py": "", "app/holder.py": HOLDER, "app/models.py": models,
             "app/views.py": "def view(event):\n    return event.cache.get('seats')\n"}
    assert understood(tmp_path, files, "views.py", prefilter=False) == [
        (2, "read", "django", "Holder.get", "…:seats", ("app.holder.Holder.get",)),
    ]


# ---------------------------------------------------------------- what is not cache use

TABLE = '''
import collections

CACHE_COMMANDS = collections.OrderedDict()
CACHE_COMMANDS["help"] = (print, "Output help")
CACHE_COMMANDS["list"] = (list, "List cached images")

_RESULTS_CACHE = {}


def run(name):
    return CACHE_COMMANDS[name][0]()


def result(key):
    if key not in _RESULTS_CACHE:
        _RESULTS_CACHE[key] = run(key)
    return _RESULTS_CACHE[key]
'''


def test_a_dict_named_like_a_cache_that_only_the_module_fills_at_import_is_a_table(tmp_path):
    """`CACHE_COMMANDS`, filled with literals when the module is imported and only read
    since, is a command table: no cache operation; `_RESULTS_CACHE`, filled when `result`
    runs, is a memo: its read and fill are."""
    found = understood(tmp_path, {"app/__init__.py": "", "app/commands.py": TABLE}, "commands.py", prefilter=False)
    assert [(row, kind, method) for row, kind, _, method, _, _ in found] == [
        (17, "write", "__setitem__"), (18, "read", "__getitem__"),
    ]
    assert unresolved(tmp_path, {"app/__init__.py": "", "app/commands.py": TABLE}, "commands.py") == []


CLIENT_TABLE = '''
from flask_caching import Cache


class AppCache(Cache):
    pass


class FormCache(AppCache):
    def get(self, *args, **kwargs):
        return super().get(*args, **kwargs) or None


data_cache = AppCache()
form_cache = FormCache()
_cache = {"default": data_cache, "forms": form_cache}


def load(key, region):
    form_cache.set(key, 1, timeout=60)
    return _cache[region].get(key)


def forget(key, region):
    _cache[region].delete(key)
'''


def test_a_dict_of_clients_is_no_memo_and_its_values_are_clients(tmp_path):
    """A dict whose values are all clients of one library is no dict cache: `_cache[region]`
    is a client of that library, and so is an instance of a subclass of a subclass of
    one (`FormCache(AppCache)`, `AppCache(Cache)`)."""
    found = understood(tmp_path, {"app/__init__.py": "", "app/regions.py": CLIENT_TABLE}, "regions.py", prefilter=False)
    assert [(row, kind, library, method, key) for row, kind, library, method, key, _ in found] == [
        (20, "write", "flask-caching", "set", "{key}"),
        (21, "read", "flask-caching", "get", "{key}"),
        (25, "delete", "flask-caching", "delete", "{key}"),
    ]


ANNOTATED = '''
from typing import Optional, TYPE_CHECKING

from django.core.cache import caches
from django.utils.functional import classproperty

if TYPE_CHECKING:
    from django.core.cache.backends.base import BaseCache


class Context:
    def __init__(self, *, cache: BaseCache, key):
        self.cache = cache
        self.key = key

    def load(self):
        return self.cache.get(self.key)


class Rendition:
    backends = [caches["default"]]

    @classproperty
    def cache_backend(cls) -> BaseCache:
        return cls.backends[0]

    def purge(self):
        self.cache_backend.delete(f"rendition:{self.pk}")


class Manager:
    def __init__(self, backend: Optional[str]):
        self.backend = backend

    def read(self, key):
        return self.backend.get(key)
'''


def test_a_client_annotated_with_a_backend_base_class_is_a_client(tmp_path):
    """Django's `BaseCache` annotates a keyword parameter kept in an attribute, and the
    return of a class property whose return the model cannot follow (a list's item): both are
    Django caches. A parameter annotated with anything else stays unknown."""
    found = understood(tmp_path, {"app/__init__.py": "", "app/ctx.py": ANNOTATED}, "ctx.py", prefilter=False)
    assert [(row, kind, library, method) for row, kind, library, method, _, _ in found] == [
        (17, "read", "django", "get"), (28, "delete", "django", "delete"),
    ]


def test_a_private_attribute_types_nothing_outside_its_class(tmp_path):
    """`self._cache = Scoped(self)`: a private attribute is the class's own, used through
    `self`; `event._cache` elsewhere is not typed by it."""
    models = MODELS.replace("self.cache = Scoped(self)", "self._cache = Scoped(self)").replace(
        "    @cached_property\n    def cache(self):", "    @cached_property\n    def _cache(self):")
    files = {"app/__init__.py": "", "app/scoped.py": SCOPED, "app/models.py": models,
             "app/views.py": "def view(event):\n    return event._cache.get('seats')\n"}
    assert understood(tmp_path, files, "views.py") == []


# ---------------------------------------------------------------- memoizers that apply a library's

MEMO = '''
from functools import wraps

from flask_caching import Cache

cache = Cache()


def memoize_function(timeout=120):
    def decorator(func):
        cached = cache.memoize(timeout)(func)

        @wraps(func)
        def wrapper(*args, **kwargs):
            return cached(*args, **kwargs)

        return wrapper

    return decorator


def logged(timeout=120):
    def decorator(func):
        cache.memoize(timeout)(print)
        return func

    return decorator
'''

MEMO_USERS = '''
from app import memo


@memo.memoize_function(600)
def project(pid):
    return pid


@memo.memoize_function()
def person(pid):
    return pid


@memo.logged(600)
def plain(pid):
    return pid
'''


def test_a_decorator_that_applies_the_librarys_memoize_to_its_function_is_a_memoizer(tmp_path):
    """`memoize_function(timeout)` applies Flask-Caching's `memoize(timeout)` to the function
    it decorates and returns a function calling the result: each function it decorates,
    in any module, is memoised, with the TTL passed (or the factory's default). `logged`
    applies it to something else and returns the function as it was: no memoizer."""
    files = {"app/__init__.py": "", "app/memo.py": MEMO, "app/services.py": MEMO_USERS}
    run = _run(tmp_path, files)
    [services] = [file.facts for file in run.files if file.filename.endswith("services.py")]
    assert [(use.line, use.kind, use.library, use.method, use.ttl) for use in services.uses] == [
        (5, "decorator", "flask-caching", "memo.memoize_function", "expires"),
        (10, "decorator", "flask-caching", "memo.memoize_function", "expires"),
    ]


# ---------------------------------------------------------------- pytest fixtures

FIXTURES = '''
import pytest
import redis


@pytest.fixture
def client():
    return redis.Redis()


def test_module(client):
    client.set("k", 1)


class TestA:
    @pytest.fixture()
    def r(self):
        return redis.Redis()

    def test_class(self, r, client):
        r.get("a")
        client.delete("b")


class TestB:
    def test_other(self, r, store):
        r.get("c")
        store.get("d")
'''


def test_a_tests_parameter_is_the_client_its_pytest_fixture_returns(tmp_path):
    """A test's parameter is what the fixture of its name returns, a fixture of its module
    or of its own class; `r` in another class and `store` (no fixture) are not known."""
    files = {"app/__init__.py": "", "app/test_things.py": FIXTURES}
    assert [(row, kind, method, key) for row, kind, _, method, key, _ in understood(tmp_path, files, "test_things.py")] == [
        (12, "write", "set", "k"), (21, "read", "get", "a"), (22, "delete", "delete", "b"),
    ]
    assert unresolved(tmp_path, files, "test_things.py") == [(28, "store", "get")]


# ---------------------------------------------------------------- key shapes as ops shows them

SHAPES = '''
import django_redis
from django.core.cache import cache
from django.db import connection


class Quotas:
    def __init__(self, ignore_closed, suffix):
        self._suffix = ""
        if ignore_closed:
            self._suffix += ":igcl"
        self._plain = "v1"
        self._given = suffix

    def lock(self, name):
        rc = django_redis.get_redis_connection("redis")
        rc.set(f"quotas:write:{name}{self._suffix}", "1", ex=10)
        rc.set(f"quotas:plain:{name}{self._plain}", "1", ex=10)


def db_key():
    try:
        name = connection.settings_dict["NAME"]
    except KeyError:
        name = "unknown"
    return f"{connection.vendor}:{name}"


def columns():
    cache.get(db_key())
    cache.get("columns:all")
'''


def test_a_key_of_several_shapes_shows_each_and_an_augmented_attribute_is_not_its_first_value(tmp_path):
    """`self._suffix = ""` then `self._suffix += ":igcl"`: the suffix is not always empty, so
    it stays a part of the key; `self._plain`, assigned once, is folded. A key built with a
    fallback in `except` has two shapes, both shown (not the fallback alone)."""
    files = {"app/__init__.py": "", "app/quotas.py": SHAPES}
    assert [(row, key) for row, _, _, _, key, _ in understood(tmp_path, files, "quotas.py")] == [
        (17, "quotas:write:{name}{self._suffix}"),
        (18, "quotas:plain:{name}v1"),
        (30, "{connection.vendor}:unknown | {connection.vendor}:{name}"),
        (31, "columns:all"),
    ]


# ---------------------------------------------------------------- a parameter named as the module names its client

LOCKS = '''
import sqlite3

from app.connection import get_redis_connection


def release(redis_conn, key):
    redis_conn.delete(key)


def cleanup(owner):
    redis_conn = get_redis_connection()
    redis_conn.srem("owners", owner)
    release(redis_conn, f"lock:{owner}")


def mixed(store, key):
    store.get(key)


def fill():
    store = get_redis_connection()
    store.set("a", 1)
    store = sqlite3.connect("x.db")
'''

CONNECTION = '''
import redis


def get_redis_connection():
    return redis.Redis()
'''


def test_a_parameter_is_a_client_when_the_module_assigns_its_name_only_clients(tmp_path):
    """`redis_conn`, a parameter of `release`, is what every function of the module that
    assigns `redis_conn` assigns it: a Redis client (so `release` deletes a key of its
    caller's). `store` is assigned a client and a database connection: not known."""
    files = {"app/__init__.py": "", "app/connection.py": CONNECTION, "app/locks.py": LOCKS}
    assert [(row, kind, method) for row, kind, _, method, _, _ in understood(tmp_path, files, "locks.py")] == [
        (8, "delete", "delete"), (13, "delete", "srem"), (14, "delete", "release"), (23, "write", "set"),
    ]
    assert unresolved(tmp_path, files, "locks.py") == [(18, "store", "get")]


LRU = '''
from collections import OrderedDict
from typing import OrderedDict as TypedOrderedDict


class Templates:
    def __init__(self):
        self._cache = OrderedDict[str, dict]()

    def clear(self):
        self._cache.clear()


class Typed:
    def __init__(self):
        self._cache = TypedOrderedDict[str, dict]()

    def clear(self):
        self._cache.clear()


class Remote:
    def __init__(self, make):
        self._cache = make()

    def clear(self):
        self._cache.clear()
'''


def test_a_subscripted_container_class_called_is_a_container(tmp_path):
    """`OrderedDict[str, dict]()` makes an ordered dict, a per-object table (so does
    `typing.OrderedDict[...]()`): its `clear` is not a cache call left unresolved; what
    `make()` gives is not known, so its is."""
    files = {"app/__init__.py": "", "app/lru.py": LRU}
    assert unresolved(tmp_path, files, "lru.py", prefilter=False) == [(27, "self._cache", "clear")]


# ---------------------------------------------------------------- another module's constant in a key

KEYS = '''
from django.core.cache import cache

SCAN_KEY = "pulp:last_scan"
SCAN_TTL = 900
PREFIX = "pulp:" + "x"


def scan():
    cache.set(SCAN_KEY, 1, SCAN_TTL)
'''

WORKER = '''
from django.core.cache import cache

from app import keys
from app.keys import PREFIX
from app.models import SCAN_KEY


def run(name):
    cache.set(SCAN_KEY, name)
    cache.get(keys.SCAN_KEY + ":" + name)
    cache.delete(PREFIX)
'''


def test_ops_spells_out_another_modules_constant_string_in_a_key(tmp_path):
    """`SCAN_KEY`, imported from `app.keys` (here through `app.models`, which re-exports it),
    is the text it is bound to; `PREFIX`, bound to an expression, stays a name."""
    from cachelint.project.ops import understood as listed

    files = {"app/__init__.py": "", "app/keys.py": KEYS, "app/models.py": "from app.keys import SCAN_KEY\n",
             "app/worker.py": WORKER}
    run = _run(tmp_path, files, prefilter=False)
    entries = listed([(file.filename, file.facts) for file in run.files if file.facts is not None])
    assert [(e["row"], e["key"]) for e in entries if e["filename"].endswith("worker.py")] == [
        (10, "pulp:last_scan"), (11, "pulp:last_scan:{name}"), (12, "{PREFIX}"),
    ]


PROXIES = '''
from django.core.cache import caches
from django.db import connections
from django.utils.connection import ConnectionProxy

menu_cache = ConnectionProxy(caches, "menus")
database = ConnectionProxy(connections, "default")


def clear(keys):
    menu_cache.delete_many(keys)
    database.close()
'''


def test_a_proxy_of_the_caches_registry_is_a_django_cache(tmp_path):
    """`ConnectionProxy(caches, alias)` is `caches[alias]`, as `django.core.cache.cache` is
    made; a proxy of `connections` is a database connection, not a cache."""
    files = {"app/__init__.py": "", "app/menus.py": PROXIES}
    assert [(row, kind, library, method) for row, kind, library, method, _, _ in understood(tmp_path, files, "menus.py")] == [
        (11, "delete", "django", "delete_many"),
    ]


SCREENSHOTS = '''
from flask_caching import Cache

from app.ext import thumbnail_cache, make_store


class BaseScreenshot:
    cache: Cache = thumbnail_cache
    store: dict = make_store()

    def save(self, key, payload):
        self.cache.set(key, payload)
        self.store.get(key)

    @classmethod
    def fetch(cls, key):
        return cls.cache.get(key)
'''


def test_a_class_attribute_annotated_with_a_client_type_is_that_client(tmp_path):
    """`cache: Cache = thumbnail_cache` (a proxy the module cannot follow): its annotation
    says a Flask-Caching cache, for `self.cache` and `cls.cache`; `store: dict` is a dict."""
    files = {"app/__init__.py": "", "app/shots.py": SCREENSHOTS}
    assert [(row, kind, library, method) for row, kind, library, method, _, _ in understood(tmp_path, files, "shots.py")] == [
        (12, "write", "flask-caching", "set"), (17, "read", "flask-caching", "get"),
    ]
    assert unresolved(tmp_path, files, "shots.py") == []


def test_a_wrapper_is_called_through_a_package_that_re_exports_its_module(tmp_path):
    """`from app.utils import cache` in `app/__init__.py`: `from app import cache;
    cache.clear()` calls `app.utils.cache.clear`, a wrapper. Where the package re-exports
    the module's client instead (`from app.utils.cache import cache`), `cache.clear()` is
    the client's own `clear`, not the wrapper's."""
    utils = "from flask_caching import Cache\n\ncache = Cache()\n\n\ndef clear():\n    cache.clear()\n"
    cli = "from app import cache\n\n\ndef reset():\n    cache.clear()\n"
    files = {"app/__init__.py": "from app.utils import cache\n", "app/utils/__init__.py": "",
             "app/utils/cache.py": utils, "app/cli.py": cli}
    assert understood(tmp_path / "module", files, "cli.py", prefilter=False) == [
        (5, "delete", "flask-caching", "clear", None, ("app.utils.cache.clear",)),
    ]
    files["app/__init__.py"] = "from app.utils.cache import cache\n"
    assert understood(tmp_path / "client", files, "cli.py", prefilter=False) == [
        (5, "delete", "flask-caching", "clear", None, ()),
    ]


BUILDERS = '''
from urllib.parse import quote

import redis

client = redis.Redis()
USER_KEY = "auth:v1:{}:{}"


def _segment(value):
    return quote(f"{value or ''}", safe="")


def _key(username, realm):
    return USER_KEY.format(_segment(username), _segment(realm))


def forget(user, realm_name):
    client.delete(_key(user.name, realm_name))
'''


def test_a_key_built_by_helpers_reads_with_the_callers_arguments(tmp_path):
    """`_key` builds the key of two `_segment` calls: each part reads as the argument the
    call gives (`user.name`, `realm_name`), not as `_segment`'s own parameter `value`;
    `safe=` (a keyword, not a read of a name) and the attribute `name` stay as written."""
    files = {"app/__init__.py": "", "app/auth.py": BUILDERS}
    assert [key for _, _, _, _, key, _ in understood(tmp_path, files, "auth.py")] == [
        """auth:v1:{quote(f"{user.name or ''}", safe="")}:{quote(f"{realm_name or ''}", safe="")}""",
    ]
