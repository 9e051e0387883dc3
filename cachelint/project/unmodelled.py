"""The calls that look like cache use (`cache_like`) in code the model never saw: a file the
prefilter dropped, the statements sparse parsing left out. Without them, the count of
calls not understood would depend on the path through the engine.

`unmodelled_calls` finds, on Python's own syntax tree, exactly the calls the model's facts
would list there (`extract._Facts.unresolved`): in such code the model knows no cache
client, so it makes no operation of any call, and every other test reads the scopes. The
scopes are the model's own (`model.core.scopes.Scope`), filled as the model's walk
(`model.core.collect.Collector`) fills them, so that a lookup here answers as it does
there; the tests compare the two on generated programs and on real modules.
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast

from cachelint.model.core.scopes import Binding, Scope, qualified_text
from cachelint.project.cache_like import (
    CACHE_METHODS,
    CONTAINER_ANNOTATIONS,
    CONTAINERS,
    looks_like_a_cache,
    only_a_store,
)
from cachelint.project.facts import UnresolvedCall
from cachelint.tree_scan import CHILD_FIELDS

_DISPLAYS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_TRY_STAR = getattr(ast, "TryStar", None)  # Python 3.11
# The nodes `_Walk` does more with than walk their children.
_OWN_VISITS = frozenset({*_FUNCTIONS, ast.ClassDef, ast.Call, ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign,
                         ast.AugAssign, ast.NamedExpr, ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.Global,
                         ast.ExceptHandler, ast.IfExp, *([_TRY_STAR] if _TRY_STAR is not None else [])})


def unmodelled_calls(tree: ast.Module, module: Callable[[], str], rows: Callable[[int], bool] | None = None,
                     ) -> list[UnresolvedCall]:
    """The calls that look like cache use and that the model, had it modelled the whole
    module `tree`, would list as not understood, as `extract._Facts.unresolved` does: in
    code the model did not see, it knows no cache client, so it made no operation of any.
    `module`: the module's dotted name (asked only when needed); `rows`: the rows of the
    calls wanted (None: all)."""
    walk = _Walk(tree)
    found = []
    for call, scope in walk.calls:
        if rows is not None and not rows(call.lineno):
            continue
        func = cast(ast.Attribute, call.func)  # `_Walk` keeps calls of attributes only
        receiver = func.value
        called = receiver.func if type(receiver) is ast.Call else receiver
        name = _dotted(called)
        if name is None:
            continue
        last = name.rsplit(".", 1)[-1]
        if not looks_like_a_cache(last):
            continue
        order = _start(call)
        if _is_container(receiver, scope, order, walk.module_scope) or (
                only_a_store(last) and _from_another_package(name, scope, order, module)):
            continue
        found.append(UnresolvedCall(call.lineno, f"{name}()" if called is not receiver else name, func.attr))
    return found


def _dotted(expr: ast.expr) -> str | None:
    parts: list[str] = []
    while type(expr) is ast.Attribute:
        parts.append(expr.attr)
        expr = expr.value
    if type(expr) is not ast.Name:
        return None
    return ".".join([expr.id, *reversed(parts)])


def _is_container(expr: ast.expr, scope: Scope, order: int, module_scope: Scope) -> bool:
    """`extract._Facts.is_container`."""
    if type(expr) is ast.Name:
        bindings = scope.lookup(expr.id, order)
    elif type(expr) is ast.Attribute and type(expr.value) is ast.Name:
        function = scope.function
        if function is None or function.owner is None or expr.value.id != function.self_name:
            return False
        bindings = function.owner.attributes.get(expr.attr, [])
    else:
        return False
    return bool(bindings) and all(_container_binding(binding, module_scope) for binding in bindings)


def _container_binding(binding: Binding, module_scope: Scope) -> bool:
    """`extract._Facts._container_binding`."""
    value: Any = binding.value
    if binding.kind == "assign" and isinstance(value, _DISPLAYS):
        return True
    if binding.kind == "assign" and type(value) is ast.Call:
        func = value.func.value if type(value.func) is ast.Subscript else value.func
        if (_qualified_name(func, binding.scope or module_scope, binding.order) or _dotted(func) or "") in CONTAINERS:
            return True
    annotation: Any = binding.annotation
    text = (_dotted(annotation.value if type(annotation) is ast.Subscript else annotation) or "") if annotation else ""
    return text.rsplit(".", 1)[-1].lower() in CONTAINER_ANNOTATIONS


def _qualified_name(expr: ast.expr, scope: Scope, order: int) -> str | None:
    """`scopes.qualified_name`."""
    text = _dotted(expr)
    return qualified_text(text, scope, order) if text is not None else None


def _from_another_package(name: str, scope: Scope, order: int, module: Callable[[], str]) -> bool:
    """`extract._Facts.from_another_package`."""
    bindings = scope.lookup(name.split(".", 1)[0], order)
    if len(bindings) != 1 or bindings[0].kind != "import" or not isinstance(bindings[0].value, str):
        return False
    imported = bindings[0].value
    return not imported.startswith(".") and imported.split(".", 1)[0] != module().split(".", 1)[0]


class _Walk:
    """The scopes and bindings of a module as the model's `Collector` makes them, and the
    calls of an attribute with a cache method's name, each with the scope the Collector
    puts it in. The walk is the Collector's: each node before its children, the children
    in the order LibCST lists them (source order), and a def's or class's scope entered
    before its decorators, parameters and bases. A binding's order is where the Collector's byte
    offset points, as (row, column) in one number (`_start`): they compare alike."""

    def __init__(self, tree: ast.Module) -> None:
        self.module_scope = Scope("module", tree, None)  # type: ignore[arg-type]  # an `ast` node here
        self.calls: list[tuple[ast.Call, Scope]] = []
        self._globals: dict[Scope, set[str]] = {}
        self._visit_body(tree.body, self.module_scope)

    def _visit_body(self, body: list[ast.stmt], scope: Scope) -> None:
        for statement in body:
            self._visit(statement, scope)

    def _visit(self, node: Any, scope: Scope) -> None:  # noqa: C901 - one branch per node kind, as the Collector's
        kind = type(node)
        if kind not in _OWN_VISITS:  # most nodes: their children only
            for field in CHILD_FIELDS[kind]:
                value = getattr(node, field)
                if type(value) is list:
                    for child in value:
                        if isinstance(child, ast.AST):
                            self._visit(child, scope)
                elif isinstance(value, ast.AST):
                    self._visit(value, scope)
            return
        if kind in _FUNCTIONS:
            self._function(node, scope)
            return
        if kind is ast.ClassDef:
            self._class(node, scope)
            return
        if kind is ast.Call:
            if type(node.func) is ast.Attribute and node.func.attr in CACHE_METHODS:
                self.calls.append((node, scope))
        elif kind is ast.Import:
            for alias in node.names:
                if alias.asname is not None:
                    scope.bind(alias.asname, "import", _start(node), alias.name)
                else:
                    top = alias.name.split(".")[0]
                    scope.bind(top, "import", _start(node), top)
        elif kind is ast.ImportFrom:
            base = "." * node.level + (node.module or "")
            for alias in node.names:
                if alias.name == "*":
                    break
                qualified = f"{base}.{alias.name}" if base and not base.endswith(".") else f"{base}{alias.name}"
                scope.bind(alias.asname or alias.name, "import", _start(node), qualified)
        elif kind is ast.Assign:
            for target in node.targets:
                self._bind_target(target, "assign", node.value, _end(node), scope)
                if scope.kind == "class" and type(target) is ast.Name:
                    scope.attributes.setdefault(target.id, []).append(Binding("assign", _end(node), scope, node.value))
        elif kind is ast.AnnAssign:
            binding_kind = "assign" if node.value is not None else "annotation"
            self._bind_target(node.target, binding_kind, node.value, _end(node), scope, node.annotation)
            if scope.kind == "class" and type(node.target) is ast.Name:
                scope.attributes.setdefault(node.target.id, []).append(
                    Binding(binding_kind, _end(node), scope, node.value, node.annotation))
        elif kind is ast.AugAssign:
            if type(node.target) is ast.Name:
                self._scope_of(node.target.id, scope).bind(node.target.id, "other", _end(node), node)
            elif type(node.target) is ast.Attribute:
                self._bind_target(node.target, "other", node, _end(node), scope)
        elif kind is ast.NamedExpr:
            self._bind_target(node.target, "assign", node.value, _end(node), scope)
        elif kind is ast.For or kind is ast.AsyncFor:
            self._bind_target(node.target, "for", node.iter, _start(node), scope)
        elif kind is ast.With or kind is ast.AsyncWith:
            for item in node.items:
                if item.optional_vars is not None:
                    self._bind_target(item.optional_vars, "with", item.context_expr, _start(node), scope)
        elif kind is ast.Global:
            self._globals.setdefault(scope, set()).update(node.names)
        elif kind is ast.ExceptHandler:
            if node.name is not None:
                self._scope_of(node.name, scope).bind(node.name, "other", _start(node))
        elif kind is _TRY_STAR:  # LibCST's `except*` handlers are of another kind, which binds no name
            for child in (*node.body, *node.handlers, *node.orelse, *node.finalbody):
                for grandchild in (_children(child) if type(child) is ast.ExceptHandler else (child,)):
                    self._visit(grandchild, scope)
            return
        elif kind is ast.IfExp:  # LibCST lists the body first, as it is written
            self._visit(node.body, scope)
            self._visit(node.test, scope)
            self._visit(node.orelse, scope)
            return
        for child in _children(node):
            self._visit(child, scope)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, parent: Scope) -> None:
        order = _start(node)
        parent.bind(node.name, "def", order, node)  # type: ignore[arg-type]
        scope = Scope("function", node, parent, node.name)  # type: ignore[arg-type]
        arguments = node.args
        params = [*arguments.posonlyargs, *arguments.args]
        if parent.kind == "class" and params:
            scope.owner, scope.self_name = parent, params[0].arg
        for param in [*params, *arguments.kwonlyargs]:
            scope.bind(param.arg, "param", order, param, param.annotation)  # type: ignore[arg-type]
        for star in (arguments.vararg, arguments.kwarg):
            if star is not None:
                scope.bind(star.arg, "other", order)
        for decorator in node.decorator_list:
            self._visit(decorator, scope)
        for part in _parameter_parts(arguments):
            self._visit(part, scope)
        if node.returns is not None:
            self._visit(node.returns, scope)
        self._visit_body(node.body, scope)

    def _class(self, node: ast.ClassDef, parent: Scope) -> None:
        parent.bind(node.name, "def", _start(node), node)  # type: ignore[arg-type]
        scope = Scope("class", node, parent, node.name)  # type: ignore[arg-type]
        for decorator in node.decorator_list:
            self._visit(decorator, scope)
        for base in [*node.bases, *node.keywords]:
            self._visit(base, scope)
        self._visit_body(node.body, scope)

    def _scope_of(self, name: str, scope: Scope) -> Scope:
        return self.module_scope if name in self._globals.get(scope, ()) else scope

    def _bind_target(self, target: Any, kind: str, value: Any, order: int, scope: Scope,
                     annotation: Any = None) -> None:
        target_kind = type(target)
        if target_kind is ast.Name:
            self._scope_of(target.id, scope).bind(target.id, kind, order, value, annotation)
        elif target_kind is ast.Tuple or target_kind is ast.List:
            for element in target.elts:
                self._bind_target(element.value if type(element) is ast.Starred else element, "other", None, order, scope)
        elif target_kind is ast.Starred:
            self._bind_target(target.value, "other", None, order, scope)
        elif target_kind is ast.Attribute and type(target.value) is ast.Name:
            owner = scope.owner
            if owner is not None and target.value.id == scope.self_name:
                owner.attributes.setdefault(target.attr, []).append(Binding(kind, order, scope, value, annotation))


# A position as one number that compares as the byte offsets the Collector's orders are:
# (row, column in UTF-8 bytes), the row in the high bits.
def _start(node: Any) -> int:
    return node.lineno << 32 | node.col_offset


def _end(node: Any) -> int:
    return node.end_lineno << 32 | node.end_col_offset


def _parameter_parts(arguments: ast.arguments) -> Iterator[ast.expr]:
    """The annotations and defaults of a def's parameters, in the order they are written."""
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
    yield from _annotations_and_defaults(zip(positional, defaults))
    if arguments.vararg is not None and arguments.vararg.annotation is not None:
        yield arguments.vararg.annotation
    yield from _annotations_and_defaults(zip(arguments.kwonlyargs, arguments.kw_defaults))
    if arguments.kwarg is not None and arguments.kwarg.annotation is not None:
        yield arguments.kwarg.annotation


def _annotations_and_defaults(params: Iterable[tuple[ast.arg, ast.expr | None]]) -> Iterator[ast.expr]:
    for param, default in params:
        if param.annotation is not None:
            yield param.annotation
        if default is not None:
            yield default


def _children(node: ast.AST) -> Iterator[Any]:
    for field in CHILD_FIELDS[type(node)]:
        value = getattr(node, field)
        if type(value) is list:
            yield from (child for child in value if isinstance(child, ast.AST))
        elif isinstance(value, ast.AST):
            yield value
