"""The language server's parser: after an edit it reuses the unchanged top-level
statements of the last parse, and the module is the one a parse of the whole text gives."""
from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from cachelint.server.reparse import ReusingParser

ROOT = Path(__file__).resolve().parent.parent

TRICKY = {
    "comments between and under blocks": '''\
        # header comment

        """Docstring."""
        import os


        def f():
            x = 1
            # indented, trailing the block

            # indented after a blank line
        # at column 0, before g

        @decorator
        @other(1)
        def g():
            return os  # trailing


        class C:
            a = 1; b = 2
        # the end
        ''',
    "one-line compound statements and semicolons": "if x: pass\nelse: y = 1\na = 1; b = 2\nwhile 0: pass\n",
    "the same statement twice": "x = 1\n\nx = 1\n\ndef f():\n    pass\n\ndef f():\n    pass\n",
    "no trailing newline": "import os\n\ndef f():\n    return os",
    "tabs": "def f():\n\treturn 1\n\nclass C:\n\tdef m(self):\n\t\treturn 2\n",
    "mixed indentation widths": "def f():\n  return 1\n\ndef g():\n    return 2\n",
    "CRLF": "import os\r\n\r\ndef f():\r\n    return os\r\n",
    "only comments": "# nothing\n# here\n",
    "a statement spanning lines": "x = (\n    1,\n    2,\n)\ny = '''\nnot a statement\n'''\n",
}


def nodes(module: cst.Module) -> set[int]:
    return {id(statement) for statement in module.body}


@pytest.mark.parametrize("name", TRICKY)
def test_tricky_layouts_give_the_whole_parse(name):
    text = textwrap.dedent(TRICKY[name]) if name != "CRLF" else TRICKY[name]
    parser = ReusingParser()
    assert parser(text).deep_equals(cst.parse_module(text))
    edited = text + "\nz = 3\n"
    module = parser(edited)
    assert module.deep_equals(cst.parse_module(edited)) and module.code == edited


def test_real_modules_give_the_whole_parse_before_and_after_an_edit():
    """The fixtures, and cachelint's five longest modules (with every kind of statement)."""
    longest = sorted(ROOT.glob("cachelint/**/*.py"), key=lambda path: path.stat().st_size)[-5:]
    files = [*sorted(ROOT.glob("fixtures/**/*.py")), *longest]
    assert len(files) > 15
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            whole = cst.parse_module(text)
        except cst.ParserSyntaxError:
            continue
        parser = ReusingParser()
        assert parser(text).deep_equals(whole), path
        lines = text.split("\n")
        lines.insert(len(lines) // 2, "")  # a blank line in the middle
        edited = "\n".join(lines)
        try:
            whole = cst.parse_module(edited)
        except cst.ParserSyntaxError:
            continue  # inside a string that does not allow one
        module = parser(edited)
        assert module.deep_equals(whole) and module.code == edited, path


def test_an_edit_reparses_only_the_statement_it_is_in():
    text = "import os\n\n\ndef f():\n    return 1\n\n\ndef g():\n    return 2\n"
    parser = ReusingParser()
    before = parser(text)
    after = parser(text.replace("return 2", "return 3"))
    # Statements after blank lines get them as leading lines: a new node over the same parts.
    assert after.body[0] is before.body[0] and after.body[1].body is before.body[1].body
    assert after.body[2].body is not before.body[2].body
    assert after.deep_equals(cst.parse_module(text.replace("return 2", "return 3")))


def test_a_statement_written_twice_is_two_nodes():
    text = "x = 1\nx = 1\n"
    parser = ReusingParser()
    parser(text)
    module = parser(text)
    assert len(nodes(module)) == 2


def test_a_syntax_error_is_the_whole_parse_s():
    parser = ReusingParser()
    parser("def f():\n    return 1\n")
    with pytest.raises(cst.ParserSyntaxError) as raised:
        parser("def f():\n    return 1\n\ndef g(\n")
    with pytest.raises(cst.ParserSyntaxError) as whole:
        cst.parse_module("def f():\n    return 1\n\ndef g(\n")
    assert str(raised.value) == str(whole.value)
