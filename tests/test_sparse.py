"""Sparse parsing leaves out only what the model cannot use: findings, their positions and
what the project index learns are the same as from the whole file."""
from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from cachelint import parsing, sparse
from cachelint.cli import main
from cachelint.config import Settings
from cachelint.engine import lint_paths, lint_source
from cachelint.prefilter import prefilter_for

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_CORPUS = ROOT.parent / "shared" / "eval" / "public"
SCREEN = prefilter_for(())

MODULE = textwrap.dedent('''\
    """A module with a little caching among much else."""
    import json
    from typing import TYPE_CHECKING

    import redis
    from django.core.cache import caches

    if TYPE_CHECKING:
        from shop.models import Product

    TTL = 300
    r = redis.Redis()


    def unrelated(a, b):
        total = a + b
        return json.dumps(total)


    def product_key(pid):
        return f"product:{pid}"


    def cached_product(pid):
        key = product_key(pid)
        value = r.get(key)
        if not value:
            value = load(pid)
            r.set(key, value)
        return value


    def load(pid):
        return " ".join(tags_of(pid))


    class Error(Exception):
        """Raised when nothing can be loaded."""

        def describe(self):
            return "error"


    class Store:
        backend = caches["default"]

        def __init__(self, prefix):
            self.prefix = prefix
            self.local = {}

        def helper(self, x):
            return self.prefix + x

        def read(self, x):
            if not x:
                raise Error()
            return self.backend.get(self.helper(x)) or self.local.get(x)

        def write(self, x, value):
            self.backend.set(self.helper(x), value, TTL)

        def unrelated_method(self):
            return sorted(self.local)


    class Other: x = r.get("k")


    a = json.loads("1"); user_value = r.get("user")
''')


@pytest.fixture
def every_module(monkeypatch):
    monkeypatch.setattr(sparse, "MIN_LINES", 0)


def reduced(source: str) -> sparse.Reduced:
    result = sparse.reduce(source, SCREEN)
    assert result is not None
    return result


def test_leaves_out_what_the_model_cannot_use(every_module):
    kept = reduced(MODULE).text
    for needed in ("TTL = 300", "r = redis.Redis()", "def product_key", "def cached_product", "def load",
                   "class Error(Exception):", "backend = caches", "def helper", "def read", "class Other",
                   "user_value = r.get", "def __init__"):
        assert needed in kept
    for unneeded in ("def unrelated(", "def describe", "def unrelated_method", "if TYPE_CHECKING", "A module with"):
        assert unneeded not in kept


def test_every_kept_line_is_the_files_line_at_its_row(every_module):
    result = reduced(MODULE)
    lines = MODULE.splitlines()
    for line, row in zip(result.text.splitlines(), result.rows):
        assert line == lines[row - 1] or line.strip() == "..."
    assert list(result.rows) == sorted(set(result.rows))


def test_a_class_kept_for_its_name_alone_gets_an_empty_body(every_module):
    result = reduced(MODULE)
    lines = result.text.splitlines()
    header = lines.index("class Error(Exception):")
    assert lines[header + 1] == "    ..."
    assert result.rows[header + 1] == MODULE.splitlines().index('    """Raised when nothing can be loaded."""') + 1


def test_a_class_based_view_that_lists_a_cache_decorator_keeps_its_methods(every_module):
    source = textwrap.dedent('''\
        from flask.views import MethodView
        from flask_caching import Cache

        cache = Cache()

        def unrelated():
            return 1

        class Comments(MethodView):
            decorators = [cache.cached(timeout=60)]

            def post(self, post_id):
                return add_comment(post_id)
    ''')
    kept = reduced(source).text
    assert "def post" in kept and "def unrelated" not in kept


@pytest.mark.parametrize(("source", "min_lines"), [
    ("import redis\n\nr = redis.Redis()\n\ndef f():\n    return 1\n", 10),  # small
    ("import redis\nr = redis.Redis(\n", 0),  # Python cannot parse it
    ("import redis\n\nr = redis.Redis()\n\ndef f():\n    return r.get('k')\n", 0),  # every unit counts
    ("import redis\r\rr = redis.Redis()\r\rdef f():\r    return 1\r", 0),  # rows the model does not count
])
def test_some_modules_are_parsed_whole(source, min_lines, monkeypatch):
    monkeypatch.setattr(sparse, "MIN_LINES", min_lines)
    assert sparse.reduce(source, SCREEN) is None


