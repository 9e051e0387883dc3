"""`--output-format junit`: a JUnit XML report, as Ruff writes it, for CI systems that show
test results: one test suite per file, one failed test case per finding. A clean run is
one passing test case, so that the report is never empty."""
from __future__ import annotations

import re
from collections import defaultdict
from xml.sax.saxutils import escape, quoteattr

from cachelint.diagnostic import Diagnostic
from cachelint.report import ReportContext, paths

# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for diagnostic in diagnostics:
        by_file[paths.relative(diagnostic.filename)].append(diagnostic)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    if not diagnostics:
        lines += [
            '<testsuites name="cachelint" tests="1" failures="0" errors="0">',
            '  <testsuite name="cachelint" tests="1" disabled="0" errors="0" failures="0" package="org.cachelint">',
            '    <testcase name="No errors found" classname="cachelint"/>',
            "  </testsuite>",
            "</testsuites>",
        ]
        return "\n".join(lines) + "\n"
    count = len(diagnostics)
    lines.append(f'<testsuites name="cachelint" tests="{count}" failures="{count}" errors="0">')
    for filename, found in by_file.items():
        name = _attribute(filename)
        lines.append(
            f'  <testsuite name={name} tests="{len(found)}" disabled="0" errors="0" failures="{len(found)}" '
            'package="org.cachelint">'
        )
        classname = _attribute(filename.removesuffix(".py").removesuffix(".pyi").replace("/", "."))
        for d in found:
            code = d.code or d.name
            where = f"line {d.location.row}, col {d.location.column}"
            lines += [
                f'    <testcase name={_attribute("org.cachelint." + code)} classname={classname} '
                f'line="{d.location.row}" column="{d.location.column}">',
                f"      <failure message={_attribute(d.message)}>{escape(_clean(f'{where}, {d.message}'))}</failure>",
                "    </testcase>",
            ]
        lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return "\n".join(lines) + "\n"


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _attribute(text: str) -> str:
    return quoteattr(_clean(text), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
