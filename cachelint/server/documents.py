"""What the server reports for the text of one document: what `cachelint check` reports
for that file in a whole-project run, had the editor's text been saved.

- Settings: those of a `cachelint check` run in the file's project (cachelint.server.project),
  each file taking its nearest configuration, read afresh for every lint (an edit of a
  `pyproject.toml` counts at once); a configuration error is one diagnostic naming the key.
- The file: `engine.lint_source`, the command line's own pipeline (prefilter, parse,
  model, rules, selection, suppression comments), then again with the clients it
  imports from other modules declared, when the project makes some, as `lint_paths` does.
- The project: the project rules' findings in the file (CL010), from the last
  whole-project run, while the text is the one that run read.
- Suppression comments (CL900, when selected): judged on the editor's text by what the
  file's rules found, as `check` judges them, save a project rule's codes, which only a
  whole-project run can tell used or not.
- A problem is a diagnostic, never an exception: a syntax error is `invalid-syntax` (as
  on the command line), a crash in a rule or in the model is one `internal-error`
  naming the rule, and every other rule still reports.
"""
from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass

from cachelint import engine
from cachelint.config import ConfigError, Settings
from cachelint.diagnostic import Diagnostic, Location
from cachelint.model import CacheDecorator, CacheOp, ModuleModel, build_model
from cachelint.server.project import Project, Snapshot, project_of, settings_for
from cachelint.server.reparse import ReusingParser


@dataclass(frozen=True)
class Linted:
    diagnostics: tuple[Diagnostic, ...]
    project: Project | None  # the project the file belongs to, if any
    docs_url: str | None = None  # the file's `docs-url` setting (cachelint.report.docs)


class Linter:
    """Lints documents; keeps each project's last snapshot and each document's last parse.
    Called from one thread at a time (the server lints on a single worker thread)."""

    def __init__(self, folders: list[str] | None = None) -> None:
        self.folders = folders or []  # the workspace folders: each is a project
        self.snapshots: dict[Project, Snapshot] = {}
        self._parsers: dict[str, ReusingParser] = {}  # by path

    def forget(self, path: str) -> None:
        """The document is closed: drop its last parse."""
        self._parsers.pop(path, None)

    def project_of(self, path: str) -> Project | None:
        try:
            return project_of(path, self.folders)
        except (ConfigError, OSError):
            return None

    def settings_for(self, path: str) -> Settings:
        """The settings of the run the file is linted in: its project's, or its own when
        it is in none. ConfigError or OSError when they cannot be read."""
        project = self.project_of(path)
        return settings_for(project.root if project is not None else path)

    def lint(self, path: str, text: str) -> Linted:
        project = self.project_of(path)
        try:
            settings = self.settings_for(path)
        except ConfigError as error:
            return Linted((engine.problem(path, "config-error", str(error)),), project)
        except OSError as error:
            return Linted((engine.problem(path, "config-error", f"cannot read the configuration: {error}"),), project)
        snapshot = self.snapshots.get(project) if project is not None else None
        try:
            result = self._lint_source(path, _raw(text), settings, snapshot)
        except Exception as error:  # a bug in cachelint must cost this document's findings, not the server
            message = engine._internal_error("cachelint", path, error)
            return Linted((engine.problem(path, "internal-error", message),), project)
        result.text = text  # the comment rules read the editor's text, not the file saved
        engine.check_comments([result], settings, project_rules_ran=False)
        found = [*result.diagnostics, *(engine.problem(path, "internal-error", error) for error in result.internal_errors)]
        if snapshot is not None:
            found += snapshot.findings_for(path, text)
        return Linted(tuple(sorted(set(found), key=Diagnostic.sort_key)), project, settings.for_file(path).docs_url)

    def _lint_source(self, path: str, raw: bytes, settings: Settings, snapshot: Snapshot | None) -> engine.FileResult:
        parse = self._parsers.setdefault(path, ReusingParser())
        # The file's project facts cost a fifth of a lint, and only say here whether it
        # makes a client of its own when it imports one.
        imports_a_client = snapshot is not None and snapshot.imports_a_client(raw, settings)
        result = engine.lint_source(path, raw, settings, parse=parse, facts=imports_a_client)
        declared = snapshot.declaring_imported_clients(result, raw, settings) \
            if snapshot is not None and imports_a_client else None
        if declared is None:
            return result
        return engine.lint_source(path, raw, declared, prefilter=False, parse=parse, facts=False)

    def model(self, path: str, text: str) -> ModuleModel | None:
        """The model of the whole text, built with the settings it is linted with; None
        when the text does not parse or the settings are wrong."""
        try:
            settings = self.settings_for(path)
            module = self._parsers.setdefault(path, ReusingParser())(text)
        except Exception:
            return None
        raw = text.encode("utf-8")
        project = self.project_of(path)
        snapshot = self.snapshots.get(project) if project is not None else None
        if snapshot is not None:
            settings = snapshot.declaring_imported_clients(engine.FileResult(path), raw, settings) or settings
        return build_model(path, raw, module, settings.for_file(path).clients)

    def cache_use_at(self, path: str, text: str, location: Location) -> tuple[ModuleModel, CacheOp | CacheDecorator] | None:
        """The innermost cache operation or decorator at `location`, with the model it is of."""
        model = self.model(path, text)
        if model is None:
            return None
        found: CacheOp | CacheDecorator | None = None
        start = None
        uses: list[CacheOp | CacheDecorator] = [*model.ops, *model.decorators]
        for use in uses:
            begin, end = model.range(use.node)
            if begin <= location <= end and (start is None or begin >= start):
                found, start = use, begin
        return (model, found) if found is not None else None


def _raw(text: str) -> bytes:
    """The bytes the file would hold: in the encoding its coding cookie names, if any."""
    raw = text.encode("utf-8", "surrogatepass")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw if encoding in ("utf-8", "utf-8-sig") else text.encode(encoding)
    except (SyntaxError, UnicodeEncodeError, LookupError):
        return raw  # the engine says what is wrong with the cookie
