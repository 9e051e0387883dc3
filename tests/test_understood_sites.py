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


def _uses(root: Path, filename: str) -> list:
    """What the model understood in `filename` of a tree already written, with their TTLs."""
    run = lint_paths([root], Settings(root=root))
    return sorted((use for file in run.files if file.facts is not None and file.filename.endswith(filename)
                   for use in file.facts.uses), key=lambda use: use.line)


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
    # A file the prefilter skips for having no cache code is linted again for them too, as
    # one it models is: the report does not depend on the prefilter.
    assert understood(tmp_path, files, "views.py") == found
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


# ---------------------------------------------------------------- a parameter annotated `Any`

LOCK_BASE = '''
import redis


def lock_client():
    return redis.Redis()
'''

LOCK_COMMAND = '''
from typing import Any

from app.base import lock_client


class Take:
    def run(self):
        if (conn := lock_client()) is not None:
            self._take(conn)

    def _take(self, conn: Any) -> None:
        conn.set("lock:job", "1", nx=True, ex=30)

    def _peek(self, store: Any) -> None:
        store.get("lock:job")
'''


def test_a_parameter_annotated_any_is_what_the_module_assigns_its_name(tmp_path):
    """`conn: Any` says nothing of the value: it is what the module assigns `conn` (here
    in a walrus), a Redis client. `store: Any` is assigned nothing in the module: not known."""
    files = {"app/__init__.py": "", "app/base.py": LOCK_BASE, "app/command.py": LOCK_COMMAND}
    assert [(row, kind, method, key) for row, kind, _, method, key, _ in understood(tmp_path, files, "command.py")] \
        == [(13, "write", "set", "lock:job")]
    assert unresolved(tmp_path, files, "command.py") == [(16, "store", "get")]


# ---------------------------------------------------------------- a factory that memoizes its client

MEMO_FACTORY = '''
import os

import redis

_pools = {}


def _connect(url):
    made = redis.Redis.from_url(url)
    made.ping()
    return made


def shared(slot, url):
    entry = slot.get("conn")
    if entry is not None and entry[0] == os.getpid():
        return entry[1]
    if not url:
        return None
    made = _connect(url)
    slot["conn"] = (os.getpid(), made)
    return made


def gated(slot, url, enabled):
    if not enabled:
        return None
    return shared(slot, url)


def pooled(name):
    if name == "main":
        return redis.Redis()
    return _pools[name]


def read_txn(slot, url, txn):
    conn = gated(slot, url, True)
    if conn is not None:
        conn.hgetall(f"txn:{txn}")


def read_pool(name, txn):
    store = pooled(name)
    store.get(f"txn:{txn}")
'''


def test_a_factory_that_returns_the_client_it_kept_earlier_returns_a_client(tmp_path):
    """`shared` returns a new client or the one it stored in `slot` before (read back as
    `entry[1]`): a Redis client either way, also through `gated`. `pooled` returns one
    or an entry of a table it never fills: not known."""
    files = {"app/__init__.py": "", "app/conn.py": MEMO_FACTORY}
    assert [(row, kind, method, key) for row, kind, _, method, key, _ in understood(tmp_path, files, "conn.py")] \
        == [(41, "read", "hgetall", "txn:{txn}")]
    assert unresolved(tmp_path, files, "conn.py") == [(46, "store", "get")]


# ---------------------------------------------------------------- a client a context manager yields

FAKE_HELPERS = '''
from contextlib import contextmanager
from unittest import mock


@contextmanager
def fake_redis():
    from fakeredis import FakeRedis

    server = FakeRedis(decode_responses=True)
    with mock.patch("app.storage.connect", return_value=server):
        yield server


@contextmanager
def overridden():
    with mock.patch("app.settings.FLAG", 1):
        yield {"store": None}
'''

FAKE_TEST = '''
from app.helpers import fake_redis, overridden


def test_reads_from_redis():
    with fake_redis() as server:
        server.set("task.json", "{}")


def test_flag():
    with overridden() as store:
        store.get("store")
'''


