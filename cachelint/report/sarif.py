"""`--output-format sarif`: a SARIF 2.1.0 log, for GitHub code scanning and other viewers.

Every rule is described in `tool.driver.rules`, whether or not it has results. Paths are
relative to the working directory (`uriBaseId` `%SRCROOT%`), so run cachelint from the
repository root; a file outside the working directory gets an absolute `file:` URI.
Columns count Unicode code points, as every cachelint position does.

`partialFingerprints` let a code-scanning service recognise a finding after the lines
around it move: the fingerprint a baseline uses (cachelint.baseline).
"""
from __future__ import annotations

import json
from typing import Any

from cachelint import __version__
from cachelint.diagnostic import Diagnostic, Edit, Location
from cachelint.report import ReportContext, paths
from cachelint.rules import ALL_RULES
from cachelint.rules.base import Rule

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT = "cachelint/v2"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
_RULE_INDEX = {rule.code: index for index, rule in enumerate(ALL_RULES)}


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    fingerprints = context.fingerprint_of(diagnostics)
    results = [_result(diagnostic, fingerprints[diagnostic]) for diagnostic in diagnostics]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "cachelint", "version": __version__, "rules": [_rule(r) for r in ALL_RULES]}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _rule(rule: type[Rule]) -> dict[str, Any]:
    documentation = rule.documentation()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": documentation, "markdown": documentation},
        "help": {"text": documentation, "markdown": documentation},
        "defaultConfiguration": {"level": "error"},
    }


def _result(diagnostic: Diagnostic, fingerprint: str) -> dict[str, Any]:
    artifact = _artifact(diagnostic.filename)
    result: dict[str, Any] = {
        "ruleId": diagnostic.code or diagnostic.name,
        "level": _LEVELS.get(diagnostic.severity, "error"),
        "message": {"text": diagnostic.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact,
                    "region": _region(diagnostic.location, diagnostic.end_location),
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT: fingerprint},
    }
    if diagnostic.code in _RULE_INDEX:  # `invalid-syntax` and `io-error` are not rules
        result["ruleIndex"] = _RULE_INDEX[diagnostic.code]
    if diagnostic.fix is not None:
        result["fixes"] = [
            {
                "description": {"text": diagnostic.fix.message},
                "artifactChanges": [
                    {"artifactLocation": artifact, "replacements": [_replacement(e) for e in diagnostic.fix.edits]}
                ],
            }
        ]
    return result


def _artifact(filename: str) -> dict[str, str]:
    uri, is_relative = paths.uri(filename)
    return {"uri": uri, "uriBaseId": "%SRCROOT%"} if is_relative else {"uri": uri}


def _region(start: Location, end: Location) -> dict[str, int]:
    return {"startLine": start.row, "startColumn": start.column, "endLine": end.row, "endColumn": end.column}


def _replacement(edit: Edit) -> dict[str, Any]:
    return {"deletedRegion": _region(edit.location, edit.end_location), "insertedContent": {"text": edit.content}}
