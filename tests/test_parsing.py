import inspect
from pathlib import Path

import libcst as cst
import pytest

from cachelint import parsing
from cachelint.parsing import parse_module

SOURCE = '''\
import redis

r = redis.Redis()


@decorator(x=1)
async def view(request, *args, key: str = "k", **kwargs) -> dict:
    """Doc."""
    value = await r.get(f"user:{request.user.id}:{key!r}")
    if value is None and (x := [i for i in range(3) if i]) or not {**kwargs}:
        raise ValueError("miss") from None
    return {"value": value, **kwargs}
'''


def test_gives_the_tree_the_checked_parse_gives():
    module = parse_module(SOURCE)
    assert module.code == SOURCE
    assert module.deep_equals(cst.parse_module(SOURCE))


def test_nodes_made_after_the_parse_are_checked_again():
    parse_module(SOURCE)
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")


def test_nodes_are_checked_again_after_a_syntax_error():
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("def broken(:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")


ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "fixtures").glob("*.py")) + sorted((ROOT.parent / "shared" / "eval" / "public").rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: path.name)
def test_each_node_is_made_as_libcsts_parse_makes_it(path):
    """The parser's nodes are made by `__init__`s of their own (cachelint.parsing._fast_inits),
    with the same fields and defaults as the dataclasses'."""
    text = path.read_text()
    assert parse_module(text).deep_equals(cst.parse_module(text))


def test_the_parser_makes_its_nodes_unchecked_and_through_their_slots(monkeypatch):
    checked = []
    monkeypatch.setattr(cst.Name, "_validate", lambda node: checked.append(node))
    original = cst.Name.__init__
    cst.parse_module(SOURCE)
    assert checked
    checked.clear()
    parse_module(SOURCE)
    assert not checked
    assert cst.Name.__init__ is original
    assert parsing._fast_inits()[cst.Name] == (parsing._fast_inits()[cst.Name][0], original)
    assert set(parsing._fast_inits()) == {
        kind for kind in vars(cst).values()
        if isinstance(kind, type) and issubclass(kind, cst.CSTNode) and not inspect.isabstract(kind)}
    fast = parsing._fast_inits()[cst.Name][0]
    assert cst.Name("x", lpar=(cst.LeftParen(),), rpar=(cst.RightParen(),)).deep_equals(
        _made(cst.Name, fast, "x", lpar=(cst.LeftParen(),), rpar=(cst.RightParen(),)))
    assert _made(cst.Name, fast, "x").lpar == () == _made(cst.Name, fast, "x").rpar
    # a field's default factory is called for each node (a comma's plain whitespace)
    comma = _made(cst.Comma, parsing._fast_inits()[cst.Comma][0])
    assert comma.deep_equals(cst.Comma()) and type(comma.whitespace_before) is cst.SimpleWhitespace


def _made(kind, init, *args, **kwargs):
    node = object.__new__(kind)
    init(node, *args, **kwargs)
    return node


# --- whatever Python accepts (cachelint.parsing) -----------------------------------------

REDIS_WRITE = "import redis\nr = redis.Redis()\n\ndef f(uid):\n    r.setnx({key}, uid)\n"


def _lint(text: str):
    from cachelint.config import Settings
    from cachelint.engine import lint_source

    return lint_source("deep.py", text.encode(), Settings())


@pytest.mark.parametrize("key", [
    " + ".join(["'a'"] * 500),  # a key of 500 terms
    "uid" + ".strip()" * 400,  # 400 chained calls
    "(" + " or ".join(["uid"] * 500) + ")",
    " ".join(["'a'"] * 10_000),  # LibCST's own parser gives up at about 4,000 adjacent literals
    " + ".join(["uid"] * 2_990),  # as deep as Python compiles (3.11: 2,990 terms)
    "uid" + "[0]" * 2_989,  # LibCST alone: two minutes
    "-" * 2_989 + "uid",
], ids=["500 terms", "400 calls", "500 or", "10,000 literals", "2,990 terms", "2,989 subscripts", "2,989 signs"])
def test_an_expression_as_deep_as_python_compiles_costs_no_finding(key):
    result = _lint(REDIS_WRITE.format(key=key))
    assert result.internal_errors == []
    assert [(d.code, d.location.row, d.location.column) for d in result.diagnostics] == [("CL002", 5, 5)]


