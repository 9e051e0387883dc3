"""The project stage for the editor: what a whole-project `cachelint check` gives that no
file gives alone.

A file's project is the innermost workspace folder it is in, or else the folder of its
nearest configuration (`pyproject.toml` with `[tool.cachelint]`). `snapshot(project)`
runs `cachelint check` over the whole project as the command line does in its folder
(the same settings, each file's nearest configuration; `engine.lint_paths` with the same
result cache, so a warm run reads only what changed) and keeps two things of it:

- the project rules' findings (CL010) in each file, with the text they were found in:
  the server shows them for a document only while the editor holds that same text, so
  that it never shows a finding a whole-project run would not give (or one at a row
  that moved);
- the cache clients the project's modules make (`extensions.py`: `cache = Cache()`):
  a module that imports one is linted with it declared, as `lint_paths` does.

It runs in a worker process (the server reruns it after each save), so that a long
first run never holds up the diagnostics of the document being edited.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from cachelint import cache, engine, parallel, rules
from cachelint.config import ConfigError, Overrides, Settings, find_config, hierarchical, load_settings
from cachelint.diagnostic import Diagnostic
from cachelint.project.clients import exported_clients, imports_of
from cachelint.project.model import ProjectModel
from cachelint.rules.base import ProjectRule

# The rules whose findings only the project stage gives.
PROJECT_CODES = frozenset(rule.code for rule in rules.ALL_RULES if issubclass(rule, ProjectRule))


def settings_for(path: str | Path) -> Settings:
    """The settings `cachelint check` runs with from `path` (a file, or a project's
    folder): its nearest configuration, and each file's own nearest one. ConfigError
    when one of them is wrong."""
    return hierarchical(load_settings(find_config(Path(path))), Overrides())


@dataclass(frozen=True)
class Project:
    """A project: the folder a whole-project run starts in."""

    root: str


@dataclass
class Snapshot:
    """What one whole-project run gave."""

    project: Project
    # Absolute path -> the file's text as linted, and the project findings in it.
    findings: dict[str, tuple[str, tuple[Diagnostic, ...]]] = field(default_factory=dict)
    clients: dict[str, str] = field(default_factory=dict)  # qualified name -> library
    errors: tuple[str, ...] = ()  # the run's internal errors, or why it could not run

    def findings_for(self, path: str, text: str) -> tuple[Diagnostic, ...]:
        """The project findings in `path`, if the editor's `text` is the one they were found in."""
        linted, found = self.findings.get(os.path.abspath(path), ("", ()))
        return found if linted == text else ()

    def imports_a_client(self, raw: bytes, settings: Settings) -> bool:
        """Whether the file's text imports a client another module of the project makes
        that the configuration does not declare (cachelint.project.clients)."""
        exported = self._exported(settings)
        return bool(exported) and imports_of(list(exported)).search(raw) is not None

    def declaring_imported_clients(self, result: engine.FileResult, raw: bytes, settings: Settings) -> Settings | None:
        """The settings `lint_paths` lints this file with again, whole, when it imports a
        client another module makes and makes none itself (the engine's second pass);
        None when it does not."""
        if not self.imports_a_client(raw, settings) or (result.facts is not None and result.facts.clients):
            return None
        return dataclasses.replace(settings, clients=settings.clients.with_objects(self._exported(settings)))

    def _exported(self, settings: Settings) -> dict[str, str]:
        return {name: library for name, library in self.clients.items() if name not in settings.clients.objects}

def project_of(path: str, folders: list[str]) -> Project | None:
    """The project a file belongs to: the innermost workspace folder that holds it, or
    its nearest configuration's folder; None for a file outside both."""
    inside = [folder for folder in folders if _is_within(path, folder)]
    if inside:
        return Project(os.path.abspath(max(inside, key=len)))
    config = find_config(Path(path))
    return Project(str(config.parent)) if config is not None else None


def _is_within(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([os.path.abspath(path), os.path.abspath(folder)]) == os.path.abspath(folder)
    except ValueError:  # another drive
        return False


def snapshot(project: Project) -> Snapshot:
    """Run `cachelint check` on the whole project, as the command line would from its folder."""
    try:
        settings = settings_for(project.root)
        cache_dir = Path(os.environ.get("CACHELINT_CACHE_DIR") or settings.root / cache.DIRECTORY_NAME)
        run = engine.lint_paths([Path(project.root)], settings, parallel.default_jobs(), cache_dir)
    except ConfigError as error:
        return Snapshot(project, errors=(str(error),))
    findings = {}
    for file in run.files:
        found = tuple(d for d in file.diagnostics if d.code in PROJECT_CODES)
        if found and file.text is not None:
            findings[os.path.abspath(file.filename)] = (file.text, found)
    facts = [file.facts for file in run.files if file.facts is not None]
    return Snapshot(project, findings, exported_clients(ProjectModel(facts), settings.clients), tuple(run.internal_errors))
