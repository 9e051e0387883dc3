"""DB writes, commit points and transaction scopes of one module (CLIENTS.md §D).

`model.db` is found on demand from the calls and `with` statements the collector saw:

- `writes`: every `DbWrite` a call makes, in source order: what it does (INSERT, UPDATE,
  DELETE, SAVE, or a COMMIT/FLUSH point), the entity it changes (cachelint.model.app.entities:
  a table parsed from the SQL, or a model class) when known, and a label for messages.
- `writes_in(function)`: the writes of the code of one function, and its calls of the
  module's own functions and methods that write, two calls deep
  (`self.create_metrics(...)`), each `through` the write it leads to.
- `transactions`: every `Transaction`, a `with` block or a decorated function whose DB
  work commits at its end, with the writes lexically inside it, and whether it makes a
  call that looks like a write on a receiver of unknown type (`form.save()`).
- `transactions_around(node, scope)`: the transactions a call is lexically inside, not
  counting a callable run after the commit (`transaction.on_commit(lambda: ...)`).

Which calls write is cachelint.model.app.db_writes (and .sql for SQL text):

- SQL text whose statement (after whitespace, comments and `WITH ... AS (...)`) is
  INSERT/UPDATE/DELETE/REPLACE/MERGE/UPSERT/TRUNCATE, passed to `execute`, `executemany`,
  `execute_sql`, `exec_driver_sql` or asyncpg's `fetch*` on any receiver that is not a
  cache (DB-API cursors and connections, sqlite3, psycopg, asyncpg, peewee), directly,
  through a variable or constant, or wrapped in `text(...)`/`sql.SQL(...)`.
- SQLAlchemy/SQLModel: `execute(update(M)/insert(M)/delete(M))` (also chained `.where()`/
  `.values()`, `M.__table__.update()`, a `Table(...)`), `session.add/add_all/delete/merge/
  bulk_*`, `session.query(M)...update()/delete()`, Flask-SQLAlchemy `M.query...delete()`.
- Django: `M.objects....update/delete/create/bulk_create/bulk_update/get_or_create/
  update_or_create` (and their `a`-prefixed coroutines), `self....update()` in a manager
  or queryset class, and `save()/delete()` on an instance of a model the module can see:
  bound from `M(...)`, `M.objects....get(...)`, `get_object_or_404(M, ...)`, Flask-SQLAlchemy's
  `M.query....first_or_404()`/`get_or_404(...)`, a loop over a
  queryset, a parameter annotated `M`, `self` and `super()` in a model's own methods; of a
  model it does not name, the object a framework hook is handed (DRF `perform_destroy(self,
  instance)`, `serializer` in `perform_update`, the admin's `save_model`) and a view's
  `self.get_object()`.
- peewee: `M.update/insert/delete/replace(...)....execute()`, `M.create`, `bulk_*`,
  `get_or_create`, `obj.save()/delete_instance()`; Tortoise: `await M.create/...`,
  `await M.filter(...).update()/delete()`.
- Commit points, which are writes of unknown entity (RULES.md): `commit()` on a
  connection or session, Django `transaction.commit()`, `session.flush()`.

Precision comes first: a `.save()` on a receiver not known to be a model instance, a
`.commit()` on something not known to be a connection or session (a git repository),
`session.delete(url)` on an HTTP session, are not writes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from cachelint.model.app.db_writes import WriteFinder, WriteKind, call_label
from cachelint.model.app.entities import Entity
from cachelint.model.app.sql import string_text
from cachelint.model.app.write_kind import WRITE_METHODS
from cachelint.model.cache.facts import ClientOf, OpAt
from cachelint.model.core.calls import Callee, argument_for
from cachelint.model.core.collect import Site
from cachelint.model.core.module import SourceModule
from cachelint.model.core.nodes import names_in
from cachelint.model.core.scopes import Scope, dotted, qualified_name

__all__ = ["DbFacts", "DbWrite", "Transaction", "WriteKind"]


@dataclass(eq=False)
class DbWrite:
    node: cst.Call
    kind: WriteKind
    entity: Entity | None  # None: not known
    label: str  # how a message names it: `UPDATE products`, `Order.objects.filter(…).update(…)`
    scope: Scope
    statement: cst.CSTNode
    order: int
    # For a call of a function or method of the module that writes: the write it makes.
    through: DbWrite | None = None

    @property
    def is_commit_point(self) -> bool:
        return self.kind in (WriteKind.COMMIT, WriteKind.FLUSH)


@dataclass(eq=False)
class Transaction:
    node: cst.CSTNode  # the `with` statement, or the decorator
    label: str  # `with transaction.atomic()`, `@transaction.atomic`
    body: cst.CSTNode  # the code that runs inside: the with's body, the decorated function's
    function: Scope | None  # the function that code belongs to; None at module level
    django: bool  # Django's atomic, which offers `transaction.on_commit`
    writes: list[DbWrite] = field(default_factory=list)
    # A call inside that looks like a write on a receiver of unknown type (`form.save()`,
    # `self.get_object().delete()`), or that runs a function of the project imported from
    # another module (`transfer(...)` after `from .services import transfer`): in a
    # transaction block, most likely the DB work it was opened for.
    may_write: bool = False


# ---------------------------------------------------------------------- transactions

_ATOMIC = {  # functions whose call is a transaction scope, as a block or a decorator
    "django.db.transaction.atomic": True,  # True: Django's, which offers `transaction.on_commit`
    "tortoise.transactions.atomic": False,
    "tortoise.transactions.in_transaction": False,
}
_CONNECT = frozenset({"sqlite3.connect", "psycopg.connect", "psycopg2.connect"})  # `with connect(...)` commits
_DEFERRALS = frozenset({"on_commit", "after_commit"})  # run what they are given after the commit
_LISTEN = frozenset({"sqlalchemy.event.listen", "sqlalchemy.event.listens_for"})
_LISTEN_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in _LISTEN)
# Methods that write when called on a model, manager, form or serializer, and rarely mean
# anything else inside a transaction (unlike `update`, `add` or `set`, which dicts and sets have).
_UNTYPED_WRITES = frozenset({
    "save", "asave", "delete", "adelete", "create", "acreate", "bulk_create", "bulk_update",
    "get_or_create", "update_or_create", "delete_instance",
})


class _Transactions:
    """Finds the transaction scopes and the after-commit callables of one module."""

    def __init__(self, recogniser: WriteFinder) -> None:
        self.recogniser = recogniser
        self.source = recogniser.source

    def of_with(self, site: Site) -> Transaction | None:
        node: cst.With = site.node
        for item in node.items:
            found = self._scope(item.item, site.scope, site.order)
            if found is not None:
                keyword = "async with" if node.asynchronous else "with"
                label = f"{keyword} {call_label(item.item) if isinstance(item.item, cst.Call) else self.source.code(item.item)}"
                return Transaction(node, label, node.body, site.scope.function, django=found)
        return None

    def _scope(self, expr: cst.BaseExpression, scope: Scope, order: int) -> bool | None:
        """For a `with` item that opens a transaction: whether it is Django's; else None."""
        recogniser = self.recogniser
        if isinstance(expr, (cst.Name, cst.Attribute)):
            value = recogniser.value(expr, scope, order)  # `with conn:` after `conn = sqlite3.connect(...)`
            if value is not None and isinstance(value[0], cst.Call):
                return False if self._connects(value[0], value[1], value[2]) else None
            return None
        if not isinstance(expr, cst.Call):
            return None
        func = expr.func
        qualified = qualified_name(func, scope, order)
        if qualified in _ATOMIC:
            return _ATOMIC[qualified]
        if self._connects(expr, scope, order):
            return False
        if not isinstance(func, cst.Attribute) or self.recogniser.client_of(func.value, scope, order) is not None:
            return None
        method, receiver = func.attr.value, func.value
        if method == "atomic":  # Django's `transaction.atomic`, peewee's `db.atomic()`
            return qualified_name(receiver, scope, order) == "django.db.transaction"
        if method == "transaction":  # asyncpg, psycopg, peewee
            return False
        if method in ("begin", "begin_nested") and (
            recogniser.is_session(receiver, scope, order) or recogniser.is_connection(receiver, scope, order)
            or (dotted(receiver) or "").lower().endswith("engine")
        ):
            return False
        return None

    def _connects(self, call: cst.Call, scope: Scope, order: int, depth: int = 0) -> bool:
        """`sqlite3.connect(...)`, or a call of a module function that returns what it gives
        (`def get_db(): conn = sqlite3.connect(...); ...; return conn`)."""
        if qualified_name(call.func, scope, order) in _CONNECT:
            return True
        binding = self.recogniser.bound(call.func, scope, order) if isinstance(call.func, cst.Name) else None
        defined = binding.definition if binding is not None and depth <= 1 else None
        info = self.source.functions.get(defined) if isinstance(defined, cst.FunctionDef) else None
        if info is None:
            return False
        for returned in info.returns:
            value, where, at = returned.value, info.scope, self.source.spans.start(returned)
            if isinstance(value, cst.Name):
                value, where, at = self.recogniser.value(value, where, at) or (None, where, at)
            if isinstance(value, cst.Call) and self._connects(value, where, at, depth + 1):
                return True
        return False

    def of_function(self, function: cst.FunctionDef, scope: Scope) -> Transaction | None:
        """A function decorated `@transaction.atomic`, `@transaction.atomic()`, `@db.atomic()`, `@atomic()`."""
        defined_in = scope.enclosing
        for decorator in function.decorators:
            expr = decorator.decorator
            target = expr.func if isinstance(expr, cst.Call) else expr
            order = self.source.spans.start(decorator)
            qualified = qualified_name(target, defined_in, order)
            if qualified in _ATOMIC:
                django = _ATOMIC[qualified]
            elif isinstance(target, cst.Attribute) and target.attr.value == "atomic" and (
                    self.recogniser.client_of(target.value, defined_in, order) is None):
                django = False
            else:
                continue
            label = "@" + (call_label(expr) if isinstance(expr, cst.Call) else self.source.code(expr))
            return Transaction(decorator, label, function.body, scope, django=django)
        return None

    def deferred(self, site: Site) -> list[cst.Lambda]:
        """The lambdas a call defers until after the commit: `transaction.on_commit(lambda: ...)`,
        `event.listen(session, "after_commit", lambda session: ...)`."""
        call: cst.Call = site.node
        func = call.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
        # A method call is `listen` only by that name (a plain name may be an alias of it).
        may_listen = not isinstance(func, cst.Attribute) or name in _LISTEN_NAMES
        deferring = name in _DEFERRALS or (
            may_listen and qualified_name(func, site.scope, site.order) in _LISTEN
            and any(string_text(arg.value) == "after_commit" for arg in call.args)
        )
        return [arg.value for arg in call.args if isinstance(arg.value, cst.Lambda)] if deferring else []


