"""What CONTRIBUTING.md promises, proved on a copy of the repository in a temporary folder:

- a new rule is one module in `cachelint/rules/`, one line in the registry
  (`cachelint/rules/registry.py`) and one fixture; its rule page and the README's row are
  generated or copied from it, its behaviour proof is one test module; and then the tests
  that range over the registry (fixtures, examples, rule pages, behaviour modules) pass
  for it without touching any other rule's file;
- a new client library is one table file in `cachelint/model/libraries/` and its
  registration in that package's `__init__.py`: the model, the prefilter and the
  configuration's `[tool.cachelint.clients]` then know it, and the rules judge its calls.

The copy is linted and tested in a subprocess, so that it imports the copied package and
nothing of this process's registry is patched."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
COPIED = ("cachelint", "fixtures", "rules", "scripts", "tests", "README.md", "pyproject.toml")

RULE_MODULE = '''\
"""CL099 cache-cleared: a test-only rule, the smallest a rule can be."""
from __future__ import annotations

from typing import Iterator

from cachelint.model import Kind, ModuleModel
from cachelint.rules.base import Finding, Rule, RuleContext


class CacheCleared(Rule):
    """
    ## What it does
    Flags a call that empties a whole cache (`cache.clear()`).

    ## Why is this bad?
    Every caller misses at once and the database takes the whole load.

    ## Example
    ```python
    cache.clear()
    ```

    ## Use instead
    ```python
    cache.delete(f"user:{user_id}")
    ```
    """

    code = "CL099"
    name = "cache-cleared"
    summary = "A whole cache emptied at once."
    VALID = [
        """
        from django.core.cache import cache

        def forget(user_id):
            cache.delete(f"user:{user_id}")
        """,
    ]
    INVALID = [
        """
        from django.core.cache import cache

        def reset():
            cache.clear()  # expect: CL099
        """,
    ]

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        for op in model.ops:
            if op.kind is Kind.DELETE and op.spec.key is None:
                yield Finding(op.node, op.statement, "empties the whole cache: every caller misses at once")
'''
RULE_FIXTURE = '''\
from django.core.cache import cache


def reset():
    cache.clear()  # expect: CL099


def forget(user_id):
    cache.delete(f"user:{user_id}")
'''
RULE_BEHAVIOUR = '''\
"""CL099: clearing drops every user's entry; deleting one key drops only that one."""


def test_bad_clear_drops_every_entry():
    cache = {"user:1": "a", "user:2": "b"}
    cache.clear()
    assert "user:2" not in cache


def test_fixed_delete_drops_one_entry():
    cache = {"user:1": "a", "user:2": "b"}
    del cache["user:1"]
    assert cache == {"user:2": "b"}
'''

LIBRARY_TABLE = '''\
"""toycache, a test-only library: `put` stores for `ttl` seconds (none: forever, 0: not at all)."""
from cachelint.model.spec import Arg, ClientKind, Kind, Library, Meaning, Method, TtlSemantics

TOYCACHE = Library(
    name="toycache",
    methods={
        "fetch": Method(Kind.READ, key=Arg(0, "key"), single_value=True),
        "put": Method(Kind.WRITE, key=Arg(0, "key"), value=Arg(1, "value"), ttl=(Arg(2, "ttl"),)),
    },
    semantics=TtlSemantics(omitted=Meaning.FOREVER, none=Meaning.FOREVER, zero=Meaning.NOT_CACHED),
    constructors={"toycache.Cache": ClientKind()},
)
'''
LIBRARY_USER = '''\
import toycache

store = toycache.Cache()


def remember(user_id, profile):
    store.put(f"avatar:{user_id}", profile)
    store.put(f"profile:{user_id}:short", profile, 0)


def profile(user_id, load):
    cached = store.fetch(f"profile:{user_id}")
    if not cached:
        cached = list(load(user_id))
        store.put(f"profile:{user_id}", cached, 300)
    return cached
'''
# A client the configuration declares, in a module that imports nothing of toycache.
LIBRARY_CONFIGURED = '''\
from app.caches import shared


def remember(user_id, profile):
    shared.put(f"profile:{user_id}", profile)
