"""`--output-format json` and `json-lines`, with Ruff's field names and 1-based positions."""
from __future__ import annotations

import json
from typing import Any

from cachelint.diagnostic import Diagnostic, Location
from cachelint.report import ReportContext, paths


def _location(location: Location) -> dict[str, int]:
    return {"row": location.row, "column": location.column}


def as_dict(diagnostic: Diagnostic, fingerprint: str, url: str | None) -> dict[str, Any]:
    fix = None
    if diagnostic.fix is not None:
        fix = {
            "applicability": diagnostic.fix.applicability,
            "message": diagnostic.fix.message,
            "edits": [
                {
                    "content": edit.content,
                    "location": _location(edit.location),
                    "end_location": _location(edit.end_location),
                }
                for edit in diagnostic.fix.edits
            ],
        }
    return {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "message": diagnostic.message,
        "filename": paths.absolute(diagnostic.filename),
        "location": _location(diagnostic.location),
        "end_location": _location(diagnostic.end_location),
        "fix": fix,
        "url": url,
        "severity": diagnostic.severity,
        "noqa_row": diagnostic.location.row,
        "fingerprint": fingerprint,
    }


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    fingerprints = context.fingerprint_of(diagnostics)
    return json.dumps([as_dict(d, fingerprints[d], context.rule_url(d)) for d in diagnostics], indent=2) + "\n"


def render_lines(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    fingerprints = context.fingerprint_of(diagnostics)
    return "".join(json.dumps(as_dict(d, fingerprints[d], context.rule_url(d))) + "\n" for d in diagnostics)
