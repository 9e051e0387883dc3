"""cachelint's findings and facts as LSP objects: diagnostics, code actions, hover text.

A finding keeps what the command line says of it: its code (or, for a problem that is
not a rule's finding, its name: `invalid-syntax`), message, range and the link to its
rule's page. As in Ruff's server, rule findings are warnings and problems with the file
(it does not parse or decode, cachelint failed on it) are errors.

Code actions, for each finding in the range the editor asks about:

- its fix, titled with the fix's message; a fix that changes runtime behaviour (unsafe,
  applied on the command line only with `--unsafe-fixes`) says so in its title;
- `# noqa: CLxxx` on the last line of the flagged statement (a comment on any of its
  lines suppresses it; the last one never ends inside a string), added to a `# noqa:`
  comment already there;
- open the rule's documentation.
"""
from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types

import cachelint
from cachelint import rules, suppressions
from cachelint.diagnostic import Diagnostic, Edit, Location
from cachelint.project.facts import CacheUse
from cachelint.report import docs
from cachelint.server.positions import Lines

SOURCE = "cachelint"
SHOW_DOCUMENTATION = "cachelint.showDocumentation"
_CHECKOUT = Path(cachelint.__file__).resolve().parent.parent  # the repository, when run from a checkout


def to_lsp(diagnostic: Diagnostic, lines: Lines, docs_url: str | None) -> types.Diagnostic:
    href = documentation_uri(diagnostic, docs_url)
    return types.Diagnostic(
        range=lines.range(diagnostic.location, diagnostic.end_location),
        message=diagnostic.message,
        severity=types.DiagnosticSeverity.Warning if diagnostic.code else types.DiagnosticSeverity.Error,
        code=diagnostic.code or diagnostic.name,
        code_description=types.CodeDescription(href=href) if href else None,
        source=SOURCE,
        data={"name": diagnostic.name},
    )


def documentation_uri(diagnostic: Diagnostic, docs_url: str | None) -> str | None:
    """Where the rule's page is: where the `docs-url` setting puts it, as in the reports;
    by default the page on disk (the reports link the repository's, which needs a
    network): in the checkout cachelint runs from, or else written out from the rule's
    own documentation (the page is generated from it)."""
    if diagnostic.code is None or diagnostic.url is None:
        return None
    if docs_url is not None:
        return docs.rule_url(docs_url, diagnostic.code, diagnostic.name, diagnostic.url)
    page = _CHECKOUT / diagnostic.url
    if page.is_file():
        return page.as_uri()
    rule = rules.rule_for(diagnostic.code)
    if rule is None:
        return None
    page = Path(tempfile.gettempdir()) / f"cachelint-{cachelint.__version__}" / diagnostic.url
    text = f"# {rule.name} ({rule.code})\n\n{rule.documentation()}\n"
    try:
        if not page.is_file() or page.read_text(encoding="utf-8") != text:
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(text, encoding="utf-8")
    except OSError:
        return None
    return page.as_uri()


def code_actions(uri: str, found: tuple[Diagnostic, ...], lines: Lines, requested: types.Range,
                 only: Sequence[str] | None, docs_url: str | None) -> list[types.CodeAction]:
    """The quick fixes of the findings in the requested range (when the editor asks for quick fixes)."""
    quick_fix = types.CodeActionKind.QuickFix
    if only and not any(quick_fix == kind or quick_fix.startswith(f"{kind}.") for kind in only):
        return []
    return [
        action
        for diagnostic in found
        if (code := diagnostic.code) is not None
        and _overlaps(lines.range(diagnostic.location, diagnostic.end_location), requested)
        for action in _quick_fixes(uri, diagnostic, code, lines, docs_url)
    ]


def _quick_fixes(uri: str, diagnostic: Diagnostic, code: str, lines: Lines,
                 docs_url: str | None) -> list[types.CodeAction]:
    """The quick fixes of one finding, whose rule code is `code`."""
    lsp = to_lsp(diagnostic, lines, docs_url)
    actions = []
    fix = diagnostic.fix
    if fix is not None and fix.edits:
        safe = fix.applicability == "safe"
        actions.append(types.CodeAction(
            title=f"{fix.message}" if safe else f"{fix.message} (unsafe: changes runtime behaviour)",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[lsp],
            is_preferred=safe,
            edit=types.WorkspaceEdit(changes={uri: [_text_edit(edit, lines) for edit in fix.edits]}),
        ))
    row = diagnostic.statement_rows[1] or diagnostic.location.row
    line = lines.line(row)  # a CRLF line's "\r" stays
    replace = types.Range(types.Position(row - 1, 0), lines.position(Location(row, len(line) + 1)))
    actions.append(types.CodeAction(
        title=f"Ignore {code} here (# noqa: {code})",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[lsp],
        edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(replace, suppressions.with_noqa(line, code))]}),
    ))
    href = documentation_uri(diagnostic, docs_url)
    if href is not None:
        title = f"Open the documentation of {diagnostic.code} ({diagnostic.name})"
        actions.append(types.CodeAction(
            title=title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[lsp],
            command=types.Command(title, SHOW_DOCUMENTATION, arguments=[href]),
        ))
    return actions


def _text_edit(edit: Edit, lines: Lines) -> types.TextEdit:
    return types.TextEdit(lines.range(edit.location, edit.end_location), edit.content)


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(position: types.Position) -> tuple[int, int]:
        return (position.line, position.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def hover_text(use: CacheUse) -> str:
    """Markdown: what the model understood of one cache call or decorator, the facts
    `cachelint ops` lists."""
    rows = [f"**cachelint**: {use.library} `{use.method}`: {use.kind}"]
    if use.key is not None:
        rows.append(f"- key: `{use.key}`")
    if use.ttl is not None:
        rows.append(f"- TTL: {use.ttl}")
    if use.via:
        rows.append(f"- via: {' → '.join(f'`{wrapper}`' for wrapper in use.via)}")
    return "\n".join(rows)
