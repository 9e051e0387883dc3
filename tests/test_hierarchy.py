"""What a hook given a partial file list needs, as Ruff does it: each file takes its nearest
configuration (with `extend`), globs with Ruff's semantics, `.gitignore` respected,
`--force-exclude` for files named explicitly."""
from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from cachelint.cli import main
from cachelint.discover import GlobError, Globs, glob_regex

BOTH = 'import redis\nr = redis.Redis()\nr.setnx("k", 1)\nr.keys("a:*")\n'  # CL002 on row 3, CL007 on row 4


def cachelint(*args: str):
    return CliRunner().invoke(main, ["check", "--no-cache", "-j", "1", "--output-format", "json", *args])


def found(result) -> list[tuple[str, str]]:
    """(path relative to the cwd, code) of each finding."""
    assert result.exit_code in (0, 1), result.output
    cwd = Path.cwd()
    return sorted((Path(d["filename"]).relative_to(cwd).as_posix(), d["code"]) for d in json.loads(result.stdout))


def files(root: Path, *names: str, text: str = BOTH) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def configure(folder: Path, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text("[tool.cachelint]\n" + textwrap.dedent(body))


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


# ---------------------------------------------------------------- globs


@pytest.mark.parametrize("pattern, path, matches", [
    ("**/tests/*", "tests/test_a.py", True),  # a top-level tests/ too
    ("**/tests/*", "pkg/tests/test_a.py", True),
    ("**/tests/*", "pkg/mytests/test_a.py", False),
    ("pkg/**", "pkg/a/b.py", True),
    ("pkg/**/b.py", "pkg/b.py", True),
    ("{gen,build}/*.py", "build/x.py", True),
    ("{gen,build}/*.py", "dist/x.py", False),
    ("*.py", "a/b.py", True),  # `*` crosses `/`, as in Ruff
    ("[!a]*.py", "b.py", True),
    ("[!a]*.py", "a.py", False),
    ("file?.py", "file1.py", True),
])
def test_globs_mean_what_they_mean_in_ruff(pattern, path, matches):
    assert bool(re.fullmatch(glob_regex(pattern), path)) is matches
    assert Globs([pattern], Path("/root")).matches(f"/root/{path}") is matches


@pytest.mark.parametrize("pattern", ["[abc", "{a,b", "a**", "**b", "{a,{b,c}}", "trailing\\"])
def test_a_glob_it_cannot_read_is_an_error(pattern):
    with pytest.raises(GlobError):
        glob_regex(pattern)


def test_a_name_pattern_matches_anywhere_and_a_path_pattern_from_the_root():
    globs = Globs(["generated", "pkg/*.py"], Path("/root"))
    assert globs.matches("/root/a/generated") and globs.matches("/root/pkg/a.py")
    assert not globs.matches("/root/other/pkg/a.py")


def test_exclude_with_a_double_star_leaves_out_the_top_level_folder(project):
    files(project, "tests/test_a.py", "pkg/tests/test_b.py", "pkg/app.py")
    configure(project, 'extend-exclude = ["**/tests/*"]\nselect = ["CL002"]\n')
    assert found(cachelint(".")) == [("pkg/app.py", "CL002")]


def test_an_invalid_glob_in_the_configuration_is_an_error(project):
    files(project, "app.py")
    configure(project, 'extend-exclude = ["gen/[ab"]\n')
    result = cachelint(".")
    assert result.exit_code == 2
    assert "`tool.cachelint.extend-exclude`: invalid glob `gen/[ab`: unclosed character class" in result.stderr
    configure(project, 'per-file-ignores = { "{a,b" = ["CL002"] }\n')
    assert "invalid glob `{a,b`" in cachelint(".").stderr


# ---------------------------------------------------------------- .gitignore


def test_gitignored_files_are_left_out_in_a_repository(project):
    (project / ".git").mkdir()
    files(project, "app.py", "generated/x.py", "pkg/skip_me.py", "pkg/keep_me.py", "pkg/sub/local.py")
    (project / ".gitignore").write_text("generated/\n*_me.py\n!keep_me.py\n")
    (project / "pkg" / "sub" / ".gitignore").write_text("local.py\n")
    configure(project, 'select = ["CL002"]\n')
    assert found(cachelint(".")) == [("app.py", "CL002"), ("pkg/keep_me.py", "CL002")]
    assert len(found(cachelint("--no-respect-gitignore", "."))) == 5
    configure(project, 'select = ["CL002"]\nrespect-gitignore = false\n')
    assert len(found(cachelint("."))) == 5


def test_a_gitignore_outside_a_repository_is_not_read(project):
    files(project, "app.py", "generated/x.py")
    (project / ".gitignore").write_text("generated/\n")
    assert ("generated/x.py", "CL002") in found(cachelint("."))


def test_git_info_exclude_is_read(project):
    (project / ".git" / "info").mkdir(parents=True)
    (project / ".git" / "info" / "exclude").write_text("scratch.py\n")
    files(project, "app.py", "scratch.py")
    assert {path for path, _ in found(cachelint("."))} == {"app.py"}


# ---------------------------------------------------------------- --force-exclude


def test_force_exclude_applies_excludes_to_files_named_explicitly(project):
    (project / ".git").mkdir()
    files(project, "app.py", "migrations/m.py", "vendored/v.py", ".venv/lib/x.py")
    (project / ".gitignore").write_text("vendored/\n")
    configure(project, 'extend-exclude = ["migrations"]\nselect = ["CL002"]\n')
    named = ["app.py", "migrations/m.py", "vendored/v.py", ".venv/lib/x.py"]
    assert len(found(cachelint(*named))) == 4  # as Ruff: a file named is linted
    assert found(cachelint("--force-exclude", *named)) == [("app.py", "CL002")]
    configure(project, 'extend-exclude = ["migrations"]\nselect = ["CL002"]\nforce-exclude = true\n')
    assert found(cachelint(*named)) == [("app.py", "CL002")]


# ---------------------------------------------------------------- hierarchical configuration


def test_each_file_takes_its_nearest_configuration(project):
    files(project, "app.py", "shop/cart.py", "shop/deep/er.py")
    configure(project, 'select = ["CL002"]\n')
    configure(project / "shop", 'select = ["CL007"]\n')
    expected = [("app.py", "CL002"), ("shop/cart.py", "CL007"), ("shop/deep/er.py", "CL007")]
    assert found(cachelint(".")) == expected
    # The order of the paths changes nothing; nor does naming the files one by one.
    assert found(cachelint("shop", ".")) == found(cachelint(".", "shop")) == expected
    assert found(cachelint("shop/cart.py", "app.py")) == [expected[0], expected[1]]


def test_a_nested_configuration_s_globs_are_relative_to_its_folder(project):
    files(project, "gen/a.py", "shop/gen/b.py", "shop/tests/test_c.py")
    configure(project, 'select = ["CL002"]\n')
    configure(project / "shop", 'select = ["CL002"]\nextend-exclude = ["gen/*.py"]\nper-file-ignores = { "tests/*" = ["CL002"] }\n')
    assert found(cachelint(".")) == [("gen/a.py", "CL002")]


def test_extend_inherits_and_overrides(project):
    files(project, "app.py", "shop/cart.py", "shop/legacy/cart.py")
    configure(project, """\
        select = ["CL002", "CL007"]
        per-file-ignores = { "shop/legacy/*" = ["CL007"] }
    """)
    configure(project / "shop", 'extend = "../pyproject.toml"\nignore = ["CL002"]\n')
    assert found(cachelint(".")) == [
        ("app.py", "CL002"), ("app.py", "CL007"), ("shop/cart.py", "CL007"),
    ]
    # Without `extend`, a nested configuration starts from the defaults, as in Ruff.
    configure(project / "shop", 'ignore = ["CL002"]\n')
    assert ("shop/legacy/cart.py", "CL007") in found(cachelint("."))


def test_extend_keeps_the_rule_selection_of_the_extended_file_as_a_layer_before(project):
    files(project, "shop/cart.py")
    configure(project, 'ignore = ["CL002"]\n')
    configure(project / "shop", 'extend = "../pyproject.toml"\nextend-select = ["CL002"]\nignore = ["CL007"]\n')
    assert found(cachelint(".")) == [("shop/cart.py", "CL002")]


def test_a_cycle_of_extends_is_an_error(project):
    files(project, "app.py")
    configure(project, 'extend = "shop/pyproject.toml"\n')
    configure(project / "shop", 'extend = "../pyproject.toml"\n')
    result = cachelint(".")
    assert result.exit_code == 2 and "(a cycle)" in result.stderr


def test_a_broken_nested_configuration_is_an_error_naming_it(project):
    files(project, "app.py", "shop/cart.py")
    configure(project / "shop", 'selcet = ["CL002"]\n')
    result = cachelint(".")
    assert result.exit_code == 2
    assert f"{project / 'shop' / 'pyproject.toml'}: `tool.cachelint.selcet`: unknown key" in result.stderr


def test_the_command_line_applies_to_every_configuration(project):
    files(project, "app.py", "shop/cart.py")
    configure(project / "shop", 'select = ["CL002"]\n')
    assert found(cachelint("--select", "CL007", ".")) == [("app.py", "CL007"), ("shop/cart.py", "CL007")]


def test_config_names_the_one_configuration_of_every_file(project, tmp_path):
    files(project, "app.py", "shop/cart.py")
    configure(project / "shop", 'select = ["CL002"]\n')
    (tmp_path / "only.toml").write_text('select = ["CL007"]\n')
    assert found(cachelint("--config", str(tmp_path / "only.toml"), ".")) == [
        ("app.py", "CL007"), ("shop/cart.py", "CL007"),
    ]
