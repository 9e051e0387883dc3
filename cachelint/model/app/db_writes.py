"""Which calls write to the DB, and the entity each changes (see cachelint.model.app.db).

`WriteFinder.write(site)` tells for one call: raw SQL text (cachelint.model.app.sql),
SQLAlchemy/SQLModel sessions and statements, the Django ORM, peewee, Tortoise, and the
commit points of connections and sessions. It also knows the receivers these depend on:
what is a connection, a session, a model class, an instance of one.
"""
from __future__ import annotations

from typing import NamedTuple, TypeGuard

import libcst as cst

from cachelint.model.app.entities import Entity, canonical
from cachelint.model.app.sql import PLACEHOLDER, SqlReader, parse_sql_write, string_text
from cachelint.model.app.write_kind import (
    INSTANCE_WRITES,
    M2M_WRITES,
    MODEL_CLASS_WRITES,
    QUERYSET_WRITES,
    SESSION_WRITES,
    SQL_METHODS,
    WriteKind,
)
from cachelint.model.cache.facts import ClientOf
from cachelint.model.core.collect import Site
from cachelint.model.core.module import SourceModule
from cachelint.model.core.scopes import Binding, Scope, dotted, qualified_name
from cachelint.model.core.words import words

MAX_DEPTH = 8

_SQL_KEYWORDS = ("sql", "query", "operation", "statement", "stmt")
_VERB_KINDS = {
    "insert": WriteKind.INSERT, "replace": WriteKind.SAVE, "upsert": WriteKind.SAVE, "merge": WriteKind.SAVE,
    "update": WriteKind.UPDATE, "delete": WriteKind.DELETE, "truncate": WriteKind.DELETE,
}
_VERB_LABELS = {"insert": "INSERT INTO", "delete": "DELETE FROM", "merge": "MERGE INTO", "replace": "REPLACE INTO"}
_CONNECTION_NAMES = frozenset({
    "conn", "connection", "con", "cnx", "db", "database", "dbconn", "db_conn", "db_connection", "connexion",
})
_CONNECTION_ENDINGS = ("_conn", "_connection", "_db")
_CONNECTION_FACTORIES = frozenset({"connect", "get_connection", "getconn", "acquire", "raw_connection"})
_HTTP_MODULES = ("requests.", "httpx.", "aiohttp.", "urllib3.", "niquests.")
_REQUEST_NAMES = frozenset({"request", "req"})
_MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
_MODEL_MODULES = frozenset({"models", "model"})  # `from shop.models import Order`, `ckan.model.Package`
_MODEL_MODULE_ENDINGS = ("_models", "_model")  # `from .db_models import Order`
_MODEL_BASES = frozenset({
    "django.db.models.Model", "django.db.models.base.Model", "peewee.Model", "tortoise.models.Model",
    "tortoise.Model", "sqlmodel.SQLModel", "sqlalchemy.orm.DeclarativeBase",
})
_NOT_MODEL_BASES = ("pydantic.", "typing.", "enum.", "abc.")
_MANAGER_BASES = ("Manager", "QuerySet")  # Django's (`models.Manager`), or a subclass in the module
_GET_USER_MODEL = "django.contrib.auth.get_user_model"
_GET_OBJECT = frozenset({"django.shortcuts.get_object_or_404"})
_INSTANCE_GETTERS = frozenset({
    "get", "first", "last", "earliest", "latest", "create", "get_or_none", "get_by_id",
    "aget", "afirst", "alast", "aearliest", "alatest", "acreate",
    "first_or_404", "get_or_404", "one_or_404",  # Flask-SQLAlchemy: `M.query.filter_by(...).first_or_404()`
})
_PAIR_GETTERS = frozenset({"get_or_create", "update_or_create", "aget_or_create", "aupdate_or_create"})
_PRIMARY_KEYS = frozenset({"pk", "id"})

# ---------------------------------------------------------------------- what methods write

