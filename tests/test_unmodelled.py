"""Calls that look like cache use in code the model never saw (a file the prefilter drops
from its text alone): counted as not understood as they are with `--no-prefilter`, and the
cheap look at the text (`cache_like.may_hold_calls`) that spares most files a parse."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from cachelint.cli import main
from cachelint.config import Settings
from cachelint.engine import lint_paths
from cachelint.project.cache_like import may_hold_calls

PROJECT = {
    "app/__init__.py": "",
    "app/clients.py": """\
        import redis

        r = redis.Redis()


        def cached(key):
            return r.get(key)
        """,
    # No cache library, no dict cache: the prefilter drops it from its text.
    "app/registry.py": """\
        class Registry:
            def __init__(self, store):
                self.store = store
                self._seen_cache = {}

            def remember(self, key, value):
                self._seen_cache.setdefault(key, value)  # a dict: understood
                self.store.set(key, value)
                return get_redis().get(key)
        """,
    # Cache calls only in its docstring and comments.
    "app/notes.py": '''\
        """Read with cache.get(key), then get_redis("x").set(key, value)."""
        # store.delete(key) drops it
        NOTE = "cache.set(key)"
        ''',
}


def _unresolved(root: Path, prefilter: bool) -> list[tuple]:
    run = lint_paths([root], Settings(root=root), prefilter=prefilter)
    assert not run.internal_errors, run.internal_errors
    return sorted((Path(file.filename).name, call.line, call.receiver, call.method)
                  for file in run.files for call in file.unresolved)


def _tree(root: Path) -> None:
    for name, text in PROJECT.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))


def test_a_file_the_prefilter_drops_counts_its_calls_not_understood_as_without_the_prefilter(tmp_path):
    _tree(tmp_path)
    expected = [("registry.py", 8, "self.store", "set"), ("registry.py", 9, "get_redis()", "get")]
    assert _unresolved(tmp_path, prefilter=False) == expected
    assert _unresolved(tmp_path, prefilter=True) == expected
    # The report's count too, whatever the path.
    counts = []
    for flags in ([], ["--no-prefilter"]):
        result = CliRunner().invoke(main, ["check", "--no-cache", *flags, str(tmp_path)])
        counts.append([line for line in result.output.splitlines() if "not understood" in line])
    assert counts[0] == counts[1] == ["No errors found. 2 calls that look like cache use and were not understood; "
                                      "`cachelint ops --unresolved` lists them."]


@pytest.mark.parametrize(("text", "holds"), [
    ("cache.get(key)\n", True),
    ("get_redis('').set(key)\n", True),  # a call, then a cache method
    ("x = self.store\n", False),
    ('"""cache.get(key)"""\n', False),  # in a docstring
    ("x = 1  # cache.get(key)\n", False),  # in a comment
    ("clear_cache(site, using='')\n", False),  # a call, and no method after it
    ("clear_cache(f'{x})').get(key)\n", True),  # an f-string's fields: in doubt
    ("get_cache(f''''(''').get(key)\n", True),
])
def test_the_first_look_at_a_text_reads_its_code_only(text, holds):
    assert may_hold_calls(text) is holds
