"""The one walk over a module's CST: scopes, bindings, calls, subscripts, decorators, tests.

Nothing here knows about cache libraries; `cachelint.model.cache.operations` turns what is
collected into cache operations once every binding of the module is known.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar, cast

import libcst as cst
from libcst.metadata import ByteSpanPositionProvider, CodeSpan

from cachelint.model.core.facts import FunctionInfo, TruthTest
from cachelint.model.core.positions import Spans
from cachelint.model.core.scopes import Binding, BoundValue, Scope

NodeT = TypeVar("NodeT", bound=cst.CSTNode)


@dataclass(eq=False)
class Site(Generic[NodeT]):
    """Where a node was seen: its scope, the statement it belongs to, and its offset."""

    node: NodeT
    scope: Scope
    statement: cst.CSTNode
    order: int
    awaited: bool = False
    store: bool = False  # subscripts: assigned to
    delete: bool = False  # subscripts: deleted


def _import_base(node: cst.ImportFrom) -> str:
    dots = "." * len(node.relative)
    module = cst.helpers.get_full_name_for_node(node.module) if node.module else ""
    return dots + (module or "")


class Collector(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (ByteSpanPositionProvider,)

    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self.module_scope = Scope("module", module, None)
        self.scopes: list[Scope] = [self.module_scope]  # the current one last
        self.every_scope: list[Scope] = [self.module_scope]
        self.statements: list[cst.CSTNode] = [module]
        self.calls: list[Site[cst.Call]] = []
        self.withs: list[Site[cst.With]] = []  # `with`/`async with` statements, for transaction scopes
        self.subscripts: list[Site[cst.Subscript]] = []
        self.functions: dict[cst.FunctionDef, FunctionInfo] = {}
        self.classes: dict[cst.ClassDef, Scope] = {}  # each class and the scope it is defined in
        self.function_stack: list[FunctionInfo] = []
        self.truth_tests: list[TruthTest] = []
        self.for_loops: dict[cst.BaseExpression, cst.For] = {}  # iter expression -> loop
        self._awaited: set[cst.CSTNode] = set()
        self._store_targets: set[cst.CSTNode] = set()
        self.store_values: dict[cst.Subscript, cst.BaseExpression] = {}  # CACHE[k] = value
        self._delete_targets: set[cst.CSTNode] = set()
        self._tested_boolean_ops: set[cst.CSTNode] = set()
        self._globals: dict[Scope, set[str]] = {}  # names a function declares `global`

    # ------------------------------------------------------------------ helpers

    @property
    def scope(self) -> Scope:
        return self.scopes[-1]

    # The spans are read from `self.metadata` directly: `get_metadata` checks the visitor's
    # declared dependencies on every call, and the walk asks for tens of thousands of spans.
    def _start(self, node: cst.CSTNode) -> int:
        return cast(Spans, self.metadata[ByteSpanPositionProvider]).start(node)

    def _end(self, node: cst.CSTNode) -> int:
        span = cast(CodeSpan, self.metadata[ByteSpanPositionProvider][node])
        return span.start + span.length

    def _scope_of(self, name: str) -> Scope:
        """The scope an assignment to `name` binds in: the module's after `global name`."""
        return self.module_scope if name in self._globals.get(self.scope, ()) else self.scope

    def _bind_target(self, target: cst.BaseExpression, kind: str, value: BoundValue, order: int,
                     annotation: cst.BaseExpression | None = None) -> None:
        if isinstance(target, cst.Name):
            self._scope_of(target.value).bind(target.value, kind, order, value, annotation)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                inner = element.value
                if isinstance(inner, cst.StarredElement):
                    inner = inner.value
                self._bind_target(inner, "other", None, order)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, "other", None, order)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            owner = self.scope.owner
            if owner is not None and target.value.value == self.scope.self_name:
                owner.attributes.setdefault(target.attr.value, []).append(
                    Binding(kind, order, self.scope, value, annotation)
                )
        elif isinstance(target, cst.Subscript):
            self._store_targets.add(target)
            if isinstance(value, cst.BaseExpression):
                self.store_values[target] = value

    def _add_truth_test(self, expr: cst.BaseExpression, context: cst.CSTNode, negated: bool = False) -> None:
        while True:
            if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
                expr, negated = expr.expression, not negated
            elif isinstance(expr, cst.Await):
                expr = expr.expression
            else:
                break
        if isinstance(expr, cst.BooleanOperation):
            self._tested_boolean_ops.add(expr)
            self._add_truth_test(expr.left, context, negated)
            self._add_truth_test(expr.right, context, negated)
            return
        self.truth_tests.append(
            TruthTest(expr, negated, context, self.scope, self.statements[-1], self._start(expr))
        )

    # ------------------------------------------------------------------ statements

    def _push_statement(self, node: cst.CSTNode) -> None:
        self.statements.append(node)

    def _pop_statement(self, original_node: cst.CSTNode) -> None:
        self.statements.pop()

    visit_SimpleStatementLine = _push_statement
    leave_SimpleStatementLine = _pop_statement
    visit_Try = _push_statement
    leave_Try = _pop_statement
    visit_Match = _push_statement
    leave_Match = _pop_statement

    def visit_If(self, node: cst.If) -> None:
        self._push_statement(node)
        self._add_truth_test(node.test, node)

    leave_If = _pop_statement

    def visit_While(self, node: cst.While) -> None:
        self._push_statement(node)
        self._add_truth_test(node.test, node)

    leave_While = _pop_statement

    def visit_For(self, node: cst.For) -> None:
        self._push_statement(node)
        self.for_loops[node.iter] = node
        self._bind_target(node.target, "for", node.iter, self._start(node))

    leave_For = _pop_statement

    def visit_With(self, node: cst.With) -> None:
        self._push_statement(node)
        self.withs.append(Site(node, self.scope, node, self._start(node)))
        for item in node.items:
            if item.asname is not None:
                self._bind_target(item.asname.name, "with", item.item, self._start(node))

    leave_With = _pop_statement

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._add_truth_test(node.test, node)

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        if node not in self._tested_boolean_ops:
            # `x or y` as a value: the truthiness of x decides which is used.
            self._tested_boolean_ops.add(node)
            self._add_truth_test(node.left, node)

    # ------------------------------------------------------------------ bindings

    def visit_Import(self, node: cst.Import) -> None:
        order = self._start(node)
        for alias in node.names:
            full = cst.helpers.get_full_name_for_node_or_raise(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.scope.bind(alias.asname.name.value, "import", order, full)
            else:
                top = full.split(".")[0]
                self.scope.bind(top, "import", order, top)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        base = _import_base(node)
        order = self._start(node)
        for alias in node.names:
            name = cst.helpers.get_full_name_for_node_or_raise(alias.name)
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            qualified = f"{base}.{name}" if base and not base.endswith(".") else f"{base}{name}"
            self.scope.bind(local, "import", order, qualified)

    def visit_Assign(self, node: cst.Assign) -> None:
        order = self._end(node)
        for target in node.targets:
            self._bind_target(target.target, "assign", node.value, order)
            if self.scope.kind == "class" and isinstance(target.target, cst.Name):
                self.scope.attributes.setdefault(target.target.value, []).append(
                    Binding("assign", order, self.scope, node.value)
                )

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        kind = "assign" if node.value is not None else "annotation"
        self._bind_target(node.target, kind, node.value, self._end(node), node.annotation.annotation)
        if self.scope.kind == "class" and isinstance(node.target, cst.Name):  # `cache: Cache = thumbnail_cache`
            self.scope.attributes.setdefault(node.target.value, []).append(
                Binding(kind, self._end(node), self.scope, node.value, node.annotation.annotation)
            )

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            self._scope_of(node.target.value).bind(node.target.value, "other", self._end(node), node)
        elif isinstance(node.target, cst.Subscript):
            self._store_targets.add(node.target)
        elif isinstance(node.target, cst.Attribute):  # `self.suffix += ":x"`: no longer what was assigned
            self._bind_target(node.target, "other", node, self._end(node))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, "assign", node.value, self._end(node))

    def visit_Del(self, node: cst.Del) -> None:
        if isinstance(node.target, (cst.Tuple, cst.List)):
            targets = [element.value for element in node.target.elements]
        else:
            targets = [node.target]
        for target in targets:
            if isinstance(target, cst.Subscript):
                self._delete_targets.add(target)

    def visit_Global(self, node: cst.Global) -> None:
        self._globals.setdefault(self.scope, set()).update(item.name.value for item in node.names)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_target(node.name.name, "other", None, self._start(node))

    # ------------------------------------------------------------------ scopes

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scope.bind(node.name.value, "def", self._start(node), node)
        self.classes[node] = self.scope
        self._push_statement(node)
        self.scopes.append(Scope("class", node, self.scope, node.name.value))
        self.every_scope.append(self.scope)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.scopes.pop()
        self._pop_statement(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        order = self._start(node)
        self.scope.bind(node.name.value, "def", order, node)
        self._push_statement(node)
        parent = self.scope
        scope = Scope("function", node, parent, node.name.value)
        params = [*node.params.posonly_params, *node.params.params]
        if parent.kind == "class" and params:
            scope.owner, scope.self_name = parent, params[0].name.value
        for param in [*params, *node.params.kwonly_params]:
            annotation = param.annotation.annotation if param.annotation else None
            scope.bind(param.name.value, "param", order, param, annotation)
        for star in (node.params.star_arg, node.params.star_kwarg):
            if isinstance(star, cst.Param):
                scope.bind(star.name.value, "other", order)
        self.scopes.append(scope)
        self.every_scope.append(scope)
        info = FunctionInfo(node, scope)
        self.functions[node] = info
        self.function_stack.append(info)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.pop()
        self.function_stack.pop()
        self._pop_statement(node)

    # ------------------------------------------------------------------ uses

    def visit_Await(self, node: cst.Await) -> None:
        self._awaited.add(node.expression)

    def visit_Call(self, node: cst.Call) -> None:
        site = Site(node, self.scope, self.statements[-1], self._start(node), awaited=node in self._awaited)
        self.calls.append(site)
        if self.function_stack:
            self.function_stack[-1].calls.append(node)

    def visit_Return(self, node: cst.Return) -> None:
        if self.function_stack:
            self.function_stack[-1].returns.append(node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if isinstance(node.value, (cst.Name, cst.Attribute)):
            self.subscripts.append(
                Site(
                    node, self.scope, self.statements[-1], self._start(node),
                    store=node in self._store_targets, delete=node in self._delete_targets,
                )
            )