# Framework hooks handed an ORM object to save or delete, by method: the position of that
# parameter after `self`. DRF's `perform_destroy(self, instance)` (and the serializer of
# `perform_create`/`perform_update`), a ModelForm in `form_valid`, the admin's `save_model(self,
# request, obj, ...)`. Their model is set elsewhere (`queryset`, `model`, the admin's registration).
_WRITE_HOOKS = {
    "perform_create": 0, "perform_update": 0, "perform_destroy": 0, "form_valid": 0,
    "save_model": 1, "delete_model": 1,
}
# Queryset methods that narrow what a later update or delete changes.
_QUERYSET_STEPS = frozenset({"all", "filter", "exclude", "select_for_update", "select_related", "only", "defer"})
# peewee queries that write when executed: `Product.update(...).where(...).execute()`.
_PEEWEE_QUERIES = {
    "update": WriteKind.UPDATE, "insert": WriteKind.INSERT, "insert_many": WriteKind.INSERT,
    "insert_from": WriteKind.INSERT, "replace": WriteKind.SAVE, "replace_many": WriteKind.SAVE,
    "delete": WriteKind.DELETE,
}
# SQLAlchemy statement constructors, and the same methods of a `Table`.
_SA_STATEMENTS = {"update": WriteKind.UPDATE, "insert": WriteKind.INSERT, "delete": WriteKind.DELETE}
_SA_MODULES = ("sqlalchemy.", "sqlmodel.")


def _is_own_super(call: cst.Call, scope: Scope) -> bool:
    """`super(Product, self)`: the two-argument form, on the method's own `self`."""
    function = scope.function
    return (len(call.args) == 2 and function is not None and isinstance(call.args[1].value, cst.Name)
            and call.args[1].value.value == function.self_name)


class _Link(NamedTuple):
    name: str  # the attribute
    receiver: cst.BaseExpression  # what it is looked up on
    call: cst.Call | None  # `receiver.name(...)`, when called


class _Chain(NamedTuple):
    """`Order.objects.filter(x).update(y)`: root `Order`, then the links `objects`,
    `filter(x)` and `update(y)`."""

    root: cst.BaseExpression
    links: tuple[_Link, ...]

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(link.name for link in self.links)


def _chain(expr: cst.BaseExpression) -> _Chain:
    links: list[_Link] = []
    called = None
    while True:
        if isinstance(expr, cst.Await):
            expr = expr.expression
        elif isinstance(expr, cst.Call):
            called, expr = expr, expr.func
        elif isinstance(expr, cst.Subscript):
            called, expr = None, expr.value
        elif isinstance(expr, cst.Attribute):
            links.append(_Link(expr.attr.value, expr.value, called))
            called, expr = None, expr.value
        else:
            return _Chain(expr, tuple(reversed(links)))


def call_label(call: cst.Call) -> str:
    """`Order.objects.filter(…).update(…)`, `conn.commit()`: a call chain, arguments elided."""
    pieces: list[str] = []
    expr: cst.BaseExpression = call
    while True:
        if isinstance(expr, cst.Call):
            pieces.append("(…)" if expr.args else "()")
            expr = expr.func
        elif isinstance(expr, cst.Attribute):
            pieces.append("." + expr.attr.value)
            expr = expr.value
        elif isinstance(expr, cst.Name):
            pieces.append(expr.value)
            break
        elif isinstance(expr, cst.Await):
            expr = expr.expression
        else:
            pieces.append("…")
            break
    return "".join(reversed(pieces))


def _is_class_name(name: str) -> bool:
    return name[:1].isupper() and not name.isupper()


_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp)
_ORDERINGS = frozenset({"list", "sorted", "reversed", "tuple", "set"})  # the same instances, another container


def _comprehensions_around(node: cst.CSTNode, statement: cst.CSTNode) -> list[cst.BaseComp]:
    """The comprehensions of `statement` whose element or condition holds `node`, innermost first."""
    found: list[cst.BaseComp] = []

    def walk(current: cst.CSTNode, around: list[cst.BaseComp]) -> bool:
        if current is node:
            found.extend(reversed(around))
            return True
        inner = [*around, current] if isinstance(current, (*_COMPREHENSIONS, cst.DictComp)) else around
        return any(walk(child, inner) for child in current.children)

    walk(statement, [])
    return found


