"""The command line, spelled as Ruff spells it, and its exit codes."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from cachelint import __version__
from cachelint.cli import main
from cachelint.report import FORMATS
from tests import fakes
from tests.fakes import REDIS

BOTH = f'{REDIS}r.set("k", 1)\nr.keys("a:*")\n'  # CL002 on row 3, CL007 on row 4


@pytest.fixture(autouse=True)
def catalog(monkeypatch):
    fakes.install(monkeypatch)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """tmp_path/project/app.py with both findings; the cwd is the project folder."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "app.py").write_text(BOTH)
    monkeypatch.chdir(root)
    return root


def configure(folder: Path, body: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text("[tool.cachelint]\n" + textwrap.dedent(body))
    return path


def cachelint(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def reported(result) -> list[tuple[str, int, str]]:
    """(file name, row, code or name) of each diagnostic in JSON output."""
    return [(Path(d["filename"]).name, d["location"]["row"], d["code"] or d["name"]) for d in json.loads(result.stdout)]


def check(*args: str, input: bytes | None = None):
    result = cachelint("--output-format", "json", *args, input=input)
    return result, reported(result) if result.stdout else None


# ---------------------------------------------------------------- commands and exit codes


def test_check_is_the_default_command(project):
    assert cachelint("check", "app.py").stdout == cachelint("app.py").stdout
    assert cachelint("check", "--output-format", "json").stdout == cachelint("--output-format", "json").stdout


def test_paths_default_to_the_current_folder(project):
    result, found = check()
    assert found == [("app.py", 3, "CL002"), ("app.py", 4, "CL007")]
    assert result.exit_code == 1


def test_a_clean_run_exits_0(project):
    (project / "app.py").write_text("import redis\n")
    result, found = check("app.py")
    assert (result.exit_code, found) == (0, [])


def test_exit_zero_exits_0_with_findings(project):
    assert cachelint("--exit-zero", "app.py").exit_code == 0


def test_version():
    result = cachelint("--version")
    assert (result.exit_code, result.stdout) == (0, f"cachelint {__version__}\n")


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help(flag):
    result = cachelint(flag)
    assert result.exit_code == 0
    assert "check" in result.stdout and "rule" in result.stdout


def test_check_help_lists_the_ruff_flags():
    result = cachelint("check", "--help")
    for flag in ("--select", "--ignore", "--extend-select", "--fix", "--unsafe-fixes", "--diff", "--output-format",
                 "--statistics", "--exit-zero", "--stdin-filename", "--config"):
        assert flag in result.stdout


def test_no_cache_is_accepted(project):
    assert cachelint("--no-cache", "app.py").exit_code == 1


def test_an_unknown_flag_is_a_usage_error(project):
    result = cachelint("--sellect", "CL002")
    assert result.exit_code == 2
    assert "--sellect" in result.stderr


@pytest.mark.parametrize("output_format", FORMATS)
def test_every_output_format_reports_the_findings(project, output_format):
    result = cachelint("--output-format", output_format, "app.py")
    assert result.exit_code == 1
    assert "CL002" in result.stdout and "CL007" in result.stdout


def test_json_output_has_ruffs_fields(project):
    result = cachelint("--output-format", "json", "app.py")
    first = json.loads(result.stdout)[0]
    assert {"code", "name", "message", "filename", "location", "end_location", "fix", "url", "severity"} <= set(first)
    assert first["location"] == {"row": 3, "column": 1}


# ---------------------------------------------------------------- rule selection


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--select", "CL007"], ["CL007"]),
        (["--select", "keys-pattern-scan"], ["CL007"]),
        (["--select", "CL002,CL007"], ["CL002", "CL007"]),
        (["--select", "CL002", "--select", "CL007"], ["CL002", "CL007"]),
        (["--select", " CL002 , CL007 "], ["CL002", "CL007"]),
        (["--select", "ALL", "--ignore", "CL00"], []),
        (["--ignore", "set-without-ttl"], ["CL007"]),
        (["--select", "CL002", "--extend-select", "CL007"], ["CL002", "CL007"]),
        (["--select", "CL002", "--ignore", "CL002"], []),
    ],
)
def test_selectors_on_the_command_line(project, args, expected):
    _, found = check(*args, "app.py")
    assert [code for _, _, code in found] == expected


