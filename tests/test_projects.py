"""Several projects in one run (a folder of applications): each file's project root
(cachelint.project.roots), and the passes after the first run project by project, so that
two projects share no client, entity or CL010 pairing, and a warm run after one project
changed does that project's later passes again, and only its."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from cachelint import engine, parallel
from cachelint.config import Settings
from cachelint.engine import lint_paths
from cachelint.project.roots import Roots, by_project
from tests.test_cache_index import _write_a_minute_ago
from tests.test_missing_invalidation import CATALOG, UPDATE, pricing
from tests.test_project_clients import EXTENSIONS, VIEWS


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_a_minute_ago(path, text)
    return root


@pytest.mark.parametrize("marker", ["pyproject.toml", "setup.py", "setup.cfg", "shop-1.0.dist-info/METADATA"])
def test_a_project_root_is_the_nearest_folder_that_marks_one(tmp_path, marker):
    _tree(tmp_path, {f"shop/{marker}": "", "shop/shop/__init__.py": "", "shop/shop/views.py": "",
                     "shop/shop/migrations/versions/0001.py": "", "shop/scripts/cleanup.py": "",
                     "shop/manage.py": ""})
    roots = Roots()
    for name in ("shop/shop/views.py", "shop/shop/migrations/versions/0001.py", "shop/scripts/cleanup.py",
                 "shop/manage.py"):
        assert roots.of(str(tmp_path / name)) == str(tmp_path / "shop")


def test_a_package_is_never_a_project_root_whatever_its_modules_are_called(tmp_path):
    """django-cms's `cms/utils/setup.py` is a module of the package."""
    _tree(tmp_path, {"cms/pyproject.toml": "", "cms/cms/__init__.py": "", "cms/cms/utils/__init__.py": "",
                     "cms/cms/utils/setup.py": "", "cms/cms/utils/page.py": ""})
    assert Roots().of(str(tmp_path / "cms/cms/utils/page.py")) == str(tmp_path / "cms")


def test_without_a_mark_the_root_is_the_folder_the_top_level_package_sits_in(tmp_path):
    _tree(tmp_path, {"apps/blog/__init__.py": "", "apps/blog/views/__init__.py": "", "apps/blog/views/feed.py": "",
                     "apps/run.py": "", "apps/tools/cleanup.py": ""})
    roots = Roots()
    assert roots.of(str(tmp_path / "apps/blog/views/feed.py")) == str(tmp_path / "apps")
    assert roots.of(str(tmp_path / "apps/run.py")) == str(tmp_path / "apps")
    assert roots.of(str(tmp_path / "apps/tools/cleanup.py")) == str(tmp_path / "apps/tools")  # loose scripts


def test_files_are_grouped_by_project_in_the_order_they_came(tmp_path):
    _tree(tmp_path, {"a/setup.py": "", "a/x.py": "", "b/pyproject.toml": "", "b/y.py": "", "a/z.py": ""})
    names = [str(tmp_path / name) for name in ("a/x.py", "b/y.py", "a/z.py")]
    assert by_project(names) == [(str(tmp_path / "a"), [0, 2]), (str(tmp_path / "b"), [1])]


# Two projects side by side: the shop caches products and makes a Flask-Caching client in
# `extensions.py`; the blog writes products (a table of its own) and imports an
# `extensions.cache` it does not have. Merged, the blog's write would be paired with the
# shop's cached products (CL010) and its views linted with the shop's client.
SHOP = {"shop/pyproject.toml": "", "shop/catalog.py": CATALOG, "shop/pricing.py": pricing(),
        "shop/extensions.py": EXTENSIONS, "shop/views.py": VIEWS.format(import_line="from extensions import cache")}
BLOG = {"blog/setup.py": "",
        "blog/pricing.py": f'import sqlite3\n\n\ndef update_price(product_id, price):\n'
                           f'    conn = sqlite3.connect("blog.db")\n    {UPDATE}\n    conn.commit()\n',
        "blog/views.py": VIEWS.format(import_line="from extensions import cache")}


def _findings(*paths: Path, cache_dir: Path | None = None) -> list[tuple[str, int, str]]:
    run = lint_paths(list(paths), Settings(root=paths[0], select=("ALL",)), cache_dir=cache_dir)
    assert not run.internal_errors
    return sorted((Path(d.filename).parent.name + "/" + Path(d.filename).name, d.location.row, d.code)
                  for d in run.diagnostics)


@pytest.fixture
def linted_again(monkeypatch) -> list[str]:
    """The files linted after the first pass (by a pass that declares what others make,
    or for the entities): `folder/name` of each, in this process."""
    names: list[str] = []
    lint = engine._lint

    def counted(tasks, results, settings, prefilter, workers, cache):
        if all(result is not None for result in results):  # the first pass fills them
            names.extend(f"{Path(task.filename).parent.name}/{Path(task.filename).name}" for task in tasks)
        return lint(tasks, results, settings, prefilter, workers, cache)

    monkeypatch.setattr(engine, "_lint", counted)
    return names


