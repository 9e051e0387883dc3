"""CL007 beyond its examples: the fix, and when there is none."""
from __future__ import annotations

import pytest

from cachelint.fix import apply_fixes
from tests.conftest import lint

HEADER = """
import redis
from django.core.cache import cache

r = redis.Redis()
"""


def _fixes(body: str) -> list[str | None]:
    """Each finding's fix applied to `body` (None: no fix)."""
    diagnostics = lint(HEADER + body, select=("CL007",))
    return [d.fix and apply_fixes(HEADER + body, [d])[0].removeprefix(HEADER) for d in diagnostics]


def test_a_for_loop_over_keys_is_rewritten_to_scan_iter():
    assert _fixes("for k in r.keys(prefix + ':*'):\n    r.delete(k)\n") == [
        "for k in r.scan_iter(match=prefix + ':*'):\n    r.delete(k)\n"]
    assert _fixes("for k in r.keys(pattern='a:*'):\n    pass\n") == ["for k in r.scan_iter(match='a:*'):\n    pass\n"]
    assert _fixes("for k in r.keys():\n    pass\n") == ["for k in r.scan_iter():\n    pass\n"]


def test_the_fix_keeps_comments_and_layout_inside_the_call():
    body = "for k in r.keys(\n    'user:*'  # every user\n):\n    r.delete(k)\n"
    assert _fixes(body) == ["for k in r.scan_iter(\n    match='user:*'  # every user\n):\n    r.delete(k)\n"]


def test_django_redis_keys_becomes_iter_keys():
    assert _fixes("for k in cache.keys('report:*'):\n    cache.delete(k)\n") == [
        "for k in cache.iter_keys('report:*'):\n    cache.delete(k)\n"]


def test_the_fix_is_unsafe():
    [diagnostic] = lint(HEADER + "for k in r.keys('a:*'):\n    pass\n", select=("CL007",))
    assert diagnostic.fix.applicability == "unsafe"


def test_no_fix_outside_a_for_loop_with_other_arguments_or_for_a_raw_command():
    assert _fixes("n = len(r.keys('a:*'))\n") == [None]
    assert _fixes("for k in r.keys('a:*', target_nodes='all'):\n    pass\n") == [None]
    assert _fixes("n = r.execute_command('KEYS', 'a:*')\n") == [None]


def test_no_fix_when_awaited():
    source = """
import redis.asyncio as aioredis

r = aioredis.Redis()

async def online():
    for k in await r.keys('presence:*'):
        print(k)
"""
    [diagnostic] = lint(source, select=("CL007",))
    assert diagnostic.fix is None
    assert "iterate with `scan_iter(match=…)` instead" in diagnostic.message


@pytest.mark.parametrize("filename", [
    "ckan/tests/config/test_sessions.py", "pkg/testing/fixtures.py", "test_cache.py", "cache_test.py",
    "conftest.py", "app/tests.py",
])
def test_test_code_is_not_reported(filename):
    source = HEADER + "for key in r.keys('session:*'):\n    r.delete(key)\n"
    assert lint(source, select=("CL007",), filename=filename) == []
    assert len(lint(source, select=("CL007",), filename="app/sessions.py")) == 1


def test_folders_above_the_project_root_do_not_make_test_code(tmp_path):
    project = tmp_path / "tests" / "shop"
    (project / "app").mkdir(parents=True)
    (project / "pyproject.toml").write_text("")
    source = HEADER + "for key in r.keys('session:*'):\n    r.delete(key)\n"
    assert len(lint(source, select=("CL007",), filename=str(project / "app" / "sessions.py"))) == 1
    assert lint(source, select=("CL007",), filename=str(project / "tests" / "sessions.py")) == []