def test_a_context_manager_that_yields_a_client_gives_it_to_with(tmp_path):
    """`with fake_redis() as server`: what the `@contextmanager` yields, a fakeredis client
    (redis-py's interface); `overridden` yields a dict: not a client."""
    files = {"app/__init__.py": "", "app/helpers.py": FAKE_HELPERS, "app/test_storage.py": FAKE_TEST}
    assert [(row, kind, library, method) for row, kind, library, method, _, _ in
            understood(tmp_path, files, "test_storage.py")] == [(7, "write", "redis", "set")]
    assert unresolved(tmp_path, files, "test_storage.py") == [(12, "store", "get")]


# ---------------------------------------------------------------- wrappers that decode or guard

SHARED_TOKENS = '''
import json

import redis

store = redis.Redis()


def fetch(key):
    try:
        raw = store.get(key)
    except redis.RedisError:
        return None, None
    if raw is None:
        return None, None
    pair = json.loads(raw)
    return pair["url"], pair["token"]


def share(key, url, token, ttl):
    if not url or not token or ttl <= 0:
        return
    store.set(key, json.dumps({"url": url, "token": token}), ex=ttl)


def mark(key):
    store.set(key, json.dumps({"seen": True}))
'''

TOKEN_USER = '''
from app import tokens


def connect(ident):
    found = tokens.fetch(f"auth:{ident}")
    if not found:
        tokens.share(f"auth:{ident}", "https://swift", "t0k", 600)
    tokens.mark(f"auth:{ident}")
'''


def test_wrappers_that_decode_what_they_read_or_guard_what_they_write(tmp_path):
    """`fetch` decodes what it reads and answers `(None, None)` on a miss: a read of its
    caller's key, whose result is not the entry itself (no miss value to check).
    `share` writes the caller's arguments encoded, after a guard: a write with the
    caller's TTL. `mark` writes a value of its own (no argument in it): not a wrapper."""
    files = {"app/__init__.py": "", "app/tokens.py": SHARED_TOKENS, "app/use.py": TOKEN_USER}
    assert [(row, kind, key, via) for row, kind, _, _, key, via in understood(tmp_path, files, "use.py")] \
        == [(6, "read", "auth:{ident}", ("app.tokens.fetch",)),
            (8, "write", "auth:{ident}", ("app.tokens.share",))]


BLURBS = '''
from django.core.cache import cache
from django.shortcuts import render as django_render


def blurb(shop):
    key = f"blurb:{shop.id}"
    text = cache.get(key)
    if text is None:
        text = shop.summarise()
        cache.set(key, text, 3600)
    return f"{shop.name}: {text}"


def page(request, template, context):
    context["blurb"] = blurb(context["shop"])
    return django_render(request, template, context)
'''

SHOP_VIEWS = '''
from app.blurbs import blurb, page


def front(request, shop):
    return page(request, "front.html", {"shop": shop})


def teaser(shop):
    return blurb(shop)
'''


def test_a_function_that_only_reads_on_the_way_to_something_else_is_no_wrapper(tmp_path):
    """`blurb` reads its caller's shop's entry, fills it on a miss and returns what it
    makes of it: a read-through for its callers. `page` calls it on the way to rendering: what it returns is not made of
    the entry, so its callers read no key of theirs (each would be linted again for
    nothing)."""
    files = {"app/__init__.py": "", "app/blurbs.py": BLURBS, "app/views.py": SHOP_VIEWS}
    assert [(row, kind, via) for row, kind, _, _, _, via in understood(tmp_path, files, "views.py")] \
        == [(10, "read-through", ("app.blurbs.blurb",))]


# ---------------------------------------------------------------- a read-through that fills another entry on the way

LISTING = '''
from django.core.cache import cache, caches

zones = caches["zones"]


class Listing:
    def get(self, request):
        if request.GET.get("all"):
            return self._listing(request)
        return self._counted(request)

    def _listing(self, request):
        key = ":".join(["listing", request.GET.urlencode()])
        found = cache.get(key)
        if found:
            return found
        zone = zones.get_or_set("zone", lambda: "UTC", 600)
        data = {"zone": zone, "rows": list(request.GET)}
        cache.set(key, data, 30)
        return data

    def _counted(self, request):
        key = ":".join(["counted", request.GET.urlencode()])
        found = cache.get(key)
        if found:
            return found
        zones.set("last", request.path)
        data = {"rows": list(request.GET)}
        cache.set(key, data, 30)
        return data
'''