def findings_of(source: str, prefilter: bool) -> list[tuple]:
    result = lint_source("module.py", source.encode(), Settings(), prefilter=prefilter)
    assert not result.internal_errors
    return [(d.code, d.location, d.end_location, d.message, d.statement_rows) for d in result.diagnostics], result.facts


@pytest.mark.parametrize("source", [
    MODULE,
    MODULE.replace("\n", "\r\n"),
    MODULE.replace("    ", "\t"),
    "\ufeff# -*- coding: utf-8 -*-\n" + MODULE.replace("much else", "much else, ünïcödé"),
], ids=["lf", "crlf", "tabs", "bom-and-non-ascii"])
def test_findings_and_facts_are_those_of_the_whole_file(source, every_module):
    sparse_findings, sparse_facts = findings_of(source, prefilter=True)
    whole_findings, whole_facts = findings_of(source, prefilter=False)
    assert {code for code, *_ in sparse_findings} >= {"CL001", "CL002"}
    assert sparse_findings == whole_findings
    assert sparse_facts.partial is True
    assert (sparse_facts.fills, sparse_facts.busts) == (whole_facts.fills, whole_facts.busts)


def rule_findings(paths: list[Path], prefilter: bool) -> list[tuple]:
    run = lint_paths(paths, Settings(root=ROOT), prefilter=prefilter)
    return [(d.filename, d.location, d.end_location, d.code, d.message) for d in run.diagnostics if d.code]


def test_findings_are_the_same_on_the_fixtures_with_every_module_sparse(every_module):
    paths = [ROOT / "fixtures"]
    assert rule_findings(paths, prefilter=True) == rule_findings(paths, prefilter=False)


@pytest.mark.skipif(not PUBLIC_CORPUS.is_dir(), reason=f"the public corpus is not at {PUBLIC_CORPUS}")
def test_findings_are_the_same_on_the_public_corpus_with_every_module_sparse(every_module):
    findings = rule_findings([PUBLIC_CORPUS], prefilter=True)
    assert findings
    assert findings == rule_findings([PUBLIC_CORPUS], prefilter=False)


CATALOG = textwrap.dedent('''\
    from django.core.cache import cache

    from .models import Product


    def product_detail(product_id):
        key = f"product:{product_id}"
        product = cache.get(key)
        if product is None:
            product = Product.objects.filter(pk=product_id).values("id", "name", "price").first()
            cache.set(key, product, 300)
        return product
''')
ADMIN = textwrap.dedent('''\
    from django.core.cache import cache

    from .models import Product


    def flush():
        cache.delete("unrelated:key")


    def set_price(product_id, price):
        Product.objects.filter(pk=product_id).update(price=price)
''')


def test_the_project_index_sees_writes_in_what_was_left_out(every_module, tmp_path):
    """CL010 needs a DB write that sits in a function with no cache call: with a cached
    entity in the project, the file is linted whole."""
    (tmp_path / "catalog.py").write_text(CATALOG)
    (tmp_path / "admin.py").write_text(ADMIN)
    findings = rule_findings([tmp_path], prefilter=True)
    assert [(Path(name).name, code) for name, _, _, code, _ in findings] == [("admin.py", "CL010")]
    assert findings == rule_findings([tmp_path], prefilter=False)


def test_a_partial_result_in_the_cache_is_linted_whole_once_an_entity_is_cached(every_module, tmp_path):
    project, cache_dir = tmp_path / "project", tmp_path / "cache"
    project.mkdir()
    (project / "admin.py").write_text(ADMIN)
    settings = Settings(root=project)
    assert not lint_paths([project], settings, cache_dir=cache_dir).diagnostics
    (project / "catalog.py").write_text(CATALOG)  # admin.py is unchanged: its partial result is cached
    run = lint_paths([project], settings, cache_dir=cache_dir)
    assert [(Path(d.filename).name, d.code) for d in run.diagnostics] == [("admin.py", "CL010")]
    again = lint_paths([project], settings, cache_dir=cache_dir)  # now from the whole file's cached result
    assert [(Path(d.filename).name, d.code) for d in again.diagnostics] == [("admin.py", "CL010")]


