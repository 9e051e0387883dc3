"""What a Ruff user reaches for: -o, -q, --color and NO_COLOR/FORCE_COLOR, --show-files,
--show-settings, progress on a terminal, Ctrl-C, a mistyped command."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cachelint import cli
from cachelint.cli import main

REPO = Path(__file__).resolve().parent.parent
BOTH = 'import redis\nr = redis.Redis()\nr.setnx("k", 1)\nr.keys("a:*")\n'  # CL002 on row 3, CL007 on row 4


def cachelint(*args: str, **kwargs):
    return CliRunner().invoke(main, list(args), **kwargs)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The cwd, with app.py (two findings), and no colour settings in the environment."""
    monkeypatch.chdir(tmp_path)
    for variable in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(variable, raising=False)
    (tmp_path / "app.py").write_text(BOTH)
    return tmp_path


def test_output_file(project):
    result = cachelint("check", "--no-cache", "--output-format", "json", "-o", "reports/cachelint.json", ".")
    assert result.exit_code == 1 and result.stdout == ""
    assert [d["code"] for d in json.loads((project / "reports" / "cachelint.json").read_text())] == ["CL002", "CL007"]


def test_output_file_that_cannot_be_written_is_an_error(project):
    (project / "taken").write_text("")
    result = cachelint("check", "--no-cache", "-o", "taken/report.txt", ".")
    assert result.exit_code == 2 and "cannot write the report" in result.stderr


def test_quiet_prints_the_findings_and_nothing_else(project):
    loud = cachelint("check", "--no-cache", "--output-format", "concise", ".")
    quiet = cachelint("check", "--no-cache", "--output-format", "concise", "-q", ".")
    assert "Found 2 errors." in loud.stdout and "Found" not in quiet.stdout
    assert quiet.stdout.splitlines() == loud.stdout.splitlines()[:2]
    (project / "app.py").write_text("x = 1\n")
    assert cachelint("check", "--no-cache", "-q", ".").stdout == ""


@pytest.mark.parametrize("args, env, terminal, colored", [
    (["--color", "always"], {}, False, True),
    (["--color", "never"], {"FORCE_COLOR": "1"}, True, False),
    ([], {}, True, True),
    ([], {"NO_COLOR": "1"}, True, False),
    ([], {"NO_COLOR": ""}, True, True),  # set but empty: as if unset (no-color.org)
    ([], {"FORCE_COLOR": "1"}, False, True),
    ([], {}, False, False),
])
def test_colour(project, monkeypatch, args, env, terminal, colored):
    monkeypatch.setattr(cli, "_on_terminal", lambda stream: terminal)
    result = cachelint("check", "--no-cache", *args, ".", env=env)
    assert ("\x1b[" in result.stdout) is colored


def test_no_colour_in_an_output_file_unless_forced(project, monkeypatch):
    monkeypatch.setattr(cli, "_on_terminal", lambda stream: True)
    cachelint("check", "--no-cache", "-o", "out.txt", ".")
    assert "\x1b[" not in (project / "out.txt").read_text()


def test_show_files(project):
    (project / "build").mkdir()
    (project / "build" / "gen.py").write_text(BOTH)
    (project / "pkg").mkdir()
    (project / "pkg" / "a.py").write_text("")
    result = cachelint("check", "--show-files", ".")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [str(project / "app.py"), str(project / "pkg" / "a.py")]


def test_show_settings_of_a_file_under_a_nested_configuration(project):
    (project / "pyproject.toml").write_text('[tool.cachelint]\nselect = ["CL002"]\n')
    (project / "shop").mkdir()
    (project / "shop" / "pyproject.toml").write_text('[tool.cachelint]\nextend = "../pyproject.toml"\nextend-select = ["CL007"]\n')
    (project / "shop" / "cart.py").write_text(BOTH)
    result = cachelint("check", "--show-settings", "shop/cart.py")
    assert result.exit_code == 0, result.output
    shown = dict(line.split(" = ", 1) for line in result.stdout.splitlines())
    assert json.loads(shown["configuration"]) == str(project / "shop" / "pyproject.toml")
    assert json.loads(shown["enabled"]) == ["CL002", "CL007"]
    assert json.loads(shown["file"]) == str(project / "shop" / "cart.py")


def test_a_mistyped_command_is_a_usage_error(project):
    result = cachelint("chek", ".")
    assert result.exit_code == 2 and "did you mean `check`?" in result.stderr and result.stdout == ""
    # A path that is missing is still reported as a path.
    missing = cachelint("--output-format", "json", "--no-cache", "gone.py")
    assert missing.exit_code == 1 and json.loads(missing.stdout)[0]["name"] == "io-error"
    # A folder whose name is a word is linted as ever.
    (project / "shop").mkdir()
    (project / "shop" / "cart.py").write_text(BOTH)
    assert cachelint("--no-cache", "shop").exit_code == 1


INTERRUPTED = """\
import os, signal, sys, time
from cachelint import cli, engine

# A process started in the background by a non-interactive shell (as a CI script may run
# the suite) inherits SIGINT ignored; a terminal's Ctrl-C reaches Python's own handler.
signal.signal(signal.SIGINT, signal.default_int_handler)

def interrupted(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(10)

engine.lint_paths = interrupted
sys.argv = ["cachelint", "check", "--no-cache", "."]
cli.main()
"""


def test_ctrl_c_exits_130_with_no_report(project):
    result = subprocess.run(
        [sys.executable, "-c", INTERRUPTED], cwd=project, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert (result.returncode, result.stdout) == (130, "")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_progress_on_a_terminal_is_shown_then_cleared(capfd, monkeypatch):
    monkeypatch.setattr(cli, "PROGRESS_AFTER_SECONDS", 0.05)
    with cli._progress(shown=True):
        time.sleep(0.8)
    err = capfd.readouterr().err
    assert "cachelint: checking… " in err and err.endswith("\r\x1b[K")
    with cli._progress(shown=False):
        time.sleep(0.2)
    assert capfd.readouterr().err == ""


def test_a_quick_run_shows_no_progress(capfd):
    with cli._progress(shown=True):
        pass
    assert capfd.readouterr().err == ""


def test_new_output_formats_through_the_command_line(project):
    junit = cachelint("check", "--no-cache", "--output-format", "junit", ".")
    assert junit.exit_code == 1 and junit.stdout.count("<testcase ") == 2
    gitlab = cachelint("check", "--no-cache", "--output-format", "gitlab", ".")
    assert [issue["location"]["path"] for issue in json.loads(gitlab.stdout)] == ["app.py", "app.py"]


def test_help_lists_the_conventions():
    text = cachelint("check", "--help").stdout
    for option in ("--output-file", "--quiet", "--color", "--show-files", "--show-settings", "--force-exclude",
                   "--respect-gitignore", "--baseline", "--write-baseline"):
        assert option in text, option


def test_docs_url_in_the_configuration(project):
    (project / "pyproject.toml").write_text('[tool.cachelint]\ndocs-url = "https://wiki.example.com/{code}"\n')
    result = cachelint("check", "--no-cache", "--output-format", "json", ".")
    assert [d["url"] for d in json.loads(result.stdout)] == ["https://wiki.example.com/CL002", "https://wiki.example.com/CL007"]
    (project / "pyproject.toml").write_text('[tool.cachelint]\ndocs-url = "https://wiki.example.com/{rule}"\n')
    result = cachelint("check", "--no-cache", ".")
    assert result.exit_code == 2 and "`tool.cachelint.docs-url`: unknown placeholder `{rule}`" in result.stderr
