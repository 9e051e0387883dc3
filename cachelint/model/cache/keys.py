"""Key shapes: what each cache key is made of, resolved as far as the module allows.

`model.key_shapes(op)` gives the possible shapes of an operation's key (several when
branches assign it differently). A shape is a sequence of parts: constant text, and
dynamic values with where each came from:

    def product_key(pid):
        return f"product:{pid}"

    def load(request, product_id):
        key = product_key(product_id)      # key_shapes(r.get(key)) ->
        return r.get(key)                  #   [ "product:" | parameter product_id ]

What is followed: local variables (every assignment that can reach the use, across
`if`/`else` and `try`/`except`), module and class constants, f-strings, `%`,
`.format`, `+`, `sep.join([...])`, `str(x)`, string methods (`lower`, `strip`…), key
builders defined in the module (functions, `self.`/`cls.` methods, `functools.partial`
over them) with their parameters replaced by the caller's arguments, and a loop
variable over `scan_iter(match="ns:*")`/`keys("ns:*")`, which starts with `ns:`.

What is not: builders imported from other modules, unknown calls and methods, a
parameter or attribute whose name says it already is a key (`key`, `cache_key`,
`*_key`, `k`): their parts are *opaque* ("the caller's business"): they may hold
constant text, a namespace, or a whole key, and no rule may assume otherwise.

Everything is computed on demand and memoised per expression; no rule re-walks the tree.
"""
from __future__ import annotations

import dataclasses
import enum
import functools
import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import libcst as cst

from cachelint.model.cache.facts import CacheOp
from cachelint.model.core.collect import Site
from cachelint.model.core.module import SourceModule
from cachelint.model.core.reaching import Step
from cachelint.model.core.scopes import Binding, Scope, dotted, qualified_name
from cachelint.model.core.values import find_argument, number_value, string_value
from cachelint.model.core.words import is_key_name
from cachelint.model.spec import Kind

DEFAULT_SEPARATOR = ":"
MAX_SHAPES = 8  # alternatives kept per expression; more are dropped
_MAX_ACTIVE = 40  # nesting of expressions being resolved (builders calling builders…)
_GLOB = re.compile(r"[*?\[]")
_PERCENT = re.compile(r"%(?:\((\w+)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])")
# Calls and methods that give their argument's (or receiver's) text back, changed in case
# or whitespace at most: the parts of what they are given are the parts of the result.
_STRING_OF = {"str", "format"}
_STRING_METHODS = {
    "lower": str.lower, "upper": str.upper, "casefold": str.casefold, "title": str.title,
    "strip": None, "lstrip": None, "rstrip": None, "encode": None, "decode": None,
}
# Calls whose result is a plain value (a number, an id, a timestamp, a digest), never a key.
_VALUE_MODULES = (
    "time.", "datetime.", "uuid.", "random.", "secrets.", "hashlib.", "math.", "os.urandom", "os.getpid",
    "django.utils.timezone.", "zlib.", "binascii.",
)
_VALUE_BUILTINS = {"int", "float", "len", "hash", "id", "round", "abs", "repr", "ord", "sum", "min", "max", "bool"}
_VALUE_METHODS = {"hexdigest", "digest", "hex", "isoformat", "strftime", "timestamp", "date", "count"}
_MAP = "map"
_PARTIAL = {"functools.partial"}
_COLLECTIONS = ("list", "tuple", "sorted", "set", "frozenset")


class Source(str, enum.Enum):
    """Where a part of a key comes from; `Part.name` says which one."""

    CONSTANT = "constant"  # literal text (also module and class constants followed)
    PARAMETER = "parameter"  # a parameter of the function the key is built in: its name
    ATTRIBUTE = "attribute"  # `obj.attr`: the dotted text, `request.user.id`, `self.slug`
    CALL = "call"  # a call's result: the callee, qualified through imports (`uuid.uuid4`),
    #               or `.method` for a method of something else (`.hexdigest`, `.strftime`)
    SUBSCRIPT = "subscript"  # `row["id"]`: the constant index (`id`), else the container's name
    LOOP = "loop"  # a `for` variable: its name; over a key scan it is the part the glob matches
    NAME = "name"  # a variable the module does not say the value of (imported, unpacked…)
    EXPRESSION = "expression"  # anything else: arithmetic, comprehensions…


