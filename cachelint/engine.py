"""From source text to diagnostics: decode, prefilter, parse, model, rules, suppressions.

A problem with one file (bytes that do not decode, a syntax error) becomes a diagnostic
for that file; a crash inside one rule becomes an internal error naming the rule and
the file. Neither stops any other rule or file from being checked.

`lint_paths` runs these passes, in this order:

1. **Files.** Each file is decoded, prefiltered, parsed (in part when it can be:
   cachelint.sparse), modelled and checked by the module rules, and its facts for the
   project stage are taken (cachelint.project.facts). An unchanged file's result comes
   from the result cache; the others are linted in worker processes.

The passes after it run project by project (`_later_passes`): a run may be given several
projects (a folder of applications), and each file belongs to the one under its project
root (cachelint.project.roots). A project's passes see its own files' facts only: what
another project exports, caches or writes is none of its business; so, while the
workers run, the projects' passes run side by side (`parallel.Workers.side_by_side`).

2. **TTL constants.** When a TTL reads a constant or a Django setting another module
   binds, the modules that may bind it, which the prefilter skipped, are linted for
   their constants (`_lint_for_the_ttl_constants`).
3. **Imported clients.** A file that imports a cache client another module of the
   project makes (`from .extensions import cache`), a wrapper, or such a constant, is
   linted again with those declared (cachelint.project.clients), a few rounds at most:
   parsed in part, for what is declared (cachelint.sparse), or whole (with
   `--no-prefilter`, and while a DB entity is cached: pass 4 wants every file whole). So is a file the first pass did not model whole that makes, at module level, an
   instance of a class holding a client (`cache_manager = CacheManager()`), and one the
   prefilter skipped that reads an attribute the project types (`holder.cache`): without
   them the report would depend on the prefilter. Cached in a pack of its own, keyed on
   what is declared: it depends on the other files.
4. **Entities.** When some file caches a DB entity, the project rules need every write
   that may touch it: a file the prefilter skipped that names the entity (in its code or
   strings: a docstring or a comment holds no write), and a file parsed in part, are
   linted whole. Cached: a whole parse only adds facts, and gives
   the same diagnostics. An install script the prefilter skipped (a data migration,
   whose writes CL010 does not judge) only when its functions may join the path of a
   write it judges (`_on_write_paths`).
5. **Cache backends.** When a module rule's finding depends on the cache backends the
   project's settings configure (CL005 on Django's cache or Flask-Caching:
   `FileFacts.provisional`), a file the prefilter skipped that names the setting
   (`CACHES`, `CACHE_TYPE`) is linted after all, for its backends
   (`_lint_for_the_backends`). The project stage settles those findings from the
   backends of every file (cachelint.project.backends, `_settle`): a finding's file is
   not linted again.
6. **Project.** The `ProjectModel` is merged from every file's facts, fresh or cached
   alike, and the project rules (CL010) check it. Their findings depend on every file:
   they are kept as an outcome of the project's files and contents, as the second pass's
   are (`check_project`), under names of the project's root (`_Outcomes`): a warm run
   after one project of a run changed does that project's passes again, and only its.

The passes share one set of worker processes (`parallel.Workers`), started by the first
pass that has enough files for them, or, for a run that will lint every file (a cold run
of a folder), before discovery, which they then overlap. The imported clients and the entities passes find
the files they concern by their text (`_screened`), read and tested in the workers, so
that the main process does not read every file of the project once a pass; a file's
answer is kept in the result cache, as an entry of the pass's pack (a file left) or a
note of the file's entry (what it defines, `_typed_attributes`; whether it names an
entity cached, `_naming`), so that a run after reads no unchanged file again.

Each diagnostic, of a module rule or a project rule, goes through the file's selection
and suppression comments once (`_selected`). The run lists the files in the order
discovery found them, whatever order the workers finish in.
"""
from __future__ import annotations

import ast
import contextlib
import dataclasses
import functools
import gc
import hashlib
import importlib
import io
import os
import re
import tokenize
import traceback
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from cachelint import catalog, parallel, selection, suppressions
from cachelint.cache import Cached, ResultCache, cache_key, content_digest, holds_results
from cachelint.config import ConfigError, Settings
from cachelint.diagnostic import Diagnostic, Edit, Fix, Location
from cachelint.discover import describe_os_error, discover
from cachelint.model.core.modules import display_path, is_install_script, module_name, package_of
from cachelint.prefilter import (
    Prefilter,
    code_of,
    may_import_relatively,
    prefilter_for,
    without_prose,
    writes_a_declared_path,
    writes_a_declared_path_in_code,
)
from cachelint.project.backends import ProjectBackends, setting_names
from cachelint.project.cache_like import code_text, first_look, may_hold_calls, may_name_a_cache
from cachelint.project.clients import (
    NOTHING_DEFINED,
    Defined,
    NameUses,
    Prefiltered,
    Words,
    attribute_uses,
    attributes_defined,
    defined_in_text,
    exported_clients,
    exported_constants,
    exported_wrappers,
    rows_defining,
    taken_back,
    unmatched,
    uses_of,
)
from cachelint.project.facts import (
    DJANGO_SETTINGS,
    Backend,
    FileFacts,
    Provisional,
    UnresolvedCall,
    is_settings_module,
)
from cachelint.project.model import ProjectModel, entity_mentions
from cachelint.project.roots import by_project

if TYPE_CHECKING:
    import libcst as cst

    from cachelint.model import ModuleModel
    from cachelint.rules.base import CommentFinding, CommentRule, Finding, ProjectFinding, ProjectRule, Rule
    from cachelint.sparse import Declared

# What parses, models and checks a file (LibCST, the model, the rules) is imported when a
# file is linted (`_lint_source`), not here: a run whose files all come from the result
# cache (or only have a new time) never imports it. Before worker processes start, it is
# imported once (`_import_the_linter`), so that every worker inherits it.
_LINTER = ("cachelint.parsing", "cachelint.sparse", "cachelint.model.build", "cachelint.project.extract",
           "cachelint.rules")


@dataclass
class FileResult:
    """What linting one file gave."""

    filename: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    text: str | None = None  # kept for reporters that show source lines, and for fixes
    encoding: str = "utf-8"
    # What the project stage needs from this file; kept in the result cache with the diagnostics.
    facts: FileFacts | None = None
    # The rule findings a suppression comment hid (CL900 judges the comments by them); kept
    # in the result cache too.
    suppressed: list[Diagnostic] = field(default_factory=list)
    # Calls that look like cache use in code the model did not see (a file the prefilter
    # dropped, statements sparse parsing left out): those its facts would list as not
    # understood had it seen them (cachelint.project.unmodelled); kept in the result cache too.
    unmodelled: list[UnresolvedCall] = field(default_factory=list)
    # Whether the text may hold a name that looks like a cache (`cache_like.may_name_a_cache`):
    # one that holds none defines no attribute the project types (`_typed_attributes`), and
    # is not read for it. None: not known (a result from the cache).
    cache_words: bool | None = None

    @property
    def unresolved(self) -> list[UnresolvedCall]:
        """Every call in the file that looks like cache use and was not understood: in the
        code the model saw (its facts') and in the code it did not (`unmodelled`)."""
        return [*self.facts.unresolved, *self.unmodelled] if self.facts is not None else self.unmodelled


@dataclass
class RunResult:
    """What a run gave, file by file, in the order discovery found them."""

    files: list[FileResult] = field(default_factory=list)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return sorted((d for f in self.files for d in f.diagnostics), key=Diagnostic.sort_key)

    @property
    def internal_errors(self) -> list[str]:
        return [error for f in self.files for error in f.internal_errors]

    @property
    def sources(self) -> dict[str, str]:
        return {f.filename: f.text for f in self.files if f.text is not None and f.diagnostics}


def problem(filename: str, name: str, message: str, row: int = 1, column: int = 1) -> Diagnostic:
    location = Location(row, column)
    return Diagnostic(None, name, message, filename, location, location, statement_rows=(row, row))


_ASCII_SAMPLE = "# -*- coding: x -*-\nimport os\n"


