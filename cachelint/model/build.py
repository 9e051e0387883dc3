"""Build the model of one module: the walk's facts (core), its cache operations and
decorators (cache), and the analyses rules ask for, each given what it uses and built on
first use (DESIGN.md, step 4)."""
from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from cachelint.model.app.db import DbFacts
from cachelint.model.app.http import Responses
from cachelint.model.app.io import function_does_io, holds_io_result
from cachelint.model.app.taint import Taint, TaintAnalysis
from cachelint.model.app.users import Users
from cachelint.model.app.views import Views
from cachelint.model.cache.backends import ConfiguredBackend, configured_backends
from cachelint.model.cache.clients import ClientResolver
from cachelint.model.cache.custom import CustomClients
from cachelint.model.cache.decorators import find_decorators
from cachelint.model.cache.facts import CacheDecorator, CacheOp, Client
from cachelint.model.cache.fills import CacheFills, dict_caches_never_falsy
from cachelint.model.cache.guards import Guards
from cachelint.model.cache.key_match import KeyMatch, Match, match_keys
from cachelint.model.cache.keys import KeyShape, KeyShapes
from cachelint.model.cache.operations import decorated_function_ops, find_operations
from cachelint.model.core.branches import Branches
from cachelint.model.core.calls import CallResolver
from cachelint.model.core.collect import Collector
from cachelint.model.core.facts import FunctionInfo
from cachelint.model.core.falsy import Falsiness, Falsy
from cachelint.model.core.module import SourceModule
from cachelint.model.core.modules import module_name, package_of
from cachelint.model.core.positions import SpannedModule
from cachelint.model.core.scopes import Scope


