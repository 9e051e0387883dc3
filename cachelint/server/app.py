"""The language server itself: pygls wiring for cachelint.server's parts.

- A document is linted when it is opened or saved, and DEBOUNCE_SECONDS after the last
  change of a burst of typing; its diagnostics are published for the version linted,
  and dropped if the document changed meanwhile (a newer lint is on its way).
- Linting runs on one worker thread, one document at a time, so the server keeps
  answering while a big module is linted (and LibCST's parser is never run twice at once).
- The project stage runs in a worker process (cachelint.server.project): once for each
  project when its first document is opened, and again after a save; when it is done,
  the project's open documents are linted again with what it found.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

import cachelint
from cachelint.diagnostic import Diagnostic
from cachelint.project.extract import cache_use
from cachelint.server import protocol
from cachelint.server.documents import Linter
from cachelint.server.positions import Lines
from cachelint.server.project import Project, snapshot

DEBOUNCE_SECONDS = 0.05


@dataclass(frozen=True)
class Published:
    """The diagnostics last published for a document, and the text and version they are of."""

    version: int | None
    text: str
    diagnostics: tuple[Diagnostic, ...]
    docs_url: str | None  # the file's `docs-url` setting


class CachelintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("cachelint", cachelint.__version__)
        self.linter = Linter()
        self.lint_thread = ThreadPoolExecutor(1, thread_name_prefix="cachelint-lint")
        self.pending: dict[str, asyncio.Task] = {}
        self.published: dict[str, Published] = {}
        self._project_pool: multiprocessing.pool.Pool | None = None
        self._refreshing: dict[Project, asyncio.Task] = {}
        self._refresh_again: set[Project] = set()

    # ------------------------------------------------------------------ documents

    def path_of(self, uri: str) -> str:
        return to_fs_path(uri) or uri

    def schedule(self, uri: str, delay: float) -> None:
        """Lint the document after `delay` seconds, instead of any lint still waiting for it."""
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self.pending[uri] = asyncio.get_running_loop().create_task(self._lint_later(uri, delay))

    async def _lint_later(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        await self.lint_and_publish(uri)

    async def lint_and_publish(self, uri: str) -> None:
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return
        version, text = document.version, document.source
        linted = await asyncio.get_running_loop().run_in_executor(
            self.lint_thread, self.linter.lint, self.path_of(uri), text)
        if self.workspace.text_documents.get(uri) is not document or document.version != version:
            return  # changed or closed meanwhile
        self.published[uri] = Published(version, text, linted.diagnostics, linted.docs_url)
        lines = Lines(text, self.workspace.position_encoding)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri, [protocol.to_lsp(diagnostic, lines, linted.docs_url) for diagnostic in linted.diagnostics], version))
        if linted.project is not None and linted.project not in self.linter.snapshots:
            self.refresh(linted.project)

    def forget(self, uri: str) -> None:
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self.published.pop(uri, None)
        self.lint_thread.submit(self.linter.forget, self.path_of(uri))
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    # ------------------------------------------------------------------ the project stage

    def refresh(self, project: Project) -> None:
        """Run the project stage again, after the run under way if there is one."""
        if project in self._refreshing:
            self._refresh_again.add(project)
            return
        self._refreshing[project] = asyncio.get_running_loop().create_task(self._refresh(project))

    async def _refresh(self, project: Project) -> None:
        try:
            found = await self._in_project_worker(project)
        except Exception as error:  # the worker died, or cachelint failed outside any file
            self.window_log_message(types.LogMessageParams(
                types.MessageType.Error, f"cachelint: the project stage failed on {project.root}: {error!r}"))
            self._project_pool = None
        else:
            for problem in found.errors:
                self.window_log_message(types.LogMessageParams(types.MessageType.Warning, f"cachelint: {problem}"))
            self.linter.snapshots[project] = found
            for uri in list(self.published):
                if self.linter.project_of(self.path_of(uri)) == project:
                    self.schedule(uri, 0)
        finally:
            del self._refreshing[project]
        if project in self._refresh_again:
            self._refresh_again.discard(project)
            self.refresh(project)

    def _in_project_worker(self, project: Project) -> asyncio.Future:
        """The project's snapshot, made in a process of its own: the project run forks
        workers (which a threaded process must not), and never competes for the GIL."""
        if self._project_pool is None:
            self._project_pool = multiprocessing.get_context("spawn").Pool(1, initializer=_stdout_to_stderr)
        loop = asyncio.get_running_loop()
        future = loop.create_future()

        def settle(outcome, exception: bool = False) -> None:  # in the pool's thread
            if not future.done():
                (future.set_exception if exception else future.set_result)(outcome)

        self._project_pool.apply_async(
            snapshot, (project,),
            callback=lambda found: loop.call_soon_threadsafe(settle, found),
            error_callback=lambda error: loop.call_soon_threadsafe(settle, error, True),
        )
        return future

    def stop_project_worker(self) -> None:
        if self._project_pool is not None:
            self._project_pool.terminate()
            self._project_pool = None

    # ------------------------------------------------------------------ requests

    def current(self, uri: str) -> Published | None:
        """What was published for the document, if it is still the document's text."""
        published = self.published.get(uri)
        document = self.workspace.text_documents.get(uri)
        if published is None or document is None or document.version != published.version:
            return None
        return published