def test_a_read_through_may_fill_another_entry_while_it_computes_the_value(tmp_path):
    """`_listing` reads its key, fills another cache's entry only if absent on the way
    (`get_or_set`), then writes its key: a read-through for its caller. `_counted` writes
    another entry outright in between: two writes, not one read-through."""
    files = {"app/__init__.py": "", "app/views.py": LISTING}
    assert [(row, kind, method) for row, kind, _, method, _, _ in understood(tmp_path, files, "views.py")
            if row < 14] == [(10, "read-through", "Listing._listing")]


# ---------------------------------------------------------------- key shapes as `ops` spells them

SHAPED = '''
import time

import redis
from cachetools import TTLCache

from app.naming import region_key

r = redis.Redis()
_sessions = TTLCache(maxsize=64, ttl=300)


def tuples(role, zone):
    _sessions.get((role, zone))
    _sessions.get(("fixed", role))
    _sessions.get((zone,))


def spread(names, ids, zone):
    r.delete(*names)
    r.delete(*[f"member:{i}" for i in ids])
    r.delete("totals", f"zone:{zone}")
    r.delete(zone)


def held(zone):
    built = region_key(zone)
    r.get(built)
    moment = time.time()
    r.get(f"tick:{moment}")
'''


def test_ops_spells_tuple_keys_starred_keys_and_a_key_a_local_holds(tmp_path):
    """A tuple key is shown as a tuple (two different tuples never read as one string); the
    keys `*names` spreads, each (a collection not seen into marked `*`); a local holding a
    key builder's call as that call. A local holding a value inside a key stays by name."""
    files = {"app/__init__.py": "", "app/naming.py": "def region_key(zone):\\n    return 'r:' + zone\\n",
             "app/shaped.py": SHAPED}
    assert [(row, key) for row, _, _, _, key, _ in understood(tmp_path, files, "shaped.py")] == [
        (14, "({role}, {zone})"), (15, "('fixed', {role})"), (16, "({zone},)"),
        (20, "*{names}"), (21, "member:{i}"), (22, "totals | zone:{zone}"), (23, "{zone}"),
        (28, "{region_key(zone)}"), (30, "tick:{moment}"),
    ]


# ---------------------------------------------------------------- TTLs

def ttls(root: Path, files: dict[str, str], filename: str) -> list[tuple[int, str, str | None]]:
    """(row, method, what its TTL means) of what the model understood in `filename`."""
    run = _run(root, files)
    return sorted((use.line, use.method, use.ttl) for file in run.files
                  if file.facts is not None and file.filename.endswith(filename) for use in file.facts.uses)


INTERVALS = '''
SWEEP_EVERY = 900
FOREVER = 0
'''

SWEEPER = '''
import redis
from django.conf import settings

from app import intervals
from app.intervals import FOREVER, SWEEP_EVERY
from app.unknown import LATER

r = redis.Redis()


def sweep(owner):
    r.set("sweep:last", owner, ex=SWEEP_EVERY)
    r.set("sweep:owner", owner, ex=intervals.SWEEP_EVERY)
    r.set("sweep:pinned", owner, ex=FOREVER)
    r.set("sweep:next", owner, ex=LATER)
    r.set("sweep:page", owner, ex=settings.PAGE_TTL)
    r.set("sweep:debug", owner, ex=settings.DEBUG_TTL)
'''


