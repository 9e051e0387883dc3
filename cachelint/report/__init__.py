"""Output formats. Each reporter is a pure function of the diagnostics and a context."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from cachelint.diagnostic import Diagnostic


@dataclass
class ReportContext:
    sources: dict[str, str] = field(default_factory=dict)  # filename -> text, for source lines
    color: bool = False
    # Whether `--unsafe-fixes` is on: unsafe fixes then count as applicable (`[*]`), as in Ruff.
    unsafe_fixes: bool = False


Reporter = Callable[[list[Diagnostic], ReportContext], str]


def _formats() -> dict[str, Reporter]:
    from cachelint.report import concise, full, github, json_format, sarif

    return {
        "full": full.render,
        "concise": concise.render,
        "json": json_format.render,
        "json-lines": json_format.render_lines,
        "github": github.render,
        "sarif": sarif.render,
    }


FORMATS = ("full", "concise", "json", "json-lines", "github", "sarif")


def render(format_name: str, diagnostics: list[Diagnostic], context: ReportContext) -> str:
    return _formats()[format_name](diagnostics, context)
