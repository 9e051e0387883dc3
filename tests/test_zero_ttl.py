"""CL013 beyond its examples: where it points and what it says about each client."""
from __future__ import annotations

import textwrap
from pathlib import Path

from cachelint.config import Settings
from cachelint.engine import lint_paths
from tests.conftest import lint


def _messages(source: str) -> list[tuple[int, str]]:
    return [(d.location.row, d.message) for d in lint(source, select=("CL013",))]


def test_redis_messages_name_the_argument_and_the_command():
    messages = _messages(
        """
        import redis

        r = redis.Redis()
        NO_TTL = 0

        def store(key, raw):
            r.set(key, raw, ex=0)
            r.setex(key, 0, raw)
            r.set(key, raw, ex=NO_TTL)
            r.expire(key, 0)
        """
    )
    assert messages == [
        (8, "`ex=0`: Redis rejects SET with a non-positive expire time (invalid expire time), "
            "so the command fails; give a positive TTL"),
        (9, "a `time` of `0`: Redis rejects SETEX with a non-positive expire time (invalid expire time), "
            "so the command fails; give a positive TTL"),
        (10, "`ex=NO_TTL` (`NO_TTL` is 0): Redis rejects SET with a non-positive expire time "
             "(invalid expire time), so the command fails; give a positive TTL"),
        (11, "a `time` of `0`: Redis removes the key at once instead of setting a TTL; call `delete()` "
             "if that is the intent, or give a positive TTL"),
    ]


def test_django_timeout_zero_is_do_not_cache():
    messages = _messages(
        """
        from django.core.cache import cache
        from django.views.decorators.cache import cache_page

        def store(key, value):
            cache.set(key, value, timeout=0)

        @cache_page(0)
        def home(request):
            return render_home(request)
        """
    )
    assert messages == [
        (6, "Django treats `timeout=0` as 'do not cache': the value is never stored; give a positive TTL"),
        (8, "Django treats a `timeout` of `0` as 'do not cache': nothing is ever cached; give a positive TTL"),
    ]


def test_aiocache_on_redis_and_diskcache():
    messages = _messages(
        """
        import diskcache
        from aiocache import Cache

        aio = Cache(Cache.REDIS)
        disk = diskcache.Cache("/tmp/c")

        async def store(key, value):
            await aio.set(key, value, ttl=0)
            disk.set(key, value, expire=0)
        """
    )
    assert messages == [
        (9, "`ttl=0`: Redis rejects the SETEX aiocache sends with a non-positive expire time "
            "(invalid expire time), so the command fails; give a positive TTL"),
        (10, "`expire=0`: diskcache stores the entry already expired, so every read misses; give a positive TTL"),
    ]


DECORATED = """
import diskcache

disk = diskcache.Cache("/tmp/c")

@disk.memoize(expire=0){comment}
def render(path):
    return draw(path)
"""


def test_a_decorator_finding_points_at_the_decorator_and_is_suppressed_there():
    (diagnostic,) = lint(DECORATED.format(comment=""), select=("CL013",))
    assert (diagnostic.location.row, diagnostic.location.column) == (6, 1)
    assert lint(DECORATED.format(comment="  # noqa: CL013"), select=("CL013",)) == []


# A TTL read from another module of the project: an imported constant, a Django setting.
PROJECT = {
    "mysite/__init__.py": "",
    "mysite/settings/__init__.py": "",
    "mysite/settings/base.py": "CATALOG_TIMEOUT = 0\nBANNER_TIMEOUT = 0\nDEBUG = False\n",
    "mysite/settings/production.py": "from .base import *  # noqa\n\nBANNER_TIMEOUT = 600\n",
    "shop/__init__.py": "",
    "shop/conf.py": "NO_EXPIRY = -1\nPAGE_TTL = 300\n",
    "shop/views.py": """\
        import redis
        from django.conf import settings
        from django.core.cache import cache

        from .conf import NO_EXPIRY, PAGE_TTL

        r = redis.Redis()

        def catalog(items):
            cache.set("catalog:all", items, settings.CATALOG_TIMEOUT)
            cache.set("catalog:banner", items, settings.BANNER_TIMEOUT)
            cache.set("catalog:page", items, PAGE_TTL)
            r.set("catalog:ids", items, ex=NO_EXPIRY)
        """,
    "shop/pages.py": """\
        from django.core.cache import cache
        from django.views.decorators.cache import cache_page

        from shop import conf

        @cache_page(conf.NO_EXPIRY)
        def landing(request):
            return render_landing(request)
        """,
}


def _project_findings(root: Path, cache: bool = False) -> list[tuple[str, int, str]]:
    for name, text in PROJECT.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    run = lint_paths([root], Settings(root=root), cache_dir=root / ".cache" if cache else None)
    assert not run.internal_errors
    return sorted((Path(d.filename).name, d.location.row, d.message) for d in run.diagnostics if d.code == "CL013")


def test_a_ttl_from_another_module_of_the_project(tmp_path):
    found = _project_findings(tmp_path)
    assert [(name, row) for name, row, _ in found] == [("pages.py", 6), ("views.py", 10), ("views.py", 13)]
    messages = [message for _, _, message in found]
    assert "which the project sets to 0" in messages[1] and "'do not cache'" in messages[1]
    assert "`ex=NO_EXPIRY` (which the project sets to -1)" in messages[2]
    # A setting one settings module sets to 0 and another to 600 is not known to be 0.
    assert not any("BANNER_TIMEOUT" in message for message in messages)


def test_a_ttl_from_another_module_is_the_same_from_the_result_cache(tmp_path):
    cold = _project_findings(tmp_path, cache=True)
    assert _project_findings(tmp_path, cache=True) == cold and len(cold) == 3


def test_a_zero_ttl_in_test_code_is_not_reported():
    """Django's own cache tests pass `timeout=0` to check that nothing is stored: in a
    test, zero is what is being exercised. The same call in the project's code is reported."""
    source = """
        from django.core.cache import cache

        def check_zero_timeout_stores_nothing():
            cache.set("key1", "eggs", 0)
            assert cache.get("key1") is None
        """
    assert lint(source, select=("CL013",), filename="tests/cache/tests.py") == []
    assert [(d.location.row, d.code) for d in lint(source, select=("CL013",), filename="app/views.py")] == [
        (5, "CL013"),
    ]


# A TTL variable bound on each branch of an `if`: one value whichever branch ran (plane's
# magic-code `expiry = 600` is the same on both), two values are not known.
BRANCHES = """
import redis

r = redis.Redis()


def remember(key, value, retry):
    if retry:
        expiry = 0
    else:
        expiry = {other}
    r.set(key, value, ex=expiry)
"""


def test_a_ttl_bound_to_zero_on_every_branch_is_zero():
    assert [d.code for d in lint(BRANCHES.replace("{other}", "0"), select=("CL013",))] == ["CL013"]


def test_a_ttl_bound_to_two_values_on_two_branches_is_not_known():
    assert lint(BRANCHES.replace("{other}", "60"), select=("CL013",)) == []
