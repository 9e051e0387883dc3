"""Output formats. Each reporter is a pure function of the diagnostics and a context."""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cachelint.diagnostic import Diagnostic


@dataclass
class ReportContext:
    """What a reporter reads besides the diagnostics."""

    sources: dict[str, str] = field(default_factory=dict)  # filename -> text, for source lines
    color: bool = False
    # Whether `--unsafe-fixes` is on: unsafe fixes then count as applicable (`[*]`), as in Ruff.
    unsafe_fixes: bool = False
    # The project root: fingerprints and SARIF URIs name files relative to it.
    root: Path = field(default_factory=Path.cwd)
    # Each diagnostic's fingerprint (cachelint.baseline), when the caller computed them over
    # the whole run; a report of a baseline's new findings must not number them afresh.
    fingerprints: dict[Diagnostic, str] | None = None
    # Calls that look like cache use the model did not understand (cachelint ops --unresolved).
    unresolved: int = 0
    summary: bool = True  # the human-readable formats' last lines (`Found 2 errors.`); off with --quiet
    docs_url: str | None = None  # the `docs-url` template (cachelint.report.docs); None: the repository's pages

    def rule_url(self, diagnostic: Diagnostic) -> str | None:
        from cachelint.report import docs

        return docs.rule_url(self.docs_url, diagnostic.code, diagnostic.name, diagnostic.url)

    def fingerprint_of(self, diagnostics: list[Diagnostic]) -> dict[Diagnostic, str]:
        if self.fingerprints is None:
            from cachelint import baseline

            self.fingerprints = {d: e.fingerprint for d, e in baseline.entries(diagnostics, self.sources, self.root).items()}
        return self.fingerprints


Reporter = Callable[[list[Diagnostic], ReportContext], str]


# Each format's module and function; only the one asked for is imported (SARIF's reads
# the rules themselves, and so LibCST and the model).
_REPORTERS = {
    "full": ("full", "render"),
    "concise": ("concise", "render"),
    "json": ("json_format", "render"),
    "json-lines": ("json_format", "render_lines"),
    "github": ("github", "render"),
    "sarif": ("sarif", "render"),
    "gitlab": ("gitlab", "render"),
    "junit": ("junit", "render"),
}
FORMATS = tuple(_REPORTERS)


def render(format_name: str, diagnostics: list[Diagnostic], context: ReportContext) -> str:
    module, function = _REPORTERS[format_name]
    reporter: Reporter = getattr(importlib.import_module(f"cachelint.report.{module}"), function)
    return reporter(diagnostics, context)
