"""The language server's parts that need no editor: positions, `# noqa` edits, projects."""
from __future__ import annotations

from lsprotocol import types

from cachelint.diagnostic import Location
from cachelint.server.positions import UTF8, UTF16, UTF32, Lines
from cachelint.server.project import Project, Snapshot, project_of
from cachelint.suppressions import with_noqa

TEXT = 'x = "😀é"; r.set(k, v)\nsecond\n'


def test_columns_in_characters_become_the_code_units_the_client_counts():
    call = Location(1, 11)  # the `r` after the emoji, an accented letter, a quote and `; `
    assert Lines(TEXT, UTF32).position(call) == types.Position(0, 10)
    assert Lines(TEXT, UTF16).position(call) == types.Position(0, 11)  # the emoji is two units
    assert Lines(TEXT, UTF8).position(call) == types.Position(0, 14)  # four bytes and two
    for encoding in (UTF8, UTF16, UTF32):
        lines = Lines(TEXT, encoding)
        assert lines.location(lines.position(call)) == call


def test_a_location_past_the_end_is_the_end_of_the_text():
    assert Lines("a\nbc", UTF16).position(Location(5, 1)) == types.Position(1, 2)


def test_noqa_joins_an_existing_noqa_comment_or_follows_any_other():
    assert with_noqa("r.set(k, v)", "CL002") == "r.set(k, v)  # noqa: CL002"
    assert with_noqa("r.set(k, v)  # noqa: CL001", "CL002") == "r.set(k, v)  # noqa: CL001, CL002"
    assert with_noqa("r.set(k, v)  # why   ", "CL002") == "r.set(k, v)  # why  # noqa: CL002"


def test_a_file_s_project_is_its_workspace_folder_else_its_configuration_s(tmp_path):
    (tmp_path / "app" / "sub").mkdir(parents=True)
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "pyproject.toml").write_text("[tool.cachelint]\n")
    folders = [str(tmp_path / "app"), str(tmp_path / "app" / "sub")]
    assert project_of(str(tmp_path / "app" / "sub" / "a.py"), folders) == Project(str(tmp_path / "app" / "sub"))
    assert project_of(str(tmp_path / "app" / "b.py"), folders) == Project(str(tmp_path / "app"))
    assert project_of(str(tmp_path / "lib" / "c.py"), folders) == Project(str(tmp_path / "lib"))
    assert project_of(str(tmp_path / "elsewhere.py"), folders) is None


def test_project_findings_show_only_in_the_text_they_were_found_in(tmp_path):
    path = str(tmp_path / "a.py")
    found = object()
    snapshot = Snapshot(Project(str(tmp_path)), {path: ("saved\n", (found,))})
    assert snapshot.findings_for(path, "saved\n") == (found,)
    assert snapshot.findings_for(path, "edited\n") == ()
    assert snapshot.findings_for(str(tmp_path / "b.py"), "saved\n") == ()
