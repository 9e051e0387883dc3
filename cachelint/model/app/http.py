"""HTTP responses: which values are taken from a response's body, and whether anything
looked at the response's status between the request and the point where the value is used.

    resp = requests.get(url, timeout=5)          # a request (requests, httpx, aiohttp)
    rates = resp.json().get("rates")             # taken from the body
    cache.set("fx:rates", rates, 3600)           # `unchecked_body(rates)`: nothing looked at
                                                 #   the status on the way
A look at the status is `raise_for_status()`, `.ok`, `.status_code`, `.status`,
`.is_success`/`is_error`, a truth test of the response (`if resp:` is `resp.ok` in
requests), or the response passed to any call (a helper that may check it); an aiohttp
session or request made with `raise_for_status=True` checks for itself. Requests made
by functions of the module are followed into them: a helper that checks before it
returns the body gives a checked body. A field taken by subscript (`resp.json()["x"]`)
is not a body here: an error body without the field raises before it can be used.

`failure_fallback(name, ...)` finds the other way an error reaches a cache: a variable
that an `except` branch sets to a value standing for the failure (`None`, `{}`, an
error dict) after a `try` that does I/O, and that is then used after the `try`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from cachelint.model.core.branches import exits
from cachelint.model.core.nodes import children, strip_await
from cachelint.model.core.scopes import Scope, qualified_name
from cachelint.model.core.values import MAYBE, find_argument, string_value
from cachelint.model.spec import Arg

if TYPE_CHECKING:
    from cachelint.model.core.module import SourceModule

_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream"})
_REQUEST_MODULES = ("requests", "httpx")
_SESSIONS = frozenset({
    "requests.Session", "requests.session", "requests.sessions.Session", "httpx.Client", "httpx.AsyncClient",
    "aiohttp.ClientSession",
})
_STATUS_ATTRIBUTES = frozenset({
    "raise_for_status", "ok", "status_code", "status", "is_success", "is_error", "is_client_error",
    "is_server_error", "reason",
})
_BODY_ATTRIBUTES = frozenset({"text", "content"})  # requests/httpx properties
_BODY_METHODS = frozenset({"json", "text", "read", "content"})  # `resp.json()`, aiohttp's `await resp.text()`
_RAISES = Arg(None, "raise_for_status")
_DEPTH = 6
# Exceptions that say a thing was not found, not that fetching it failed: their fallback is an answer.
_NOT_FOUND = ("KeyError", "IndexError", "LookupError", "DoesNotExist", "ObjectDoesNotExist", "NotFound",
              "Http404", "AttributeError", "StopIteration", "FileNotFoundError")
_ERROR_WORDS = ("error", "errors", "detail", "message", "status")


@dataclass(frozen=True)
class Body:
    """A value taken from a response's body with no look at its status on the way."""

    request: cst.Call  # the request call
    taken: str  # how the value is taken: `.json()`, `.text`, `.json().get(…)`, "the response"


@dataclass(frozen=True)
class Fallback:
    """A failure value an `except` branch gives a variable."""

    value: cst.BaseExpression
    handler: cst.ExceptHandler


