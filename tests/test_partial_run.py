"""A run given some files of a project (a hook's) reports the project findings (CL010) a run
of the whole project gives those files: never one it would not give, none it would."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cachelint.cli import main

CATALOG = """\
from django.core.cache import cache

from .models import Product


def product_detail(product_id):
    found = cache.get(f"product:{product_id}")
    if found is not None:
        return found
    found = Product.objects.filter(pk=product_id).values("id", "name", "price").first()
    cache.set(f"product:{product_id}", found, 300)
    return found
"""
BUSTING = """\
from django.core.cache import cache


def forget_product(product_id):
    cache.delete(f"product:{product_id}")
"""
ADMIN = """\
from .busting import forget_product
from .models import Product


def set_price(product_id, price):
    Product.objects.filter(pk=product_id).update(price=price)
    forget_product(product_id)
"""
BUG = """

def set_name(product_id, name):
    Product.objects.filter(pk=product_id).update(name=name)
"""


def write_shop(root: Path) -> None:
    shop = root / "shop"
    shop.mkdir()
    for name, text in {"__init__.py": "", "catalog.py": CATALOG, "busting.py": BUSTING, "admin.py": ADMIN}.items():
        (shop / name).write_text(text)


def project_findings(*paths: str) -> list[tuple[str, int]]:
    result = CliRunner().invoke(main, ["check", "--select", "CL010", "--output-format", "json", *paths])
    assert result.exit_code in (0, 1), result.output
    return [(Path(d["filename"]).name, d["location"]["row"]) for d in json.loads(result.stdout)]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A repository's root (the project), with the shop in it, as the working directory."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write_shop(tmp_path)
    return tmp_path


def test_an_invalidation_in_a_file_not_given_counts(project):
    assert project_findings(".") == []
    assert project_findings("shop/admin.py", "shop/catalog.py") == []


def test_a_write_whose_cached_view_is_in_a_file_not_given_is_reported(project):
    (project / "shop" / "admin.py").write_text(ADMIN + BUG)
    assert project_findings(".") == [("admin.py", 11)]
    assert project_findings("shop/admin.py") == [("admin.py", 11)]
    assert project_findings("shop/busting.py") == []  # the finding is in a file not given


def test_a_warm_partial_run_takes_the_other_files_from_the_cache(project):
    (project / "shop" / "admin.py").write_text(ADMIN + BUG)
    assert project_findings("shop/admin.py") == [("admin.py", 11)]  # fills the cache
    (project / "shop" / "catalog.py").write_text(CATALOG.replace("300", "600"))
    assert project_findings("shop/admin.py") == [("admin.py", 11)]
    (project / "shop" / "admin.py").write_text(ADMIN + BUG.replace("update(name=name)", "update(name=name)\n    forget_product(product_id)"))
    assert project_findings("shop/admin.py") == []


def test_a_folder_that_is_no_project_is_not_linted_whole(project):
    """Without a configuration or a repository, the working directory (a home folder) is
    not a project: a file named in it is linted on its own."""
    (project / ".git").rmdir()
    (project / "shop" / "admin.py").write_text(ADMIN + BUG)
    assert project_findings("shop/admin.py") == []
    (project / "pyproject.toml").write_text("[tool.cachelint]\n")
    assert project_findings("shop/admin.py") == [("admin.py", 11)]


def test_an_excluded_file_named_explicitly_gets_no_project_findings(project):
    (project / "pyproject.toml").write_text('[tool.cachelint]\nextend-exclude = ["shop/admin.py"]\n')
    (project / "shop" / "admin.py").write_text(ADMIN + BUG)
    assert project_findings("shop/admin.py") == []


EXTENSIONS = """\
from flask_caching import Cache

cache = Cache()
"""
VIEWS = """\
from flask import request

from .extensions import cache


@cache.cached(timeout=60)
def search():
    return {"q": request.args.get("q", "")}
"""


def test_a_client_made_in_a_file_not_given_is_known(project):
    """The hook gives views.py alone; its cache is made in extensions.py (CL012)."""
    (project / "shop" / "extensions.py").write_text(EXTENSIONS)
    (project / "shop" / "views.py").write_text(VIEWS)
    result = CliRunner().invoke(main, ["check", "--output-format", "json", "shop/views.py"])
    assert [(Path(d["filename"]).name, d["location"]["row"], d["code"]) for d in json.loads(result.stdout)] == [
        ("views.py", 6, "CL012"),
    ]
