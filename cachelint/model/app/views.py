"""Web-framework facts about a module's functions: which are routes, for which HTTP methods,
which of their parameters the client fills, and whether a view reads the query string.

Routes are read from decorators: Flask/Quart `@app.route(rule, methods=[...])`,
`@bp.get(rule)`… and Flask-AppBuilder `@expose(rule, methods=...)`; FastAPI
`@app.get(path)`, `@router.api_route(path, methods=[...])`. The object a route decorator
hangs off is resolved through its binding (`app = Flask(__name__)`,
`router = APIRouter()`); when it is imported, the module's own web-framework imports
decide. `MethodView.post` and friends are routes for their method. CLIENTS.md §C.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

import libcst as cst

from cachelint.model.core.module import SourceModule
from cachelint.model.core.scopes import Scope, qualified_name
from cachelint.model.core.values import MAYBE, find_argument, string_value, text_value
from cachelint.model.spec import Arg

# What route objects are created with: the framework their decorators belong to.
_APP_FACTORIES = {
    "flask.Flask": "flask", "flask.app.Flask": "flask", "flask.Blueprint": "flask",
    "flask.blueprints.Blueprint": "flask", "quart.Quart": "flask", "quart.Blueprint": "flask",
    "flask_smorest.Blueprint": "flask", "apiflask.APIFlask": "flask", "apiflask.APIBlueprint": "flask",
    "fastapi.FastAPI": "fastapi", "fastapi.APIRouter": "fastapi", "fastapi.routing.APIRouter": "fastapi",
    "fastapi.applications.FastAPI": "fastapi",
    "aiohttp.web.RouteTableDef": "aiohttp", "aiohttp.web.Application": "aiohttp",
    "sanic.Sanic": "sanic", "sanic.Blueprint": "sanic",
}
# Top-level packages whose import says which framework an unresolved `@app.get(...)` is.
_FRAMEWORK_PACKAGES = {
    "flask": "flask", "quart": "flask", "flask_smorest": "flask", "apiflask": "flask",
    "fastapi": "fastapi", "aiohttp": "aiohttp", "sanic": "sanic", "starlette": "starlette",
    "django": "django", "rest_framework": "django", "tornado": "tornado", "falcon": "falcon",
}
# Route decorator methods: the HTTP method they register, or None when `methods=` says.
_ROUTE_METHODS = {
    "route": None, "api_route": None, "get": "GET", "post": "POST", "put": "PUT",
    "patch": "PATCH", "delete": "DELETE", "head": "HEAD", "options": "OPTIONS",
}
_DEFAULT_METHODS = frozenset({"GET"})
_METHOD_VIEWS = {"flask.views.MethodView", "quart.views.MethodView"}
_HTTP_METHOD_NAMES = {"get", "post", "put", "patch", "delete", "head", "options"}
_FLASK_VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_FASTAPI_VARIABLE = re.compile(r"\{(?P<name>\w+)(?::\w+)?\}")
FLASK_REQUEST = frozenset({"flask.request", "quart.request"})
_QUERY_ATTRIBUTES = frozenset({"args", "values"})  # what Flask fills from the query string
# Werkzeug converters whose values cannot carry a separator: numbers, UUIDs, `any(a, b)`.
SAFE_CONVERTERS = frozenset({"int", "float", "uuid", "any"})

# FastAPI parameter annotations whose values are validated into a non-string type.
_STRING_TYPES = frozenset({"str", "bytes"})
# Generic wrappers whose inner types decide (`Optional[str]`, `Annotated[str, Query()]`, `list[str]`).
_WRAPPERS = frozenset({"Optional", "Union", "Annotated", "List", "list", "Set", "set", "FrozenSet",
                       "frozenset", "Sequence", "Tuple", "tuple", "Iterable"})
# FastAPI parameter markers: injected values, and the kind of request input the others read.
_INJECTED = frozenset({"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends"})
_MARKERS = {"Query": "query", "Path": "path", "Header": "header", "Cookie": "cookie",
            "Body": "body", "Form": "form", "File": "file"}


@dataclass(frozen=True)
class Route:
    """One route a function is registered as."""

    framework: str  # "flask" or "fastapi"
    path: str | None  # the rule or path, when literal
    methods: frozenset[str] | None  # None: `methods=` is not a literal
    decorator: cst.Decorator | None = None  # None for a MethodView method

    @property
    def variables(self) -> dict[str, str]:
        """The path's variables and their converters (Flask; FastAPI variables map to "")."""
        if self.path is None:
            return {}
        if self.framework == "flask":
            return {m["name"]: m["converter"] or "default" for m in _FLASK_VARIABLE.finditer(self.path)}
        return {m["name"]: "" for m in _FASTAPI_VARIABLE.finditer(self.path)}


