"""`cachelint server`, driven over stdio by a real LSP client (pygls'), as an editor drives it."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from lsprotocol import types
from pygls.uris import to_fs_path

from tests.lsp_session import ROOT, Session

BOTH = textwrap.dedent('''\
    import redis
    from django.core.cache import cache

    r = redis.Redis()


    def report(k):
        data = cache.get(k)
        if not data:
            data = list(compute(k))
        cache.set(k, data, 60)
        return data


    def store(pid, payload):
        r.set(f"product:{pid}", payload)
''')
WITH_TTL = BOTH.replace('r.set(f"product:{pid}", payload)', 'r.set(f"product:{pid}", payload, ex=300)')


def run(scenario):
    return asyncio.run(scenario)


def cli_json(folder: Path, name: str) -> list[dict]:
    """What `cachelint check --output-format json` reports for the file."""
    report = subprocess.run(
        [sys.executable, "-m", "cachelint", "--output-format", "json", "--no-cache", name],
        cwd=folder, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    return json.loads(report.stdout)


def codes(diagnostics: list[types.Diagnostic]) -> list:
    return sorted(d.code for d in diagnostics)


def test_diagnostics_on_open_and_on_each_edit_then_a_fix_applied(tmp_path):
    async def scenario():
        async with Session(tmp_path) as session:
            uri = session.open("shop.py", BOTH)
            opened = await session.diagnostics(uri, 1)
            assert codes(opened) == ["CL001", "CL002"]

            version = session.change(uri, WITH_TTL)
            edited = await session.diagnostics(uri, version)
            assert codes(edited) == ["CL001"]

            actions = await session.code_actions(uri, edited[0])
            fix = next(action for action in actions if action.edit and "noqa" not in action.title)
            assert "unsafe" in fix.title  # truthiness -> `is None` changes behaviour
            version = session.apply(uri, fix.edit)
            assert "if data is None:" in session.texts[uri]
            assert list(await session.diagnostics(uri, version)) == []
            return opened

    opened = run(scenario())
    # The same codes, messages, ranges and doc links as the command line gives.
    (tmp_path / "shop.py").write_text(BOTH)
    expected = cli_json(tmp_path, "shop.py")
    assert [(d.code, d.message, d.range.start.line + 1, d.range.start.character + 1,
             d.range.end.line + 1, d.range.end.character + 1) for d in opened] == [
        (e["code"], e["message"], e["location"]["row"], e["location"]["column"],
         e["end_location"]["row"], e["end_location"]["column"]) for e in expected]
    for diagnostic, finding in zip(opened, expected):
        # The command line links the page in the repository; the editor the same page on disk.
        page = f"rules/{finding['name']}.md"
        assert diagnostic.code_description.href.endswith(page) and finding["url"].endswith(page)
        assert Path(to_fs_path(diagnostic.code_description.href)).is_file()
        assert diagnostic.source == "cachelint"


def test_a_syntax_error_is_invalid_syntax_and_the_server_stays_up(tmp_path):
    async def scenario():
        async with Session(tmp_path) as session:
            uri = session.open("shop.py", BOTH.replace("def store(pid, payload):", "def store(pid, payload)"))
            broken = await session.diagnostics(uri, 1)
            assert [(d.code, d.severity, d.range.start.line) for d in broken] == [
                ("invalid-syntax", types.DiagnosticSeverity.Error, 14)]
            version = session.change(uri, BOTH)
            assert codes(await session.diagnostics(uri, version)) == ["CL001", "CL002"]

    run(scenario())


CRASHING_RULE = """
import sys
from cachelint.rules.set_without_ttl import SetWithoutTtl

def crash(self, model, context):
    raise ZeroDivisionError("a bug in the rule")