# ---------------------------------------------------------------------- the facts


def _runs_project_function(site: Site) -> bool:
    """`transfer(...)` or `ledger.transfer(...)` after a relative import (`from .services import
    transfer`, `from . import ledger`): a function of the project whose code is elsewhere."""
    func = site.node.func
    name = func.value.value if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) else (
        func.value if isinstance(func, cst.Name) else None)
    called = func.attr.value if isinstance(func, cst.Attribute) else name
    if name is None or called is None or not name[:1].islower() or not called[:1].islower():
        return False  # `Product.objects...`, `Order(...)`: a model, not a function
    bindings = site.scope.lookup(name, site.order)
    return len(bindings) == 1 and bindings[0].kind == "import" and str(bindings[0].value).startswith(".")


_CALLER_DEPTH = 2  # calls followed up from a function to the transaction its callers open


class DbFacts:
    """The DB writes and transaction scopes of one module; see the module docstring. Each
    part is found when first asked for: most modules open no transaction, and a rule that
    asks about one function's writes needs only that function's calls followed."""

    def __init__(self, source: SourceModule, client_of: ClientOf, op_at: OpAt) -> None:
        self.spans = source.spans
        self._source = source
        self._client_of = client_of
        self._op_at = op_at
        self._recogniser = WriteFinder(source, client_of)
        self._finder = _Transactions(self._recogniser)
        self._deferred = _Deferred(source, self._finder)
        self._scanned: tuple[list[DbWrite], list[Site]] | None = None
        self._call_graph: _CallGraph | None = None
        self._by_function: dict[Scope | None, list[DbWrite]] = {}
        self._transactions: list[Transaction] | None = None
        self._transactions_by_function: dict[Scope | None, list[Transaction]] = {}
        self._callers: dict[cst.FunctionDef, list[Site]] | None = None
        # For a function and a model: the parameter whose rows its writes of the model change.
        self._rows_parameters: dict[tuple[cst.FunctionDef, str], str | None] = {}

    @property
    def writes(self) -> list[DbWrite]:
        """Every write a call of the module makes, in source order."""
        return self._scan()[0]

    def _scan(self) -> tuple[list[DbWrite], list[Site]]:
        """The module's writes, and its calls that look like writes on receivers of unknown type."""
        if self._scanned is None:
            writes: list[DbWrite] = []
            untyped: list[Site] = []
            for site in self._source.calls:
                func = site.node.func
                if not (isinstance(func, cst.Attribute) and func.attr.value in WRITE_METHODS):
                    continue
                found = self._recogniser.write(site)
                if found is not None and not self.is_deferred(site.node):
                    kind, entity, label = found
                    writes.append(DbWrite(site.node, kind, entity, label, site.scope, site.statement, site.order))
                elif found is None and func.attr.value in _UNTYPED_WRITES and (
                        self._client_of(func.value, site.scope, site.order) is None):
                    untyped.append(site)
            writes.sort(key=lambda w: w.order)
            self._scanned = (writes, untyped)
        return self._scanned

    @property
    def transactions(self) -> list[Transaction]:
        """Every transaction of the module, with the writes inside it and whether it may write."""
        if self._transactions is None:
            source, finder = self._source, self._finder
            transactions = [t for site in source.withs if (t := finder.of_with(site)) is not None]
            transactions += [
                t for function, info in source.functions.items() if (t := finder.of_function(function, info.scope))
            ]
            self._transactions = transactions
            if not transactions:
                return transactions
            untyped = self._scan()[1]
            for transaction in transactions:
                self._transactions_by_function.setdefault(transaction.function, []).append(transaction)
                transaction.writes = [w for w in self.writes_in(transaction.function)
                                      if self._inside(w.node, w.scope, transaction)]
                transaction.may_write = any(self._inside(site.node, site.scope, transaction) for site in untyped)
            for site in source.calls:
                if _runs_project_function(site) and self._op_at(site.node) is None:
                    for transaction in self.transactions_around(site.node, site.scope):
                        transaction.may_write = True
        return self._transactions

    def entered_from(self, function: Scope | None) -> list[tuple[tuple[Site, ...], Transaction]]:
        """The transactions `function` runs inside because a caller of this module calls it
        there, up to two calls up (`with transaction.atomic(): form.save(); bust(pk)` runs
        `bust`, and what `bust` calls, inside), each with the calls that lead to it, the
        outermost first. A call deferred until the commit (`on_commit(lambda: bust(pk))`)
        is not inside, and a call that is itself a cache operation (a wrapper's) is that
        operation, judged where it is."""
        if function is None or not self.transactions:
            return []
        found: list[tuple[tuple[Site, ...], Transaction]] = []
        paths: list[tuple[Scope, tuple[Site, ...]]] = [(function, ())]
        for _ in range(_CALLER_DEPTH):
            following = []
            for callee, path in paths:
                node = callee.function_def
                for site in self._callers_of(node) if node is not None else ():
                    if any(step.scope.function is site.scope.function for step in path) or \
                            site.scope.function is function or self._op_at(site.node) is not None:
                        continue  # recursion, or a wrapper's call
                    chain = (site, *path)
                    found += [(chain, t) for t in self.transactions_around(site.node, site.scope)]
                    if site.scope.function is not None and not self.is_deferred(site.node):
                        following.append((site.scope.function, chain))
            paths = following
        return found

    def _callers_of(self, function: cst.FunctionDef) -> list[Site]:
        if self._callers is None:
            self._callers = {}
            names = {defined.name.value for defined in self._source.functions}
            resolver = self._source.call_resolver
            for site in self._source.calls:
                func = site.node.func
                called = func.value if type(func) is cst.Name else func.attr.value if type(func) is cst.Attribute \
                    else None
                if called in names:
                    callee = resolver.function_called(func, site.scope, site.order)
                    if callee is not None:
                        self._callers.setdefault(callee, []).append(site)
        return self._callers.get(function, [])

    def is_deferred(self, node: cst.CSTNode) -> bool:
        """Whether `node` is in a callable run after the commit (`on_commit(lambda: ...)`)."""
        return self._deferred(node)

    def transactions_around(self, node: cst.CSTNode, scope: Scope) -> list[Transaction]:
        """The transactions whose body `node` (evaluated in `scope`) runs in, outermost first."""
        if not self.transactions:
            return []
        candidates = self._transactions_by_function.get(scope.function, [])
        around = [t for t in candidates if self._inside(node, scope, t)]
        return sorted(around, key=lambda t: self.spans.start(t.body))

    def writes_in(self, function: Scope | None) -> list[DbWrite]:
        """The writes made by the code of one function (None: the module's own code), in
        source order: its own, and its calls of functions of the module that write (two
        calls deep, `self.create_metrics(...)`, each `through` the write it leads to)."""
        found = self._by_function.get(function)
        if found is None:
            if self._call_graph is None:
                self._call_graph = _CallGraph(self._source, self._recogniser, self.writes, self._deferred)
            found = self._by_function[function] = sorted(
                [*self._call_graph.direct.get(function, ()), *self._call_graph.writes_of(function)],
                key=lambda w: w.order)
        return found

    def changes_other_rows(self, write: DbWrite, identifier: str) -> bool:
        """Whether `write` changes only rows of its model other than the one `identifier`
        (`page.pk`, `page.id`) is the key of: rows a loop draws from a query that selects
        them by their relation to `page` through another field that names the model or
        with `page` known to be one of its rows (`for child in Page.objects.filter(
        parent_page=page): child.save()`), each changed directly or by a function of the
        module handed it, whose writes of the model all change the row of that parameter
        or, handed on in the same way, rows related to it (a walk down a tree or along
        versions)."""
        owner, _, last = identifier.rpartition(".")
        entity = write.entity
        if last not in ("pk", "id") or not owner.isidentifier() or entity is None or entity.kind != "model":
            return False
        row = self._row_of(write, entity.name, set())
        return isinstance(row, cst.Name) and self._recogniser.related_rows(
            row, write.scope, write.order, entity.name, cst.Name(owner))

    def _row_of(self, write: DbWrite, model: str, visiting: set[cst.FunctionDef]) -> cst.BaseExpression | None:
        """The variable whose row `write` changes: the one it names, or for a call of a
        function of the module, what the call hands the parameter whose rows it writes."""
        if write.through is None:
            return self._recogniser.row_named(write.node, write.scope, write.order)
        callee = self._source.call_resolver.callee(write.node.func, write.scope, write.order)
        if callee is None:
            return None
        asked = (callee.function, model)
        if visiting or asked not in self._rows_parameters:
            parameter = self._rows_parameter(callee.function, model, visiting)
            if visiting:
                return argument_for(write.node, callee, parameter) if parameter else None
            self._rows_parameters[asked] = parameter
        parameter = self._rows_parameters[asked]
        return argument_for(write.node, callee, parameter) if parameter else None

    def _rows_parameter(self, function: cst.FunctionDef, model: str, visiting: set[cst.FunctionDef]) -> str | None:
        """The parameter whose row every write of `model` in `function` changes, or rows
        related to it that a call is handed (a call of `function` itself included), or None."""
        info = self._source.functions.get(function)
        if info is None or function in visiting or len(visiting) >= _CALLER_DEPTH:
            return None
        visiting = {*visiting, function}
        resolver, recogniser = self._source.call_resolver, self._recogniser
        named: set[str] = set()  # the parameters whose rows are written
        handed: list[tuple[DbWrite, cst.BaseExpression | None]] = []  # rows handed on: must be related ones
        again: list[tuple[DbWrite, Callee]] = []  # calls of `function` itself
        for write in self.writes_in(info.scope):
            if write.is_commit_point or (write.entity is not None and write.entity.name != model):
                continue
            if write.entity is None:
                return None  # a write of a model not known may be one of `model`
            callee = resolver.callee(write.node.func, write.scope, write.order) if write.through else None
            if callee is not None and callee.function is function:
                again.append((write, callee))
                continue
            row = self._row_of(write, model, visiting)
            if not isinstance(row, cst.Name):
                return None
            if _the_parameter(row, write.scope, write.order):
                named.add(row.value)
            else:
                handed.append((write, row))
        if len(named) != 1:
            return None
        found = next(iter(named))
        handed += [(write, argument_for(write.node, callee, found)) for write, callee in again]
        if all(isinstance(row, cst.Name) and recogniser.related_rows(row, write.scope, write.order, model, cst.Name(found))
               for write, row in handed):
            return found
        return None

    def _inside(self, node: cst.CSTNode, scope: Scope, transaction: Transaction) -> bool:
        if scope.function is not transaction.function or self.is_deferred(node):
            return False
        span, body = self.spans[node], self.spans[transaction.body]
        return body.start <= span.start < body.start + body.length


