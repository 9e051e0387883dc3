"""`--fix`, `--unsafe-fixes` and `--diff`: apply the edits that diagnostics carry, as Ruff does.

A fix is applied whole or not at all. Each pass takes the applicable fixes in source
order, skips any that overlaps or touches one already taken, applies the edits bottom-up
and lints the result again, until nothing applicable is left (at most MAX_PASSES). A pass
whose result does not parse, or cannot be written in the file's encoding, is dropped and
reported as an internal error of the rules that made it. Files are written as an editor
would write them (`_write`).
"""
from __future__ import annotations

import contextlib
import dataclasses
import difflib
import os
import re
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path

import libcst as cst

from cachelint.config import Settings
from cachelint.diagnostic import Diagnostic, Edit, Location
from cachelint.engine import FileResult, RunResult, decode, lint_source, problem

MAX_PASSES = 10
_ROW = re.compile(r"[^\n]*\n|[^\n]+$")


@dataclasses.dataclass
class FixedFile:
    before: FileResult
    after: FileResult  # the diagnostics that remain in `text`
    text: str
    applied: int  # how many fixes went in


def is_applicable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    return diagnostic.fix is not None and diagnostic.fix.applies(unsafe)


def fix_run(run: RunResult, settings: Settings, unsafe: bool, write: bool, roots: Sequence[Path] = ()) -> list[FixedFile]:
    """Fix every file of `run` that has an applicable fix, and write it back if `write`
    (a symlink only to a file inside `roots`, the paths linted). In `run`, what remains of
    each fixed file replaces its result. The files fixed: written, when `write`."""
    fixed = []
    inside = _Tree(roots or [settings.root])
    for index, before in enumerate(run.files):
        if before.text is not None and any(is_applicable(d, unsafe) for d in before.diagnostics):
            outcome = fix_file(before, settings, unsafe)
            if not outcome.applied:
                run.files[index] = outcome.after
                continue
            refusal = _write(outcome, inside) if write else None
            if refusal is None:
                run.files[index] = outcome.after
                fixed.append(outcome)
            else:
                failed = problem(before.filename, "io-error", f"fixes not written: {refusal}")
                run.files[index] = dataclasses.replace(before, diagnostics=[*before.diagnostics, failed])
    return fixed


def fix_file(before: FileResult, settings: Settings, unsafe: bool) -> FixedFile:
    text, after, applied = before.text, before, 0
    assert text is not None, "only a file that was read has fixes"
    for _ in range(MAX_PASSES):
        chosen = [d for d in after.diagnostics if is_applicable(d, unsafe)]
        if not chosen:
            break
        candidate, used = apply_fixes(text, chosen)
        try:
            cst.parse_module(candidate)
            raw = candidate.encode(before.encoding)
        except (cst.ParserSyntaxError, UnicodeEncodeError) as error:
            codes = ", ".join(sorted({d.code for d in used if d.code}))
            message = (
                f"internal error in the fixes of {codes} on {before.filename}: "
                f"the result {_failure(error)}; those fixes were not applied"
            )
            after = dataclasses.replace(after, internal_errors=[*after.internal_errors, message])
            break
        text, applied = candidate, applied + len(used)
        after = lint_source(before.filename, raw, settings)
    return FixedFile(before, after, text, applied)


def _failure(error: cst.ParserSyntaxError | UnicodeEncodeError) -> str:
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
    fixable = [(diagnostic, diagnostic.fix) for diagnostic in diagnostics if diagnostic.fix is not None]
    for diagnostic, fix in sorted(fixable, key=lambda pair: min(edit.location for edit in pair[1].edits)):
        edits = sorted((*span(edit), edit.content) for edit in fix.edits)
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


def unified_diff(fixed: FixedFile) -> bytes:
    """What `--diff` shows for one file: a unified diff, headed with its name as Ruff does,
    in the file's own encoding (so that `patch` applies it to the file's bytes). Rows end
    at "\\n" alone, as in the file (`str.splitlines` would also end one at a form feed)."""
    name = fixed.before.filename
    lines = difflib.unified_diff(_rows(fixed.before.text or ""), _rows(fixed.text), name, name)
    text = "".join(line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines)
    return text.encode(fixed.before.encoding, "surrogateescape")  # a file name that is not UTF-8: its bytes


def _rows(text: str) -> list[str]:
    return _ROW.findall(text)


class _Tree:
    """The folders linted (and those of the files named): where a symlink may lead a write."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self._folders = [os.path.realpath(root if os.path.isdir(root) else os.path.dirname(os.path.abspath(root)))
                         for root in roots]

    def holds(self, path: str) -> bool:
        real = os.path.realpath(path)
        return any(real == folder or real.startswith(folder.rstrip(os.sep) + os.sep) for folder in self._folders)


def _write(fixed: FixedFile, inside: _Tree) -> str | None:
    """Write the fixed text over the file, as an editor would: not if the file changed
    since it was read, through a symlink only to a file inside the linted tree, keeping
    its hard links, owner and mode. None when written, else why not."""
    path = fixed.before.filename
    try:
        current = Path(path).read_bytes()
    except OSError as error:
        return f"cannot read it again: {error.strerror or error}"
    try:
        changed = decode(current)[0] != fixed.before.text
    except (UnicodeDecodeError, SyntaxError):
        changed = True
    if changed:
        return "the file changed since it was read; run again"
    if os.path.islink(path) and not inside.holds(path):
        return f"it is a symlink to {os.path.realpath(path)}, outside the folders linted"
    try:
        write_keeping_metadata(path, fixed.text.encode(fixed.before.encoding))
    except OSError as error:
        return f"cannot write: {error.strerror or error}"
    return None


def write_keeping_metadata(path: str, data: bytes) -> None:
    """Replace the file's content, keeping what makes it the same file: its hard links,
    owner, group and mode. A file with one link whose owner this process can give a new
    file is replaced atomically (a temporary file next to it, with its mode and owner,
    renamed over it: never half-written); any other is written in place, which keeps its
    links (renaming would cut them) and owner."""
    target = os.path.realpath(path)
    status = os.stat(target)
    if status.st_nlink == 1 and _replace_atomically(target, data, status):
        return
    with open(target, "r+b") as stream:
        stream.write(data)
        stream.truncate()


def _replace_atomically(target: str, data: bytes, status: os.stat_result) -> bool:
    descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".cachelint-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
        made = os.stat(temporary)
        if (made.st_uid, made.st_gid) != (status.st_uid, status.st_gid):
            try:
                os.chown(temporary, status.st_uid, status.st_gid)
            except OSError:  # not ours to give: write in place instead
                os.unlink(temporary)
                return False
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return True