def test_fixes_land_where_the_whole_files_fixes_land(every_module, tmp_path, monkeypatch):
    for name in ("sparse.py", "whole.py"):
        (tmp_path / name).write_text(MODULE)
    monkeypatch.chdir(tmp_path)
    for name, extra in (("sparse.py", []), ("whole.py", ["--no-prefilter"])):
        CliRunner().invoke(main, ["--no-cache", "--fix", "--unsafe-fixes", *extra, name])
    fixed = (tmp_path / "sparse.py").read_text()
    assert fixed != MODULE and "if value is None:" in fixed
    assert fixed == (tmp_path / "whole.py").read_text()


CLIENT_FROM_A_METHOD = '''\
import redis


class StorageMixin:
    def connection(self, db):
        r = redis.StrictRedis(db=db, decode_responses=True)
        r.ping()
        return r

    def get_client(self):
        return self.connection(db=self.db)


class ImportStorage(StorageMixin):
    def iter_objects(self):
        client = self.get_client()
        for key in client.keys(self.path + "*"):
            yield key

''' + "".join(f"\ndef unrelated_{n}(a):\n    return a + {n}\n" for n in range(40)) + '''

class ExportStorage(StorageMixin):
    def save(self, key, value):
        self.get_client().setnx(key, value)
'''


def test_a_client_a_method_returns_keeps_its_callers():
    # Found in label-studio's Redis storage: sparse parsing left out `iter_objects` and
    # `save`, which reach the client only through `self.get_client()`.
    sparse_findings, _ = findings_of(CLIENT_FROM_A_METHOD, prefilter=True)
    whole_findings, _ = findings_of(CLIENT_FROM_A_METHOD, prefilter=False)
    assert {code for code, *_ in whole_findings} >= {"CL002", "CL007"}
    assert sparse_findings == whole_findings


DEEP_AND_CUT = textwrap.dedent('''\
    import redis

    r = redis.Redis()


    def unrelated(a):
        return a + 1


    class Store:
        """A class some of whose methods are left out."""

        def label(self):
            return "store"

        def put(self, uid):
            r.setnx(KEY, uid)


    def deep(uid):
        r.setnx(DEEP, uid)
''').replace("KEY", "(" + " or ".join(["uid"] * 500) + ")").replace("DEEP", " + ".join(["'a'"] * 500))


def test_deep_expressions_of_a_cut_module_are_bounded_where_the_whole_files_are(every_module):
    """The kept text's deep expressions are found in the module's tree, in a method of a
    class some of whose members are left out too, and moved to the kept text's rows."""
    result = reduced(DEEP_AND_CUT)
    assert "def unrelated" not in result.text and "def label" not in result.text
    text_rows = result.text.splitlines()
    assert {text_rows[row - 1].strip()[:11] for (row, _), _ in result.outline.too_deep} == {"r.setnx((ui", "r.setnx('a'"}
    assert result.outline == parsing.Outline.of(ast.parse(result.text).body, result.text.splitlines(True))
    sparse_findings, _ = findings_of(DEEP_AND_CUT, prefilter=True)
    assert sparse_findings == findings_of(DEEP_AND_CUT, prefilter=False)[0]
    assert {code for code, *_ in sparse_findings} == {"CL002"}


def test_pythons_tree_of_a_cut_module_is_built_once_and_not_kept(every_module, monkeypatch):
    from cachelint import tree_scan

    built, cut = [], []
    parse, reduce = ast.parse, sparse.reduce
    monkeypatch.setattr(ast, "parse", lambda source, *args, **kwargs: (
        built.append(1) if kwargs.get("mode", "exec") == "exec" else None) or parse(source, *args, **kwargs))
    monkeypatch.setattr(sparse, "reduce", lambda *args: cut.append(reduce(*args)) or cut[-1])
    findings_of(DEEP_AND_CUT, prefilter=True)
    assert cut[0] is not None and len(built) == 1
    assert tree_scan.parse.cache_info().currsize == 0  # it stayed alive through the analysis


