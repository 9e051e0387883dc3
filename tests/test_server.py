"""`cachelint server`, driven over stdio by a real LSP client (pygls'), as an editor drives it."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
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
            data = compute(k)
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
        assert diagnostic.code_description.href.endswith(finding["url"])
        assert Path(to_fs_path(diagnostic.code_description.href)).is_file()
        assert diagnostic.source == "cachelint"