@pytest.mark.parametrize("selector", ["CL999", "C", "no-such-rule"])
def test_an_unknown_selector_is_a_usage_error(project, selector):
    result = cachelint("--select", f"CL002,{selector}", "app.py")
    assert result.exit_code == 2
    assert f"unknown rule selector `{selector}`" in result.stderr


def test_select_on_the_command_line_replaces_the_configuration(project):
    configure(project, 'select = ["CL002"]\nextend-select = ["CL013"]\nignore = ["CL007"]\n')
    assert [c for *_, c in check("app.py")[1]] == ["CL002"]
    assert [c for *_, c in check("--select", "CL007", "app.py")[1]] == ["CL007"]


def test_ignore_and_extend_select_on_the_command_line_build_on_the_configuration(project):
    configure(project, 'select = ["CL00"]\nignore = ["CL007"]\n')
    assert [c for *_, c in check("--extend-select", "CL007", "app.py")[1]] == ["CL002", "CL007"]
    assert check("--ignore", "CL002", "app.py")[1] == []


# ---------------------------------------------------------------- configuration


def test_the_configuration_is_found_from_the_first_path(project, tmp_path, monkeypatch):
    configure(project, 'select = ["CL007"]\n')
    (project / "sub").mkdir()
    (project / "sub" / "mod.py").write_text(BOTH)
    monkeypatch.chdir(tmp_path)  # above the project: no configuration here
    assert check("project/sub/mod.py")[1] == [("mod.py", 4, "CL007")]
    assert check("project")[1] == [("app.py", 4, "CL007"), ("mod.py", 4, "CL007")]


def test_without_paths_the_configuration_is_found_from_the_cwd(project):
    configure(project, 'select = ["CL007"]\n')
    (project / "sub").mkdir()
    (project / "sub" / "mod.py").write_text(BOTH)
    assert check()[1] == [("app.py", 4, "CL007"), ("mod.py", 4, "CL007")]


def test_config_names_the_file_to_use(project, tmp_path):
    configure(project, 'select = ["CL007"]\n')
    other = tmp_path / "other.toml"
    other.write_text('select = ["CL002"]\n')
    assert check("--config", str(other), "app.py")[1] == [("app.py", 3, "CL002")]


def test_a_configuration_error_exits_2_naming_the_key_and_the_file(project):
    config = configure(project, 'select = ["CL002"]\nextend-exclud = ["x"]\n')
    result = cachelint("app.py")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert str(config) in result.stderr
    assert "`tool.cachelint.extend-exclud`: unknown key" in result.stderr


def test_an_unknown_rule_in_the_configuration_exits_2(project):
    configure(project, 'ignore = ["CL999"]\n')
    result = cachelint("app.py")
    assert result.exit_code == 2
    assert "`tool.cachelint.ignore`: unknown rule selector `CL999`" in result.stderr


def test_a_missing_config_file_exits_2(project):
    result = cachelint("--config", "nope.toml", "app.py")
    assert result.exit_code == 2
    assert "nope.toml: cannot read" in result.stderr


def test_per_file_ignores_are_relative_to_the_configuration(project, tmp_path, monkeypatch):
    configure(project, 'per-file-ignores = { "tests/*" = ["CL002"] }\n')
    (project / "tests").mkdir()
    (project / "tests" / "test_app.py").write_text(BOTH)
    monkeypatch.chdir(tmp_path)
    found = check("project")[1]
    assert found == [("app.py", 3, "CL002"), ("app.py", 4, "CL007"), ("test_app.py", 4, "CL007")]


