"""The result cache: unchanged files are neither read nor linted again, changed ones are,
and nothing in the cache folder can make a run fail or report what the files do not say."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cachelint import cache
from cachelint.cli import main
from cachelint.config import Settings
from cachelint.engine import lint_paths
from tests import fakes
from tests.fakes import REDIS

SOURCE = f'{REDIS}r.set("k", 1)\nr.keys("user:*")\n'


@pytest.fixture(autouse=True)
def catalog(monkeypatch):
    fakes.install(monkeypatch)


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    root.mkdir()
    (root / "app.py").write_text(SOURCE)
    (root / "clean.py").write_text("import os\n")
    monkeypatch.chdir(root)
    return root


def run(project: Path, settings: Settings | None = None):
    return lint_paths([project], settings or Settings(root=project), cache_dir=project / ".cachelint_cache")


def reported(result) -> list[tuple]:
    return [(Path(d.filename).name, d.location.row, d.code, d.fix) for d in result.diagnostics]


def age(path: Path, seconds: int = 60) -> None:
    """Make the file look modified a while ago, as an unchanged file in a real tree is
    (a file modified just before its entry was written is checked by content)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - seconds * 1_000_000_000))


def test_an_unchanged_file_is_not_linted_again_and_reports_the_same(project, linted):
    for path in project.glob("*.py"):
        age(path)
    first = run(project)
    assert linted == ["app.py", "clean.py"]
    second = run(project)
    assert linted == ["app.py", "clean.py"]
    assert reported(second) == reported(first) and reported(first)
    assert second.files[0].text == SOURCE  # reporters and fixes get the source back


def test_a_touched_file_is_read_but_not_linted_and_a_changed_one_is_linted(project, linted):
    for path in project.glob("*.py"):
        age(path)
    first = run(project)
    age(project / "app.py", seconds=30)  # only the time changes
    assert reported(run(project)) == reported(first)
    assert linted == ["app.py", "clean.py"]
    (project / "clean.py").write_text('import redis\nr = redis.Redis()\nr.keys("*")\n')
    assert [row for _, row, _, _ in reported(run(project))] == [3, 4, 3]
    assert linted == ["app.py", "clean.py", "clean.py"]


def test_a_file_changed_within_the_same_clock_tick_is_caught(project):
    first = run(project)
    stat = (project / "app.py").stat()
    (project / "app.py").write_text(SOURCE.replace("r.set(", "r.get("))  # the same size
    os.utime(project / "app.py", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert [code for _, _, code, _ in reported(first)] == ["CL002", "CL007"]
    assert [code for _, _, code, _ in reported(run(project))] == ["CL007"]


def test_other_settings_do_not_reuse_results(project, linted):
    run(project)
    run(project, Settings(root=project, ignore=("CL002",)))
    assert linted == ["app.py", "clean.py"] * 2


def test_the_folder_is_tagged_and_ignored_by_git(project):
    run(project)
    folder = project / ".cachelint_cache"
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert not [p for p in folder.iterdir() if p.name.startswith(".tmp-")]


@pytest.mark.parametrize("corrupt", [
    lambda pack: b"\x00garbage",
    lambda pack: b"[" * 100_000 + b"]" * 100_000,  # too deep for the JSON decoder
    lambda pack: b"\xff\xfe not UTF-8",
    lambda pack: json.dumps({**pack, "saved_at": 1e400}).encode(),  # an infinite time
    lambda pack: json.dumps({**pack, "key": "someone else's"}).encode(),
    lambda pack: json.dumps({**pack, "files": [1, 2]}).encode(),
    lambda pack: json.dumps(
        {**pack, "files": {k: [v[0], v[1], v[2], {"diagnostics": [{"location": "1:1"}], "facts": None}]
                           for k, v in pack["files"].items()}}
    ).encode(),
])
def test_a_corrupt_or_foreign_pack_is_ignored(project, linted, corrupt):
    for path in project.glob("*.py"):
        age(path)
    first = run(project)
    packs = list((project / ".cachelint_cache").glob("*.pack.json"))
    assert packs
    for pack in packs:  # the first pass's, and the pass's that declares app.py's client
        pack.write_bytes(corrupt(json.loads(pack.read_bytes())))
    assert reported(run(project)) == reported(first)
    assert linted == ["app.py", "clean.py"] * 2


def cachelint(*args: str):
    return CliRunner().invoke(main, list(args))


def test_the_command_line_uses_the_cache_and_clean_removes_it(project, monkeypatch):
    monkeypatch.delenv("CACHELINT_CACHE_DIR")
    assert cachelint("--no-cache", ".").exit_code == 1
    assert not (project / ".cachelint_cache").exists()
    assert cachelint(".").exit_code == 1
    assert (project / ".cachelint_cache" / "CACHEDIR.TAG").is_file()
    (project / ".cachelint_cache" / "mine.txt").write_text("not cachelint's")
    assert cachelint("clean").exit_code == 0
    assert [p.name for p in (project / ".cachelint_cache").iterdir()] == ["mine.txt"]


def test_cache_dir_puts_it_elsewhere(project, tmp_path):
    assert cachelint("--cache-dir", str(tmp_path / "elsewhere"), ".").exit_code == 1
    assert (tmp_path / "elsewhere" / "CACHEDIR.TAG").is_file()
    assert not (project / ".cachelint_cache").exists()
    assert cachelint("clean", "--cache-dir", str(tmp_path / "elsewhere")).exit_code == 0
    assert not (tmp_path / "elsewhere").exists()


def test_fixes_apply_from_cached_results(project):
    for path in project.glob("*.py"):
        age(path)
    assert cachelint(".").exit_code == 1
    result = cachelint("--fix", ".")  # the KEYS fix of the test double is safe
    assert result.exit_code == 1
    assert "scan_iter" in (project / "app.py").read_text()


def test_an_unwritable_cache_is_no_error(project, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = lint_paths([project], Settings(root=project), cache_dir=blocker / "cache")
    assert reported(result)
    assert cache.clean(blocker) is False


def test_a_note_holds_while_the_files_content_does(tmp_path):
    """What a later pass read from a file's text (`ResultCache.note`) comes back while the
    file is unchanged, outlives an entry stored again for the same content, and is gone
    once the content changes; a note of other content is not kept."""
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    age(path)
    stat, digest = path.stat(), cache.content_digest(path.read_bytes())
    pack = cache.ResultCache(tmp_path / "cache", "key")
    pack.store(str(path), stat, digest, [])
    pack.keep_note(str(path), "another content's hash", "defines", ["no"])
    assert pack.note(str(path), stat, "defines") is None
    pack.keep_note(str(path), digest, "defines", [["cache"], []])
    pack.save()
    again = cache.ResultCache(tmp_path / "cache", "key")
    assert again.note(str(path), stat, "defines") == [["cache"], []]
    assert again.note(str(path), stat, "other") is None
    again.store(str(path), stat, digest, [])  # linted again, the same content
    assert again.note(str(path), stat, "defines") == [["cache"], []]
    path.write_text("x = 2\n")
    age(path)
    changed = path.stat()
    assert again.note(str(path), changed, "defines") is None  # its entry no longer matches
    again.store(str(path), changed, cache.content_digest(path.read_bytes()), [])
    assert again.note(str(path), changed, "defines") is None