def test_a_ttl_read_from_another_modules_constant_has_its_meaning(tmp_path):
    """`ex=SWEEP_EVERY`, imported from the module that binds it 900: the entry expires,
    however the constant is read, and so does a setting every settings module sets above
    zero; `FOREVER` = 0 is redis's error; a constant no module of the project binds, or a
    setting one settings module sets to 0, is not known."""
    files = {"app/__init__.py": "", "app/intervals.py": INTERVALS, "app/sweeper.py": SWEEPER,
             "app/settings/__init__.py": "", "app/settings/prod.py": "PAGE_TTL = 300\nDEBUG_TTL = 60\n",
             "app/settings/dev.py": "PAGE_TTL = 30\nDEBUG_TTL = 0\n"}
    assert ttls(tmp_path, files, "sweeper.py") == [
        (13, "set", "expires"), (14, "set", "expires"), (15, "set", "error"), (16, "set", "unknown"),
        (17, "set", "expires"), (18, "set", "unknown"),
    ]


ACTIVITY = '''
import redis
from django.conf import settings

r = redis.Redis()
KEEP_FOR = getattr(settings, "ACTIVITY_TTL", 86400)


def seen(user_id, stamp, timeout):
    r.setex(f"seen:{user_id}", KEEP_FOR, stamp)
    r.psetex(f"seen_ms:{user_id}", timeout, stamp)
    r.setex(f"gone:{user_id}", 0, stamp)
    r.set(f"last:{user_id}", stamp, ex=timeout)
'''


def test_setex_expires_its_entry_whatever_time_it_is_given(tmp_path):
    """SETEX sets an expiry or fails: a time read from a setting, or a parameter, expires
    the entry; a literal 0 is redis's error. SET's `ex=` parameter may be None: not known."""
    files = {"app/__init__.py": "", "app/activity.py": ACTIVITY}
    assert ttls(tmp_path, files, "activity.py") == [
        (10, "setex", "expires"), (11, "psetex", "expires"), (12, "setex", "error"), (13, "set", "unknown"),
    ]


COUNTERS = '''
import redis

r = redis.Redis()
VISITS = "visits:total"


def count(page, window):
    r.incr(VISITS)
    r.expire(VISITS, window)
    r.hincrby(f"pages:{page}", "hits", 1)
    r.expire(f"pages:{page}:other", 60)
'''


def test_a_counter_whose_expire_follows_expires(tmp_path):
    """`incr` creates its key without a TTL, but an `expire` of that key follows: the key
    expires. The hash counted next gets no expire (the one after names another key)."""
    files = {"app/__init__.py": "", "app/counters.py": COUNTERS}
    assert [(row, method, ttl) for row, method, ttl in ttls(tmp_path, files, "counters.py") if method != "expire"] == [
        (9, "incr", "expires"), (11, "hincrby", "forever"),
    ]


# ---------------------------------------------------------------- a client set on the application

APP_PACKAGE = '''
from flask import current_app as app
'''

APP_SETUP = '''
import redis


def _connect(application):
    return redis.from_url(application.config["REDIS_URL"])


def init_queue(app):
    app.config.setdefault("QUEUE", "default")
    app.redis = _connect(app)
'''

APP_VIEWS = '''
import web
from flask import current_app as app
from jinja2 import Environment

from web import helpers


def login(provider):
    web.app.redis.set("provider", provider, ex=60)
    app.redis.get("provider")
    helpers.redis.get("provider")
    Environment.redis.get("provider")
'''


def test_a_client_a_setup_function_sets_on_the_application(tmp_path):
    """`init_queue(app)` sets `app.redis` to a Redis client: `current_app.redis`, and the
    package's own `app`, are that client. The same attribute on another module of the
    project, or on another package's object, is not."""
    files = {"web/__init__.py": APP_PACKAGE, "web/setup.py": APP_SETUP, "web/views.py": APP_VIEWS,
             "web/helpers.py": "redis = None\\n"}
    assert [(row, kind, method) for row, kind, _, method, _, _ in understood(tmp_path, files, "views.py", False)] == [
        (10, "write", "set"), (11, "read", "get"),
    ]
    assert unresolved(tmp_path, files, "views.py", False) == [
        (12, "helpers.redis", "get"), (13, "Environment.redis", "get")]


# ---------------------------------------------------------------- a wrapper class's other attributes