def test_excludes_are_relative_to_the_configuration_but_named_files_are_linted(project, tmp_path, monkeypatch):
    configure(project, 'extend-exclude = ["generated/*"]\n')
    (project / "generated").mkdir()
    (project / "generated" / "gen.py").write_text(BOTH)
    monkeypatch.chdir(tmp_path)
    assert {name for name, *_ in check("project")[1]} == {"app.py"}
    assert {name for name, *_ in check("project/generated/gen.py")[1]} == {"gen.py"}


def test_exclude_replaces_the_default_excludes(project):
    (project / "build").mkdir()
    (project / "build" / "out.py").write_text(BOTH)
    assert {name for name, *_ in check()[1]} == {"app.py"}
    configure(project, "exclude = []\n")
    assert {name for name, *_ in check()[1]} == {"app.py", "out.py"}


def test_custom_clients_from_the_configuration_are_used(project):
    configure(project, '[tool.cachelint.clients]\n"myapp.store.kv" = { library = "redis" }\n')
    (project / "app.py").write_text("from myapp.store import kv\nkv.set('k', 1)\n")
    assert check("app.py")[1] == [("app.py", 2, "CL002")]


# ---------------------------------------------------------------- standard input


def test_dash_reads_standard_input_under_the_stdin_filename(project):
    result, found = check("-", "--stdin-filename", "src/view.py", input=BOTH.encode())
    assert found == [("view.py", 3, "CL002"), ("view.py", 4, "CL007")]
    assert json.loads(result.stdout)[0]["filename"] == str(project / "src" / "view.py")


def test_dash_without_a_filename_reports_dash(project):
    result, _ = check("-", input=BOTH.encode())
    assert {d["filename"] for d in json.loads(result.stdout)} == {"-"}


def test_stdin_filename_alone_reads_standard_input(project):
    assert check("--stdin-filename", "x.py", input=BOTH.encode())[1] == [("x.py", 3, "CL002"), ("x.py", 4, "CL007")]


def test_stdin_filename_wins_over_paths_with_a_warning(project):
    result, found = check("app.py", "--stdin-filename", "x.py", input=b"import redis\n")
    assert found == []
    assert "warning: ignoring app.py in favour of standard input" in result.stderr


def test_dash_with_other_paths_is_a_usage_error(project):
    result = cachelint("-", "app.py", input=BOTH.encode())
    assert result.exit_code == 2
    assert "cannot be combined" in result.stderr


def test_standard_input_uses_the_configuration_and_ignores_of_its_filename(project, tmp_path, monkeypatch):
    configure(project, 'select = ["CL002", "CL007"]\nper-file-ignores = { "tests/*" = ["CL002"] }\n')
    monkeypatch.chdir(tmp_path)
    result, found = check("-", "--stdin-filename", "project/tests/test_x.py", input=BOTH.encode())
    assert found == [("test_x.py", 4, "CL007")]


def test_standard_input_with_a_syntax_error(project):
    result, found = check("-", "--stdin-filename", "x.py", input=f"{REDIS}r.set(\n".encode())
    assert (result.exit_code, found) == (1, [("x.py", 3, "invalid-syntax")])


# ---------------------------------------------------------------- statistics


def test_statistics_count_per_rule_and_mark_applicable_fixes(project):
    (project / "more.py").write_text(BOTH)
    result = cachelint("--statistics", ".")
    assert result.exit_code == 1
    assert result.stdout == "2\tCL002\tset-without-ttl\n2\tCL007\t[*] keys-pattern-scan\n"
    result = cachelint("--statistics", "--unsafe-fixes", ".")
    assert result.stdout == "2\tCL002\t[*] set-without-ttl\n2\tCL007\t[*] keys-pattern-scan\n"


