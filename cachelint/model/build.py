"""Build the model of one module: its cache operations, cache decorators and truth tests."""
from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field

import libcst as cst

from cachelint.diagnostic import Location
from cachelint.model.cache.clients import CUSTOM_LIBRARY, ClientResolver, CustomClients
from cachelint.model.core.branches import Branches
from cachelint.model.core.calls import CallResolver
from cachelint.model.core.collect import Collector, Site
from cachelint.model.app.db import DbFacts
from cachelint.model.cache.fills import CacheFills, dict_caches_never_falsy
from cachelint.model.cache.facts import CacheDecorator, CacheOp, Client, Ttl
from cachelint.model.core.facts import FunctionInfo, TruthTest
from cachelint.model.app.io import function_does_io, holds_io_result
from cachelint.model.cache.keys import KeyShape, KeyShapes, named_keys
from cachelint.model.libraries import LIBRARIES
from cachelint.model.libraries.memoizers import DICT_CACHE
from cachelint.model.core.modules import package_of
from cachelint.model.core.positions import SpannedModule
from cachelint.model.core.reaching import ReachingDefinitions
from cachelint.model.core.scopes import Binding, Scope, dotted, qualified_name
from cachelint.model.spec import Arg, BackendExpiry, ClientKind, Decorator, Kind, Library, Meaning
from cachelint.model.app.taint import Taint, TaintAnalysis
from cachelint.model.app.users import Users
from cachelint.model.cache.ttl import ttl_meaning, value_meaning
from cachelint.model.core.values import MAYBE, NONE, evaluate_number, find_argument
from cachelint.model.app.views import Views

_DECORATORS: dict[str, tuple[Library, Decorator]] = {
    name: (library, spec) for library in LIBRARIES for name, spec in library.decorators.items()
}
_RAW_COMMAND = "execute_command"
_METHOD_DECORATOR = "django.utils.decorators.method_decorator"
_SUBSCRIPT_METHODS = ("__getitem__", "__setitem__", "__delitem__")
# Class attributes that list decorators for a class-based view (Flask, Flask-RESTful).
DECORATOR_LISTS = frozenset({"decorators", "method_decorators"})


