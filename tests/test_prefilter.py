"""The prefilter keeps every file in which the model can find something, however the
import or the dict cache is spelled, and drops the files that merely mention caching."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cachelint.config import Settings
from cachelint.engine import lint_paths
from cachelint.prefilter import Prefilter, model_names, prefilter_for

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_CORPUS = ROOT.parent / "shared" / "eval" / "public"


def wants(source: str, prefilter: Prefilter | None = None) -> bool:
    return (prefilter or prefilter_for(())).wants(textwrap.dedent(source))


@pytest.mark.parametrize("source", [
    "import redis\n\nr = redis.Redis()\n",
    "import os, redis.asyncio\n\nr = redis.asyncio.from_url(URL)\n",
    "import redis.asyncio as aioredis\n\nr = aioredis.Redis()\n",
    "from redis import Redis\n\nr = Redis()\n",
    "from redis . asyncio import (\n    Redis as R,\n)\n\nr = R()\n",
    "from django.core import cache\n\ncache.cache.get('k')\n",
    "from django.core.cache import (  # the default (and more)\n    caches,\n)\n\ncaches['x'].get('k')\n",
    "from django.core.cache \\\n    import cache\n\ncache.get('k')\n",
    "from django.views.decorators.cache import cache_page, never_cache\n\n@cache_page(60)\ndef v(request): ...\n",
    "try: import pylibmc\nexcept ImportError: pylibmc = None\nmc = pylibmc.Client(SERVERS)\n",
    "def f():\n    from django.core.cache import cache\n    return cache.get('k')\n",
    "import functools\n\n@functools.lru_cache\ndef f(): ...\n",
    "from functools import lru_cache\n\n@lru_cache\ndef f(): ...\n",
    "import django\n\ndjango.core.cache.cache.get('k')\n",
    "import redis\n\ntype Key = str  # newer syntax than this Python's: LibCST decides\nredis.Redis()\n",
    "import functools\n\n@(functools  # the decorator\n  ).lru_cache\ndef f(): ...\n",
    "import functools as ft\n\n@ft . cache\ndef f(): ...\n",
    "from redis import client as c, exceptions\n\nr = c.Redis()\n",
])
def test_an_import_of_a_client_or_decorator_is_kept(source):
    assert wants(source)


@pytest.mark.parametrize("source", [
    "_CACHE = {}\n\ndef get(k):\n    return _CACHE.get(k)\n",
    "if settings.DEBUG:\n    _cache = dict()\n_cache['k'] = 1\n",
    "Cache: dict[str, int] = {}\nCache['k'] = 1\n",
    "_cache: dict[\n    str, int,\n] = {}\ndel _cache['k']\n",
    "_cache = (\n    {}\n)\nclass A:\n    store = _cache\n",
    "_cache = \\\n    {}\n_cache['k'] = 1\n",
    "first = _cache = {}\n_cache.clear()\n",
    "_cache = other = {}\n_cache.clear()\n",
    "print(_cache := {})\n_cache['k'] = 1\n",
    "def f():\n    global _cache\n    if (_cache := {}):\n        return _cache\n",
    "def reset():\n    global _cache\n    _cache = {}\n\ndef get(k):\n    return _cache[k]\n",
    "import collections\n_CACHE = collections.OrderedDict()\n_CACHE['k'] = 1\n",
    "from collections import defaultdict as dd\nrates_cache = dd(list)\nrates_cache['k'] = 1\n",
    "_cache = {}\nd = {\n    _cache: 1,\n}\n",
    "_cache = {}\nf({\n    _cache: 0}, a=1)\n",
    "_cache = {}\nprint(f\"{_cache=}\")\n",
    "_cache = {}\nprint(f\"\"\"\n# {_cache['k']}\n\"\"\")\n",
    "_cache = {}\nx = 1  # a comment does not go on after a backslash \\\nprint(_cache['k'])\n",
    "_cache = \\\n    other = {}\n_cache.clear()\n",
    "_cache = {}\nfor x in a, _cache: y = 1\n",
    "_cache = {}\nf(k=lambda x=_cache: 0, j=1)\n",
    "_cache = {}\nprint(f\"{a, _cache=!r}\")\n",
    "_cache = {}\rx = 1  # lines end with CR alone\r_cache['k'] = 1\r",
    "_cache = {}\nprint(f\"{x\n} # {_cache}\")  # Python 3.12\n",
    "if DEBUG: _cache = {}\nprint(_cache['k'])\n",
    "\f_cache = {}\n_cache['k'] = 1\n",
    "if DEBUG:\n    s = \"\"\"\ndef f():\n\"\"\"\n    _cache = {}\n_cache['k'] = 1\n",
    "if DEBUG:\n    s = f\"{'''\ndef f():\n'''}\"  # Python 3.12\n    _cache = {}\n_cache['k'] = 1\n",
])
def test_a_dict_that_may_be_a_cache_is_kept(source):
    assert wants(source)


@pytest.mark.parametrize("source", [
    "import os\n",
    "from django.db import models\nfrom django import forms\n",
    "from django.views.decorators.cache import never_cache\n",
    "import functools\n\n@functools.wraps(f)\ndef g(): ...\n",
    "import redis  # a client that is never made\n",
    "import redis\n\n'Make one with redis.Redis()'\n",
    "def f():\n    _cache = {}\n    return _cache\n",
    "CACHES = {'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}\n",
    "def f():\n    if (cached := load()):\n        return cached\n",
    "class A:\n    def __init__(self):\n        self._cache = {}\n",
    "if cache:\n    pass\n",
    "cache_key = f'user:{uid}'\ncache_timeout = settings.TIMEOUT\n",
    "'''Read this from the cache.'''\n",
])
def test_a_file_that_only_mentions_caching_is_dropped(source):
    assert not wants(source)


@pytest.mark.parametrize("source", [
    "import functools\n\ndef f(cache):\n    return functools.partial(g, cache)\n",
    "from redis import client\n\nconnect(client, Redis)\n",
    "@override_settings(\n    CACHES={'default': {}},\n)\nclass T: ...\n",
    "cache_timeout = fields.Integer(allow_none=True)\n",
    "cache_value = None\nlog('cache settings: use_cache=%s', use_cache)\n",
    "CACHE_CONFIG = {}  # read by the app\n# CACHE_CONFIG: what the app reads\n",
    "lang_cache: dict[str, int] = {}\n",
    "_cache = {}\n_cache += other\n",
    "def f(\n    self,\n    cache: bool = False, cache_dict={},\n):\n    pass\n",
    "f(a, cache_key={})\nprint(cache_key)\n",
    "def f():\n    cache_dict = {}\n    return cache_dict['k']\n",
    "class A:\n    '''Doc.'''\n    def f(self):\n        \"\"\"Doc.\"\"\"\n        local_cache = {}\n        return local_cache\n",
])
def test_text_alone_drops_a_file_in_which_no_module_level_dict_cache_is_read(source, monkeypatch):
    monkeypatch.setattr("cachelint.prefilter.may_hold_facts", lambda *args: pytest.fail("parsed"))
    assert not wants(source)


@pytest.mark.parametrize("source", [
    "settings_cache = WeakKeyDictionary()\n\ndef f(c):\n    context_cache = settings_cache[c] = {}\n    return context_cache[1]\n",
    "key_cache = b'k'.decode()\n\ndef f():\n    local_cache = {}\n    return local_cache[key_cache]\n",
])
def test_a_dict_in_a_def_leaves_a_call_assigned_outside_to_the_syntax_tree(source):
    assert wants(source)  # `tree_scan` takes any call for a dict: the same files reach it


def test_configured_clients_widen_it():
    text = "from myapp.store import put\nput(1)\n"
    assert not wants(text)
    assert wants(text, Prefilter(model_names(["myapp.store.put"])))


def test_a_configured_name_is_found_however_its_import_is_spelled():
    # The configured names' imports have patterns of their own, beside the libraries' ones.
    prefilter = prefilter_for(("myapp.stores.Store", "django.core.cache.backends.custom.Backend"))
    assert wants("from myapp . stores import (\n    Store as S,\n)\nS()\n", prefilter)
    assert wants("import os, myapp.stores as st\nst.Store()\n", prefilter)
    assert wants("from django.core.cache.backends.custom import Backend\nBackend()\n", prefilter)
    assert wants("from django.core.cache import cache\ncache.get('k')\n", prefilter)  # the libraries' still
    assert not wants("from myapp.stores import helpers\nhelpers()\n", prefilter)  # `myapp.stores.helpers`: none
    assert not wants("from myapp.storesx import Store\nStore()\n", prefilter)
    assert not wants("import myapp.stores as st\nst.other()\n", prefilter)


def test_prefilters_for_other_configured_names_share_the_libraries_patterns():
    # Compiling them took 15 ms; the second pass asks for a prefilter of new names each round.
    first, second = prefilter_for(("app.one.Cache",)), prefilter_for(("app.two.Cache",))
    assert first._patterns[0] is second._patterns[0] is prefilter_for(())._patterns[0]
    assert first._patterns[1] is not second._patterns[1]


def test_a_name_that_starts_a_client_name_needs_the_rest_of_it():
    assert not wants("import redis.client as rc\n")  # no `Redis`, `StrictRedis`... after it
    assert wants("import redis.client as rc\nrc.Redis()\n")


def rule_findings(paths: list[Path], prefilter: bool) -> list[tuple]:
    settings = Settings(select=("ALL",))
    run = lint_paths(paths, settings, prefilter=prefilter)
    return [(d.filename, d.location, d.end_location, d.code, d.message) for d in run.diagnostics if d.code]


def test_findings_are_the_same_without_the_prefilter_on_the_fixtures():
    paths = [ROOT / "fixtures"]
    assert rule_findings(paths, prefilter=True) == rule_findings(paths, prefilter=False)


@pytest.mark.skipif(not PUBLIC_CORPUS.is_dir(), reason=f"the public corpus is not at {PUBLIC_CORPUS}")
def test_findings_are_the_same_without_the_prefilter_on_the_public_corpus():
    findings = rule_findings([PUBLIC_CORPUS], prefilter=True)
    assert findings, "the corpus should have findings"
    assert findings == rule_findings([PUBLIC_CORPUS], prefilter=False)


def test_the_code_of_a_text_leaves_out_its_comments_and_plain_strings_only():
    """`code_of`, what the second pass's screens read: comments and plain strings out,
    f-strings kept (their fields are code), and the text itself when the strings' bounds
    are in doubt."""
    from cachelint.prefilter import code_of

    text = (b'a = "app.cache"  # app.cache\nb = rb\'\\\\d\' + """app.cache\n""" + f"{app.cache}"\n'
            b"from app import (x,  # a comment )\n    cache)\n")
    assert code_of(text) == (b"a = ''  \nb = rb'' + '' + f\"{app.cache}\"\n"
                             b"from app import (x,  \n    cache)\n")
    for doubtful in (b"x = 'app.cache\n", b'x = f"{d["app.cache"]}"\n'):
        assert code_of(doubtful) == doubtful
    assert code_of(b"import app.cache\n") == b"import app.cache\n"


def test_a_text_without_prose_keeps_every_string_but_docstrings():
    """`without_prose`, what the entities pass reads for a mention of an entity: comments
    and docstrings (a string alone on its rows after a block opens, or first in the
    module) out; SQL, arguments, a dict's values, string annotations, f-strings kept."""
    from cachelint.prefilter import without_prose

    text = textwrap.dedent('''\
        """Prices of the products."""
        import sqlite3  # the products' table


        class Shelf:
            'one product'

            def clear(self, conn, kind: "Product"):
                """Empties the products."""
                conn.execute(
                    """DELETE FROM products"""
                )
                labels = {"name":
                          "products"}
                return f"{products}", "products", labels
        ''')
    kept = text.replace('"""Prices of the products."""', "").replace("# the products' table", "")
    kept = kept.replace("'one product'", "").replace('"""Empties the products."""', "")
    assert without_prose(text.encode()).decode() == kept
    assert without_prose(b"def f():\n    return 1\n") == b"def f():\n    return 1\n"
    for doubtful in (b"x = 'products\n", b"'''products\n"):
        assert without_prose(doubtful) == doubtful


