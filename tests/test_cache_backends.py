"""The cache backends a project's settings configure (cachelint.model.cache.backends,
cachelint.project.backends), and CL005's findings on Django's cache and Flask-Caching,
which those settings decide: silent where every backend configured for the cache is
known and not memcached, naming the memcached one where there is one, as before where
the settings do not say."""
from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from cachelint.config import Settings
from cachelint.engine import lint_paths
from cachelint.model.build import build_model
from cachelint.project.facts import FileFacts

_UNKNOWN = "Django's backend, if it is memcached,"

# A Django view that puts the query string into a key, after a namespace.
VIEWS = """
from django.core.cache import cache, caches
from django.http import JsonResponse


def lookup(request):
    email = request.GET.get("email", "")
    return JsonResponse({"sent": cache.get(f"otp:{email}")})


def sessions(request):
    token = request.GET.get("token", "")
    return JsonResponse({"seen": caches["sessions"].get(f"seen:{token}")})
"""


def _backends(source: str) -> list[tuple[str, str | None, str | None, str | None]]:
    text = textwrap.dedent(source)
    model = build_model("mysite/settings.py", text.encode(), cst.parse_module(text))
    return [(b.library.name, b.alias, b.name, b.store) for b in model.backends]


def _project(root: Path, files: dict[str, str], cache: bool = False) -> list[tuple[str, int, str, str]]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    run = lint_paths([root], Settings(root=root, select=("CL005", "CL900")),
                     cache_dir=root / ".cache" if cache else None)
    assert not run.internal_errors, run.internal_errors
    return [(Path(d.filename).relative_to(root).as_posix(), d.location.row, d.code or "", d.message)
            for d in run.diagnostics]


# ---------------------------------------------------------------- what a module configures


def test_the_shapes_of_a_django_caches_setting():
    assert _backends("""
        import os

        _redis = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
        CACHES = {"default": _redis, "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        if os.environ.get("MEMCACHED"):
            CACHES["default"] = {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache"}
        CACHES["files"] = dict(BACKEND="django.core.cache.backends.filebased.FileBasedCache")
        CACHES.update({"sessions": {"BACKEND": "myproject.cache.Backend"}})
        CACHES["local"]["BACKEND"] = os.environ["LOCAL_CACHE"]
        CACHES["copy"] = CACHES["files"]
    """) == [
        ("django", "default", "django_redis.cache.RedisCache", "redis"),
        ("django", "default", "django.core.cache.backends.memcached.PyMemcacheCache", "memcached"),
        ("django", "local", "django.core.cache.backends.locmem.LocMemCache", "memory"),
        ("django", "local", None, None),
        ("django", "files", "django.core.cache.backends.filebased.FileBasedCache", "disk"),
        ("django", "sessions", "myproject.cache.Backend", None),  # a class of the project's: not known
        ("django", "copy", "django.core.cache.backends.filebased.FileBasedCache", "disk"),
    ]


def test_a_backend_from_the_environment_is_not_known():
    assert _backends("""
        import environ

        env = environ.Env()
        CACHES = {"default": env.cache_url("CACHE_URL")}
    """) == [("django", "default", None, None)]
    assert _backends("""
        import environ

        env = environ.Env()
        CACHES = env.caches()
    """) == [("django", None, None, None)]  # which aliases, not known either


def test_caches_outside_the_module_level_configure_nothing():
    assert _backends("""
        from django.test import override_settings

        def test_memcached():
            CACHES = {"default": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache"}}
            with override_settings(CACHES=CACHES):
                pass
    """) == []


def test_the_shapes_of_a_flask_caching_cache_type():
    assert _backends("""
        import os

        from flask import Flask

        class Config:
            CACHE_TYPE = "RedisCache"

        CACHE_CONFIG = {"CACHE_TYPE": "flask_caching.backends.SimpleCache"}

        def create_app():
            app = Flask(__name__)
            app.config["CACHE_TYPE"] = os.environ.get("CACHE_TYPE", "redis")
            app.config.update(CACHE_TYPE="filesystem")
            app.config.setdefault("CACHE_TYPE", "MemcachedCache")
            return app
    """) == [
        ("flask-caching", None, "RedisCache", "redis"),
        ("flask-caching", None, "flask_caching.backends.SimpleCache", "memory"),
        ("flask-caching", None, None, None),
        ("flask-caching", None, "filesystem", "disk"),
        ("flask-caching", None, "MemcachedCache", "memcached"),
    ]


