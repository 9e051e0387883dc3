"""Reads that decide writes: which cache read of a function decides, by what it finds,
whether a later write of the same function runs.

    seen = cache.get(f"nonce:{n}")        # the read
    if seen is not None:                  # the decision: on a hit the call returns
        return False
    cache.set(f"nonce:{n}", True, 300)    # the write, run only after a miss

`model.guards` lists each such pair, with what the path taken on a hit does with the
value read (returns or uses it: a cache-aside fill; only skips: a marker), and whether
the write stores the variable the read was kept in, loaded again after the miss.

A decision is an `if` whose test looks at the read's result (directly, or through a
variable the function assigns it to), by truth (`if seen:`), `is None`/`is not None`,
or any other comparison (`if last > cutoff:`), alone or as an operand of `and`/`or`.
A write runs after a miss when it is in the branch a miss takes, or after the `if`
when the branch a hit takes ends the call (`return`, `raise`) or the loop iteration
(`continue`, `break`).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from cachelint.model.cache.facts import CacheOp
from cachelint.model.core.branches import Branches, Ranges, exits
from cachelint.model.core.facts import TruthTest
from cachelint.model.core.nodes import children, last_name, strip_await
from cachelint.model.core.scopes import Scope, qualified_name
from cachelint.model.core.values import CLOCK_READINGS, MAYBE, find_argument
from cachelint.model.spec import Kind

if TYPE_CHECKING:
    from cachelint.model.core.module import SourceModule

_LOOP_EXITS = (cst.Continue, cst.Break)
_ABSENT = (cst.Is, cst.Equal)  # `x is None`, `x == None`: true on a miss
_MEMBERSHIP = (cst.In, cst.NotIn)
# Calls that make a random token (a lock's owner, a nonce).
_TOKENS = frozenset({
    "uuid.uuid1", "uuid.uuid4", "secrets.token_hex", "secrets.token_urlsafe", "secrets.token_bytes", "os.urandom",
    "shortuuid.uuid", "shortuuid.random",
    "random.random", "random.randint", "random.getrandbits",
})
# Objects whose methods mint random ids: `ShortUUID().random(31)`, `ShortUUID().uuid()`.
_TOKEN_MAKERS = frozenset({"shortuuid.ShortUUID", "shortuuid.main.ShortUUID"})
_MINTING_METHODS = frozenset({"random", "uuid"})
# What a time or a token may be turned into and still be one.
_CONVERSIONS = frozenset({"str", "int", "float", "repr"})
_CONVERSION_METHODS = frozenset({"isoformat", "timestamp", "hex", "strftime"})


@dataclass(frozen=True, eq=False)
class Guard:
    """A write that runs only, or also, when `read` found nothing."""

    read: CacheOp
    write: CacheOp
    decision: cst.If
    holder: str | None  # the variable the read's result is kept in; None when tested directly
    hit_uses_value: bool  # a branch a hit takes, after any decision on the read, reads `holder`
    stores_holder: bool  # the write stores `holder`, bound again after the miss
    # What the write stores when it is a mark rather than data: "a constant", "the time",
    # "a random token"; None for anything else.
    mark: str | None


@dataclass(frozen=True, eq=False)
class Count:
    """A count kept in a cache entry, read, compared with a limit by a test that ends the
    call, and written back plus a number: `n = cache.get(k) or 0`, `if n >= 5: raise ...`,
    `cache.set(k, n + 1, 60)`; also a field of an entry decoded and encoded again
    (`data = json.loads(r.get(k))`, `if data["tries"] > 2: raise ...`,
    `r.set(k, json.dumps({"tries": data["tries"] + 1, ...}))`)."""

    read: CacheOp
    write: CacheOp
    decision: cst.If
    counted: str  # the code of what is counted: `n`, `data["tries"]`


class Guards:
    """The guards of one module, found on demand (`model.guards`)."""

    def __init__(self, source: SourceModule, ops: list[CacheOp], branches: Branches,
                 op_at: Callable[[cst.BaseExpression], CacheOp | None]) -> None:
        self.source = source
        self.branches = branches
        self.op_at = op_at
        self.all: list[Guard] = []
        self._writes: dict[Scope, list[CacheOp]] = {}  # each function's writes
        for op in ops:
            if op.kind is Kind.WRITE and op.scope.function is not None:
                self._writes.setdefault(op.scope.function, []).append(op)
        found: dict[tuple[CacheOp, CacheOp], Guard] = {}
        used: set[CacheOp] = set()
        for test in source.truth_tests:
            function = test.scope.function
            if not isinstance(test.context, cst.If) or function is None or function not in self._writes:
                continue
            for guard in self._guards(test, test.context, self._writes[function]):
                found.setdefault((guard.read, guard.write), guard)
                if guard.hit_uses_value:
                    # A value one decision only skips on may be returned by another (`if v is
                    # True: return None` / `if v: return v`): used if any hit uses it.
                    used.add(guard.read)
        self.all = [dataclasses.replace(guard, hit_uses_value=guard.read in used) for guard in found.values()]
        self._counts: list[Count] | None = None

    @property
    def counts(self) -> list[Count]:
        """The module's counts read, compared with a limit, and written back plus a number."""
        if self._counts is None:
            self._counts = []
            ifs: dict[Scope, list[TruthTest]] = {}  # each function's `if` tests, read once
            for test in self.source.truth_tests:
                if type(test.context) is cst.If and test.scope.function in self._writes:
                    ifs.setdefault(test.scope.function, []).append(test)
            for function, writes in self._writes.items():
                tests = ifs.get(function, [])
                for write in writes:
                    if write.value is not None and tests and (count := self._count(write, write.value, tests)):
                        self._counts.append(count)
        return self._counts

    def _count(self, write: CacheOp, value: cst.BaseExpression, tests: list[TruthTest]) -> Count | None:
        source = self.source
        for counted, order in _incremented(value, write.scope, write.order, source):
            found = _decoded_read(counted, write.scope, order, source, self.op_at)
            if found is None or found.kind is not Kind.READ or found.order >= write.order or found.key is None \
                    or found.client.is_pipeline:
                continue
            text = source.code(counted)
            for test in tests:
                decision = test.context
                if found.order < test.order < write.order and isinstance(decision, cst.If) and _ends(decision.body) \
                        and _compares(test.subject, text, source):
                    return Count(found, write, decision, text)
        return None

    def _guards(self, test: TruthTest, decision: cst.If, writes: list[CacheOp]) -> list[Guard]:
        """The guards the `if` statement `decision` makes, of the writes of its function."""
        found = self._read_tested(test)
        if found is None:
            return []
        read, holder, present = found
        hit, miss = self._sides(decision, present, test)
        if not miss:
            return []
        hit_uses = holder is not None and self.branches.uses(test.scope).mentions(holder, hit)
        guards = []
        for write in writes:
            if write.order <= read.order or not _inside(write.order, miss):
                continue
            stores = holder is not None and isinstance(write.value, cst.Name) and write.value.value == holder and any(
                read.order < binding.order <= write.order
                for binding in test.scope.bindings.get(holder, ()) if binding.kind in ("assign", "other"))
            mark = _mark(write.value, write.scope, write.order) if write.value is not None else None
            guards.append(Guard(read, write, decision, holder, hit_uses, stores, mark))
        return guards

    def _read_tested(self, test: TruthTest) -> tuple[CacheOp, str | None, bool] | None:
        """The read `test` looks at, the variable it is kept in, and whether the test is
        true when the read found something."""
        subject, present = test.subject, not test.negated
        if isinstance(subject, cst.Comparison) and len(subject.comparisons) == 1:
            target = subject.comparisons[0]
            operator = type(target.operator)
            compared_to_none = isinstance(target.comparator, cst.Name) and target.comparator.value == "None"
            if compared_to_none and operator in _ABSENT:
                present = not present
            elif operator in _MEMBERSHIP:
                return None  # `x in allowed`: a membership test of the value, or of a key
            # `url == cache.get(k)`: the read may be on either side
            subject = subject.left if self._held_read(subject.left, test) else target.comparator
        subject = strip_await(subject)
        holder = None
        if isinstance(subject, cst.NamedExpr) and isinstance(subject.target, cst.Name):
            holder, subject = subject.target.value, subject.value
        elif isinstance(subject, cst.Name):
            binding = self.source.binding_of(subject, test.scope, test.order)
            assigned = binding.assigned if binding is not None and binding.scope is test.scope else None
            if assigned is None:
                return None
            holder, subject = subject.value, assigned
        read = self.op_at(subject)
        if read is None or read.kind is not Kind.READ or read.client.is_pipeline or read.key is None:
            return None
        if read.call is not None and read.spec.default is not None and (
                find_argument(read.call, read.spec.default) not in (None, MAYBE)):
            return None  # `get(k, SENTINEL)`: judged by what it is compared with, not here
        return read, holder, present

    def _held_read(self, expr: cst.BaseExpression, test: TruthTest) -> bool:
        expr = strip_await(expr)
        if isinstance(expr, cst.Name):
            binding = self.source.binding_of(expr, test.scope, test.order)
            assigned = binding.assigned if binding is not None else None
            expr = assigned if assigned is not None else expr
        return self.op_at(expr) is not None

    def _sides(self, decision: cst.If, present: bool, test: TruthTest) -> tuple[Ranges, Ranges]:
        """What a hit runs and what a miss runs, within the function: when the branch a hit
        takes leaves the loop iteration (`continue`, `break`), the rest of the loop body
        runs on a miss."""
        body, other = self.branches.if_sides(decision, test.scope)
        if not present:
            return other, body
        if exits(decision.body) and isinstance(_last_small(decision.body), _LOOP_EXITS):
            function = test.scope.function_def
            loop = self._enclosing_loop(decision, function) if function is not None else None
            other = other[:-1] + ([(self.branches.end(decision), self.branches.end(loop.body))] if loop else [])
        return body, other

    def _enclosing_loop(self, node: cst.CSTNode, function: cst.FunctionDef) -> cst.For | cst.While | None:
        position, found = self.source.spans.start(node), None
        stack: list[cst.CSTNode] = [function.body]
        while stack:
            current = stack.pop()
            if isinstance(current, (cst.FunctionDef, cst.ClassDef)):
                continue
            if isinstance(current, (cst.For, cst.While)) and _inside(position, [self.branches.range(current.body)]):
                found = current
            stack.extend(children(current))
        return found