def test_two_projects_in_one_run_share_no_client_entity_or_pairing(tmp_path, monkeypatch, linted_again):
    monkeypatch.chdir(tmp_path)
    _tree(tmp_path, {**SHOP, **BLOG})
    together = _findings(tmp_path)
    assert ("shop/pricing.py", 10, "CL010") in together and ("shop/views.py", 6, "CL012") in together
    assert [finding for finding in together if finding[0].startswith("blog/")] == []
    # Nothing of the blog is linted again for the shop's client or its cached entity.
    assert linted_again and all(name.startswith("shop/") for name in linted_again)
    alone = _findings(tmp_path / "shop") + _findings(tmp_path / "blog")
    assert together == sorted(alone)


def test_a_warm_run_after_one_project_changed_does_the_later_passes_of_that_project_only(tmp_path, monkeypatch,
                                                                                        linted_again):
    monkeypatch.chdir(tmp_path)
    _tree(tmp_path, {**SHOP, **{name.replace("shop/", "forum/"): text for name, text in SHOP.items()}})
    rounds: list[str] = []  # the project of each run of the second pass's rounds
    stages: list[str] = []  # the project of each project stage not taken from the cache
    client_rounds, project_findings = engine._client_rounds, engine._project_findings

    def project_of(results) -> str:
        return {Path(result.filename).parent.name for result in results}.pop()

    def counted_rounds(results, *args):
        rounds.append(project_of(results))
        return client_rounds(results, *args)

    def counted_stage(files, *args):
        stages.append(project_of(files))
        return project_findings(files, *args)

    monkeypatch.setattr(engine, "_client_rounds", counted_rounds)
    monkeypatch.setattr(engine, "_project_findings", counted_stage)

    def run() -> list[tuple[str, int, str]]:
        rounds.clear()
        stages.clear()
        linted_again.clear()
        return _findings(tmp_path, cache_dir=tmp_path / ".cache")

    cold = run()
    assert sorted(rounds) == sorted(stages) == ["forum", "shop"]
    assert {name.split("/")[0] for name in linted_again} == {"forum", "shop"}
    assert run() == cold and rounds == stages == linted_again == []
    # The forum's pricing now busts the key: its CL010 goes, the shop's stays.
    _write_a_minute_ago(tmp_path / "forum/pricing.py", pricing('r.delete(f"product:{product_id}")'))
    edited = run()
    assert ("forum/pricing.py", 10, "CL010") not in edited and ("shop/pricing.py", 10, "CL010") in edited
    assert rounds == stages == ["forum"]
    assert linted_again and all(name.startswith("forum/") for name in linted_again)
    assert edited == _findings(tmp_path)  # as without the cache
    assert run() == edited and rounds == stages == linted_again == []


def test_one_project_keeps_its_outcomes_under_its_root(tmp_path, monkeypatch):
    """A run over one project, given as its folder or as some of its files, is that one
    project: its outcomes are named after its root."""
    monkeypatch.chdir(tmp_path)
    _tree(tmp_path, SHOP)
    kept: list[str] = []
    keep_outcome = engine.ResultCache.keep_outcome

    def counted(self, name, *args):
        kept.append(name)
        return keep_outcome(self, name, *args)

    monkeypatch.setattr(engine.ResultCache, "keep_outcome", counted)
    _findings(tmp_path / "shop", cache_dir=tmp_path / ".cache")
    root = os.path.abspath(tmp_path / "shop")
    assert sorted(kept) == [f"imported clients of {root}", f"project of {root}"]



def test_the_later_passes_of_two_projects_run_side_by_side_with_the_findings_of_one_process(tmp_path, monkeypatch):
    """While the workers run, each project's passes after the first run in a thread of
    their own: here each project's waits for the other's to start, which only passes
    side by side; the findings are those of a run in one process."""
    monkeypatch.chdir(tmp_path)
    _tree(tmp_path, {**SHOP, **{name.replace("shop/", "forum/"): text for name, text in SHOP.items()}, **BLOG})
    alone = _findings(tmp_path)
    monkeypatch.setattr(parallel, "MIN_ITEMS_FOR_WORKERS", 2)  # workers for this handful of files
    later_passes = engine._later_passes
    barrier = threading.Barrier(2, timeout=10)
    met: list[str] = []

    def meeting(root, *args):
        if Path(root).name in ("shop", "forum"):
            barrier.wait()
            met.append(Path(root).name)
        return later_passes(root, *args)

    monkeypatch.setattr(engine, "_later_passes", meeting)
    run = lint_paths([tmp_path], Settings(root=tmp_path, select=("ALL",)), jobs=2)
    assert not run.internal_errors and sorted(met) == ["forum", "shop"]
    assert sorted((Path(d.filename).parent.name + "/" + Path(d.filename).name, d.location.row, d.code)
                  for d in run.diagnostics) == alone