# ---------------------------------------------------------------- CL005, decided by them


def test_a_project_on_redis_only_is_silent(tmp_path):
    assert _project(tmp_path, {
        "mysite/__init__.py": "",
        "mysite/settings/__init__.py": "",
        "mysite/settings/base.py": """
            import os

            if os.environ.get("REDIS_URL"):
                CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}
            else:
                CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://localhost"}}
            CACHES["sessions"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache"}
        """,
        "mysite/views.py": VIEWS,
    }) == []


def test_a_memcached_backend_is_named_with_where_the_settings_say_so(tmp_path):
    found = _project(tmp_path, {
        "mysite/__init__.py": "",
        "mysite/settings.py": """
            CACHES = {
                "default": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache"},
                "sessions": {"BACKEND": "django_redis.cache.RedisCache"},
            }
        """,
        "mysite/views.py": VIEWS,
    })
    # `caches["sessions"]` is on Redis: only the default cache's call is reported.
    assert [(path, row) for path, row, _, _ in found] == [("mysite/views.py", 8)]
    assert found[0][3] == (
        '`request.GET.get("email", "")` reaches the key of `cache.get()` unencoded: the project\'s settings can '
        "put Django's cache `default` on memcached (`django.core.cache.backends.memcached.PyMemcacheCache` at "
        "mysite/settings.py:3), which raises on a key with a space, a control character or 250+ bytes, so a "
        "request can cause a 500; hash it with `hashlib.sha256(...).hexdigest()`"
    )


def test_settings_from_the_environment_leave_the_findings_as_they_were(tmp_path):
    found = _project(tmp_path, {
        "mysite/__init__.py": "",
        "mysite/settings.py": """
            import environ

            env = environ.Env()
            CACHES = {"default": env.cache_url("CACHE_URL"), "sessions": env.cache_url("SESSION_CACHE_URL")}
        """,
        "mysite/views.py": VIEWS,
    })
    assert [(row, _UNKNOWN in message) for _, row, _, message in found] == [(8, True), (13, True)]


def test_a_project_without_settings_leaves_the_findings_as_they_were(tmp_path):
    found = _project(tmp_path, {"mysite/__init__.py": "", "mysite/views.py": VIEWS})
    assert [(row, _UNKNOWN in message) for _, row, _, message in found] == [(8, True), (13, True)]


def test_an_alias_the_settings_do_not_configure_is_not_known(tmp_path):
    found = _project(tmp_path, {
        "mysite/__init__.py": "",
        "mysite/settings.py": 'CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache"}}\n',
        "mysite/views.py": VIEWS,
    })
    assert [(row, _UNKNOWN in message) for _, row, _, message in found] == [(13, True)]


def test_a_client_that_may_be_either_alias_counts_both(tmp_path):
    files = {
        "mysite/__init__.py": "",
        "mysite/settings.py": """
            CACHES = {"default": {"BACKEND": "django.core.cache.backends.memcached.PyLibMCCache"}}
            CACHES["redis"] = {"BACKEND": "django_redis.cache.RedisCache"}
        """,
        "mysite/views.py": """
            from django.core.cache import caches

            try:
                widget_cache = caches["redis"]
            except KeyError:
                widget_cache = caches["default"]


            def widget(request):
                return widget_cache.get("widget:" + request.GET["style"])
        """,
    }
    found = _project(tmp_path, files)
    assert [(row, "on memcached (`django.core.cache.backends.memcached.PyLibMCCache` at mysite/settings.py:2)"
             in message) for _, row, _, message in found] == [(11, True)]
    (tmp_path / "mysite" / "settings.py").write_text(
        'CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache"}}\n'
        'CACHES["redis"] = {"BACKEND": "django_redis.cache.RedisCache"}\n'
    )
    assert _project(tmp_path, {}) == []


