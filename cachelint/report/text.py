"""What the human-readable formats (`full`, `concise`) share: colours, the header line of a
diagnostic and the summary after the list, worded as Ruff words them."""
from __future__ import annotations

from cachelint.diagnostic import Diagnostic
from cachelint.report import ReportContext, paths

# ANSI SGR parameters, as Ruff and annotate-snippets colour their output.
BOLD = "1"
CYAN = "36"
RED_BOLD = "1;31"
GREEN_BOLD = "1;32"
GUTTER = "1;94"  # bright blue bold: line numbers and the `|` rule
ERROR = "1;91"  # bright red bold: carets and their label
HELP = "1;96"  # bright cyan bold: `help`


class Painter:
    """Wraps text in ANSI colour codes, or leaves it alone when colour is off (or it is blank)."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, style: str) -> str:
        return f"\x1b[{style}m{text}\x1b[0m" if self.color and text.strip() else text


def fix_applies(diagnostic: Diagnostic, context: ReportContext) -> bool:
    """Whether the fix would be applied by `--fix` (unsafe fixes need `--unsafe-fixes`)."""
    return diagnostic.fix is not None and diagnostic.fix.applies(context.unsafe_fixes)


def header(diagnostic: Diagnostic, context: ReportContext, paint: Painter) -> str:
    """`path:row:col: CODE [*] message`, or `path:row:col: name: message` without a code."""
    sep = paint(":", CYAN)
    where = sep.join(
        [paint(paths.relative(diagnostic.filename), BOLD), str(diagnostic.location.row), str(diagnostic.location.column)]
    )
    if diagnostic.code is None:
        return f"{where}{sep} {paint(diagnostic.name, RED_BOLD)}: {diagnostic.message}"
    marker = f"[{paint('*', CYAN)}] " if fix_applies(diagnostic, context) else ""
    return f"{where}{sep} {paint(diagnostic.code, RED_BOLD)} {marker}{diagnostic.message}"


def _plural(count: int, word: str, suffix: str) -> str:
    return f"{count} {word}{'' if count == 1 else suffix}"


def summary(diagnostics: list[Diagnostic], context: ReportContext, paint: Painter) -> str:
    """`Found N errors.` or `All checks passed!` (only when no call that looks like cache
    use was left not understood: a user must tell "clean" from "not seen"), then what
    `--fix` and `--unsafe-fixes` would do."""
    blind = ""
    if context.unresolved:
        count = _plural(context.unresolved, "call", "s")
        verbs = "looks like cache use and was" if context.unresolved == 1 else "look like cache use and were"
        blind = f"{count} that {verbs} not understood; `cachelint ops --unresolved` lists them.\n"
    if not diagnostics:
        return (paint("All checks passed!", GREEN_BOLD) + "\n") if not blind else f"No errors found. {blind}"
    text = f"Found {_plural(len(diagnostics), 'error', 's')}.\n" + blind
    applicable = sum(fix_applies(d, context) for d in diagnostics)
    hidden = sum(d.fix is not None and not fix_applies(d, context) for d in diagnostics)
    fixable = f"[{paint('*', CYAN)}] {applicable} fixable with the `--fix` option"
    hint = f"{_plural(hidden, 'hidden fix', 'es')} can be enabled with the `--unsafe-fixes` option"
    if applicable and hidden:
        return text + f"{fixable} ({hint}).\n"
    if applicable:
        return text + f"{fixable}.\n"
    if hidden:
        return text + f"No fixes available ({hint}).\n"
    return text
