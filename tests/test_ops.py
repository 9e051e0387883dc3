"""`cachelint ops`: the cache operations the model understood, and with `--unresolved`
the calls that look like cache use and were not; `check` says when it left some."""
from __future__ import annotations

import json
import textwrap

from click.testing import CliRunner

from cachelint.cli import main

SOURCE = '''
import redis
from django.core.cache import cache
from functools import lru_cache

r = redis.Redis()


def remember(uid):
    r.set(f"user:{uid}", 1, ex=60)
    return cache.get("site:settings")


@lru_cache(maxsize=10)
def settings():
    return {}


class Store:
    def get(self, key):
        return self._redis.get(f"s:{key}")


def unknown(event_store, cache_key):
    event_store.delete("x")
    cache_key.get("not a cache")
'''


def run(tmp_path, *args: str, source: str = SOURCE, extra: tuple[str, ...] = ()):
    (tmp_path / "app.py").write_text(textwrap.dedent(source))
    return CliRunner().invoke(main, [*args, str(tmp_path / "app.py"), *extra], catch_exceptions=False)


def test_ops_lists_what_was_understood_as_json(tmp_path):
    result = run(tmp_path, "ops", "--output-format", "json")
    found = [(e["row"], e["kind"], e["library"], e["method"], e["key"], e["ttl"], e["via"]) for e in json.loads(result.output)]
    assert found == [
        (10, "write", "redis", "set", "user:{uid}", "expires", []),
        (11, "read", "django", "get", "site:settings", None, []),
        (14, "decorator", "functools", "lru_cache", None, "forever", []),
    ]


def test_ops_unresolved_lists_cache_like_calls_with_a_count_per_receiver(tmp_path):
    result = run(tmp_path, "ops", "--unresolved", "--output-format", "json")
    found = json.loads(result.output)
    assert [(c["row"], c["receiver"], c["method"]) for c in found["calls"]] == [
        (21, "self._redis", "get"), (25, "event_store", "delete"),
    ]
    assert found["receivers"] == {"self._redis": 1, "event_store": 1}
    table = run(tmp_path, "ops", "--unresolved").output
    assert table.splitlines()[-1] == "3 cache operations understood, 2 cache-like calls not understood (60% understood)."


def test_check_says_when_it_left_calls_not_understood(tmp_path):
    result = run(tmp_path, "check", "--no-cache", "--select", "CL007")
    assert "All checks passed!" not in result.output
    assert "2 calls that look like cache use and were not understood; `cachelint ops --unresolved` lists them." in result.output
    clean = run(tmp_path, "check", "--no-cache", source="import redis\nr = redis.Redis()\nr.set('a:b', 1, ex=5)\n")
    assert clean.output.strip() == "All checks passed!"


CONTAINERS = '''
import glance_store as store_api
from collections import defaultdict

from .stores import event_store

_templates_cache = {}


class Translations:
    def __init__(self):
        self._translations_cache = {}
        self._seen_cache: dict = defaultdict(list)

    def get(self, language):
        self._seen_cache.get(language)
        return self._translations_cache.get(language)


def clean(image_id, stored_ids, local_cache, other):
    store_api.delete(image_id, "staging")
    stored_ids.append(image_id)
    cache_config = {}
    cache_config.get("timeout")
    _templates_cache.get(image_id)
    event_store.delete(image_id)
    local_cache.get(image_id)
    other.cache.delete(image_id)
'''


def test_unresolved_leaves_out_what_is_known_not_to_be_a_cache(tmp_path):
    """Not counted as cache use the model missed: dicts and lists held in `self` or a
    local (per-object memo tables), a "store" that is another package's API (an object
    store), a word that only contains "store" (`stored_ids`), a name about a cache
    (`cache_config`). Counted: a store of the project's own, receivers of unknown type.
    A module-level dict named like a cache is an in-process cache the model understands."""
    found = json.loads(run(tmp_path, "ops", "--unresolved", "--output-format", "json", source=CONTAINERS).output)
    assert [(c["row"], c["receiver"], c["method"]) for c in found["calls"]] == [
        (26, "event_store", "delete"), (27, "local_cache", "get"), (28, "other.cache", "delete"),
    ]
    understood = json.loads(run(tmp_path, "ops", "--output-format", "json", source=CONTAINERS).output)
    assert [(e["row"], e["library"], e["method"]) for e in understood] == [(25, "dict", "get")]


def test_ops_says_which_files_it_could_not_read(tmp_path):
    (tmp_path / "broken.py").write_text("import redis\nr = redis.Redis()\nr.get(\n")
    result = run(tmp_path, "ops", "--output-format", "json", extra=(str(tmp_path / "broken.py"),))
    assert [e["row"] for e in json.loads(result.stdout)] == [10, 11, 14]  # app.py's, read as before
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"warning: not read: {tmp_path / 'broken.py'}:") and "invalid-syntax" in lines[0]
    assert lines[1] == ("warning: 1 file not read; their calls are counted neither as understood "
                        "nor as not understood")


def test_ops_reports_an_internal_error_and_exits_2(tmp_path, monkeypatch):
    def boom(model, root):
        raise KeyError("boom")

    monkeypatch.setattr("cachelint.project.extract.facts_for", boom)
    result = run(tmp_path, "ops")
    assert result.exit_code == 2
    assert "error: internal error in the project facts on" in result.stderr and "KeyError: 'boom'" in result.stderr