def _the_parameter(name: cst.Name, scope: Scope, order: int) -> bool:
    """Whether `name` is a parameter of the function, or what it leads to when the function
    rebinds it from itself (`instance = instance.document`)."""
    for _ in range(4):
        bindings = scope.lookup(name.value, order)
        if len(bindings) != 1:
            return False
        binding = bindings[0]
        if binding.kind == "param":
            return True
        if binding.assigned is None or name.value not in names_in(binding.assigned):
            return False
        order = binding.order - 1
    return False


class _Deferred:
    """Whether a node is in a callable run after the commit (`on_commit(lambda: ...)`).
    Its own object, asked by DbFacts and its _CallGraph alike, so that the call graph
    does not refer back to the DbFacts that holds it: that cycle kept a module's tree
    alive for the cyclic collector after SourceModule.release (0.5 s per MB of module)."""

    def __init__(self, source: SourceModule, finder: _Transactions) -> None:
        self._source = source
        self._finder = finder
        self._ranges: list[tuple[int, int]] | None = None

    def __call__(self, node: cst.CSTNode) -> bool:
        spans = self._source.spans
        if self._ranges is None:
            self._ranges = sorted(
                (spans.start(node), spans.start(node) + spans[node].length)
                for site in self._source.calls for node in self._finder.deferred(site)
            )
        start = spans.start(node)
        return any(low <= start < high for low, high in self._ranges)


