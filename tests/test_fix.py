"""`--fix`, `--unsafe-fixes`, `--diff`: edits, passes, safety, atomic writes."""
from __future__ import annotations

import os
import stat
import subprocess

import pytest
from click.testing import CliRunner

from cachelint import fix
from cachelint.cli import main
from cachelint.config import Settings
from cachelint.diagnostic import Diagnostic, Edit, Fix, Location
from cachelint.engine import lint_source
from cachelint.rules.base import Finding, FixSuggestion, Replacement
from tests import fakes
from tests.fakes import REDIS

SOURCE = f'{REDIS}r.set("k", 1)\nfor k in r.keys("a:*"):\n    print(k)\n'
SAFE_FIXED = f'{REDIS}r.set("k", 1)\nfor k in r.scan_iter("a:*"):\n    print(k)\n'
ALL_FIXED = f'{REDIS}r.set("k", 1, ex=3600)\nfor k in r.scan_iter("a:*"):\n    print(k)\n'


@pytest.fixture(autouse=True)
def catalog(monkeypatch):
    fakes.install(monkeypatch)


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "app.py"
    path.write_text(SOURCE)
    return path


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, ["--output-format", "concise", *args], input=input)


# ---------------------------------------------------------------- applying edits


def diagnostic(*edits: tuple[int, int, int, int, str], row: int = 1) -> Diagnostic:
    where = Location(row, 1)
    fix_edits = tuple(Edit(content, Location(r1, c1), Location(r2, c2)) for r1, c1, r2, c2, content in edits)
    return Diagnostic("CL002", "set-without-ttl", "m", "x.py", where, where, Fix("f", fix_edits, "safe"))


def test_non_overlapping_fixes_all_go_in():
    text = "aaa bbb\nccc ddd\n"
    fixed, used = fix.apply_fixes(text, [diagnostic((2, 5, 2, 8, "D")), diagnostic((1, 1, 1, 4, "A"))])
    assert fixed == "A bbb\nccc D\n"
    assert len(used) == 2


def test_a_fix_that_overlaps_or_touches_an_earlier_one_waits():
    text = "abcdef"
    first, overlapping, touching = (
        diagnostic((1, 1, 1, 4, "X")), diagnostic((1, 3, 1, 5, "Y")), diagnostic((1, 4, 1, 5, "Z"))
    )
    fixed, used = fix.apply_fixes(text, [overlapping, first, touching])
    assert (fixed, used) == ("Xdef", [first])


def test_a_fix_is_applied_whole_or_not_at_all():
    text = "abcdef"
    later = diagnostic((1, 5, 1, 6, "E"))
    both = diagnostic((1, 1, 1, 2, "A"), (1, 5, 1, 7, "F"))  # its second edit collides with `later`
    fixed, used = fix.apply_fixes(text, [later, both])
    assert (fixed, used) == ("AbcdF", [both])
    fixed, used = fix.apply_fixes(text, [diagnostic((1, 1, 1, 3, "A"), (1, 2, 1, 4, "B"))])
    assert (fixed, used) == (text, [])


def test_edits_of_one_fix_may_touch():
    fixed, _ = fix.apply_fixes("abc", [diagnostic((1, 1, 1, 2, "X"), (1, 2, 1, 2, "Y"), (1, 2, 1, 3, "Z"))])
    assert fixed == "XYZc"


def test_columns_are_characters_and_edits_may_span_lines():
    text = 'x = "éé"; y\r\nz = (1,\n     2)\n'
    fixed, _ = fix.apply_fixes(text, [diagnostic((1, 11, 1, 12, "Y")), diagnostic((2, 5, 3, 8, "0"))])
    assert fixed == 'x = "éé"; Y\r\nz = 0\n'


# ---------------------------------------------------------------- passes


def test_fix_file_applies_safe_fixes_and_keeps_the_rest():
    before = lint_source("app.py", SOURCE.encode(), Settings())
    fixed = fix.fix_file(before, Settings(), unsafe=False)
    assert fixed.text == SAFE_FIXED
    assert fixed.applied == 1
    assert [d.code for d in fixed.after.diagnostics] == ["CL002"]


