"""What a cache write stores: the names its value is built from, the columns of the query
that produced it, and the whole rows or model instances it holds.

    def settings_card(uid):
        row = db.execute("SELECT api_key, webhook_url FROM apps WHERE owner = %s", (uid,)).fetchone()
        r.set(f"app:{uid}", json.dumps(row), ex=60)
        r.set(f"hook:{uid}", json.dumps({"hook": row["webhook_url"]}), ex=60)

`names(op)` for the first `r.set`: `json.dumps`, `row` and, one assignment back, what
`row` was built from: `db.execute`, `fetchone` and the selected columns `api_key`,
`webhook_url`. For the second: `json.dumps`, `"hook"`, `row["webhook_url"]` and `row`,
but not the columns: a field read from a row (`row["email"]`, `row.email`) is that field.
`rows(op)` gives the whole rows: `SELECT *` (or `t.*`), ORM queries that return model
instances (`User.objects.get(...)`, `session.get(User, pk)`, `select(User)`) and the
request's user object (`request.user`, `current_user`), stored as they are or through a
serializer that keeps every field (`json.dumps`, `list`, `model_to_dict`).

Names are followed one assignment back, as a reader would: the stored value, and what
each name in it was assigned (or, for a function passed as a value, what it returns).
The SQL is a string passed to any call in the value (`execute`, `fetch*`, `raw`, `text()`,
a project's own `query_one(...)`), or, for `cursor.fetchone()`, what the function last
executed on that cursor; a result or query object (`result.one()`, `qs.all()`) is
followed back to its query. What an encrypting call returns (`encrypt_password(pw)`,
`fernet.encrypt(token)`) names nothing: the cache holds ciphertext. What `jwt.encode(...)`
returns is named `jwt`.
"""
from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import libcst as cst

from cachelint.model.app.sql import Select, SqlReader, parse_select
from cachelint.model.cache.facts import CacheOp
from cachelint.model.core.module import SourceModule
from cachelint.model.core.scopes import Binding, Scope, dotted, qualified_name
from cachelint.model.core.values import single_index, string_value
from cachelint.model.core.words import words

_MAX_NODES = 400  # expressions looked at per write: values are small, this only bounds the odd giant
_MAX_HOPS = 2  # result and query objects followed back to the query (`qs = …; rows = qs.all()`)
# ORM methods whose result is still rows or model instances (or a query for them).
_ORM_ROWS = frozenset({
    "objects", "_default_manager", "_base_manager", "query", "get", "filter", "exclude", "all", "first", "last",
    "latest", "earliest", "order_by", "select_related", "prefetch_related", "annotate", "distinct", "using",
    "select_for_update", "reverse", "iterator", "filter_by", "where", "limit", "offset", "join", "options",
    "unique", "one", "one_or_none", "scalar", "scalar_one", "scalar_one_or_none", "scalars", "execute",
    "get_or_404", "first_or_404", "one_or_404", "raw",
})
# Methods that return the rows a SQL statement selected.
_SQL_ROWS = frozenset({
    "execute", "fetchone", "fetchall", "fetchmany", "fetchrow", "fetch", "first", "one", "one_or_none",
    "all", "mappings", "raw", "unique",
})
_MANAGERS = frozenset({"objects", "_default_manager", "_base_manager", "query"})  # User.objects, User.query
_FETCHES = frozenset({"fetchone", "fetchall", "fetchmany"})
_EXECUTES = frozenset({"execute"})
# Calls that take a model (or a select of one) first and return its instances.
_MODEL_CALLS = frozenset({"get", "query", "get_object_or_404", "get_or_404", "select", "scalars", "execute"})
_USER_MODEL_FACTORY = "get_user_model"
_REQUEST_USERS = frozenset({"request.user", "self.request.user", "req.user"})
_CURRENT_USERS = frozenset({"flask_login.current_user", "flask.g.user", "quart.g.user"})
# Calls whose result holds every field of what they are given.
_PASS_THROUGH = frozenset({
    "json.dumps", "pickle.dumps", "orjson.dumps", "ujson.dumps", "simplejson.dumps", "msgpack.packb",
    "marshal.dumps", "copy.copy", "copy.deepcopy", "dataclasses.asdict", "django.core.serializers.serialize",
    "django.forms.models.model_to_dict", "django.forms.model_to_dict",
})
_ALL_FIELDS_ATTRIBUTES = frozenset({"__dict__", "_mapping"})  # user.__dict__, row._mapping
_ALL_FIELDS_METHODS = frozenset({"_asdict"})  # row._asdict()
_PASS_THROUGH_BUILTINS = frozenset({"list", "tuple", "set", "frozenset", "dict", "sorted", "reversed", "vars"})
_FIELD_CHOICE = frozenset({"fields", "exclude"})  # model_to_dict(obj, fields=[...]) keeps only some
_FIELD_METHODS = frozenset({"values", "values_list", "only", "get", "pop", "getattr", "setdefault"})
_LITERALS = frozenset({"None", "True", "False"})
_ENCRYPTS = frozenset({"encrypt", "encrypted", "encryption"})  # words of a call that returns ciphertext
_DIGESTS = ("hashlib.", "hmac.")  # calls that return a digest of what they are given
_JWT_ENCODERS = frozenset({"jwt.encode", "jose.jwt.encode", "authlib.jose.jwt.encode"})  # PyJWT, python-jose, Authlib


