"""From source text to diagnostics: decode, prefilter, parse, model, rules, suppressions.

A problem with one file (bytes that do not decode, a syntax error) becomes a diagnostic
for that file; a crash inside one rule becomes an internal error naming the rule and
the file. Neither stops any other rule or file from being checked.
"""
from __future__ import annotations

import ast
import functools
import io
import re
import tokenize
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from cachelint import rules, selection, suppressions
from cachelint.config import Settings
from cachelint.diagnostic import Diagnostic, Edit, Fix, Location
from cachelint.discover import describe_os_error, discover
from cachelint.model import ModuleModel, build_model
from cachelint.rules.base import Finding, RuleContext

# Text that any cache client, decorator or dict cache the model recognises must contain.
_PREFILTER = re.compile(rb"cache|redis|valkey|pylibmc|cashews|dogpile", re.IGNORECASE)


@dataclass
class FileResult:
    filename: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    text: str | None = None  # kept for reporters that show source lines, and for fixes
    encoding: str = "utf-8"


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


def problem(filename: str, name: str, message: str, row: int = 1, column: int = 1) -> Diagnostic:
    location = Location(row, column)
    return Diagnostic(None, name, message, filename, location, location, statement_rows=(row, row))


def decode(raw: bytes) -> tuple[str, str]:
    """Source text and its encoding, honouring a PEP 263 coding cookie and a UTF-8 BOM."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    return raw.decode(encoding), encoding


@functools.lru_cache(maxsize=8)
def _prefilter(names: tuple[str, ...]) -> re.Pattern[bytes]:
    """The prefilter, widened by the last part of each name configured in `[tool.cachelint.clients]`."""
    extra = [re.escape(name.rsplit(".", 1)[-1].encode()) for name in names]
    return re.compile(b"|".join([_PREFILTER.pattern, *extra]), re.IGNORECASE)


def lint_source(filename: str, raw: bytes, settings: Settings) -> FileResult:
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
    clients = settings.clients
    if not _prefilter((*clients.objects, *clients.functions)).search(raw):
        return result
    codes = settings.codes_for(filename) - selection.matching(suppressions.file_level(text))
    if not codes:
        return result
    result.text = text
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        result.diagnostics.append(_syntax_error(filename, text, error))
        return result
    except (RecursionError, MemoryError) as error:
        result.internal_errors.append(f"internal error in the parser on {filename}: {type(error).__name__}")
        return result
    try:
        # The model's positions are UTF-8 byte offsets, whatever the file's own encoding.
        model = build_model(filename, text.encode("utf-8"), module, settings.clients)
    except Exception as error:  # a bug in the model must not cost the other files
        result.internal_errors.append(_internal_error("the model", filename, error))
        return result
    diagnostics = []
    for rule in rules.ALL_RULES:
        if rule.code not in codes:
            continue
        try:
            findings = rule().check(model, RuleContext(settings.options_for(rule)))
            diagnostics.extend([_diagnostic(rule, finding, model) for finding in findings])
        except Exception as error:
            result.internal_errors.append(_internal_error(f"rule {rule.code} ({rule.name})", filename, error))
    if diagnostics:
        by_row = suppressions.comments(text)
        diagnostics = [d for d in diagnostics if not suppressions.is_suppressed(d, by_row)]
    result.diagnostics = sorted(set(diagnostics), key=Diagnostic.sort_key)
    return result


def _syntax_error(filename: str, text: str, error: cst.ParserSyntaxError) -> Diagnostic:
    """Python's own account of a syntax error where it has one: LibCST's native parser
    gives no column, and Python says what is wrong in plainer words."""
    try:
        ast.parse(text)
    except SyntaxError as python:
        if python.lineno:
            return problem(filename, "invalid-syntax", f"SyntaxError: {python.msg}", python.lineno, python.offset or 1)
    except (ValueError, RecursionError, MemoryError):
        pass
    return problem(filename, "invalid-syntax", f"SyntaxError: {error.message}", error.raw_line, error.raw_column + 1)


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
    run.files.extend(_unreadable(str(path), reason) for path, reason in found.errors)
    for path in found.files:
        try:
            raw = path.read_bytes()
        except OSError as error:
            run.files.append(_unreadable(str(path), describe_os_error(error)))
        else:
            run.files.append(lint_source(str(path), raw, settings))
    return run


def _unreadable(filename: str, reason: str) -> FileResult:
    return FileResult(filename, [problem(filename, "io-error", f"cannot read: {reason}")])
