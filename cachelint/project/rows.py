"""Which rows and columns of an entity a cached view holds, and which a DB write changes.

A table is often shared by several kinds of row (zou keeps shots, scenes, episodes and
assets in one `Entity` table, told apart by `entity_type_id`), and a view may read only a
few columns of it (`PreviewFile.query.with_entities(PreviewFile.id, PreviewFile.status)`).
A write to the table is evidence that such a view is stale only when it may change rows of
the view's kind and columns the view reads:

- a view's **kind**: the function's query compares a kind column (`type`, `kind`,
  `entity_type_id`) with a value the function chooses itself (`episode_type_id`, not one of
  its parameters): `episode`. A write changes rows of that kind when the object it writes
  is named after it (`episode.save()`, `filter_by(entity_type_id=episode_type["id"])`).
- a view's **columns**: those a column query lists (`with_entities`, `values`,
  `values_list`, `only`, `select(Model.a, Model.b)`); a write's, those an update sets by
  name (`update({"revision": r})`, `update(price=p)`). Disjoint: the view is not stale.
- the columns a view's filter **requires set** (`Link.role.isnot(None)`, Django's
  `role__isnull=False`): a row inserted without them (`Link(project_id=p, person_id=u)`)
  is not in the view.

Everything else is unknown and changes nothing: a view of every row and column.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import libcst as cst

from cachelint.model.app.entities import canonical
from cachelint.model.core.nodes import names_in
from cachelint.model.core.scopes import dotted
from cachelint.model.core.values import is_none, string_value, text_value
from cachelint.model.core.words import words

# A column that tells kinds of row apart: `type`, `kind`, `entity_type_id`, `content_type`.
_KIND_COLUMN = re.compile(r"(?:^|_)(?:type|kind)(?:_id)?$")
# Words of a kind value that do not name the kind: `self.episode_type["id"]` is `episode`.
_NOT_A_KIND = frozenset({"self", "cls", "type", "kind", "id", "pk", "uuid", "get", "name", "value", "key"})
# Queries that read only the columns they list (SQLAlchemy, Django).
_COLUMN_LISTS = frozenset({"with_entities", "values", "values_list", "only", "load_only", "add_columns"})
_SELECTS = frozenset({"select", "query"})
_NOT_NULL = frozenset({"isnot", "is_not"})  # `Link.role.isnot(None)`
UNKNOWN_KIND = "?"  # a kind the function chooses, with no name to tell which: no write matches it


class ViewReads:
    """What a cached view's query reads, from the nodes of its value (`scan`)."""

    def __init__(self, parameters: Iterable[str]) -> None:
        self.parameters = frozenset(parameters)
        self.kinds: set[str] = set()
        self.columns: set[str] | None = set()  # None: a query that reads every column
        self.lists = False
        self.filtered: set[str] = set()  # which rows are in the view depends on these too
        self.required: set[str] = set()

    def scan(self, node: cst.CSTNode) -> None:
        if type(node) is cst.Comparison:
            self._comparison(node)
        elif type(node) is cst.Call:
            self._call(node)

    def _comparison(self, node: cst.Comparison) -> None:
        if len(node.comparisons) != 1:
            return
        target = node.comparisons[0]
        column = _column_name(node.left)
        if column is None:
            return
        self.filtered.add(column)
        if isinstance(target.operator, cst.Equal) and _KIND_COLUMN.search(column):
            self._kind(target.comparator)
        elif isinstance(target.operator, (cst.NotEqual, cst.IsNot)) and is_none(target.comparator):
            self.required.add(column)

    def _call(self, node: cst.Call) -> None:
        func = node.func
        method = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else None
        if method in _NOT_NULL and isinstance(func, cst.Attribute) and len(node.args) == 1 and is_none(node.args[0].value):
            column = _column_name(func.value)
            if column is not None:
                self.required.add(column)
                self.filtered.add(column)
            return
        if method in ("filter", "filter_by", "exclude", "get", "get_by", "where") or method in _COLUMN_LISTS or method in _SELECTS:
            for arg in node.args:
                if arg.keyword is None:
                    continue
                if method == "exclude":
                    self.filtered.add(arg.keyword.value.split("__", 1)[0])
                    continue
                name = arg.keyword.value
                self.filtered.add(name.split("__", 1)[0])
                if _KIND_COLUMN.search(name):
                    self._kind(arg.value)
                elif name.endswith("__isnull") and isinstance(arg.value, cst.Name) and arg.value.value == "False":
                    self.required.add(name[: -len("__isnull")])
        if method in _COLUMN_LISTS or method in _SELECTS and node.args and _column_name(node.args[0].value):
            self._listed(node)

    def _listed(self, node: cst.Call) -> None:
        """The columns a column query lists; any other argument reads who knows what."""
        if self.columns is None:
            return
        for arg in node.args:
            if arg.keyword is not None:
                continue  # `flat=True`, `named=True`
            value = arg.value
            text = text_value(value) if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)) else None
            if isinstance(text, str):
                column: str | None = text.split("__", 1)[0]  # `tags__name` reads `tags`
            else:
                column = _column_name(value)
            if column is None:
                self.columns = None
                return
            self.columns.add(column)
        self.lists = True

    def _kind(self, value: cst.BaseExpression) -> None:
        if names_in(value) & self.parameters:
            return  # a kind the caller chooses: the view has an entry per kind
        self.kinds.add(kind_of(value))

    @property
    def kind(self) -> str | None:
        """The one kind of row the view holds; None: every kind (or several)."""
        return next(iter(self.kinds)) if len(self.kinds) == 1 else (UNKNOWN_KIND if self.kinds else None)

    @property
    def read_columns(self) -> tuple[str, ...]:
        """The columns it reads or filters on; empty: every column (or not known)."""
        return tuple(sorted(self.columns | self.filtered)) if self.lists and self.columns else ()