class Responses:
    def __init__(self, source: SourceModule, does_io: Callable[[cst.FunctionDef], bool]) -> None:
        self.source = source
        self.does_io = does_io
        self._tries: dict[cst.CSTNode, list[cst.Try]] = {}

    # ------------------------------------------------------------------ bodies

    def unchecked_body(self, expr: cst.BaseExpression, scope: Scope, order: int) -> Body | None:
        """The unchecked response body `expr` holds at `order`, or None."""
        return self._body(expr, scope, order, order, 0)

    def _body(self, expr: cst.BaseExpression, scope: Scope, order: int, until: int, depth: int) -> Body | None:
        """`until`: where the value is used; a look at the status before it counts."""
        if depth > _DEPTH:
            return None
        expr = strip_await(expr)
        if isinstance(expr, cst.Name):
            value = self._assigned(expr, scope, order)
            return self._body(value[0], scope, value[1], until, depth + 1) if value else None
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
            return self._body(expr.left, scope, order, until, depth + 1)  # `resp.json() or {}`
        if isinstance(expr, cst.Attribute) and expr.attr.value in _BODY_ATTRIBUTES:
            return self._of_response(expr.value, f".{expr.attr.value}", scope, order, until, depth)
        if not isinstance(expr, cst.Call):
            return None
        func = expr.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in _BODY_METHODS and not expr.args:
                return self._of_response(func.value, f".{method}()", scope, order, until, depth)
            if method == "get":  # `.json().get("x")`: None on an error body
                body = self._body(func.value, scope, order, until, depth + 1)
                return Body(body.request, f"{body.taken}.get(…)") if body else None
        if qualified_name(func, scope, order) == "json.loads" and expr.args:
            return self._body(expr.args[0].value, scope, order, until, depth + 1)
        function = self._callee(func, scope, order)
        if function is not None:
            return self._returned(function, depth, self._body)
        response = self._response(expr, scope, order, until, depth + 1)
        return Body(response, "the response") if response is not None else None

    def _of_response(self, expr: cst.BaseExpression, taken: str, scope: Scope, order: int, until: int,
                     depth: int) -> Body | None:
        request = self._response(expr, scope, order, until, depth + 1)
        return Body(request, taken) if request is not None else None

    def _response(self, expr: cst.BaseExpression, scope: Scope, order: int, until: int, depth: int) -> cst.Call | None:
        """The request whose response `expr` is, when nothing looked at its status before `order`."""
        if depth > _DEPTH:
            return None
        expr = strip_await(expr)
        if isinstance(expr, cst.Name):
            value = self._assigned(expr, scope, order)
            if value is None or self._status_seen(expr.value, scope, value[1], until):
                return None
            return self._response(value[0], scope, value[1], until, depth + 1)
        if not isinstance(expr, cst.Call):
            return None
        if self._is_request(expr, scope, order):
            return expr
        function = self._callee(expr.func, scope, order)
        if function is not None:
            found = self._returned(function, depth, self._response)
            return found.request if found is not None else None
        return None

    def _returned(self, function: cst.FunctionDef, depth: int, follow):
        info = self.source.functions.get(function)
        if info is None:
            return None
        for statement in info.returns:
            if statement.value is not None:
                at = self.source.spans.start(statement)
                found = follow(statement.value, info.scope, at, at, depth + 1)
                if found is not None:
                    return found if isinstance(found, Body) else Body(found, "the response")
        return None

    def _is_request(self, call: cst.Call, scope: Scope, order: int) -> bool:
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _VERBS:
            return False
        if _passes_true(call, _RAISES):
            return False  # aiohttp checks for itself
        qualified = qualified_name(func, scope, order)
        if qualified is not None and qualified.rsplit(".", 1)[0] in _REQUEST_MODULES:
            return True
        session = self._session(func.value, scope, order)
        return session is not None and not _passes_true(session, _RAISES)

    def _session(self, expr: cst.BaseExpression, scope: Scope, order: int) -> cst.Call | None:
        """The call that made the session or client `expr` is (`requests.Session()`)."""
        if isinstance(expr, cst.Call):
            return expr if qualified_name(expr.func, scope, order) in _SESSIONS else None
        if isinstance(expr, cst.Name):
            bindings = scope.lookup(expr.value, order)
            if len(bindings) == 1 and bindings[0].kind in ("assign", "with") and isinstance(bindings[0].value, cst.Call):
                return self._session(bindings[0].value, bindings[0].scope, bindings[0].order)
            return None
        function = scope.function
        if (isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and function is not None
                and function.owner is not None and expr.value.value == function.self_name):
            assigned = function.owner.attributes.get(expr.attr.value, ())
            if len(assigned) == 1 and isinstance(assigned[0].value, cst.Call):
                return self._session(assigned[0].value, assigned[0].scope, assigned[0].order)
        return None

    def _assigned(self, name: cst.Name, scope: Scope, order: int) -> tuple[cst.BaseExpression, int] | None:
        bindings = scope.lookup(name.value, order)
        if len(bindings) != 1 or bindings[0].kind not in ("assign", "with") or bindings[0].scope is not scope:
            return None
        value = bindings[0].value
        return (value, bindings[0].order) if isinstance(value, cst.BaseExpression) else None

    def _status_seen(self, name: str, scope: Scope, start: int, end: int) -> bool:
        """Whether the function looks at the response `name` between `start` and `end`."""
        function = scope.function_def
        node = function.body if function is not None else self.source.module
        for use in _response_uses(node, name):
            offset = self.source.spans.start(use)
            if start <= offset <= end:
                return True
        return False

    def _callee(self, func: cst.BaseExpression, scope: Scope, order: int) -> cst.FunctionDef | None:
        return self.source.call_resolver.function_called(func, scope, order)

    # ------------------------------------------------------------------ except fallbacks

    def failure_fallback(self, name: cst.Name, scope: Scope, order: int) -> Fallback | None:
        """A failure value an `except` branch of a `try` that fetches something gives `name`,
        which may still hold it at `order` (after that `try`)."""
        function = scope.function_def
        if function is None:
            return None
        for binding in scope.bindings.get(name.value, ()):
            value = binding.assigned
            if value is None or binding.order >= order or not _is_failure(value):
                continue
            for statement in self._tries_of(function):
                for handler in statement.handlers:
                    span = self.source.spans[handler]
                    inside = span.start <= binding.order <= span.start + span.length
                    after = self.source.spans.start(statement) + self.source.spans[statement].length <= order
                    if inside and after and not exits(handler.body) and _handles_failure(handler) and (
                            self._fetches(statement.body, scope)):
                        return Fallback(value, handler)
        return None

    def _tries_of(self, function: cst.FunctionDef) -> list[cst.Try]:
        found = self._tries.get(function)
        if found is None:
            found = []
            stack: list[cst.CSTNode] = [function.body]
            while stack:
                node = stack.pop()
                if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                    continue
                if isinstance(node, cst.Try):
                    found.append(node)
                stack.extend(children(node))
            self._tries[function] = found
        return found

    def _fetches(self, block: cst.CSTNode, scope: Scope) -> bool:
        """The block makes a request, or calls a function of the module that does I/O."""
        stack = [block]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Call):
                order = self.source.spans.start(node)
                if self._is_request(node, scope, order):
                    return True
                function = self._callee(node.func, scope, order)
                if function is not None and self.does_io(function):
                    return True
            stack.extend(children(node))
        return False


