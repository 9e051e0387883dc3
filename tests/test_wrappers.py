"""Wrapper summaries: a project function that performs one cache operation on a key built
from its parameter is a cache operation wherever it is called, in any module, with the
caller's arguments, the text it puts around the key, its TTL default and the wrapper
chain (`via`); a function that makes something else of what it reads is none."""
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
