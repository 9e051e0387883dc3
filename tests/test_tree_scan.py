"""Python's syntax tree of a big module, made of pieces, is the tree `ast.parse` gives."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cachelint import tree_scan

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_CORPUS = ROOT.parent / "shared" / "eval" / "public"
SOURCES = sorted((ROOT / "fixtures").glob("*.py")) + sorted(PUBLIC_CORPUS.rglob("*.py"))[:40]

# Where a cut at a row that starts with a name is not where a statement starts: inside
# strings, brackets, continued rows, after a decorator, before `else`/`except`/`finally`.
TRICKY = '''"""A docstring
whose rows
start with names
"""
import os

@decorator
def f(
x=1,
):
    return x \\
+ 1
if f():
    pass
elif g:
    pass
else:
    pass
try:
    pass
except ValueError:
    pass
finally:
    pass
query = """
SELECT a
FROM t
"""
values = [
a,
b]
class C:
    def m(self): return 1
for x in y:
    pass
else:
    pass
last = (1,
2)
'''


def _same(text: str, monkeypatch, characters: int) -> None:
    monkeypatch.setattr(tree_scan, "_PIECE_CHARACTERS", characters)
    whole = ast.parse(text)
    assert ast.dump(tree_scan._parse_in_pieces(text), include_attributes=True) == ast.dump(
        whole, include_attributes=True)


@pytest.mark.parametrize("characters", [1, 7, 40, 1000])
def test_pieces_make_the_whole_tree_wherever_the_cuts_fall(characters, monkeypatch):
    _same(TRICKY, monkeypatch, characters)
    _same(TRICKY * 3 + "é = 'ü'\r\nx = 1\r\n", monkeypatch, characters)


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: path.name)
def test_pieces_make_the_whole_tree_of_real_modules(path, monkeypatch):
    _same(path.read_text(), monkeypatch, 200)


@pytest.mark.parametrize("text", [
    "x = 1\ny = (\nz = 2\n",  # an error in the middle
    "x = 1\n" * 50 + "def f(:\n",  # at the end
    "x = 1\n" * 50 + "y = '\0'\n",  # a null byte
    "else:\n    pass\n" + "x = 1\n" * 50,  # at the start
])
def test_a_module_python_refuses_in_pieces_is_refused(text, monkeypatch):
    monkeypatch.setattr(tree_scan, "_PIECE_CHARACTERS", 10)
    tree_scan.parse.cache_clear()
    assert tree_scan.parse(text) is None
    tree_scan.parse.cache_clear()


def test_a_big_module_is_parsed_in_pieces(monkeypatch):
    pieces = []
    real = ast.parse
    monkeypatch.setattr(tree_scan.ast, "parse", lambda text: pieces.append(text) or real(text))
    monkeypatch.setattr(tree_scan, "_PIECE_CHARACTERS", 100)
    tree_scan.parse.cache_clear()
    text = "def f():\n    return 1\n" * 100
    assert len(tree_scan.parse(text).body) == 100
    tree_scan.parse.cache_clear()
    assert len(pieces) > 10
    pieces.clear()
    assert tree_scan.parse(text.replace("\n", "\r\n")) is not None
    tree_scan.parse.cache_clear()
    assert len(pieces) > 10
    pieces.clear()
    assert tree_scan.parse(text.replace("\n", "\r")) is not None  # lone carriage returns: parsed whole
    tree_scan.parse.cache_clear()
    assert len(pieces) == 1