@dataclass(eq=False)
class ModuleModel:
    """Everything the rules know about one module."""

    path: str
    source: bytes
    module: cst.Module
    ops: list[CacheOp]
    decorators: list[CacheDecorator]
    truth_tests: list[TruthTest]
    functions: dict[cst.FunctionDef, FunctionInfo]
    for_loops: dict[cst.BaseExpression, cst.For]
    resolver: ClientResolver
    spans: object  # node -> Span (byte offset and length)
    module_scope: Scope | None = None
    reaching: ReachingDefinitions | None = None  # which assignments of a name a use may see
    call_resolver: CallResolver = field(default_factory=CallResolver)  # which function a call runs
    calls: list[Site] = field(default_factory=list)  # every call, in source order
    withs: list[Site] = field(default_factory=list)  # every `with` statement
    # The file's row for each row of `source`, when that holds only some of the file's
    # statements (cachelint.sparse); None when it is the whole file.
    rows: tuple[int, ...] | None = None
    _line_starts: list[int] = field(default_factory=list)
    _functions_by_name: dict[str, FunctionInfo] = field(default_factory=dict)
    _ops_by_node: dict[cst.CSTNode, CacheOp] = field(default_factory=dict)
    _keys: KeyShapes | None = None
    _views: Views | None = None
    _users: Users | None = None
    _db: DbFacts | None = None
    _branches: Branches | None = None
    _fills: CacheFills | None = None
    _taints: dict[frozenset[str], TaintAnalysis] = field(default_factory=dict)
    _code: dict[cst.CSTNode, str] = field(default_factory=dict)  # code(): rules ask for the same nodes again

    # ------------------------------------------------------------------ positions

    def location(self, offset: int) -> Location:
        """The 1-based row and character column of a byte offset."""
        if not self._line_starts:
            self._line_starts = [0, *itertools.accumulate(len(line) + 1 for line in self.source.split(b"\n")[:-1])]
        row = bisect.bisect_right(self._line_starts, offset)
        line_start = self._line_starts[row - 1]
        column = len(self.source[line_start:offset].decode("utf-8", "replace")) + 1
        return Location(self._file_row(row), column)

    def _file_row(self, row: int) -> int:
        if self.rows is None:
            return row
        if row <= len(self.rows):
            return self.rows[row - 1]
        return self.rows[-1] + row - len(self.rows)  # the end of the last line

    def range(self, node: cst.CSTNode) -> tuple[Location, Location]:
        span = self.spans[node]
        return self.location(span.start), self.location(span.start + span.length)

    def statement_rows(self, statement: cst.CSTNode) -> tuple[int, int]:
        """The rows of a statement, or of a compound statement's header (decorators included)."""
        if statement is self.module:
            return (0, 0)
        start, end = self.range(statement)
        if getattr(statement, "decorators", None):  # a def or class span starts at `def`/`class`
            start = self.range(statement.decorators[0])[0]
        if isinstance(statement, (cst.Try, cst.Match)):
            return (start.row, start.row)
        header_end = _header_end(statement)
        if header_end is not None:
            end = self.range(header_end)[1]
        return (start.row, end.row)

    def code(self, node: cst.CSTNode) -> str:
        text = self._code.get(node)
        if text is None:
            text = self._code[node] = self.module.code_for_node(node)
        return text

    # ------------------------------------------------------------------ queries for rules

    def client_of(self, expr: cst.BaseExpression, scope: Scope, order: int) -> Client | None:
        return self.resolver.client_of(expr, scope, order)

    def op_at(self, expr: cst.BaseExpression) -> CacheOp | None:
        """The cache operation `expr` is, awaited or not: `r.get(k)`, `await r.get(k)`, `CACHE[k]`."""
        while isinstance(expr, cst.Await):
            expr = expr.expression
        if not self._ops_by_node:
            self._ops_by_node = {op.node: op for op in self.ops}
        return self._ops_by_node.get(expr)

    @property
    def keys(self) -> KeyShapes:
        """What keys are made of (cachelint.model.cache.keys), resolved on demand and memoised."""
        if self._keys is None:
            self._keys = KeyShapes(self)
        return self._keys

    def key_shapes(self, op: CacheOp) -> tuple[KeyShape, ...]:
        """The possible shapes of `op`'s key (several when branches build it differently)."""
        return self.keys.of_op(op)

    @property
    def views(self) -> Views:
        """Routes, their methods and parameters (cachelint.model.app.views), found on demand."""
        if self._views is None:
            self._views = Views(self)
        return self._views

    @property
    def db(self) -> DbFacts:
        """DB writes, commits and transaction scopes (cachelint.model.app.db), found on demand."""
        if self._db is None:
            self._db = DbFacts(self)
        return self._db

    @property
    def users(self) -> Users:
        """Who code runs for and which values come from that user (cachelint.model.app.users)."""
        if self._users is None:
            self._users = Users(self)
        return self._users

    def tainted(self, expr: cst.BaseExpression, scope: Scope, sanitisers: frozenset[str] = frozenset()) -> Taint | None:
        """The request input `expr` carries (cachelint.model.app.taint), or None; `sanitisers` are
        qualified names of configured functions that clean their argument."""
        if sanitisers not in self._taints:
            self._taints[sanitisers] = TaintAnalysis(self, sanitisers)
        return self._taints[sanitisers].tainted(expr, scope)

    def does_io(self, function: cst.FunctionDef) -> bool:
        info = self.functions.get(function)
        if info is None:
            return False
        if not self._functions_by_name:
            self._functions_by_name = {
                f.node.name.value: f for f in self.functions.values() if f.scope.parent.kind == "module"
            }
        return function_does_io(info, self._functions_by_name)

    @property
    def branches(self) -> Branches:
        """What each side of an `if` runs and what a body reads and calls (cachelint.model.core.branches)."""
        if self._branches is None:
            self._branches = Branches(self.module, len(self.source), self.spans)
        return self._branches

    @property
    def fills(self) -> CacheFills:
        """Where the module writes a computed value to a cache (cachelint.model.cache.fills)."""
        if self._fills is None:
            self._fills = CacheFills(self.ops, self.calls, self.call_resolver, self.branches, self.key_shapes)
        return self._fills

    def dict_caches_never_falsy(self) -> frozenset[str]:
        """The dict caches (by the spelling of their receiver) whose every entry is a non-empty display."""
        return dict_caches_never_falsy(self.ops, self.code)

    def holds_io_result(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        """Whether `expr` holds what recognisable I/O returned (cachelint.model.app.io.holds_io_result)."""
        function = scope.function
        info = self.functions.get(function.node) if function is not None else None
        if info is None:
            return False
        self.does_io(info.node)  # fills the table of module functions
        return holds_io_result(expr, info, self._functions_by_name)

    def binding_of(self, name: cst.Name, scope: Scope, order: int) -> Binding | None:
        """The binding a use of `name` sees, when there is exactly one candidate."""
        bindings = scope.lookup(name.value, order)
        return bindings[0] if len(bindings) == 1 else None


def _header_end(statement: cst.CSTNode) -> cst.CSTNode | None:
    """The last node of a compound statement's header, or None for a simple statement."""
    if isinstance(statement, (cst.If, cst.While)):
        return statement.test
    if isinstance(statement, cst.For):
        return statement.iter
    if isinstance(statement, cst.With):
        return statement.items[-1]
    if isinstance(statement, cst.FunctionDef):
        return statement.returns.annotation if statement.returns else statement.name
    if isinstance(statement, cst.ClassDef):
        return statement.name
    return None


class _Builder:
    def __init__(self, collector: Collector, resolver: ClientResolver, custom: CustomClients, spans) -> None:
        self.collector = collector
        self.spans = spans
        self.resolver = resolver
        self.custom = custom

    def ops(self) -> list[CacheOp]:
        ops = [op for site in self.collector.calls if (op := self._call_op(site)) is not None]
        ops += [op for site in self.collector.subscripts if (op := self._subscript_op(site)) is not None]
        ops.sort(key=lambda op: op.order)
        return ops

    def _call_op(self, site: Site) -> CacheOp | None:
        call: cst.Call = site.node
        func = call.func
        if isinstance(func, cst.Attribute):
            client = self.resolver.client_of(func.value, site.scope, site.order)
            if client is not None and client.kind.role in ("client", "pipeline"):
                return self._method_op(client, func.attr.value, call, site)
        if not self.custom.functions:
            return None
        qualified = qualified_name(func, site.scope, site.order)
        spec = self.custom.functions.get(qualified) if qualified else None
        if spec is not None:
            return self._op(Client(CUSTOM_LIBRARY, ClientKind()), qualified, spec, call, call, site)
        return None

    def _method_op(self, client: Client, method: str, call: cst.Call, site: Site) -> CacheOp | None:
        library = client.library
        if method == _RAW_COMMAND and library.followup_expiry and call.args:
            command = call.args[0].value  # redis-py splits `"KEYS *"` into the command and its arguments
            if isinstance(command, cst.SimpleString) and command.evaluated_value.upper().split()[:1] == ["KEYS"]:
                return CacheOp(client, "KEYS", library.methods["keys"], call, call, site.scope,
                               site.statement, site.order)
            return None
        spec = library.methods.get(method)
        if spec is None:
            return None
        return self._op(client, method, spec, call, call, site)

    def _op(self, client, method, spec, node, call, site: Site, key=None, value=None) -> CacheOp:
        if call is not None:
            key = _argument(call, spec.key)
            value = _argument(call, spec.value)
        op = CacheOp(client, method, spec, node, call, site.scope, site.statement, site.order, key, value)
        if spec.kind in (Kind.WRITE, Kind.EXPIRE, Kind.CONFIGURE, Kind.READ) and (spec.ttl or spec.kind == Kind.WRITE):
            semantics = spec.semantics or client.library.semantics_for(client.variant)
            meaning, argument = ttl_meaning(call, spec.ttl, semantics, site.scope, site.order, client.constructor_ttl)
            if not spec.creates_key and argument is None:
                meaning = Meaning.DEFAULT  # only changes an entry that already has its TTL
            op.ttl = _ttl(meaning, argument, call, spec.ttl)
        if spec.backend_expiry is not None and call is not None:
            op.backend_ttl = _backend_ttl(call, spec.backend_expiry, site.scope, site.order)
        return op

    def _subscript_op(self, site: Site) -> CacheOp | None:
        subscript: cst.Subscript = site.node
        client = self.resolver.client_of(subscript.value, site.scope, site.order)
        if client is None:
            return None
        method = _SUBSCRIPT_METHODS[2 if site.delete else 1 if site.store else 0]
        spec = client.library.methods.get(method)
        if spec is None or len(subscript.slice) != 1 or not isinstance(subscript.slice[0].slice, cst.Index):
            return None
        key = subscript.slice[0].slice.value
        value = self.collector.store_values.get(subscript)
        op = self._op(client, method, spec, subscript, None, site, key=key, value=value)
        return op

    def decorators(self) -> list[CacheDecorator]:
        found = []
        decorated = [(function, info.scope.parent) for function, info in self.collector.functions.items()]
        for node, scope in decorated + list(self.collector.classes.items()):
            for decorator in node.decorators:
                order = self.spans[decorator].start
                for expr in _applied(decorator.decorator, node, scope, order):
                    cache_decorator = self._decorator(decorator, decorator.decorator, expr, node, scope, order, node)
                    if cache_decorator is not None:
                        found.append(cache_decorator)
        return found + self._listed_in_classes() + self._applied_by_calls()

    def _listed_in_classes(self) -> list[CacheDecorator]:
        """Decorators a class-based view lists for its view function (Flask `View.decorators`,
        Flask-RESTful `Resource.method_decorators`): `decorators = [cache.cached(timeout=60)]`."""
        found = []
        for node, scope in self.collector.classes.items():
            for statement in node.body.body:
                assign = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
                if not (isinstance(assign, cst.Assign) and isinstance(assign.value, (cst.List, cst.Tuple))
                        and any(isinstance(t.target, cst.Name) and t.target.value in DECORATOR_LISTS
                                for t in assign.targets)):
                    continue
                for element in assign.value.elements:
                    expr = element.value
                    order = self.spans[expr].start
                    cache_decorator = self._decorator(expr, expr, expr, node, scope, order, statement)
                    if cache_decorator is not None:
                        found.append(cache_decorator)
        return found

    def _applied_by_calls(self) -> list[CacheDecorator]:
        """Decorators applied by a call instead of `@`: `cache_page(0)(views.live)` in a
        urls.py, `cached_list = cache_page(300)(product_list)`."""
        found = []
        held = {name for name, bindings in self.collector.module_scope.bindings.items()
                if len(bindings) == 1 and bindings[0].kind == "assign" and isinstance(bindings[0].value, cst.Call)}
        for site in self.collector.calls:
            call: cst.Call = site.node
            func = call.func
            applies = isinstance(func, cst.Call) or (isinstance(func, cst.Name) and func.value in held)
            target = _only_argument(call) if applies else None
            if target is None:
                continue
            function, inner = _wrapped(target, site.scope, site.order)
            cache_decorator = self._decorator(call, call.func, call.func, function, site.scope, site.order,
                                              site.statement, inner)
            if cache_decorator is not None:
                found.append(cache_decorator)
        if found:
            outer = self._outer_calls()
            for cache_decorator in found:
                node = cache_decorator.node
                while node in outer and len(cache_decorator.applied_with) < 16:
                    node = outer[node]
                    cache_decorator.applied_with += (node.func,)
        return found

    def _outer_calls(self) -> dict[cst.Call, cst.Call]:
        """The call each call is the one argument of: in `vary_on_cookie(cache_page(60)(view))`,
        the `vary_on_cookie(...)` around `cache_page(60)(view)`."""
        outer = {}
        for site in self.collector.calls:
            argument = _only_argument(site.node)
            if isinstance(argument, cst.Call):
                outer[argument] = site.node
        return outer

    def _decorator(self, node: cst.Decorator | cst.BaseExpression, written: cst.BaseExpression,
                   expr: cst.BaseExpression, function: cst.FunctionDef | cst.ClassDef | None, scope: Scope,
                   order: int, statement: cst.CSTNode, applied_with: tuple[cst.BaseExpression, ...] = ()):
        """`expr`, if it is a cache decorator: `written` is how the source applies it (a
        `method_decorator(...)` around it), `node` where findings point."""
        where, at = scope, order  # where the decorator's call is written: a held one's binding
        held = _held_call(expr, scope, order)
        if held is not None:
            expr, where, at = held
        call = expr if isinstance(expr, cst.Call) else None
        target = call.func if call is not None else expr
        library = spec = None
        qualified = qualified_name(target, where, at)
        if qualified in _DECORATORS:
            library, spec = _DECORATORS[qualified]
        elif isinstance(target, cst.Attribute):
            client = self.resolver.client_of(target.value, where, at)
            if client is not None:
                library, spec = client.library, client.library.method_decorators.get(target.attr.value)
        if spec is None and call is not None:
            client = self.resolver.client_of(target, where, at)
            if client is not None and client.library.call_decorator is not None:
                library, spec = client.library, client.library.call_decorator
        if spec is None:
            return None
        semantics = spec.semantics or library.semantics_for(self._backend_variant(spec, call, where, at))
        meaning, argument = ttl_meaning(call, spec.ttl, semantics, where, at)
        return CacheDecorator(
            library, spec, node, written, function, scope, call,
            _ttl(meaning, argument, call, spec.ttl), statement,
            unbounded=_unbounded(spec, call, where, at),
            storage=self._storage(spec, call, where, at),
            applied_with=applied_with,
        )

    def _backend_variant(self, spec: Decorator, call: cst.Call | None, scope: Scope, order: int) -> str | None:
        """The variant of the client a decorator makes for itself (aiocache `cache=Cache.REDIS`,
        `alias="x"`), or None when it makes none or the analysis cannot tell which."""
        backend = spec.backend
        if backend is None:
            return None
        if call is not None and backend.alias is not None and find_argument(call, backend.alias) is not None:
            return backend.configured  # passed, or maybe passed through **kwargs
        given = find_argument(call, backend.argument) if call is not None else None
        if given is None:
            return backend.omitted
        return None if given is MAYBE else self.resolver.variant_of_class(given, scope, order)

    def _storage(self, spec: Decorator, call: cst.Call | None, scope: Scope, order: int) -> Client | None:
        if spec.cache is None or call is None:
            return None
        cache = find_argument(call, spec.cache)
        if cache is None or cache is MAYBE:
            return None
        if isinstance(cache, cst.Lambda):  # cachedmethod(lambda self: self._cache)
            body, params = cache.body, cache.params.params
            if (scope.kind == "class" and params and isinstance(body, cst.Attribute)
                    and isinstance(body.value, cst.Name) and body.value.value == params[0].name.value):
                return self.resolver.client_of_member(scope, body.attr.value)
            cache = body
        if isinstance(cache, cst.Dict) or (
            isinstance(cache, cst.Call) and isinstance(cache.func, cst.Name) and cache.func.value == "dict"
        ):
            return Client(DICT_CACHE, ClientKind())
        return self.resolver.client_of(cache, scope, order)


def _applied(expr: cst.BaseExpression, decorated: cst.CSTNode, scope: Scope, order: int) -> list[cst.BaseExpression]:
    """The decorators `@expr` applies: itself, or those Django's `method_decorator(...)` wraps."""
    if isinstance(expr, cst.Call) and expr.args and qualified_name(expr.func, scope, order) == _METHOD_DECORATOR:
        wrapped = expr.args[0].value  # method_decorator(cache_page(60), name="dispatch"), or a list of them
        return [element.value for element in wrapped.elements] if isinstance(wrapped, (cst.List, cst.Tuple)) else [wrapped]
    return [] if isinstance(decorated, cst.ClassDef) else [expr]


def _held_call(expr: cst.BaseExpression, scope: Scope, order: int) -> tuple[cst.Call, Scope, int] | None:
    """The call a module-level name was bound to once, and where: `cache_page(86400)` for
    `@cache_for_day` after `cache_for_day = cache_page(86400)`."""
    if not isinstance(expr, cst.Name):
        return None
    bindings = scope.lookup(expr.value, order)
    if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].scope.kind != "module":
        return None
    binding = bindings[0]
    return (binding.value, binding.scope, binding.order) if isinstance(binding.value, cst.Call) else None


