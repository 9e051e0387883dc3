"""The plugin's parts on their own: the entry point, the TTL meanings from the library
tables, the tables a statement reads and writes."""
from __future__ import annotations

import datetime
import importlib
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from cachelint.model.libraries.cachelib import CACHELIB
from cachelint.model.libraries.django import DJANGO
from cachelint.model.libraries.redis import REDIS
from cachelint.model.spec import Meaning
from cachelint.observe import sql, ttl
from tests.observe.conftest import ROOT


def test_the_pytest11_entry_point_names_the_plugin():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    module = importlib.import_module(project["entry-points"]["pytest11"]["cachelint"])
    assert callable(module.pytest_addoption) and callable(module.pytest_configure)


def test_ttl_meanings_come_from_the_tables():
    redis_set, django_set, cachelib_set = REDIS.methods["set"], DJANGO.methods["set"], CACHELIB.methods["set"]
    assert ttl.meaning(REDIS, redis_set, ("k", "v"), {}) == (Meaning.FOREVER, ttl.OMITTED)
    assert ttl.meaning(REDIS, redis_set, ("k", "v"), {"ex": 0}) == (Meaning.ERROR, 0)
    assert ttl.meaning(REDIS, redis_set, ("k", "v"), {"ex": datetime.timedelta(seconds=5)})[0] is Meaning.EXPIRES
    assert ttl.meaning(DJANGO, django_set, ("k", "v", None), {}) == (Meaning.FOREVER, None)
    assert ttl.meaning(DJANGO, django_set, ("k", "v"), {"timeout": -1}) == (Meaning.NOT_CACHED, -1)
    assert ttl.meaning(CACHELIB, cachelib_set, ("k", "v", 0), {}) == (Meaning.FOREVER, 0)


def test_a_ttl_left_to_the_default_means_what_the_configured_default_means():
    django_set, cachelib_set = DJANGO.methods["set"], CACHELIB.methods["set"]
    assert ttl.meaning(DJANGO, django_set, ("k", "v"), {}) == (Meaning.DEFAULT, ttl.OMITTED)
    assert ttl.meaning(DJANGO, django_set, ("k", "v"), {}, default_timeout=None)[0] is Meaning.FOREVER
    assert ttl.meaning(DJANGO, django_set, ("k", "v"), {}, default_timeout=0)[0] is Meaning.NOT_CACHED
    assert ttl.meaning(DJANGO, django_set, ("k", "v"), {}, default_timeout=300)[0] is Meaning.EXPIRES
    # cachelib: None is the default, and a default of 0 never expires.
    assert ttl.meaning(CACHELIB, cachelib_set, ("k", "v", None), {}, default_timeout=0) == (Meaning.FOREVER, None)


def test_tables_of_a_statement():
    assert sql.written_table('UPDATE "products" SET name = ? WHERE id = ?') == "products"
    assert sql.written_table("INSERT OR REPLACE INTO stock VALUES (1, 2)") == "stock"
    assert sql.written_table("DELETE FROM orders WHERE id = 1") == "orders"
    assert sql.written_table("SELECT * FROM products") is None
    assert sql.read_tables('SELECT p.name FROM "products" p JOIN stock s ON s.product_id = p.id') == {"products", "stock"}
    assert sql.read_tables("UPDATE products SET price = 1") == set()