SHOTS = '''
from flask_caching import Cache

thumbs = Cache()


class Payload(dict):
    @classmethod
    def from_dict(cls, found):
        return cls(found)


class BaseShot:
    cache: Cache = thumbs

    @classmethod
    def load(cls, key):
        if found := cls.cache.get(key):
            return Payload.from_dict(found)
        return None


class ChartShot(BaseShot):
    pass


class Report:
    def __init__(self):
        self.cache = thumbs
'''

SHOTS_API = '''
from app.shots import ChartShot


def view(key):
    shot = ChartShot()
    shot.cache.set(key, {"status": "pending"})
    return shot.load(key)
'''


def test_an_instance_of_a_wrapper_class_keeps_its_typed_attributes(tmp_path):
    """`ChartShot` is a wrapper class (`load` reads its caller's key): its instance's
    methods are operations, and its `cache`, which the project's classes make Flask-Caching
    clients, is still one."""
    files = {"app/__init__.py": "", "app/shots.py": SHOTS, "app/api.py": SHOTS_API}
    assert [(row, kind, method) for row, kind, _, method, _, _ in understood(tmp_path, files, "api.py")] == [
        (7, "write", "set"), (8, "read", "ChartShot.load")]


# ---------------------------------------------------------------- what a factory says it returns

BACKENDS = '''
import redis
from flask_caching.backends.rediscache import RedisCache


class StreamBackend(RedisCache):
    def __init__(self, host):
        super().__init__(host=host)
        self._cache = redis.Redis(host=host)

    def xrange(self, stream_name, start, end, count):
        return self._cache.xrange(stream_name, start, end, count)

    @classmethod
    def from_config(cls, config):
        return cls(**config)
'''

MANAGER = '''
from typing import Any, Optional

from flask_caching.backends.base import BaseCache

from app.backends import StreamBackend


def get_cache_backend(config: dict[str, Any]) -> StreamBackend:
    return StreamBackend.from_config(config.get("ASYNC_CACHE", {}))


def get_clients(config) -> list[StreamBackend]:
    return [StreamBackend.from_config(config)]


class Manager:
    def __init__(self) -> None:
        self._cache: Optional[BaseCache] = None
        self._stream_caches = None

    def init_app(self, app) -> None:
        self._cache = get_cache_backend(app.config)
        self._stream_caches = get_clients(app.config)

    def read_events(self, channel: str) -> list:
        return self._cache.xrange(f"events:{channel}", "-", "+", 100)

    def read_all(self, channel: str) -> list:
        return self._stream_caches.xrange(f"events:{channel}", "-", "+", 100)
'''


def test_a_factory_is_what_its_return_annotation_says_when_what_it_returns_is_not_known(tmp_path):
    """superset's `get_cache_backend(config) -> RedisCacheBackend` returns
    `RedisCacheBackend.from_config(...)`, a class method of another module: what that is,
    the module cannot tell, but the annotation can (a wrapper class of the project, whose
    `xrange` reads from Redis). A factory annotated with a list of them makes no client."""
    files = {"app/__init__.py": "", "app/backends.py": BACKENDS, "app/manager.py": MANAGER}
    found = understood(tmp_path, files, "manager.py")
    assert [(row, kind, library, via) for row, kind, library, _, _, via in found] == [
        (27, "read", "redis", ("app.backends.StreamBackend.xrange",)),
    ]
    assert unresolved(tmp_path, files, "manager.py") == [(30, "self._stream_caches", "xrange")]


ANNOTATED_LOCKS = '''
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from app.extensions import coordination

if TYPE_CHECKING:
    import redis


def get_redis_client() -> "redis.Redis[Any] | None":
    backend = coordination.backend
    return backend._cache if backend else None


def get_lock_client() -> Optional["redis.Redis"]:
    return coordination.lock_client


def get_redis_pool() -> "type[redis.Redis]":
    return coordination.pool_class


def get_redis_name() -> "not a type":
    return coordination.name
'''

ACQUIRE = '''
from typing import Any

from app.locks import get_lock_client, get_redis_name, get_redis_pool, get_redis_client


class Acquire:
    def run(self, key: str) -> None:
        if (redis_client := get_redis_client()) is not None:
            self._acquire(redis_client, key)
        get_lock_client().delete(f"lock:{key}")
        get_redis_pool().delete(f"lock:{key}")
        get_redis_name().delete(f"lock:{key}")

    def _acquire(self, redis_client: Any, key: str) -> None:
        redis_client.set(f"lock:{key}", "1", nx=True, ex=30)
'''