def test_each_string_or_comment_starts_with_a_character_re_can_skip_to():
    """The pattern `code_of` (and the dict-cache scan) finds strings and comments by: each
    of its alternatives starts with a literal character, so that `re` skips the text
    between two quotes or hashes; an alternative starting with a repeat (`'{3}`) or a set
    (`['"]`) made it try every alternative at every position. The same matches."""
    try:
        from re import _parser as parser  # type: ignore[attr-defined]
    except ImportError:  # Python 3.10
        import sre_parse as parser  # type: ignore[no-redef]

    from cachelint.prefilter import _STRING_OR_COMMENT, code_of

    [(branch, (_, alternatives))] = list(parser.parse(_STRING_OR_COMMENT.pattern, _STRING_OR_COMMENT.flags))
    assert str(branch) == "BRANCH"
    assert [str(alternative[0][0]) for alternative in alternatives] == ["LITERAL"] * 7
    assert code_of(b"a = '''x\n''' + \"\"\"y\"\"\" + '''it's''' # c\n") == b"a = '' + '' + '' \n"
    for doubtful in (b"a = '''x\n", b'b = """'):
        assert code_of(doubtful) == doubtful


def test_only_a_string_after_a_letter_is_looked_at_for_its_prefix(monkeypatch):
    """`code_of` reads a string's prefix (an f-string's fields are code) only where a
    letter, a digit or `_` is right before its quote: the same text, and most strings cost
    no look back."""
    from cachelint import prefilter

    looked = []
    real = prefilter._name_around

    def recorded(text, index):
        looked.append(text[index - 1])
        return real(text, index)

    monkeypatch.setattr(prefilter, "_name_around", recorded)
    text = b"a = ('x', \"y\") + f'{app.cache}' + rb'z'  # 'c'\nb = [not'w', _'v']\n"
    assert prefilter.code_of(text) == b"a = ('', '') + f'{app.cache}' + rb''  \nb = [not'w', _'']\n"
    assert looked == ["f", "b", "t", "_"]