@dataclass(frozen=True, eq=False)
class Part:
    """One piece of a key: constant text, or a dynamic value and where it came from.

    `node` is the expression the value comes from, after following variables (for
    `ts = time.time(); key = f"a:{ts}"`, the part's node is `time.time()` and its `via`
    is the variable `ts`); `scope` is where `node` is, to resolve the names inside it.
    For a PARAMETER part `node` is the `cst.Param` and `scope` that function's scope.
    """

    source: Source
    text: str = ""  # CONSTANT: the text
    name: str = ""  # see Source
    node: cst.CSTNode | None = None
    scope: Scope | None = None
    via: tuple[Step, ...] = ()  # variables followed, from the key's side to the value
    opaque: bool = False  # may itself hold key text (a namespace, a whole key)
    spec: str = ""  # the format spec it is written with: `%Y-%m-%d` in `f"{now:%Y-%m-%d}"`
    # A part of a key builder's body, seen from a call of the builder: each parameter it
    # names, with the argument the call gives it (innermost builder first), so that it reads
    # as the caller's (`quote(username)`, not `quote(value)` of `def _segment(value)`).
    renames: tuple[tuple[str, cst.CSTNode, Scope], ...] = ()  # and the scope the argument is read in

    @property
    def read_in(self) -> Scope | None:
        """The scope whose names the part's text reads: the last call's, once renamed."""
        return self.renames[-1][2] if self.renames else self.scope

    @property
    def is_constant(self) -> bool:
        return self.source is Source.CONSTANT

    def following(self, step: Step) -> Part:
        return Part(self.source, self.text, self.name, self.node, self.scope, (step, *self.via), self.opaque, self.spec,
                    self.renames)

    def render(self, code: Callable[[cst.CSTNode], str]) -> str:
        """How the value is spelled: its variable (`uid` for `uid = request.user.id`), its
        parameter, or its source; `code` gives the source of a node."""
        if self.is_constant:
            return self.text
        if self.via and self.via[-1].value is self.node:
            return self.via[-1].name
        if self.source is Source.PARAMETER or self.node is None:
            return self.name or "…"
        if not self.renames:
            return " ".join(code(self.node).split())
        node = self.node
        for name, argument, _ in self.renames:  # `code` spells the original nodes, not these
            renamed = node.visit(_Renamed(name, argument))
            node = renamed if isinstance(renamed, cst.CSTNode) else node  # a Name is never removed
        return " ".join(_EMPTY.code_for_node(node).split())


_EMPTY = cst.Module([])


class _Renamed(cst.CSTTransformer):
    """A name read in an expression replaced by another expression (attributes and
    keywords of the same name are not reads of it)."""

    def __init__(self, name: str, argument: cst.CSTNode) -> None:
        self.name, self.argument = name, argument

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        argument = self.argument
        return argument if original.value == self.name and isinstance(argument, cst.BaseExpression) else updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        return updated.with_changes(attr=original.attr)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(keyword=original.keyword)


class Passed(NamedTuple):
    """What one call passes for a parameter: the call, the argument, its shapes."""

    site: Site
    argument: cst.BaseExpression
    shapes: tuple[KeyShape, ...]


@dataclass(frozen=True, eq=False)
class KeyShape:
    """One possible shape of a key; adjacent constant parts are merged. What is read from
    its parts is kept once read: rules and the project facts ask each shape again and again."""

    parts: tuple[Part, ...]

    @functools.cached_property
    def first(self) -> Part | None:
        return self.parts[0] if self.parts else None

    @functools.cached_property
    def prefix(self) -> str:
        """The constant text before the first dynamic or opaque part."""
        first = self.first
        return first.text if first is not None and first.is_constant else ""

    @functools.cached_property
    def constant(self) -> bool:
        return all(part.is_constant for part in self.parts)

    @functools.cached_property
    def known(self) -> bool:
        """No opaque part: the module says what every part of the key is."""
        return not any(part.opaque for part in self.parts)

    @functools.cached_property
    def skeleton(self) -> tuple[str | None, ...]:
        """The constant texts, with None for each dynamic part: `("product:", None, ":price")`;
        two keys with one skeleton name entries of one kind."""
        return tuple(part.text if part.is_constant else None for part in self.parts)

    @functools.cached_property
    def dynamic(self) -> tuple[Part, ...]:
        return tuple(part for part in self.parts if not part.is_constant)

    def namespace(self, separator: str = DEFAULT_SEPARATOR) -> str | None:
        """The constant text before the first `separator`: `product` for `product:{pid}`;
        None when the prefix has no separator (`f"{pid}:x"`, `f"product{pid}"`)."""
        head, found, _ = self.prefix.partition(separator)
        return head if found else None

    def render(self, code: Callable[[cst.CSTNode], str]) -> str:
        """The key as f-string text, `product:{pid}`, with `code` giving each part's source."""
        return "".join(
            part.text.replace("{", "{{").replace("}", "}}") if part.is_constant else "{" + part.render(code) + "}"
            for part in self.parts
        )


def describe_key(code: Callable[[cst.CSTNode], str], key: cst.BaseExpression, shape: KeyShape) -> str:
    """The key for a message: `f"{pid}:rules"` as written or as a variable holds it, or
    `legs_key(route_id)` (built as `f"{route_id}:legs"`) when a builder makes it."""
    built = f'f"{shape.render(code)}"'
    written = " ".join(code(key).split())
    if len(shape.parts) == 1 and not shape.parts[0].is_constant:
        return f"`{written}`"
    if isinstance(key, (cst.Name, cst.FormattedString)) or written == built:
        return f"`{built}`"
    return f"`{written}` (built as `{built}`)"