def test_a_factory_annotated_with_a_string_returns_the_client_it_spells(tmp_path):
    """superset's `get_redis_client() -> "redis.Redis[Any] | None"` (`redis` imported only
    under `TYPE_CHECKING`), and `Optional["redis.Redis"]`: the string is the annotation.
    A string that spells a class (`type[redis.Redis]`) or no expression is no client."""
    files = {"app/__init__.py": "", "app/extensions.py": "coordination = object()\n",
             "app/locks.py": ANNOTATED_LOCKS, "app/acquire.py": ACQUIRE}
    found = understood(tmp_path, files, "acquire.py", prefilter=False)
    assert [(row, kind, library, method) for row, kind, library, method, *_ in found] == [
        (11, "delete", "redis", "delete"), (16, "write", "redis", "set"),
    ]
    assert unresolved(tmp_path, files, "acquire.py", prefilter=False) == [
        (12, "get_redis_pool()", "delete"),
    ]


# ---------------------------------------------------------------- a package imported as a top-level one

MOCKS = '''
from contextlib import contextmanager
from unittest import mock

from storages.models import RedisStorage


@contextmanager
def redis_client_mock():
    from fakeredis import FakeRedis

    redis = FakeRedis(decode_responses=True)
    with mock.patch.object(RedisStorage, "get_redis_connection", return_value=redis):
        yield redis
'''

STORAGES = '''
from django.db import models


class RedisStorage(models.Model):
    def get_redis_connection(self):
        import redis

        return redis.Redis()
'''

TOP_LEVEL_MOCKS = '''
from django.core.cache import cache


def redis_client_mock():
    cache.delete("mocks")
    return open("mocks.json")
'''

IMPORT_TEST = '''
import json

from tests.utils import redis_client_mock


def test_import(data):
    with redis_client_mock() as redis:
        redis.set("import:test.json", json.dumps(data))
'''


def test_a_package_the_project_imports_as_a_top_level_one_is_its_own(tmp_path):
    """label-studio's `manage.py` sits in `label_studio/`, so its modules import
    `label_studio/storages/models.py` as `storages.models` and its tests
    `label_studio/tests/utils.py` as `tests.utils`: the fakeredis client its
    `redis_client_mock()` yields is a Redis client there too. Where the project has a
    top-level `tests` package of its own, `tests.utils` is that one."""
    files = {"pyproject.toml": "", "ls/__init__.py": "", "ls/manage.py": "", "ls/tests/__init__.py": "",
             "ls/tests/utils.py": MOCKS, "ls/storages/__init__.py": "", "ls/storages/models.py": STORAGES,
             "ls/io/__init__.py": "", "ls/io/tests/__init__.py": "", "ls/io/tests/test_import.py": IMPORT_TEST}
    found = understood(tmp_path / "one", files, "test_import.py")
    assert [(row, kind, library, method) for row, kind, library, method, *_ in found] == [(9, "write", "redis", "set")]
    files |= {"tests/__init__.py": "", "tests/utils.py": TOP_LEVEL_MOCKS}
    assert understood(tmp_path / "two", files, "test_import.py") == []


# ---------------------------------------------------------------- a TTL another function gives

AUTH_CACHE = '''
from urllib.parse import quote

import redis

client = redis.Redis()


def _segment(value) -> str:
    return quote(f"{value or ''}", safe="")


def _key(username: str, realm: str) -> str:
    return f"pi:authcache:v1:{_segment(username)}:{_segment(realm)}"


def add_to_cache(username, realm, ciphertext, ttl):
    key = _key(username, realm)
    pipe = client.pipeline()
    pipe.hset(key, "entry", ciphertext)
    pipe.expire(key, ttl, nx=True)
    pipe.execute()


def verify(username, realm, record):
    key = _key(username, realm)
    found = client.hgetall(key)
    if found:
        _use(client, key, record)
        client.hset(f"pi:seen:{username}", "at", record["at"])
    return found


def _use(client: redis.Redis, key: str, record: dict) -> None:
    pipe = client.pipeline()
    pipe.hset(key, "entry", record["cipher"])
    pipe.hincrby(key, "count", 1)
    pipe.execute()
'''


