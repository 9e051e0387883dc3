"""Bad input never costs other files: syntax errors, undecodable and unreadable files,
missing paths, symlink loops, a crashing rule; and which files discovery finds."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cachelint import cli, engine
from cachelint.config import Settings
from cachelint.engine import lint_paths, lint_source
from cachelint.model import CustomClients, Kind
from cachelint.model.spec import Method
from cachelint.prefilter import prefilter_for
from cachelint.rules.base import Finding
from tests import fakes
from tests.fakes import REDIS

GOOD = f'{REDIS}r.set("k", 1)\n'


@pytest.fixture(autouse=True)
def catalog(monkeypatch):
    fakes.install(monkeypatch)


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A folder with one clean-to-parse file that has a finding; the cwd is that folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.py").write_text(GOOD)
    return tmp_path


def found(run) -> list[tuple[str, int, str]]:
    return [(Path(d.filename).name, d.location.row, d.code or d.name) for d in run.diagnostics]


def messages(run, name: str) -> list[str]:
    return [d.message for d in run.diagnostics if d.name == name]


# ---------------------------------------------------------------- bad input


def test_a_syntax_error_is_a_finding_and_other_files_are_still_checked(tree):
    (tree / "bad.py").write_text(f"{REDIS}r.set(\n")
    run = lint_paths([tree], Settings())
    assert found(run) == [("bad.py", 3, "invalid-syntax"), ("good.py", 3, "CL002")]
    assert messages(run, "invalid-syntax") == ["SyntaxError: '(' was never closed"]
    assert not run.internal_errors


def test_a_syntax_error_is_located_by_column(tree):
    result = lint_source("x.py", f'{REDIS}x = "éé" + )\n'.encode(), Settings())
    [diagnostic] = result.diagnostics
    assert (diagnostic.location.row, diagnostic.location.column) == (3, 12)
    assert diagnostic.message == "SyntaxError: unmatched ')'"


def test_a_file_that_mentions_no_cache_is_not_parsed(tree):
    assert lint_source("x.py", b"def f(:\n", Settings()).diagnostics == []


def test_a_file_that_is_not_utf8_is_an_io_error(tree):
    (tree / "latin.py").write_bytes(f'{REDIS}name = "caf\xe9"\n'.encode("latin-1"))
    run = lint_paths([tree], Settings())
    assert found(run) == [("good.py", 3, "CL002"), ("latin.py", 3, "io-error")]
    [message] = messages(run, "io-error")
    assert message.startswith("cannot decode file as utf-8: invalid continuation byte (byte 0xe9)")
    [diagnostic] = [d for d in run.diagnostics if d.name == "io-error"]
    assert diagnostic.location.column == 12


def test_a_bad_coding_cookie_is_an_io_error(tree):
    [diagnostic] = lint_source("x.py", b"# -*- coding: klingon -*-\nimport redis\n", Settings()).diagnostics
    assert diagnostic.name == "io-error"
    assert "klingon" in diagnostic.message


def test_a_latin1_file_with_a_coding_cookie_is_fine_and_columns_count_characters(tree):
    source = f'# -*- coding: latin-1 -*-\n{REDIS}x = "éé"; r.set("k", 1)\n'
    result = lint_source("x.py", source.encode("latin-1"), Settings())
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.location.row, diagnostic.location.column) == ("CL002", 4, 11)
    assert diagnostic.end_location.column == 24
    assert result.encoding == "iso-8859-1"


def test_a_utf8_file_with_a_bom_is_fine(tree):
    result = lint_source("x.py", b"\xef\xbb\xbf" + GOOD.encode(), Settings())
    assert [d.code for d in result.diagnostics] == ["CL002"]
    assert result.encoding == "utf-8-sig"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_an_io_error(tree):
    secret = tree / "secret.py"
    secret.write_text(GOOD)
    secret.chmod(0)
    try:
        run = lint_paths([tree], Settings())
    finally:
        secret.chmod(0o644)
    assert found(run) == [("good.py", 3, "CL002"), ("secret.py", 1, "io-error")]
    assert messages(run, "io-error") == ["cannot read: Permission denied"]


def test_a_dangling_symlink_is_an_io_error(tree):
    (tree / "gone.py").symlink_to(tree / "nowhere.py")
    run = lint_paths([tree], Settings())
    assert found(run) == [("gone.py", 1, "io-error"), ("good.py", 3, "CL002")]
    assert messages(run, "io-error") == ["cannot read: No such file or directory"]


def test_a_missing_path_is_an_io_error(tree):
    run = lint_paths([tree / "missing.py", tree / "good.py"], Settings())
    assert found(run) == [("good.py", 3, "CL002"), ("missing.py", 1, "io-error")]
    assert messages(run, "io-error") == ["cannot read: No such file or directory"]


def test_a_symlink_loop_is_an_io_error(tree):
    (tree / "loop.py").symlink_to(tree / "loop.py")
    run = lint_paths([tree], Settings())
    assert found(run) == [("good.py", 3, "CL002"), ("loop.py", 1, "io-error")]
    assert messages(run, "io-error") == ["cannot read: symlink loop"]
    run = lint_paths([tree / "loop.py"], Settings())
    assert messages(run, "io-error") == ["cannot read: symlink loop"]


def test_a_named_fifo_is_an_error_not_a_hang(tree):
    os.mkfifo(tree / "pipe.py")
    run = lint_paths([tree / "pipe.py", tree / "good.py"], Settings())
    assert found(run) == [("good.py", 3, "CL002"), ("pipe.py", 1, "io-error")]
    assert messages(run, "io-error") == ["cannot read: not a regular file (a named pipe)"]


def test_a_named_fifo_in_a_folder_is_skipped_with_a_note_not_read(tree):
    os.mkfifo(tree / "pipe.py")  # reading it would wait for a writer forever
    run = lint_paths([tree], Settings())
    assert found(run) == [("good.py", 3, "CL002"), ("pipe.py", 1, "io-error")]
    assert messages(run, "io-error") == ["cannot read: not a regular file (a named pipe)"]


def test_a_folder_named_like_a_module_is_walked_not_read(tree):
    (tree / "pkg.py").mkdir()
    (tree / "pkg.py" / "inner.py").write_text(GOOD)
    assert found(lint_paths([tree], Settings())) == [("good.py", 3, "CL002"), ("inner.py", 3, "CL002")]


class Boom(fakes.TruthyMissCheck):
    def check(self, model, context):
        raise RuntimeError("kaboom")


def test_a_crashing_rule_is_an_internal_error_and_every_other_rule_and_file_still_reports(tree, monkeypatch):
    fakes.install(monkeypatch, Boom)
    (tree / "other.py").write_text(f'{REDIS}r.keys("a:*")\n')
    run = lint_paths([tree], Settings())
    assert found(run) == [("good.py", 3, "CL002"), ("other.py", 3, "CL007")]
    errors = run.internal_errors
    assert len(errors) == 2
    assert errors[0].startswith("internal error in rule CL001 (truthy-miss-check) on ")
    assert "good.py: RuntimeError: kaboom (test_engine.py:" in errors[0]
    assert "other.py: RuntimeError: kaboom" in errors[1]


class Stray(fakes.TruthyMissCheck):
    """Reports a node that is not in the module."""

    def check(self, model, context):
        import libcst as cst

        yield Finding(cst.Name("stray"), model.module, "nowhere")


def test_a_rule_reporting_a_node_outside_the_module_is_that_rules_internal_error(monkeypatch):
    fakes.install(monkeypatch, Stray)
    diagnostics, errors = fakes.lint(GOOD)
    assert [d.code for d in diagnostics] == ["CL002"]
    assert len(errors) == 1 and "rule CL001 (truthy-miss-check)" in errors[0]


def test_a_crash_in_the_model_costs_only_that_file(tree, monkeypatch):
    (tree / "crash.py").write_text(GOOD)
    from cachelint.model import build

    real = build.build_model

    def build_model(path, *args):
        if path.endswith("crash.py"):
            raise ValueError("model bug")
        return real(path, *args)

    monkeypatch.setattr(build, "build_model", build_model)
    run = lint_paths([tree], Settings())
    assert found(run) == [("good.py", 3, "CL002")]
    [error] = run.internal_errors
    assert error.startswith(f"internal error in the model on {tree / 'crash.py'}: ValueError: model bug (test_engine.py:")


def test_only_enabled_rules_run(monkeypatch):
    fakes.install(monkeypatch, Boom)
    diagnostics, errors = fakes.lint(GOOD, Settings(select=("CL002",)))
    assert [d.code for d in diagnostics] == ["CL002"] and errors == []


def test_no_enabled_rule_means_no_parse():
    assert fakes.lint(f"{REDIS}r.set(\n", Settings(select=("CL013",), ignore=("CL013",))) == ([], [])


def test_diagnostics_carry_the_rules_fix_as_edits():
    [diagnostic] = fakes.lint(f'{REDIS}r.keys("a:*")\n')[0]
    [edit] = diagnostic.fix.edits
    assert (edit.content, edit.location.row, edit.location.column, edit.end_location.column) == ("scan_iter", 3, 3, 7)
    assert diagnostic.fix.applicability == "safe"
    assert diagnostic.url == "rules/keys-pattern-scan.md"
    assert diagnostic.statement_rows == (3, 3)


def test_a_declared_client_name_widens_the_prefilter():
    text = "from myapp.store import put\nput(1)\n"
    declared = Settings(clients=CustomClients(functions={"myapp.store.put": Method(Kind.WRITE)}))
    assert prefilter_for(engine._custom_names(declared)).wants(text)
    assert not prefilter_for(engine._custom_names(Settings())).wants(text)


# ---------------------------------------------------------------- discovery


def layout(root: Path, *files: str) -> None:
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(GOOD)


def linted(paths, settings: Settings | None = None) -> list[str]:
    run = lint_paths(paths, settings or Settings())
    return sorted(Path(os.path.relpath(f.filename)).as_posix() for f in run.files)


def test_default_excludes_are_skipped(tree):
    layout(tree, "pkg/a.py", "pkg/b.pyi", ".venv/lib/x.py", "build/x.py", "node_modules/x.py",
           "pkg/__pycache__/x.py", "notes.txt", "setup.cfg")
    assert linted([Path(".")]) == ["good.py", "pkg/a.py", "pkg/b.pyi"]


def test_exclude_replaces_the_defaults_and_extend_exclude_adds(tree):
    layout(tree, "build/x.py", "generated/x.py", "pkg/migrations/0001.py", "pkg/a.py")
    assert linted([Path(".")], Settings(exclude=("generated",))) == [
        "build/x.py", "good.py", "pkg/a.py", "pkg/migrations/0001.py",
    ]
    assert linted([Path(".")], Settings(extend_exclude=("migrations", "good.py"))) == [
        "generated/x.py", "pkg/a.py",
    ]


def test_an_exclude_with_a_slash_is_relative_to_the_root(tree):
    layout(tree, "pkg/gen/x.py", "other/pkg/gen/y.py", "pkg/a.py")
    settings = Settings(extend_exclude=("pkg/gen", "pkg/*.py"), root=tree)
    assert linted([Path(".")], settings) == ["good.py", "other/pkg/gen/y.py"]
    settings = Settings(extend_exclude=("pkg/gen/",), root=tree)
    assert "pkg/gen/x.py" not in linted([tree / "pkg"], settings)


def test_files_named_explicitly_are_linted_even_if_excluded(tree):
    layout(tree, "build/x.py", "build/y.py", "migrations/m.py")
    settings = Settings(extend_exclude=("migrations",))
    assert linted([Path("build/x.py"), Path("migrations/m.py")], settings) == ["build/x.py", "migrations/m.py"]
    # A folder named explicitly is walked too, with the excludes applied inside it.
    layout(tree, "build/__pycache__/z.py")
    assert linted([Path("build")]) == ["build/x.py", "build/y.py"]


def test_a_file_named_twice_is_linted_once(tree):
    assert linted([Path("good.py"), Path("./good.py"), Path(".")]) == ["good.py"]


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses file names that are not UTF-8")
@pytest.mark.parametrize("output_format", ["concise", "json", "full"])
def test_a_file_name_that_is_not_utf8_is_linted_and_reported(tree, output_format):
    # The module makes a client at module level: the pass for its importers encoded its name.
    (tree / os.fsdecode(b"caf\xe9.py")).write_text(GOOD)
    (tree / "user.py").write_text("from good import r\n")
    result = CliRunner().invoke(cli.main, ["--no-cache", "--output-format", output_format, "."])
    assert result.exit_code == 1, result.output
    assert "caf" in result.output and result.output.count("CL002") >= 2


def test_a_coding_cookie_python_cannot_read_source_in_is_an_io_error_never_clean(tree):
    (tree / "wide.py").write_bytes(b"# -*- coding: utf-16 -*-\n" + GOOD.encode())
    run = lint_paths([tree / "wide.py"], Settings())
    assert messages(run, "io-error") == [
        "cannot decode file: encoding problem: utf-16 (Python reads source only in an ASCII-compatible encoding)"]


def test_a_latin1_cookie_is_honoured(tree):
    (tree / "old.py").write_bytes(b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + GOOD.encode())
    assert found(lint_paths([tree / "old.py"], Settings())) == [("old.py", 5, "CL002")]