def test_a_dropped_text_is_lowered_once(tmp_path):
    """A file the prefilter drops is read in lower case twice, for a dict cache and for a
    call that may be one not understood (`cache_like.may_hold_calls`): lowered once."""
    from cachelint import engine
    from cachelint.prefilter import lower_case

    lower_case.cache_clear()
    raw = "# Größe\nimport os\nCACHE_DIR = os.getcwd()\n".encode()
    assert engine._read_source(str(tmp_path / "a.py"), raw, Settings(root=tmp_path), True).diagnostics == []
    assert (lower_case.cache_info().misses, lower_case.cache_info().hits) == (1, 1)


def test_a_file_its_text_settles_is_not_handed_over_to_the_deep_stack(tmp_path, monkeypatch):
    """The prefilter's scan of the text runs on the caller's stack: a file it drops (as
    most of a project's are) costs no hand-over to the deep one that parsing needs
    (`parsing.on_deep_stack`), and one whose syntax tree must decide, or that is parsed,
    is handed over once."""
    from cachelint import parsing

    (tmp_path / "plain.py").write_text("import os\n\nprint(os.getcwd())\n")
    (tmp_path / "client.py").write_text("import redis\n\nr = redis.Redis()\nr.keys('*')\n")
    (tmp_path / "tree.py").write_text('import functools\n\nprint("functools.lru_cache")\n')  # the tree drops it
    handed_over = []
    real = parsing.on_deep_stack

    def counted(function, source, *args):
        handed_over.append(Path(getattr(source, "filename", source)).name)
        return real(function, source, *args)

    monkeypatch.setattr(parsing, "on_deep_stack", counted)
    run = lint_paths([tmp_path], Settings(root=tmp_path))
    assert [Path(d.filename).name for d in run.diagnostics] == ["client.py"]
    assert sorted(handed_over) == ["client.py", "tree.py"]