def test_what_lies_beyond_the_depth_limit_is_unknown_and_positions_stay():
    deep = " + ".join(["'a'"] * 300)
    text = f"X = {deep}\ny = 1\n"
    parsed = parsing.parse(text)
    assert parsed.bounded and len(parsed.text) == len(text)
    assert parsed.text.splitlines()[1] == "y = 1"
    assert "(____" in parsed.text


def test_a_file_python_refuses_for_its_limits_is_invalid_syntax():
    result = _lint(REDIS_WRITE.format(key="(" * 1_000 + "uid" + ")" * 1_000))
    assert [(d.name, d.message) for d in result.diagnostics] == [
        ("invalid-syntax", "SyntaxError: too many nested parentheses")]


def test_a_file_in_newer_syntax_than_the_running_python_is_left_to_libcst():
    assert parsing.parse("type X = int\n").module.code == "type X = int\n"  # Python 3.12's syntax
    with pytest.raises(cst.ParserSyntaxError):
        parsing.parse("def broken(:\n")


def test_the_deep_stack_raises_what_the_function_raises():
    def fail():
        raise KeyError("x")

    with pytest.raises(KeyError):
        parsing.on_deep_stack(fail)
    assert parsing.on_deep_stack(lambda a: a + 1, 1) == 2


# --- form feeds ------------------------------------------------------------------------

def test_a_form_feed_before_a_statement_moves_no_finding():
    # LibCST drops the form feed: the finding used to land one byte early, on row 4, where
    # the `# noqa` swallowed it.
    text = 'import redis\nr = redis.Redis()\ndef f(uid):\n    x = 1  # noqa\n\fr.set("k", uid)\n'
    assert [(d.code, d.location.row, d.location.column, d.end_location.column) for d in _lint(text).diagnostics] == [
        ("CL002", 5, 2, 17)]


def test_form_feeds_in_indentation_are_whitespace_as_python_reads_them():
    text = 'import redis\nr = redis.Redis()\n\ndef f(uid):\n    """Doc.\n\f    more\n    """\n  \f    r.set("k", uid)\n'
    assert [(d.code, d.location.row, d.location.column) for d in _lint(text).diagnostics] == [("CL002", 8, 8)]


def test_a_form_feed_inside_a_string_is_left_alone():
    text = 'X = """a\n\fb"""\n\fy = 1\n'
    prepared = parsing.prepare(text)
    assert prepared.text == 'X = """a\n\fb"""\ny = 1\n'
    assert prepared.shift == {3: 1}


def test_a_project_finding_on_a_line_with_a_form_feed_has_the_files_columns(tmp_path, monkeypatch):
    # CL010's positions come from the project facts, which used to keep the columns of the
    # text LibCST parsed (its indentation up to the form feed removed).
    from cachelint.config import Settings
    from cachelint.engine import lint_paths

    monkeypatch.chdir(tmp_path)
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "__init__.py").write_text("")
    (shop / "catalog.py").write_text(
        "from django.core.cache import cache\nfrom .models import Product\n\n"
        "def detail(pk):\n    product = cache.get(f'product:{pk}')\n    if product is None:\n"
        "        product = Product.objects.filter(pk=pk).values('id', 'price').first()\n"
        "        cache.set(f'product:{pk}', product, 300)\n    return product\n")
    (shop / "admin.py").write_text(
        "from .models import Product\n\ndef set_price(pk, price):\n"
        "  \f  Product.objects.filter(pk=pk).update(price=price)\n")
    found = [(d.code, d.location.row, d.location.column, d.end_location.column)
             for d in lint_paths([shop], Settings()).diagnostics]
    line = "  \f  Product.objects.filter(pk=pk).update(price=price)"
    assert found == [("CL010", 4, line.index("P") + 1, len(line) + 1)]