def _only_argument(call: cst.Call) -> cst.BaseExpression | None:
    """The argument of a call that passes one positional argument (applies a decorator)."""
    if len(call.args) != 1 or call.args[0].star or call.args[0].keyword is not None:
        return None
    return call.args[0].value


def _wrapped(target: cst.BaseExpression, scope: Scope, order: int) -> tuple[
        cst.FunctionDef | cst.ClassDef | None, tuple[cst.BaseExpression, ...]]:
    """What a call form decorates, when this module defines it, and the decorators applied
    in between: `view` and `vary_on_cookie` in `cache_page(60)(vary_on_cookie(view))`; the
    class of `TapView.as_view()`."""
    inner: list[cst.BaseExpression] = []
    wanted = cst.FunctionDef
    while isinstance(target, cst.Call) and len(inner) < 8:
        if isinstance(target.func, cst.Attribute) and target.func.attr.value == "as_view":
            target, wanted = target.func.value, cst.ClassDef
            break
        argument = _only_argument(target)
        if argument is None:
            return None, tuple(inner)
        inner.append(target.func)
        target = argument
    if not isinstance(target, cst.Name):
        return None, tuple(inner)
    bindings = scope.lookup(target.value, order)
    defined = bindings[0].value if len(bindings) == 1 and bindings[0].kind == "def" else None
    return (defined if isinstance(defined, wanted) else None), tuple(inner)