def test_unsafe_fixes_apply_only_when_asked():
    before = lint_source("app.py", SOURCE.encode(), Settings())
    fixed = fix.fix_file(before, Settings(), unsafe=True)
    assert (fixed.text, fixed.applied, fixed.after.diagnostics) == (ALL_FIXED, 2, [])


class Chain(fakes.TruthyMissCheck):
    """`a` becomes `b` becomes `c`: the fix of one pass makes the finding of the next."""

    def check(self, model, context):
        import libcst as cst

        for statement in model.module.body:
            expr = statement.body[0].value
            if isinstance(expr, cst.Name) and expr.value in "ab":
                following = chr(ord(expr.value) + 1)
                yield Finding(expr, statement, "step", FixSuggestion("step", (Replacement(expr, following),), "safe"))


def test_fixes_are_applied_in_passes_until_nothing_is_left(monkeypatch):
    fakes.install(monkeypatch, Chain)
    before = lint_source("x.py", b"cache = {}\ncache.clear()\na\nb\n", Settings())
    fixed = fix.fix_file(before, Settings(), unsafe=False)
    assert (fixed.text, fixed.applied, fixed.after.diagnostics) == ("cache = {}\ncache.clear()\nc\nc\n", 3, [])


class Forever(fakes.TruthyMissCheck):
    """A fix that never converges: every pass adds one more `+ 1`."""

    def check(self, model, context):
        statement = model.module.body[-1]
        expr = statement.body[0].value
        yield Finding(expr, statement, "more", FixSuggestion("more", (Replacement(expr, f"{model.code(expr)} + 1"),), "safe"))


def test_passes_stop_after_a_few(monkeypatch):
    fakes.install(monkeypatch, Forever)
    before = lint_source("x.py", b"cache = {}\ncache.clear()\nx = 0\n", Settings())
    fixed = fix.fix_file(before, Settings(), unsafe=False)
    assert fixed.applied == fix.MAX_PASSES
    assert fixed.text == "cache = {}\ncache.clear()\nx = 0" + " + 1" * fix.MAX_PASSES + "\n"
    assert len(fixed.after.diagnostics) == 1


class Breaks(fakes.TruthyMissCheck):
    """A fix whose result does not parse."""

    def check(self, model, context):
        for op in model.ops:
            yield Finding(op.node, op.statement, "broken", FixSuggestion("break", (Replacement(op.node, "r.set(("),), "safe"))


def test_a_fix_that_breaks_the_syntax_is_dropped_and_reported(app, monkeypatch):
    fakes.install(monkeypatch, Breaks)
    result = run("--fix", "app.py")
    assert app.read_text() == SOURCE  # nothing written
    assert result.exit_code == 2
    assert "internal error in the fixes of CL001 on app.py: the result does not parse" in result.stderr
    assert "app.py:4:10: CL001" in result.stdout  # the findings are still reported


def test_a_fix_that_cannot_be_encoded_is_dropped(tmp_path, monkeypatch):
    class Euro(fakes.TruthyMissCheck):
        def check(self, model, context):
            for op in model.ops:
                yield Finding(op.node, op.statement, "€", FixSuggestion("€", (Replacement(op.key, '"€"'),), "safe"))

    fakes.install(monkeypatch, Euro)
    source = f"# coding: latin-1\n{REDIS}r.get('é')\n".encode("latin-1")
    fixed = fix.fix_file(lint_source("x.py", source, Settings()), Settings(), unsafe=False)
    assert fixed.applied == 0
    assert "cannot be encoded as latin-1" in fixed.after.internal_errors[0]


# ---------------------------------------------------------------- the command line


def test_fix_writes_the_safe_fixes_and_reports_what_remains(app):
    result = run("--fix", "app.py")
    assert app.read_text() == SAFE_FIXED
    assert result.exit_code == 1
    assert "app.py:3:1: CL002" in result.stdout
    assert "CL007" not in result.stdout
    assert "Fixed 1 error." in result.stderr


