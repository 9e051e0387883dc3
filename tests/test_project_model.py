"""The project stage: typed per-file facts that round-trip the result cache, a
`ProjectModel` that resolves names across modules, and a package that depends on nothing
above the model (no cycle with the engine)."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from cachelint.config import Settings
from cachelint.engine import lint_paths
from cachelint.project.facts import FileFacts
from cachelint.project.model import ProjectModel

FILES = {
    "shop/__init__.py": "from .ext import cache, Store\n",
    "shop/ext.py": '''
        import redis
        from django.core.cache import cache as django_cache

        cache = redis.Redis()
        store_default = None

        class Store(redis.Redis):
            def forget(self, pk):
                self.delete(f"product:{pk}")

        def make_store():
            return Store()
        ''',
    "shop/catalog.py": '''
        from django.core.cache import cache

        from shop.models import Product

        def product(pk):
            data = Product.objects.filter(pk=pk).values("name").first()
            cache.set(f"product:{pk}", data, 300)
            return data

        def rename(pk, name):
            Product.objects.filter(pk=pk).update(name=name)
        ''',
}


def project_of(tmp_path: Path) -> tuple[ProjectModel, list]:
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    run = lint_paths([tmp_path], Settings(root=tmp_path), prefilter=False)
    facts = [file.facts for file in run.files if file.facts is not None]
    return ProjectModel(facts), facts


def test_facts_round_trip_the_result_cache_as_json(tmp_path):
    _, facts = project_of(tmp_path)
    catalog = next(file for file in facts if file.module == "shop.catalog")
    assert [fill.template for fill in catalog.fills] == ["product:{}"]
    assert [write.kind for write in catalog.writes] == ["update"]
    for file in facts:
        assert FileFacts.from_json(json.loads(json.dumps(file.to_json()))) == file


def test_a_qualified_name_resolves_to_what_it_denotes_in_any_module(tmp_path):
    project, _ = project_of(tmp_path)
    store = project.resolve("shop.Store")  # re-exported by the package
    assert (store.kind, store.name, store.bases) == ("class", "shop.ext.Store", ("redis.Redis",))
    assert project.resolve("shop.Store.forget").name == "shop.ext.Store.forget"
    cache = project.resolve("shop.cache")
    assert (cache.kind, cache.of, cache.path) == ("instance", "redis.Redis", "shop/ext.py")
    assert project.resolve("shop.ext.make_store").kind == "function"
    assert project.resolve("shop.catalog.cache") is None  # Django's, not the project's
    assert project.resolve("shop.nothing") is None


def test_cl010_is_a_project_rule_judging_the_project_model(tmp_path):
    from cachelint.rules.missing_invalidation import MissingInvalidation

    project, _ = project_of(tmp_path)
    [finding] = MissingInvalidation().check(project, None)
    assert (finding.path, finding.start[0]) == ("shop/catalog.py", 12)
    assert "`product:{pk}`" in finding.message


def test_the_project_stage_imports_neither_the_engine_nor_the_rules():
    code = (
        "import sys, cachelint.project.model, cachelint.project.extract, cachelint.project.clients, "
        "cachelint.project.inventory; "
        "print(sorted(m for m in sys.modules if m.startswith(('cachelint.engine', 'cachelint.rules', 'cachelint.config'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_cached_read_of_the_database_catalog_holds_no_entity(tmp_path):
    """The server's own catalogs (`system.functions`, `information_schema.tables`,
    `sqlite_master`) change by DDL only: a memo of one fills no entry of an entity the
    project writes, so it sends no file to be linted again for its writes. A table of the
    project's own (`functions`) still is one."""
    (tmp_path / "specs.py").write_text(textwrap.dedent('''
        from flask_caching import Cache

        cache = Cache()

        @cache.memoize()
        def function_names(database):
            return database.get_df("SELECT name FROM system.functions")["name"].tolist()

        @cache.memoize()
        def table_names(database):
            return database.get_df("SELECT table_name FROM information_schema.tables")

        @cache.memoize()
        def sqlite_tables(conn):
            return conn.execute("SELECT name FROM sqlite_master").fetchall()

        @cache.memoize()
        def user_functions(conn):
            return conn.execute("SELECT name FROM functions").fetchall()
        '''))
    run = lint_paths([tmp_path], Settings(root=tmp_path), prefilter=False)
    (facts,) = [file.facts for file in run.files if file.facts is not None]
    assert [fill.entity_label for fill in facts.fills] == ["functions"]