def _response_uses(body: cst.CSTNode, name: str):
    """The places `name` is looked at as a response: a status attribute, a truth test
    (`if resp:`), or passed to a call."""
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            continue
        if isinstance(node, cst.Attribute) and _is_name(node.value, name) and node.attr.value in _STATUS_ATTRIBUTES or isinstance(node, cst.Call) and any(_is_name(arg.value, name) for arg in node.args) or isinstance(node, (cst.If, cst.While, cst.Assert)) and _is_name(_unnegated(node.test), name):
            yield node
        stack.extend(children(node))


def _unnegated(expr: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
        expr = expr.expression
    return expr


def _is_name(expr: cst.BaseExpression, name: str) -> bool:
    return isinstance(expr, cst.Name) and expr.value == name


def _passes_true(call: cst.Call, arg: Arg) -> bool:
    value = find_argument(call, arg)
    return value is MAYBE or (isinstance(value, cst.Name) and value.value == "True")


def _is_failure(value: object) -> bool:
    """`None`, an empty container, or a dict that reports an error (`{"error": ...}`)."""
    if isinstance(value, cst.Name):
        return value.value == "None"
    if isinstance(value, (cst.List, cst.Tuple, cst.Dict, cst.Set)) and not value.elements:
        return True
    if isinstance(value, cst.Dict):
        return any(isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString)
                   and string_value(element.key).lower() in _ERROR_WORDS for element in value.elements)
    return False


def _handles_failure(handler: cst.ExceptHandler) -> bool:
    """A handler of failures to fetch: not of "not found" answers (`KeyError`, `DoesNotExist`)."""
    kind = handler.type
    if kind is None:
        return True
    names = [element.value for element in kind.elements] if isinstance(kind, cst.Tuple) else [kind]
    for name in names:
        text = name.attr.value if isinstance(name, cst.Attribute) else name.value if isinstance(name, cst.Name) else ""
        if text.endswith(_NOT_FOUND):
            return False
    return True