def test_fix_with_unsafe_fixes_fixes_everything_and_exits_0(app):
    result = run("--fix", "--unsafe-fixes", "app.py")
    assert app.read_text() == ALL_FIXED
    assert result.exit_code == 0, result.output
    assert "Fixed 2 errors." in result.stderr


def test_unsafe_fixes_alone_changes_no_file(app):
    result = run("--unsafe-fixes", "app.py")
    assert app.read_text() == SOURCE
    assert result.exit_code == 1


def test_diff_shows_the_change_writes_nothing_and_exits_1(app):
    result = run("--diff", "app.py")
    assert app.read_text() == SOURCE
    assert result.exit_code == 1
    assert result.stdout == (
        "--- app.py\n+++ app.py\n@@ -1,5 +1,5 @@\n import redis\n r = redis.Redis()\n r.set(\"k\", 1)\n"
        "-for k in r.keys(\"a:*\"):\n+for k in r.scan_iter(\"a:*\"):\n     print(k)\n"
    )
    assert "Would fix 1 error." in result.stderr


def test_diff_with_unsafe_fixes_shows_those_too(app):
    result = run("--diff", "--unsafe-fixes", "app.py")
    assert '+r.set("k", 1, ex=3600)' in result.stdout
    assert result.exit_code == 1


def test_diff_exits_0_when_nothing_would_change(app):
    app.write_text(f'{REDIS}r.set("k", 1)\n')  # only an unsafe fix
    result = run("--diff", "app.py")
    assert (result.exit_code, result.stdout) == (0, "")


def test_diff_marks_a_missing_final_newline(app):
    app.write_text(f'{REDIS}r.keys("a:*")')
    result = run("--diff", "app.py")
    assert result.stdout.endswith('+r.scan_iter("a:*")\n\\ No newline at end of file\n')


def test_diff_wins_over_fix(app):
    result = run("--fix", "--diff", "app.py")
    assert app.read_text() == SOURCE
    assert result.stdout.startswith("--- app.py")


def test_fix_on_stdin_prints_the_fixed_source_and_reports_on_stderr(app):
    result = run("--fix", "-", "--stdin-filename", "app.py", input=SOURCE.encode())
    assert result.stdout == SAFE_FIXED
    assert "app.py:3:1: CL002" in result.stderr
    assert app.read_text() == SOURCE  # the file of that name is left alone
    assert result.exit_code == 1


def test_fix_on_stdin_with_nothing_to_fix_echoes_the_source(app):
    result = run("--fix", "-", input=b"x = 1\n")
    assert (result.stdout, result.exit_code) == ("x = 1\n", 0)


def test_a_file_without_applicable_fixes_is_not_rewritten(app):
    app.write_text(f'{REDIS}r.set("k", 1)\n')
    os.utime(app, (0, 0))
    run("--fix", "app.py")
    assert app.stat().st_mtime == 0


# ---------------------------------------------------------------- writing


def test_the_fixed_file_keeps_its_mode_encoding_line_endings_and_bom(app):
    source = "\r\n".join(["# coding: latin-1", "import redis", "r = redis.Redis()", 'x = "é"', 'r.keys("a:*")', ""])
    app.write_bytes(source.encode("latin-1"))
    app.chmod(0o751)
    run("--fix", "app.py")
    assert app.read_bytes() == source.replace("r.keys", "r.scan_iter").encode("latin-1")
    assert stat.S_IMODE(app.stat().st_mode) == 0o751
    app.write_bytes(b"\xef\xbb\xbf" + f'{REDIS}r.keys("a:*")\n'.encode())
    run("--fix", "app.py")
    assert app.read_bytes() == b"\xef\xbb\xbf" + f'{REDIS}r.scan_iter("a:*")\n'.encode()


def test_fixing_through_a_symlink_writes_its_target(app, tmp_path):
    link = tmp_path / "link.py"
    link.symlink_to(app)
    run("--fix", "link.py")
    assert link.is_symlink()
    assert app.read_text() == SAFE_FIXED


