"""The core and SQL analyses every rule and analysis shares: the one call resolver
(cachelint.model.core.calls), what each side of an `if` runs (core.branches), and the one
SQL reader (cachelint.model.app.sql)."""
from __future__ import annotations

import dataclasses
import gc
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from cachelint.model import build_model
from cachelint.model.app.sql import PLACEHOLDER, SqlReader, parse_select, parse_sql_write

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_CORPUS = ROOT.parent / "shared" / "eval" / "public"


def _model(source: str):
    text = textwrap.dedent(source)
    return build_model("example.py", text.encode(), cst.parse_module(text))


def _called(source: str) -> dict[str, str | None]:
    """For each call `x(...)` on a line ending `# call`, the function it runs (by name)."""
    model = _model(source)
    found = {}
    for site in model.calls:
        if model.code(site.statement).rstrip().endswith("# call"):
            callee = model.call_resolver.callee(site.node.func, site.scope, site.order)
            found[model.code(site.node.func)] = (
                None if callee is None else f"{callee.function.name.value}{'+self' if callee.binds_first else ''}"
            )
    return found


def test_one_resolver_for_names_self_methods_mixins_and_class_methods():
    called = _called("""
        def helper(pk):
            return pk

        class KeysMixin:
            def key(self, pk):
                return pk

        class Reports(KeysMixin):
            @staticmethod
            def build(pk):
                return pk

            @classmethod
            def make(cls, pk):
                return pk

            def get(self, pk):
                helper(pk)  # call
                self.key(pk)  # call
                self.build(pk)  # call
                Reports.build(pk)  # call
                Reports.make(pk)  # call
                self.missing(pk)  # call
                str(pk)  # call
    """)
    assert called == {
        "helper": "helper", "self.key": "key+self", "self.build": "build", "Reports.build": "build",
        "Reports.make": "make+self", "self.missing": None, "str": None,
    }


def test_a_name_bound_twice_runs_no_one_function():
    called = _called("""
        import os

        if os.environ.get("FAST"):
            def load(pk):
                return pk
        else:
            def load(pk):
                return None

        def view(pk):
            return load(pk)  # call
    """)
    assert called == {"load": None}


def test_if_sides_include_what_follows_an_exiting_branch():
    source = textwrap.dedent("""
        def report(pk):
            cached = cache.get(pk)
            if cached:
                return cached
            cached = build(pk)
            return cached
    """)
    model = _model(source)
    (function, info), = model.functions.items()
    node = function.body.body[1]
    body, other = model.branches.if_sides(node, info.scope)
    text = source.encode()
    assert [text[start:end].decode().strip() for start, end in body] == ["return cached"]
    assert [text[start:end].decode().strip() for start, end in other] == ["cached = build(pk)\n    return cached"]


def test_a_fallback_stands_in_for_the_read_it_replaces_however_deep_its_block():
    """`assignment_behind_fallback` walks only the nodes around the read: a `try` or an `if`
    deep inside other blocks, decorators and comments before it, and a fallback in an
    unrelated branch, which stands in for nothing."""
    source = textwrap.dedent("""
        import functools

        def load(pk, fast):
            for attempt in range(3):
                with lock:
                    if fast:
                        pass
                    else:
                        # read it from the cache
                        try:
                            value = cache.get(pk)
                        except RedisError:
                            value = None  # stands in
            return value

        def other(pk, fast):
            value = cache.get(pk)
            if fast:
                pass
            else:
                value = None  # does not

        @functools.lru_cache
        def decorated(pk):
            if pk:
                value = cache.get(pk)
            else:
                value = []  # stands in
            return value
    """)
    model = _model(source)
    found = {}
    for info in model.functions.values():
        fallback = info.scope.bindings["value"][-1]
        behind = model.branches.assignment_behind_fallback(info.scope, "value", fallback)
        found[info.node.name.value] = model.code(behind.expression)
    assert found == {"load": "cache.get(pk)", "other": "None", "decorated": "cache.get(pk)"}


def test_the_sql_reader_follows_concatenation_formatting_wrappers_and_assignments():
    model = _model("""
        from sqlalchemy import text

        def update(db, table, pk):
            sql = "UPDATE " + table + " SET hits = hits + 1"
            db.execute(text(sql))
            db.execute(f"DELETE FROM {table} WHERE id = %s" % pk)
            query = "SELECT name, {} FROM users".format(table)
            db.execute(query)
    """)
    reader = SqlReader(model)
    texts = [reader.text(site.node.args[0].value, site.scope) for site in model.calls
             if model.code(site.node.func) == "db.execute"]
    assert texts == [
        f"UPDATE {PLACEHOLDER} SET hits = hits + 1", f"DELETE FROM {PLACEHOLDER} WHERE id = %s",
        "SELECT name, {} FROM users",
    ]
    assert parse_sql_write(texts[0]).table is None  # the table is not constant text
    assert parse_sql_write(texts[1]).verb == "delete"
    assert parse_select(texts[2]).tables == {"users": "users"}
    assert parse_select(f"SELECT * FROM {PLACEHOLDER}").all_columns_of == ("_",)  # a formatted table reads as `_`


