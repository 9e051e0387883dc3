"""Baselines: adopt cachelint on a codebase that already has findings.

`cachelint check --write-baseline FILE` records the current findings; `--baseline FILE`
(or `baseline = "FILE"` in the configuration) then reports only the findings not in it,
and lists the entries that no longer match any finding so that the file can shrink.

A finding is recognised by its *fingerprint*, a hash of what stays the same when code
around it moves or changes: the rule, the file (relative to the project root), the text
of the flagged statement with its layout and comments normalised away, the qualified name
of the function (or class) around it, and how many findings with all of these the same
came before it in the file. Line numbers play no part. The same fingerprint appears in
the JSON output (`fingerprint`) and in SARIF (`partialFingerprints`).

The file is JSON with sorted keys and sorted entries, so that a change to it reads well
in a diff; each entry names its rule, file, function and statement for the reviewer.
"""
from __future__ import annotations

import ast
import gc
import hashlib
import io
import json
import os
import re
import tokenize
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cachelint import tree_scan
from cachelint.diagnostic import Diagnostic
from cachelint.report import source

FORMAT = 1
_CLOSING = (")", "]", "}")
_WORD = re.compile(r"\w")
# The fields that hold statements (`handlers` and `cases` hold the nodes that hold them).
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")
_LAYOUT = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}


class BaselineError(Exception):
    pass


@dataclass(frozen=True)
class Entry:
    code: str
    path: str  # relative to the project root, with `/`
    function: str  # qualified name of the enclosing def or class; "" at module level
    statement: str  # normalised text of the flagged statement
    fingerprint: str

    def describe(self) -> str:
        where = f" in {self.function}" if self.function else ""
        return f"{self.path}: {self.code}{where}: {self.statement}"


def entries(diagnostics: Iterable[Diagnostic], sources: dict[str, str], root: Path) -> dict[Diagnostic, Entry]:
    """The baseline entry (with its fingerprint) of every diagnostic, in the order given."""
    functions: dict[str, _Functions] = {}
    occurrences: Counter[tuple[str, ...]] = Counter()
    found: dict[Diagnostic, Entry] = {}
    for diagnostic in sorted(diagnostics, key=Diagnostic.sort_key):
        text = sources.get(diagnostic.filename)
        first, last = diagnostic.statement_rows
        if not first:
            first = last = diagnostic.location.row
        if text is not None and diagnostic.filename not in functions:
            functions[diagnostic.filename] = _Functions(text)
        enclosing = functions[diagnostic.filename].around(first) if text is not None else ""
        statement = _normalised(source.lines(text)[first - 1:last]) if text is not None else ""
        identity = (diagnostic.code or diagnostic.name, relative_path(diagnostic.filename, root), enclosing, statement)
        digest = hashlib.sha256("\0".join([*identity, str(occurrences[identity])]).encode("utf-8", "surrogateescape")).hexdigest()
        occurrences[identity] += 1
        found[diagnostic] = Entry(*identity, digest[:32])
    return found


def relative_path(filename: str, root: Path) -> str:
    relative = os.path.relpath(os.path.abspath(filename), os.path.abspath(root))
    return filename if relative.startswith(os.pardir) else Path(relative).as_posix()


def _normalised(lines: Iterable[str]) -> str:
    """The statement's tokens, with a space only between two words: indentation, line
    breaks inside brackets, spacing, trailing commas and comments do not count (and Python 3.12's f-string
    tokens join up as older versions' single token does). Text the tokenizer cannot read
    (a statement cut out of a string that spans lines) is compared by its words instead."""
    snippet = "\n".join(line.strip() for line in lines)
    try:
        tokens = [t.string for t in tokenize.generate_tokens(io.StringIO(snippet).readline) if t.type not in _LAYOUT]
    except (tokenize.TokenError, SyntaxError):
        return " ".join(snippet.split())
    text = ""
    for token, following in zip(tokens, [*tokens[1:], ""]):
        if token == "," and following in _CLOSING:  # a trailing comma, as formatters add
            continue
        if text and _WORD.match(text[-1]) and _WORD.match(token[0]):
            text += " "
        text += token
    return text