# --- big modules: parsed in pieces ------------------------------------------------------

PIECES = '''\
# -*- coding: utf-8 -*-
"""A module."""
import redis

r = redis.Redis()
# a comment between statements

@decorator
# a comment inside the decorators
def f(uid):
    r.set(f"user:{uid}", uid)


class C:
    x = 1
    # indented comment


if True:
    pass
else:  # trailing
    y = 2
# the footer
'''


@pytest.mark.parametrize("text", [PIECES, PIECES.replace("\n", "\r\n"), PIECES.rstrip("\n"), "x = 1\n" * 50,
                                  PIECES.replace("# the footer\n", "\n\n\n"),
                                  # pieces that indent or end lines each their own way
                                  "def f():\n  return 1\n\n\ndef g():\n\treturn 2\n",
                                  "def f():\n    return 1\r\n\ndef g():\r\n    return 2\r\n"])
def test_a_module_parsed_in_pieces_is_the_tree_of_the_whole(text, monkeypatch):
    monkeypatch.setattr(parsing, "_PIECE_CHARACTERS", 1)  # every statement a piece
    rows = parsing.Outline.of(__import__("ast").parse(text).body, text.splitlines(True)).statement_rows
    module = parsing._parse_in_pieces(text, rows)
    assert module.code == text
    assert module.deep_equals(cst.parse_module(text))
    assert parsing.parse(text).module.deep_equals(cst.parse_module(text))


def test_a_big_module_is_linted_as_when_parsed_whole(monkeypatch):
    from tests.rule_fixtures import FIXTURES

    text = (FIXTURES / "CL002_set_without_ttl.py").read_text()
    whole = [(d.code, d.location, d.end_location) for d in _lint(text).diagnostics]
    monkeypatch.setattr(parsing, "_PIECE_CHARACTERS", 200)
    pieces = []
    in_pieces = parsing._parse_in_pieces
    monkeypatch.setattr(parsing, "_parse_in_pieces", lambda *args: pieces.append(1) or in_pieces(*args))
    assert [(d.code, d.location, d.end_location) for d in _lint(text).diagnostics] == whole
    assert whole and pieces


def test_pythons_tree_is_not_kept_once_parsed():
    from cachelint import tree_scan

    parsing.parse(PIECES)
    assert tree_scan.parse.cache_info().currsize == 0  # it stayed alive through the analysis


def test_a_text_parsed_again_whole_is_not_given_to_python_again(monkeypatch):
    """The project stage's passes lint some files again, whole: the outline of a text
    parsed whole is remembered, so Python makes one syntax tree of it, not one per parse.
    A text Python cannot parse is not remembered."""
    from cachelint import tree_scan

    monkeypatch.setattr(parsing, "_OUTLINES", {})
    trees = []
    syntax_tree = tree_scan.syntax_tree
    monkeypatch.setattr(tree_scan, "parse", lambda text: trees.append(text) or syntax_tree(text))
    monkeypatch.setattr(tree_scan.parse, "cache_clear", lambda: None, raising=False)
    first, again = parsing.parse(PIECES), parsing.parse(PIECES)
    assert trees == [PIECES]
    assert again.module.deep_equals(first.module)
    newer = "match x:\n    case 1:\n        pass\ntype X = int\n"  # Python 3.12's syntax: the running Python may refuse it
    for _ in range(2):
        try:
            parsing.parse(newer)
        except cst.ParserSyntaxError:
            pass
    assert len(trees) == 3 if syntax_tree(newer) is None else 2


def test_remembered_outlines_hold_so_much_text(monkeypatch):
    monkeypatch.setattr(parsing, "_OUTLINES", {})
    monkeypatch.setattr(parsing, "_OUTLINED_CHARACTERS", 2 * len(PIECES))
    texts = [PIECES + "x = 1\n" * index for index in range(3)]
    for text in texts:
        parsing.parse(text)
    assert list(parsing._OUTLINES) == texts[2:]
    parsing.parse(PIECES * 3)  # more than they may hold: not remembered, the others kept
    assert list(parsing._OUTLINES) == texts[2:]