def test_a_reduced_text_libcst_refuses_is_linted_whole(every_module, monkeypatch):
    """Where LibCST refuses the kept lines (what Python parsed), it judges the whole file:
    the findings and facts are the whole file's."""
    monkeypatch.setattr(sparse, "reduce", lambda text, screen, declared=None: sparse.Reduced("def (:\n", (1,), parsing.Outline.of([], ["def (:\n"])))
    findings, facts = findings_of(MODULE, prefilter=True)
    assert (findings, facts) == findings_of(MODULE, prefilter=False)
    assert {code for code, *_ in findings} >= {"CL001", "CL002"} and facts.partial is False


MEMOIZED = textwrap.dedent('''\
    import functools
    from functools import lru_cache

    import oslo_cache
    from django.core.cache import cache


    @lru_cache(maxsize=32)
    def words(text):
        return text.split()


    def count(text):
        return len(words(text))


    class Parser:
        @functools.cache
        def grammar(self):
            return {"a": 1}

        def parse(self, text):
            return self.grammar().get(text)


    @functools.cache
    def backend():
        return cache


    def read(key):
        return backend().get(key)


    @oslo_cache.get_memoization_decorator(CONF, REGION, "users")
    def user(uid):
        return load(uid)


    def forget(uid):
        user.invalidate(uid)
        return uid


    def unrelated():
        return 1


    class Outer:
        @functools.cache
        class Inner:
            pass
''')


def test_a_function_a_library_only_memoizes_does_not_keep_its_callers(every_module):
    """`@lru_cache` names a cache, but a call of the function it decorates returns what
    the function returns, and its methods are no cache operations: its callers are left
    out (the function itself is kept, for its decorator); a memoized function whose body
    names a cache, and one whose decorator adds cache operations (oslo.cache's
    `user.invalidate(uid)`), keep theirs."""
    kept = reduced(MEMOIZED).text
    for needed in ("def words", "def grammar", "def backend", "def read", "def user", "def forget"):
        assert needed in kept
    for unneeded in ("def count", "def parse", "def unrelated"):
        assert unneeded not in kept
    assert what_the_model_found(MEMOIZED, prefilter=True) == what_the_model_found(MEMOIZED, prefilter=False)


def what_the_model_found(source: str, prefilter: bool) -> tuple:
    """The findings, the cache uses understood and the calls not understood, as the report counts them."""
    result = lint_source("module.py", source.encode(), Settings(), prefilter=prefilter)
    assert not result.internal_errors and result.facts is not None
    facts = result.facts
    return ([(d.code, d.location, d.message) for d in result.diagnostics], facts.uses, facts.clients, facts.wrappers,
            facts.memoizers, sorted(result.unresolved, key=repr))


@pytest.mark.parametrize("rebinding", [
    "lru_cache = REGION.cache_on_arguments\n",
    "try:\n    pass\nexcept ImportError as lru_cache:\n    pass\n",
    "def lru_cache(f):\n    return f\n",
    "class Holder:\n    def run(self, lru_cache=None):\n        return lru_cache\n",
])
def test_a_memoizers_name_bound_otherwise_too_keeps_the_callers(rebinding, every_module):
    kept = reduced(MEMOIZED + rebinding).text
    assert "def count" in kept


COMMENTED = textwrap.dedent('''\
    # The module's header.
    import redis

    # Before a kept statement.
    r = redis.Redis()

    # Before a statement left out,
    # on two rows.

    def unrelated():
        return 1


    class Store:
        def put(self, uid):
            # Inside a kept member.
            r.set(uid, 1)

        # Before a member left out.
        def label(self):
            return "store"

        # Before a kept member.
        def get(self, uid):
            return r.get(uid)
        # After the last member.
    # Before the end.
''')


def test_comments_before_a_statement_left_out_are_left_out_too(every_module):
    """In LibCST's tree of the whole file, the comment and blank lines before a statement
    are the statement's (`leading_lines`): they go with it. Those before a kept one stay."""
    kept = reduced(COMMENTED).text
    for needed in ("# The module's header.", "# Before a kept statement.", "# Before a kept member.",
                   "# Inside a kept member.", "# After the last member.", "# Before the end."):
        assert needed in kept
    for unneeded in ("# Before a statement left out", "# on two rows.", "# Before a member left out."):
        assert unneeded not in kept
    assert "\\n\\n\\n" not in kept.replace("\\n    \\n", "\\n\\n")
    assert what_the_model_found(COMMENTED, prefilter=True) == what_the_model_found(COMMENTED, prefilter=False)