def test_a_field_written_to_a_hash_another_function_expires_expires(tmp_path):
    """privacyidea's `_use(client, key, ...)` writes fields of the hash `add_to_cache` gives
    a TTL: HSET and HINCRBY keep it, so their entry expires (its callers pass the key
    `add_to_cache` expires). A hash of another shape nothing expires does not."""
    _tree(tmp_path, {"app/__init__.py": "", "app/auth.py": AUTH_CACHE})
    assert [(use.line, use.method, use.ttl) for use in _uses(tmp_path, "auth.py") if use.kind == "write"] == [
        (20, "hset", "expires"), (30, "hset", "forever"), (36, "hset", "expires"), (37, "hincrby", "expires"),
    ]


# ---------------------------------------------------------------- keys a library joins

DMARC = '''
from cachetools import TTLCache
from djblets.cache.backend import cache_memoize

_credentials = TTLCache(maxsize=100, ttl=600)


def get_dmarc_record(hostname):
    return cache_memoize(("dmarc-record", hostname), lambda: lookup(hostname), expiration=3600)


def sources(outfile, mtime):
    key = (f"{type(outfile).__name__}-sourcemap-sources", f"{outfile}.map", str(mtime))
    return cache_memoize(key, lambda: read(outfile))


def listed(name):
    return cache_memoize(["listed", name], lambda: read(name))


def credentials(role, region):
    return _credentials.get((role, region))
'''


def test_a_key_djblets_joins_is_one_key_its_parts_joined_with_colons(tmp_path):
    """djblets' `make_cache_key` joins a tuple or list key with `:` (each part escaped):
    `cache_memoize(("dmarc-record", hostname), ...)` stores `dmarc-record:{hostname}`, and
    a list is one key, not a list of keys. A tuple key of a library that hashes the tuple
    itself (cachetools) is still the tuple."""
    found = understood(tmp_path, {"app/__init__.py": "", "app/dmarc.py": DMARC}, "dmarc.py")
    assert [(row, method, key) for row, _, _, method, key, _ in found] == [
        (9, "cache_memoize", "dmarc-record:{hostname}"),
        (14, "cache_memoize", "{type(outfile).__name__}-sourcemap-sources:{outfile}.map:{mtime}"),
        (18, "cache_memoize", "listed:{name}"),
        (22, "get", "({role}, {region})"),
    ]


# ---------------------------------------------------------------- Django's old `get_cache`

OLD_GET_CACHE = '''
from django.conf import settings

try:
    from django.core.cache import caches

    def get_cache(alias):
        return caches[alias]
except ImportError:  # Django before 1.7
    from django.core.cache import get_cache

from app.thumbs import get_cache as thumbnail_store

ALIAS = getattr(settings, "BADGE_CACHE", "default")
if ALIAS:
    badges = get_cache(ALIAS)
else:
    badges = None
thumbs = thumbnail_store("small")


def badge(name):
    found = badges.get(f"badge:{name}")
    if found is None:
        found = render_badge(name)
        badges.set(f"badge:{name}", found)
    thumbs.get(name)
    return found
'''


def test_djangos_removed_get_cache_imported_as_a_fallback_makes_a_django_cache(tmp_path):
    """`django.core.cache.get_cache(alias)` (Django < 1.9), which projects keep importing in
    the `except` of `caches`: the module's own `get_cache` and the old one both give a
    Django cache, so `badges` is one. Another module's function of the same name is not."""
    files = {"app/__init__.py": "", "app/thumbs.py": "def get_cache(size):\n    return {}\n",
             "app/badges.py": OLD_GET_CACHE}
    found = understood(tmp_path, files, "badges.py")
    assert [(row, kind, library, method) for row, kind, library, method, _, _ in found] == [
        (23, "read", "django", "get"), (26, "write", "django", "set"),
    ]