def _unbounded(spec: Decorator, call: cst.Call | None, scope: Scope, order: int) -> bool:
    if spec.unbounded:
        return True
    if spec.maxsize is None or call is None:
        return False
    maxsize = find_argument(call, spec.maxsize)
    return maxsize is not None and maxsize is not MAYBE and evaluate_number(maxsize, scope, order) is NONE


def _argument(call: cst.Call, arg) -> cst.BaseExpression | None:
    if arg is None:
        return None
    found = find_argument(call, arg)
    return None if found is MAYBE else found


def _constant_name(argument: cst.BaseExpression | None) -> str | None:
    """`NO_EXPIRY`, `self.timeout`: the name a TTL's value is read from."""
    if isinstance(argument, cst.Attribute) and isinstance(argument.value, cst.Name):
        return dotted(argument)
    return argument.value if isinstance(argument, cst.Name) and argument.value != "None" else None


def _ttl(meaning: Meaning, argument: cst.BaseExpression | None, call: cst.Call | None, params: tuple[Arg, ...]) -> Ttl:
    if argument is None:
        parameter = params[0].name if params else None
    else:
        parameter = next(p.name for p in params if find_argument(call, p) is argument)
    return Ttl(meaning, argument, _constant_name(argument), parameter)


def _backend_ttl(call: cst.Call, spec: BackendExpiry, scope: Scope, order: int) -> Ttl | None:
    """The TTL a literal `arguments={...}` gives a backend that takes its own expiry argument."""
    backend = find_argument(call, spec.backend)
    if not isinstance(backend, cst.SimpleString):
        return None
    parameter = spec.expiry_argument.get(backend.evaluated_value)
    if parameter is None:
        return None
    arguments = find_argument(call, spec.arguments)
    if arguments is None:
        return Ttl(spec.semantics.omitted, parameter=parameter)
    if not isinstance(arguments, cst.Dict):
        return Ttl(Meaning.UNKNOWN, parameter=parameter)
    for element in arguments.elements:
        if not isinstance(element, cst.DictElement):  # **other: may carry it
            return Ttl(Meaning.UNKNOWN, parameter=parameter)
        if isinstance(element.key, cst.SimpleString) and element.key.evaluated_value == parameter:
            meaning = value_meaning(element.value, spec.semantics, scope, order)
            return Ttl(meaning, element.value, _constant_name(element.value), parameter)
    return Ttl(spec.semantics.omitted, parameter=parameter)