# ------------------------------------- what files the prefilter skips give the files that read them

HOLDER = """\
from flask_caching import Cache


class CacheHolder:
    def __init__(self):
        self._cache = Cache()

    @property
    def cache(self):
        return self._cache
"""

ORDERS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Order(db.Model):
    id = db.Column(db.Integer, primary_key=True)


def cancel(order_id):
    {receiver}.cache.delete(f"order:{{order_id}}")
    Order.query.filter_by(id=order_id).delete()
    db.session.commit()
"""


def _project(root: Path, files: dict[str, str]) -> None:
    (root / "shop").mkdir()
    (root / "shop" / "__init__.py").write_text("")
    for name, text in files.items():
        (root / "shop" / name).write_text(text)


def test_a_module_level_instance_in_a_skipped_file_types_what_its_importers_read(tmp_path, linted):
    """`ext.py` makes `cache_holder = CacheHolder()` and `orders.py` drops an entry through
    `cache_holder.cache` before a write: neither has cache code of its own, so the prefilter
    skips both; the run still finds what the run without it finds, and the file that only
    names the class in a signature is not parsed for it."""
    _project(tmp_path, {
        "caching.py": HOLDER,
        "ext.py": "from shop.caching import CacheHolder\n\ncache_holder = CacheHolder()\n",
        "orders.py": "from shop.ext import cache_holder\n" + ORDERS.format(receiver="cache_holder"),
        "reports.py": "from shop.caching import CacheHolder\n\n\ndef size(holder: CacheHolder):\n    return 0\n",
    })
    findings = rule_findings([tmp_path], prefilter=True)
    assert [(Path(f[0]).name, f[3]) for f in findings] == [("orders.py", "CL006")]
    assert linted.count("reports.py") == 1  # by the first pass, which skips it
    assert findings == rule_findings([tmp_path], prefilter=False)


def test_a_typed_attribute_on_a_parameter_in_a_skipped_file_is_understood(tmp_path, linted):
    """`holder.cache` on a parameter named after the one class whose `cache` is a client:
    the prefilter skips the file that reads it, and the run finds what the run without
    the prefilter finds; a skipped file that reads no such attribute is not parsed."""
    _project(tmp_path, {
        "caching.py": HOLDER,
        "orders.py": ORDERS.replace("def cancel(order_id)", "def cancel(cache_holder, order_id)").format(
            receiver="cache_holder"),
        "reports.py": "def size(holder):\n    return holder.count\n",
    })
    findings = rule_findings([tmp_path], prefilter=True)
    assert [(Path(f[0]).name, f[3]) for f in findings] == [("orders.py", "CL006")]
    assert linted.count("reports.py") == 1  # by the first pass, which skips it
    assert findings == rule_findings([tmp_path], prefilter=False)


def test_an_importer_of_a_holder_instance_is_linted_again_once(tmp_path, linted):
    """`orders.py` reads a client `caching.py` makes, and the holder instance `ext.py` makes
    and the package re-exports: the files that define the instance and re-export it (the
    prefilter skipped both) are linted before their importers, so that `orders.py` is linted
    again once, with both, and finds what the run without the prefilter finds."""
    _project(tmp_path, {
        "caching.py": HOLDER + "\n\nstore = Cache()\n",
        "ext.py": "from shop.caching import CacheHolder\n\ncache_holder = CacheHolder()\n",
        "orders.py": "from shop import cache_holder\nfrom shop.caching import store\n\n\n"
                     "def total(order_id):\n    return store.get(order_id)\n\n\n"
                     + ORDERS.format(receiver="cache_holder"),
    })
    (tmp_path / "shop" / "__init__.py").write_text("from shop.ext import cache_holder\n")
    findings = rule_findings([tmp_path], prefilter=True)
    assert [(Path(f[0]).name, f[3]) for f in findings] == [("orders.py", "CL003"), ("orders.py", "CL006")]
    assert linted.count("orders.py") == 2  # by the first pass, and by the second once
    assert findings == rule_findings([tmp_path], prefilter=False)


def test_a_warm_run_reads_again_a_file_left_before_its_class_held_a_client(tmp_path):
    """A first run, when `CacheHolder` holds no client, leaves `ext.py` (its instance) as a
    file the pass looked at and left; once the class holds one, the warm run lints it and
    finds what a cold run finds."""
    holder = HOLDER.replace("cache(self)", "backend(self)")  # a name no attribute typing looks at
    orders = ORDERS.replace(".cache.delete", ".backend.delete")
    project = tmp_path / "project"
    project.mkdir()
    _project(project, {
        "caching.py": holder.replace("self._cache = Cache()", "self._cache = {}"),
        "ext.py": "from shop.caching import CacheHolder\n\ncache_holder = CacheHolder()\n",
        "orders.py": "from shop.ext import cache_holder\n" + orders.format(receiver="cache_holder"),
        "stats.py": "import redis\n\nhits = redis.Redis()\n",  # an export, so that both runs make a round
    })
    settings = Settings(select=("ALL",))

    def findings(cache_dir):
        run = lint_paths([project], settings, cache_dir=cache_dir)
        return [(Path(d.filename).name, d.code) for d in run.diagnostics if d.code]

    assert findings(tmp_path / "warm") == []
    (project / "shop" / "caching.py").write_text(holder)
    assert findings(tmp_path / "warm") == findings(tmp_path / "cold") == [("orders.py", "CL006")]