@dataclass(eq=False, kw_only=True)
class ModuleModel(SourceModule):
    """Everything the rules know about one module: the source module's facts, its cache
    operations and decorators, and the analyses over them."""

    ops: list[CacheOp] = field(default_factory=list)
    decorators: list[CacheDecorator] = field(default_factory=list)
    resolver: ClientResolver
    _functions_by_name: dict[str, FunctionInfo] = field(default_factory=dict, init=False)
    _ops_by_node: dict[cst.CSTNode, CacheOp] = field(default_factory=dict, init=False)
    _keys: KeyShapes | None = field(default=None, init=False)
    _views: Views | None = field(default=None, init=False)
    _users: Users | None = field(default=None, init=False)
    _db: DbFacts | None = field(default=None, init=False)
    _branches: Branches | None = field(default=None, init=False)
    _fills: CacheFills | None = field(default=None, init=False)
    _falsiness: Falsiness | None = field(default=None, init=False)
    _guards: Guards | None = field(default=None, init=False)
    _responses: Responses | None = field(default=None, init=False)
    _taints: dict[frozenset[str], TaintAnalysis] = field(default_factory=dict, init=False)
    _backends: list[ConfiguredBackend] | None = field(default=None, init=False)

    # ------------------------------------------------------------------ cache facts

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
            self._keys = KeyShapes(self, self.op_at, self.ops)
        return self._keys

    def key_shapes(self, op: CacheOp) -> tuple[KeyShape, ...]:
        """The possible shapes of `op`'s key (several when branches build it differently)."""
        return self.keys.of_op(op)

    @property
    def guards(self) -> Guards:
        """Which cache reads decide which writes (cachelint.model.cache.guards), on demand."""
        if self._guards is None:
            self._guards = Guards(self, self.ops, self.branches, self.op_at)
        return self._guards

    def key_match(self, a: CacheOp, b: CacheOp) -> KeyMatch:
        """Whether `a` and `b` name the same key (cachelint.model.cache.key_match)."""
        if a.key is None or b.key is None:
            return KeyMatch(Match.UNKNOWN)
        return match_keys(self.key_shapes(a), self.key_shapes(b), self.code)

    @property
    def responses(self) -> Responses:
        """HTTP response bodies and their status checks (cachelint.model.app.http), on demand."""
        if self._responses is None:
            self._responses = Responses(self, self.does_io)
        return self._responses

    @property
    def fills(self) -> CacheFills:
        """Where the module writes a computed value to a cache (cachelint.model.cache.fills)."""
        if self._fills is None:
            self._fills = CacheFills(self.ops, self.calls, self.call_resolver, self.branches, self.key_shapes)
        return self._fills

    def falsy(self, expr: cst.BaseExpression, scope: Scope,
              known: frozenset[cst.CSTNode] = frozenset()) -> frozenset[Falsy] | None:
        """The kinds of falsy value `expr` can have (empty: never falsy), or None when unknown
        (cachelint.model.core.falsy); `known` are expressions whose value adds nothing."""
        if self._falsiness is None:
            self._falsiness = Falsiness(self.reaching, self.spans, self.call_resolver)
        return self._falsiness.falsy(expr, scope, known=known)

    @property
    def backends(self) -> list[ConfiguredBackend]:
        """The cache backends the module's settings configure (cachelint.model.cache.backends)."""
        if self._backends is None:
            self._backends = configured_backends(self.module, self.source, self.module_scope, self.calls)
        return self._backends

    def dict_caches_never_falsy(self) -> frozenset[str]:
        """The dict caches (by the spelling of their receiver) whose every entry is a non-empty display."""
        return dict_caches_never_falsy(self.ops, self.code)

    # ------------------------------------------------------------------ control flow

    @property
    def branches(self) -> Branches:
        """What each side of an `if` runs and what a body reads and calls (cachelint.model.core.branches)."""
        if self._branches is None:
            self._branches = Branches(self.module, len(self.source), self.spans)
        return self._branches

    # ------------------------------------------------------------------ the application

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
            self._db = DbFacts(self, self.client_of, self.op_at)
        return self._db

    @property
    def users(self) -> Users:
        """Who code runs for and which values come from that user (cachelint.model.app.users)."""
        if self._users is None:
            self._users = Users(self, self.views)
        return self._users

    def tainted(self, expr: cst.BaseExpression, scope: Scope, sanitisers: frozenset[str] = frozenset()) -> Taint | None:
        """The request input `expr` carries (cachelint.model.app.taint), or None; `sanitisers` are
        qualified names of configured functions that clean their argument."""
        if sanitisers not in self._taints:
            self._taints[sanitisers] = TaintAnalysis(self, self.views, sanitisers)
        return self._taints[sanitisers].tainted(expr, scope)

    def does_io(self, function: cst.FunctionDef) -> bool:
        info = self.functions.get(function)
        if info is None:
            return False
        if not self._functions_by_name:
            self._functions_by_name = {
                f.node.name.value: f for f in self.functions.values() if f.scope.enclosing.kind == "module"
            }
        return function_does_io(info, self._functions_by_name)

    def holds_io_result(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        """Whether `expr` holds what recognisable I/O returned (cachelint.model.app.io.holds_io_result)."""
        function = scope.function_def
        info = self.functions.get(function) if function is not None else None
        if info is None:
            return False
        self.does_io(info.node)  # fills the table of module functions
        return holds_io_result(expr, info, self._functions_by_name)


def build_model(path: str, source: bytes, module: cst.Module, custom: CustomClients | None = None,
                rows: tuple[int, ...] | None = None, column_shift: dict[int, int] | None = None) -> ModuleModel:
    custom = custom.seen_from(package_of(path), module_name(path)) if custom else CustomClients()
    spanned = SpannedModule(module)
    spans = spanned.spans
    collector = Collector(module)
    spanned.visit(collector)
    resolver = ClientResolver(custom, CallResolver(collector.functions, spans))
    model = ModuleModel(
        path=path, source=source, module=module, spans=spans, module_scope=collector.module_scope,
        every_scope=collector.every_scope,
        functions=collector.functions, truth_tests=collector.truth_tests, for_loops=collector.for_loops,
        calls=collector.calls, withs=collector.withs, rows=rows, column_shift=column_shift or {}, resolver=resolver,
    )
    model.ops = find_operations(collector, resolver, custom, spans, model.code)
    model.decorators = find_decorators(collector, resolver, spans, model.ops)
    decorated = decorated_function_ops(collector, resolver, custom, model.decorators)
    if decorated:
        model.ops = sorted([*model.ops, *decorated], key=lambda op: op.order)
    return model
