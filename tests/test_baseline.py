"""Baselines (`--write-baseline`, `--baseline`, `baseline = "…"`): findings recorded once are
recognised after lines move and unrelated code changes; new ones are reported, fixed ones
listed as stale."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from cachelint import baseline
from cachelint.cli import main

FILES = 5
FUNCTIONS = 5  # per file, with two findings each: 50 in all

HEADER = "import redis\n\nr = redis.Redis()\n"


def function(file: int, index: int) -> str:
    """A function with a write that never expires (CL002) and a KEYS scan (CL007)."""
    return textwrap.dedent(f"""
        def remember_{index}(item_id, value):
            r.set(f"item{file}_{index}:{{item_id}}", value)
            return r.keys("item{file}_{index}:*")
    """)


def moved(file: int, index: int) -> str:
    """The same function after edits that change no finding: a docstring, a comment, the
    call split over lines, a renamed unrelated local and more statements around."""
    return textwrap.dedent(f"""
        def remember_{index}(item_id, value):
            \"\"\"Keep the value.\"\"\"
            started = len(str(value))  # unrelated
            r.set(
                f"item{file}_{index}:{{item_id}}",  # the key
                value,
            )
            print("stored", started)
            return r.keys("item{file}_{index}:*")
    """)


def write_project(root: Path, body) -> None:
    for file in range(FILES):
        functions = [body(file, index) for index in range(FUNCTIONS)]
        (root / f"module_{file}.py").write_text(HEADER + "\n".join(functions))


def cachelint(*args: str):
    return CliRunner().invoke(main, ["check", "--no-cache", "-j", "1", *args])


def reported(result) -> list[dict]:
    return json.loads(result.stdout)


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    root.mkdir()
    (root / ".git").mkdir()  # the project root names files in the baseline
    monkeypatch.chdir(root)
    write_project(root, function)
    return root


def test_the_scenario(project):
    first = cachelint("--output-format", "json", ".")
    assert len(reported(first)) == 50 and {d["code"] for d in reported(first)} == {"CL002", "CL007"}
    recorded = cachelint("--write-baseline", "baseline.json", ".")
    assert recorded.exit_code == 0 and recorded.stdout == ""
    assert "Recorded 50 findings in baseline.json" in recorded.stderr

    # Lines moved (functions in another order, a docstring and imports on top), unrelated
    # code edited: nothing is reported.
    write_project(project, moved)
    for path in project.glob("module_*.py"):
        header, *functions = path.read_text().split("\ndef ")
        path.write_text('"""A module."""\nimport os\n' + header + "\n\ndef ".join(["", *reversed(functions)]))
    after = cachelint("--output-format", "json", "--baseline", "baseline.json", ".")
    assert (after.exit_code, reported(after)) == (0, []), after.stderr
    assert after.stderr == ""

    # One new bug: exactly it is reported.
    module = project / "module_3.py"
    module.write_text(module.read_text() + '\n\ndef forget(x):\n    r.set(f"new:{x}", x)\n')
    new = cachelint("--output-format", "json", "--baseline", "baseline.json", ".")
    assert new.exit_code == 1
    assert [(Path(d["filename"]).name, d["code"]) for d in reported(new)] == [("module_3.py", "CL002")]

    # One fixed: the entry is listed as stale, and rewriting the baseline drops it.
    module = project / "module_1.py"
    module.write_text(module.read_text().replace('return r.keys("item1_2:*")', 'return None'))
    fixed = cachelint("--output-format", "json", "--baseline", "baseline.json", ".")
    assert len(reported(fixed)) == 1
    assert "1 entry of baseline.json match no finding any more" in fixed.stderr
    assert "module_1.py: CL007 in remember_2: return r.keys(\"item1_2:*\")" in fixed.stderr
    cachelint("--write-baseline", "baseline.json", ".")
    assert len(json.loads((project / "baseline.json").read_text())["findings"]) == 50  # 50 - 1 + 1


def test_the_file_is_sorted_json_that_reads_well(project):
    cachelint("--write-baseline", "baseline.json", ".")
    text = (project / "baseline.json").read_text()
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, sort_keys=True) + "\n"
    rows = document["findings"]
    assert rows == sorted(rows, key=lambda e: (e["path"], e["code"], e["function"], e["statement"], e["fingerprint"]))
    assert rows[0] == {
        "code": "CL002", "path": "module_0.py", "function": "remember_0",
        "statement": 'r.set(f"item0_0:{item_id}",value)', "fingerprint": rows[0]["fingerprint"],
    }


def test_the_fingerprint_is_in_json_and_sarif(project):
    cachelint("--write-baseline", "baseline.json", ".")
    recorded = {row["fingerprint"] for row in json.loads((project / "baseline.json").read_text())["findings"]}
    in_json = {d["fingerprint"] for d in reported(cachelint("--output-format", "json", "."))}
    sarif = json.loads(cachelint("--output-format", "sarif", ".").stdout)
    in_sarif = {r["partialFingerprints"]["cachelint/v2"] for r in sarif["runs"][0]["results"]}
    assert recorded == in_json == in_sarif and len(recorded) == 50


def test_a_report_against_a_baseline_keeps_the_fingerprints_of_the_whole_run(project):
    """Two identical findings in one function are told apart by occurrence; when the first
    is in the baseline, the second keeps its own fingerprint in the report."""
    (project / "twice.py").write_text(HEADER + "\ndef f(x):\n    r.setnx(x, 1)\n    r.setnx(x, 1)\n")
    every = {d["location"]["row"]: d["fingerprint"] for d in reported(cachelint("--output-format", "json", "twice.py"))}
    assert len(set(every.values())) == 2
    path = project / "one.json"
    baseline.write(path, [baseline.Entry("CL002", "twice.py", "f", "r.setnx(x,1)", every[6])])
    left = reported(cachelint("--output-format", "json", "--baseline", "one.json", "twice.py"))
    assert [(d["location"]["row"], d["fingerprint"]) for d in left] == [(7, every[7])]


def test_entries_of_files_not_linted_are_not_stale(project):
    cachelint("--write-baseline", "baseline.json", ".")
    partial = cachelint("--baseline", "baseline.json", "module_0.py")
    assert (partial.exit_code, partial.stderr) == (0, "")


def test_a_finding_recorded_once_and_now_twice_is_reported_once(project):
    cachelint("--write-baseline", "baseline.json", ".")
    module = project / "module_4.py"
    module.write_text(module.read_text().replace(
        'r.set(f"item4_0:{item_id}", value)', 'r.set(f"item4_0:{item_id}", value)\n    r.set(f"item4_0:{item_id}", value)',
    ))
    result = cachelint("--output-format", "json", "--baseline", "baseline.json", ".")
    assert [(d["location"]["row"], d["code"]) for d in reported(result)] == [(7, "CL002")]


def test_the_configuration_names_the_baseline(project):
    cachelint("--write-baseline", "recorded.json", ".")
    (project / "pyproject.toml").write_text('[tool.cachelint]\nbaseline = "recorded.json"\n')
    result = cachelint(".")
    assert result.exit_code == 0, result.output
    (project / "pyproject.toml").write_text('[tool.cachelint]\nbaseline = 3\n')
    assert "`tool.cachelint.baseline`: expected a path" in cachelint(".").stderr


@pytest.mark.parametrize("content, message", [
    ("[]", "not a cachelint baseline"),
    ("{", "invalid JSON"),
    ('{"cachelint-baseline": 1, "findings": [{"code": "CL002"}]}', "`findings` must be a list of entries"),
])
def test_a_bad_baseline_is_a_clear_error(project, content, message):
    (project / "bad.json").write_text(content)
    result = cachelint("--baseline", "bad.json", ".")
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


def test_a_missing_baseline_is_an_error(project):
    result = cachelint("--baseline", "missing.json", ".")
    assert result.exit_code == 2 and "missing.json: cannot read the baseline" in result.stderr


def test_syntax_errors_are_never_recorded(project):
    (project / "broken.py").write_text(HEADER + "def f(:\n")
    cachelint("--write-baseline", "baseline.json", ".")
    result = cachelint("--output-format", "json", "--baseline", "baseline.json", ".")
    assert [d["name"] for d in reported(result)] == ["invalid-syntax"]


def test_the_enclosing_function_of_each_row():
    from cachelint.baseline import _Functions

    text = ("import os\n"              # 1
            "class A:\n"               # 2
            "    x = 1\n"              # 3
            "    def f(self):\n"       # 4
            "        def g():\n"       # 5
            "            return 1\n"   # 6
            "        return g\n"       # 7
            "    @property\n"          # 8
            "    def h(self): return 2\n"  # 9
            "def k(): pass\n"          # 10
            "y = 2\n")                 # 11
    functions = _Functions(text)
    assert [functions.around(row) for row in range(13)] == [
        "", "", "", "A", "A", "A.f", "A.f.g", "A.f", "A", "A.h", "k", "", ""]
    assert _Functions("def f(:\n").around(1) == ""


NESTED = """\
if x:
    def a(): pass