class WriteFinder:
    """Tells which calls of one module write to the DB, and what they are called on."""

    def __init__(self, source: SourceModule, client_of: ClientOf) -> None:
        self.source = source
        self.client_of = client_of  # the cache client an expression is, if any
        self.sql = SqlReader(source)

    # ------------------------------------------------------------ values

    def bound(self, expr: cst.BaseExpression, scope: Scope, order: int) -> Binding | None:
        """The one binding of a name or of `self.<attr>` that a use sees."""
        if isinstance(expr, cst.Name):
            bindings = scope.lookup(expr.value, order)
            return bindings[0] if len(bindings) == 1 else None
        function = scope.function
        if (isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and function is not None
                and function.owner is not None and expr.value.value == function.self_name):
            bindings = function.owner.attributes.get(expr.attr.value, [])
            return bindings[0] if len(bindings) == 1 else None
        return None

    def value(self, expr: cst.BaseExpression, scope: Scope, order: int) -> tuple[cst.BaseExpression, Scope, int] | None:
        """What a variable was assigned (`x = ...`, `with ... as x`), where it was."""
        binding = self.bound(expr, scope, order)
        if binding is None or binding.kind not in ("assign", "with") or not isinstance(binding.value, cst.BaseExpression):
            return None
        return binding.value, binding.scope, binding.order

    # ------------------------------------------------------------ receivers

    def is_connection(self, expr: cst.BaseExpression, scope: Scope, order: int) -> bool:
        text = dotted(expr)
        if text is not None:
            last = text.rsplit(".", 1)[-1].lower()
            if last in _CONNECTION_NAMES or last.endswith(_CONNECTION_ENDINGS):
                return True
        value = self.value(expr, scope, order)
        if value is not None and isinstance(value[0], cst.Call):
            func = value[0].func
            name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
            return name in _CONNECTION_FACTORIES
        return False

    def is_session(self, expr: cst.BaseExpression, scope: Scope, order: int) -> bool:
        """A SQLAlchemy/SQLModel session: named so (`session`, `db.session`, `DBSession`,
        `model.Session`) or annotated so (`db: AsyncSession`); not Django's `request.session`
        nor an HTTP client's session."""
        text = dotted(expr)
        if text is None:
            return False
        parts = text.lower().split(".")
        binding = self.bound(expr, scope, order)
        source = None
        if binding is not None:
            source = binding.value if binding.kind in ("assign", "with") else binding.annotation
            if isinstance(source, cst.Call):
                source = source.func
        qualified = qualified_name(source, binding.scope, binding.order) if binding is not None and isinstance(
            source, (cst.Name, cst.Attribute)) else None
        if qualified is not None:
            if qualified.startswith(_HTTP_MODULES):
                return False
            if qualified.startswith(_SA_MODULES) and qualified.endswith("Session"):
                return True
        last = parts[-1]
        named = "session" in last and not last.endswith("sessions") or last == "sess"
        return named and not _REQUEST_NAMES & set(parts)

    def model_class(self, expr: cst.BaseExpression, scope: Scope, order: int, depth: int = 0) -> str | None:
        """The name of the model class `expr` is, when the module shows it is one: defined
        with a model base, imported from a `models` module, `get_user_model()`."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, cst.Call):
            qualified = qualified_name(expr.func, scope, order)
            return "User" if qualified == _GET_USER_MODEL else None
        if not isinstance(expr, (cst.Name, cst.Attribute)):
            return None
        qualified = qualified_name(expr, scope, order)
        if qualified is not None:
            parts = qualified.split(".")
            modules = parts[:-1]
            from_models = any(part in _MODEL_MODULES or part.endswith(_MODEL_MODULE_ENDINGS) for part in modules)
            return parts[-1] if from_models and _is_class_name(parts[-1]) else None
        binding = self.bound(expr, scope, order)
        if binding is None:
            return None
        if binding.kind == "def" and isinstance(binding.value, cst.ClassDef):
            return binding.value.name.value if self._is_model_class(binding.value, binding.scope, depth) else None
        if binding.kind == "assign" and isinstance(binding.value, cst.BaseExpression):
            return self.model_class(binding.value, binding.scope, binding.order, depth + 1)
        return None

    def _is_model_class(self, node: cst.ClassDef, scope: Scope, depth: int) -> bool:
        order = self.source.spans.start(node)
        for base in node.bases:
            qualified = qualified_name(base.value, scope, order)
            if qualified is not None and qualified.startswith(_NOT_MODEL_BASES):
                continue
            if qualified in _MODEL_BASES or self.model_class(base.value, scope, order, depth + 1):
                return True
            text = dotted(base.value) or ""
            if text.endswith(".Model") or text in ("Model", "Base"):
                return True
        return False

    def _is_manager_class(self, node: cst.ClassDef, scope: Scope, depth: int = 0) -> bool:
        """A Django manager or queryset class: its own methods' `self.update()` writes."""
        if depth > MAX_DEPTH:
            return False
        order = self.source.spans.start(node)
        for base in node.bases:
            base_class = base.value.value if isinstance(base.value, cst.Subscript) else base.value  # Manager["M"]
            qualified = qualified_name(base_class, scope, order) or ""
            if qualified.startswith("django.db.models.") and qualified.endswith(_MANAGER_BASES):
                return True
            binding = self.bound(base_class, scope, order)
            if binding is not None and binding.kind == "def" and isinstance(binding.value, cst.ClassDef) and (
                    self._is_manager_class(binding.value, binding.scope, depth + 1)):
                return True
        return False

    def _owner(self, scope: Scope) -> tuple[cst.ClassDef, Scope] | None:
        """The class whose method `scope` is in, and the scope the class is defined in."""
        function = scope.function
        owner = function.owner if function is not None else None
        if owner is None or not isinstance(owner.node, cst.ClassDef) or owner.parent is None:
            return None
        return owner.node, owner.parent

    def _owner_model(self, scope: Scope) -> str | None:
        """The model class whose method `scope` is in."""
        owner = self._owner(scope)
        return owner[0].name.value if owner and self._is_model_class(*owner, 0) else None

    def _model_name(self, expr: cst.BaseExpression, scope: Scope, order: int) -> str | None:
        """A model class the module shows, or a class-like name in a place that needs a model."""
        known = self.model_class(expr, scope, order)
        if known is not None:
            return known
        text = dotted(expr)
        last = text.rsplit(".", 1)[-1] if text else ""
        return last if _is_class_name(last) else None

    def _queryset_model(self, chain: _Chain, scope: Scope, order: int) -> tuple[Entity | None] | None:
        """For a chain through a Django manager (`M.objects....`): (the model's entity,
        None when the model is not known); None when the chain is not through one."""
        for index, link in enumerate(chain.links):
            if link.name in _MANAGERS:
                if any(later.name in _INSTANCE_GETTERS | _PAIR_GETTERS for later in chain.links[index + 1:]):
                    return None  # `M.objects.get(...).lines`: a relation of an instance
                model = self._model_name(link.receiver, scope, order)
                return (Entity(model, "model") if model else None,)
        function = scope.function
        if isinstance(chain.root, cst.Name) and function is not None and chain.root.value == function.self_name:
            owner = self._owner(scope)
            if owner is not None and self._is_manager_class(*owner):
                return (None,)  # `self.filter(...).update()` in a manager: its model is set elsewhere
        return None

    def instance_model(self, expr: cst.BaseExpression, scope: Scope, order: int, depth: int = 0) -> str | None:
        """The model class of which `expr` is an instance, when the module shows it."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, cst.Await):
            return self.instance_model(expr.expression, scope, order, depth + 1)
        if isinstance(expr, cst.Call):
            if isinstance(expr.func, cst.Name) and expr.func.value == "super" and (
                    not expr.args or _is_own_super(expr, scope)):
                return self._owner_model(scope)
            return self._created_model(expr, scope, order)
        if isinstance(expr, cst.Subscript):  # `M.objects.get_or_create(...)[0]`
            value = expr.value.expression if isinstance(expr.value, cst.Await) else expr.value
            if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and (
                    value.func.attr.value in _PAIR_GETTERS):
                found = self._queryset_model(_chain(value.func.value), scope, order)
                return found[0].name if found and found[0] else None
            return None
        function = scope.function
        if isinstance(expr, cst.Name) and function is not None and expr.value == function.self_name:
            return self._owner_model(scope)
        binding = self.bound(expr, scope, order)
        if binding is None:
            return None
        if binding.kind == "param" and binding.annotation is not None:
            return self.model_class(_unquoted(binding.annotation), binding.scope, binding.order)
        if binding.kind == "for" and isinstance(binding.value, cst.BaseExpression):
            return self.element_model(binding.value, binding.scope, binding.order, depth + 1)
        if binding.kind == "assign" and isinstance(binding.value, cst.BaseExpression):
            return self.instance_model(binding.value, binding.scope, binding.order, depth + 1)
        return None

    def element_model(self, iterable: cst.BaseExpression, scope: Scope, order: int, depth: int = 0) -> str | None:
        """The model of the instances a loop over `iterable` gets: those of a queryset
        (`M.objects.filter(...)`), or of a list a comprehension builds
        (`[M.objects.get(pk=pk) for pk in pks]`), also through a variable or `list(...)`."""
        if depth > MAX_DEPTH:
            return None
        found = self._queryset_model(_chain(iterable), scope, order)
        if found is not None:
            return found[0].name if found[0] else None
        if isinstance(iterable, _COMPREHENSIONS):
            return self.instance_model(iterable.elt, scope, order, depth + 1)
        if isinstance(iterable, cst.Call) and len(iterable.args) == 1 and isinstance(iterable.func, cst.Name) \
                and iterable.func.value in _ORDERINGS:
            return self.element_model(iterable.args[0].value, scope, order, depth + 1)
        binding = self.bound(iterable, scope, order) if isinstance(iterable, cst.Name) else None
        if binding is not None and binding.kind == "assign" and isinstance(binding.value, cst.BaseExpression):
            return self.element_model(binding.value, binding.scope, binding.order, depth + 1)
        return None

    def _comprehension_model(self, name: cst.Name, call: cst.Call, statement: cst.CSTNode,
                             scope: Scope, order: int) -> str | None:
        """The model of `name` when a comprehension around `call` binds it from a query:
        `t` in `[t.delete() for t in Tag.objects.filter(...)]` (the model's own walk gives
        comprehension targets no binding)."""
        for comprehension in _comprehensions_around(call, statement):
            clause: cst.CompFor | None = comprehension.for_in
            while clause is not None:
                if isinstance(clause.target, cst.Name) and clause.target.value == name.value:
                    return self.element_model(clause.iter, scope, order)
                clause = clause.inner_for_in
        return None

    def _hook_object(self, expr: cst.BaseExpression, scope: Scope, order: int) -> bool:
        """An ORM object of a model the module does not name: the parameter a framework hook
        is handed (see `_WRITE_HOOKS`), or what a view's `self.get_object()` returned."""
        function = scope.function
        if not isinstance(expr, cst.Name) or function is None or function.owner is None:
            return False
        binding = self.bound(expr, scope, order)
        if binding is None:
            return False
        if binding.kind == "assign" and isinstance(binding.value, cst.Call):
            return dotted(binding.value.func) == f"{function.self_name}.get_object"
        definition = function.node
        if not isinstance(definition, cst.FunctionDef):  # a method's scope is its def's
            return False
        position = _WRITE_HOOKS.get(definition.name.value)
        params = definition.params.params
        return (binding.kind == "param" and position is not None and len(params) > position + 1
                and params[position + 1].name.value == expr.value)

    def _created_model(self, call: cst.Call, scope: Scope, order: int) -> str | None:
        """`M(...)`, `M.objects....get(...)`, `M.get(...)`, `get_object_or_404(M, ...)`."""
        func = call.func
        if qualified_name(func, scope, order) in _GET_OBJECT and call.args:
            return self._model_name(call.args[0].value, scope, order)
        if not isinstance(func, cst.Attribute):
            return self.model_class(func, scope, order)
        if func.attr.value not in _INSTANCE_GETTERS:
            return None
        if func.attr.value == "get" and call.args and self.is_session(func.value, scope, order):
            return self._model_name(call.args[0].value, scope, order)  # SQLAlchemy `session.get(M, pk)`
        chain = _chain(func.value)
        found = self._queryset_model(chain, scope, order)
        if found is not None:
            return found[0].name if found[0] else None
        return self.model_class(chain.root, scope, order)  # peewee, Tortoise: `M.get(...)`

    # ------------------------------------------------------------ writes

    def write(self, site: Site) -> tuple[WriteKind, Entity | None, str] | None:
        """(kind, entity, label) for a call that writes to the DB, else None."""
        call: cst.Call = site.node
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        method, receiver, scope, order = func.attr.value, func.value, site.scope, site.order
        if self.client_of(receiver, scope, order) is not None:
            return None
        if method in SQL_METHODS and (found := self._statement(call, scope, order)) is not None:
            return found
        if method in ("commit", "flush") and not any(arg.keyword is None for arg in call.args):
            if method == "flush":
                return (WriteKind.FLUSH, None, call_label(call)) if self.is_session(receiver, scope, order) else None
            if (self.is_session(receiver, scope, order) or self.is_connection(receiver, scope, order)
                    or qualified_name(receiver, scope, order) == "django.db.transaction"):
                return WriteKind.COMMIT, None, call_label(call)
            return None
        if method in SESSION_WRITES and self.is_session(receiver, scope, order):
            return self._session_write(method, call, scope, order)
        if method in INSTANCE_WRITES:
            model = self.instance_model(receiver, scope, order)
            if model is None and isinstance(receiver, cst.Name):
                model = self._comprehension_model(receiver, call, site.statement, scope, order)
            if model is not None:
                return INSTANCE_WRITES[method], Entity(model, "model"), call_label(call)
            if self._hook_object(receiver, scope, order):
                return INSTANCE_WRITES[method], None, call_label(call)
        chain = self._followed_chain(receiver, scope, order)
        if method in QUERYSET_WRITES:
            queried = self._queryset_model(chain, scope, order) or self._query_model(chain, scope, order)
            if queried is not None:
                return QUERYSET_WRITES[method], queried[0], call_label(call)
        related = _chain(receiver)
        if (method in QUERYSET_WRITES or method in M2M_WRITES) and self._is_relation(related, method, scope, order):
            if method in QUERYSET_WRITES:
                return QUERYSET_WRITES[method], None, call_label(call)
            # `article.tags.add(tag)` changes the relation, which is part of the article:
            # every cached view of the article (its tags among them) is stale.
            owner = self.instance_model(related.root, scope, order)
            return WriteKind.UPDATE, Entity(owner, "model") if owner else None, call_label(call)
        model = self.model_class(chain.root, scope, order)
        if model is None:
            return None
        methods = chain.methods
        if not methods and method in MODEL_CLASS_WRITES:
            return MODEL_CLASS_WRITES[method], Entity(model, "model"), call_label(call)
        if method == "execute" and methods and methods[0] in _PEEWEE_QUERIES:
            return _PEEWEE_QUERIES[methods[0]], Entity(model, "model"), call_label(call)
        if method in ("update", "delete") and methods and site.awaited:  # Tortoise: await M.filter(...).delete()
            return QUERYSET_WRITES[method], Entity(model, "model"), call_label(call)
        return None

    # ------------------------------------------------------------ which rows

    def row_named(self, call: cst.Call, scope: Scope, order: int) -> cst.Name | None:
        """The variable whose row a write changes, when it names one: `child` for
        `child.save()`, and for `Page.objects.filter(pk=child.pk).update(...)` (a filter on
        the primary key, `pk` or `id`, given the object or its key)."""
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        if func.attr.value in INSTANCE_WRITES and isinstance(func.value, cst.Name):
            return func.value
        for link in _chain(func.value).links:
            for argument in link.call.args if link.call is not None else ():
                if argument.keyword is not None and argument.keyword.value in _PRIMARY_KEYS:
                    value = argument.value
                    if isinstance(value, cst.Attribute) and value.attr.value in _PRIMARY_KEYS:
                        value = value.value
                    return value if isinstance(value, cst.Name) else None
        return None

    def related_rows(self, name: cst.Name, scope: Scope, order: int, model: str, of: cst.Name) -> bool:
        """Whether `name` is a loop variable over rows of `model` that a query selects by
        their relation to another row of `model`, `of`'s, through a field that is not
        their key: `version` in `for version in Document.objects.filter(root_document_id=
        doc.pk)`, or `child` in `for child in Page.objects.filter(parent=page)` with `page` a
        `Page`. The field names the model (`root_document`), or `of` is known to be one of
        its rows. A row is not its own root, parent or previous version: such rows are
        other rows than `of`'s."""
        binding = self.bound(name, scope, order)
        if binding is None or binding.kind != "for" or binding.expression is None:
            return False
        iterable, scope, order = binding.expression, binding.scope, binding.order
        if self.element_model(iterable, scope, order) != model:
            return False
        wanted = {of.value, f"{of.value}.pk", f"{of.value}.id"}
        entity = Entity(model, "model")
        for link in _chain(iterable).links:
            if link.name != "filter" or link.call is None:
                continue
            for argument in link.call.args:
                field = argument.keyword.value.split("__", 1)[0] if argument.keyword is not None else None
                if field is None or field in _PRIMARY_KEYS or dotted(argument.value) not in wanted:
                    continue
                if not entity.names.isdisjoint(canonical(word) for word in words(field)) or \
                        self.instance_model(of, scope, order) == model:
                    return True
        return False

    def _is_relation(self, chain: _Chain, method: str, scope: Scope, order: int) -> bool:
        """A related manager of a model instance: `cart.items.all().delete()`,
        `order.lines.create(...)`, `article.tags.add(tag)`; the related model is not known."""
        links = chain.links
        if not links or links[0].call is not None or links[0].name.startswith("_"):
            return False
        if method in M2M_WRITES and len(links) != 1:
            return False
        if any(link.name not in _QUERYSET_STEPS for link in links[1:]):
            return False
        return self.instance_model(chain.root, scope, order) is not None

    def _followed_chain(self, expr: cst.BaseExpression, scope: Scope, order: int, depth: int = 0) -> _Chain:
        """`_chain`, continued through a variable at its root: `qs.delete()` after `qs = M.objects.filter()`."""
        found = _chain(expr)
        root = found.root
        if isinstance(root, cst.Name) and not _is_class_name(root.value) and depth < MAX_DEPTH:
            value = self.value(root, scope, order)
            if value is not None and isinstance(value[0], (cst.Call, cst.Attribute, cst.Await, cst.Subscript)):
                inner = self._followed_chain(*value, depth + 1)
                return _Chain(inner.root, inner.links + found.links)
        return found

    def _statement(self, call: cst.Call, scope: Scope, order: int) -> tuple[WriteKind, Entity | None, str] | None:
        """A write for `execute(statement)`: SQL text, or a SQLAlchemy DML construct."""
        argument = next((arg.value for arg in call.args if arg.keyword is None and not arg.star), None)
        if argument is None:
            argument = next((arg.value for arg in call.args if arg.keyword and arg.keyword.value in _SQL_KEYWORDS), None)
        if argument is None:
            return None
        sql = self.sql.text(argument, scope)
        if sql is not None:
            parsed = parse_sql_write(sql)
            if parsed is None:
                return None
            entity = Entity(parsed.table, "table") if parsed.table else None
            verb = _VERB_LABELS.get(parsed.verb, parsed.verb.upper())
            kind = WriteKind.SAVE if parsed.updates_existing else _VERB_KINDS[parsed.verb]
            return kind, entity, f"{verb} {parsed.table}" if parsed.table else f"{verb} …"
        return self._dml(argument, scope, order, call)

    def _dml(self, expr: cst.BaseExpression, scope: Scope, order: int, call: cst.Call, depth: int = 0):
        """`update(M).where(...)`, `M.__table__.delete()`, `table.insert()`, or a variable holding one."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, cst.Name):
            value = self.value(expr, scope, order)
            return self._dml(*value, call, depth + 1) if value is not None else None
        if not isinstance(expr, cst.Call):
            return None
        first = expr
        while isinstance(first.func, cst.Attribute) and isinstance(first.func.value, cst.Call):
            first = first.func.value  # the first call of a chain: `update(M)` in `update(M).where(...)`
        func = first.func
        qualified = qualified_name(func, scope, order) or ""
        name = qualified.rsplit(".", 1)[-1]
        if qualified.startswith(_SA_MODULES) and name in _SA_STATEMENTS and first.args:
            kind, target = _SA_STATEMENTS[name], first.args[0].value
        elif isinstance(func, cst.Attribute) and func.attr.value in _SA_STATEMENTS and (
                _is_dunder_table(func.value) or self._is_table(func.value, scope, order)):
            kind, target = _SA_STATEMENTS[func.attr.value], func.value
        else:
            return None
        return kind, self._table_entity(target, scope, order), " ".join(self.source.code(first).split())

    def _is_table(self, expr: cst.BaseExpression, scope: Scope, order: int) -> bool:
        value = self.value(expr, scope, order)
        return value is not None and isinstance(value[0], cst.Call) and (
            (dotted(value[0].func) or "").rsplit(".", 1)[-1] == "Table")

    def _table_entity(self, target: cst.BaseExpression, scope: Scope, order: int) -> Entity | None:
        if _is_dunder_table(target):
            target = target.value
        value = self.value(target, scope, order)
        if value is not None and isinstance(value[0], cst.Call) and self._is_table(target, scope, order):
            first = value[0].args[0].value if value[0].args else None
            name = string_text(first) if first is not None else None
            return Entity(name, "table") if name and PLACEHOLDER not in name else None
        model = self._model_name(target, scope, order)
        return Entity(model, "model") if model else None

    def _session_write(self, method: str, call: cst.Call, scope: Scope, order: int):
        first = call.args[0].value if call.args and not call.args[0].star else None
        if first is None or string_text(first) is not None:
            return None  # `session.delete(url)`: an HTTP session after all
        if method.endswith("_mappings"):
            model = self._model_name(first, scope, order)
        elif method in ("add_all", "bulk_save_objects"):
            model = None
            if isinstance(first, (cst.List, cst.Tuple)) and first.elements:
                model = self.instance_model(first.elements[0].value, scope, order)
        else:
            model = self.instance_model(first, scope, order)
        return SESSION_WRITES[method], Entity(model, "model") if model else None, call_label(call)

    def _query_model(self, chain: _Chain, scope: Scope, order: int) -> tuple[Entity | None] | None:
        """SQLAlchemy's legacy `session.query(M)....update()` and Flask-SQLAlchemy's `M.query....delete()`."""
        for link in chain.links:
            if link.name != "query":
                continue
            if self.is_session(link.receiver, scope, order):
                query = link.call
                model = self._model_name(query.args[0].value, scope, order) if query and query.args else None
                return (Entity(model, "model") if model else None,)
            model = self.model_class(link.receiver, scope, order)
            if model is None and _is_class_name(dotted(link.receiver) or ""):
                model = dotted(link.receiver)
            if model:
                return (Entity(model, "model"),)
        return None


def _is_dunder_table(expr: cst.BaseExpression) -> TypeGuard[cst.Attribute]:
    return isinstance(expr, cst.Attribute) and expr.attr.value == "__table__"


def _unquoted(annotation: cst.BaseExpression) -> cst.BaseExpression:
    """`"Order"` as an annotation: the name inside the string."""
    text = string_text(annotation)
    if text is not None and text.isidentifier():
        return cst.Name(text)
    return annotation