_STORE = ("import redis\nr = redis.Redis()\n\nclass Store:\n    prefix = 'p'\n\n    def get(self, k):\n"
          "        def inner():\n            return r.get(self.prefix + k)\n        return inner()\n")
# A write two calls away: DbFacts follows it through the module's call graph.
_WRITER = ("from django.core.cache import cache\nfrom shop.models import Price\n\n"
           "def save_price(pk, amount):\n    Price.objects.filter(pk=pk).update(amount=amount)\n\n"
           "def reprice(pk, amount):\n    cache.delete(f'price:{pk}')\n    save_price(pk, amount)\n")


@pytest.mark.parametrize("source, ask", [
    (_STORE, lambda model: model.keys.of_op(model.ops[0])),
    (_WRITER, lambda model: [model.db.writes_in(info.scope.function) for info in model.functions.values()]),
], ids=["keys", "db call graph"])
def test_a_released_model_leaves_no_garbage_cycle_holding_its_tree(source, ask):
    """Scopes and bindings refer to each other, and the model to its analyses; once released,
    reference counting frees the module's tree, and the cyclic collector finds none of it."""
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        model = build_model("store.py", source.encode(), cst.parse_module(source))
        assert model.ops  # the analyses ran
        assert ask(model)
        model.release()
        del model
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, cst.CSTNode)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    assert left == []


def test_children_leave_whitespace_and_comments_out():
    from cachelint.model.core.nodes import children, children_with_whitespace
    from cachelint.model.core.positions import UNRECORDED

    call = cst.parse_expression("f( a ,  # note\n  b)")
    assert [type(node) for node in children(call)] == [cst.Name, cst.Arg, cst.Arg]
    assert [type(node) for node in children(call.args[0])] == [cst.Name, cst.Comma]
    assert any(isinstance(node, UNRECORDED) for node in children_with_whitespace(call))
    assert [node for node in children_with_whitespace(call) if not isinstance(node, UNRECORDED)] == children(call)


def _every_field(node: cst.CSTNode, left_out: tuple[type, ...]) -> list[cst.CSTNode]:
    """The nodes in a node's fields, each value tested: what `children` lists."""
    found = []
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        found += [item for item in (value if isinstance(value, (list, tuple)) else [value])
                  if isinstance(item, cst.CSTNode) and not isinstance(item, left_out)]
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "fixtures").glob("*.py")) + sorted(PUBLIC_CORPUS.rglob("*.py")),
                         ids=lambda path: path.name)
def test_children_read_from_the_declared_types_are_every_fields_nodes(path):
    """`children` reads only the fields whose declared type can hold a node it lists, and
    tests only the values whose type does not say: the same nodes as testing each value."""
    from cachelint.model.core.nodes import children, children_with_whitespace
    from cachelint.model.core.positions import UNRECORDED

    stack: list[cst.CSTNode] = [cst.parse_module(path.read_text())]
    while stack:
        node = stack.pop()
        assert list(map(id, children(node))) == list(map(id, _every_field(node, UNRECORDED)))
        every = children_with_whitespace(node)
        assert list(map(id, every)) == list(map(id, _every_field(node, ())))
        stack.extend(every)


@pytest.mark.parametrize("path", sorted((ROOT / "fixtures").glob("*.py")), ids=lambda path: path.name)
def test_a_spans_start_is_its_spans_start(path):
    """`Spans.start(node)`, which makes no `Span`, is `spans[node].start` for every node spanned."""
    model = _model(path.read_text())
    assert len(model.spans) > 0
    for node in model.spans:
        assert model.spans.start(node) == model.spans[node].start


def test_a_value_made_of_io_is_looked_at_for_200_nodes_whitespace_counted():
    """`holds_io_result` looks at 200 nodes at most, counting whitespace as it always has:
    the request in a list of 60 other names is beyond them (each name, its element, its
    comma and the comma's two spaces are five nodes), in a list of 30 it is not."""
    def holds_io(others: int) -> bool:
        model = _model(f"""
            import requests
            def view(u):
                rows = [requests.get(u), {", ".join(["a"] * others)}]
                return rows
        """)
        function = next(iter(model.functions))
        assign = function.body.body[0].body[0]
        return model.holds_io_result(assign.value, model.functions[function].scope)

    assert holds_io(30)
    assert not holds_io(60)


ONE_LINE_EXPRESSIONS = '''\
def f(a, b):
    if a:
        x = (g(a.b[1:2], *b, k="é") + -a, not a or b and a, a if b else 1.5, 2j, 0x1F, ...)
        y = [i async for i in a] + [i for i in b if i] + {i for i in a} + {k: v for k, v in b}
        z = {"k": "é", **b} | {1, 2} | (lambda q, *r: q)(1) | f"{a!r:>{b}} é" "more" 'é'
        w = (yield a) + (await b) + (c := 3) + a[1, 2] + (1, 2) + [
            a, b]
        return x, y, z, sum(i for i in a)
'''


