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
