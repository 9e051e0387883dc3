"""Client provenance: a value is a client when it comes from a function or method of the
project that returns one (any depth, any module), a subclass of a client class, a
property or cached_property returning one, `x or Client(...)`, or a parameter annotated
with a client type."""
from __future__ import annotations

import textwrap
from pathlib import Path

from cachelint.config import Settings
from cachelint.engine import lint_paths


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def understood(root: Path, prefilter: bool = True) -> list[tuple[str, int, str]]:
    """The cache operations the model understood: file, row, `library.method`."""
    run = lint_paths([root], Settings(root=root), prefilter=prefilter)
    assert not run.internal_errors, run.internal_errors
    return sorted(
        (Path(file.filename).name, use.line, f"{use.library}.{use.method}")
        for file in run.files if file.facts is not None for use in file.facts.uses
    )


def test_clients_made_by_the_module_itself(tmp_path):
    write(tmp_path, {"app.py": '''
        import redis
        from django.utils.functional import cached_property
        from flask_caching import Cache


        def get_redis():
            return redis.Redis.from_url("redis://")


        class AppCache(Cache):
            pass


        cache = AppCache()


        class Service:
            def __init__(self, conn: redis.Redis | None = None, other=None):
                self.conn = conn
                self.other = other or redis.StrictRedis()

            @cached_property
            def store(self):
                return get_redis()

            def _client(self):
                return self.store

            def run(self, uid):
                get_redis().keys("user:*")
                self.conn.keys("a:*")
                self.other.keys("b:*")
                self.store.keys("c:*")
                self._client().keys("d:*")
                cache.set("e:f", 1, timeout=0)
        '''})
    assert understood(tmp_path) == [
        ("app.py", 31, "redis.keys"), ("app.py", 32, "redis.keys"), ("app.py", 33, "redis.keys"),
        ("app.py", 34, "redis.keys"), ("app.py", 35, "redis.keys"), ("app.py", 36, "flask-caching.set"),
    ]


def test_clients_made_in_other_modules_at_any_depth(tmp_path):
    write(tmp_path, {
        "app/__init__.py": "from .ext import cache, r\n",
        "app/factory.py": """
            import redis

            def make_client():
                return redis.Redis.from_url("redis://")
            """,
        "app/ext.py": """
            from flask_caching import Cache

            from app.factory import make_client

            def get_redis():
                return make_client()

            class AppCache(Cache):
                pass

            class ProjectCache(AppCache):
                pass

            cache = ProjectCache()
            r = get_redis()
            """,
        "app/views.py": """
            from app import cache, r
            from app.ext import get_redis

            def view(uid):
                get_redis().keys("user:*")
                r.set("k:1", 1)
                cache.clear()
            """,
    })
    expected = [("views.py", 6, "redis.keys"), ("views.py", 7, "redis.set"), ("views.py", 8, "flask-caching.clear")]
    assert understood(tmp_path) == expected
    assert understood(tmp_path, prefilter=False) == expected


def test_a_function_that_reads_the_cache_is_no_client(tmp_path):
    write(tmp_path, {"app.py": '''
        import redis

        r = redis.Redis()

        def cached_user(uid):
            return r.get(f"user:{uid}")

        def view(uid):
            cached_user(uid).keys("x")
        '''})
    # The call is a read (the function is a read wrapper), its result no client.
    assert understood(tmp_path) == [("app.py", 7, "redis.get"), ("app.py", 10, "redis.cached_user")]


def test_a_module_client_set_up_by_an_init_function_over_a_none_placeholder(tmp_path):
    write(tmp_path, {
        "app/__init__.py": "",
        "app/ext.py": "from flask_caching import Cache\ncache = None\n\ndef init(app):\n    global cache\n    cache = Cache(app)\n",
        "app/views.py": 'from app import ext\n\ndef view():\n    return ext.cache.get("k")\n',
    })
    assert understood(tmp_path) == [("views.py", 4, "flask-caching.get")]


def test_a_factory_makes_a_client_of_the_class_its_caller_passes_and_may_give_none():
    """`_connect(Redis)` where `_connect(cls)` returns `cls.from_url(...)`, or None when
    caching is off: a Redis client; a class that is no client class passed is none."""
    import textwrap

    from cachelint.config import Settings
    from cachelint.engine import lint_text

    source = textwrap.dedent('''
        from redis import Redis

        _conn = None


        def _connect(client_class, enabled):
            if not enabled:
                return None
            return client_class.from_url("redis://localhost")


        def get_connection():
            global _conn
            if _conn is None:
                _conn = _connect(Redis, True)
            return _conn


        def use():
            get_connection().set("a:b", 1, ex=5)
            _connect(dict, True).get("a:b")
        ''')
    [result] = lint_text("conn.py", source.encode(), Settings()).files
    assert [(use.line, use.library, use.method) for use in result.facts.uses] == [(21, "redis", "set")]