'''


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".cachelint_cache")
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=ignore)
        else:
            shutil.copy2(source, root / name)
    return root


def _register(registry: Path, module: str, symbol: str, listing: str) -> None:
    """What a contributor writes in a registry: the import, and the name at the end of the listing."""
    text = registry.read_text(encoding="utf-8")
    imports = list(re.finditer(r"^from \S+ import .+$", text, re.MULTILINE))
    assert imports, f"{registry}: no import to add to"
    at = imports[-1].end()
    text = f"{text[:at]}\nfrom {module} import {symbol}{text[at:]}"
    listed = re.compile(rf"^({listing}\b[^=\n]*=\s*[\[(])(.*?)(\s*[\])])", re.MULTILINE | re.DOTALL)
    assert listed.search(text), f"{registry}: no `{listing} = [...]` to add to"
    text = listed.sub(lambda m: f"{m[1]}{m[2].rstrip().rstrip(',')}, {symbol},{m[3]}", text, count=1)
    registry.write_text(text, encoding="utf-8")


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=600)


def _lint(root: Path, *args: str) -> list[tuple[str, int, str]]:
    done = _run(root, "-m", "cachelint", "check", "--no-cache", "--output-format", "json", "--exit-zero", *args)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    return sorted((Path(d["filename"]).name, d["location"]["row"], d["code"]) for d in found)


@pytest.fixture
def repo(tmp_path):
    root = _copy(tmp_path)
    imported = _run(root, "-c", "import cachelint; print(cachelint.__file__)").stdout.strip()
    assert Path(imported).is_relative_to(root), f"the copy must be what is imported, not {imported}"
    return root


def test_a_new_rule_is_one_module_its_registration_and_its_fixture(repo):
    (repo / "cachelint" / "rules" / "cache_cleared.py").write_text(RULE_MODULE)
    _register(repo / "cachelint" / "rules" / "registry.py", "cachelint.rules.cache_cleared", "CacheCleared", "ALL_RULES")
    (repo / "fixtures" / "CL099_cache_cleared.py").write_text(RULE_FIXTURE)
    (repo / "tests" / "behaviour" / "test_cl099_cache_cleared.py").write_text(RULE_BEHAVIOUR)
    # The rule's page is generated; the README's row is its code, name and summary.
    assert _run(repo, "scripts/generate_rule_docs.py").returncode == 0
    readme = repo / "README.md"
    rows = re.findall(r"^\| CL[0-9]+ \|.*\|$", readme.read_text(), re.MULTILINE)
    before = [row for row in rows if row < "| CL099"][-1]  # the table is in code order
    readme.write_text(readme.read_text().replace(before, f"{before}\n| CL099 | cache-cleared | A whole cache emptied at once |"))

    assert _lint(repo, "--select", "CL099", "fixtures/CL099_cache_cleared.py") == [("CL099_cache_cleared.py", 5, "CL099")]
    tests = ["tests/test_fixtures.py", "tests/test_rule_examples.py", "tests/test_rule_docs.py",
             "tests/behaviour/test_every_rule_is_run.py"]
    # The new rule's own cases, and every test that checks the registry as a whole.
    chosen = "CL099 or every_rule_has or every_rule_page or registry or readme or up_to_date"
    done = _run(repo, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", chosen, *tests)
    assert done.returncode == 0, done.stdout[-3000:]
    passed = re.search(r"(\d+) passed", done.stdout)
    # its fixture and smoke run, its 2 examples and their presence, the 6 registry-wide tests
    assert passed and int(passed[1]) == 11, done.stdout[-3000:]


def test_a_new_client_library_is_one_table_and_its_registration(repo):
    app = repo / "project" / "app"
    app.mkdir(parents=True)
    (app / "profiles.py").write_text(LIBRARY_USER)
    (app / "views.py").write_text(LIBRARY_CONFIGURED)
    (repo / "project" / "pyproject.toml").write_text(textwrap.dedent('''\
        [tool.cachelint]
        select = ["CL001", "CL002", "CL013"]

        [tool.cachelint.clients]
        "app.caches.shared" = {library = "toycache"}
    '''))
    config = ["--config", str(repo / "project" / "pyproject.toml"), "project"]
    unknown = _run(repo, "-m", "cachelint", "check", "--no-cache", *config)
    assert unknown.returncode == 2 and "unknown library `toycache`" in unknown.stderr
    (repo / "project" / "pyproject.toml").write_text("[tool.cachelint]\nselect = [\"CL001\", \"CL002\", \"CL013\"]\n")
    assert _lint(repo, *config) == []  # before: toycache is nobody's client

    libraries = repo / "cachelint" / "model" / "libraries"
    (libraries / "toycache.py").write_text(LIBRARY_TABLE)
    _register(libraries / "__init__.py", "cachelint.model.libraries.toycache", "TOYCACHE", "LIBRARIES")
    (repo / "project" / "pyproject.toml").write_text(textwrap.dedent('''\
        [tool.cachelint]
        select = ["CL001", "CL002", "CL013"]

        [tool.cachelint.clients]
        "app.caches.shared" = {library = "toycache"}
    '''))
    assert _lint(repo, *config) == [
        ("profiles.py", 7, "CL002"), ("profiles.py", 8, "CL013"), ("profiles.py", 13, "CL001"), ("views.py", 5, "CL002"),
    ]
