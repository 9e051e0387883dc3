"""Control-flow facts as byte ranges: what each side of an `if` runs, what a function body
reads and calls, and which assignment a fallback on another path stands in for.

    def report(pk):
        cached = cache.get(key)
        if cached:                    # if_sides(this if):
            return cached             #   body:  the `if` suite
        cached = build(pk)            #   other: the `else` (none), and, since the body
        cache.set(key, cached, 60)    #          exits, everything after the `if` to the
        return cached                 #          function's end

Ranges are half-open `(start, end)` byte offsets into the module's source; a binding's
order (where its statement ends) may equal a range's end.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

import libcst as cst

from cachelint.model.core.nodes import children, strip_await
from cachelint.model.core.scopes import Binding, Scope
from cachelint.model.core.values import constant_truth

Ranges = list[tuple[int, int]]

_EXITS = (cst.Return, cst.Raise, cst.Continue, cst.Break)
# Receivers of calls that only report: `logger.info(…)`, `self.log.warning(…)`, `logging.debug(…)`.
_LOGGERS = ("log", "logger", "logging")
# Calls that load nothing: `print(…)`, and `abort(404)`, which raises.
_REPORTING_CALLS = ("print", "abort")


class Branches:
    """The control-flow facts of one module, computed on demand."""

    def __init__(self, module: cst.Module, source_length: int, spans) -> None:
        self.module = module
        self.source_length = source_length
        self.spans = spans
        self._uses: dict[cst.CSTNode, BodyUses] = {}

    def if_sides(self, node: cst.If, scope: Scope) -> tuple[Ranges, Ranges]:
        """What runs when the test of `node` (in `scope`) is true, and what when it is false:
        the `else`, and when the `if` suite ends in a return, raise, break or continue, the
        rest of the function too."""
        body = [self.range(node.body)]
        other = [self.range(node.orelse)] if node.orelse is not None else []
        if exits(node.body):
            other.append((self.end(node), self.end(self.function_node(scope))))
        return body, other

    def uses(self, scope: Scope) -> BodyUses:
        """The reads and loading calls of the function `scope` is in (the module outside functions)."""
        function = self.function_node(scope)
        if function not in self._uses:
            self._uses[function] = BodyUses(self.spans, function if isinstance(function, cst.Module) else function.body)
        return self._uses[function]

    def function_node(self, scope: Scope) -> cst.Module | cst.ClassDef | cst.FunctionDef:
        function = scope.function
        return function.node if function is not None else self.module

    def range(self, node: cst.CSTNode) -> tuple[int, int]:
        return self.spans.start(node), self.end(node)

    def end(self, node: cst.CSTNode) -> int:
        if node is self.module:
            return self.source_length
        span = self.spans[node]
        return span.start + span.length

    def within(self, order: int, node: cst.CSTNode) -> bool:
        """`order` (a binding's: its statement's end) falls in `node`, its end included."""
        span = self.spans[node]
        return span.start <= order <= span.start + span.length

    def assignment_behind_fallback(self, scope: Scope, name: str, binding: Binding) -> Binding:
        """`try: x = r.get(k)` / `except RedisError: x = None` (or `[]`), or `if use_cache: x =
        r.get(k)` / `else: x = None`: when `binding` assigns a falsy constant on a path that
        runs instead of the one with the assignment before it, that earlier assignment;
        otherwise `binding` itself."""
        value = binding.expression
        if value is None or constant_truth(value) is not False:
            return binding
        earlier = [b for b in scope.bindings[name] if b.order < binding.order]
        if not earlier or earlier[-1].kind != "assign":
            return binding
        read = earlier[-1]
        for others in self._alternatives_around(self.function_node(scope), read.order):
            if any(self.within(binding.order, other) for other in others):
                return read
        return binding

    def _alternatives_around(self, node: cst.CSTNode, order: int) -> Iterator[Sequence[cst.CSTNode]]:
        """For each block under `node` that holds `order`, the blocks that run instead of it:
        a `try` body's handlers, an `if` body's `else`/`elif`. A node's span holds the blocks
        under it, so only the nodes around `order` are walked, not the whole function."""
        stack = [node]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Try) and self.within(order, node.body):
                yield node.handlers
            elif isinstance(node, cst.If) and node.orelse is not None and self.within(order, node.body):
                yield (node.orelse,)
            # A node LibCST gave no span (none is expected) is walked anyway.
            stack.extend(child for child in children(node) if child not in self.spans or self.within(order, child))


def rebound_in(scope: Scope, name: str, ranges: Ranges) -> bool:
    """`name` is bound again in `ranges` (`x = load()`, `x, y = load()`) to something not
    constant. A binding's order is where its statement ends, which for a block's last
    statement is where the block ends."""
    return any(
        binding.kind in ("assign", "other") and any(start <= binding.order <= end for start, end in ranges)
        and not ((value := binding.assigned) is not None and constant_truth(value) is not None)
        for binding in scope.bindings.get(name, ())
    )


class BodyUses:
    """Where one function body reads each variable and calls anything that may load a value
    (not in nested functions): building an exception to raise, aborting or logging loads nothing."""

    def __init__(self, spans, body: cst.CSTNode) -> None:
        self.names: dict[str, list[int]] = {}
        self.calls: list[int] = []
        names, calls, start = self.names, self.calls, spans.start
        # Two walks in one: `loading` holds the nodes whose calls may load a value, `quiet`
        # those under a raise, an error response or a call that loads nothing.
        loading: list[cst.CSTNode] = [body]
        quiet: list[cst.CSTNode] = []
        while loading or quiet:
            loads = bool(loading)
            node = loading.pop() if loads else quiet.pop()
            # Exact types, cheaper than failing `isinstance` tests (no node class has subclasses).
            if type(node) is cst.FunctionDef or type(node) is cst.ClassDef:
                continue
            if type(node) is cst.Attribute or type(node) is cst.Arg:
                # `obj.name` does not read the variable `name`, nor does the keyword in `f(name=1)`.
                (loading if loads else quiet).append(node.value)
                continue
            if type(node) is cst.Name:
                names.setdefault(node.value, []).append(start(node))
            elif loads and (type(node) is cst.Raise or (type(node) is cst.Return and _error_response(node.value))):
                loads = False
            elif loads and type(node) is cst.Call:
                loads = not _loads_nothing(node)
                if loads:
                    calls.append(start(node))
            (loading if loads else quiet).extend(children(node))

    def mentions(self, name: str, ranges: Ranges) -> bool:
        return any(_inside(offset, ranges) for offset in self.names.get(name, ()))

    def calls_in(self, ranges: Ranges) -> bool:
        return any(_inside(offset, ranges) for offset in self.calls)


def exits(block: cst.BaseSuite) -> bool:
    """The suite ends in a return, raise, continue or break."""
    last = block.body[-1] if block.body else None
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1]
    return isinstance(last, _EXITS)


def or_fallbacks(node: cst.BooleanOperation, operand: cst.BaseExpression) -> list[cst.BaseExpression]:
    """In `a or b or c`, what is used when `operand` (one of the operands) is falsy."""
    operands: list[cst.BaseExpression] = []

    def flatten(expr: cst.BaseExpression) -> None:
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or) and not expr.lpar:
            flatten(expr.left)
            flatten(expr.right)
        else:
            operands.append(expr)

    flatten(node)
    for index, found in enumerate(operands):
        if strip_await(found) is operand:
            return operands[index + 1:]
    return []


def _inside(offset: int, ranges: Ranges) -> bool:
    return any(start <= offset < end for start, end in ranges)


def _loads_nothing(call: cst.Call) -> bool:
    """`logger.info(…)`, `self.log.warning(…)`, `logging.debug(…)`, `print(…)`, `abort(404)`,
    which raises, and an error response (`JsonResponse({...}, status=410)`)."""
    func = call.func
    if isinstance(func, cst.Name) and func.value in _REPORTING_CALLS:
        return True
    if any(arg.keyword is not None and arg.keyword.value in ("status", "status_code") and _error_status(arg.value)
           for arg in call.args):
        return True
    if not isinstance(func, cst.Attribute):
        return False
    receiver = func.value  # `logger`, `self.log`
    if isinstance(receiver, cst.Attribute):
        receiver = receiver.attr
    return isinstance(receiver, cst.Name) and receiver.value.lower().lstrip("_") in _LOGGERS


def _error_response(value: cst.BaseExpression | None) -> bool:
    """`return jsonify(error=...), 404`: Flask's (body, status) with an error status."""
    return isinstance(value, cst.Tuple) and len(value.elements) >= 2 and _error_status(value.elements[1].value)


def _error_status(expr: cst.BaseExpression) -> bool:
    """`404`, DRF's `status.HTTP_410_GONE`."""
    if isinstance(expr, cst.Integer):
        return 400 <= int(expr.value) < 600
    return isinstance(expr, cst.Attribute) and expr.attr.value.startswith(("HTTP_4", "HTTP_5"))
