"""Every output format, by snapshot: a synthetic diagnostic list rendered directly, and each
fixture (a file or folder under fixtures/) linted through the real CLI with the rule it is for.

Snapshots live under tests/snapshots/. After an intended change to the output, regenerate
them with `pytest tests/test_report.py --snapshot-update` and review the diff.
"""
from __future__ import annotations

import dataclasses
import json
import re
import sys
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from click.testing import CliRunner

from cachelint import __version__
from cachelint.cli import main
from cachelint.diagnostic import Diagnostic, Edit, Fix, Location
from cachelint.report import FORMATS, ReportContext, docs, render, sarif
from cachelint.rules import ALL_RULES
from tests.rule_fixtures import alone, fixtures

REPO = Path(__file__).resolve().parent.parent
if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SARIF_SCHEMA = Path(__file__).resolve().parent / "schemas" / "sarif-schema-2.1.0.json"  # OASIS, errata01
EXTENSIONS = {"json": "json", "json-lines": "jsonl", "sarif": "json", "gitlab": "json", "junit": "xml"}

APP = """\
import redis

r = redis.Redis()


def remember(uid, profile):
\tr.set(f"profile:{uid}", profile)  # é, 名前 and a tab before
    cached = r.get(
        f"profile:{uid}")
    if cached:
        return cached
    banner = "\x1b[31m"; r.keys("*")
"""
BROKEN = "def f(:\n    pass\n"


def _diagnostic(code, name, message, filename, start, end, fix=None):
    return Diagnostic(code, name, message, filename, Location(*start), Location(*end), fix)


SYNTHETIC = sorted(
    [
        _diagnostic(
            "CL002", "set-without-ttl", "Cache write stores an entry that never expires", "src/app.py", (7, 2), (7, 34),
            Fix("Add an expiry: `ex=...`", (Edit(", ex=300", Location(7, 33), Location(7, 33)),)),
        ),
        _diagnostic(
            "CL005", "unsanitized-input-in-key", "Request input reaches the key unencoded", "src/app.py", (8, 14), (9, 26),
        ),
        _diagnostic(
            "CL001", "truthy-miss-check", "Cache hit decided by truthiness", "src/app.py", (10, 5), (11, 22),
            Fix("Compare with `None`", (Edit("cached is not None", Location(10, 8), Location(10, 14)),), "safe"),
        ),
        _diagnostic("CL007", "keys-pattern-scan", "Redis `KEYS` blocks the server", "src/app.py", (12, 23), (12, 34)),
        _diagnostic(None, "invalid-syntax", "SyntaxError: invalid syntax", "broken.py", (1, 7), (1, 7)),
        _diagnostic(None, "io-error", "cannot read: Permission denied", "locked.py", (1, 1), (1, 1)),
    ],
    key=Diagnostic.sort_key,
)
SOURCES = {"src/app.py": APP, "broken.py": BROKEN}


@pytest.fixture
def at_repo_root(monkeypatch):
    """Relative names resolve against the repository, whose path is then cut from the output."""
    monkeypatch.chdir(REPO)
    return lambda text: text.replace(f"{REPO}/", "")


def _snapshot_name(format_name: str) -> str:
    return f"{format_name}.{EXTENSIONS.get(format_name, 'txt')}"


# RFC 3986 URI-reference characters, with `%` only in escapes: jsonschema checks the
# schema's `uri-reference` format only when an optional package is installed, so check here.
URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")


def _validate_sarif(text: str) -> dict:
    log = json.loads(text)
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER).validate(log)
    uris = re.findall(r'"uri": "([^"]*)"', text)
    assert uris and all(URI_REFERENCE.fullmatch(uri) for uri in uris), uris
    return log


def _without_rule_index(results: list[dict]) -> list[dict]:
    """The results without `ruleIndex`, which moves whenever a rule is added; the catalog and
    the indexes into it are checked by test_sarif_describes_every_rule instead."""
    return [{key: value for key, value in result.items() if key != "ruleIndex"} for result in results]


# --- a synthetic list, every format -----------------------------------------------------


