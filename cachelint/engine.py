"""From source text to diagnostics: decode, prefilter, parse, model, rules, suppressions.

A problem with one file (bytes that do not decode, a syntax error) becomes a diagnostic
for that file; a crash inside one rule becomes an internal error naming the rule and
the file. Neither stops any other rule or file from being checked.
"""
from __future__ import annotations

import io
import re
import tokenize
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from cachelint import suppressions
from cachelint.config import Settings
from cachelint.diagnostic import Diagnostic, Edit, Fix, Location
from cachelint.discover import describe_os_error, discover
from cachelint.model import ModuleModel, build_model
from cachelint.rules import ALL_RULES
from cachelint.rules.base import Finding, RuleContext

# Text that any cache client, decorator or dict cache the model recognises must contain.
_PREFILTER = re.compile(rb"cache|redis|valkey|pylibmc|cashews|dogpile", re.IGNORECASE)


@dataclass
class FileResult:
    filename: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    text: str | None = None  # kept for reporters that show source lines


@dataclass
class RunResult:
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


def _problem(filename: str, name: str, message: str, row: int = 1, column: int = 1) -> Diagnostic:
    location = Location(row, column)
    return Diagnostic(None, name, message, filename, location, location, statement_rows=(row, row))


def decode(raw: bytes) -> str:
    """Source text, honouring a PEP 263 coding cookie and a UTF-8 BOM."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    return raw.decode(encoding)


def _prefilter_pattern(settings: Settings) -> re.Pattern[bytes]:
    names = [name.rsplit(".", 1)[-1] for name in [*settings.clients.objects, *settings.clients.functions]]
    if not names:
        return _PREFILTER
    extra = b"|".join(re.escape(name.encode()) for name in names)
    return re.compile(_PREFILTER.pattern + b"|" + extra, re.IGNORECASE)


def lint_source(filename: str, raw: bytes, settings: Settings, codes: frozenset[str] | None = None) -> FileResult:
    result = FileResult(filename)
    try:
        text = decode(raw)
    except (UnicodeDecodeError, SyntaxError, LookupError) as error:
        result.diagnostics.append(_problem(filename, "io-error", f"cannot decode file: {error}"))
        return result
    if not _prefilter_pattern(settings).search(raw) or suppressions.file_is_suppressed(text):
        return result
    result.text = text
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        message = f"SyntaxError: {error.message}"
        result.diagnostics.append(_problem(filename, "invalid-syntax", message, error.raw_line, error.raw_column + 1))
        return result
    except (RecursionError, MemoryError) as error:
        result.internal_errors.append(f"{filename}: cannot parse: {type(error).__name__}")
        return result
    try:
        model = build_model(filename, text.encode(module.encoding or "utf-8"), module, settings.clients)
    except Exception as error:  # a bug in the model must not cost the other files
        result.internal_errors.append(_internal_error("the model", filename, error))
        return result
    codes = settings.codes_for(filename) if codes is None else codes
    diagnostics = []
    for rule in ALL_RULES:
        if rule.code not in codes:
            continue
        try:
            findings = list(rule().check(model, RuleContext(settings.options_for(rule))))
        except Exception as error:
            result.internal_errors.append(_internal_error(f"rule {rule.code} ({rule.name})", filename, error))
            continue
        diagnostics.extend(_diagnostic(rule, finding, model) for finding in findings)
    if diagnostics:
        by_row = suppressions.comments(text)
        diagnostics = [d for d in diagnostics if not suppressions.is_suppressed(d, by_row)]
    result.diagnostics = sorted(set(diagnostics), key=Diagnostic.sort_key)
    return result


def _internal_error(what: str, filename: str, error: Exception) -> str:
    frame = traceback.extract_tb(error.__traceback__)[-1]
    where = f"{Path(frame.filename).name}:{frame.lineno}"
    return f"internal error in {what} on {filename}: {type(error).__name__}: {error} ({where})"


def _diagnostic(rule, finding: Finding, model: ModuleModel) -> Diagnostic:
    start, end = model.range(finding.node)
    fix = None
    if finding.fix is not None:
        edits = tuple(
            Edit(replacement.code, *model.range(replacement.node)) for replacement in finding.fix.replacements
        )
        fix = Fix(finding.fix.message, edits, finding.fix.applicability)
    return Diagnostic(
        rule.code, rule.name, finding.message, model.path, start, end, fix,
        url=rule.docs_path(), statement_rows=model.statement_rows(finding.statement),
    )


def lint_paths(paths: list[Path], settings: Settings) -> RunResult:
    run = RunResult()
    found = discover(paths, settings.root, settings.exclude, settings.extend_exclude)
    for path, problem in found.errors:
        run.files.append(FileResult(str(path), [_problem(str(path), "io-error", f"cannot read: {problem}")]))
    for path in found.files:
        filename = str(path)
        try:
            raw = path.read_bytes()
        except OSError as error:
            message = f"cannot read: {describe_os_error(error)}"
            run.files.append(FileResult(filename, [_problem(filename, "io-error", message)]))
            continue
        run.files.append(lint_source(filename, raw, settings))
    return run