def named_keys(op: CacheOp) -> tuple[cst.BaseExpression, ...]:
    """Every key a cache call names, each to be judged on its own: its key; each positional
    argument of a call that takes several (`r.delete(k1, k2)`); each element of a list
    display of keys (`cache.delete_many([k1, k2])`); each key of a dict display it stores
    (`cache.set_many({f"product:{pid}": p})`, `r.mset({...})`), directly or through a
    local variable assigned once, or of a list of pairs (aiocache `multi_set([(k, v)])`).
    A collection built elsewhere and `*keys` name keys the analysis cannot see, and a
    `key_prefix` argument, or a project wrapper that puts text around the key, makes keys
    it cannot spell."""
    found = op._named_keys
    if found is None:
        found = op._named_keys = tuple(_named_keys(op))
    return found


def _named_keys(op: CacheOp) -> list[cst.BaseExpression]:
    if op.call is not None and op.spec.key_prefix is not None and find_argument(op.call, op.spec.key_prefix) is not None:
        return []
    if op.spec.key_affix != ("", ""):  # a project wrapper's key: the caller's argument is only its middle
        return []
    mapping = _assigned_display(op) if op.key is None and not op.spec.variadic_keys else None
    if op.spec.variadic_keys and op.call is not None:
        named = [arg.value for arg in op.call.args if arg.keyword is None and not arg.star]
    elif op.key is not None:
        named = [op.key]
    elif isinstance(mapping, cst.Dict):
        return [element.key for element in mapping.elements if isinstance(element, cst.DictElement)]
    elif isinstance(mapping, (cst.List, cst.Tuple)):
        pairs = [element.value for element in mapping.elements]
        return [pair.elements[0].value for pair in pairs if isinstance(pair, cst.Tuple) and len(pair.elements) == 2]
    else:
        return []
    found = []
    for key in named:
        if isinstance(key, cst.List) and op.spec.joined_key is None:  # never a key itself (it cannot be hashed)
            found += [element.value for element in key.elements if isinstance(element, cst.Element)]
        else:
            found.append(key)
    return found


def _assigned_display(op: CacheOp) -> cst.BaseExpression | None:
    """The value `op` stores, or what the local variable it names was assigned, when its
    function assigns it once."""
    value = op.value
    if isinstance(value, cst.Name):
        bindings = op.scope.bindings.get(value.value, [])
        if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].order < op.order:
            value = bindings[0].assigned
    return value if isinstance(value, (cst.Dict, cst.List, cst.Tuple)) else None


def _constant(text: str) -> Part:
    return Part(Source.CONSTANT, text=text)


constant = _constant


Shape = tuple[Part, ...]


def _product(*choices: list[Shape]) -> list[Shape]:
    """Every concatenation of one alternative from each list, at most MAX_SHAPES."""
    result: list[Shape] = [()]
    for alternatives in choices:
        result = [left + right for left in result for right in alternatives][:MAX_SHAPES]
    return result


def _between(separator: list[Shape], choices: list[list[Shape]]) -> list[list[Shape]]:
    """`choices` with `separator` between each two."""
    return [each for index, choice in enumerate(choices) for each in ([separator, choice] if index else [choice])]


def merged(parts: Shape) -> Shape:
    """`parts` with adjacent constant texts joined and empty ones left out."""
    return _merge(parts)


def _merge(parts: Shape) -> Shape:
    merged: list[Part] = []
    for part in parts:
        if part.is_constant and merged and merged[-1].is_constant:
            merged[-1] = _constant(merged[-1].text + part.text)
        elif not (part.is_constant and not part.text):
            merged.append(part)
    return tuple(merged)