def _last_small(block: cst.BaseSuite) -> cst.CSTNode | None:
    last = block.body[-1] if block.body else None
    if isinstance(last, cst.SimpleStatementLine):
        return last.body[-1]
    return last


def _inside(offset: int, ranges: Ranges) -> bool:
    return any(start <= offset < end for start, end in ranges)


def mark(value: cst.BaseExpression, scope: Scope, order: int) -> str | None:
    """What a stored `value` is when it copies no data: "a constant", "the time" or "a
    random token" (`uuid4().hex`, `ShortUUID().random(31)`, through a local variable
    assigned once), else None."""
    return _mark(value, scope, order)


def _mark(value: cst.BaseExpression, scope: Scope, order: int, depth: int = 0) -> str | None:
    """"a constant", "the time" or "a random token" when `value` is one (through a local
    variable assigned once and conversions to text or numbers), else None."""
    if depth > 4:
        return None
    if isinstance(value, (cst.Integer, cst.Float, cst.SimpleString)) or (
            isinstance(value, cst.Name) and value.value in ("True", "False")):
        return "a constant"
    if isinstance(value, cst.UnaryOperation) and isinstance(value.expression, (cst.Integer, cst.Float)):
        return "a constant"
    if isinstance(value, cst.Name):
        bindings = scope.lookup(value.value, order)
        assigned = bindings[0].assigned if len(bindings) == 1 else None
        if assigned is not None and bindings[0].scope is scope and len(scope.bindings[value.value]) == 1:
            return _mark(assigned, scope, bindings[0].order, depth + 1)
        return None
    if isinstance(value, cst.Attribute) and value.attr.value == "hex":  # uuid4().hex
        return _mark(value.value, scope, order, depth + 1)
    if not isinstance(value, cst.Call):
        return None
    func = value.func
    if isinstance(func, cst.Name) and func.value in _CONVERSIONS and len(value.args) == 1:
        return _mark(value.args[0].value, scope, order, depth + 1)
    if isinstance(func, cst.Attribute) and func.attr.value in _CONVERSION_METHODS:
        return _mark(func.value, scope, order, depth + 1)
    if isinstance(func, cst.Attribute) and func.attr.value in _MINTING_METHODS and isinstance(func.value, cst.Call) \
            and qualified_name(func.value.func, scope, order) in _TOKEN_MAKERS:
        return "a random token"  # `ShortUUID().random(31)`
    qualified = qualified_name(func, scope, order)
    if qualified in CLOCK_READINGS:
        return "the time"
    if qualified in _TOKENS:
        return "a random token"
    return None