def kind_of(value: cst.BaseExpression) -> str:
    """The kind a value names: `episode` for `episode_type_id`, `self.episode_type["id"]`
    or `"Episode"`; UNKNOWN_KIND when it names none."""
    literal = string_value(value) if isinstance(value, cst.SimpleString) else None
    if isinstance(literal, str):
        text = literal
    else:
        text = " ".join(n.value for n in _names(value))
    found = [word for word in map(canonical, words(text)) if word not in _NOT_A_KIND]
    return found[-1] if found else UNKNOWN_KIND


def subject_kinds(call: cst.Call, instance: cst.BaseExpression | None) -> tuple[str, ...]:
    """What a DB write names the rows it writes by: the object written (`episode` for
    `episode.save()` or `session.add(episode)`) and the kinds the call chain's filters
    or keywords give (`Entity.create(entity_type_id=shot_type_id)`: `shot`)."""
    found = []
    if isinstance(instance, cst.Name):
        found.append(canonical(instance.value))
    node: cst.BaseExpression = call
    while isinstance(node, cst.Call):
        for arg in node.args:
            if arg.keyword is not None and _KIND_COLUMN.search(arg.keyword.value):
                found.append(kind_of(arg.value))
        func = node.func
        node = func.value if isinstance(func, cst.Attribute) else func
        while isinstance(node, cst.Attribute):
            node = node.value
    return tuple(sorted(set(found) - {UNKNOWN_KIND}))


def set_columns(call: cst.Call) -> tuple[str, ...]:
    """The columns an update sets by name: `update({"revision": r})`, `update({M.a: 1})`,
    `update(price=p)`; empty: not known (`update(data)`, `save()`)."""
    func = call.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "update") or not call.args:
        return ()
    if len(call.args) == 1 and call.args[0].keyword is None:
        value = call.args[0].value
        if not isinstance(value, cst.Dict):
            return ()
        columns = []
        for element in value.elements:
            if not isinstance(element, cst.DictElement):
                return ()
            key = element.key
            column = string_value(key) if isinstance(key, cst.SimpleString) else _column_name(key)
            if not isinstance(column, str):
                return ()
            columns.append(column)
        return tuple(sorted(columns))
    if any(arg.keyword is None for arg in call.args):
        return ()
    return tuple(sorted(arg.keyword.value for arg in call.args if arg.keyword is not None))


def inserted_columns(row: cst.BaseExpression) -> tuple[str, ...] | None:
    """The columns a row built by keywords sets (`Link(project_id=p, person_id=u)`); None:
    not known (positional arguments, `**data`)."""
    if not isinstance(row, cst.Call) or any(arg.keyword is None for arg in row.args):
        return None
    return tuple(sorted(arg.keyword.value for arg in row.args if arg.keyword is not None))


def _column_name(expr: cst.BaseExpression) -> str | None:
    """`status` for `PreviewFile.status`, `data` for `PreviewFile.data[k].label("x")`: a
    model's column (the model named as a class)."""
    while True:
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "label":
            expr = expr.func.value
        elif isinstance(expr, cst.Subscript):
            expr = expr.value
        else:
            break
    if not isinstance(expr, cst.Attribute):
        return None
    owner = dotted(expr.value)
    last = owner.rsplit(".", 1)[-1] if owner else ""
    return expr.attr.value if last[:1].isupper() and not last.isupper() else None


def _names(expr: cst.CSTNode) -> list[cst.Name]:
    found: list[cst.Name] = []

    class Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.append(node)

    expr.visit(Names())
    return found
