"""What `[tool.cachelint.clients]` declares that inference cannot see: wrapper classes and
their methods, wrapper functions of a library, attribute paths; and that an entry which
matches nothing in the linted files is an error naming it."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from cachelint.cli import main

CONFIG = '''
[tool.cachelint]

[tool.cachelint.clients."myapp.store.Store"]
library = "redis"
methods.fetch = { kind = "read", key = 0, prefix = "store:" }
methods.put = { kind = "write", key = 0, value = 1, ttl = [2, "timeout"], ttl-default = 300, prefix = "store:" }
methods.forget = { kind = "delete", key = 0, prefix = "store:" }
methods.hold = { kind = "lock", key = 0, ttl = "ttl" }

[tool.cachelint.clients]
"myapp.helpers.remember" = { library = "django", kind = "write", key = 0, value = 1, ttl = [2, "timeout"], prefix = "user:" }
"request.registry.cache" = { library = "redis" }
'''
STORE = '''
class Store:
    def __init__(self, client):
        self._r = client
'''
VIEWS = '''
from myapp.helpers import remember
from myapp.store import Store

store = Store(None)


def profile(uid, data):
    found = store.fetch(f"profile:{uid}")
    if found is None:
        store.put(f"profile:{uid}", data)
        store.put(f"profile:{uid}:draft", data, timeout=0)
    remember(uid, data, 0)
    return found


def release(s: Store, uid):
    s.forget(uid)
    s.hold(f"lock:{uid}", ttl=None)
    s.other(uid)


def view(request, data):
    request.registry.cache.set(f"page:{request.path}", data)
    request.registry.other.set("x", data)
'''


def _project(tmp_path: Path, config: str = CONFIG, views: str = VIEWS) -> Path:
    (tmp_path / "myapp").mkdir()
    (tmp_path / "myapp" / "__init__.py").write_text("")
    (tmp_path / "myapp" / "store.py").write_text(textwrap.dedent(STORE))
    (tmp_path / "myapp" / "helpers.py").write_text("def remember(uid, data, timeout=60):\n    pass\n")
    (tmp_path / "myapp" / "views.py").write_text(textwrap.dedent(views))
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(config))
    return tmp_path


def _ops_of_package(tmp_path: Path, config: str, modules: dict[str, str]) -> list[dict]:
    """What `cachelint ops` understands of a package `myapp` of these modules, configured so."""
    (tmp_path / "myapp").mkdir()
    (tmp_path / "myapp" / "__init__.py").write_text("")
    for name, source in modules.items():
        (tmp_path / "myapp" / name).write_text(source)
    (tmp_path / "pyproject.toml").write_text(config)
    return json.loads(_run("ops", "--output-format", "json", str(tmp_path)).output)


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_declared_wrappers_are_operations_of_the_library_they_store_in(tmp_path):
    root = _project(tmp_path)
    found = json.loads(_run("ops", "--output-format", "json", str(root)).output)
    assert [(e["row"], e["kind"], e["library"], e["method"], e["key"], e["ttl"], e["via"]) for e in found] == [
        (9, "read", "redis", "Store.fetch", "store:profile:{uid}", None, ["myapp.store.Store.fetch"]),
        (11, "write", "redis", "Store.put", "store:profile:{uid}", "expires", ["myapp.store.Store.put"]),  # default 300
        (12, "write", "redis", "Store.put", "store:profile:{uid}:draft", "error", ["myapp.store.Store.put"]),  # EX 0
        (13, "write", "django", "remember", "user:{uid}", "not cached", ["myapp.helpers.remember"]),  # django: 0
        (18, "delete", "redis", "Store.forget", "store:{uid}", None, ["myapp.store.Store.forget"]),  # `s: Store`
        (19, "write", "redis", "Store.hold", "lock:{uid}", "forever", ["myapp.store.Store.hold"]),
        (24, "write", "redis", "set", "page:{request.path}", "forever", []),
    ]


def test_the_rules_judge_declared_wrappers_with_their_library_semantics(tmp_path):
    root = _project(tmp_path)
    result = _run("check", "--no-cache", "--exit-zero", "--output-format", "json", str(root))
    found = sorted((Path(d["filename"]).name, d["location"]["row"], d["code"]) for d in json.loads(result.output))
    # a lock held forever; a TTL redis rejects; django's "not cached"; the attribute path's
    # write without a TTL (found although the file imports nothing of a cache)
    assert found == [("views.py", 12, "CL013"), ("views.py", 13, "CL013"), ("views.py", 19, "CL002"),
                     ("views.py", 24, "CL002")]


def test_settings_show_what_is_declared(tmp_path):
    root = _project(tmp_path)
    shown = _run("check", "--show-settings", str(root / "myapp" / "views.py")).output
    clients = json.loads(next(line for line in shown.splitlines() if line.startswith("clients = ")).split(" = ", 1)[1])
    assert clients == {
        "myapp.helpers.remember": 'write: key "user:" + 0, value 1, ttl 2 or timeout '
                                  "(omitted: default, None: forever, 0: not cached), of django",
        "myapp.store.Store": {"library": "redis", "methods": {
            "fetch": 'read: key "store:" + 0',
            "put": 'write: key "store:" + 0, value 1, ttl 2 or timeout (omitted: expires, None: forever, 0: error)',
            "forget": 'delete: key "store:" + 0',
            "hold": "lock: key 0, ttl ttl (omitted: forever, None: forever, 0: error)",
        }},
        "request.registry.cache": "client of redis",
    }


def test_an_entry_that_matches_nothing_is_an_error_naming_it(tmp_path):
    config = CONFIG.replace('"myapp.helpers.remember"', '"myapp.helpers.remembr"')
    root = _project(tmp_path, config=config)
    for command in ("check", "ops"):
        result = CliRunner().invoke(main, [command, "--no-cache", str(root)] if command == "check" else [command, str(root)])
        assert result.exit_code == 2, result.output
        assert str(root / "pyproject.toml") in result.output
        assert '`tool.cachelint.clients."myapp.helpers.remembr"`: matches nothing' in result.output
    # A run given some files of the project asks the whole project when it lints it (a
    # check, for the project rules), else it does not: the name may be in the other files.
    assert _run("check", "--no-cache", "--exit-zero", str(root / "myapp" / "store.py")).exit_code == 2
    assert _run("ops", str(root / "myapp" / "store.py")).exit_code == 0


def test_an_entry_defined_but_not_imported_matches_its_module(tmp_path):
    """A wrapper used only in the module that defines it is not a typo."""
    views = VIEWS.replace("from myapp.helpers import remember\n", "\ndef remember(uid, data, timeout=60):\n    pass\n")
    config = CONFIG.replace('"myapp.helpers.remember"', '"myapp.views.remember"')
    root = _project(tmp_path, config=config, views=views)
    assert _run("check", "--no-cache", "--exit-zero", str(root)).exit_code == 0


def test_a_wrapper_class_entry_says_what_is_wrong(tmp_path):
    bad = {
        'methods.get = { kind = "fetch", key = 0 }': "`tool.cachelint.clients.\"myapp.store.Store\".methods.get.kind`",
        'methods = {}': "expected a table of method",
        'methods.get = { kind = "read", key = 0, ttl-default = "1h" }': "expected a number of seconds",
        'methods.get = { kind = "read", prefix = 3 }': "expected the text the wrapper puts before the key",
        'methods.get = { kind = "write", ttl-default = 3, ttl-omitted = "forever" }': "either `ttl-default` or `ttl-omitted`",
        'methods.get = { kind = "read" }\nprefix = "x:"': "unknown key (expected one of: library, methods)",
    }
    for body, expected in bad.items():
        config = f'[tool.cachelint]\n[tool.cachelint.clients."myapp.store.Store"]\nlibrary = "redis"\n{body}\n'
        _assert_rejected(tmp_path, config, "from myapp.store import Store\n", expected)


def _assert_rejected(tmp_path: Path, config: str, source: str, expected: str) -> None:
    """A check of a project with this configuration stops (exit 2) saying `expected`."""
    root = tmp_path / str(abs(hash(config)))
    root.mkdir()
    (root / "pyproject.toml").write_text(config)
    (root / "app.py").write_text(source)
    result = CliRunner().invoke(main, ["check", "--no-cache", str(root)])
    assert result.exit_code == 2 and expected in result.output, (config, result.output)


INFERRED_STORE = '''
import redis


class Store:
    def __init__(self):
        self._r = redis.Redis()

    def get(self, key):
        return self._r.get(f"s:{key}")

    def put(self, key, value):
        self._r.set(f"s:{key}", value)
'''
USES = '''
from myapp.ext import store
from myapp.store import Store


def read(uid, value, s: Store):
    store.get(uid)
    store.put(uid, value)
    s.put(uid, value)
'''


def test_config_wins_over_inference_method_by_method(tmp_path):
    """A class inference finds a wrapper, whose `put` the configuration says more of (a
    prefix of its own, a default TTL): the declared `put` is used, the inferred `get` stays.
    An instance made in another module (`myapp.ext.store`) is one too."""
    config = '''
[tool.cachelint.clients."myapp.store.Store"]
library = "redis"
methods.put = { kind = "write", key = 0, value = 1, ttl = "timeout", ttl-default = 60, prefix = "declared:" }
'''
    (tmp_path / "myapp").mkdir()
    (tmp_path / "myapp" / "__init__.py").write_text("")
    (tmp_path / "myapp" / "store.py").write_text(INFERRED_STORE)
    (tmp_path / "myapp" / "ext.py").write_text("from myapp.store import Store\n\nstore = Store()\n")
    (tmp_path / "myapp" / "uses.py").write_text(USES)
    found = json.loads(_run("ops", "--output-format", "json", str(tmp_path / "myapp" / "uses.py")).output)
    assert found == []  # the run is given one file: the class is not known (and an error only of a whole run)
    (tmp_path / "pyproject.toml").write_text(config)
    found = json.loads(_run("ops", "--output-format", "json", str(tmp_path)).output)
    used = [(e["row"], e["kind"], e["method"], e["key"], e["ttl"]) for e in found if e["filename"].endswith("uses.py")]
    assert used == [
        (7, "read", "Store.get", "s:{uid}", None),  # inferred
        (8, "write", "Store.put", "declared:{uid}", "expires"),  # declared
        (9, "write", "Store.put", "declared:{uid}", "expires"),  # a parameter annotated with the class
    ]
    (tmp_path / "pyproject.toml").unlink()
    found = json.loads(_run("ops", "--output-format", "json", str(tmp_path)).output)
    used = [(e["row"], e["method"], e["key"], e["ttl"]) for e in found if e["filename"].endswith("uses.py")]
    assert used == [(7, "Store.get", "s:{uid}", None), (8, "Store.put", "s:{uid}", "forever"),
                    (9, "Store.put", "s:{uid}", "forever")]


def test_a_declared_decorator_is_a_cache_decorator_with_its_ttl(tmp_path):
    config = '''
[tool.cachelint.clients]
"myapp.memo.memoize_redis" = { library = "redis", decorator = "memoize", ttl = [0, "ttl"], ttl-default = 300 }
"myapp.memo.forever" = { library = "redis", decorator = "memoize" }
'''
    views = '''
from myapp.memo import forever, memoize_redis


@memoize_redis(ttl=0)
def profile(uid):
    return uid


@memoize_redis()
def settings(uid):
    return uid


@forever
def names():
    return []
'''
    memo = "def memoize_redis(ttl=300):\n    pass\n\n\ndef forever(f):\n    pass\n"
    found = _ops_of_package(tmp_path, config, {"memo.py": memo, "views.py": views})
    assert [(e["row"], e["kind"], e["library"], e["method"], e["ttl"]) for e in found] == [
        (5, "decorator", "redis", "memoize_redis", "error"),  # redis: EX 0
        (10, "decorator", "redis", "memoize_redis", "expires"),  # its default
        (15, "decorator", "redis", "forever", "forever"),  # redis: no TTL
    ]


def test_an_attribute_path_is_matched_at_the_end_of_a_longer_one(tmp_path):
    config = '[tool.cachelint.clients]\n"request.registry.cache" = { library = "redis" }\n'
    views = '''
class View:
    def get(self):
        return self.request.registry.cache.get(f"page:{self.request.path}")

    def other(self):
        return self.registry.cache.get("x")
'''
    (tmp_path / "views.py").write_text(views)
    (tmp_path / "pyproject.toml").write_text(config)
    found = json.loads(_run("ops", "--output-format", "json", str(tmp_path)).output)
    assert [(e["row"], e["kind"], e["library"], e["key"]) for e in found] == [(4, "read", "redis", "page:{self.request.path}")]


def test_a_decorator_entry_says_what_is_wrong(tmp_path):
    bad = {
        '{ library = "redis", decorator = "cache" }': "expected one of memoize, view",
        '{ library = "redis", decorator = "memoize", called = false, ttl = 0 }': "is given no TTL",
        '{ library = "redis", decorator = "memoize", called = "yes" }': "expected true",
        '{ library = "redis", decorator = "memoize", key = 0 }': "unknown key",
    }
    for body, expected in bad.items():
        _assert_rejected(tmp_path, f'[tool.cachelint.clients]\n"app.memo" = {body}\n', "def memo(f):\n    return f\n",
                         expected)


def test_a_declaration_holds_in_the_module_that_defines_the_name(tmp_path):
    """`get_redis()` returns a client it keeps in a dict, which inference cannot follow;
    declared, its calls give a client in its own module as in others, and so do the
    module's own declared wrapper function, decorator and class."""
    config = '''
[tool.cachelint.clients]
"myapp.cache.get_redis" = { library = "redis" }
"myapp.cache.remember" = { library = "redis", kind = "write", key = 0, value = 1, prefix = "r:" }
"myapp.cache.memo" = { library = "redis", decorator = "memoize" }
"myapp.cache.shared" = { library = "redis" }

[tool.cachelint.clients."myapp.cache.Box"]
library = "redis"
methods.put = { kind = "write", key = 0, value = 1, ttl = 2, ttl-default = 60 }
'''
    source = '''
_STORE = {}
shared = _STORE.get("client")


def get_redis():
    return _STORE["client"]


def remember(key, value):
    pass


def memo(f):
    return f


class Box:
    pass


@memo
def names():
    get_redis().set("names", [])
    remember("k", 1)
    Box().put("b", 1)
    shared.delete("x")
'''
    found = _ops_of_package(tmp_path, config, {"cache.py": source})
    assert [(e["row"], e["kind"], e["library"], e["method"], e["key"], e["ttl"]) for e in found] == [
        (22, "decorator", "redis", "memo", None, "forever"),
        (24, "write", "redis", "set", "names", "forever"),
        (25, "write", "redis", "remember", "r:k", "forever"),
        (26, "write", "redis", "Box.put", "b", "expires"),
        (27, "delete", "redis", "delete", "x", None),
    ]