@dataclass(frozen=True)
class QueryRead:
    """`request.args` (the attribute) read in `function`: the view or a helper it calls."""

    attribute: cst.Attribute
    function: cst.FunctionDef


class Views:
    """Per-module answers about views, computed on demand and remembered."""

    def __init__(self, source: SourceModule) -> None:
        self.source = source
        self._routes: dict[cst.FunctionDef, list[Route]] = {}
        self._frameworks: set[str] | None = None
        self._reads: dict[cst.FunctionDef, QueryRead | None] = {}
        self._attributes: tuple[list[int], list[cst.Attribute]] | None = None
        self._dependency_set: set[cst.FunctionDef] | None = None

    # ------------------------------------------------------------------ routes

    def routes(self, function: cst.FunctionDef) -> list[Route]:
        if function not in self._routes:
            self._routes[function] = self._find_routes(function)
        return self._routes[function]

    def _find_routes(self, function: cst.FunctionDef) -> list[Route]:
        info = self.source.functions.get(function)
        if info is None:
            return []
        scope = info.scope.enclosing
        routes = []
        for decorator in function.decorators:
            route = self._route(decorator, scope, self.source.spans.start(decorator))
            if route is not None:
                routes.append(route)
        if not routes and function.name.value in _HTTP_METHOD_NAMES and self._in_method_view(scope):
            routes.append(Route("flask", None, frozenset({function.name.value.upper()})))
        return routes

    def _route(self, decorator: cst.Decorator, scope: Scope, order: int) -> Route | None:
        call = decorator.decorator
        if not isinstance(call, cst.Call):
            return None
        qualified = qualified_name(call.func, scope, order) or ""
        if qualified.startswith("flask_appbuilder.") and qualified.endswith(".expose"):
            methods = _methods(call, _DEFAULT_METHODS, scope, order)
            return Route("flask", _literal_string(_path_argument(call)), methods, decorator)
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _ROUTE_METHODS:
            return None
        path = _literal_string(_path_argument(call))
        framework = self._framework_of(func.value, scope, order, path)
        if framework not in ("flask", "fastapi"):
            return None
        method = _ROUTE_METHODS[func.attr.value]
        if framework == "flask" and func.attr.value == "api_route":
            return None
        methods = frozenset({method}) if method else _methods(call, _DEFAULT_METHODS, scope, order)
        return Route(framework, path, methods, decorator)

    def _framework_of(self, receiver: cst.BaseExpression, scope: Scope, order: int, path: str | None) -> str | None:
        if isinstance(receiver, cst.Name):
            for binding in scope.lookup(receiver.value, order):
                target = None
                if binding.kind == "assign" and isinstance(binding.value, cst.Call):
                    target = qualified_name(binding.value.func, binding.scope, binding.order)
                elif binding.annotation is not None:
                    target = qualified_name(binding.annotation, binding.scope, binding.order)
                if target in _APP_FACTORIES:
                    return _APP_FACTORIES[target]
        return self._framework_by_imports(path)

    def _framework_by_imports(self, path: str | None) -> str | None:
        """The one route framework the module imports, for an app object imported from elsewhere."""
        frameworks = self.frameworks & {"flask", "fastapi", "aiohttp", "sanic"}
        if len(frameworks) != 1:
            return None
        framework = next(iter(frameworks))
        if path is not None and framework == "flask" and "{" in path:
            return None
        return framework

    @property
    def frameworks(self) -> set[str]:
        """The web frameworks the module imports from."""
        if self._frameworks is None:
            module_scope = self.source.module_scope
            packages = {
                str(binding.value).split(".")[0]
                for bindings in module_scope.bindings.values() for binding in bindings if binding.kind == "import"
            }
            self._frameworks = {_FRAMEWORK_PACKAGES[p] for p in packages if p in _FRAMEWORK_PACKAGES}
        return self._frameworks

    def _in_method_view(self, scope: Scope) -> bool:
        node = scope.node
        if not isinstance(node, cst.ClassDef):
            return False
        outer = scope.enclosing
        order = self.source.spans.start(node)
        return any(
            qualified_name(base.value, outer, order) in _METHOD_VIEWS for base in node.bases
        )

    # ------------------------------------------------------------------ parameters

    def parameter_source(self, function: cst.FunctionDef, name: str) -> str | None:
        """How a client fills the parameter `name` of a route (`route parameter `slug``), or
        None when it is not request input or is converted to a number, UUID, date or enum."""
        for route in self.routes(function):
            if route.framework == "flask":
                converter = route.variables.get(name)
                if converter is not None and converter not in SAFE_CONVERTERS:
                    return f"route parameter `{name}`"
            elif route.framework == "fastapi":
                source = self._fastapi_source(function, name, route)
                if source is not None:
                    return source
        if function in self._dependencies():
            return self._fastapi_source(function, name, None)
        return None

    def dependency(self, function: cst.FunctionDef, name: str) -> cst.FunctionDef | None:
        """The function of this module whose result FastAPI passes as the parameter `name` of
        a route or dependency (`tenant: str = Depends(current_tenant)`), or None."""
        if function not in self._dependencies() and not any(r.framework == "fastapi" for r in self.routes(function)):
            return None
        param = next((p for p in _parameters(function) if p.name.value == name), None)
        return self._depends_on(function, param) if param is not None else None

    def _dependencies(self) -> set[cst.FunctionDef]:
        """The functions of this module FastAPI routes depend on, directly or through other dependencies."""
        if self._dependency_set is None:
            self._dependency_set = set()
            pending = [f for f in self.source.functions if any(r.framework == "fastapi" for r in self.routes(f))]
            while pending:
                function = pending.pop()
                for param in _parameters(function):
                    found = self._depends_on(function, param)
                    if found is not None and found not in self._dependency_set:
                        self._dependency_set.add(found)
                        pending.append(found)
        return self._dependency_set

    def _depends_on(self, function: cst.FunctionDef, param: cst.Param) -> cst.FunctionDef | None:
        scope, order = self.source.functions[function].scope.enclosing, self.source.spans.start(function)
        default = _marker(param)
        if not isinstance(default, cst.Call) or not default.args or not isinstance(default.args[0].value, cst.Name):
            return None
        if not (qualified_name(default.func, scope, order) or "").endswith((".Depends", ".Security")):
            return None
        bindings = scope.lookup(default.args[0].value.value, order)
        target = bindings[0].value if len(bindings) == 1 and bindings[0].kind == "def" else None
        return target if isinstance(target, cst.FunctionDef) and target in self.source.functions else None

    def _fastapi_source(self, function: cst.FunctionDef, name: str, route: Route | None) -> str | None:
        param = next((p for p in _parameters(function) if p.name.value == name), None)
        if param is None:
            return None
        info = self.source.functions[function]
        scope, order = info.scope.enclosing, self.source.spans.start(function)
        kind = "path" if route is not None and name in route.variables else "query"
        annotation = param.annotation.annotation if param.annotation else None
        default = _marker(param)
        if isinstance(default, cst.Call):
            marker = qualified_name(default.func, scope, order) or ""
            if marker in _INJECTED or marker.endswith((".Depends", ".Security")):
                return None
            if _has_pattern(default):
                return None  # validated against a pattern
            kind = _MARKERS.get(marker.rsplit(".", 1)[-1], kind)
        if not self._is_text(annotation, scope, order):
            return None
        return f"{kind} parameter `{name}`"

    def request_model(self, function: cst.FunctionDef, name: str) -> cst.ClassDef | None:
        """The class of this module (a pydantic model) that the FastAPI route `function`
        validates its parameter `name` into, from the body or, with `Depends()`, the query."""
        if not any(route.framework == "fastapi" for route in self.routes(function)):
            return None
        param = next((p for p in _parameters(function) if p.name.value == name), None)
        annotation = param.annotation.annotation if param is not None and param.annotation else None
        if param is None or not isinstance(annotation, cst.Name):
            return None
        scope, order = self.source.functions[function].scope.enclosing, self.source.spans.start(function)
        default = param.default
        if isinstance(default, cst.Call) and (default.args or not (
                qualified_name(default.func, scope, order) or "").endswith(".Depends")):
            return None  # `Depends(get_filter)` returns what the function does; `Body(...)` is not a model
        bindings = scope.lookup(annotation.value, order)
        target = bindings[0].value if len(bindings) == 1 and bindings[0].kind == "def" else None
        return target if isinstance(target, cst.ClassDef) else None

    def is_text_field(self, model: cst.ClassDef, field: str) -> bool:
        """Whether the field `field` of a request model holds client-chosen text."""
        for statement in model.body.body:
            for small in getattr(statement, "body", ()):
                target = small.target if isinstance(small, cst.AnnAssign) else None
                if not isinstance(target, cst.Name) or target.value != field:
                    continue
                if isinstance(small.value, cst.Call) and _has_pattern(small.value):
                    return False  # `Field(pattern="^[a-z]+$")`
                order = self.source.spans.start(small)
                return self._is_text(small.annotation.annotation, self.source.module_scope, order)
        return False

    def _is_text(self, annotation: cst.BaseExpression | None, scope: Scope, order: int) -> bool:
        """Whether a FastAPI parameter so annotated reaches the endpoint as client-chosen text."""
        if annotation is None:
            return True
        if isinstance(annotation, cst.SimpleString):
            return string_value(annotation) in _STRING_TYPES
        if isinstance(annotation, cst.BinaryOperation):  # str | None
            return self._is_text(annotation.left, scope, order) or self._is_text(annotation.right, scope, order)
        if isinstance(annotation, cst.Subscript):
            head = _head(annotation)
            if head not in _WRAPPERS:
                return False  # Literal[...], dict[...], unknown generics
            inner = [e.slice.value for e in annotation.slice if isinstance(e.slice, cst.Index)]
            if head == "Annotated":
                inner = inner[:1]
            return any(self._is_text(i, scope, order) for i in inner)
        # int, float, bool, UUID, dates, enums, `Request`, models: validated into something
        # that is not client-chosen text (a model's fields are not followed).
        return isinstance(annotation, cst.Name) and annotation.value in _STRING_TYPES

    # ------------------------------------------------------------------ the query string

    def reads_query_string(self, function: cst.FunctionDef) -> QueryRead | None:
        """The first `request.args`/`request.values` (Flask) the function or a module-level
        helper it calls reads, or None."""
        return self._query_read(function, set())

    def _query_read(self, function: cst.FunctionDef, seen: set[cst.FunctionDef]) -> QueryRead | None:
        if function in self._reads:
            return self._reads[function]
        seen.add(function)
        info = self.source.functions.get(function)
        if info is None:
            return None
        span = self.source.spans[function]
        starts, attributes = self._query_attributes()
        first, last = bisect_left(starts, span.start), bisect_left(starts, span.start + span.length)
        found = next((
            QueryRead(node, function) for start, node in zip(starts[first:last], attributes[first:last])
            if qualified_name(node.value, info.scope, start) in FLASK_REQUEST
        ), None)
        if found is None:
            for call in info.calls:
                callee = self.source.call_resolver.function_called(call.func, info.scope, self.source.spans.start(call))
                if callee is not None and callee not in seen and len(seen) < 8:
                    found = self._query_read(callee, seen)
                    if found is not None:
                        break
        self._reads[function] = found
        return found

    def _query_attributes(self) -> tuple[list[int], list[cst.Attribute]]:
        """Every `<something>.args` and `<something>.values` of the module, and their offsets."""
        if self._attributes is None:
            found = sorted(
                ((span.start, node) for node, span in self.source.spans.items()
                 if isinstance(node, cst.Attribute) and node.attr.value in _QUERY_ATTRIBUTES),
                key=lambda item: item[0],
            )
            self._attributes = ([start for start, _ in found], [node for _, node in found])
        return self._attributes