@dataclass(frozen=True)
class Named:
    """A name the stored data is built from or described by.

    `shown` is how a message quotes it (`user.password_hash`, `row["api_key"]`, `api_key`
    for a selected column); `spelled` is the identifier text whose words it has, without
    the module a dotted name starts from (`SECRET_KEY` for `settings.SECRET_KEY`)."""

    shown: str
    spelled: str
    digested: bool = False  # only a digest of it is stored: `hashlib.sha256(token.encode()).hexdigest()`


class RowKind(str, enum.Enum):
    TABLE = "table"  # every column of a table's rows: `SELECT *`, `SELECT u.*`
    MODEL = "model"  # whole model instances: `User.objects.get(…)`, `session.get(User, pk)`
    CURRENT_USER = "current user"  # the request's user object: `request.user`, `current_user`


@dataclass(frozen=True)
class WholeRow:
    """Every column of a table's row, or a whole model instance."""

    entity: str  # the table (`users`) or the model class (`User`) as written
    kind: RowKind
    shown: str = ""  # for CURRENT_USER: the expression, `request.user`


class StoredData:
    """Answers `names(op)` and `rows(op)` for the writes of one module."""

    def __init__(self, source: SourceModule) -> None:
        self.source = source

    def values(self, op: CacheOp) -> list[cst.BaseExpression]:
        """What `op` stores: its value argument, or, for writes whose table names none
        (`hset(name, field, value)`, `sadd(name, *members)`), every argument but the key and TTL."""
        if op.value is not None:
            return [op.value]
        if op.spec.value is not None or op.call is None:
            return []
        ttl = op.ttl.argument if op.ttl is not None else None
        return [a.value for a in op.call.args if a.value is not op.key and a.value is not ttl]

    def names(self, op: CacheOp) -> Iterator[Named]:
        walk = _Walk(self.source)
        fields = op.value is None  # hset(name, "field", value): a string is a field name
        for value in self.values(op):
            if fields and isinstance(value, cst.SimpleString) and (field := _string(value)) is not None:
                yield Named(value.value, field)
            else:
                yield from walk.names(value, op.scope, 0)

    def rows(self, op: CacheOp) -> Iterator[WholeRow]:
        walk = _Walk(self.source)
        for value in self.values(op):
            yield from walk.rows(value, op.scope, 0)

    def rows_of(self, expr: cst.BaseExpression, scope: Scope) -> Iterator[WholeRow]:
        """The whole rows any expression holds (`session.query(User).all()`, or a name bound to it)."""
        return _Walk(self.source).rows(expr, scope, 0)