def decode(raw: bytes) -> tuple[str, str]:
    """Source text and its encoding, honouring a PEP 263 coding cookie and a UTF-8 BOM."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    if _ASCII_SAMPLE.encode("ascii").decode(encoding, "replace") != _ASCII_SAMPLE:  # Python refuses it too
        raise SyntaxError(f"encoding problem: {encoding} (Python reads source only in an ASCII-compatible encoding)")
    return raw.decode(encoding), encoding


def lint_source(filename: str, raw: bytes, settings: Settings, prefilter: bool = True,
                parse: Callable[[str], cst.Module] | None = None, facts: bool = True,
                in_part: _InPart | None = None) -> FileResult:
    """The result of one file; with `prefilter`, a file in which the model can find
    nothing (cachelint.prefilter) is not parsed. `parse` is LibCST's parse, or one that
    gives the same module faster (the language server's, which reuses its last parse).
    Without `facts`, the facts for the project stage are not taken (the language server
    lints a document at each edit, and runs the project stage on the saved files).
    With `in_part` (the second pass's, without `prefilter`), the file is parsed in part
    for what `settings` and `in_part` declare (cachelint.sparse's `Declared`)."""
    from cachelint.parsing import on_deep_stack, parse_module

    with _without_cyclic_gc():
        read = _read_source(filename, raw, settings, prefilter, facts, in_part)
        if isinstance(read, FileResult):  # settled by its text, as most files are
            return read
        if read.dropped:
            result = FileResult(filename, encoding=read.encoding, cache_words=read.cache_words)
            result.unmodelled = on_deep_stack(_unmodelled_calls, read, parse or parse_module)
            return result
        return on_deep_stack(_lint_source, read, parse or parse_module, facts)


@contextlib.contextmanager
def _without_cyclic_gc():
    """Parsing a big file makes a million objects that all stay alive until it is done,
    and the cyclic collector would scan them again and again while they are made (a third
    of the time of a parse). Reference counting frees them anyway; the few cycles (the
    model's scopes) are collected once the collector runs again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class _Source:
    """A file's decoded text, and what the prefilter made of it (`_read_source`)."""

    filename: str
    text: str
    encoding: str
    settings: Settings  # the file's own configuration's
    screen: Prefilter | None  # None: the file is parsed whole
    tree_decides: bool  # the prefilter's verdict waits for the text's syntax tree (`Prefilter.wants_by_tree`)
    # Dropped by the prefilter from its text alone, which may hold calls not understood (`may_hold_calls`).
    dropped: bool = False
    in_part: _InPart | None = None  # what the second pass declares, which sparse parsing keeps too
    cache_words: bool | None = None  # `FileResult.cache_words`


@dataclass(frozen=True)
class _InPart:
    """How the second pass parses a file in part (`_client_rounds`): besides the names
    its settings declare, `holders`, the project's classes whose instances hold a
    client (qualified), which the screen knows too; and what sparse parsing keeps of the
    file's module for the round (`declared`: its names the round declares, those other
    modules import from it, the attribute names the project types, its package)."""

    holders: tuple[str, ...]
    declared: Declared


def _read_source(filename: str, raw: bytes, settings: Settings, prefilter: bool,
                 facts: bool = True, in_part: _InPart | None = None) -> FileResult | _Source:
    """The file's text, and what the prefilter tells from it alone; or the file's result,
    when that settles it: the file cannot be decoded, or the prefilter drops it and (with
    `facts`) its text holds no call that may be one not understood. This makes no syntax
    tree, and runs on the caller's stack: a file settled here (most of a project's) is not
    handed over to the deep one (`parsing.on_deep_stack`)."""
    settings = settings.for_file(filename)  # its nearest configuration's
    result = FileResult(filename)
    try:
        text, result.encoding = decode(raw)
    except UnicodeDecodeError as error:
        row = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        message = f"cannot decode file as {error.encoding}: {error.reason} (byte {raw[error.start]:#04x})"
        result.diagnostics.append(problem(filename, "io-error", message, row, column))
        return result
    except SyntaxError as error:  # a bad coding cookie
        result.diagnostics.append(problem(filename, "io-error", f"cannot decode file: {error.msg}", error.lineno or 1))
        return result
    custom_names = _custom_names(settings)
    if in_part is not None and not prefilter:  # parsed in part for what the second pass declares, or whole
        known = tuple(sorted({*custom_names, *in_part.holders}))
        whole = writes_a_declared_path_in_code(known, text)
        return _Source(filename, text, result.encoding, settings, None if whole else prefilter_for(known), False,
                       in_part=None if whole else in_part, cache_words=may_name_a_cache(text))
    whole = prefilter and (may_import_relatively(custom_names, text) or writes_a_declared_path(custom_names, text))
    screen = prefilter_for(custom_names) if prefilter and not whole else None
    verdict = screen.wants_by_text(text) if screen is not None else True
    if verdict is False and facts:  # most files: both from one search of the words
        calls, result.cache_words = first_look(text)
    else:
        calls, result.cache_words = False, may_name_a_cache(text)
    if verdict is False and not calls:
        return result
    return _Source(filename, text, result.encoding, settings, screen, verdict is None, dropped=verdict is False,
                   cache_words=result.cache_words)


def _lint_source(read: _Source, parse: Callable[[str], cst.Module], facts: bool) -> FileResult:
    import libcst as cst

    from cachelint import parsing, rules
    from cachelint.model.build import build_model
    from cachelint.project.extract import facts_for
    from cachelint.rules.base import Rule, RuleContext
    from cachelint.sparse import reduce as reduce_module

    filename, text, settings, screen = read.filename, read.text, read.settings, read.screen
    result = FileResult(filename, encoding=read.encoding, cache_words=read.cache_words)
    if screen is not None and read.tree_decides and not screen.wants_by_tree(text):
        if facts and may_hold_calls(text):
            result.unmodelled = _unmodelled_calls(read, parse)
        return result
    codes = settings.codes_for(filename) - selection.matching(suppressions.file_level(text))
    if not codes:
        return result
    result.text = text
    prepared = parsing.prepare(text)  # what LibCST keeps every position of
    in_part = read.in_part
    reduced = reduce_module(prepared.text, screen, in_part.declared if in_part is not None else None) \
        if screen is not None else None
    source, rows, outline = (reduced.text, reduced.rows, reduced.outline) if reduced is not None \
        else (prepared.text, None, None)
    try:
        parsed = parsing.parse(source, parse, outline)
    except cst.ParserSyntaxError as error:
        if reduced is not None:  # what Python parsed and LibCST does not: LibCST judges the whole file
            return _lint_source(dataclasses.replace(read, screen=None, tree_decides=False, in_part=None), parse, facts)
        result.diagnostics.append(_syntax_error(filename, text, error))
        return result
    except parsing.PythonRefuses as error:
        result.diagnostics.append(problem(filename, "invalid-syntax", error.message, error.row, error.column))
        return result
    except (RecursionError, MemoryError) as error:
        result.internal_errors.append(f"internal error in the parser on {filename}: {type(error).__name__}")
        return result
    try:
        # The model's positions are UTF-8 byte offsets, whatever the file's own encoding.
        model = build_model(filename, parsed.text.encode("utf-8"), parsed.module, settings.clients, rows,
                            prepared.shift)
    except Exception as error:  # a bug in the model must not cost the other files
        result.internal_errors.append(_internal_error("the model", filename, error))
        return result
    try:
        if facts:
            result.facts = facts_for(model, settings.root)
            # What the project stage needs may be in the statements left out.
            result.facts.partial = reduced is not None
            if reduced is not None:
                result.unmodelled = _left_out_calls(read, prepared.text, reduced.text, reduced.rows, parse)
    except Exception as error:
        result.internal_errors.append(_internal_error("the project facts", filename, error))
    diagnostics = []
    for rule in rules.ALL_RULES:
        if rule.code not in codes or not issubclass(rule, Rule):  # project and comment rules have passes of their own
            continue
        try:
            for finding in rule().check(model, RuleContext(settings.options_for(rule))):
                diagnostic = _in_file(_diagnostic(rule, finding, model), parsed.bounded)
                diagnostics.append(diagnostic)
                if finding.on_backend is not None and result.facts is not None:  # settled by the project stage
                    result.facts.provisional.append(Provisional(
                        rule.code, diagnostic.location.row, diagnostic.location.column, finding.on_backend))
        except Exception as error:
            result.internal_errors.append(_internal_error(f"rule {rule.code} ({rule.name})", filename, error))
    model.release()  # the tree freed now, not left to the cyclic collector (SourceModule.release)
    result.diagnostics, result.suppressed = _selected(diagnostics, filename, text, settings)
    return result


def _unmodelled_calls(read: _Source, parse: Callable[[str], cst.Module]) -> list[UnresolvedCall]:
    """In a file the prefilter dropped (whose text `may_hold_calls`): the calls its facts
    would list as not understood had the model seen the file (`--no-prefilter`), found on
    Python's syntax tree. Where
    that tree's names may not be the file's (`ast` normalises names that are not ASCII),
    or Python cannot parse it, the model itself answers."""
    from cachelint.model.core.modules import module_name
    from cachelint.parsing import on_deep_stack
    from cachelint.project.unmodelled import unmodelled_calls
    from cachelint.tree_scan import parse as syntax_tree

    text = read.text
    if not read.settings.codes_for(read.filename) - selection.matching(suppressions.file_level(text)):
        return []  # the model is not asked either
    tree = syntax_tree(text)
    if tree is None or not code_text(text).isascii():
        whole = on_deep_stack(_lint_source, dataclasses.replace(read, screen=None, tree_decides=False), parse, True)
        return whole.facts.unresolved if whole.facts is not None else []
    return unmodelled_calls(tree, lambda: module_name(read.filename))


def _left_out_calls(read: _Source, text: str, kept_text: str, kept_rows: tuple[int, ...],
                    parse: Callable[[str], cst.Module]) -> list[UnresolvedCall]:
    """In a file parsed in part (cachelint.sparse): the calls in the statements left out
    that its facts would list as not understood had the model seen the whole file.
    `kept_rows`: the file's row of each row of `kept_text` (a class none of whose members
    is kept has `...` on its first member's row: that row is left out)."""
    from cachelint.model.core.modules import module_name
    from cachelint.project.unmodelled import unmodelled_calls
    from cachelint.tree_scan import syntax_tree

    lines = text.split("\n")  # sparse parsing leaves a text with a lone carriage return whole
    kept = _kept(lines, kept_text, kept_rows)
    if not may_hold_calls("\n".join(line for row, line in enumerate(lines, 1) if row not in kept)):
        return []
    tree = syntax_tree(text)
    if tree is None or not code_text(text).isascii():
        whole = _lint_source(dataclasses.replace(read, screen=None, tree_decides=False), parse, True)
        return [call for call in whole.facts.unresolved if call.line not in kept] if whole.facts is not None else []
    return unmodelled_calls(tree, lambda: module_name(read.filename), lambda row: row not in kept)


def _kept(lines: list[str], kept_text: str, kept_rows: tuple[int, ...]) -> frozenset[int]:
    """The rows of a module (`lines`) that sparse parsing kept as they are, of the kept text
    and the module's row of each of its rows (a class none of whose members is kept has
    `...` on its first member's row: that row is left out)."""
    return frozenset(row for row, line in zip(kept_rows, kept_text.split("\n")) if line == lines[row - 1])


def _selected(diagnostics: list[Diagnostic], filename: str, text: str,
              settings: Settings) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """The diagnostics the file's selection and its suppression comments let through, and
    those a suppression comment hid, each sorted."""
    if not diagnostics:
        return [], []
    codes = settings.codes_for(filename) - selection.matching(suppressions.file_level(text))
    by_row = suppressions.comments(text)
    chosen = {d for d in diagnostics if d.code in codes}
    hidden = {d for d in chosen if suppressions.is_suppressed(d, by_row)}
    return sorted(chosen - hidden, key=Diagnostic.sort_key), sorted(hidden, key=Diagnostic.sort_key)


def _syntax_error(filename: str, text: str, error: cst.ParserSyntaxError) -> Diagnostic:
    """Python's own account of a syntax error where it has one: LibCST's native parser
    gives no column, and Python says what is wrong in plainer words. Where Python parses
    the file, the message says that LibCST, not the file, is at fault."""
    try:
        ast.parse(text)
    except SyntaxError as python:
        if python.lineno:
            return problem(filename, "invalid-syntax", f"SyntaxError: {python.msg}", python.lineno, python.offset or 1)
    except (ValueError, RecursionError, MemoryError):
        pass
    else:
        message = f"LibCST, the parser cachelint relies on, cannot parse this file, which Python accepts: {error.message}"
        return problem(filename, "invalid-syntax", message, error.raw_line, error.raw_column + 1)
    return problem(filename, "invalid-syntax", f"SyntaxError: {error.message}", error.raw_line, error.raw_column + 1)


def _in_file(diagnostic: Diagnostic, bounded: bool) -> Diagnostic:
    """A diagnostic without its fix when some expression was too deep to parse (the fix's
    code would hold the placeholder: cachelint.parsing)."""
    if bounded and diagnostic.fix is not None:
        return dataclasses.replace(diagnostic, fix=None)
    return diagnostic


def _internal_error(what: str, filename: str, error: Exception) -> str:
    frame = traceback.extract_tb(error.__traceback__)[-1]
    where = f"{Path(frame.filename).name}:{frame.lineno}"
    return f"internal error in {what} on {filename}: {type(error).__name__}: {error} ({where})"


def _diagnostic(rule: type[Rule], finding: Finding, model: ModuleModel) -> Diagnostic:
    start, end = model.range(finding.node)
    fix = None
    if finding.fix is not None:
        edits = tuple(
            Edit(replacement.code, model.range(replacement.node)[0], model.range(replacement.through or replacement.node)[1])
            for replacement in finding.fix.replacements
        )
        fix = Fix(finding.fix.message, edits, finding.fix.applicability)
    return Diagnostic(
        rule.code, rule.name, finding.message, model.path, start, end, fix,
        url=rule.docs_path(), statement_rows=model.statement_rows(finding.statement),
    )


def _custom_names(settings: Settings) -> tuple[str, ...]:
    return tuple(sorted(settings.clients.names()))


def lint_paths(paths: list[Path], settings: Settings, jobs: int = 1, cache_dir: Path | None = None,
               prefilter: bool = True, part_of_the_project: bool = False) -> RunResult:
    """Lint every file under `paths`, in `jobs` processes, with the result cache in
    `cache_dir` (None: no cache). With `part_of_the_project`, the paths are some of the
    files of the project in `settings.root` (a hook's), and get the project findings the
    whole project gives them."""
    run = RunResult()
    with parallel.Workers(jobs, before_start=_import_the_linter) as workers:  # kept for every pass
        if (cache_dir is None or not holds_results(cache_dir)) and any(path.is_dir() for path in paths):
            # Every file found will be linted: the workers start while discovery runs.
            workers.start_now()
        found = discover(paths, settings)
        run.files.extend(_unreadable(str(path), reason) for path, reason in found.errors)
        results: list[FileResult | None] = []
        stats: list[os.stat_result | None] = []  # as the cache saw each file (None: no cache, or unreadable)
        stale: list[_Task] = []
        # The pack's JSON and the results restored from it are millions of objects, none in a
        # cycle, that the cyclic collector would scan again and again while they are made
        # (three quarters of the time of loading a big tree's pack).
        with _without_cyclic_gc():
            cache = ResultCache(cache_dir, cache_key(settings, prefilter)) if cache_dir is not None else None
            for filename in found.files:
                result, stat = None, None
                if cache is not None:
                    result, stat = _from_cache(cache, filename)
                if result is None:
                    known = cache.digest(filename) if cache is not None and stat is not None else None
                    stale.append(_Task(len(results), filename, stat, known))
                results.append(result)
                stats.append(stat)
        _lint(stale, results, settings, prefilter, workers, cache)
        linted = cast("list[FileResult]", results)  # every file has its result now
        if settings.clients and not part_of_the_project and _covers(paths, settings.root):
            _check_declared_clients(linted, settings)

        def later_passes(project: tuple[str, list[int]]) -> tuple[list[FileResult], ProjectModel | None, _Outcomes | None]:
            root, indexes = project
            return _later_passes(root, [linted[index] for index in indexes], [stats[index] for index in indexes],
                                 settings, prefilter, workers, cache_dir, cache)

        # The projects are independent: their passes run side by side, the biggest first.
        groups = by_project([result.filename for result in linted])
        projects = workers.side_by_side(later_passes, groups, cost=lambda project: len(project[1]))
        for (_, indexes), (files, _, _) in zip(groups, projects):
            for index, result in zip(indexes, files):
                linted[index] = result
    run.files.extend(linted)
    whole_project = part_of_the_project and _may_have_project_findings(linted, settings)
    if not whole_project:
        for files, project, outcomes in projects:
            check_project(files, settings, project, cache, outcomes)
    if cache is not None:
        cache.save()
    if whole_project:
        _as_in_the_whole_project(run, settings, jobs, cache_dir, prefilter)  # its comments judged there
    else:
        check_comments(run.files, settings)
    return run


@dataclass(frozen=True)
class _Outcomes:
    """Where the passes after the first keep what they gave one project's files, in the
    first pass's pack: under names of the project's root (each project of a run has its
    own), for the run of the files whose names and contents `fingerprint` sums up
    (`_fingerprint`)."""

    root: str
    fingerprint: str

    def name(self, stage: str) -> str:
        return f"{stage} of {self.root}"


def _later_passes(root: str, files: list[FileResult], stats: list[os.stat_result | None], settings: Settings,
                  prefilter: bool, workers: parallel.Workers, cache_dir: Path | None,
                  cache: ResultCache | None) -> tuple[list[FileResult], ProjectModel | None, _Outcomes | None]:
    """The passes after the first, on the files of the project in `root` (a new result
    taking its file's place in `files`): what the project stage needs for them, the last
    project model made, and where the stage keeps its outcome (None: it is not kept)."""
    if prefilter:
        _lint_for_the_ttl_constants(files, stats, settings, workers, cache)
    fingerprint = _fingerprint(files, stats, cache) if cache is not None else None
    outcomes = _Outcomes(root, fingerprint) if fingerprint is not None else None
    project = _lint_importers_of_clients(files, stats, settings, workers, cache_dir, cache, outcomes, prefilter)
    if prefilter:
        project = _lint_for_the_entities(files, stats, settings, workers, cache, fingerprint) or project
        _lint_for_the_backends(files, stats, settings, workers, cache)
    return files, project, outcomes


def _covers(paths: list[Path], root: Path) -> bool:
    """Whether the run is given the whole project: the folder of its configuration, or one above."""
    folder = root.resolve()
    return any(folder.is_relative_to(path.resolve()) for path in paths)


def _check_declared_clients(results: list[FileResult], settings: Settings) -> None:
    """A name `[tool.cachelint.clients]` declares that no linted file defines, imports or
    writes out is a configuration error. A run given some files of the project is not
    asked (the name may be in the others: a hook's, `check views.py`); the run of the
    whole project a hook makes for the project rules is."""
    files = [(result.filename, raw) for result in results if (raw := _read(result.filename)) is not None]
    missing = unmatched(settings.clients, files)
    if missing:
        where = settings.source or "the configuration"
        raise ConfigError(f"{where}: `tool.cachelint.clients.\"{missing[0]}\"`: matches nothing in the linted files "
                          "(no file defines, imports or writes it out)"
                          + (f"; nor do {', '.join(f'`{name}`' for name in missing[1:])}" if missing[1:] else ""))


def _may_have_project_findings(results: list[FileResult], settings: Settings) -> bool:
    """Whether a project rule is enabled for one of these files. (Whether a file holds a
    DB write is not known when the prefilter skipped it: the files that cache the entity
    it writes may be the ones the run was not given.)"""
    chosen = {entry.code for entry in catalog.RULES if entry.kind == "project"}
    return any(chosen & settings.codes_for(result.filename) for result in results)


def _as_in_the_whole_project(run: RunResult, settings: Settings, jobs: int, cache_dir: Path | None,
                             prefilter: bool) -> None:
    """The files of a partial run with the findings a run of the whole project gives them,
    never others: a DB write's cached views and their invalidation (CL010), a client or a
    wrapper a file imports, may live in files the run was not given. The project's other
    files are linted for it, from the result cache when they have not changed. A file the
    whole project leaves out (named, but excluded) keeps its own findings, without the
    project's."""
    whole = lint_paths([Path(os.path.relpath(settings.root))], settings, jobs, cache_dir, prefilter)
    by_file = {os.path.abspath(result.filename): result for result in whole.files}
    left_out = [result for result in run.files if os.path.abspath(result.filename) not in by_file]
    check_comments(left_out, settings, project_rules_ran=False)
    for result in run.files:
        counterpart = by_file.get(os.path.abspath(result.filename))
        if counterpart is None:
            continue
        result.diagnostics = [dataclasses.replace(d, filename=result.filename) for d in counterpart.diagnostics]
        result.text = counterpart.text if counterpart.text is not None else result.text


def lint_text(filename: str, raw: bytes, settings: Settings, prefilter: bool = True) -> RunResult:
    """One file's source through every stage, as a project of that one file (standard input)."""
    run = RunResult([lint_source(filename, raw, settings, prefilter)])
    check_project(run.files, settings)
    check_comments(run.files, settings)
    return run


def check_project(files: list[FileResult], settings: Settings, made: ProjectModel | None = None,
                  cache: ResultCache | None = None, outcomes: _Outcomes | None = None) -> None:
    """The project stage, on the files of one project: the project rules' diagnostics
    added to the files they point into. `made`: a project model made before, used when it
    is the model of these files' facts. With `cache` and `outcomes`, the rules' findings
    are kept in the first pass's pack: a run on the same files, with the same contents
    and settings, gives the same, and takes them from there without a project model
    (which, on a big tree, costs more than the rest of a warm run)."""
    _settle(files)
    kept = cache.outcome(outcomes.name(_PROJECT_STAGE), outcomes.fingerprint) if (
        cache is not None and outcomes is not None) else None
    if kept is not None and all(cached is not None for cached in kept.values()):
        found = {filename: cast("Cached", cached).diagnostics for filename, cached in kept.items()}
    else:
        found, failed = _project_findings(files, settings, made)
        # Facts of a file whose linting failed (a pass after the fingerprint's) are not
        # known to be what its content gives.
        if cache is not None and outcomes is not None and not failed and not any(
                file.internal_errors for file in files):
            cache.keep_outcome(outcomes.name(_PROJECT_STAGE), outcomes.fingerprint,
                               {filename: (diagnostics, None, [], []) for filename, diagnostics in found.items()})
    for file in files:
        if file.filename in found:
            _add_selected(file, found[file.filename], settings)


_PROJECT_STAGE = "project"  # the name of its outcome in the first pass's pack (`_Outcomes.name`)


def _settle(files: list[FileResult]) -> None:
    """The module rules' findings that depend on the cache backends the project's settings
    configure (`FileFacts.provisional`), settled by them (cachelint.project.backends):
    dropped, given the message that names the backend, or left as they are; those a
    suppression comment hid likewise, so that a comment that hides only a dropped one is
    unused (CL900)."""
    facts = _facts(files)
    if not any(file.provisional for file in facts):
        return
    backends = ProjectBackends(facts)
    for file in files:
        if file.facts is None or not file.facts.provisional:
            continue
        verdicts: _Verdicts = {(found.code, found.row, found.column): backends.settle(found.condition)
                               for found in file.facts.provisional}
        file.diagnostics, file.suppressed = _settled(file.diagnostics, verdicts), _settled(file.suppressed, verdicts)


# Whether each provisional finding holds, and its new message (None: its own), by code and place.
_Verdicts = dict[tuple[str | None, int, int], tuple[bool, str | None]]


def _settled(diagnostics: list[Diagnostic], verdicts: _Verdicts) -> list[Diagnostic]:
    kept = []
    for diagnostic in diagnostics:
        holds, message = verdicts.get((diagnostic.code, diagnostic.location.row, diagnostic.location.column),
                                      (True, None))
        if holds:
            kept.append(dataclasses.replace(diagnostic, message=message) if message is not None else diagnostic)
    return kept


def _project_findings(files: list[FileResult], settings: Settings,
                      made: ProjectModel | None) -> tuple[dict[str, list[Diagnostic]], bool]:
    """The project rules' diagnostics by file name, before selection and suppressions, and
    whether a rule failed (its internal error then added to the first file with facts)."""
    facts = [file.facts for file in files if file.facts is not None]
    project_rules = [entry for entry in catalog.RULES if entry.kind == "project"]
    if not project_rules or not any(file.writes for file in facts):  # every project rule judges DB writes
        return {}, False
    from cachelint.rules.base import RuleContext

    chosen = [cast("type[ProjectRule]", entry.load()) for entry in project_rules]  # each rule's module alone
    project = _project_model(facts, made)
    by_path = {file.facts.path: file for file in files if file.facts is not None}
    found: dict[str, list[Diagnostic]] = {}
    failed = False
    for rule in chosen:
        try:
            for finding in rule().check(project, RuleContext(settings.options_for(rule))):
                file = by_path[finding.path]
                found.setdefault(file.filename, []).append(_project_diagnostic(rule, finding, file.filename))
        except Exception as error:  # a bug in one project rule must not cost the others
            failed = True
            first = next(file for file in files if file.facts is not None)
            first.internal_errors.append(_internal_error(f"rule {rule.code} ({rule.name})", "the project", error))
    return found, failed


def _project_diagnostic(rule: type[ProjectRule], finding: ProjectFinding, filename: str) -> Diagnostic:
    return Diagnostic(
        rule.code, rule.name, finding.message, filename, Location(*finding.start), Location(*finding.end),
        url=rule.docs_path(), statement_rows=finding.statement_rows,
    )


def _add_selected(file: FileResult, diagnostics: list[Diagnostic], settings: Settings) -> None:
    """Add the diagnostics the file's selection and suppression comments let through."""
    text = file.text
    if text is None:
        try:
            text, _ = decode(Path(file.filename).read_bytes())
        except (OSError, UnicodeDecodeError, SyntaxError):
            return
    kept, hidden = _selected(diagnostics, file.filename, text, settings.for_file(file.filename))
    file.suppressed = sorted(set(file.suppressed) | set(hidden), key=Diagnostic.sort_key)
    if kept:
        file.text = text
        file.diagnostics = sorted(set(file.diagnostics) | set(kept), key=Diagnostic.sort_key)


def check_comments(files: list[FileResult], settings: Settings, project_rules_ran: bool = True) -> None:
    """The last stage: the comment rules (CL900) judge each file's suppression comments by
    what the rules that ran there found, suppressed or not; after the project stage, so
    that a project rule's findings count too (without `project_rules_ran`, the project
    rules did not judge these files). A file that could not be checked (a syntax error,
    a rule that failed) is not judged."""
    comment_rules = [entry for entry in catalog.RULES if entry.kind == "comment"]
    comment_codes = frozenset(entry.code for entry in comment_rules)
    # Whether each configuration enables a comment rule, asked once (a run's Settings
    # live as long as it, in its hierarchy: their ids are not reused meanwhile).
    enabling: dict[int, bool] = {}
    for file in files:
        own = settings.for_file(file.filename)
        if id(own) not in enabling:
            enabling[id(own)] = bool(comment_codes & own.enabled_codes())
        if not enabling[id(own)]:  # as for most files: no need of its per-file ignores
            continue
        codes = own.codes_for(file.filename)
        if not any(entry.code in codes for entry in comment_rules):
            continue
        if file.internal_errors or any(d.code is None for d in file.diagnostics):
            continue
        text = file.text if file.text is not None else _text_of(file.filename)
        if text is None:
            continue
        codes -= selection.matching(suppressions.file_level(text))
        by_row = suppressions.comments(text)
        if not by_row:
            continue
        ran = frozenset(entry.code for entry in catalog.RULES if entry.code in codes and entry.kind != "comment"
                        and (project_rules_ran or entry.kind != "project"))
        lines = text.split("\n")  # rows as the model counts them
        directives = suppressions.judged(by_row, file.suppressed, lines)
        found = []
        for entry in comment_rules:
            if entry.code not in codes:
                continue
            rule = cast("type[CommentRule]", entry.load())
            from cachelint.rules.base import RuleContext

            try:
                for finding in rule().check(directives, ran, RuleContext(settings.options_for(rule))):
                    found.append(_comment_diagnostic(rule, finding, file.filename, lines))
            except Exception as error:  # a bug in one rule must not cost the others
                file.internal_errors.append(_internal_error(f"rule {rule.code} ({rule.name})", file.filename, error))
        # Only a comment that names the rule hides its finding: a bare one, which it may
        # report, does not.
        kept = [d for d in found if all(selector == "ALL" for _, _, selector in suppressions.suppressing(d, by_row))]
        if kept:
            file.text = text
            file.diagnostics = sorted({*file.diagnostics, *kept}, key=Diagnostic.sort_key)


def _text_of(filename: str) -> str | None:
    raw = _read(filename)
    if raw is None:
        return None
    try:
        return decode(raw)[0]
    except (UnicodeDecodeError, SyntaxError):
        return None


def _comment_diagnostic(rule, finding: CommentFinding, filename: str, lines: list[str]) -> Diagnostic:
    row = finding.row
    fix = None
    if finding.replacement is not None:
        start, end, content = finding.replacement
        through = Location(row, end + 1) if end is not None else (
            Location(row + 1, 1) if row < len(lines) else Location(row, len(lines[row - 1]) + 1))
        fix = Fix("Remove the unused suppression", (Edit(content, Location(row, start + 1), through),), "safe")
    return Diagnostic(rule.code, rule.name, finding.message, filename, Location(row, finding.start + 1),
                      Location(row, finding.end + 1), fix, url=rule.docs_path(), statement_rows=(row, row))


_CLIENT_ROUNDS = 3  # of the second pass: re-exports of re-exports of a client
_DEFINING_ROUNDS = 3  # of the second pass, besides: rounds that lint only files that define names (`_definers`)
_ORDERING_ROUNDS = 3  # and rounds that lint only files the others import from (`_imported_first`)


@dataclass(frozen=True)
class _Task:
    """A file to lint, and what the result cache knows of it."""

    index: int  # in the run's results
    filename: str
    stat: os.stat_result | None  # as the cache saw the file; None: no cache, or unreadable
    known_digest: str | None = None  # the content hash the cache has for the file
    in_part: _InPart | None = None  # the second pass's, to parse the file in part (`lint_source`)


def _lint(tasks: list[_Task], results: list[FileResult | None] | list[FileResult], settings: Settings,
          prefilter: bool, workers: parallel.Workers, cache: ResultCache | None) -> None:
    """Lint the files of `tasks` into `results`, and keep what they gave in the cache."""
    check = functools.partial(_check_file, settings, prefilter)
    for task, (digest, result) in zip(tasks, workers.map_in_order(check, tasks, cost=_size)):
        if result is None:  # the content is what the cache knows: only the time changed
            assert cache is not None and task.stat is not None
            result = _restored(task.filename, cache.same_content(task.filename, task.stat))
            if result is None:  # its entry did not decode after all
                digest, result = check(dataclasses.replace(task, known_digest=None))
                assert result is not None  # no digest is known to match
        if digest is not None and not result.internal_errors:
            assert cache is not None and task.stat is not None  # a digest is taken for the cache only
            facts = result.facts.to_json() if result.facts is not None else None
            cache.store(task.filename, task.stat, digest, result.diagnostics, facts, result.suppressed,
                        [[call.line, call.receiver, call.method] for call in result.unmodelled])
        results[task.index] = result


def _import_the_linter() -> None:
    for name in _LINTER:
        importlib.import_module(name)


def _lint_importers_of_clients(results: list[FileResult], stats: list[os.stat_result | None], settings: Settings,
                               workers: parallel.Workers, cache_dir: Path | None = None,
                               first: ResultCache | None = None, outcomes: _Outcomes | None = None,
                               in_part: bool = False) -> ProjectModel | None:
    """The second pass: a file that imports a cache client another module of the project
    makes, a wrapper function or wrapper class of one, an instance of such a class
    (cachelint.model.cache.wrappers), or a constant or Django setting the project binds
    to zero or less (a TTL may read it), is linted again
    with those declared (cachelint.project.clients), in part or whole (`_client_rounds`).
    Its result is kept in a pack of the cache of its own, keyed on the settings with those
    clients declared: what it depends on besides its own content. A file linted
    again may show more (a package's `__init__` re-exporting a client): the pass repeats,
    for the files that import what is new, a few rounds at most. `stats`: each file's
    status as the first pass saw it (None: no cache, or unreadable); `first`: the first
    pass's pack, which keeps what the files' texts define (`_typed_attributes`), and the
    pass's outcome (where: `outcomes`): a run on the same files, with the same contents
    and settings, gives the same, and takes it from there without a round. With
    `in_part` (a run with the prefilter), a file is parsed in part for what is declared
    (`_client_rounds`). Gives the last project model it made (None when it made none)."""
    if first is None or outcomes is None:
        return _client_rounds(results, stats, settings, workers, cache_dir, first, in_part)
    with _without_cyclic_gc():  # as for the first pass's results (lint_paths)
        replayed = _replayed(results, first, outcomes)
    if replayed:
        return None
    before = list(results)
    project = _client_rounds(results, stats, settings, workers, cache_dir, first, in_part)
    changed = {result.filename: result for result, was in zip(results, before) if result is not was}
    if not any(result.internal_errors for result in changed.values()):
        first.keep_outcome(outcomes.name(_SECOND_PASS), outcomes.fingerprint, {
            filename: (result.diagnostics, result.facts.to_json() if result.facts is not None else None,
                       result.suppressed, [[call.line, call.receiver, call.method] for call in result.unmodelled])
            for filename, result in changed.items()})
    return project


_SECOND_PASS = "imported clients"  # the name of its outcome in the first pass's pack (`_Outcomes.name`)


def _fingerprint(results: list[FileResult], stats: list[os.stat_result | None], cache: ResultCache) -> str | None:
    """What the second pass's outcome depends on besides the settings (which key the
    pack): each file's name and content hash, in the run's order (the files of one
    project). None when one's hash is
    not known to be its content's (it could not be read, or its result is not kept: an
    internal error)."""
    digest = hashlib.blake2b(digest_size=16)
    for result, stat in zip(results, stats):
        known = cache.digest(result.filename) if stat is not None and not result.internal_errors else None
        if known is None:
            return None
        digest.update(f"{result.filename}\0{known}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _replayed(results: list[FileResult], cache: ResultCache, outcomes: _Outcomes) -> bool:
    """Whether the pack holds the second pass's outcome for these files (then `results`
    have it): none when one of its results does not decode, or a file's text, which
    its diagnostics want, can no longer be read."""
    outcome = cache.outcome(outcomes.name(_SECOND_PASS), outcomes.fingerprint)
    if outcome is None:
        return False
    where = {result.filename: index for index, result in enumerate(results)}
    restored = {}
    for filename, cached in outcome.items():
        result = _restored(filename, cached) if filename in where else None
        if result is None:
            return False
        restored[where[filename]] = result
    for index, result in restored.items():
        results[index] = result
    return True


def _client_rounds(results: list[FileResult], stats: list[os.stat_result | None], settings: Settings,
                   workers: parallel.Workers, cache_dir: Path | None, first: ResultCache | None,
                   in_part: bool = False) -> ProjectModel | None:
    """The rounds of the second pass (`_lint_importers_of_clients`); the last project model made.
    A round that would lint, with its importers, a file that defines what they import
    and that the first pass did not model whole (`_definers`: `superset/__init__.py`
    re-exporting `cache_manager`, `superset/extensions/__init__.py` making it) lints
    those files alone, whole, in a round of its own: the round after knows what they
    define, and lints each importer once with all of it, not now and again then. So,
    after those, does a round whose files import one another (`_imported_first`): the
    files imported first, a few such rounds at most.

    With `in_part`, a round of importers parses each in part, for what it declares
    (`_InPart`, cachelint.sparse's `Declared`), unless some file caches a DB entity (the
    third pass then wants every file whole): what such a file's facts give the project
    model is what a whole parse gives, so the rounds take it as modelled whole
    (`reduced`), and the calls not understood in the statements left out are found as
    the first pass finds them. If a DB entity turns out cached after all, the files
    parsed in part are linted again, whole."""
    seen: frozenset[str] = frozenset()  # the names every file has been screened for, or linted with
    pending: set[int] = set()  # files a round of definers screened in and left to the round after
    modelled = [not (_skipped(result) or _partial(result)) for result in results]  # by the first pass
    texts: dict[str, tuple[frozenset[str] | None, Defined]] = {}  # what each file not modelled defines, of which names
    reduced: dict[int, Settings] = {}  # the files a round parsed in part, with what it declared
    project = None
    rounds = defining = ordering = 0
    while rounds < _CLIENT_ROUNDS:
        project = _project_model(_facts(results), project)
        exported = exported_clients(project, settings.clients)
        wrappers = exported_wrappers(project, settings.clients)
        classes, instances = project.wrapper_classes(), project.wrapper_instances(settings.clients.classes)
        memoizers = project.memoizers()
        constants = exported_constants(project, settings.clients)
        for index in reduced:  # its facts hold what it defines: nothing of it is left to take back
            texts[results[index].filename] = (None, NOTHING_DEFINED)
        attributes = _typed_attributes(project, results, stats, texts, workers, first, settings)
        all_holders = _client_holders(project)
        names = frozenset(exported.keys() | wrappers.keys() | classes.keys() | instances.keys() | memoizers.keys()
                          | constants.keys() | {f"attribute {key}" for key in attributes}
                          | {f"holder {name}" for name in all_holders})
        if not names - seen and not pending:
            break
        declared = dataclasses.replace(settings, clients=settings.clients.with_objects(
            exported, wrappers, classes, instances, memoizers, constants, attributes))
        parts = in_part and entity_mentions(_facts(results)) is None
        # The pack's marks of files left depend on the holders' screen too.
        key = hashlib.sha256("\n".join([cache_key(declared, parts), *all_holders]).encode()).hexdigest()[:32]
        cache = ResultCache(cache_dir, key) if cache_dir is not None else None
        tasks = []
        restored = []  # the indexes of the files this round linted, in a run before
        for index, result in enumerate(results):
            if result.facts and result.facts.clients and constants.keys().isdisjoint(result.facts.ttl_names):
                continue  # a module that makes a client of its own is linted again only for a TTL it reads
            stat = stats[index]
            again = _restored(result.filename, cache.unchanged(result.filename, stat)) if (
                cache is not None and stat is not None) else None
            if again is not None:
                # A file linted again is linted whole, or in part with all the project needs,
                # so an entry with nothing in it is the mark of one that names none of the imports
                # (stored by `_screened`), so that a warm run need not read every file of the project again.
                if not _skipped(again):
                    results[index] = again
                    restored.append(index)
                    _note_reduced(reduced, index, again, declared)
                continue
            known = cache.digest(result.filename) if cache is not None and stat is not None else None
            tasks.append(_Task(index, result.filename, stat, known))
        chosen = [task for task in tasks if task.index in pending]
        others = [task for task in tasks if task.index not in pending]
        if names - seen:
            chosen += _chosen(sorted(names - seen), others, project, results, workers, cache, set(reduced))
        definers = _definers([index for index in [*restored, *(task.index for task in chosen)] if not modelled[index]],
                             results, all_holders, workers) if defining < _DEFINING_ROUNDS else set()
        if definers:
            _lint([task for task in chosen if task.index in definers], results, declared, False, workers, cache)
            for index in definers:
                reduced.pop(index, None)
            pending = {task.index for task in chosen if task.index not in definers}
            defining += 1
        elif (first_wave := _imported_first([*restored, *(task.index for task in chosen)], results)
                            if ordering < _ORDERING_ROUNDS else set()):
            wave = [task for task in chosen if task.index in first_wave]
            if parts:
                wave = _in_part(wave, project, declared, all_holders, attributes)
            _lint(wave, results, declared, False, workers, cache)
            for task in wave:
                _note_reduced(reduced, task.index, results[task.index], declared)
            pending = {task.index for task in chosen if task.index not in first_wave}
            ordering += 1
        else:
            if parts and chosen:  # `_in_part` imports LibCST: not for a round with nothing to lint (a warm run)
                chosen = _in_part(chosen, project, declared, all_holders, attributes)
            _lint(chosen, results, declared, False, workers, cache)
            for task in chosen:
                _note_reduced(reduced, task.index, results[task.index], declared)
            pending = set()
            rounds += 1
        seen |= names
        if cache is not None:
            cache.save()
    if reduced and entity_mentions(_facts(results)) is not None:  # the third pass wants them whole
        by_settings: dict[int, tuple[Settings, list[_Task]]] = {}
        for index, declared in reduced.items():
            by_settings.setdefault(id(declared), (declared, []))[1].append(_Task(index, results[index].filename, None))
        for declared, tasks in by_settings.values():
            _lint(tasks, results, declared, False, workers, None)
        project = _project_model(_facts(results), project)
    return project


def _note_reduced(reduced: dict[int, Settings], index: int, result: FileResult, declared: Settings) -> None:
    """Notes whether the second pass parsed a file in part (`_client_rounds`): its result
    is partial then, as a result of it is not otherwise."""
    if _partial(result):
        reduced[index] = declared
    else:
        reduced.pop(index, None)


def _in_part(tasks: list[_Task], project: ProjectModel, declared: Settings, holders: list[str],
             attributes: dict[str, str]) -> list[_Task]:
    """The tasks, each with what sparse parsing is to keep of its file for the round's
    `declared` names (`_InPart`)."""
    from cachelint.sparse import Declared

    defined: dict[str, set[str]] = defaultdict(set)  # a dotted prefix -> the names after it
    for name in (*declared.clients.names(), *declared.clients.constants, *holders):
        parts = name.split(".")
        for end in range(1, len(parts)):
            defined[".".join(parts[:end])].add(parts[end])
    imported: dict[str, set[str]] = defaultdict(set)
    for target in project.imports.values():
        module, _, name = target.rpartition(".")
        imported[module].add(name)
    typed = frozenset(key.rpartition(".")[2] for key in attributes)
    found = []
    for task in tasks:
        module = module_name(task.filename)
        found.append(dataclasses.replace(task, in_part=_InPart(tuple(holders), Declared(
            frozenset(defined.get(module, ())), frozenset(imported.get(module, ())), typed,
            tuple(package_of(task.filename))))))
    return found


def _chosen(new: list[str], tasks: list[_Task], project: ProjectModel, results: list[FileResult],
            workers: parallel.Workers, cache: ResultCache | None, reduced: set[int] | None = None) -> list[_Task]:
    """The tasks whose file a round lints again for the names `new` (`_client_rounds`:
    a name of the project, an `attribute` typed, a `holder` class): the others get the
    cache's mark of a file left. `reduced`: the files a round before parsed in part,
    which count as modelled whole."""
    reduced = reduced or set()
    typed_keys = [name.removeprefix("attribute ") for name in new if name.startswith("attribute ")]
    holders = [name.removeprefix("holder ") for name in new if name.startswith("holder ")]
    new = [name for name in new if not name.startswith(("attribute ", "holder "))]
    # A file that names a typed attribute as its receiver (`event.cache`), and may use
    # it in a way the first pass left not understood; then, the quicker test first,
    # one that imports a new name (the others get the cache's mark of a file left).
    uses = attribute_uses(typed_keys)
    typed = _Screen(uses, in_code=True) if typed_keys else None
    candidates = [task for task in tasks
                  if typed is not None and _may_use_typed(results[task.index], uses, task.index in reduced)]
    by_attribute = {task.index for task in _screened(candidates, typed, workers)} if typed and candidates else set()
    screen = _Screen(uses_of(new, project.modules), in_code=True)
    # What the first pass did not model may hold more: a module-level instance of a
    # class that holds a client (`cache_manager = CacheManager()`: importers read
    # `cache_manager.cache`), which sparse parsing leaves out too; and in a file the
    # prefilter skipped, any use of a typed attribute. Tested as the text is read for
    # the imports, so that no file is read twice.
    holding = _Screen(_module_level_instances(holders), in_code=True) if holders else None
    by_screens: dict[tuple[_Screen, ...], list[_Task]] = defaultdict(list)
    for task in tasks:
        if task.index not in by_attribute:
            result = results[task.index]
            more = (typed, holding) if _skipped(result) else (holding,) if _partial(result) and (
                task.index not in reduced) else ()
            by_screens[(screen,) + tuple(extra for extra in more if extra is not None)].append(task)
    chosen = [task for task in tasks if task.index in by_attribute]
    for screens, group in by_screens.items():
        chosen += _screened(group, _AnyOf(*screens), workers, cache)
    return chosen


# An import statement: `from` its module (relative or not) `import` its names (in
# parentheses or on the line), or `import` its modules.
_IMPORT = re.compile(rb"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]*(\([^)]*\)|[^\n#;]*)|import[ \t]+([^\n#;]*))",
                     re.M)
_COMMENT = re.compile(rb"#[^\n]*")


def _imported_modules(filename: str, raw: bytes) -> set[str]:
    """The modules a file's text may import, read from its import statements (`from a.b
    import c`: `a.b` and `a.b.c`, which may be a module too; a relative import from the
    file's package). A line of a string that reads like an import counts too: it only
    orders the rounds (`_imported_first`)."""
    package: list[str] | None = None
    found: set[str] = set()
    for match in _IMPORT.finditer(raw):
        source, names, plain = match.groups()
        if plain is not None:
            found.update(part.split()[0] for part in plain.decode("latin-1").split(",") if part.split())
            continue
        module = source.decode("latin-1")
        if module.startswith("."):
            package = package_of(filename) if package is None else package
            dots = len(module) - len(module.lstrip("."))
            module = ".".join([*package[:len(package) - dots + 1], module.lstrip(".")]).strip(".")
        found.add(module)
        for name in _COMMENT.sub(b"", names).decode("latin-1").strip("()").split(","):
            if name.split():
                found.add(f"{module}.{name.split()[0]}")
    return found


def _imported_first(indexes: list[int], results: list[FileResult]) -> set[int]:
    """Of these files (those a round would lint, and those it restored from the pack), the
    ones another of them imports (`_imported_modules`): a round lints them first, alone,
    and the round after their importers, with what they turn out to define (a wrapper
    class of a client, `ChartScreenshot(BaseScreenshot)`, which an importer of it would
    otherwise be linted again for). A round from the pack orders its files as the round
    that stored them did, as it reads the same files."""
    if len(indexes) < 2:
        return set()
    by_module = {module_name(results[index].filename): index for index in indexes}
    found = set()
    for index in indexes:
        raw = _read(results[index].filename)
        if raw is not None:
            found |= {by_module[module] for module in _imported_modules(results[index].filename, raw)
                      if module in by_module} - {index}
    return found


def _definers(indexes: list[int], results: list[FileResult], holders: list[str],
              workers: parallel.Workers) -> set[int]:
    """Of these files (which the first pass did not model whole), those that define names
    other modules import: a package's `__init__` (what it imports, it re-exports:
    `ProjectModel._reexports`), a module that makes at module level an instance of a
    class holding a client (`_module_level_instances`)."""
    found = {index for index in indexes if Path(results[index].filename).name == "__init__.py"}
    others = [_Task(index, results[index].filename, None) for index in indexes if index not in found]
    if holders and others:
        making = _Screen(_module_level_instances(holders), in_code=True)
        found |= {task.index for task, (makes, _) in zip(others, _asked(others, making.passes, workers, False)) if makes}
    return found


def _project_model(facts: list[FileFacts], last: ProjectModel | None) -> ProjectModel:
    """The project model of `facts`: `last` when it is the model of the very same facts (a
    round of the second pass, or the project stage, after no file was linted again: made
    again, it was a tenth of the time of a big module), else a new one. A model is not
    changed once made."""
    if last is not None and len(last.files) == len(facts) and all(a is b for a, b in zip(last.files, facts)):
        return last
    return ProjectModel(facts)


def _may_use_typed(result: FileResult, typed: Prefiltered, reduced: bool = False) -> bool:
    """Whether a file that names an attribute the project types (`event.cache`) may use it
    in a way the first pass did not understand: it was modelled in part, or it left a
    call not understood on such a receiver (`event.cache.get`) or on a name (`cache =
    event.cache; cache.get(...)`). A file modelled whole that left none gains nothing
    from being linted again, whole. (One the prefilter skipped is tested with the
    imports: `_client_rounds`.) One the second pass parsed in part (`reduced`) counts as
    modelled whole: its calls not understood are those of its facts and of the
    statements left out."""
    facts = result.facts
    if facts is None or facts.partial and not reduced:
        return facts is not None
    return any("." not in call.receiver or typed.search(call.receiver.encode()) for call in result.unresolved)


def _client_holders(project: ProjectModel) -> list[str]:
    """The project's classes whose instances hold a client (`self._cache = Cache()`, a
    property returning it), qualified, sorted."""
    return sorted(definition.name for definition in project.definitions.values()
                  if definition.kind == "class" and definition.members)


def _module_level_instances(classes: list[str]) -> Prefiltered:
    """What a file's text must contain to make, at module level, an instance of one of
    these classes (qualified): `cache_manager = CacheManager()`, `store: Store = ext.Store(...)`.
    Only such an instance is a name other modules import (`ProjectModel.clients`). A
    match is one line holding the class's name: the pattern, which `re` would try at
    every position of the text, runs on the lines that hold a name only (`Prefiltered`)."""
    names = sorted({name.rpartition(".")[2].encode() for name in classes})
    return Prefiltered(names, re.compile(rb"^[A-Za-z_]\w*[ \t]*(?::[^=\n]*)?=[ \t]*(?:\w+[ \t]*\.[ \t]*)*(?:"
                                         + b"|".join(re.escape(name) for name in names) + rb")[ \t]*\(", re.M))


def _typed_attributes(project: ProjectModel, results: list[FileResult], stats: list[os.stat_result | None],
                      texts: dict[str, tuple[frozenset[str] | None, Defined]], workers: parallel.Workers,
                      cache: ResultCache | None, settings: Settings) -> dict[str, str]:
    """`ProjectModel.attribute_clients`, less the keys a file the first pass did not model
    (skipped by the prefilter, parsed in part) defines otherwise, in the code the model did
    not see (`_Defines`); `texts` keeps what each such file defines there, of which names
    (None: all, for a file a round parsed in part, whose facts hold what it defines), read
    once for all rounds (again only for a name a round asks anew), in the workers. The
    answer is a note of the file's entry in `cache` (the first pass's pack): a run after
    reads no unchanged file again for it."""
    attributes = dict(project.attribute_clients())
    if not attributes:
        return attributes
    names = frozenset(key.rpartition(".")[2] for key in attributes)
    by_question: dict[_Defines, list[_Task]] = defaultdict(list)
    for index, result in enumerate(results):
        asked = texts[result.filename][0] if result.filename in texts else frozenset()
        if (_skipped(result) or _partial(result)) and asked is not None and not names <= asked:
            # A file parsed in part was reduced with the names its own configuration declares.
            custom = _custom_names(settings.for_file(result.filename)) if _partial(result) else None
            by_question[_Defines(tuple(sorted(names)), custom)].append(_Task(index, result.filename, stats[index]))
    for question, tasks in by_question.items():
        for task in tasks:
            if results[task.index].cache_words is False:  # no name in it looks like a cache: it defines none
                texts[task.filename] = (names, NOTHING_DEFINED)
                # The note a read would keep (`_noted_answers`), with the entry of the text the first
                # pass linted and found no such name in (it keeps no entry for a result with errors).
                digest = cache.digest(task.filename) if cache is not None and task.stat is not None and not (
                    results[task.index].internal_errors) else None
                if cache is not None and digest is not None:
                    cache.keep_note(task.filename, digest, _DEFINES, _note(question.names, NOTHING_DEFINED))
        tasks = [task for task in tasks if results[task.index].cache_words is not False]
        for task, defined in _noted_answers(tasks, question, _DEFINES,
                                            functools.partial(_definitions, asked=frozenset(question.names)),
                                            functools.partial(_note, question.names), workers, cache):
            texts[task.filename] = (names, defined if defined is not None else NOTHING_DEFINED)
    for result in results:
        if (_skipped(result) or _partial(result)) and attributes and texts[result.filename][1]:
            for key in taken_back(list(attributes), texts[result.filename][1]):
                del attributes[key]
    return attributes


@dataclass(frozen=True)
class _Defines:
    """The question `_typed_attributes` asks a file's text: the attributes of `names` it
    defines where the project model weighs them (`clients.attributes_defined`), in the code
    the first pass did not model: the whole file for one the prefilter skipped
    (`custom_names` None); for one parsed in part, the rows sparse parsing left out, as
    it leaves them out with the file's `custom_names` (a class modelled whole, or a
    member kept, is evidence the model already weighed). Text first (`rows_defining`):
    most files define no such name, and are not parsed; of the others, only the statements
    around the rows found are read. Picklable: asked in the workers."""

    names: tuple[str, ...]
    custom_names: tuple[str, ...] | None

    def __call__(self, raw: bytes) -> Defined:
        from cachelint.tree_scan import parse as syntax_tree

        rows = rows_defining(raw, frozenset(self.names))
        if not rows:
            return NOTHING_DEFINED
        try:
            text = decode(raw)[0]
        except (UnicodeDecodeError, SyntaxError):
            return defined_in_text(raw)
        tree = syntax_tree(text)
        if tree is None or not code_text(text).isascii():  # `ast` normalises names that are not ASCII
            return defined_in_text(raw)
        found = [(owner, name, row) for owner, name, row in attributes_defined(tree, rows) if name in self.names]
        if found and self.custom_names is not None:
            kept = _kept_rows(text, self.custom_names)
            found = [(owner, name, row) for owner, name, row in found if row not in kept]
        return frozenset((owner, name) for owner, name, _ in found)


def _kept_rows(text: str, custom_names: tuple[str, ...]) -> frozenset[int]:
    """The rows of a module sparse parsing kept (`_kept`), as the first pass parsed it in
    part (`_lint_source`)."""
    from cachelint.parsing import prepare
    from cachelint.sparse import reduce as reduce_module

    prepared = prepare(text)
    reduced = reduce_module(prepared.text, prefilter_for(custom_names))
    if reduced is None:  # parsed whole after all: not as the first pass did, so nothing counts as seen
        return frozenset()
    return _kept(prepared.text.split("\n"), reduced.text, reduced.rows)


_DEFINES = "defined attributes"  # the note of what a file defines (`_typed_attributes`)


def _note(asked: tuple[str, ...], found: Defined) -> list[list[str] | list[list[str]]]:
    """The note of what a file defines (`_definitions` reads it): the names asked, and the pairs found."""
    return [list(asked), sorted([owner, name] for owner, name in found)]


def _definitions(noted: object, asked: frozenset[str]) -> Defined | None:
    """What a note says a file defines of the names `asked` (the note's names and pairs);
    None for a note of another shape, or of names that are not all of them (then the file
    is read)."""
    if not (isinstance(noted, list) and len(noted) == 2 and all(isinstance(part, list) for part in noted)):
        return None
    names, pairs = noted
    if not (all(isinstance(name, str) for name in names) and asked <= set(names) and all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair) for pair in pairs)):
        return None
    return frozenset((owner, name) for owner, name in pairs if name in asked)


def _lint_for_the_ttl_constants(results: list[FileResult], stats: list[os.stat_result | None], settings: Settings,
                                workers: parallel.Workers, cache: ResultCache | None) -> None:
    """Before the second pass, when a TTL reads what its module cannot evaluate (an
    imported constant, a Django setting): the modules that may bind it, which the
    prefilter skipped for having no cache code (`shop/conf.py`, `mysite/settings/*.py`),
    are linted after all, for their constants (cachelint.project.clients declares those
    bound to zero or less in the second pass). The results take the place of the first
    ones in the cache, as the third pass's do."""
    wanted = {name.rpartition(".")[0] for facts in _facts(results) for name in facts.ttl_names}
    if not wanted:
        return
    settings_wanted = DJANGO_SETTINGS in wanted
    stems = {module.rpartition(".")[2] for module in wanted}
    tasks = []
    for index, result in enumerate(results):
        if not _skipped(result):
            continue
        path = Path(result.filename)
        stem = path.parent.name if path.stem == "__init__" else path.stem
        if stem not in stems and not (settings_wanted and "settings" in (*path.parent.parts, stem)):
            continue  # cheaper than the module name, which looks for packages up the folders
        module = module_name(result.filename)
        if module in wanted or (settings_wanted and is_settings_module(module)):
            tasks.append(_Task(index, result.filename, stats[index] if cache is not None else None))
    _lint(tasks, results, settings, False, workers, cache)


_NAMES_A_SETTING = "names a backend setting"  # the note of whether a file names `CACHES`, `CACHE_TYPE`


def _lint_for_the_backends(results: list[FileResult], stats: list[os.stat_result | None], settings: Settings,
                           workers: parallel.Workers, cache: ResultCache | None) -> None:
    """The last pass, when a finding depends on the cache backends the project's settings
    configure (`FileFacts.provisional`, settled by the project stage: `_settle`): a file
    the prefilter skipped (a settings module has no cache code) that names the setting
    (`CACHES`, `CACHE_TYPE`) is linted after all, and takes the place of the first result in
    the cache, as the TTL constants' pass's do; a file linted in part, whose statements
    left out may configure one, is linted whole for its backends alone (its result, which
    the second pass may have made with what it declared, stays), and those backends kept as
    a note of its entry (`_WHOLE_BACKENDS`). The files are read in the workers, and each
    answer is a note of its entry in the cache (`_noted_answers`)."""
    names = setting_names(_facts(results))
    if not names:
        return
    pattern = re.compile(rb"\b(?:" + b"|".join(re.escape(name.encode()) for name in sorted(names)) + rb")\b")
    digest = hashlib.blake2b(pattern.pattern, digest_size=16).hexdigest()

    def answer_of(noted: object) -> bool | None:
        if isinstance(noted, list) and len(noted) == 2 and noted[0] == digest and isinstance(noted[1], bool):
            return noted[1]
        return None  # a note of another shape, or of other settings

    candidates = [_Task(index, result.filename, stats[index] if cache is not None else None)
                  for index, result in enumerate(results) if _skipped(result) or _partial(result)]
    answers = _noted_answers(candidates, _Screen(pattern).passes, _NAMES_A_SETTING, answer_of,
                             lambda passes: [digest, passes], workers, cache)
    naming = [task for task, passes in answers if passes]
    _lint([task for task in naming if _skipped(results[task.index])], results, settings, False, workers, cache)
    partial = [task for task in naming if _partial(results[task.index])]
    backends = {task.index: _noted_backends(cache, task) for task in partial}
    unknown = [task for task in partial if backends[task.index] is None]
    whole: list[FileResult | None] = [None] * len(unknown)
    _lint([_Task(position, task.filename, None) for position, task in enumerate(unknown)], whole, settings, False,
          workers, None)
    for task, again in zip(unknown, whole):
        if again is not None and again.facts is not None:
            backends[task.index] = again.facts.backends
            raw = _read(task.filename) if cache is not None else None
            if cache is not None and raw is not None:  # kept only while the entry is of this text
                cache.keep_note(task.filename, content_digest(raw), _WHOLE_BACKENDS,
                                [dataclasses.asdict(backend) for backend in again.facts.backends])
    for index, found in backends.items():
        facts = results[index].facts
        if facts is not None and found is not None:
            results[index].facts = dataclasses.replace(facts, backends=found)


# The note of a file parsed in part with the backends a whole parse of it finds: a warm run
# does not parse it again for them.
_WHOLE_BACKENDS = "backends of a whole parse"


def _noted_backends(cache: ResultCache | None, task: _Task) -> list[Backend] | None:
    noted = cache.note(task.filename, task.stat, _WHOLE_BACKENDS) if (
        cache is not None and task.stat is not None) else None
    if not isinstance(noted, list):
        return None
    try:
        return [Backend(**backend) for backend in noted]
    except TypeError:  # a note of another shape: asked again
        return None


def _lint_for_the_entities(results: list[FileResult], stats: list[os.stat_result | None], settings: Settings,
                           workers: parallel.Workers, cache: ResultCache | None,
                           fingerprint: str | None = None) -> ProjectModel | None:
    """The third pass, when some file caches a DB entity (CL010 then needs every write
    and call that may touch it): a file the prefilter skipped (it has no cache code) that
    names the entity, other than in comments and docstrings (`_Mentions`), is linted after
    all, and a file linted in part (cachelint.sparse) is linted whole. Either result takes the place of the first one in the cache: its facts
    can only be more, and its diagnostics are the same, as neither the prefilter nor
    sparse parsing ever drops one. Not such an install script (a data migration), whose
    writes CL010 does not judge, unless its facts may still tell it something
    (`_on_write_paths`): most are not linted at all. Gives the last project model it made
    (None when it made none)."""
    mentions = entity_mentions(_facts(results))
    if mentions is None:
        return None
    skipped = [_Task(index, result.filename, stats[index]) for index, result in enumerate(results) if _skipped(result)]
    naming = _naming(skipped, mentions, workers, cache)
    tasks = [
        _Task(index, result.filename, stats[index] if cache is not None else None)
        for index, result in enumerate(results)
        if _partial(result) or index in naming
    ]
    # As CL010 tells them: by the path its facts give the file (`display_path`).
    scripts = {task.index for task in tasks if _skipped(results[task.index]) and is_install_script(
        display_path(task.filename, settings.for_file(task.filename).root))}
    _lint([task for task in tasks if task.index not in scripts], results, settings, False, workers, cache)
    left = [task for task in tasks if task.index in scripts]
    made = None

    def project() -> ProjectModel:
        nonlocal made
        made = _project_model(_facts(results), made)
        return made

    while left:  # a script linted may call what another calls: its functions join the paths too
        joining = _joining(left, project, workers, cache, fingerprint)
        wanted = [task for task, joins in joining if joins is not False]  # None: unreadable, which linting says
        _lint(wanted, results, settings, False, workers, cache)
        linted = {task.index for task in wanted}
        left = [task for task in left if task.index not in linted] if linted else []
    return made


_JOINS_A_WRITE_PATH = "joins a write path"  # the note of an install script's answer (`_joining`)


def _joining(scripts: list[_Task], project: Callable[[], ProjectModel], workers: parallel.Workers,
             cache: ResultCache | None, fingerprint: str | None) -> list[tuple[_Task, bool | None]]:
    """Whether each install script may join the path of a write CL010 judges
    (`_on_write_paths`). The answer depends on every file of the project: it is a note
    of the script's entry in `cache` (the first pass's pack) with the `fingerprint` of
    the project's files (`_fingerprint`), so that a run after on the same files neither
    reads the scripts again nor makes a project model for it (`project` makes it)."""
    cache = cache if fingerprint is not None else None

    def answer_of(noted: object) -> bool | None:
        if isinstance(noted, list) and len(noted) == 2 and noted[0] == fingerprint and isinstance(noted[1], bool):
            return noted[1]
        return None  # a note of another shape, or of other files

    known = [answer_of(cache.note(task.filename, task.stat, _JOINS_A_WRITE_PATH))
             if cache is not None and task.stat is not None else None for task in scripts]
    if all(answer is not None for answer in known):
        return list(zip(scripts, known))
    screen = _on_write_paths(project())
    return _noted_answers(scripts, screen.passes, _JOINS_A_WRITE_PATH, answer_of,
                          lambda joins: [fingerprint, joins], workers, cache)


def _on_write_paths(project: ProjectModel) -> _Screen:
    """What the code of an install script (`is_install_script`: CL010 judges none of its
    writes) must name for its facts to tell CL010 anything: a function on the path of a
    write CL010 judges (the function that writes, and its callers:
    `ProjectModel.callers_up`), which the script's own functions would join by calling
    it, bringing the functions they call along; or a bust or a hook
    (`BUST_OR_HOOK_WORDS`), which count only on such a path. A `def` of the name is no
    call. Without a write CL010 judges, no script tells it anything."""
    from cachelint.project.extract import BUST_OR_HOOK_WORDS

    paths: dict[str, set[str]] = {}  # the callers up of each function that writes, found once
    for write in project.writes:
        if write.function not in paths and not is_install_script(write.path):
            paths[write.function] = project.callers_up(write.function)
    names = frozenset(function.rpartition(".")[2] for path in paths.values() for function in path)
    return _Screen(_Naming(names, frozenset(BUST_OR_HOOK_WORDS) if names else frozenset()), in_code=True)


class _Naming:
    """`search(text)`: whether a text names one of `words`, or one of `names` other than
    in its `def` or `class` statement; word by word (a pattern of a few hundred names
    would try each of them at every position)."""

    _WORD = re.compile(rb"\w+")
    _DEFINING = (b"def ", b"class ")

    def __init__(self, names: frozenset[str], words: frozenset[str]) -> None:
        self.names = frozenset(name.encode() for name in names)
        self.words = frozenset(word.encode() for word in words)

    def search(self, text: bytes) -> bool:
        if not self.names:
            return False
        for match in self._WORD.finditer(text):
            word = match.group()
            if word in self.words or (word in self.names and not text.endswith(self._DEFINING, 0, match.start())):
                return True
        return False


class _Mentions:
    """`passes(text)`: whether `mentions` (`entity_mentions`) finds a word in a text outside
    its comments and docstrings (`prefilter.without_prose`). What the model takes an
    entity from is written in code (a model class, `Product.objects`, `class
    Product(Model)` for `self.save()`) or in a string that is not prose (a table in SQL
    text, a string annotation); a file whose other mentions of the entity are prose
    (zou's resources document their projects in docstrings) holds no write of it. The
    quick test on the whole text first: most files do not pass it."""

    def __init__(self, mentions: re.Pattern[bytes]) -> None:
        self.mentions = mentions

    def passes(self, raw: bytes) -> bool:
        return self.mentions.search(raw) is not None and self.mentions.search(without_prose(raw)) is not None


_NAMES_AN_ENTITY = "names an entity"  # the note of whether a file names one of the entities cached


def _naming(tasks: list[_Task], mentions: re.Pattern[bytes], workers: parallel.Workers,
            cache: ResultCache | None) -> set[int]:
    """The indexes of the tasks whose file's text `mentions` finds outside its prose
    (`_Mentions`; `_lint_for_the_entities`), the files read in the workers. Each answer is a note of the file's entry in `cache`
    (the first pass's pack), with the digest of the pattern it answers: a run after, whose
    files cache the same entities, reads no unchanged file again for it."""
    pattern = hashlib.blake2b(mentions.pattern, digest_size=16).hexdigest()

    def answer_of(noted: object) -> bool | None:
        if isinstance(noted, list) and len(noted) == 2 and noted[0] == pattern and isinstance(noted[1], bool):
            return noted[1]
        return None  # a note of another shape, or of other entities

    answers = _noted_answers(tasks, _Mentions(mentions).passes, _NAMES_AN_ENTITY, answer_of,
                             lambda passes: [pattern, passes], workers, cache)
    return {task.index for task, passes in answers if passes}


def _noted_answers(tasks: list[_Task], question: Callable[[bytes], _Answer], note: str,
                   answer_of: Callable[[object], _Answer | None], noted: Callable[[_Answer], object],
                   workers: parallel.Workers, cache: ResultCache | None) -> list[tuple[_Task, _Answer | None]]:
    """Each task's answer to `question` on its file's text (None for a file that cannot be
    read): from the note `note` of the file's entry in `cache` when it holds one
    (`answer_of` gives None for a note it cannot read), else asked in the workers
    (`_asked`) and kept as that note (`noted` makes it), so that a run after reads no
    unchanged file again for it."""
    answers: list[tuple[_Task, _Answer | None]] = []
    unread = []
    for task in tasks:
        known = answer_of(cache.note(task.filename, task.stat, note)) if (
            cache is not None and task.stat is not None) else None
        if known is not None:
            answers.append((task, known))
        else:
            unread.append(task)
    for task, (answer, digest) in zip(unread, _asked(unread, question, workers, cache is not None)):
        answers.append((task, answer))
        if cache is not None and answer is not None and digest is not None:
            cache.keep_note(task.filename, digest, note, noted(answer))
    return answers


def _facts(results: list[FileResult]) -> list[FileFacts]:
    return [result.facts for result in results if result.facts is not None]


def _partial(result: FileResult) -> bool:
    return result.facts is not None and result.facts.partial


def _skipped(result: FileResult) -> bool:
    return result.facts is None and not result.diagnostics and not result.internal_errors


class _Screen:
    """What a file's text must contain for a pass after the first to lint it: each of some
    patterns (compiled regular expressions, or `clients.Words`, `NameUses`, `Prefiltered`), tested in their order.
    With `in_code`, outside its comments and plain strings (`prefilter.code_of`): a
    module's path in a settings string (`"django.core.cache.backends.locmem.LocMemCache"`)
    imports nothing, and such a file would be linted again whole for nothing. The text
    that passes is tested again without them, so that most files cost a search only."""

    def __init__(self, *patterns: re.Pattern[bytes] | Words | NameUses | Prefiltered | _Naming,
                 in_code: bool = False) -> None:
        self.patterns = patterns
        self.in_code = in_code

    def passes(self, raw: bytes) -> bool:
        return self._found_in(raw) and (not self.in_code or self._found_in(code_of(raw)))

    def _found_in(self, raw: bytes) -> bool:
        return all(pattern.search(raw) for pattern in self.patterns)


class _AnyOf:
    """A screen that a file's text passes when it passes any of `screens`."""

    def __init__(self, *screens: _Screen) -> None:
        self.screens = screens

    def passes(self, raw: bytes) -> bool:
        return any(screen.passes(raw) for screen in self.screens)


_SCREEN_BATCH = 64  # files a worker asks per item: one item per file would cost more than the question


def _screened(tasks: list[_Task], screen: _Screen | _AnyOf, workers: parallel.Workers,
              cache: ResultCache | None = None) -> list[_Task]:
    """The tasks whose file's text passes `screen`, the files read and tested in the
    workers. With `cache`, a file that does not pass gets an empty entry there: the mark
    of a file the pass looked at and left (`_lint_importers_of_clients`)."""
    passed = []
    for task, (passes, digest) in zip(tasks, _asked(tasks, screen.passes, workers, cache is not None)):
        if passes:
            passed.append(task)
        elif cache is not None and task.stat is not None and digest is not None:
            cache.store(task.filename, task.stat, digest, [], None)
    return passed


_Answer = TypeVar("_Answer")


def _asked(tasks: list[_Task], question: Callable[[bytes], _Answer], workers: parallel.Workers,
           digests: bool) -> list[tuple[_Answer | None, str | None]]:
    """For each task, `question`'s answer on its file's text (None for a file that cannot
    be read: the first pass reported it) and, with `digests`, the text's content hash;
    the files read and asked in the workers, in batches. `question` must be picklable (a
    module-level function, or a method of a picklable object)."""
    batches = [[task.filename for task in tasks[start:start + _SCREEN_BATCH]]
               for start in range(0, len(tasks), _SCREEN_BATCH)]
    ask = functools.partial(_ask_files, question, digests)
    return [outcome for outcomes in workers.map_in_order(ask, batches) for outcome in outcomes]


def _ask_files(question: Callable[[bytes], _Answer], digests: bool,
               filenames: list[str]) -> list[tuple[_Answer | None, str | None]]:
    """`_asked` of some files. Runs in a worker process."""
    outcomes: list[tuple[_Answer | None, str | None]] = []
    with _without_cyclic_gc():  # a question may read a syntax tree (`_Defines`): as for linting (`lint_source`)
        for filename in filenames:
            raw = _read(filename)
            if raw is None:
                outcomes.append((None, None))
            else:
                outcomes.append((question(raw), content_digest(raw) if digests else None))
    return outcomes


def _read(filename: str) -> bytes | None:
    try:
        with open(filename, "rb") as stream:  # not pathlib's: the passes' screens read every file
            return stream.read()
    except OSError:
        return None


def _check_file(settings: Settings, prefilter: bool, task: _Task) -> tuple[str | None, FileResult | None]:
    """The file's content hash (when the cache wants it) and result; None for the result
    when the hash is the one the cache knows. Runs in a worker process."""
    try:
        with open(task.filename, "rb") as stream:  # not pathlib's, which costs as much as the read
            raw = stream.read()
    except OSError as error:
        return None, _unreadable(task.filename, describe_os_error(error))
    digest = content_digest(raw) if task.stat is not None else None
    if digest is not None and digest == task.known_digest:
        return digest, None
    result = lint_source(task.filename, raw, settings, prefilter, in_part=task.in_part)
    if not result.diagnostics:
        result.text = None  # only reporters and fixes read it, and only for diagnostics
    return digest, result


def _size(task: _Task) -> int:
    """What linting the file may cost: big files are the ones worth parsing."""
    if task.stat is not None:
        return task.stat.st_size
    stat = _stat(task.filename)
    return stat.st_size if stat is not None else 0


def _stat(filename: str) -> os.stat_result | None:
    try:
        return os.stat(filename)
    except OSError:
        return None


def _from_cache(cache: ResultCache, filename: str) -> tuple[FileResult | None, os.stat_result | None]:
    """The cached result of an unchanged file, and the file's status (None: unreadable)."""
    stat = _stat(filename)
    if stat is None:
        return None, None
    return _restored(filename, cache.unchanged(filename, stat)), stat


def _restored(filename: str, cached: Cached | None) -> FileResult | None:
    """A file's result from the cache, with its text read again when reporters or fixes
    need it; None when there is none, or the file can no longer be read."""
    if cached is None:
        return None
    try:
        facts = FileFacts.from_json(cached.facts) if cached.facts is not None else None
        unmodelled = [UnresolvedCall(*call) for call in cached.unmodelled]
    except (KeyError, TypeError, ValueError):  # an entry of another shape: the file is linted again
        return None
    result = FileResult(filename, cached.diagnostics, facts=facts, suppressed=cached.suppressed, unmodelled=unmodelled)
    if result.diagnostics:
        try:
            raw = Path(filename).read_bytes()
        except OSError:
            return None
        try:
            result.text, result.encoding = decode(raw)
        except (UnicodeDecodeError, SyntaxError):
            pass  # its diagnostics say so
    return result


def _unreadable(filename: str, reason: str) -> FileResult:
    return FileResult(filename, [problem(filename, "io-error", f"cannot read: {reason}")])
