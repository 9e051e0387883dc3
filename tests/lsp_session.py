"""A real LSP client (pygls') driving `cachelint server` over stdio, for the server's tests
and scripts/bench_lsp.py."""
from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Union

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.protocol import default_converter
from pygls.uris import to_fs_path

ROOT = Path(__file__).resolve().parent.parent
SERVER = (sys.executable, "-m", "cachelint", "server")
TIMEOUT = 30


def converter():
    """pygls' converter, telling a code action that runs a command from a command as
    editors do (by the type of `command`): lsprotocol's own guess takes the first for the second."""
    made = default_converter()

    def command_or_action(data: dict, _) -> types.Command | types.CodeAction:
        return made.structure(data, types.Command if isinstance(data.get("command"), str) else types.CodeAction)

    made.register_structure_hook(Union[types.Command, types.CodeAction], command_or_action)  # noqa: UP007 (cattrs keys hooks by typing.Union)
    return made


class Session:
    """One editor session: a server process, the documents open in it, what it published."""

    def __init__(self, folder: Path, command: tuple[str, ...] = SERVER) -> None:
        self.folder = folder
        self.command = command
        self.client = LanguageClient("cachelint-tests", "1", converter_factory=converter)
        self.published: dict[str, list[types.PublishDiagnosticsParams]] = {}
        self.arrived = asyncio.Event()
        self.shown: list[str] = []
        self.versions: dict[str, int] = {}
        self.texts: dict[str, str] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.published.setdefault(params.uri, []).append(params)
            self.arrived.set()

        @self.client.feature(types.WINDOW_SHOW_DOCUMENT)
        def on_show_document(params: types.ShowDocumentParams) -> types.ShowDocumentResult:
            self.shown.append(params.uri)
            return types.ShowDocumentResult(success=True)

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def on_log(params: types.LogMessageParams) -> None:
            pass

    async def __aenter__(self) -> Session:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        await self.client.start_io(*self.command, cwd=str(self.folder), env=env)
        await asyncio.wait_for(self.client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(
                general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]),
            ),
            root_uri=self.folder.as_uri(),
            workspace_folders=[types.WorkspaceFolder(self.folder.as_uri(), self.folder.name)],
        )), TIMEOUT)
        self.client.initialized(types.InitializedParams())
        return self

    async def __aexit__(self, *exc_info) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), TIMEOUT)
            self.client.exit(None)
        finally:
            await self.client.stop()

    # ------------------------------------------------------------------ documents

    def uri(self, name: str) -> str:
        return (self.folder / name).as_uri()

    def open(self, name: str, text: str) -> str:
        uri = self.uri(name)
        self.versions[uri], self.texts[uri] = 1, text
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri, "python", 1, text)))
        return uri

    def change(self, uri: str, text: str) -> int:
        """Replace the document's text; the new version."""
        self.versions[uri] += 1
        self.texts[uri] = text
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(self.versions[uri], uri),
            [types.TextDocumentContentChangeWholeDocument(text)]))
        return self.versions[uri]

    def save(self, uri: str) -> None:
        Path(to_fs_path(uri)).write_text(self.texts[uri])
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))

    def apply(self, uri: str, edit: types.WorkspaceEdit) -> int:
        """Apply a code action's edit as the editor would, and send it; the new version."""
        return self.change(uri, apply_edits(self.texts[uri], edit.changes[uri]))

    async def diagnostics(self, uri: str, version: int | None = None, until=None) -> list[types.Diagnostic]:
        """The next diagnostics published for this version of the document (any version:
        None) that satisfy `until`, if given."""
        seen = 0

        async def wait() -> list[types.Diagnostic]:
            nonlocal seen
            while True:
                for params in self.published.get(uri, [])[seen:]:
                    seen += 1
                    if (version is None or params.version == version) and (until is None or until(params.diagnostics)):
                        return params.diagnostics
                self.arrived.clear()
                await self.arrived.wait()

        return await asyncio.wait_for(wait(), TIMEOUT)

    def forget_published(self, uri: str) -> None:
        self.published[uri] = []

    async def code_actions(self, uri: str, diagnostic: types.Diagnostic, only=None) -> list[types.CodeAction]:
        return await asyncio.wait_for(self.client.text_document_code_action_async(types.CodeActionParams(
            types.TextDocumentIdentifier(uri), diagnostic.range,
            types.CodeActionContext([diagnostic], only=only))), TIMEOUT)

    async def hover(self, uri: str, line: int, character: int) -> types.Hover | None:
        return await asyncio.wait_for(self.client.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), types.Position(line, character))), TIMEOUT)

    async def execute(self, command: types.Command):
        return await asyncio.wait_for(self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command.command, command.arguments)), TIMEOUT)


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """The text with LSP edits applied (positions in UTF-16 units, as the session asks)."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        before = sum(len(line) + 1 for line in lines[: position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        units = column = 0
        while column < len(line) and units < position.character:
            units += len(line[column].encode("utf-16-le")) // 2
            column += 1
        return before + column

    spans = sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text
