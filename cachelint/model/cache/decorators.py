"""The cache decorators of a module: written with `@`, listed in a class-based view's
`decorators`, or applied by a call, each with what its TTL means.

    @cache_page(60)                               # CacheDecorator: Django `cache_page`, 60 s
    def catalog(request): ...

    class Inbox(View):
        decorators = [cache.cached(timeout=30)]   # Flask-Caching `cached`, on Inbox's view

    urlpatterns = [path("live/", cache_page(0)(views.live))]   # applied by a call

Django's `method_decorator(...)` is looked through (`unwrap_method_decorator`), and a
module-level name bound once to a decorator call (`cache_for_day = cache_page(86400)`)
stands for that call.
"""
from __future__ import annotations

from typing import TypeGuard

import libcst as cst

from cachelint.model.cache.clients import ClientResolver
from cachelint.model.cache.facts import CacheDecorator, CacheOp, Client
from cachelint.model.cache.ttl import declared_value, ttl_fact, ttl_meaning
from cachelint.model.cache.wrappers import Memoizer, memoizer
from cachelint.model.core.collect import Collector
from cachelint.model.core.positions import Spans
from cachelint.model.core.scopes import Scope, qualified_name
from cachelint.model.core.values import MAYBE, NONE, evaluate_number, find_argument
from cachelint.model.libraries import BY_NAME, LIBRARIES
from cachelint.model.libraries.memoizers import DICT_CACHE
from cachelint.model.spec import ClientKind, Decorator, Library

_DECORATORS: dict[str, tuple[Library, Decorator]] = {
    name: (library, spec) for library in LIBRARIES for name, spec in library.decorators.items()
}
METHOD_DECORATOR = "django.utils.decorators.method_decorator"
# Class attributes that list decorators for a class-based view (Flask, Flask-RESTful).
DECORATOR_LISTS = frozenset({"decorators", "method_decorators"})


def find_decorators(collector: Collector, resolver: ClientResolver, spans: Spans,
                    ops: list[CacheOp] | None = None) -> list[CacheDecorator]:
    """The cache decorators the walk `collector` saw; with the module's cache operations
    `ops`, also the project's own memoizers (cachelint.model.cache.wrappers)."""
    return _Decorators(collector, resolver, spans, ops or []).decorators()


def unwrap_method_decorator(expr: cst.BaseExpression, scope: Scope, order: int) -> list[cst.BaseExpression]:
    """The decorators `@expr` applies: those Django's `method_decorator(...)` wraps, or itself."""
    if is_method_decorator(expr, scope, order):
        wrapped = expr.args[0].value  # method_decorator(cache_page(60), name="dispatch"), or a list of them
        return [element.value for element in wrapped.elements] if isinstance(wrapped, (cst.List, cst.Tuple)) else [wrapped]
    return [expr]


def is_method_decorator(expr: cst.BaseExpression, scope: Scope, order: int) -> TypeGuard[cst.Call]:
    """`method_decorator(...)` (Django), which applies function decorators to a method or a class."""
    return isinstance(expr, cst.Call) and bool(expr.args) and qualified_name(expr.func, scope, order) == METHOD_DECORATOR


class _Decorators:
    def __init__(self, collector: Collector, resolver: ClientResolver, spans: Spans, ops: list[CacheOp]) -> None:
        self.collector = collector
        self.resolver = resolver
        self.spans = spans
        self.ops = ops
        self._memoizers: dict[cst.FunctionDef, Memoizer | None] = {}
        # Those applied by a call, found first: a memoizer of the module may apply one
        # (`cache.memoize(timeout)(f)` in the decorator it returns).
        self._by_calls: list[CacheDecorator] = []

    def _project_memoizer(self, target: cst.BaseExpression, call: cst.Call | None, scope: Scope,
                          order: int) -> tuple[Library, Decorator] | None:
        """`@memoize_redis(60)` or `@memoize` of a memoizer of this module or of another
        module of the project (`custom.decorators`), applied as it is written to be."""
        calls = self.resolver.calls
        function = calls.function_called(target, scope, order) if calls is not None else None
        if function is not None:
            if function not in self._memoizers:
                self._memoizers[function] = memoizer(self.resolver.functions[function], self.resolver.functions, self.ops,
                                                     self._by_calls)
            found = self._memoizers[function]
            if found is not None:
                return (found.client.library, found.spec) if found.factory == (call is not None) else None
        named = qualified_name(target, scope, order) or self.resolver.defined_here(target, scope, order)
        declared = self.resolver.custom.decorators.get(named or "")
        if declared is None or declared[2] != (call is not None):
            return None
        return BY_NAME[declared[0]], declared[1]

    def decorators(self) -> list[CacheDecorator]:
        self._by_calls = self._applied_by_calls()
        found = []
        decorated = [(function, info.scope.parent) for function, info in self.collector.functions.items()
                     if info.scope.parent is not None]  # a function's scope always has a parent
        for node, scope in decorated + list(self.collector.classes.items()):
            for decorator in node.decorators:
                order = self.spans.start(decorator)
                for expr in _applied(decorator.decorator, node, scope, order):
                    cache_decorator = self._decorator(decorator, decorator.decorator, expr, node, scope, order, node)
                    if cache_decorator is not None:
                        found.append(cache_decorator)
        return found + self._listed_in_classes() + self._by_calls

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
                    order = self.spans.start(expr)
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
            if client is not None and client.wrapper is None:
                library, spec = client.library, client.library.method_decorators.get(target.attr.value)
        if spec is None and call is not None:
            client = self.resolver.client_of(target, where, at)
            if client is not None and client.library.call_decorator is not None:
                library, spec = client.library, client.library.call_decorator
        if spec is None:
            library, spec = self._project_memoizer(target, call, where, at) or (None, None)
        if spec is None or library is None:  # both or neither
            return None
        semantics = spec.semantics or library.semantics_for(self._backend_variant(spec, call, where, at))
        constants = self.resolver.custom.constants
        meaning, argument = ttl_meaning(call, spec.ttl, semantics, where, at, constants=constants)
        declared = declared_value(argument, where, at, constants) if argument is not None else None
        return CacheDecorator(
            library, spec, node, written, function, scope, call,
            ttl_fact(meaning, argument, call, spec.ttl, declared), statement,
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
    """The decorators `@expr` applies to `decorated`: on a class, only those a `method_decorator` wraps."""
    if isinstance(decorated, cst.ClassDef) and not is_method_decorator(expr, scope, order):
        return []
    return unwrap_method_decorator(expr, scope, order)


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
    wanted: type[cst.FunctionDef] | type[cst.ClassDef] = cst.FunctionDef
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
