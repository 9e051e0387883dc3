"""The pre-commit hook, installed by pre-commit itself from this repository, fails on a finding."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

BAD = """\
import redis

r = redis.Redis()


def sync_once(user_id):
    r.setnx(f"lock:sync:{user_id}", 1)
"""


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_hook_fails_on_a_finding(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "bad.py").write_text(BAD)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    subprocess.run(["git", "init", "-q"], cwd=project, check=True, env=env)
    subprocess.run(["git", "add", "bad.py"], cwd=project, check=True, env=env)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "cachelint", "--files", "bad.py", "--verbose"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "cachelint" in output and "Failed" in output, output
    assert "bad.py:7:5: CL002" in output, output


def _git(project: Path, env: dict, *args: str) -> None:
    subprocess.run(["git", *args], cwd=project, check=True, env=env, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_the_hook_judges_a_commit_as_the_whole_project(tmp_path):
    """pre-commit gives the hook only the files of the commit: a write whose invalidation
    lives in a file the commit does not touch passes; a write that misses one is blocked."""
    from tests.test_partial_run import ADMIN, BUG, CATALOG, write_shop

    project = tmp_path / "project"
    project.mkdir()
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    _git(project, env, "init", "-q")
    write_shop(project)
    _git(project, env, "add", ".")
    _git(project, env, "commit", "-q", "-m", "shop")

    def hook() -> subprocess.CompletedProcess:
        _git(project, env, "add", ".")
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "cachelint", "--verbose"],
            cwd=project, env=env, capture_output=True, text=True, timeout=600,
        )

    # The commit touches the write and the cached read; the invalidation is in busting.py.
    (project / "shop" / "catalog.py").write_text(CATALOG.replace("300", "600"))
    (project / "shop" / "admin.py").write_text(ADMIN.replace("price)\n", "price)  # in cents\n", 1))
    passed = hook()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    _git(project, env, "commit", "-q", "-m", "prices in cents")

    (project / "shop" / "admin.py").write_text(ADMIN + BUG)
    blocked = hook()
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode == 1, output
    assert "shop/admin.py:11:5: CL010" in output, output
