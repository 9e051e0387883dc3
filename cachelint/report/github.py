"""`--output-format github`: GitHub Actions workflow commands, one per diagnostic, as Ruff
prints them, so that each finding becomes an annotation on the pull request:

    ::error title=cachelint (CL002),file=/abs/app.py,line=3,col=1,endLine=3,endColumn=22::app.py:3:1: CL002 message

GitHub accepts `col`/`endColumn` only when the range is on one line, so a range over
several lines gives `line` and `endLine` only.
"""
from __future__ import annotations

from cachelint.diagnostic import Diagnostic
from cachelint.report import ReportContext, paths

_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    return "".join(_command(d) + "\n" for d in diagnostics)


def _command(diagnostic: Diagnostic) -> str:
    start, end = diagnostic.location, diagnostic.end_location
    properties = {
        "title": f"cachelint ({diagnostic.code or diagnostic.name})",
        "file": paths.absolute(diagnostic.filename),
        "line": start.row,
        "col": start.column,
        "endLine": end.row,
        "endColumn": end.column,
    }
    if start.row != end.row:
        del properties["col"], properties["endColumn"]
    where = f"{paths.relative(diagnostic.filename)}:{start.row}:{start.column}:"
    code = diagnostic.code or f"{diagnostic.name}:"
    message = f"{where} {code} {diagnostic.message}"
    if diagnostic.fix is not None:
        message += f"\n  help: {diagnostic.fix.message}"
    listed = ",".join(f"{key}={_escape_property(str(value))}" for key, value in properties.items())
    return f"::{_COMMANDS.get(diagnostic.severity, 'error')} {listed}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