def _marker(param: cst.Param) -> cst.BaseExpression | None:
    """A FastAPI parameter's default, or the marker call in its `Annotated[...]`."""
    annotation = param.annotation.annotation if param.annotation else None
    if isinstance(annotation, cst.Subscript) and _head(annotation) == "Annotated":
        extra = [element.slice.value for element in annotation.slice[1:] if isinstance(element.slice, cst.Index)]
        return next((e for e in extra if isinstance(e, cst.Call)), param.default)
    return param.default


def _has_pattern(call: cst.Call) -> bool:
    return any(arg.keyword and arg.keyword.value in ("regex", "pattern") for arg in call.args)


def _parameters(function: cst.FunctionDef) -> list[cst.Param]:
    params = function.params
    return [*params.posonly_params, *params.params, *params.kwonly_params]


def _head(subscript: cst.Subscript) -> str | None:
    value = subscript.value
    if isinstance(value, cst.Attribute):
        return value.attr.value
    return value.value if isinstance(value, cst.Name) else None


def _path_argument(call: cst.Call) -> cst.BaseExpression | None:
    for arg in (Arg(0, "rule"), Arg(0, "path"), Arg(0, "url")):
        found = find_argument(call, arg)
        if found is not None and found is not MAYBE:
            return found
    return None


def _literal_string(expr: cst.BaseExpression | None) -> str | None:
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
        value = text_value(expr)
        return value if isinstance(value, str) else None
    return None


def _methods(call: cst.Call, default: frozenset[str], scope: Scope, order: int) -> frozenset[str] | None:
    found = find_argument(call, Arg(None, "methods"))
    if found is None:
        return default
    if isinstance(found, cst.Name):  # `methods=WRITE_METHODS`, a constant of the module
        bindings = scope.lookup(found.value, order)
        found = bindings[0].value if len(bindings) == 1 and bindings[0].kind == "assign" else None
    if found is MAYBE or not isinstance(found, (cst.List, cst.Tuple, cst.Set)):
        return None
    methods = set()
    for element in found.elements:
        value = _literal_string(element.value)
        if value is None:
            return None
        methods.add(value.upper())
    return frozenset(methods)