# What a count may be read through, and written back through: decoding and encoding.
_CODECS = frozenset({"loads", "dumps", "int", "str", "float", "dict"})
_LIMITS = (cst.GreaterThan, cst.GreaterThanEqual, cst.LessThan, cst.LessThanEqual)


def _incremented(value: cst.BaseExpression, scope: Scope, order: int, source: SourceModule,
                 depth: int = 0) -> list[tuple[cst.BaseExpression, int]]:
    """What `value` stores plus a number, with where it is read: `n` of `n + 1`, through
    local variables assigned once, encodings (`json.dumps(...)`, `str(...)`) and the values
    of a dict."""
    if depth > 4:
        return []
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add) \
            and isinstance(value.right, cst.Integer):
        left = value.left
        if isinstance(left, cst.BooleanOperation) and isinstance(left.operator, cst.Or):
            left = left.left  # `(n or 0) + 1`
        return [(left, order)] if isinstance(left, (cst.Name, cst.Subscript)) else []
    if isinstance(value, cst.Name):
        binding = source.binding_of(value, scope, order)
        if binding is None or binding.scope is not scope or binding.assigned is None:
            return []
        # The value is read before the name is bound: what it reads, it reads as it was before.
        return _incremented(binding.assigned, scope, binding.order - 1, source, depth + 1)
    if isinstance(value, cst.Call) and last_name(value.func) in _CODECS and value.args:
        return _incremented(value.args[0].value, scope, order, source, depth + 1)
    if isinstance(value, cst.Dict):
        return [found for element in value.elements if isinstance(element, cst.DictElement)
                for found in _incremented(element.value, scope, order, source, depth + 1)]
    return []