def test_the_code_of_an_expression_on_one_line_is_its_span_of_the_source():
    """`SourceModule.code` is LibCST's code for the node; for an expression on one line
    without parentheses the text of its span is that code, and LibCST does not make it."""
    import pathlib

    from cachelint.model.core.module import SPANNED_WHOLE

    root = pathlib.Path(__file__).resolve().parent.parent
    texts = [ONE_LINE_EXPRESSIONS] + [path.read_text() for path in sorted((root / "fixtures").glob("*.py"))]
    kinds = set()
    for text in texts:
        model = _model(text)
        for node in list(model.spans):
            if type(node) in SPANNED_WHOLE:
                kinds.add(type(node))
                assert model.code(node) == model.module.code_for_node(node)
    assert kinds == SPANNED_WHOLE
    model = _model(ONE_LINE_EXPRESSIONS)
    one_line = next(node for node in model.spans if type(node) is cst.Call)
    parenthesized = next(node for node in model.spans if type(node) is cst.Yield)
    on_two_lines = next(node for node in model.spans
                        if type(node) is cst.List and "\n" in model.module.code_for_node(node))
    made = []
    model.module = type("Counting", (), {"code_for_node": lambda self, node: made.append(node) or "?"})()
    assert model.code(one_line) == 'g(a.b[1:2], *b, k="é")' and made == []
    assert model.code(parenthesized) == model.code(on_two_lines) == "?" and made == [parenthesized, on_two_lines]


@pytest.mark.parametrize("literal", [
    '"product:price"', "'x'", '""', "''", '"""a\n"b"\'c\'"""', "'''''' ", "r'a[0-9]*'", 'u"ü:{}"', 'R"x"',
    '"a\\tb"', "r'a\\d'", "b'raw'", "rb'x'", 'B"y"', '"""two\nlines"""', "'\"'", '"\'"',
])
def test_a_string_literal_is_read_as_python_reads_it_and_compiled_only_when_it_must_be(literal, monkeypatch):
    from cachelint.model.core import values

    node = cst.parse_expression(literal.strip())
    expected = node.evaluated_value
    compiled = []
    parsed = values._parsed
    monkeypatch.setattr(values, "_parsed", lambda text: compiled.append(text) or parsed(text))
    monkeypatch.setattr(type(node), "evaluated_value", property(lambda n: pytest.fail("literal_eval")))
    value = values.string_value(node)
    assert value == expected and type(value) is type(expected)
    plain = "\\" not in literal and "b" not in literal.split("'")[0].split('"')[0].lower()
    assert compiled == ([] if plain else [node.value])  # a plain string is read from its text


def test_a_string_literal_read_leaves_no_garbage_for_the_cyclic_collector():
    """`ast.literal_eval` leaves functions that refer to each other, which only the cyclic
    collector frees, and that is off while a file is linted (cachelint.engine)."""
    import gc

    from cachelint.model.core.values import string_value, text_value

    escaped, joined = cst.parse_expression(r'"a\tb"'), cst.parse_expression(r'b"\x00" b"y"')
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        assert escaped.evaluated_value == "a\tb" and gc.collect() > 0  # what this test guards against
        assert string_value(escaped) == "a\tb" and text_value(joined) == b"\x00y"
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


@pytest.mark.parametrize("literal", [
    '"a"', '"a" "b"', "'a' \"b\" '''c'''", r'"a\t" r"\d"', r"b'a' b'\x00'", 'f"{x}" "a"', '"a" f"{x}"',
    '"a" "b" f"{x}"', '"a" \\\n "b"', '("a"\n "b")',
])
def test_adjacent_string_literals_are_read_as_libcst_reads_them(literal, monkeypatch):
    from cachelint.model.core.values import text_value

    node = cst.parse_expression(literal)
    expected = node.evaluated_value
    monkeypatch.setattr(cst.SimpleString, "evaluated_value", property(lambda n: pytest.fail("literal_eval")))
    value = text_value(node)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("literal", [
    "0", "00", "7", "1_000", "0x1F", "0XdeAd", "0o17", "0O7_7", "0b101", "0B1_0", "123456789012345678901234567890",
    "1.5", "1.", ".5", "1e3", "1E-3", "1_0.2_5", "1e1_0", "0.0", "3.14159265358979323846",
])
def test_a_number_literal_is_read_as_python_reads_it_without_a_compile(literal, monkeypatch):
    from cachelint.model.core.values import number_value

    node = cst.parse_expression(literal)
    expected = node.evaluated_value
    monkeypatch.setattr(type(node), "evaluated_value", property(lambda n: pytest.fail("compiled")))
    value = number_value(node)
    assert value == expected and type(value) is type(expected)