@pytest.mark.parametrize("format_name", FORMATS)
def test_synthetic(format_name, snapshot, at_repo_root):
    output = at_repo_root(render(format_name, SYNTHETIC, ReportContext(SOURCES)))
    if format_name == "sarif":
        log = _validate_sarif(output)
        run = log["runs"][0]
        run["tool"]["driver"]["rules"] = "(every rule: see test_sarif_describes_every_rule)"
        run["results"] = _without_rule_index(run["results"])
        output = json.dumps(log, indent=2) + "\n"
    snapshot.snapshot_dir = SNAPSHOTS / "synthetic"
    snapshot.assert_match(output, _snapshot_name(format_name))


@pytest.mark.parametrize("format_name", ["full", "concise"])
def test_synthetic_in_colour(format_name, snapshot):
    output = render(format_name, SYNTHETIC, ReportContext(SOURCES, color=True))
    snapshot.snapshot_dir = SNAPSHOTS / "synthetic"
    snapshot.assert_match(output.replace("\x1b", "<ESC>"), f"{format_name}-color.txt")


@pytest.mark.parametrize("format_name", FORMATS)
def test_no_colour_unless_asked(format_name):
    assert "\x1b" not in render(format_name, SYNTHETIC, ReportContext(SOURCES))


@pytest.mark.parametrize("format_name", ["full", "concise"])
def test_clean_run(format_name):
    assert render(format_name, [], ReportContext()) == "All checks passed!\n"


def test_junit_is_well_formed_xml_with_a_failure_per_finding():
    suites = ElementTree.fromstring(render("junit", SYNTHETIC, ReportContext(SOURCES)))
    assert (suites.get("tests"), suites.get("failures")) == (str(len(SYNTHETIC)), str(len(SYNTHETIC)))
    cases = suites.findall("./testsuite/testcase")
    assert [case.get("name") for case in cases] == [f"org.cachelint.{d.code or d.name}" for d in SYNTHETIC]
    assert all(case.find("failure") is not None for case in cases)


def test_junit_of_a_clean_run_is_one_passing_case():
    suites = ElementTree.fromstring(render("junit", [], ReportContext()))
    assert suites.get("failures") == "0" and [c.get("name") for c in suites.iter("testcase")] == ["No errors found"]


def test_junit_survives_text_xml_cannot_hold():
    odd = [_diagnostic("CL002", "set-without-ttl", 'a "<b>" & \x1b[31m', "x&y.py", (1, 1), (1, 2))]
    case = ElementTree.fromstring(render("junit", odd, ReportContext())).find("./testsuite/testcase")
    assert case.find("failure").get("message") == 'a "<b>" & \ufffd[31m'


def test_gitlab_names_files_from_the_project_root(tmp_path, monkeypatch):
    found = [_diagnostic("CL002", "set-without-ttl", "m", str(tmp_path / "src" / "app.py"), (3, 1), (3, 9))]
    issue = json.loads(render("gitlab", found, ReportContext(root=tmp_path)))[0]
    assert issue["location"] == {"path": "src/app.py", "positions": {"begin": {"line": 3, "column": 1},
                                                                     "end": {"line": 3, "column": 9}}}
    assert (issue["check_name"], issue["severity"], len(issue["fingerprint"])) == ("CL002", "major", 32)
    monkeypatch.setenv("CI_PROJECT_DIR", str(tmp_path / "src"))
    assert json.loads(render("gitlab", found, ReportContext(root=tmp_path)))[0]["location"]["path"] == "app.py"


def test_gitlab_fingerprints_are_unique():
    issues = json.loads(render("gitlab", SYNTHETIC, ReportContext(SOURCES)))
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)


_EDIT = Edit("x", Location(1, 1), Location(1, 2))


