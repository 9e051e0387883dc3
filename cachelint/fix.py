"""`--fix`, `--unsafe-fixes` and `--diff`: apply the edits that diagnostics carry, as Ruff does.

A fix is applied whole or not at all. Each pass takes the applicable fixes in source
order, skips any that overlaps or touches one already taken, applies the edits bottom-up
and lints the result again, until nothing applicable is left (at most MAX_PASSES). A pass
whose result does not parse, or cannot be written in the file's encoding, is dropped and
reported as an internal error of the rules that made it. Files are written atomically.
"""
from __future__ import annotations

import dataclasses
import difflib
import os
import stat
import tempfile

import libcst as cst

from cachelint.config import Settings
from cachelint.diagnostic import Diagnostic, Edit, Location
from cachelint.engine import FileResult, RunResult, lint_source, problem

MAX_PASSES = 10


@dataclasses.dataclass
class FixedFile:
    before: FileResult
    after: FileResult  # the diagnostics that remain in `text`
    text: str
    applied: int  # how many fixes went in


def is_applicable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    return diagnostic.fix is not None and diagnostic.fix.applies(unsafe)


def fix_run(run: RunResult, settings: Settings, unsafe: bool, write: bool) -> list[FixedFile]:
    """Fix every file of `run` that has an applicable fix, and write it back if `write`.
    In `run`, what remains of each fixed file replaces its result."""
    fixed = []
    for index, before in enumerate(run.files):
        if before.text is not None and any(is_applicable(d, unsafe) for d in before.diagnostics):
            outcome = fix_file(before, settings, unsafe)
            run.files[index] = _write(outcome) if write and outcome.applied else outcome.after
            if outcome.applied:
                fixed.append(outcome)
    return fixed


def fix_file(before: FileResult, settings: Settings, unsafe: bool) -> FixedFile:
    text, after, applied = before.text, before, 0
    for _ in range(MAX_PASSES):
        chosen = [d for d in after.diagnostics if is_applicable(d, unsafe)]
        if not chosen:
            break
        candidate, used = apply_fixes(text, chosen)
        try:
            cst.parse_module(candidate)
            raw = candidate.encode(before.encoding)
        except (cst.ParserSyntaxError, UnicodeEncodeError) as error:
            codes = ", ".join(sorted({d.code for d in used}))
            message = (
                f"internal error in the fixes of {codes} on {before.filename}: "
                f"the result {_failure(error)}; those fixes were not applied"
            )
            after = dataclasses.replace(after, internal_errors=[*after.internal_errors, message])
            break
        text, applied = candidate, applied + len(used)
        after = lint_source(before.filename, raw, settings)
    return FixedFile(before, after, text, applied)


def _failure(error: Exception) -> str:
    if isinstance(error, UnicodeEncodeError):
        return f"cannot be encoded as {error.encoding}"
    return f"does not parse ({error.message})"


def apply_fixes(text: str, diagnostics: list[Diagnostic]) -> tuple[str, list[Diagnostic]]:
    """`text` with the fixes of `diagnostics` that do not collide applied, and the
    diagnostics whose fixes went in."""
    starts = _line_starts(text)

    def span(edit: Edit) -> tuple[int, int]:
        return _offset(starts, edit.location), _offset(starts, edit.end_location)

    taken: list[tuple[int, int, str]] = []
    used = []
    last_end = -1
    for diagnostic in sorted(diagnostics, key=lambda d: min(e.location for e in d.fix.edits)):
        edits = sorted((*span(edit), edit.content) for edit in diagnostic.fix.edits)
        overlaps_itself = any(start < end for (start, _, _), (_, end, _) in zip(edits[1:], edits))
        if edits[0][0] <= last_end or overlaps_itself:
            continue
        taken.extend(edits)
        used.append(diagnostic)
        last_end = edits[-1][1]
    for start, end, content in reversed(taken):
        text = text[:start] + content + text[end:]
    return text, used


def _line_starts(text: str) -> list[int]:
    # Rows are counted at "\n" only, as the model counts them.
    starts = [0]
    index = text.find("\n")
    while index != -1:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def _offset(starts: list[int], location: Location) -> int:
    return starts[location.row - 1] + location.column - 1


def unified_diff(fixed: FixedFile) -> str:
    """What `--diff` shows for one file: a unified diff, headed with its name as Ruff does."""
    name = fixed.before.filename
    lines = difflib.unified_diff(
        fixed.before.text.splitlines(keepends=True), fixed.text.splitlines(keepends=True), name, name
    )
    return "".join(line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines)


def _write(fixed: FixedFile) -> FileResult:
    """Write the fixed text over the file; what remains in it, or, when it cannot be
    written, its diagnostics before fixing and one saying why."""
    try:
        write_atomically(fixed.before.filename, fixed.text.encode(fixed.before.encoding))
    except OSError as error:
        message = f"cannot write fixes: {error.strerror or error}"
        failed = problem(fixed.before.filename, "io-error", message)
        return dataclasses.replace(fixed.before, diagnostics=[*fixed.before.diagnostics, failed])
    return fixed.after


def write_atomically(path: str, data: bytes) -> None:
    """Replace the file's content without ever leaving it half-written: write a temporary
    file next to it (next to the target of a symlink) and rename it over the file."""
    target = os.path.realpath(path)
    mode = stat.S_IMODE(os.stat(target).st_mode)
    descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".cachelint-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