def test_statistics_as_json(project):
    result = cachelint("--statistics", "--output-format", "json", "app.py")
    assert json.loads(result.stdout) == [
        {"code": "CL002", "name": "set-without-ttl", "count": 1, "fixable": False},
        {"code": "CL007", "name": "keys-pattern-scan", "count": 1, "fixable": True},
    ]


# ---------------------------------------------------------------- bad input and internal errors


def test_a_missing_path_is_reported_and_the_others_still_checked(project):
    result, found = check("missing.py", "app.py")
    assert found == [("app.py", 3, "CL002"), ("app.py", 4, "CL007"), ("missing.py", 1, "io-error")]
    assert result.exit_code == 1


def test_a_crashing_rule_exits_2_and_everything_else_is_reported(project, monkeypatch):
    def boom(self, model, context):
        raise KeyError("boom")

    monkeypatch.setattr(fakes.SetWithoutTtl, "check", boom)
    (project / "other.py").write_text(BOTH)
    (project / "broken.py").write_text(f"{REDIS}r.set(\n")
    result, found = check(".")
    assert result.exit_code == 2
    assert found == [("app.py", 4, "CL007"), ("broken.py", 3, "invalid-syntax"), ("other.py", 4, "CL007")]
    assert "error: internal error in rule CL002 (set-without-ttl) on app.py: KeyError: 'boom'" in result.stderr
    assert "on other.py" in result.stderr
    assert cachelint("--exit-zero", ".").exit_code == 2


# ---------------------------------------------------------------- cachelint rule


@pytest.mark.parametrize("name", ["CL002", "cl002", "set-without-ttl"])
def test_rule_explains_a_rule_by_code_or_name(name):
    result = cachelint("rule", name)
    assert result.exit_code == 0
    assert result.stdout.startswith("# set-without-ttl (CL002)\n\n")
    assert "A write whose entry never expires" in result.stdout


def test_rule_all_explains_every_rule():
    result = cachelint("rule", "--all")
    assert [line for line in result.stdout.splitlines() if line.startswith("# ")] == [
        "# truthy-miss-check (CL001)", "# set-without-ttl (CL002)", "# keys-pattern-scan (CL007)", "# zero-ttl (CL013)",
    ]


def test_rule_as_json():
    payload = json.loads(cachelint("rule", "CL007", "--output-format", "json").stdout)
    assert payload["code"] == "CL007" and payload["name"] == "keys-pattern-scan" and payload["fix"] == "always"
    assert len(json.loads(cachelint("rule", "--all", "--output-format", "json").stdout)) == 4


@pytest.mark.parametrize("args", [["CL999"], [], ["CL002", "--all"]])
def test_rule_usage_errors_exit_2(args):
    assert cachelint("rule", *args).exit_code == 2


def test_a_crash_outside_the_rules_exits_2_not_1(project, monkeypatch):
    def broken(*args):
        raise RuntimeError("reporter bug")

    monkeypatch.setattr("cachelint.cli.render", broken)
    result = cachelint("app.py")
    assert result.exit_code == 2
    assert "error: internal error:" in result.stderr and "RuntimeError: reporter bug" in result.stderr


def test_a_notebook_named_is_said_not_checked_never_clean(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "analysis.ipynb").write_text('{"cells": [{"cell_type": "code", "source": ["import redis"]}]}')
    (tmp_path / "app.py").write_text('import redis\nr = redis.Redis()\ndef f(u):\n    r.set("k", u)\n')
    alone = CliRunner().invoke(main, ["--no-cache", "analysis.ipynb"])
    assert alone.exit_code == 0
    assert "analysis.ipynb: not checked: cachelint does not read Jupyter notebooks" in alone.stderr
    assert "All checks passed" not in alone.output
    both = CliRunner().invoke(main, ["--no-cache", "--output-format", "concise", "analysis.ipynb", "app.py"])
    assert both.exit_code == 1 and "app.py:4:5: CL002" in both.stdout
