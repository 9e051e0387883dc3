"""`--output-format gitlab`: a GitLab Code Quality report, as Ruff writes it, so that merge
requests show each finding:

    [{"check_name": "CL002", "description": "CL002: …", "severity": "major",
      "fingerprint": "…", "location": {"path": "app.py", "positions": {"begin": …, "end": …}}}]

Paths are relative to the project root (`CI_PROJECT_DIR` when GitLab CI sets it), as
GitLab resolves them in the repository; the fingerprint is the baseline's, which GitLab
uses to tell new findings from old ones between pipelines.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from cachelint import baseline
from cachelint.diagnostic import Diagnostic
from cachelint.report import ReportContext

_SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    root = Path(os.environ.get("CI_PROJECT_DIR") or context.root)
    fingerprints = context.fingerprint_of(diagnostics)
    return json.dumps([_issue(d, fingerprints[d], root) for d in diagnostics], indent=2) + "\n"


def _issue(diagnostic: Diagnostic, fingerprint: str, root: Path) -> dict:
    code = diagnostic.code or diagnostic.name
    start, end = diagnostic.location, diagnostic.end_location
    return {
        "check_name": code,
        "description": f"{code}: {diagnostic.message}",
        "severity": _SEVERITIES.get(diagnostic.severity, "major"),
        "fingerprint": fingerprint,
        "location": {
            "path": baseline.relative_path(diagnostic.filename, root),
            "positions": {
                "begin": {"line": start.row, "column": start.column},
                "end": {"line": end.row, "column": end.column},
            },
        },
    }