SetWithoutTtl.check = crash
from cachelint.server import serve
sys.exit(serve())
"""


def test_a_crash_inside_a_rule_is_one_diagnostic_and_the_other_rules_still_report(tmp_path):
    async def scenario():
        async with Session(tmp_path, command=(sys.executable, "-c", CRASHING_RULE)) as session:
            uri = session.open("shop.py", BOTH)
            found = await session.diagnostics(uri, 1)
            assert codes(found) == ["CL001", "internal-error"]
            crash = next(d for d in found if d.code == "internal-error")
            assert "rule CL002 (set-without-ttl)" in crash.message and "ZeroDivisionError" in crash.message
            version = session.change(uri, WITH_TTL)  # still serving
            assert codes(await session.diagnostics(uri, version)) == ["CL001", "internal-error"]

    run(scenario())


def test_noqa_and_documentation_actions(tmp_path):
    async def scenario():
        async with Session(tmp_path) as session:
            uri = session.open("shop.py", BOTH.replace("    if not data:", "    if not data:  # a comment"))
            found = await session.diagnostics(uri, 1)
            truthy = next(d for d in found if d.code == "CL001")
            actions = await session.code_actions(uri, truthy)
            titles = [action.title for action in actions]
            assert "Ignore CL001 here (# noqa: CL001)" in titles
            assert not any("CL002" in title for title in titles)  # only the finding asked about
            noqa = next(action for action in actions if "noqa" in action.title)
            version = session.apply(uri, noqa.edit)
            assert "    if not data:  # a comment  # noqa: CL001\n" in session.texts[uri]
            assert codes(await session.diagnostics(uri, version)) == ["CL002"]

            docs = next(action for action in actions if action.command is not None)
            assert docs.title == "Open the documentation of CL001 (truthy-miss-check)"
            await session.execute(docs.command)
            assert session.shown == [truthy.code_description.href]
            assert "# truthy-miss-check (CL001)" in Path(to_fs_path(session.shown[0])).read_text()

    run(scenario())


def test_settings_come_from_the_nearest_configuration_as_on_the_command_line(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cachelint]\nignore = ["CL001"]\nper-file-ignores = {"legacy/*" = ["CL002"]}\n'
        'docs-url = "https://wiki.example.com/cachelint/{code}"\n')
    (tmp_path / "legacy").mkdir()

    async def scenario():
        async with Session(tmp_path) as session:
            shop = session.open("shop.py", BOTH)
            legacy = session.open("legacy/old.py", BOTH)
            [found] = await session.diagnostics(shop, 1)
            assert found.code == "CL002"
            assert found.code_description.href == "https://wiki.example.com/cachelint/CL002"  # as the reports link it
            assert codes(await session.diagnostics(legacy, 1)) == []
            (tmp_path / "pyproject.toml").write_text('[tool.cachelint]\nignroe = ["CL001"]\n')
            version = session.change(shop, WITH_TTL)
            [error] = await session.diagnostics(shop, version)
            assert error.code == "config-error" and "`tool.cachelint.ignroe`: unknown key" in error.message

    run(scenario())


def test_hover_on_a_cache_call_says_what_the_model_understood(tmp_path):
    async def scenario():
        async with Session(tmp_path) as session:
            uri = session.open("shop.py", BOTH)
            await session.diagnostics(uri, 1)
            line = BOTH.splitlines().index('    r.set(f"product:{pid}", payload)')
            hover = await session.hover(uri, line, 7)
            assert hover.contents.value.splitlines() == [
                "**cachelint**: redis `set`: write",
                "- key: `product:{pid}`",
                "- TTL: forever",
            ]
            assert (hover.range.start.line, hover.range.start.character) == (line, 4)
            assert await session.hover(uri, 0, 0) is None  # `import redis`

            view = session.open("views.py", "from django.views.decorators.cache import cache_page\n\n\n"
                                            "@cache_page(0)\ndef home(request):\n    return render(request)\n")
            await session.diagnostics(view)
            hover = await session.hover(view, 3, 3)
            assert hover.contents.value.splitlines() == [
                "**cachelint**: django `cache_page`: decorator",
                "- TTL: not cached",
            ]

    run(scenario())



def test_project_findings_come_from_the_whole_project_and_follow_saves(tmp_path):
    from tests.test_missing_invalidation import CATALOG, pricing

    (tmp_path / "catalog.py").write_text(textwrap.dedent(CATALOG))
    (tmp_path / "pricing.py").write_text(pricing())
    [expected] = [e for e in cli_json(tmp_path, ".") if e["code"] == "CL010"]

    def has_cl010(diagnostics) -> bool:
        return any(d.code == "CL010" for d in diagnostics)

    async def scenario():
        async with Session(tmp_path) as session:
            uri = session.open("pricing.py", pricing())
            [found] = [d for d in await session.diagnostics(uri, 1, until=has_cl010) if d.code == "CL010"]
            assert (found.message, found.range.start.line + 1, found.range.start.character + 1) == (
                expected["message"], expected["location"]["row"], expected["location"]["column"])

            # Typing (unsaved): the finding's rows may have moved; it waits for the save.
            version = session.change(uri, "\n" + pricing())
            assert not has_cl010(await session.diagnostics(uri, version))
            version = session.change(uri, pricing('r.delete(f"product:{product_id}")'))
            session.save(uri)
            assert not has_cl010(await session.diagnostics(uri, version))
            # The invalidation goes away in the file on disk: the finding comes back.
            version = session.change(uri, pricing())
            session.save(uri)
            await session.diagnostics(uri, version, until=has_cl010)

    run(scenario())


def test_a_client_another_module_makes_is_known_as_in_a_whole_project_run(tmp_path):
    from tests.test_project_clients import EXTENSIONS, VIEWS

    views = VIEWS.format(import_line="from .extensions import cache")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "extensions.py").write_text(EXTENSIONS)
    (tmp_path / "app" / "views.py").write_text(views)
    expected = sorted(e["code"] for e in cli_json(tmp_path, ".") if e["filename"].endswith("views.py"))
    assert expected == ["CL003", "CL012"]

    async def scenario():
        async with Session(tmp_path) as session:
            uri = session.open("app/views.py", views)
            # Once the project stage has read extensions.py, `cache` is Flask-Caching's.
            found = await session.diagnostics(uri, 1, until=lambda found: codes(found) == expected)
            version = session.change(uri, views.replace("return cache.get(pid)", 'return cache.get(f"product:{pid}")'))
            assert codes(await session.diagnostics(uri, version)) == ["CL012"]
            return found

    run(scenario())


def test_without_pygls_the_server_says_how_to_install_it():
    blocked = "import sys; sys.modules['pygls'] = None; from cachelint.cli import main; main(['server'])"
    ran = subprocess.run([sys.executable, "-c", blocked], cwd=ROOT, capture_output=True, text=True)
    assert ran.returncode == 2
    assert ran.stderr == "error: `cachelint server` needs pygls: pip install 'cachelint[lsp]'\n"


def test_a_workspace_folder_added_later_is_a_project(tmp_path):
    from tests.test_missing_invalidation import CATALOG, pricing

    (tmp_path / "edited").mkdir()
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "catalog.py").write_text(textwrap.dedent(CATALOG))
    (shop / "pricing.py").write_text(pricing())

    async def scenario():
        async with Session(tmp_path / "edited") as session:
            uri = shop.joinpath("pricing.py").as_uri()
            session.versions[uri], session.texts[uri] = 1, pricing()
            session.client.text_document_did_open(types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri, "python", 1, pricing())))
            assert "CL010" not in codes(await session.diagnostics(uri, 1))  # in no project
            session.client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
                types.WorkspaceFoldersChangeEvent(added=[types.WorkspaceFolder(shop.as_uri(), "shop")], removed=[])))
            await session.diagnostics(uri, 1, until=lambda found: "CL010" in codes(found))

    run(scenario())


def test_unused_suppressions_are_judged_on_the_text_being_edited(tmp_path):
    """CL900, selected, judges the editor's text as `check` judges the saved file; a
    project rule's code is left alone, as only a whole-project run can tell it used."""
    (tmp_path / "pyproject.toml").write_text('[tool.cachelint]\nextend-select = ["CL900"]\n')
    stale = WITH_TTL.replace("payload, ex=300)", "payload, ex=300)  # noqa: CL002, CL010")
    (tmp_path / "shop.py").write_text(BOTH)  # on disk the suppression is not there at all

    async def scenario():
        async with Session(tmp_path) as session:
            uri = session.open("shop.py", stale)
            found = [d for d in await session.diagnostics(uri, 1) if d.code == "CL900"]
            assert [(d.range.start.line, d.message) for d in found] == [
                (15, "Unused codes in `# noqa: CL002, CL010`: nothing here for `CL002` to suppress")]
            version = session.change(uri, BOTH.replace("payload)\n", "payload)  # noqa: CL002\n"))
            assert codes(await session.diagnostics(uri, version)) == ["CL001"]

    run(scenario())