WRAPPED = textwrap.dedent('''\
    import redis
    from django.core.cache import cache
    from django.db import transaction


    def bust(uid):
        cache.delete(f"user:{uid}")


    def save_user(user):
        with transaction.atomic():
            user.save()
            bust(user.id)


    class Store:
        def __init__(self):
            self._r = redis.Redis()

        def put(self, key, value):
            self._r.set(f"p:{key}", value)


    store = Store()


    def remember(key, value):
        store.put(key, value)


    def unrelated():
        return 1
''')


def test_the_callers_of_a_wrapper_that_returns_nothing_are_kept(every_module):
    """A call of a function or method whose body performs a cache operation on its
    arguments is a cache operation where it is called (the model's wrapper summaries):
    sparse parsing had left out the callers of those that return nothing, and the
    default run missed what `--no-prefilter` reports (CL009 here)."""
    kept = reduced(WRAPPED).text
    assert "def save_user" in kept and "def remember" in kept and "def unrelated" not in kept
    found = what_the_model_found(WRAPPED, prefilter=True)
    assert {code for code, *_ in found[0]} == {"CL009"}
    assert [use.via for use in found[1]].count(("Store.put",)) == 1
    assert found == what_the_model_found(WRAPPED, prefilter=False)


# The second pass (`engine._client_rounds`): a module that uses what another module of
# the project makes is parsed in part too, for what the round declares.
CACHE_MANAGER = textwrap.dedent('''\
    from flask_caching import Cache


    class CacheManager:
        def __init__(self):
            self._cache = Cache()
            self._data_cache = Cache()

        def init_app(self, app):
            self._cache.init_app(app)
            self._data_cache.init_app(app)

        @property
        def cache(self):
            return self._cache

        @property
        def data_cache(self):
            return self._data_cache
''')
FILLER = "".join(textwrap.dedent(f'''\


    def unrelated_{number}(values):
        """Nothing to do with caching."""
        total = sum(values) * {number}
        return [value + total for value in values]
''') for number in range(20))
REPORTS = textwrap.dedent('''\
    """Reports, most of whose code has nothing to do with caching."""
    from flask import request

    {import_line}

    PAGE_TTL = 0
    PREFIX = "report"


    def report_key(rid):
        return f"{{PREFIX}}:{{rid}}"


    def lookup(redis_conn, key):  # not understood: a call sparse parsing leaves out
        return redis_conn.get(key)
    {filler}

    @cache_manager.cache.cached(timeout=60)
    def search():
        return {{"q": request.args.get("q", "")}}


    def report(rid):
        data = cache_manager.data_cache.get(report_key(rid))
        if not data:
            data = build(rid)
            cache_manager.data_cache.set(report_key(rid), data, timeout=PAGE_TTL)
        return data


    class ReportView:
        """One cached method among others."""

        def title(self):
            return "Reports"

        def rows(self, rid):
            return cache_manager.data_cache.get(rid)
    {filler}
''')


def _write_project(root: Path, import_line: str, more: dict[str, str] | None = None) -> None:
    files = {"app/__init__.py": "", "app/utils/__init__.py": "", "app/utils/cache_manager.py": CACHE_MANAGER,
             "app/extensions.py": "from app.utils.cache_manager import CacheManager\n\ncache_manager = CacheManager()\n",
             "app/reports.py": REPORTS.format(import_line=import_line, filler=FILLER), **(more or {})}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def _second_pass_reductions(monkeypatch) -> list[tuple[int, int | None]]:
    """What sparse parsing made of each text the second pass gave it: its length, and the
    kept text's (None: parsed whole)."""
    found: list[tuple[int, int | None]] = []
    reduce = sparse.reduce

    def recorded(text, screen, declared=None):
        kept = reduce(text, screen, declared)
        if declared is not None:
            found.append((len(text), None if kept is None else len(kept.text)))
        return kept

    monkeypatch.setattr(sparse, "reduce", recorded)
    return found