else:
    class B:
        try:
            def c(): pass
        except E:
            def d(): pass
        else:
            async def e(): pass
        finally:
            with f:
                def g(): pass
for h in i:
    while j:
        def k(): pass
    else:
        def l(): pass
match m:
    case 1:
        def n():
            async with o:
                class P: pass
x = lambda: (yield)
"""


def _every_def(text: str) -> list[tuple[int, int, str]]:
    """What `_Functions` finds, by a walk of every node of Python's tree."""
    import ast

    found = []

    def walk(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.append((child.body[0].lineno, child.end_lineno, prefix + child.name))
                walk(child, prefix + child.name + ".")
            else:
                walk(child, prefix)

    walk(ast.parse(text), "")
    return found


@pytest.mark.parametrize("path", [None, *sorted((Path(__file__).parent.parent / "fixtures").glob("*.py"))],
                         ids=lambda path: path.name if path else "nested")
def test_the_functions_are_every_def_and_class_of_the_tree(path):
    """The statements alone are walked for the defs and classes: a def is a statement."""
    text = path.read_text() if path else NESTED
    assert sorted(baseline._Functions(text)._spans) == sorted(_every_def(text))
    if path is None:
        assert {name for *_, name in _every_def(text)} == {
            "a", "B", "B.c", "B.d", "B.e", "B.g", "k", "l", "n", "n.P"}