def test_a_failed_write_leaves_the_file_whole_and_no_temporary_behind(app, tmp_path, monkeypatch):
    def refuse(source, target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    result = run("--fix", "app.py")
    assert app.read_text() == SOURCE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py"]
    assert "app.py:1:1: io-error: fixes not written: cannot write: Permission denied" in result.stdout
    assert "app.py:4:10: CL007" in result.stdout  # not fixed after all, so still reported
    assert result.exit_code == 1


def test_write_keeping_metadata_replaces_the_content(tmp_path):
    path = tmp_path / "x.py"
    path.write_text("old")
    fix.write_keeping_metadata(str(path), b"new")
    assert path.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["x.py"]


def test_a_fix_after_a_form_feed_lands_where_the_finding_is(tmp_path, monkeypatch):
    # LibCST drops a form feed from a line's start: the fix used to land one column early.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(f'{REDIS}\fr.set("k", 1)\n')
    assert run("--fix", "--unsafe-fixes", "--no-cache", "app.py").exit_code == 0
    assert (tmp_path / "app.py").read_text() == f'{REDIS}\fr.set("k", 1, ex=3600)\n'


def test_a_file_changed_since_it_was_read_is_not_overwritten(app, monkeypatch):
    edited = SOURCE + "# saved in the editor meanwhile\n"
    fix_file = fix.fix_file

    def fix_while_someone_edits(before, settings, unsafe):
        app.write_text(edited)
        return fix_file(before, settings, unsafe)

    monkeypatch.setattr(fix, "fix_file", fix_while_someone_edits)
    result = run("--fix", "--no-cache", "app.py")
    assert app.read_text() == edited
    assert "io-error: fixes not written: the file changed since it was read" in result.stdout
    assert "Fixed" not in result.stderr  # only the fixes written are reported
    assert result.exit_code == 1


def test_a_symlink_to_a_file_outside_the_linted_tree_is_not_written_through(tmp_path, monkeypatch):
    outside = tmp_path / "elsewhere" / "target.py"
    outside.parent.mkdir()
    outside.write_text(SOURCE)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "link.py").symlink_to(outside)
    monkeypatch.chdir(tree)
    result = run("--fix", "--no-cache", ".")
    assert outside.read_text() == SOURCE
    assert "outside the folders linted" in result.stdout


def test_a_fixed_file_keeps_its_hard_links(app, tmp_path):
    other = tmp_path / "other-name.txt"
    os.link(app, other)
    run("--fix", "--no-cache", "app.py")
    assert app.read_text() == SAFE_FIXED
    assert os.path.samefile(app, other) and app.stat().st_nlink == 2


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to someone else")
def test_a_fixed_file_keeps_its_owner_and_group(app):
    os.chown(app, 4321, 4321)
    run("--fix", "--no-cache", "app.py")
    assert app.read_text() == SAFE_FIXED
    assert (app.stat().st_uid, app.stat().st_gid) == (4321, 4321)


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-8"])
def test_the_diff_applies_with_patch_in_the_files_encoding(app, tmp_path, encoding):
    def with_accents(text: str) -> str:  # on a row of the diff's context
        return f"# -*- coding: {encoding} -*-\n" + text.replace("for k", "# café résumé\nfor k")

    source = with_accents(SOURCE)
    app.write_bytes(source.encode(encoding))
    result = CliRunner().invoke(main, ["--diff", "--no-cache", "app.py"])
    patched = tmp_path / "patched.py"
    patched.write_bytes(app.read_bytes())
    done = subprocess.run(["patch", "--silent", str(patched)], input=result.stdout_bytes, capture_output=True)
    assert done.returncode == 0, done.stderr + done.stdout
    assert patched.read_bytes() == with_accents(SAFE_FIXED).encode(encoding)


def test_the_diff_of_a_file_with_a_form_feed_keeps_its_rows(app, tmp_path):
    app.write_text(SOURCE.replace("r.set", "x = '\f'\nr.set"))
    result = CliRunner().invoke(main, ["--diff", "--no-cache", "app.py"])
    done = subprocess.run(["patch", "--silent", "--dry-run", str(app)], input=result.stdout_bytes, capture_output=True)
    assert done.returncode == 0, done.stderr + done.stdout