def _report(root: Path, prefilter: bool, cache: bool = False, jobs: int = 1) -> tuple[list, list]:
    """The findings and the calls not understood, as the report counts them."""
    run = lint_paths([root], Settings(root=root), prefilter=prefilter, jobs=jobs,
                     cache_dir=root / ".cache" if cache else None)
    assert not run.internal_errors
    return ([(Path(d.filename).name, d.location, d.code, d.message) for d in run.diagnostics],
            sorted((Path(f.filename).name, c.line, c.receiver, c.method) for f in run.files for c in f.unresolved))


@pytest.mark.parametrize("import_line", ["from app.extensions import cache_manager",
                                         "from .extensions import cache_manager"])
def test_the_second_pass_parses_an_importer_in_part_and_finds_what_the_whole_file_gives(
        tmp_path, monkeypatch, import_line):
    _write_project(tmp_path, import_line)
    reductions = _second_pass_reductions(monkeypatch)
    findings, unresolved = _report(tmp_path, prefilter=True)
    assert [(name, code) for name, _, code, _ in findings] == [
        ("reports.py", "CL012"), ("reports.py", "CL002"), ("reports.py", "CL003")]
    assert ("reports.py", 15, "redis_conn", "get") in unresolved
    assert (findings, unresolved) == _report(tmp_path, prefilter=False)
    [(length, kept)] = reductions  # the first pass skipped the file: it imports no library
    assert kept is not None and kept < length / 4


@pytest.mark.parametrize("mention", ['DATA_PATH = "app.extensions.cache_manager.data_cache"',
                                     "# the client is app.extensions.cache_manager.data_cache",
                                     "from app.extensions.cache_manager.data_cache_tools import describe"])
def test_the_second_pass_parses_in_part_an_importer_whose_declared_path_is_no_code_of_it(
        tmp_path, monkeypatch, mention):
    """The qualified name of what the round declares in a string, a comment, or as the
    start of a longer name: nothing the model resolves, so not a reason to parse whole."""
    _write_project(tmp_path, f"from app.extensions import cache_manager\n{mention}")
    reductions = _second_pass_reductions(monkeypatch)
    findings, unresolved = _report(tmp_path, prefilter=True)
    assert [code for _, _, code, _ in findings] == ["CL012", "CL002", "CL003"]
    assert (findings, unresolved) == _report(tmp_path, prefilter=False)
    [(length, kept)] = reductions
    assert kept is not None and kept < length / 4


def test_the_second_pass_parses_whole_an_importer_that_writes_a_declared_path_in_code(tmp_path, monkeypatch):
    _write_project(tmp_path, "from app.extensions import cache_manager\nimport app.extensions\n\n"
                             "BACKUP = app.extensions.cache_manager.data_cache")
    reductions = _second_pass_reductions(monkeypatch)
    findings, unresolved = _report(tmp_path, prefilter=True)
    assert [code for _, _, code, _ in findings] == ["CL012", "CL002", "CL003"]
    assert (findings, unresolved) == _report(tmp_path, prefilter=False)
    assert reductions == []  # whole: sparse parsing was not asked


def test_what_the_second_pass_parsed_in_part_gives_comes_back_the_same_from_the_cache(tmp_path):
    _write_project(tmp_path, "from app.extensions import cache_manager")
    expected = _report(tmp_path, prefilter=True)
    assert expected[0] and expected[1]
    assert _report(tmp_path, prefilter=True, cache=True) == expected  # cold
    assert _report(tmp_path, prefilter=True, cache=True) == expected  # warm: the pass's outcome
    (tmp_path / "app" / "models.py").write_text("")  # a new file: the pass runs again, from its pack
    assert _report(tmp_path, prefilter=True, cache=True) == expected
    assert _report(tmp_path, prefilter=True, jobs=2) == expected


def test_a_file_parsed_in_part_by_the_second_pass_is_linted_whole_once_an_entity_is_cached(tmp_path, monkeypatch):
    """A fill of a DB entity through an imported client shows only in the second pass:
    CL010 then wants every write, and the file is linted again, whole."""
    _write_project(tmp_path, "from app.extensions import cache_manager\nfrom app.models import Product", {
        "app/models.py": "from django.db import models\n\n\nclass Product(models.Model):\n    price = models.IntegerField()\n",
        "app/catalog.py": textwrap.dedent('''\
            from app.extensions import cache_manager
            from app.models import Product


            def product_detail(product_id):
                key = f"product:{product_id}"
                product = cache_manager.data_cache.get(key)
                if product is None:
                    product = Product.objects.filter(pk=product_id).values("id", "price").first()
                    cache_manager.data_cache.set(key, product, timeout=300)
                return product
        ''') + FILLER})
    with (tmp_path / "app" / "reports.py").open("a") as reports:
        reports.write("\n\ndef set_price(product_id, price):\n    Product.objects.filter(pk=product_id).update(price=price)\n")
    reductions = _second_pass_reductions(monkeypatch)
    findings, unresolved = _report(tmp_path, prefilter=True)
    assert ("reports.py", "CL010") in [(name, code) for name, _, code, _ in findings]
    assert (findings, unresolved) == _report(tmp_path, prefilter=False)
    assert any(kept is not None for _, kept in reductions)