class KeyShapes:
    """Resolves expressions of one module into key shapes; memoised per expression."""

    def __init__(self, source: SourceModule, op_at: Callable[[cst.BaseExpression], CacheOp | None],
                 ops: Sequence[CacheOp] = ()) -> None:
        self.functions = source.functions
        self.spans = source.spans
        self.reaching = source.reaching
        self.call_resolver = source.call_resolver
        self.sites = source.calls  # every call of the module
        self.op_at = op_at
        self._memo: dict[cst.CSTNode, list[Shape]] = {}
        self._of: dict[cst.CSTNode, tuple[KeyShape, ...]] = {}  # of(): _memo's shapes, merged
        self._active: set[cst.CSTNode] = set()
        self._returns: dict[cst.FunctionDef, list[Shape]] = {}
        self._callers: dict[cst.FunctionDef, list[tuple[Site, _Builder]]] | None = None
        self._ops = ops  # the module's operations: those whose key is a sequence joined (`_joined_keys`)
        self._joined: dict[cst.CSTNode, str] | None = None  # see `_joined_keys`
        # cachelint.model.cache.expiry's index of the keys some operations expire, and those operations
        self.expired: tuple[Sequence[CacheOp], dict[tuple[int, tuple], set[int]]] | None = None

    # ------------------------------------------------------------------ public

    def of_op(self, op: CacheOp) -> tuple[KeyShape, ...]:
        """The possible shapes of `op`'s key; empty when the operation has no key."""
        return () if op.key is None else self.of(op.key, op.scope)

    def of(self, expr: cst.BaseExpression, scope: Scope) -> tuple[KeyShape, ...]:
        """The possible shapes of any expression evaluated in `scope`."""
        found = self._of.get(expr)
        if found is None:
            shapes = self._shapes(expr, scope)
            found = tuple(KeyShape(_merge(parts)) for parts in shapes)
            if self._memo.get(expr) is shapes:  # not a stand-in for an expression being resolved
                self._of[expr] = found
        return found

    def passed(self, parameter: Part) -> list[Passed]:
        """The calls of this module of the function `parameter` (a PARAMETER part) belongs
        to, each with what it passes for that parameter (its default when it passes
        nothing) and that value's shapes."""
        function = parameter.scope.node if parameter.scope is not None else None
        if not isinstance(function, cst.FunctionDef):
            return []  # only a function of the module is called
        found = []
        for site, builder in self._calls_of().get(function, ()):
            argument = builder.arguments(site.node, site.scope).get(parameter.name)
            if argument is not None:
                found.append(Passed(site, argument[0], self.of(*argument)))
        return found

    def _calls_of(self) -> dict[cst.FunctionDef, list[tuple[Site, _Builder]]]:
        """Every call of the module that runs a function of the module, by function."""
        if self._callers is None:
            self._callers = {}
            for site in self.sites:
                builder = self._builder(site.node.func, site.scope)
                if builder is not None:
                    self._callers.setdefault(builder.definition, []).append((site, builder))
        return self._callers

    # ------------------------------------------------------------------ resolution

    def _shapes(self, expr: cst.BaseExpression, scope: Scope) -> list[Shape]:
        memo = self._memo.get(expr)
        if memo is not None:
            return memo
        if expr in self._active or len(self._active) > _MAX_ACTIVE:
            return [(Part(Source.EXPRESSION, node=expr, scope=scope, opaque=True),)]
        self._active.add(expr)
        try:
            shapes = self._resolve(expr, scope) or [(Part(Source.EXPRESSION, node=expr, scope=scope, opaque=True),)]
        finally:
            self._active.discard(expr)
        self._memo[expr] = shapes
        return shapes

    def _resolve(self, expr: cst.BaseExpression, scope: Scope) -> list[Shape]:
        # Exact types, cheaper than failing `isinstance` tests (no node class has subclasses).
        if type(expr) is cst.SimpleString:
            value = string_value(expr)
            return [(_constant(value.decode("utf-8", "replace") if isinstance(value, bytes) else value),)]
        if type(expr) is cst.Integer or type(expr) is cst.Float:
            return [(_constant(str(number_value(expr))),)]
        if type(expr) is cst.ConcatenatedString:
            return _product(self._shapes(expr.left, scope), self._shapes(expr.right, scope))
        if type(expr) is cst.FormattedString:
            return self._formatted(expr, scope)
        if type(expr) is cst.Name:
            return self._name(expr, scope)
        if type(expr) is cst.Attribute:
            return self._attribute(expr, scope)
        if type(expr) is cst.Call:
            return self._call(expr, scope)
        if type(expr) is cst.BinaryOperation:
            return self._binary(expr, scope)
        if type(expr) is cst.Await:
            return self._shapes(expr.expression, scope)
        if type(expr) is cst.IfExp:
            return (self._shapes(expr.body, scope) + self._shapes(expr.orelse, scope))[:MAX_SHAPES]
        if type(expr) is cst.BooleanOperation:
            return (self._shapes(expr.left, scope) + self._shapes(expr.right, scope))[:MAX_SHAPES]
        if type(expr) is cst.Subscript:
            return [(self._subscript(expr, scope),)]
        if type(expr) is cst.Tuple or type(expr) is cst.List or type(expr) is cst.Set:
            elements = [e.value for e in expr.elements if not isinstance(e, cst.StarredElement)]
            if len(elements) != len(expr.elements) or not elements:
                return []
            joined = self._joined_keys().get(expr)
            if joined is not None:  # djblets' `("dmarc-record", hostname)`: `dmarc-record:{hostname}`
                return _product(*_between([(_constant(joined),)], [self._shapes(element, scope) for element in elements]))
            if type(expr) is cst.Tuple:  # a composite key `(user_id, "profile")`: its parts in order, as a tuple
                return _product([(_constant("("),)], *_between(
                    [(_constant(", "),)], [self._element(element, scope) for element in elements]),
                    [(_constant(",)" if len(elements) == 1 else ")"),)])
            # A list of keys (`get_many([...])`, `mget([...])`): each is a shape of the key.
            return [shape for element in elements for shape in self._shapes(element, scope)][:MAX_SHAPES]
        if type(expr) is cst.ListComp or type(expr) is cst.SetComp or type(expr) is cst.GeneratorExp:
            return self._shapes(expr.elt, scope)
        if type(expr) is cst.NamedExpr:
            return self._shapes(expr.value, scope)
        return []

    def _joined_keys(self) -> dict[cst.CSTNode, str]:
        """The tuple and list displays that are one key, by the text their elements are
        joined with (`Method.joined_key`): the key of such an operation, or what the local
        it names was assigned, when its function assigns it once."""
        if self._joined is None:
            self._joined = {}
            for op in self._ops:
                joined = op.spec.joined_key
                if joined is None or op.key is None:
                    continue
                key: cst.BaseExpression | None = op.key
                if type(key) is cst.Name:
                    bindings = op.scope.bindings.get(key.value, ())
                    key = bindings[0].assigned if len(bindings) == 1 and bindings[0].kind == "assign" else key
                if type(key) is cst.Tuple or type(key) is cst.List:
                    self._joined[key] = joined
        return self._joined

    def _element(self, element: cst.BaseExpression, scope: Scope) -> list[Shape]:
        """An element of a tuple key, a string quoted as the tuple holds it: `('user', {uid})`."""
        if type(element) is cst.SimpleString and isinstance(value := string_value(element), str):
            return [(_constant(repr(value)),)]
        return self._shapes(element, scope)

    def _formatted(self, expr: cst.FormattedString, scope: Scope) -> list[Shape]:
        choices: list[list[Shape]] = []
        for piece in expr.parts:
            if isinstance(piece, cst.FormattedStringText):
                choices.append([(_constant(piece.value.replace("{{", "{").replace("}}", "}")),)])
            elif isinstance(piece, cst.FormattedStringExpression):  # the only other kind of piece
                spec = "".join(getattr(text, "value", "") for text in piece.format_spec or ())
                choices.append(_with_spec(self._shapes(piece.expression, scope), spec))
        return _product(*choices)

    # ---- names

    def _name(self, name: cst.Name, scope: Scope) -> list[Shape]:
        position = self.spans.start(name)
        bindings = self.reaching.bindings(name.value, scope, position)
        if not bindings:
            if name.value in ("None", "True", "False"):
                return [(_constant(name.value),)]
            return [(self._named(Source.NAME, name.value, name, scope),)]
        shapes: list[Shape] = []
        for binding in bindings[:MAX_SHAPES]:
            shapes += self._binding(name, binding)
        return shapes[:MAX_SHAPES]

    def _binding(self, name: cst.Name, binding: Binding) -> list[Shape]:
        scope = binding.scope
        if binding.kind == "assign" and isinstance(binding.value, cst.BaseExpression):
            step = Step(name.value, scope, binding.value)
            return [tuple(part.following(step) for part in shape) for shape in self._shapes(binding.value, scope)]
        if binding.kind == "param" and scope.kind == "function":
            return [(Part(Source.PARAMETER, name=name.value, node=binding.parameter, scope=scope,
                          opaque=is_key_name(name.value)),)]
        if binding.kind == "for" and isinstance(binding.value, cst.BaseExpression):
            return self._loop(name, binding.value, scope)
        if binding.kind == "import":
            return [(Part(Source.NAME, name=str(binding.value), node=name, scope=scope, opaque=True),)]
        return [(self._named(Source.NAME, name.value, name, scope),)]

    def _named(self, source: Source, name: str, node: cst.CSTNode, scope: Scope) -> Part:
        last = name.rsplit(".", 1)[-1]
        # An unresolved UPPER_CASE name is a constant defined elsewhere: it may be a namespace.
        opaque = is_key_name(name) or (last.isupper() and len(last) > 1)
        return Part(source, name=name, node=node, scope=scope, opaque=opaque)

    def _loop(self, name: cst.Name, iterable: cst.BaseExpression, scope: Scope) -> list[Shape]:
        """A loop variable: over a key scan, the scan's pattern up to its first glob."""
        pattern = self._scan_pattern(iterable, scope)
        if pattern is None:
            return [(Part(Source.LOOP, name=name.value, node=name, scope=scope, opaque=is_key_name(name.value)),)]
        matched = Part(Source.LOOP, name=name.value, node=name, scope=scope, opaque=True)
        # Under a pattern that is a value made elsewhere, whole (django-redis'
        # `make_pattern(pattern)`), the keys found are what the server holds: what they start
        # with, the pattern's maker decides.
        return [(matched,) if len(shape) == 1 and not shape[0].is_constant else _before_glob(shape) + (matched,)
                for shape in pattern]

    def _scan_pattern(self, iterable: cst.BaseExpression, scope: Scope, depth: int = 0) -> list[Shape] | None:
        """The shapes of the pattern of the key scan `iterable` is, or None when it is none.
        A scan without a pattern matches every key: its pattern is empty."""
        if depth > 4:
            return None
        while isinstance(iterable, cst.Await):
            iterable = iterable.expression
        if isinstance(iterable, cst.Name):
            values = self.reaching.values_of(iterable, scope)
            if len(values) != 1 or values[0].value is None:
                return None
            return self._scan_pattern(values[0].value, values[0].scope, depth + 1)
        if not isinstance(iterable, cst.Call):
            return None
        if isinstance(iterable.func, cst.Name) and iterable.func.value in _COLLECTIONS and iterable.args:
            return self._scan_pattern(iterable.args[0].value, scope, depth + 1)
        op = self.op_at(iterable)
        if op is None or op.kind not in (Kind.KEYS, Kind.SCAN) or op.spec.pattern is None:
            return None
        pattern = find_argument(iterable, op.spec.pattern)
        if not isinstance(pattern, cst.BaseExpression):
            return [()]
        return self._shapes(pattern, scope)

    # ---- attributes and subscripts

    def _attribute(self, attribute: cst.Attribute, scope: Scope) -> list[Shape]:
        text = dotted(attribute) or f"….{attribute.attr.value}"
        function = scope.function
        value = attribute.value
        if isinstance(value, cst.Name) and function is not None and function.owner is not None \
                and value.value == function.self_name:
            assigned = self._self_attribute(function.owner, attribute.attr.value, text)
            if assigned is not None:
                return assigned
        qualified = qualified_name(attribute, scope, self.spans.start(attribute))
        if qualified is not None:  # an attribute of an import: configuration, a constant…
            return [(Part(Source.ATTRIBUTE, name=qualified, node=attribute, scope=scope, opaque=True),)]
        return [(self._named(Source.ATTRIBUTE, text, attribute, scope),)]

    def _self_attribute(self, owner: Scope, attr: str, text: str) -> list[Shape] | None:
        """`self.prefix`: what the class body and its methods assign to it, unless one of
        them assigns a parameter (a value given from outside: the attribute stays itself)."""
        bindings = owner.attributes.get(attr, [])
        assigned = [(value, b.scope) for b in bindings if (value := b.assigned) is not None]
        if not bindings or len(assigned) != len(bindings):
            return None
        shapes: list[Shape] = []
        for value, value_scope in assigned:
            found = self._shapes(value, value_scope)
            if any(part.source is Source.PARAMETER for shape in found for part in shape):
                return None
            step = Step(text, value_scope, value)
            shapes += [tuple(part.following(step) for part in shape) for shape in found]
        return shapes[:MAX_SHAPES]

    def _subscript(self, subscript: cst.Subscript, scope: Scope) -> Part:
        container = dotted(subscript.value) or ""
        index = subscript.slice[0].slice if len(subscript.slice) == 1 else None
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            name = str(string_value(index.value))
        else:
            name = container
        if container.rsplit(".", 1)[-1].isupper():  # KEYS["product"]: a table of constants
            return Part(Source.SUBSCRIPT, name=name, node=subscript, scope=scope, opaque=True)
        return self._named(Source.SUBSCRIPT, name, subscript, scope)

    # ---- operators

    def _binary(self, expr: cst.BinaryOperation, scope: Scope) -> list[Shape]:
        if isinstance(expr.operator, cst.Add):
            return _product(self._shapes(expr.left, scope), self._shapes(expr.right, scope))
        if isinstance(expr.operator, cst.Modulo):
            template = self._constant_text(expr.left, scope)
            if template is not None:
                return self._percent(template, expr.right, scope)
        if isinstance(expr.operator, cst.Multiply) and isinstance(expr.right, cst.Integer):
            text = self._constant_text(expr.left, scope)  # "ab" * 3
            if text is not None:
                return [(_constant(text * int(number_value(expr.right))),)]
        return [(Part(Source.EXPRESSION, node=expr, scope=scope),)]

    def _constant_text(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        shapes = self._shapes(expr, scope)
        if len(shapes) != 1 or not all(part.is_constant for part in shapes[0]):
            return None
        return "".join(part.text for part in shapes[0])

    def _percent(self, template: str, values: cst.BaseExpression, scope: Scope) -> list[Shape]:
        """`"%s:%s" % (a, b)`, `"%(pk)s" % {"pk": pk}`, `"p:%d" % pid`."""
        if isinstance(values, cst.Tuple):
            positional = [e.value for e in values.elements]
        else:
            positional = [values]
        mapping = {}
        if isinstance(values, cst.Dict):
            mapping = {
                string_value(e.key): e.value for e in values.elements
                if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
            }
        choices: list[list[Shape]] = []
        position = end = 0
        for match in _PERCENT.finditer(template):
            choices.append([(_constant(template[end:match.start()]),)])
            end = match.end()
            if match.group(2) == "%":
                choices.append([(_constant("%"),)])
                continue
            if match.group(1) is not None:
                value = mapping.get(match.group(1))
            else:
                value = positional[position] if position < len(positional) else None
                position += 1
            choices.append(self._shapes(value, scope) if value is not None else [(self._unknown(values, scope),)])
        choices.append([(_constant(template[end:]),)])
        return _product(*choices)

    def _unknown(self, expr: cst.BaseExpression, scope: Scope) -> Part:
        return Part(Source.EXPRESSION, node=expr, scope=scope, opaque=True)

    # ---- calls

    def _call(self, call: cst.Call, scope: Scope) -> list[Shape]:
        func = call.func
        args = list(call.args)
        if isinstance(func, cst.Name) and func.value in _STRING_OF and len(args) == 1 and not args[0].star \
                and not scope.lookup(func.value, self.spans.start(func)):
            return self._shapes(args[0].value, scope)
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method == "format":
                template = self._constant_text(func.value, scope)
                if template is not None:
                    return self._format(template, call, scope)
            elif method == "join" and len(args) == 1 and not args[0].star:
                separator = self._constant_text(func.value, scope)
                if separator is not None:
                    joined = self._join(separator, args[0].value, scope)
                    if joined is not None:
                        return joined
            elif method in _STRING_METHODS:
                change = _STRING_METHODS[method]
                return [
                    tuple(_constant(change(p.text)) if change and p.is_constant else p for p in shape)
                    for shape in self._shapes(func.value, scope)
                ]
        builder = self._builder(func, scope)
        if builder is not None:
            return self._built(builder, call, scope)
        return [(self._call_part(call, scope),)]

    def _call_part(self, call: cst.Call, scope: Scope) -> Part:
        """An unresolved call, named after its callee. Opaque (it may return a key) unless it
        is known to return a plain value: a builtin, the standard library's clocks, ids,
        random numbers and hashes, or a method such as `.hexdigest()`/`.isoformat()`."""
        func = call.func
        qualified = qualified_name(func, scope, self.spans.start(call))
        if qualified is not None:
            value = qualified.startswith(_VALUE_MODULES)
            return Part(Source.CALL, name=qualified, node=call, scope=scope, opaque=not value)
        if isinstance(func, cst.Name) and not scope.lookup(func.value, self.spans.start(func)):
            return Part(Source.CALL, name=func.value, node=call, scope=scope, opaque=func.value not in _VALUE_BUILTINS)
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            return Part(Source.CALL, name="." + method, node=call, scope=scope, opaque=method not in _VALUE_METHODS)
        return Part(Source.CALL, name=dotted(func) or "", node=call, scope=scope, opaque=True)

    def _format(self, template: str, call: cst.Call, scope: Scope) -> list[Shape]:
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        if any(a.star for a in call.args):
            return [(self._unknown(call, scope),)]
        try:
            fields = list(string.Formatter().parse(template))
        except ValueError:
            return []
        choices: list[list[Shape]] = []
        auto = 0
        for literal, field, spec, _conversion in fields:
            choices.append([(_constant(literal),)])
            if field is None:
                continue
            base = re.split(r"[.\[]", field, maxsplit=1)[0]
            access = field[len(base):]  # "{0.pk}", "{obj[id]}": an attribute of the argument
            if base == "":
                base, auto = str(auto), auto + 1
            value = positional[int(base)] if base.isdigit() and int(base) < len(positional) else keywords.get(base)
            if value is None:
                choices.append([(self._unknown(call, scope),)])
            elif not access:
                choices.append(_with_spec(self._shapes(value, scope), spec or ""))
            else:
                choices.append([(self._named(Source.ATTRIBUTE, (dotted(value) or base) + access, value, scope),)])
        return _product(*choices)

    def _join(self, separator: str, iterable: cst.BaseExpression, scope: Scope) -> list[Shape] | None:
        if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name) \
                and iterable.func.value == _MAP and len(iterable.args) == 2:
            iterable = iterable.args[1].value  # ":".join(map(str, (a, b)))
        if isinstance(iterable, cst.Name):
            values = self.reaching.values_of(iterable, scope)
            if len(values) == 1 and isinstance(values[0].value, (cst.List, cst.Tuple)):
                iterable, scope = values[0].value, values[0].scope
        if not isinstance(iterable, (cst.List, cst.Tuple)) or not iterable.elements:
            return None
        if any(isinstance(e, cst.StarredElement) for e in iterable.elements):
            return None
        choices: list[list[Shape]] = []
        for index, element in enumerate(iterable.elements):
            if index:
                choices.append([(_constant(separator),)])
            choices.append(self._shapes(element.value, scope))
        return _product(*choices)

    # ---- builders defined in this module

    def _builder(self, func: cst.BaseExpression, scope: Scope, depth: int = 0) -> _Builder | None:
        """The function of this module `func` calls, with arguments bound by a `partial`."""
        if depth > 3:
            return None
        position = self.spans.start(func)
        if isinstance(func, cst.Name):
            bindings = scope.lookup(func.value, position)
            if len(bindings) == 1 and bindings[0].kind == "assign" and isinstance(bindings[0].value, cst.Call):
                return self._partial(bindings[0].value, bindings[0].scope, depth)
        callee = self.call_resolver.callee(func, scope, position)
        return _Builder(callee.function, callee.binds_first, (), {}) if callee is not None else None

    def _partial(self, call: cst.Call, scope: Scope, depth: int) -> _Builder | None:
        if qualified_name(call.func, scope, self.spans.start(call)) not in _PARTIAL or not call.args:
            return None
        if any(a.star for a in call.args):
            return None
        inner = self._builder(call.args[0].value, scope, depth + 1)
        if inner is None:
            return None
        positional = tuple((a.value, scope) for a in call.args[1:] if a.keyword is None)
        keywords = {a.keyword.value: (a.value, scope) for a in call.args[1:] if a.keyword is not None}
        return _Builder(inner.definition, inner.skip_first, inner.positional + positional, {**inner.keywords, **keywords})

    def _returned(self, definition: cst.FunctionDef) -> list[Shape]:
        """The shapes a builder returns, its own parameters left as PARAMETER parts."""
        found = self._returns.get(definition)
        if found is None:
            info = self.functions[definition]
            self._returns[definition] = []  # a builder that calls itself resolves to nothing
            found = []
            for ret in info.returns:
                if ret.value is not None and not (isinstance(ret.value, cst.Name) and ret.value.value == "None"):
                    found += self._shapes(ret.value, info.scope)
            found = found[:MAX_SHAPES]
            self._returns[definition] = found
        return found

    def _built(self, builder: _Builder, call: cst.Call, scope: Scope) -> list[Shape]:
        info = self.functions[builder.definition]
        returned = self._returned(builder.definition)
        if not returned:
            return [(self._call_part(call, scope),)]
        arguments = builder.arguments(call, scope)
        shapes: list[Shape] = []
        for shape in returned:
            choices: list[list[Shape]] = []
            for part in shape:
                argument = arguments.get(part.name) if part.source is Source.PARAMETER and part.scope is info.scope \
                    else None
                if argument is not None:
                    choices.append(self._shapes(*argument))
                elif not part.is_constant and part.source is not Source.PARAMETER and _within(part.read_in, info.scope):
                    renames = tuple((name, value, where) for name, (value, where) in arguments.items())
                    choices.append([(dataclasses.replace(part, renames=part.renames + renames),)])
                else:
                    choices.append([(part,)])
            shapes += _product(*choices)
        return shapes[:MAX_SHAPES]