class _CallGraph:
    """Calls of the module's own functions and methods that write to the DB, two calls deep:
    `self.create_metrics(...)` where `create_metrics` runs `Metric.objects.create(...)`."""

    _DEPTH = 2

    def __init__(self, source: SourceModule, recogniser: WriteFinder, writes: list[DbWrite],
                 is_deferred: _Deferred) -> None:
        self.source = source
        self.recogniser = recogniser
        self.direct: dict[Scope | None, list[DbWrite]] = {}
        for write in writes:
            self.direct.setdefault(write.scope.function, []).append(write)
        self.is_deferred = is_deferred
        self._made: dict[tuple[cst.FunctionDef, int], list[DbWrite]] = {}
        # A call can only run a module function by one of their names: other calls need no lookup.
        self._function_names = {function.name.value for function in source.functions}
        self._sites: dict[Scope | None, list[Site]] | None = None  # the calls of each function

    def writes_of(self, function: Scope | None) -> list[DbWrite]:
        """The writes the calls in the code of `function` (None: the module's own code) make
        through functions of the module, in source order."""
        if self._sites is None:
            self._sites = {}
            for site in self.source.calls:
                self._sites.setdefault(site.scope.function, []).append(site)
        found = []
        for site in self._sites.get(function, ()):
            for made in self._made_by_call(site.node, site.scope, site.order, self._DEPTH):
                if not self.is_deferred(site.node):
                    found.append(DbWrite(site.node, made.kind, made.entity, call_label(site.node), site.scope,
                                         site.statement, site.order, through=made))
        return found

    def _made_by_call(self, call: cst.Call, scope: Scope, order: int, depth: int) -> list[DbWrite]:
        """The writes a call of a module function makes, one per kind and entity."""
        callee = self._callee(call.func, scope, order)
        if callee is None or depth == 0:
            return []
        if (callee, depth) not in self._made:
            self._made[callee, depth] = []  # a recursive call makes nothing more
            self._made[callee, depth] = self._made_by(callee, depth)
        return self._made[callee, depth]

    def _made_by(self, callee: cst.FunctionDef, depth: int) -> list[DbWrite]:
        info = self.source.functions[callee]
        made = list(self.direct.get(info.scope, []))
        for site_call in info.calls:
            made += self._made_by_call(site_call, info.scope, self.source.spans.start(site_call), depth - 1)
        distinct: dict[tuple, DbWrite] = {}
        for write in made:
            distinct.setdefault((write.kind, write.entity), write.through or write)
        return list(distinct.values())

    def _callee(self, func: cst.BaseExpression, scope: Scope, order: int) -> cst.FunctionDef | None:
        """The function a call runs: `helper(...)`, `self.method(...)`, `cls.method(...)`."""
        called = func.value if type(func) is cst.Name else func.attr.value if type(func) is cst.Attribute else None
        if called not in self._function_names:
            return None
        return self.source.call_resolver.function_called(func, scope, order)