class _Walk:
    def __init__(self, source: SourceModule) -> None:
        self.source = source
        self.sql = SqlReader(source)
        self.budget = _MAX_NODES

    def _spent(self) -> bool:
        self.budget -= 1
        return self.budget < 0

    # ------------------------------------------------------------------ names

    def names(self, expr: cst.CSTNode, scope: Scope, depth: int) -> Iterator[Named]:
        # Exact types: failing `isinstance` tests on nodes are slow, and no node class has subclasses.
        if self._spent():
            return
        if type(expr) is cst.Name:
            yield from self._name(expr, scope, depth)
        elif type(expr) is cst.Attribute:  # a field read: that field, not what it is read from
            shown, text = dotted(expr), self._dotted(expr, scope)
            yield Named(shown, text) if shown is not None and text is not None \
                else Named(f"….{expr.attr.value}", expr.attr.value)
        elif type(expr) is cst.Subscript:
            index = single_index(expr)
            if isinstance(index, cst.SimpleString) and (field := _string(index)) is not None:
                # row["email"]: that field, and the container's own name
                yield Named(f"{self._short(expr.value)}[{index.value}]", field)
                if isinstance(expr.value, (cst.Name, cst.Attribute)):
                    yield from self.names(expr.value, scope, depth + 1)
            else:  # rows[0], data[key]: an element of the container
                yield from self.names(expr.value, scope, depth)
                if index is not None:
                    yield from self.names(index, scope, depth)
        elif type(expr) is cst.Call:
            yield from self._call(expr, scope, depth)
        elif type(expr) is cst.Dict:
            for element in expr.elements:
                if isinstance(element, cst.DictElement):
                    yield from self._dict_key(element.key, scope, depth)
                yield from self.names(element.value, scope, depth)
        elif type(expr) is cst.DictComp:
            yield from self.names(expr.key, scope, depth)
            yield from self.names(expr.value, scope, depth)
            yield from self._comp_for(expr.for_in, scope, depth)
        elif type(expr) is cst.ListComp or type(expr) is cst.SetComp or type(expr) is cst.GeneratorExp:
            yield from self.names(expr.elt, scope, depth)
            yield from self._comp_for(expr.for_in, scope, depth)
        else:
            for child in _value_children(expr):
                yield from self.names(child, scope, depth)

    def _name(self, name: cst.Name, scope: Scope, depth: int) -> Iterator[Named]:
        if name.value in _LITERALS:
            return
        yield Named(name.value, name.value)
        if depth == 0:
            for value, inner in self._one_back(name, scope):
                yield from self.names(value, inner, depth + 1)

    def _call(self, call: cst.Call, scope: Scope, depth: int) -> Iterator[Named]:
        func = call.func
        if _ENCRYPTS.intersection(words(_last_name(func) or "")):
            return
        qualified = qualified_name(func, scope, self.source.spans.start(call))
        if qualified is not None and qualified.startswith(_DIGESTS):
            for argument in call.args:
                for named in self.names(argument.value, scope, depth):
                    yield dataclasses.replace(named, digested=True)
            return
        if _last_name(func) == "encode" and qualified_name(func, scope, self.source.spans.start(call)) in _JWT_ENCODERS:
            yield Named(dotted(func) or "encode", "jwt")  # `jwt.encode(claims, key)` returns a JWT
        if isinstance(func, cst.Attribute) and self._dotted(func, scope) is None:
            yield Named(f"….{func.attr.value}", func.attr.value)  # a method of a value: data flows through
            yield from self.names(func.value, scope, depth)
        else:
            yield from self.names(func, scope, depth)
        method = _last_name(call.func)
        for argument in call.args:
            value = argument.value
            if argument.keyword is not None and method == "dict":
                yield Named(argument.keyword.value, argument.keyword.value)
            select = self.select(value, scope)
            if select is not None:
                yield from _columns(select)
                continue
            if method in _FIELD_METHODS and isinstance(value, cst.SimpleString):
                field = _string(value)
                if field is not None:
                    yield Named(value.value, field)
                continue
            yield from self.names(value, scope, depth)
        receiver = _fetch_receiver(call)
        if receiver is not None:
            for select in self._executed(receiver, scope):
                yield from _columns(select)

    def _dict_key(self, key: cst.BaseExpression, scope: Scope, depth: int) -> Iterator[Named]:
        if isinstance(key, cst.SimpleString):
            text = _string(key)
            if text is not None:
                yield Named(key.value, text)
        else:
            yield from self.names(key, scope, depth)

    def _comp_for(self, comp: cst.CompFor | None, scope: Scope, depth: int) -> Iterator[Named]:
        while comp is not None:
            yield from self.names(comp.iter, scope, depth)
            comp = comp.inner_for_in

    # ------------------------------------------------------------------ whole rows

    def rows(self, expr: cst.CSTNode, scope: Scope, depth: int) -> Iterator[WholeRow]:
        """The whole rows `expr` holds as they are (through containers and serializers)."""
        if self._spent():
            return
        user = self._current_user(expr, scope)
        if user is not None:
            yield WholeRow("User", RowKind.CURRENT_USER, user)
        elif type(expr) is cst.Name:
            if depth == 0:
                for value, inner in self._one_back(expr, scope):
                    yield from self.rows(value, inner, depth + 1)
        elif type(expr) is cst.Attribute and expr.attr.value in _ALL_FIELDS_ATTRIBUTES:
            yield from self.rows(expr.value, scope, depth)
        elif type(expr) is cst.Call and _last_name(expr.func) in _ALL_FIELDS_METHODS \
                and isinstance(expr.func, cst.Attribute):
            yield from self.rows(expr.func.value, scope, depth)
        elif type(expr) is cst.Call:
            if self._passes_through(expr, scope):
                for argument in expr.args:
                    if argument.keyword is None:
                        yield from self.rows(argument.value, scope, depth)
            else:
                yield from self._query_rows(expr, scope)
        elif type(expr) is cst.Subscript:
            if not isinstance(single_index(expr), cst.SimpleString):  # rows[0], rows[:10]
                yield from self.rows(expr.value, scope, depth)
        elif type(expr) is cst.List or type(expr) is cst.Tuple or type(expr) is cst.Set or type(expr) is cst.Dict:
            for element in expr.elements:  # a dict's values (and `**spread`s)
                yield from self.rows(element.value, scope, depth)
        elif type(expr) is cst.ListComp or type(expr) is cst.SetComp or type(expr) is cst.GeneratorExp:
            if _is_target(self._unwrapped(expr.elt, scope), expr.for_in.target):
                yield from self.rows(expr.for_in.iter, scope, depth)
        elif type(expr) is cst.Await or type(expr) is cst.IfExp or type(expr) is cst.BooleanOperation or type(expr) is cst.Lambda:
            for child in _value_children(expr):
                yield from self.rows(child, scope, depth)

    def _current_user(self, expr: cst.CSTNode, scope: Scope) -> str | None:
        """How `expr` is spelled when it is the current user: `request.user`,
        `self.request.user`, Flask-Login's `current_user`, Flask's `g.user`; else None."""
        if not isinstance(expr, (cst.Name, cst.Attribute)):
            return None
        text = dotted(expr)
        if text in _REQUEST_USERS:
            return text
        return text if qualified_name(expr, scope, self.source.spans.start(expr)) in _CURRENT_USERS else None

    def _passes_through(self, call: cst.Call, scope: Scope) -> bool:
        qualified = qualified_name(call.func, scope, self.source.spans.start(call))
        if qualified is None and isinstance(call.func, cst.Name) and not self._reaching(call.func, scope):
            qualified = call.func.value if call.func.value in _PASS_THROUGH_BUILTINS else None
        if qualified is None:
            return False
        if qualified.endswith("model_to_dict") and any(a.keyword and a.keyword.value in _FIELD_CHOICE for a in call.args):
            return False
        return qualified in _PASS_THROUGH or qualified in _PASS_THROUGH_BUILTINS

    def _unwrapped(self, expr: cst.BaseExpression, scope: Scope) -> cst.BaseExpression:
        while isinstance(expr, cst.Call) and self._passes_through(expr, scope) and expr.args:
            expr = expr.args[0].value
        return expr

    def _query_rows(self, query: cst.BaseExpression, scope: Scope, then: tuple[str, ...] = (),
                    hops: int = 0) -> Iterator[WholeRow]:
        """Whole rows from a query chain: `User.objects.filter(…).first()`, `session.get(User, 1)`,
        `db.execute("SELECT * FROM users …").fetchone()`, `cursor.fetchall()` after an execute,
        `result.scalar_one()` where `result = session.execute(select(User))`. `then`: the
        methods called on the chain's result afterwards."""
        root, links = _chain(query)
        methods = (*(link.method for link in links), *then)
        for index, link in enumerate(links):
            rest = methods[index + 1:]
            if link.call is None:
                model = self._model_name(link.receiver, scope) if link.method in _MANAGERS else None
            else:
                yield from self._select_rows(link.call, rest, scope)
                model = self._model_argument(link.method, link.call, scope)
            if model is not None and all(name in _ORM_ROWS for name in rest):
                yield WholeRow(model, RowKind.MODEL)
        if isinstance(root, cst.Call):
            yield from self._select_rows(root, methods, scope)
            model = self._model_argument(_last_name(root.func), root, scope)
            if model is not None and all(name in _ORM_ROWS for name in methods):
                yield WholeRow(model, RowKind.MODEL)
        elif isinstance(root, cst.Name) and methods and all(n in _ORM_ROWS | _SQL_ROWS for n in methods):
            if methods[0] in _FETCHES:
                for select in self._executed(root, scope):
                    yield from _whole_tables(select)
            elif hops < _MAX_HOPS:  # a result or query object: what it was assigned
                for binding in self._reaching(root, scope):
                    if binding.kind in ("assign", "with") and isinstance(binding.value, (cst.Call, cst.Await)):
                        yield from self._query_rows(binding.value, binding.scope, methods, hops + 1)

    def _select_rows(self, call: cst.Call, then: tuple[str, ...], scope: Scope) -> Iterator[WholeRow]:
        """The whole rows of a SELECT passed first to `call`, when `then` only fetches them."""
        select = self.select(call.args[0].value, scope) if call.args else None
        if select is not None and all(name in _SQL_ROWS for name in then):
            yield from _whole_tables(select)

    def _model_argument(self, method: str | None, call: cst.Call, scope: Scope) -> str | None:
        """The model `query(User)`, `get(User, pk)`, `select(User)`, `scalars(select(User))` return."""
        if method not in _MODEL_CALLS or not call.args or call.args[0].keyword is not None:
            return None
        first = call.args[0].value
        if isinstance(first, cst.Call):
            root, links = _chain(first)
            if isinstance(root, cst.Call) and _last_name(root.func) == "select" and \
                    all(link.method in _ORM_ROWS for link in links):
                return self._model_argument("select", root, scope)
            return None
        if method != "select" and len(call.args) < 2 and method != "query":
            return None  # dict.get(k) and the like: a model comes with a key
        return self._model_name(first, scope)

    def _model_name(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        """The class name of a model-looking expression (`User`, `models.Account`,
        `get_user_model()`, a name bound to `get_user_model()`), or None."""
        if isinstance(expr, cst.Call) and _last_name(expr.func) == _USER_MODEL_FACTORY:
            return "User"
        text = dotted(expr)
        if text is None:
            return None
        last = text.rsplit(".", 1)[-1]
        if isinstance(expr, cst.Name):
            for binding in self._reaching(expr, scope):
                if binding.kind == "assign" and isinstance(binding.value, cst.Call) \
                        and _last_name(binding.value.func) == _USER_MODEL_FACTORY:
                    return "User"
        return last if last[:1].isupper() and not last.isupper() else None

    # ------------------------------------------------------------------ SQL

    def select(self, expr: cst.BaseExpression, scope: Scope) -> Select | None:
        text = self.sql.text(expr, scope)
        return parse_select(text) if text else None

    def _executed(self, cursor: cst.Name, scope: Scope) -> Iterator[Select]:
        """The query last executed on `cursor` before it is read, in the same function:
        `cursor.execute("SELECT …")`, or `cursor = conn.execute("SELECT …")`."""
        before = self.source.spans.start(cursor)
        definition = scope.function_def
        info = self.source.functions.get(definition) if definition is not None else None
        latest = None
        for call in info.calls if info is not None else ():
            func = call.func
            if isinstance(func, cst.Attribute) and func.attr.value in _EXECUTES and call.args \
                    and isinstance(func.value, cst.Name) and func.value.value == cursor.value \
                    and self.source.spans.start(call) < before:
                latest = call
        if latest is not None:
            select = self.select(latest.args[0].value, scope)
            if select is not None:
                yield select
            return
        for binding in self._reaching(cursor, scope):
            if binding.kind in ("assign", "with") and isinstance(binding.value, cst.Call):
                _, links = _chain(binding.value)
                for link in links:
                    if link.method in _EXECUTES and link.call is not None and link.call.args:
                        select = self.select(link.call.args[0].value, binding.scope)
                        if select is not None:
                            yield select

    # ------------------------------------------------------------------ helpers

    def _reaching(self, name: cst.Name, scope: Scope) -> list[Binding]:
        return self.source.reaching.bindings(name.value, scope, self.source.spans.start(name))

    def _one_back(self, name: cst.Name, scope: Scope) -> Iterator[tuple[cst.BaseExpression, Scope]]:
        """What `name` may hold, one step back: each assignment's value (and scope), the
        iterable of a `for` (a row of `cursor.fetchall()` is one of its rows), or what a
        function of this module returns when the name is that function."""
        for binding in self._reaching(name, scope):
            if binding.kind in ("assign", "for") and isinstance(binding.value, cst.BaseExpression):
                yield binding.value, binding.scope
            elif isinstance(binding.value, cst.FunctionDef) and binding.value in self.source.functions:
                info = self.source.functions[binding.value]
                for ret in info.returns:
                    if ret.value is not None:
                        yield ret.value, info.scope

    def _dotted(self, expr: cst.Attribute, scope: Scope) -> str | None:
        """The dotted text of a name chain, without a module it starts from (`jwt.encode` ->
        `encode`, `settings.SECRET_KEY` -> `SECRET_KEY`), words joined by `_`; None when
        the chain does not start from a name."""
        text = dotted(expr)
        if text is None:
            return None
        parts = text.split(".")
        head: cst.BaseExpression = expr
        while isinstance(head, cst.Attribute):
            head = head.value
        if isinstance(head, cst.Name) and any(binding.kind == "import" for binding in self._reaching(head, scope)):
            parts = parts[1:]
        return "_".join(parts)

    def _short(self, expr: cst.BaseExpression) -> str:
        text = dotted(expr)
        return text if text is not None else "…"


class _Link(NamedTuple):
    method: str  # the attribute or method name
    call: cst.Call | None  # the call, or None for an attribute read
    receiver: cst.BaseExpression  # what the attribute is read from


def _chain(expr: cst.BaseExpression) -> tuple[cst.BaseExpression, list[_Link]]:
    """`a.b(x).c.d(y)` -> root `a` and its links `b(x)`, `.c`, `d(y)`, root first."""
    links: list[_Link] = []
    node = expr
    while True:
        if isinstance(node, cst.Await):
            node = node.expression
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            links.append(_Link(node.func.attr.value, node, node.func.value))
            node = node.func.value
        elif isinstance(node, cst.Attribute):
            links.append(_Link(node.attr.value, None, node.value))
            node = node.value
        else:
            break
    links.reverse()
    return node, links


def _fetch_receiver(call: cst.Call) -> cst.Name | None:
    """`cursor` for `cursor.fetchone()`, `result` for `result.mappings()`: a name rows are
    read from with no SQL of their own."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in _SQL_ROWS - _EXECUTES - {"raw"} \
            and isinstance(func.value, cst.Name):
        return func.value
    return None


def _columns(select: Select) -> Iterator[Named]:
    for column in select.columns:
        if not column.endswith("*"):
            yield Named(column, column)


def _whole_tables(select: Select) -> Iterator[WholeRow]:
    for table in select.all_columns_of:
        yield WholeRow(table, RowKind.TABLE)


def _string(node: cst.SimpleString) -> str | None:
    """The text of a string that reads as a field or key name (no spaces), else None."""
    value = string_value(node)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value if value and not any(c.isspace() for c in value) else None


def _last_name(func: cst.BaseExpression) -> str | None:
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


def _is_target(expr: cst.BaseExpression, target: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and isinstance(target, cst.Name) and expr.value == target.value


def _value_children(expr: cst.CSTNode) -> list[cst.BaseExpression]:
    """The sub-expressions whose values make up `expr`'s value (tests and targets left out)."""
    if type(expr) is cst.Await:
        return [expr.expression]
    if type(expr) is cst.IfExp:
        return [expr.body, expr.orelse]
    if type(expr) is cst.BinaryOperation or type(expr) is cst.BooleanOperation:
        return [expr.left, expr.right]
    if type(expr) is cst.UnaryOperation:
        return [expr.expression]
    if type(expr) is cst.Comparison:
        return [expr.left, *(target.comparator for target in expr.comparisons)]
    if type(expr) is cst.Lambda:
        return [expr.body]
    if type(expr) is cst.NamedExpr:
        return [expr.value]
    if type(expr) is cst.List or type(expr) is cst.Tuple or type(expr) is cst.Set:
        return [element.value for element in expr.elements]
    if type(expr) is cst.FormattedString:
        return [part.expression for part in expr.parts if isinstance(part, cst.FormattedStringExpression)]
    if type(expr) is cst.StarredElement:
        return [expr.value]
    return []