def _mark_followed_expiries(ops: list[CacheOp], code, spans) -> None:
    """A write whose key gets its TTL elsewhere in the same function has a TTL after all:
    an expire on that key follows, or an earlier write gave the key a TTL this write keeps
    (`set(k, 0, nx=True, ex=60)` then `incr(k)`). A write of several keys (`mset({...})`)
    needs that for each of them."""
    keyed: dict[Scope | None, list[CacheOp]] = {}
    for op in ops:
        if op.kind in (Kind.WRITE, Kind.EXPIRE) and op.library.followup_expiry and named_keys(op):
            keyed.setdefault(op.scope.function, []).append(op)
    for function_ops in keyed.values():
        writes = [op for op in function_ops if op.kind is Kind.WRITE]
        if not writes:
            continue
        # In a chain `pipe.hset(k).expire(k)` both calls start together; the outer one runs later.
        runs = {op: (op.order, spans[op.node].length) for op in function_ops}
        keys = {op: [_key_spelling(op, key, code) for key in named_keys(op)] for op in function_ops}
        by_key: dict[str, list[CacheOp]] = {}
        for op in function_ops:
            for spelling in keys[op]:
                by_key.setdefault(spelling, []).append(op)
        for op in writes:
            op.expiry_follows = all(
                any(_gives_ttl(other, op, runs[other] > runs[op]) for other in by_key[spelling] if other is not op)
                for spelling in keys[op]
            )


