"""Where a rule's page is: a stable address for reports (JSON `url`, SARIF `helpUri`).

The `docs-url` setting is a template with `{code}`, `{name}` and `{version}`
(`https://wiki.example.com/cachelint/{code}`); by default the page is the rule's in
cachelint's repository, at the tag of the version that runs, so that the page matches
the rule that reported.
"""
from __future__ import annotations

import string

from cachelint import __version__

# The repository the package metadata names (`[project.urls]` in pyproject.toml, which a
# test keeps the same), where the rule pages are under rules/.
REPOSITORY = "https://github.com/cachelint/cachelint"
PLACEHOLDERS = ("code", "name", "version")


class TemplateError(ValueError):
    pass


def validate(template: str) -> None:
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    except ValueError as error:
        raise TemplateError(str(error)) from None
    unknown = [field for field in fields if field not in PLACEHOLDERS]
    if unknown:
        raise TemplateError(f"unknown placeholder `{{{unknown[0]}}}` (known: {', '.join('{' + p + '}' for p in PLACEHOLDERS)})")
    if "code" not in fields and "name" not in fields:
        raise TemplateError("give the rule as `{code}` or `{name}`")


def rule_url(template: str | None, code: str | None, name: str, path: str | None) -> str | None:
    """The address of a rule's page; None for what is not a rule (invalid-syntax)."""
    if code is None or path is None:
        return None
    if template is not None:
        return template.format(code=code, name=name, version=__version__)
    return f"{REPOSITORY}/blob/v{__version__}/{path}"