@pytest.mark.parametrize(
    "applicabilities,unsafe_fixes,expected",
    [
        ((None,), False, "Found 1 error.\n"),
        (("safe", "safe"), False, "Found 2 errors.\n[*] 2 fixable with the `--fix` option.\n"),
        (("unsafe",), False, "Found 1 error.\nNo fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"),
        (
            ("safe", "unsafe", "unsafe"),
            False,
            "Found 3 errors.\n[*] 1 fixable with the `--fix` option (2 hidden fixes can be enabled with the `--unsafe-fixes` option).\n",
        ),
        (("safe", "unsafe"), True, "Found 2 errors.\n[*] 2 fixable with the `--fix` option.\n"),
    ],
)
def test_summary_wording(applicabilities, unsafe_fixes, expected):
    found = [
        _diagnostic("CL002", "set-without-ttl", "m", "a.py", (1, 1), (1, 2), applicability and Fix("fix", (_EDIT,), applicability))
        for applicability in applicabilities
    ]
    output = render("concise", found, ReportContext(unsafe_fixes=unsafe_fixes))
    assert output.endswith(expected)
    marked = sum(a == "safe" or (a == "unsafe" and unsafe_fixes) for a in applicabilities)
    assert output.count("CL002 [*] m") == marked


def test_github_escapes_properties_and_data():
    diagnostic = _diagnostic("CL002", "set-without-ttl", "100% stale,\nreally", "dir,x/a:b.py", (1, 1), (1, 2))
    line = render("github", [diagnostic], ReportContext())
    assert ",file=" in line and "dir%2Cx/a%3Ab.py,line=1," in line
    assert line.endswith("::dir,x/a:b.py:1:1: CL002 100%25 stale,%0Areally\n")


def test_sarif_describes_every_rule():
    log = _validate_sarif(render("sarif", SYNTHETIC, ReportContext(SOURCES)))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in ALL_RULES]
    for described, rule in zip(rules, ALL_RULES):
        assert described["name"] == rule.name
        assert described["shortDescription"]["text"] == rule.summary
        assert described["fullDescription"]["markdown"] == described["help"]["markdown"] == rule.documentation()
        assert described["defaultConfiguration"]["level"] == "error"
        assert described["helpUri"] == docs.rule_url(None, rule.code, rule.name, rule.docs_path())
    for result in log["runs"][0]["results"]:
        if "ruleIndex" in result:
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_rejects_what_the_schema_forbids():
    log = json.loads(render("sarif", SYNTHETIC, ReportContext(SOURCES)))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        _validate_sarif(json.dumps(log))


def test_sarif_rules_carry_their_page_help_and_security_severity():
    driver = json.loads(render("sarif", [], ReportContext()))["runs"][0]["tool"]["driver"]
    for described in driver["rules"]:
        assert described["helpUri"] == f"{docs.REPOSITORY}/blob/v{__version__}/rules/{described['name']}.md"
        assert described["help"]["markdown"] and described["fullDescription"]["text"]
    severities = {d["id"]: d["properties"]["security-severity"] for d in driver["rules"] if "properties" in d}
    assert sorted(severities) == ["CL004", "CL005", "CL008"]
    assert all(0 < float(value) <= 10 for value in severities.values())


