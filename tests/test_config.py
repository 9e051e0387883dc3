"""`[tool.cachelint]`: discovery, every key, and errors that name the key and the file."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cachelint.config import ConfigError, Settings, find_config, load_settings
from cachelint.model.core.modules import relative_spellings
from cachelint.model.spec import Arg, Kind, Meaning
from tests import fakes


@pytest.fixture(autouse=True)
def catalog(monkeypatch):
    fakes.install(monkeypatch)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def settings_from(tmp_path: Path, body: str) -> Settings:
    return load_settings(write(tmp_path / "pyproject.toml", "[tool.cachelint]\n" + textwrap.dedent(body)))


def config_error(tmp_path: Path, body: str) -> str:
    with pytest.raises(ConfigError) as caught:
        settings_from(tmp_path, body)
    message = str(caught.value)
    assert str(tmp_path / "pyproject.toml") in message
    return message


# ---------------------------------------------------------------- finding the file


def test_the_nearest_pyproject_with_a_cachelint_section_is_found(tmp_path):
    outer = write(tmp_path / "pyproject.toml", "[tool.cachelint]\n")
    write(tmp_path / "app" / "pyproject.toml", "[project]\nname = 'app'\n")  # no section: skipped
    (tmp_path / "app" / "pkg").mkdir()
    assert find_config(tmp_path / "app" / "pkg") == outer
    assert find_config(tmp_path / "app" / "pkg" / "module.py") == outer  # a file need not exist
    inner = write(tmp_path / "app" / "pyproject.toml", "[tool.cachelint]\nselect = ['CL002']\n")
    assert find_config(tmp_path / "app" / "pkg") == inner
    assert find_config(tmp_path / "app") == inner


def test_a_dotted_section_counts(tmp_path):
    config = write(tmp_path / "pyproject.toml", "tool.cachelint.select = ['CL002']\n")
    assert find_config(tmp_path) == config
    assert load_settings(config).select == ("CL002",)


def test_no_configuration_gives_the_defaults(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.ruff]\n")
    assert find_config(tmp_path) is None
    settings = load_settings(None)
    assert settings.enabled_codes() == {"CL001", "CL002", "CL007", "CL013"}
    assert settings.exclude is None


def test_a_broken_pyproject_on_the_way_up_is_an_error(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.cachelint\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        find_config(tmp_path)


# ---------------------------------------------------------------- reading every key


def test_every_key_is_read(tmp_path):
    settings = settings_from(
        tmp_path,
        """
        select = ["CL00"]
        ignore = ["keys-pattern-scan"]
        extend-select = ["CL013"]
        exclude = ["generated"]
        extend-exclude = ["migrations"]
        per-file-ignores = { "tests/*" = ["CL002"] }

        [tool.cachelint.rules.zero-ttl]
        limit = 3
        ratio = 1
        strict = true
        names = ["a"]

        [tool.cachelint.clients]
        "myapp.cache.set_cached" = { kind = "write", key = 0, value = [1, "value"], ttl = "ttl", ttl-omitted = "forever" }
        "myapp.cache.redis_client" = { library = "redis" }
        """,
    )
    assert settings.enabled_codes() == {"CL001", "CL002", "CL013"}
    assert settings.exclude == ("generated",)
    assert settings.extend_exclude == ("migrations",)
    assert settings.per_file_ignores == {"tests/*": ("CL002",)}
    assert settings.options_for(fakes.ZeroTtl) == {"limit": 3, "ratio": 1, "strict": True, "names": ["a"]}
    assert settings.clients.objects == {"myapp.cache.redis_client": "redis"}
    method = settings.clients.functions["myapp.cache.set_cached"]
    assert method.kind is Kind.WRITE
    assert (method.key, method.value, method.ttl) == (Arg(0, None), Arg(1, "value"), (Arg(None, "ttl"),))
    assert method.semantics.omitted is Meaning.FOREVER
    assert settings.root == tmp_path
    assert settings.source == tmp_path / "pyproject.toml"


def test_rule_options_default_and_can_be_given_by_code(tmp_path):
    assert Settings().options_for(fakes.ZeroTtl)["ratio"] == 0.5
    settings = settings_from(tmp_path, "[tool.cachelint.rules.CL013]\nlimit = 7\n")
    assert settings.options_for(fakes.ZeroTtl)["limit"] == 7


def test_an_empty_section_gives_the_defaults_rooted_at_its_folder(tmp_path):
    settings = settings_from(tmp_path, "")
    assert settings.enabled_codes() == Settings().enabled_codes()
    assert settings.root == tmp_path


def test_a_pyproject_without_the_section_gives_the_defaults(tmp_path):
    settings = load_settings(write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n"))
    assert settings.select == Settings().select


def test_another_toml_file_has_the_keys_at_the_top(tmp_path):
    settings = load_settings(write(tmp_path / "cachelint.toml", "select = ['CL007']\n"))
    assert settings.enabled_codes() == {"CL007"}
    with pytest.raises(ConfigError, match=r"`slect`: unknown key"):
        load_settings(write(tmp_path / "typo.toml", "slect = ['CL007']\n"))


def test_another_toml_file_may_have_the_section(tmp_path):
    settings = load_settings(write(tmp_path / "other.toml", "[tool.cachelint]\nselect = ['CL007']\n"))
    assert settings.enabled_codes() == {"CL007"}


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "body, key, problem",
    [
        ("slect = ['CL002']", "tool.cachelint.slect", "unknown key"),
        ("select = ['CL999']", "tool.cachelint.select", "unknown rule selector `CL999`"),
        ("select = ['']", "tool.cachelint.select", "unknown rule selector ``"),
        ("ignore = ['C']", "tool.cachelint.ignore", "unknown rule selector `C`"),
        ("extend-select = ['no-such-rule']", "tool.cachelint.extend-select", "unknown rule selector"),
        ("select = 'CL002'", "tool.cachelint.select", "expected a list of strings"),
        ("select = [2]", "tool.cachelint.select", "expected a list of strings"),
        ("exclude = 'build'", "tool.cachelint.exclude", "expected a list of strings"),
        ("extend-exclude = [true]", "tool.cachelint.extend-exclude", "expected a list of strings"),
        ("per-file-ignores = ['tests/*']", "tool.cachelint.per-file-ignores", "expected a table"),
        ("per-file-ignores = { 'tests/*' = ['CL999'] }", 'tool.cachelint.per-file-ignores."tests/*"', "CL999"),
        ("per-file-ignores = { 'tests/*' = 'CL002' }", 'tool.cachelint.per-file-ignores."tests/*"', "list of strings"),
        ("rules = 1", "tool.cachelint.rules", "expected a table"),
        ("[tool.cachelint.rules.no-such-rule]", "tool.cachelint.rules.no-such-rule", "unknown rule"),
        ("rules.zero-ttl = 1", "tool.cachelint.rules.zero-ttl", "expected a table of options"),
        ("[tool.cachelint.rules.zero-ttl]\nlimt = 1", "tool.cachelint.rules.zero-ttl.limt", "unknown option (known options: limit"),
        ("[tool.cachelint.rules.set-without-ttl]\nx = 1", "tool.cachelint.rules.set-without-ttl.x", "known options: none"),
        ("[tool.cachelint.rules.zero-ttl]\nlimit = '3'", "tool.cachelint.rules.zero-ttl.limit", "expected an integer, got a string"),
        ("[tool.cachelint.rules.zero-ttl]\nlimit = true", "tool.cachelint.rules.zero-ttl.limit", "expected an integer, got a boolean"),
        ("[tool.cachelint.rules.zero-ttl]\nlimit = 1.5", "tool.cachelint.rules.zero-ttl.limit", "expected an integer, got a float"),
        ("[tool.cachelint.rules.zero-ttl]\nratio = true", "tool.cachelint.rules.zero-ttl.ratio", "expected a number"),
        ("[tool.cachelint.rules.zero-ttl]\nstrict = 1", "tool.cachelint.rules.zero-ttl.strict", "expected true or false"),
        ("[tool.cachelint.rules.zero-ttl]\nnames = 'a'", "tool.cachelint.rules.zero-ttl.names", "expected a list"),
        ("clients = ['x']", "tool.cachelint.clients", "expected a table"),
        ("clients.'my app.x' = { library = 'redis' }", 'tool.cachelint.clients."my app.x"', "qualified name"),
        ("clients.'x.' = { library = 'redis' }", 'tool.cachelint.clients."x."', "qualified name"),
        ("clients.'a.b' = 'redis'", 'tool.cachelint.clients."a.b"', "expected a table"),
        ("clients.'a.b' = { library = 'redys' }", 'tool.cachelint.clients."a.b".library', "unknown library `redys`"),
        ("clients.'a.b' = { library = ['redis'] }", 'tool.cachelint.clients."a.b".library', "unknown library"),
        ("clients.'a.b' = { library = 'dict' }", 'tool.cachelint.clients."a.b".library', "unknown library"),
        ("clients.'a.b' = { library = 'redis', key = 0 }", 'tool.cachelint.clients."a.b"', "takes no other keys"),
        ("clients.'a.b' = { key = 0 }", 'tool.cachelint.clients."a.b".kind', "missing"),
        ("clients.'a.b' = { kind = 'wrte' }", 'tool.cachelint.clients."a.b".kind', "expected one of read, write"),
        ("clients.'a.b' = { kind = ['write'] }", 'tool.cachelint.clients."a.b".kind', "got a list"),
        ("clients.'a.b' = { kind = 'write', tll = 'ttl' }", 'tool.cachelint.clients."a.b".tll', "unknown key"),
        ("clients.'a.b' = { kind = 'write', key = -1 }", 'tool.cachelint.clients."a.b".key', "expected a position"),
        ("clients.'a.b' = { kind = 'write', key = true }", 'tool.cachelint.clients."a.b".key', "expected a position"),
        ("clients.'a.b' = { kind = 'write', ttl = 'not a name' }", 'tool.cachelint.clients."a.b".ttl', "position"),
        ("clients.'a.b' = { kind = 'write', ttl = ['ttl', 2] }", 'tool.cachelint.clients."a.b".ttl', "position"),
        ("clients.'a.b' = { kind = 'write', ttl-zero = 'never' }", 'tool.cachelint.clients."a.b".ttl-zero', "forever"),
        ("clients.'a.b' = { kind = 'write', ttl-none = 0 }", 'tool.cachelint.clients."a.b".ttl-none', "got an integer"),
    ],
)
def test_a_bad_setting_is_an_error_naming_the_key_and_the_file(tmp_path, body, key, problem):
    message = config_error(tmp_path, body)
    assert f"`{key}`" in message
    assert problem in message


def test_a_section_that_is_not_a_table_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match=r"`tool.cachelint`: expected a table"):
        load_settings(write(tmp_path / "pyproject.toml", "[tool]\ncachelint = 1\n"))


@pytest.mark.parametrize(
    "content, problem",
    [(b"[tool.cachelint\n", "invalid TOML"), (b"[tool.cachelint]\nselect = ['\xff']\n", "not UTF-8")],
)
def test_an_unreadable_file_is_an_error(tmp_path, content, problem):
    path = tmp_path / "pyproject.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=problem):
        load_settings(path)


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "nope.toml")


# ---------------------------------------------------------------- per-file-ignores


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A configuration in tmp_path/project, with the cwd somewhere else entirely."""
    settings_from(
        tmp_path / "project",
        """
        per-file-ignores = { "tests/*" = ["CL002"], "conftest.py" = ["keys-pattern-scan"], "src/legacy_*.py" = ["CL0"] }
        """,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return tmp_path / "project"


def test_per_file_ignores_are_relative_to_the_configuration_folder(project):
    everything = {"CL001", "CL002", "CL007", "CL013"}
    settings = load_settings(project / "pyproject.toml")
    assert settings.codes_for(project / "tests" / "test_x.py") == everything - {"CL002"}
    assert settings.codes_for(project / "tests" / "deep" / "test_x.py") == everything - {"CL002"}
    assert settings.codes_for(project / "src" / "tests.py") == everything
    assert settings.codes_for(project / "src" / "legacy_app.py") == everything - {"CL001", "CL002", "CL007", "CL013"}
    assert settings.codes_for(project / "src" / "app.py") == everything


def test_a_pattern_without_a_slash_matches_the_file_name_anywhere(project):
    settings = load_settings(project / "pyproject.toml")
    assert "CL007" not in settings.codes_for(project / "src" / "pkg" / "conftest.py")


def test_per_file_ignores_take_relative_paths_from_the_cwd(project, monkeypatch):
    monkeypatch.chdir(project / "..")
    settings = load_settings(Path("project/pyproject.toml"))
    assert "CL002" not in settings.codes_for(Path("project/tests/test_x.py"))
    assert "CL002" in settings.codes_for(Path("project/src/app.py"))


def test_per_file_ignores_apply_when_linting(project):
    settings = load_settings(project / "pyproject.toml")
    source = f"{fakes.REDIS}r.set('k', 1)\n"
    assert fakes.lint(source, settings, str(project / "tests" / "test_x.py")) == ([], [])
    diagnostics, _ = fakes.lint(source, settings, str(project / "app.py"))
    assert [d.code for d in diagnostics] == ["CL002"]


# ---------------------------------------------------------------- custom clients reach the model


def test_a_declared_wrapper_function_is_a_cache_operation(tmp_path):
    settings = settings_from(
        tmp_path, '[tool.cachelint.clients]\n"myapp.cache.set_cached" = { kind = "write", key = 0, ttl = "ttl", ttl-omitted = "forever" }\n'
    )
    source = "from myapp.cache import set_cached\nset_cached('k', 1)\nset_cached('k', 1, ttl=60)\n"
    diagnostics, _ = fakes.lint(source, settings)
    assert [(d.location.row, d.code) for d in diagnostics] == [(2, "CL002")]


@pytest.mark.parametrize("folder, source", [
    ("myapp", "from .store import kv\nkv.set('k', 1)\n"),
    ("myapp", "from . import store\nstore.kv.set('k', 1)\n"),
    ("myapp/views", "from ..store import kv\nkv.set('k', 1)\n"),
])
def test_a_declared_client_imported_relatively_is_a_client(tmp_path, folder, source):
    settings = settings_from(tmp_path, '[tool.cachelint.clients]\n"myapp.store.kv" = { library = "redis" }\n')
    package = tmp_path / folder
    package.mkdir(parents=True)
    for each in (package, *package.relative_to(tmp_path).parents):
        (tmp_path / each / "__init__.py").touch()
    (tmp_path / "__init__.py").unlink()
    module = package / "handlers.py"
    module.write_text(source)
    diagnostics, _ = fakes.lint(source, settings, str(module))
    assert [(d.location.row, d.code) for d in diagnostics] == [(2, "CL002")]
    # Outside that package the same import is another module's `kv`.
    elsewhere = tmp_path / "other" / "handlers.py"
    elsewhere.parent.mkdir()
    (elsewhere.parent / "__init__.py").touch()
    assert fakes.lint(source, settings, str(elsewhere)) == ([], [])


def test_relative_spellings_of_a_qualified_name():
    assert list(relative_spellings("app.ext.cache", ["app", "views"])) == ["..ext.cache"]
    assert list(relative_spellings("app.ext.cache", ["app"])) == [".ext.cache"]
    assert list(relative_spellings("app.views.cache", ["app", "views"])) == [".cache", "..views.cache"]
    assert list(relative_spellings("other.cache", ["app"])) == []


def test_a_declared_client_object_is_a_client_even_when_its_name_says_nothing(tmp_path):
    settings = settings_from(tmp_path, '[tool.cachelint.clients]\n"myapp.store.kv" = { library = "redis" }\n')
    source = "from myapp.store import kv\nkv.set('k', 1)\n"
    diagnostics, _ = fakes.lint(source, settings)
    assert [(d.location.row, d.code) for d in diagnostics] == [(2, "CL002")]
    # Without the declaration, nothing in the file is a cache.
    assert fakes.lint(source) == ([], [])