def _key_spelling(op: CacheOp, key: cst.BaseExpression, code) -> str:
    """The source of a key of `op`, a local variable read through to what it was assigned: after
    `key = f"cart:{uid}"`, `r.hset(key, ...)` and `r.expire(f"cart:{uid}", 60)` name one key."""
    if isinstance(key, cst.Name):
        bindings = op.scope.lookup(key.value, op.order)
        if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].scope is op.scope and (
                isinstance(bindings[0].value, cst.BaseExpression)):
            return code(bindings[0].value)
    return code(key)


def _gives_ttl(other: CacheOp, write: CacheOp, other_runs_later: bool) -> bool:
    if other_runs_later:
        return other.kind is Kind.EXPIRE
    given = other.kind is Kind.WRITE and other.ttl.meaning in (Meaning.EXPIRES, Meaning.UNKNOWN)
    return given and write.spec.keeps_ttl


def build_model(path: str, source: bytes, module: cst.Module, custom: CustomClients | None = None,
                rows: tuple[int, ...] | None = None) -> ModuleModel:
    custom = custom.seen_from(package_of(path)) if custom and (custom.objects or custom.functions) else CustomClients()
    spanned = SpannedModule(module)
    spans = spanned.spans
    collector = Collector(module)
    spanned.visit(collector)
    resolver = ClientResolver(custom)
    builder = _Builder(collector, resolver, custom, spans)
    ops = builder.ops()
    model = ModuleModel(
        path=path, source=source, module=module, ops=ops, decorators=builder.decorators(),
        truth_tests=collector.truth_tests, functions=collector.functions,
        for_loops=collector.for_loops, resolver=resolver,
        spans=spans, module_scope=collector.module_scope, reaching=ReachingDefinitions(spans),
        calls=collector.calls, withs=collector.withs, rows=rows,
    )
    _mark_followed_expiries(ops, model.code, spans)
    return model