def test_sarif_names_files_from_the_project_root(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path / "src")  # a run from a subfolder still names files from the root
    found = [_diagnostic("CL002", "set-without-ttl", "m", "app.py", (1, 1), (1, 2),
                         Fix("f", (Edit("x", Location(1, 1), Location(1, 2)),)))]
    log = _validate_sarif(render("sarif", found, ReportContext(root=tmp_path)))
    run = log["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.as_uri() + "/"}}
    result = run["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "src/app.py", "uriBaseId": "%SRCROOT%"}
    assert result["fixes"][0]["artifactChanges"][0]["artifactLocation"]["uri"] == "src/app.py"


def test_a_finding_links_its_rule_page_or_the_configured_one():
    found = [_diagnostic("CL002", "set-without-ttl", "m", "a.py", (1, 1), (1, 2))]
    found = [dataclasses.replace(found[0], url="rules/set-without-ttl.md")]
    default = json.loads(render("json", found, ReportContext()))[0]["url"]
    assert default == f"{docs.REPOSITORY}/blob/v{__version__}/rules/set-without-ttl.md"
    configured = ReportContext(docs_url="https://wiki.example.com/cachelint/{code}-{name}")
    assert json.loads(render("json", found, configured))[0]["url"] == "https://wiki.example.com/cachelint/CL002-set-without-ttl"
    sarif_rules = json.loads(render("sarif", found, configured))["runs"][0]["tool"]["driver"]["rules"]
    assert sarif_rules[0]["helpUri"].startswith("https://wiki.example.com/cachelint/CL001-")


@pytest.mark.parametrize("template, problem", [
    ("https://x/{rule}", "unknown placeholder `{rule}`"),
    ("https://x/{version}", "give the rule as `{code}` or `{name}`"),
    ("https://x/{code", "expected '}'"),
])
def test_a_bad_docs_url_template_is_an_error(template, problem):
    with pytest.raises(docs.TemplateError, match=re.escape(problem)):
        docs.validate(template)


def test_the_repository_is_the_one_the_package_names():
    metadata = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert metadata["urls"]["Repository"] == docs.REPOSITORY
    assert (REPO / "cachelint" / "py.typed").is_file()


def test_sarif_uris(at_repo_root):
    names = ["src/my app/é.py", "/elsewhere/a.py"]
    found = [_diagnostic("CL002", "set-without-ttl", "m", name, (1, 1), (1, 2)) for name in names]
    log = _validate_sarif(render("sarif", found, ReportContext()))
    artifacts = [result["locations"][0]["physicalLocation"]["artifactLocation"] for result in log["runs"][0]["results"]]
    assert artifacts == [
        {"uri": "src/my%20app/%C3%A9.py", "uriBaseId": "%SRCROOT%"},
        {"uri": "file:///elsewhere/a.py"},
    ]


def _fingerprints(diagnostics, sources):
    log = json.loads(render("sarif", diagnostics, ReportContext(sources)))
    return [result["partialFingerprints"][sarif.FINGERPRINT] for result in log["runs"][0]["results"]]


def test_sarif_fingerprints_survive_moved_lines():
    source = "r.set('a', 1)\nr.set('a', 1)\n"
    twice = [_diagnostic("CL002", "set-without-ttl", "m", "a.py", (row, 1), (row, 14)) for row in (1, 2)]
    moved = [_diagnostic("CL002", "set-without-ttl", "m", "a.py", (row, 5), (row, 18)) for row in (4, 5)]
    before = _fingerprints(twice, {"a.py": source})
    after = _fingerprints(moved, {"a.py": "\n\n\n    " + source.replace("\n", "\n    ")})
    assert before == after
    assert len(set(before)) == 2  # the same line twice: told apart by occurrence


# --- every fixture through the CLI, with its own rule ------------------------------------

FIXTURES = fixtures()


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda fixture: fixture.path.name)
@pytest.mark.parametrize("format_name", ["full", "json", "github", "sarif"])
def test_fixture(fixture, format_name, snapshot, at_repo_root):
    target = fixture.path.relative_to(REPO).as_posix()
    selected = ",".join(alone(fixture.rule))  # a comment rule's snapshot shows what it judged
    result = CliRunner().invoke(main, ["check", "--select", selected, "--output-format", format_name, target])
    assert result.exit_code in (0, 1), result.output
    output = at_repo_root(result.stdout)
    if format_name == "sarif":
        # The driver is covered by the synthetic snapshot; keep only what this file produced.
        output = json.dumps(_without_rule_index(_validate_sarif(output)["runs"][0]["results"]), indent=2) + "\n"
    snapshot.snapshot_dir = SNAPSHOTS / "fixtures" / fixture.path.stem
    snapshot.assert_match(output, _snapshot_name(format_name))


def test_full_columns_of_a_plain_line_are_its_characters():
    """A line of printable ASCII is shown as it is, one terminal column per character; a tab,
    a control character or a wide one still moves the columns after it."""
    from cachelint.report.full import _displayed

    assert _displayed('r.set("k", v)  # ok') == ('r.set("k", v)  # ok', list(range(20)))
    assert _displayed("") == ("", [0])
    assert _displayed("\tx") == ("    x", [0, 4, 5])
    assert _displayed("a\x1bb") == ("a\u241bb", [0, 1, 2, 3])
    assert _displayed("名x") == ("名x", [0, 2, 3])
