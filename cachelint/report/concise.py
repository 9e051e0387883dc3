"""`--output-format concise`: one line per diagnostic, then the summary."""
from __future__ import annotations

from cachelint.diagnostic import Diagnostic
from cachelint.report import ReportContext
from cachelint.report.text import Painter, header, summary


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    paint = Painter(context.color)
    lines = "".join(header(d, context, paint) + "\n" for d in diagnostics)
    return lines + summary(diagnostics, context, paint) if context.summary else lines