class _Functions:
    """The qualified name of the def or class around each row of a file."""

    def __init__(self, text: str) -> None:
        self._spans: list[tuple[int, int, str]] = []  # first row, last row, qualified name
        self._by_row: list[str] | None = None  # each row's, made on first use
        # Python's tree of a big module is a million objects, and holds no cycle: the cyclic
        # collector would only scan them again and again while they are made (half the time).
        collecting = gc.isenabled()
        gc.disable()
        try:
            tree = tree_scan.syntax_tree(text)
            if tree is not None:
                self._collect(tree, "")
        finally:
            if collecting:
                gc.enable()

    def _collect(self, node: ast.AST, prefix: str) -> None:
        """The defs and classes among the statements of `node`'s bodies, and theirs: a def
        or class is a statement, so expressions are not walked."""
        for field in _BODIES:
            for child in getattr(node, field, ()):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    name = f"{prefix}{child.name}"
                    # The body only: a finding on the decorators or the `def` line belongs outside.
                    self._spans.append((child.body[0].lineno, child.end_lineno or child.lineno, name))
                    self._collect(child, name + ".")
                else:
                    self._collect(child, prefix)

    def around(self, row: int) -> str:
        """The innermost def or class whose body holds `row` (of two starting on one row, the
        one named last)."""
        if self._by_row is None:
            # Each span written over the rows it covers, in the order of (first row, name):
            # the one written last on a row is the innermost. One table for every finding
            # of the file, where a search per finding cost findings x functions.
            self._by_row = [""] * (max((last for _, last, _ in self._spans), default=0) + 1)
            for first, last, name in sorted(self._spans, key=lambda span: (span[0], span[2])):
                self._by_row[first:last + 1] = [name] * (last - first + 1)
        return self._by_row[row] if 0 <= row < len(self._by_row) else ""


# --- the file ---------------------------------------------------------------------------


def write(path: Path, found: Iterable[Entry]) -> None:
    rows = sorted(found, key=lambda e: (e.path, e.code, e.function, e.statement, e.fingerprint))
    document = {
        "cachelint-baseline": FORMAT,
        "findings": [
            {"code": e.code, "path": e.path, "function": e.function, "statement": e.statement, "fingerprint": e.fingerprint}
            for e in rows
        ],
    }
    path.write_text(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def read(path: Path) -> list[Entry]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(f"{path}: cannot read the baseline: {error.strerror or error}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BaselineError(f"{path}: not a cachelint baseline (invalid JSON: {error})") from error
    if not isinstance(document, dict) or document.get("cachelint-baseline") != FORMAT:
        raise BaselineError(f"{path}: not a cachelint baseline (format {FORMAT}); write one with --write-baseline")
    fields = ("code", "path", "function", "statement", "fingerprint")
    rows = document.get("findings")
    if not isinstance(rows, list) or not all(
        isinstance(row, dict) and all(isinstance(row.get(name), str) for name in fields) for row in rows
    ):
        raise BaselineError(f"{path}: `findings` must be a list of entries with {', '.join(fields)}")
    return [Entry(*(row[name] for name in fields)) for row in rows]


@dataclass
class Comparison:
    new: list[Diagnostic]  # findings the baseline does not hold
    stale: list[Entry]  # baseline entries for the files linted that match no finding


def compare(recorded: list[Entry], found: dict[Diagnostic, Entry], linted_paths: set[str]) -> Comparison:
    """Split the findings of a run against a baseline. An entry counts once: a finding
    recorded once and now present twice is reported once. Entries for files this run did
    not lint (a hook given a few files) are neither matched nor stale."""
    remaining = Counter(entry.fingerprint for entry in recorded)
    new = []
    for diagnostic, entry in found.items():
        if remaining[entry.fingerprint] > 0:
            remaining[entry.fingerprint] -= 1
        else:
            new.append(diagnostic)
    stale = []
    for entry in recorded:
        if remaining[entry.fingerprint] > 0 and entry.path in linted_paths:
            remaining[entry.fingerprint] -= 1
            stale.append(entry)
    return Comparison(new, stale)
