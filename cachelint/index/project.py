"""The project pass: facts from each file, then the project rules on the merged index."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from cachelint import selection, suppressions
from cachelint.diagnostic import Diagnostic, Location
from cachelint.index.facts import file_facts
from cachelint.index.index import ProjectIndex, StaleWrite
from cachelint.model.cache.clients import module_clients
from cachelint.model.core.modules import module_name

if TYPE_CHECKING:
    from cachelint.config import Settings
    from cachelint.engine import FileResult
    from cachelint.model import ModuleModel


def entity_mentions(files: list["FileResult"]) -> re.Pattern[bytes] | None:
    """What a file's text must contain to hold a write to an entity some file caches: a
    word that is the entity's name, singular or plural, in any case (`Product`,
    `products`); None when no file caches an entity or CL010 found nothing to read."""
    names = {name for file in files if file.facts for read in file.facts["reads"] for name in read["entity"]}
    if not names:
        return None
    words = sorted({form for name in names for form in (name, f"{name}s", f"{name}es", f"{name[:-1]}ies")})
    return re.compile(rb"\b(?:" + b"|".join(re.escape(word.encode()) for word in words) + rb")\b", re.I)


def display_path(filename: str, root: Path) -> str:
    """How messages name a file: relative to the project root when under it."""
    relative = os.path.relpath(os.path.abspath(filename), os.path.abspath(root))
    return filename if relative.startswith("..") else Path(relative).as_posix()


def facts_for(model: "ModuleModel", settings: "Settings") -> dict:
    facts = file_facts(model, module_name(model.path), display_path(model.path, settings.root))
    made = module_clients(model.module_scope, model.resolver)
    if made:
        facts["clients"] = made  # what other modules may import (cachelint.index.clients)
    return facts


def index_of(files: list["FileResult"]) -> ProjectIndex:
    return ProjectIndex([file.facts for file in files if file.facts])


def check_project(files: list["FileResult"], settings: "Settings") -> None:
    """Add the project rules' diagnostics to `files`."""
    from cachelint.rules.missing_invalidation import MissingInvalidation

    if not any(file.facts and file.facts["writes"] for file in files):
        return
    by_path = {file.facts["path"]: file for file in files if file.facts}
    found: dict[str, list[Diagnostic]] = {}
    for stale in index_of(files).stale_writes():
        file = by_path[stale.write["path"]]
        found.setdefault(file.filename, []).append(_diagnostic(MissingInvalidation, stale, file.filename))
    for file in files:
        if file.filename in found:
            _add(file, found[file.filename], settings, MissingInvalidation.code)


def _diagnostic(rule, stale: StaleWrite, filename: str) -> Diagnostic:
    write = stale.write
    return Diagnostic(
        rule.code, rule.name, rule.message(stale), filename, Location(*write["start"]), Location(*write["end"]),
        url=rule.docs_path(), statement_rows=tuple(write["statement_rows"]),
    )


def _add(file: "FileResult", diagnostics: list[Diagnostic], settings: "Settings", code: str) -> None:
    """Keep the diagnostics the file's selection and suppression comments allow."""
    text = file.text
    if text is None:
        try:
            from cachelint.engine import decode

            text, _ = decode(Path(file.filename).read_bytes())
        except (OSError, UnicodeDecodeError, SyntaxError):
            return
    codes = settings.codes_for(file.filename) - selection.matching(suppressions.file_level(text))
    if code not in codes:
        return
    by_row = suppressions.comments(text)
    kept = [d for d in diagnostics if not suppressions.is_suppressed(d, by_row)]
    if kept:
        file.text = text
        file.diagnostics = sorted(set(file.diagnostics) | set(kept), key=Diagnostic.sort_key)