@dataclass(frozen=True, eq=False)
class _Builder:
    """A function of this module called to build a key, with arguments a partial bound."""

    definition: cst.FunctionDef
    skip_first: bool  # a method called through self/cls
    positional: tuple[tuple[cst.BaseExpression, Scope], ...]
    keywords: dict[str, tuple[cst.BaseExpression, Scope]]

    def arguments(self, call: cst.Call, scope: Scope) -> dict[str, tuple[cst.BaseExpression, Scope]]:
        """Each parameter's argument (and the scope to read it in), default values included."""
        params = self.definition.params
        positional_params = [*params.posonly_params, *params.params][1 if self.skip_first else 0:]
        function_scope = None
        bound: dict[str, tuple[cst.BaseExpression, Scope]] = {}
        for param in [*positional_params, *params.kwonly_params]:
            if param.default is not None:
                function_scope = function_scope or self._defining_scope(scope)
                bound[param.name.value] = (param.default, function_scope)
        given = [*self.positional]
        for argument in call.args:
            if argument.star:
                return {}
            if argument.keyword is None:
                given.append((argument.value, scope))
        for param, value in zip(positional_params, given):
            bound[param.name.value] = value
        bound.update(self.keywords)
        bound.update({a.keyword.value: (a.value, scope) for a in call.args if a.keyword is not None})
        return bound

    def _defining_scope(self, scope: Scope) -> Scope:
        while scope.parent is not None:
            scope = scope.parent
        return scope  # defaults are evaluated where the def is; the module is close enough


def _within(scope: Scope | None, function: Scope) -> bool:
    """Whether `scope` is `function`'s own or one nested in it."""
    while scope is not None:
        if scope is function:
            return True
        scope = scope.parent
    return False


def _with_spec(shapes: list[Shape], spec: str) -> list[Shape]:
    """A value formatted with `spec`: the spec is recorded on a value that is the whole field."""
    if not spec:
        return shapes
    return [
        (dataclasses.replace(shape[0], spec=spec),) if len(shape) == 1 and not shape[0].is_constant else shape
        for shape in shapes
    ]


def _before_glob(shape: Shape) -> Shape:
    """The parts of a scan pattern before its first glob character."""
    kept: list[Part] = []
    for part in shape:
        if not part.is_constant:
            kept.append(part)
            break
        match = _GLOB.search(part.text)
        if match:
            kept.append(_constant(part.text[:match.start()]))
            break
        kept.append(part)
    return tuple(kept)