def test_test_settings_say_nothing_of_the_project_cache(tmp_path):
    found = _project(tmp_path, {
        "pyproject.toml": "",
        "mysite/__init__.py": "",
        "tests/__init__.py": "",
        "tests/settings.py": 'CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}\n',
        "mysite/views.py": VIEWS,
    })
    assert [(row, _UNKNOWN in message) for _, row, _, message in found] == [(8, True), (13, True)]


def test_a_suppression_of_a_finding_the_settings_drop_is_unused(tmp_path):
    found = _project(tmp_path, {
        "mysite/__init__.py": "",
        "mysite/settings.py": 'CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache"}}\n',
        "mysite/views.py": """
            from django.core.cache import cache


            def lookup(request):
                return cache.get("otp:" + request.GET["email"])  # noqa: CL005
        """,
    })
    assert [(path, row, code) for path, row, code, _ in found] == [("mysite/views.py", 6, "CL900")]


def test_flask_caching_configured_in_a_config_class(tmp_path):
    app = """
        from flask import Flask, request
        from flask_caching import Cache

        from .config import Config

        app = Flask(__name__)
        app.config.from_object(Config)
        cache = Cache(app)


        @app.get("/search")
        def search():
            return cache.get("search:" + request.args["q"])
    """
    config = "class Config:\n    CACHE_TYPE = {!r}\n"
    assert _project(tmp_path, {"web/__init__.py": app, "web/config.py": config.format("RedisCache")}) == []
    found = _project(tmp_path, {"web/config.py": config.format("MemcachedCache")})
    assert [(path, row) for path, row, _, _ in found] == [("web/__init__.py", 14)]
    assert "can put Flask-Caching's cache on memcached (`MemcachedCache` at web/config.py:2)" in found[0][3]


@pytest.mark.parametrize("cache", [False, True])
def test_the_same_from_the_result_cache(tmp_path, cache):
    files = {
        "mysite/__init__.py": "",
        "mysite/settings.py": 'CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache"}}\n',
        "mysite/views.py": VIEWS,
    }
    cold = _project(tmp_path, files, cache=cache)
    assert [row for _, row, _, _ in cold] == [13]  # `sessions` is not configured
    assert _project(tmp_path, {}, cache=cache) == cold
    (tmp_path / "mysite" / "settings.py").write_text(
        'CACHES = {"default": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache"}}\n')
    assert [row for _, row, _, _ in _project(tmp_path, {}, cache=cache)] == [8, 13]


def test_backends_and_provisional_findings_round_trip_as_json(tmp_path):
    for name, text in {"mysite/__init__.py": "", "mysite/settings.py": 'CACHES = {"default": {"BACKEND": "x.Y"}}\n',
                       "mysite/views.py": VIEWS}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text))
    run = lint_paths([tmp_path], Settings(root=tmp_path, select=("CL005",)), prefilter=False)
    facts = [file.facts for file in run.files if file.facts is not None]
    assert sum(len(file.backends) for file in facts) == 1
    assert sum(len(file.provisional) for file in facts) == 2
    for file in facts:
        assert FileFacts.from_json(json.loads(json.dumps(file.to_json()))) == file


def test_a_warm_run_does_not_parse_a_settings_module_again_for_its_backends(tmp_path, linted):
    # The settings module uses the cache in a function and is long enough for the first
    # pass to parse it in part; the backends pass parses it whole once, and a run after
    # takes them from the result cache.
    helpers = "".join(f"\ndef scaled_{n}(value):\n    return value * {n}\n" for n in range(40))
    files = {
        "mysite/__init__.py": "",
        "mysite/settings.py": textwrap.dedent("""
            from django.core.cache import cache

            def warm_up():
                return cache.get("config:warm")
            """) + helpers + 'CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache"}}\n',
        "mysite/views.py": VIEWS,
    }
    cold = _project(tmp_path, files, cache=True)
    assert [row for _, row, _, _ in cold] == [13]  # the redis default is silent: the backends were read
    assert linted.count("settings.py") == 2  # in part, then whole for its backends
    for path in tmp_path.rglob("*.py"):  # older than the result cache: it trusts their size and time
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 60_000_000_000))
    linted.clear()
    assert _project(tmp_path, {}, cache=True) == cold
    assert linted == []