def _stdout_to_stderr() -> None:
    """In the project worker: standard output is the editor's channel, never to be written
    to by anything but the server; whatever would be printed goes to standard error."""
    os.dup2(2, 1)
    sys.stdout = sys.stderr


server = CachelintServer()


@server.feature(types.INITIALIZED)
def initialized(ls: CachelintServer, params: types.InitializedParams) -> None:
    ls.linter.folders = _folders(ls)


@server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
def folders_changed(ls: CachelintServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    ls.linter.folders = _folders(ls)  # pygls has updated its workspace
    for uri in list(ls.published):
        ls.schedule(uri, 0)


def _folders(ls: CachelintServer) -> list[str]:
    """The workspace folders, each a project (cachelint.server.project)."""
    folders = [to_fs_path(folder.uri) for folder in ls.workspace.folders.values()]
    if ls.workspace.root_path:
        folders.append(ls.workspace.root_path)
    return [folder for folder in folders if folder]


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: CachelintServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: CachelintServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: CachelintServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.schedule(uri, 0)
    project = ls.linter.project_of(ls.path_of(uri))
    if project is not None:
        ls.refresh(project)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: CachelintServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.forget(params.text_document.uri)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
)
def code_action(ls: CachelintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    published = ls.current(uri)
    if published is None:
        return []
    lines = Lines(published.text, ls.workspace.position_encoding)
    return protocol.code_actions(uri, published.diagnostics, lines, params.range, params.context.only,
                                 published.docs_url)


@server.feature(types.TEXT_DOCUMENT_HOVER)
async def hover(ls: CachelintServer, params: types.HoverParams) -> types.Hover | None:
    document = ls.workspace.text_documents.get(params.text_document.uri)
    if document is None:
        return None
    text = document.source
    lines = Lines(text, ls.workspace.position_encoding)
    location = lines.location(params.position)
    found = await asyncio.get_running_loop().run_in_executor(ls.lint_thread, _cache_use_at, ls, document.uri, text, location)
    if found is None:
        return None
    use, (start, end) = found
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, protocol.hover_text(use)), lines.range(start, end))


def _cache_use_at(ls: CachelintServer, uri: str, text: str, location):
    """What `cachelint ops` says of the cache operation or decorator at `location`, and its range."""
    found = ls.linter.cache_use_at(ls.path_of(uri), text, location)
    if found is None:
        return None
    model, use = found
    return cache_use(model, use), model.range(use.node)


@server.command(protocol.SHOW_DOCUMENTATION)
async def show_documentation(ls: CachelintServer, uri: str) -> None:
    await ls.window_show_document_async(types.ShowDocumentParams(uri, external=not uri.startswith("file:")))


@server.feature(types.SHUTDOWN)
def shutdown(ls: CachelintServer, params: None) -> None:
    ls.stop_project_worker()


def run() -> None:
    server.start_io()