def test_an_attribute_path_may_be_an_instance_of_a_wrapper_class(tmp_path):
    """pretix's `request.event.cache`: a `cached_property` of a model returning a namespaced
    cache, on objects whose type the analysis does not know."""
    config = '''
[tool.cachelint.clients]
"event.cache" = { class = "myapp.cache.ObjectCache" }

[tool.cachelint.clients."myapp.cache.ObjectCache"]
library = "django"
methods.get_or_set = { kind = "read-through", key = 0, value = [1, "default"], ttl = [2, "timeout"], ttl-default = 300, prefix = "obj:" }
methods.clear = { kind = "delete" }
'''
    views = '''
def index(request):
    name = request.event.cache.get_or_set("name", lambda: request.event.name)
    request.event.cache.clear()
    request.event.cache.other()
    return name
'''
    found = _ops_of_package(tmp_path, config, {"cache.py": "class ObjectCache:\n    pass\n", "views.py": views})
    assert [(e["row"], e["kind"], e["library"], e["method"], e["key"], e["ttl"]) for e in found] == [
        (3, "read-through", "django", "ObjectCache.get_or_set", "obj:name", "expires"),
        (4, "delete", "django", "ObjectCache.clear", None, None),
    ]
    shown = _run("check", "--show-settings", str(tmp_path / "myapp" / "views.py")).output
    clients = json.loads(next(line for line in shown.splitlines() if line.startswith("clients = ")).split(" = ", 1)[1])
    assert clients["event.cache"] == "instance of myapp.cache.ObjectCache"
    assert clients["myapp.cache.ObjectCache"]["methods"]["get_or_set"] == (
        'read-through: key "obj:" + 0, value 1 or default, ttl 2 or timeout (omitted: expires, None: forever, 0: not cached)')


def test_an_instance_of_a_declared_class_made_in_another_module_is_one(tmp_path):
    config = '''
[tool.cachelint.clients."myapp.store.Store"]
library = "redis"
methods.fetch = { kind = "read", key = 0, prefix = "store:" }
'''
    ext = "from myapp.store import Store\n\nstore = Store(None)\n\n\ndef get_store():\n    return Store(None)\n"
    uses = "from myapp.ext import get_store, store\n\n\ndef f(uid):\n    store.fetch(uid)\n    get_store().fetch(uid)\n"
    found = _ops_of_package(tmp_path, config, {"store.py": STORE, "ext.py": ext, "uses.py": uses})
    assert [(Path(e["filename"]).name, e["row"], e["method"], e["key"]) for e in found] == [
        ("uses.py", 5, "Store.fetch", "store:{uid}"), ("uses.py", 6, "Store.fetch", "store:{uid}")]
