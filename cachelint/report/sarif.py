"""`--output-format sarif`: a SARIF 2.1.0 log, for GitHub code scanning and other viewers.

Every rule is described in `tool.driver.rules`, whether or not it has results, with its
full documentation as help, the address of its page (`helpUri`, cachelint.report.docs)
and, for the rules whose findings are security problems, a `security-severity` that
code scanning ranks alerts by. Paths are relative to the project root (the repository,
cachelint.report.paths.project_root) under the base `%SRCROOT%`, which
`originalUriBaseIds` resolves; a file outside it gets an absolute `file:` URI. Columns
count Unicode code points, as every cachelint position does. Fixes are included.

`partialFingerprints` let a code-scanning service recognise a finding after the lines
around it move: the fingerprint a baseline uses (cachelint.baseline).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cachelint import __version__
from cachelint.diagnostic import Diagnostic, Edit, Location
from cachelint.report import ReportContext, docs
from cachelint.rules import ALL_RULES
from cachelint.rules.base import BaseRule

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT = "cachelint/v2"
SOURCE_ROOT = "%SRCROOT%"
# GitHub code scanning's `security-severity` (CVSS-like, 0.0 to 10.0: 7.0 and up is
# "high") of the rules whose findings are security problems: another user's data served
# (CL004), a key an attacker shapes (CL005), secrets kept in a cache (CL008).
SECURITY_SEVERITY = {
    "key-missing-user-scope": "8.1",
    "sensitive-data-cached": "7.5",
    "unsanitized-input-in-key": "6.5",
}
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
_RULE_INDEX = {rule.code: index for index, rule in enumerate(ALL_RULES)}


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    fingerprints = context.fingerprint_of(diagnostics)
    root = os.path.abspath(context.root)
    results = [_result(diagnostic, fingerprints[diagnostic], root) for diagnostic in diagnostics]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": _driver(context)},
                "originalUriBaseIds": {SOURCE_ROOT: {"uri": Path(root).as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _driver(context: ReportContext) -> dict[str, Any]:
    return {
        "name": "cachelint", "version": __version__, "informationUri": docs.REPOSITORY,
        "rules": [_rule(rule, context) for rule in ALL_RULES],
    }


def _rule(rule: type[BaseRule], context: ReportContext) -> dict[str, Any]:
    documentation = rule.documentation()
    described: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": documentation, "markdown": documentation},
        "help": {"text": documentation, "markdown": documentation},
        "defaultConfiguration": {"level": "error"},
    }
    described["helpUri"] = docs.rule_url(context.docs_url, rule.code, rule.name, rule.docs_path())
    severity = SECURITY_SEVERITY.get(rule.name)
    if severity is not None:
        described["properties"] = {"tags": ["security"], "security-severity": severity}
    return described


def _result(diagnostic: Diagnostic, fingerprint: str, root: str) -> dict[str, Any]:
    artifact = _artifact(diagnostic.filename, root)
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


def _artifact(filename: str, root: str) -> dict[str, str]:
    """The file relative to the project root, or its absolute URI when it is outside."""
    absolute = os.path.abspath(filename)
    relative = os.path.relpath(absolute, root)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return {"uri": Path(absolute).as_uri()}
    return {"uri": quote(Path(relative).as_posix()), "uriBaseId": SOURCE_ROOT}


def _region(start: Location, end: Location) -> dict[str, int]:
    return {"startLine": start.row, "startColumn": start.column, "endLine": end.row, "endColumn": end.column}


def _replacement(edit: Edit) -> dict[str, Any]:
    return {"deletedRegion": _region(edit.location, edit.end_location), "insertedContent": {"text": edit.content}}