def _decoded_read(counted: cst.BaseExpression, scope: Scope, order: int, source: SourceModule,
                  op_at: Callable[[cst.BaseExpression], CacheOp | None], depth: int = 0) -> CacheOp | None:
    """The read a counted value comes from: `n` of `n = cache.get(k) or 0` (or `cache.get(k,
    0)`), `data["tries"]` of `data = json.loads(r.get(k))`."""
    if depth > 4:
        return None
    expr = counted.value if isinstance(counted, cst.Subscript) and depth == 0 else counted
    expr = strip_await(expr)
    if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
        expr = strip_await(expr.left)  # `cache.get(k) or 0`
    if isinstance(expr, cst.IfExp):
        expr = strip_await(expr.body)  # `json.loads(stored) if stored else {...}`
    if isinstance(expr, cst.Call) and last_name(expr.func) in _CODECS and expr.args and op_at(expr) is None:
        return _decoded_read(expr.args[0].value, scope, order, source, op_at, depth + 1)
    if isinstance(expr, cst.Name):
        binding = source.binding_of(expr, scope, order)
        if binding is None or binding.scope is not scope or binding.assigned is None:
            return None
        return _decoded_read(binding.assigned, scope, binding.order - 1, source, op_at, depth + 1)
    return op_at(expr)


def _compares(subject: cst.BaseExpression, counted: str, source: SourceModule) -> bool:
    """Whether a test compares `counted` with a bound: `n >= 5`, `data["tries"] > 2`, `limit < n`."""
    tests = [subject]
    while tests:
        test = tests.pop()
        if isinstance(test, cst.BooleanOperation):
            tests += [test.left, test.right]
        elif isinstance(test, cst.Comparison) and len(test.comparisons) == 1 \
                and isinstance(test.comparisons[0].operator, _LIMITS) \
                and counted in (source.code(test.left), source.code(test.comparisons[0].comparator)):
            return True
    return False


def _ends(block: cst.BaseSuite) -> bool:
    """Every path through the block leaves it: it ends in a return, raise, continue or
    break, or in an `if` each of whose branches does (`if known: raise A` / `else: raise B`)."""
    if exits(block):
        return True
    last = block.body[-1] if block.body else None
    if not isinstance(last, cst.If) or last.orelse is None:
        return False
    orelse = last.orelse
    return _ends(last.body) and (_ends(orelse.body) if isinstance(orelse, cst.Else) else _ends(cst.IndentedBlock([orelse])))
