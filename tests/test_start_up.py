"""What a call that does no linting imports: not LibCST, the model, the rules or the engine.
(How long calls take is measured by scripts/benchmark.py --start-up, never here.)"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cachelint import cache, cli

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("libcst", "cachelint.model", "cachelint.rules", "cachelint.engine", "cachelint.project")

def imported_after(*args: str) -> list[str]:
    """The heavy modules imported by a call to the command line, in a fresh interpreter."""
    script = (
        "import json, sys\n"
        f"sys.argv = ['cachelint', *{list(args)!r}]\n"
        "from cachelint.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.startswith({HEAVY!r}))), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    return json.loads(result.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["check", "--help"], ["chek"]])
def test_calls_that_lint_nothing_import_nothing_that_lints(args):
    assert imported_after(*args) == []


def test_a_lint_does_import_them():
    """The check above can fail: a real run imports what it needs."""
    assert "libcst" in imported_after("check", "--no-cache", "--select", "CL002", "fixtures/CL002_set_without_ttl.py")


def test_the_cache_folder_named_in_the_help_is_the_cache_s():
    assert cache.DIRECTORY_NAME in cli._CACHE_DIR_HELP


def imported_by(statement: str) -> list[str]:
    """The heavy modules a statement imports, in a fresh interpreter."""
    script = f"import json, sys\n{statement}\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith({HEAVY!r}))))\n"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True,
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    return json.loads(result.stdout)


def test_the_library_tables_come_without_libcst_and_the_model():
    """What the configuration and the pytest observer read: the tables and their vocabulary."""
    imported = imported_by("import cachelint.model.libraries, cachelint.model.spec")
    assert "libcst" not in imported
    assert not [m for m in imported if m.startswith(("cachelint.model.core", "cachelint.model.cache",
                                                     "cachelint.model.app", "cachelint.model.build"))]
    # and a name of the model's public surface still brings its module on first use
    assert "libcst" in imported_by("from cachelint.model import ModuleModel")


def test_the_model_s_names_for_type_checkers_are_the_ones_it_imports_on_first_use():
    import ast

    import cachelint.model as model

    tree = ast.parse(Path(model.__file__).read_text())
    [checking] = [node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"]
    written = {(node.module, alias.name) for node in checking.body if isinstance(node, ast.ImportFrom)
               for alias in node.names}
    assert written == {(module, name) for module, names in model._EXPORTS.items() for name in names}
    for _, name in written:
        assert getattr(model, name) is not None


def test_a_run_the_result_cache_answers_imports_nothing_that_parses(tmp_path):
    """Selection, configuration and the project stage read the rule catalog, not the rules."""
    (tmp_path / "pyproject.toml").write_text('[tool.cachelint]\nselect = ["CL0"]\nignore = ["CL013"]\n')
    (tmp_path / "app.py").write_text("import redis\n\nr = redis.Redis()\nr.set('profile:1', 'x')\n")  # CL002
    args = ["check", "--cache-dir", str(tmp_path / "cache"), str(tmp_path / "app.py")]
    first = imported_after(*args)
    assert "libcst" in first and "cachelint.rules.registry" in first  # linted, and so cached
    again = imported_after(*args)
    assert not [m for m in again if m.startswith(("libcst", "cachelint.rules.registry", "cachelint.model.build",
                                                   "cachelint.parsing"))]