def _kept_for(source: str, declared: sparse.Declared, screen=SCREEN) -> str:
    kept = sparse.reduce(source, screen, declared)
    assert kept is not None
    return kept.text


HOLDING = textwrap.dedent('''\
    from app.utils import CacheManager, make_store

    TIMEOUT = 0
    cache_manager = CacheManager()


    class Holder:
        def __init__(self):
            self.store = make_store()

        def unrelated(self):
            return 1


    class Declared:
        def first(self):
            return 1

        def second(self):
            return 2


    class Plain:
        label = "plain"

        def unrelated(self):
            return 3


    def unrelated():
        return 4
''')


def test_the_second_pass_keeps_what_the_project_model_reads(every_module):
    kept = _kept_for(HOLDING, sparse.Declared(names=frozenset({"Declared"})))
    # module-level statements: a constant, an instance of a class of the project
    assert "TIMEOUT = 0" in kept and "cache_manager = CacheManager()" in kept
    # a class the round declares here, whole
    assert "def first" in kept and "def second" in kept
    # an attribute named like a cache, with its class (the project model types `x.store` by it)
    assert "class Holder:" in kept and "self.store = make_store()" in kept
    assert "class Plain" not in kept and "def unrelated():" not in kept
    assert "def unrelated(self):\n        return 3" not in kept


def test_the_second_pass_keeps_the_uses_of_a_name_the_round_declares_here(every_module):
    source = "from app.utils import make\n\nstore = make()\n\n\ndef read(k):\n    return store.get(k)\n\n\ndef other():\n    return 1\n"
    kept = _kept_for(source, sparse.Declared(names=frozenset({"store"})))
    assert "def read" in kept and "def other" not in kept


def test_the_second_pass_keeps_what_an_attribute_the_project_types_reaches(every_module):
    source = "def read(event, k):\n    return event.cache.get(k)\n\n\ndef other(event):\n    return event.name\n"
    kept = _kept_for(source, sparse.Declared(attributes=frozenset({"cache"})))
    assert "def read" in kept and "def other" not in kept


def test_the_second_pass_reads_relative_imports_from_the_package(every_module):
    source = "from .extensions import cache\n\n\ndef read(k):\n    return cache.get(k)\n\n\ndef other():\n    return 1\n"
    screen = prefilter_for(("app.extensions.cache",))
    kept = _kept_for(source, sparse.Declared(package=("app",)), screen)
    assert "def read" in kept and "def other" not in kept
    assert sparse.reduce(source, screen, sparse.Declared(package=("other",))) is not None
    assert "def read" not in _kept_for(source, sparse.Declared(package=("other",)), screen)


def test_the_second_pass_keeps_a_def_whose_parameter_is_named_as_a_client_another_def_assigns(every_module):
    """The model takes an unannotated `redis_conn` for the client every def of the module
    assigns that name (`get_redis_connection()`, declared), and not if one assigns it
    something else: those defs are kept, and a def with other parameters is not."""
    source = textwrap.dedent('''\
        from app.redis_connection import get_redis_connection


        def run():
            redis_conn = get_redis_connection()
            return cleanup(redis_conn)


        def cleanup(redis_conn, owner=None):
            return redis_conn.get(owner)


        def reset():
            redis_conn = None
            return redis_conn


        def other(conn):
            return conn.get("k")
    ''')
    screen = prefilter_for(("app.redis_connection.get_redis_connection",))
    kept = _kept_for(source, sparse.Declared(), screen)
    assert "def cleanup" in kept and "def reset" in kept and "def other" not in kept
