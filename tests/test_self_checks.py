"""The checks the codebase keeps on itself (CONTRIBUTING.md, "Self-checks"), run by .ci/run
before the tests and here too, so that a change that breaks one fails the suite every
contributor runs before landing.

- The import contract (`[tool.importlinter]` in pyproject.toml): the layers, the runtime
  apart from the linter, no cycles.
- mypy (`[tool.mypy]`) over `cachelint/`.
- ruff (`[tool.ruff]`) over `cachelint/`, `tests/` and `scripts/`."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *command], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_import_contract():
    done = _run("-c", "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))")
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_types():
    done = _run("-m", "mypy", "--no-incremental")
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]


def test_lint():
    done = _run("-m", "ruff", "check", "--no-cache", "cachelint", "tests", "scripts")
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
