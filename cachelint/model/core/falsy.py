"""Which falsy values an expression can have: the evidence a truthiness test needs.

    def seasonal(month):
        names = list(Beer.objects.filter(season=month).values_list("name", flat=True))
        cache.set(key, names, 3600)        # falsy(names) -> {EMPTY}: the list can be empty

    def card(author_id):
        author = get_object_or_404(Author, pk=author_id)
        card = {"id": author.pk, "name": author.name}
        cache.set(key, card, 600)          # falsy(card) -> {}: a non-empty dict is never falsy

`falsy(expr, scope)` answers with the kinds of falsy value the expression can take (empty
when it is never falsy), or None when the module does not say. What is known:

- literals and displays; an empty display a variable starts from (`result = {}`, filled in a
  loop that may not run; never empty when a key is added on every path to the use), every
  assignment that can reach a use counted, except those a guard on the way made truthy
  (`if not x: return`, `if not x: x = load()`: cachelint.model.core.narrowing);
- `a or b` (what `b` can be), `a and b`, `x if c else y`, `await x`;
- counts and sizes (`len`, `sum`, `.count()`: zero), queries (`.filter(...)`,
  `.values_list(...)`, `.fetchall()`: empty), collections drawn from something (`list(x)`,
  comprehensions: as empty as `x`; possibly empty when `x` is data that varies with the
  function's input, unknown when it is a fixed table), lookups that find nothing
  (`.first()`, `.fetchone()`, `dict.get`: None), `json.loads` (anything), text that can be
  empty (`.strip()`, `"".join(...)`);
- values that are never falsy: a model instance (`Model.objects.get(...)`, `.create(...)`,
  `get_object_or_404`), an instance of a class of the module without `__bool__`/`__len__`,
  an HTTP response, `json.dumps(...)`, a digest or a token (`secrets.token_*`, `uuid4().hex`,
  `"".join(random.choice(ALPHABET) for _ in range(16))`, `"".join(random.choices(ALPHABET, k=16))`),
  an f-string with constant text;
- an attribute the function itself sets on every path to the use (`self.aliases = {}`, then
  filled in a loop), as a variable would be; unknown when a method of the object runs, or
  the object is passed to a call, in between (either may set it);
- a slice (`items[:10]`): empty when what it slices can be;
- a parameter: what the module's calls of its function pass for it (or its default);
- a function or method of the module the call resolver finds: what its `return` statements
  give (None when one returns nothing; unknown for a body that only raises or passes, which
  subclasses override).

An HTTP body (`response.json()`) is unknown: what a service answers is not in the code.

Anything else, and any value that depends on one, is unknown.
"""
from __future__ import annotations

import enum
from typing import cast

import libcst as cst

from cachelint.model.core.calls import CallResolver, argument_for
from cachelint.model.core.narrowing import Narrowing
from cachelint.model.core.nodes import children
from cachelint.model.core.reaching import ReachingDefinitions
from cachelint.model.core.scopes import Scope, qualified_name
from cachelint.model.core.values import constant_truth, number_value, string_value


class Falsy(str, enum.Enum):
    """A kind of falsy value."""

    NONE = "None"
    EMPTY = "empty collection"
    ZERO = "0"
    FALSE = "False"
    EMPTY_TEXT = "empty string"


Kinds = frozenset  # of Falsy; empty: never falsy
NEVER: Kinds = frozenset()
_ANY = frozenset(Falsy)
_MAX_DEPTH = 6
_LAST = 1 << 62

_COLLECTIONS = frozenset({"list", "tuple", "set", "frozenset", "dict", "sorted"})
_NUMBERS = frozenset({"len", "sum", "int", "float", "abs", "round", "min", "max"})
_NEVER_CALLS = frozenset({
    "json.dumps", "orjson.dumps", "pickle.dumps", "uuid.uuid4", "uuid.uuid1", "uuid.UUID",
    "django.shortcuts.get_object_or_404", "django.shortcuts.render", "django.shortcuts.redirect",
    "flask.jsonify", "flask.render_template", "flask.redirect",
})
_NEVER_PREFIXES = ("secrets.token_", "hashlib.")
_ANYTHING_CALLS = frozenset({"json.loads", "orjson.loads", "pickle.loads", "ujson.loads", "simplejson.loads"})
# Methods by what they give: a query's collection, a lookup that may find nothing, a count…
_QUERY_METHODS = frozenset({
    "all", "filter", "exclude", "values_list", "order_by", "distinct", "dates", "datetimes",
    "fetchall", "fetchmany", "annotate", "select_related", "prefetch_related", "only", "defer", "scalars",
})
_EMPTY_METHODS = _QUERY_METHODS | {"split", "findall", "values"}  # `values("name")`: a query's rows
# A view of the mapping it is called on, as empty as it is (on a manager, `values` is a query).
_VIEW_METHODS = frozenset({"keys", "items", "values"})
_NONE_METHODS = frozenset({"first", "last", "fetchone", "one_or_none", "scalar", "scalar_one_or_none", "find_one"})
_ZERO_METHODS = frozenset({"count"})
_FALSE_METHODS = frozenset({"exists"})
_TEXT_METHODS = frozenset({"strip", "lstrip", "rstrip", "join", "lower", "upper", "replace", "decode", "format"})
_METHOD_KINDS = (
    (_EMPTY_METHODS, Falsy.EMPTY), (_NONE_METHODS, Falsy.NONE), (_ZERO_METHODS, Falsy.ZERO),
    (_FALSE_METHODS, Falsy.FALSE), (_TEXT_METHODS, Falsy.EMPTY_TEXT),
)
_NEVER_METHODS = frozenset({"hexdigest", "hex", "isoformat", "create", "get_or_create", "update_or_create"})
_MANAGERS = frozenset({"objects", "query", "_default_manager"})
# `random.choices(population, k=16)`, `random.sample(population, 16)`: a list of that many
# elements drawn from the population (`choices` draws one when `k` is left out).
_DRAWS = frozenset({"choices", "sample"})
_NEVER_ATTRIBUTES = frozenset({"hex", "pk", "id"})
_DISPLAYS = frozenset({cst.List, cst.Tuple, cst.Set, cst.Dict})
_COMPREHENSIONS = frozenset({cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp})


class Falsiness:
    """Answers `falsy(expr, scope)` for the expressions of one module."""

    def __init__(self, reaching: ReachingDefinitions, spans, resolver: CallResolver) -> None:
        self.reaching = reaching
        self.spans = spans  # node -> Span
        self.resolver = resolver
        self.narrowing = Narrowing(reaching, spans)
        self._returned: dict[cst.FunctionDef, Kinds | None] = {}
        self._attribute_binds: dict[cst.FunctionDef, dict[str, list[tuple[int, cst.BaseExpression | None]]]] = {}
        self._handed: dict[cst.FunctionDef, dict[str, list[int]]] = {}
        self._known: frozenset[cst.CSTNode] = frozenset()

    def falsy(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0,
              known: frozenset[cst.CSTNode] = frozenset()) -> Kinds | None:
        """`known`: expressions whose value adds nothing (a read of the cache being judged)."""
        self._known = known
        return self._falsy(expr, scope, depth)

    def _falsy(self, expr: cst.BaseExpression, scope: Scope, depth: int) -> Kinds | None:
        if depth > _MAX_DEPTH:
            return None
        if expr in self._known:
            return NEVER
        truth = constant_truth(expr)
        if truth is not None:
            return NEVER if truth else frozenset({_literal_kind(expr)})
        # Exact types, cheaper than failing `isinstance` tests (no node class has subclasses).
        kind = type(expr)
        if kind in _DISPLAYS:
            return NEVER  # non-empty (an empty one is a constant)
        if kind in _COMPREHENSIONS:
            return self._comprehension(cast(cst.BaseComp, expr), scope, depth)
        if type(expr) is cst.FormattedString:
            text = any(isinstance(part, cst.FormattedStringText) and part.value for part in expr.parts)
            return NEVER if text else None
        if type(expr) is cst.Await:
            return self._falsy(expr.expression, scope, depth + 1)
        if type(expr) is cst.BooleanOperation:
            right = self._falsy(expr.right, scope, depth + 1)
            if isinstance(expr.operator, cst.Or):
                return right
            return _union(self._falsy(expr.left, scope, depth + 1), right)
        if type(expr) is cst.IfExp:
            return _union(self._falsy(expr.body, scope, depth + 1), self._falsy(expr.orelse, scope, depth + 1))
        if type(expr) is cst.Name:
            return self._name(expr, scope, depth)
        if type(expr) is cst.Call:
            return self._call(expr, scope, depth)
        if type(expr) is cst.Attribute and expr.attr.value in _NEVER_ATTRIBUTES:
            return NEVER
        if type(expr) is cst.Attribute and type(expr.value) is cst.Name:
            return self._attribute(expr, expr.value.value, scope, depth)
        if type(expr) is cst.Subscript and any(isinstance(element.slice, cst.Slice) for element in expr.slice):
            # `items[:10]` is empty when `items` is (and may be when it is not: `[:0]`).
            empty = (self._falsy(expr.value, scope, depth + 1) or NEVER) & {Falsy.EMPTY, Falsy.EMPTY_TEXT}
            return frozenset(empty) if empty else None
        return None

    def _name(self, name: cst.Name, scope: Scope, depth: int) -> Kinds | None:
        """Every assignment that can reach the use counts: `result = {}` then filled in a
        loop that may not run is empty when it does not. One a guard has tested on the way
        (`if not x: return`) is truthy there."""
        use = self.spans.start(name)
        bindings = self.reaching.bindings(name.value, scope, use)
        if len(bindings) == 1 and bindings[0].kind == "param":
            return self._passed(name.value, bindings[0].scope, depth)
        assigned = [(binding, value) for binding in bindings if (value := binding.assigned) is not None]
        if not bindings or len(assigned) != len(bindings):
            return None
        truthy_before = self.narrowing.truthy_after(name.value, scope, use) if bindings[0].scope is scope else 0
        found: Kinds | None = NEVER
        for binding, value in assigned:
            if binding.order < truthy_before:
                continue
            if binding.scope is scope and _empty_collection(value):
                found = _union(found, self._filled(name.value, binding.scope, binding.order, use, depth))
            else:
                found = _union(found, self._falsy(value, binding.scope, depth + 1))
        return found

    def _attribute(self, expr: cst.Attribute, receiver: str, scope: Scope, depth: int) -> Kinds | None:
        """`self.aliases` where the function itself set it, on every path to the use
        (`self.aliases = {}`, then filled in a loop): what it was set to, as for a variable.
        Unknown when the object is handed to a call or a method of it runs in between
        (which may set the attribute), or the function does not set it."""
        function = scope.node
        if not isinstance(function, cst.FunctionDef):
            return None
        use = self.spans.start(expr)
        dotted = f"{receiver}.{expr.attr.value}"
        writes = self._attribute_writes(function).get(dotted, [])
        reaching: list[tuple[int, cst.BaseExpression | None]] = []
        for start, value in reversed([write for write in writes if write[0] < use]):
            if self.reaching.exclusive(scope, start, use):
                continue  # `self.aliases = c` on the hit's branch, the use on the miss's
            reaching.append((start, value))
            if self.reaching.runs_before(scope, start, use):
                break
        else:
            return None  # not set on every path: what it held before is not known here
        first = reaching[-1][0]
        if any(first < at < use for at in self._handed_over(function).get(receiver, ())):
            return None
        found: Kinds | None = NEVER
        for start, value in reaching:
            if value is None:
                return None
            found = _union(found, self._filled(dotted, scope, start, use, depth) if _empty_collection(value)
                           else self._falsy(value, scope, depth + 1))
        return found

    def _attribute_writes(self, function: cst.FunctionDef) -> dict[str, list[tuple[int, cst.BaseExpression | None]]]:
        """Each `name.attr` the function's own body binds, with where and to what (None: not
        an assignment of one value, such as `+=` or a tuple target)."""
        found = self._attribute_binds.get(function)
        if found is None:
            found = self._attribute_binds[function] = {}
            for node in _own_nodes(function.body):
                targets: list[tuple[cst.BaseExpression, cst.BaseExpression | None]] = []
                if type(node) is cst.Assign:
                    single = len(node.targets) == 1
                    targets = [(target.target, node.value if single else None) for target in node.targets]
                elif type(node) is cst.AnnAssign or type(node) is cst.AugAssign:
                    targets = [(node.target, node.value if type(node) is cst.AnnAssign else None)]
                elif type(node) is cst.Del:
                    targets = [(node.target, None)]
                for target, value in targets:
                    for bound in _targets(target):
                        if type(bound) is cst.Attribute and type(bound.value) is cst.Name:
                            name = f"{bound.value.value}.{bound.attr.value}"
                            known = value if bound is target else None
                            found.setdefault(name, []).append((self.spans.start(node), known))
            for writes in found.values():
                writes.sort(key=lambda write: write[0])
        return found

    def _handed_over(self, function: cst.FunctionDef) -> dict[str, list[int]]:
        """Where the function's own body calls a method of a name (`self.load()`) or passes
        the name to a call: either may set any attribute of it."""
        found = self._handed.get(function)
        if found is None:
            found = self._handed[function] = {}
            for node in _own_nodes(function.body):
                if type(node) is not cst.Call:
                    continue
                call = node
                names = [arg.value for arg in call.args]
                if isinstance(call.func, cst.Attribute):
                    names.append(call.func.value)
                for name in names:
                    if type(name) is cst.Name:
                        found.setdefault(name.value, []).append(self.spans.start(call))
        return found

    def _passed(self, name: str, function: Scope, depth: int) -> Kinds | None:
        """A parameter is what the module's calls of its function pass for it (or its
        default): `cls.cache_data(data[:10])` after `data = cls.load()`. Unknown when the
        module makes no such call, or passes it by `*args`."""
        definition = function.node
        calls = self.resolver.calls_of(definition) if isinstance(definition, cst.FunctionDef) else []
        found: Kinds | None = None if not calls else NEVER
        for call, scope, callee in calls:
            argument = argument_for(call, callee, name)
            found = _union(found, self._falsy(argument, scope, depth + 1) if argument is not None else None)
        return found

    def _filled(self, name: str, scope: Scope, bound: int, use: int, depth: int) -> Kinds | None:
        """An empty collection bound to `name` (a variable, or `self.attr`) at `bound`, as it is
        at `use`: never empty when something is added on every path there; unknown when it
        is only added to in loops over data the function is not given (a fixed table);
        otherwise possibly empty."""
        fills = self.narrowing.fills(name, scope, bound, use)
        if any(fill.always for fill in fills):
            return NEVER
        loops = {loop for fill in fills for loop in fill.loops}
        if fills and all(fill.loops for fill in fills) and not any(
                not isinstance(loop, cst.For) or self._varies(loop.iter, scope, depth) for loop in loops):
            return None
        return frozenset({Falsy.EMPTY})

    def _comprehension(self, expr: cst.BaseComp, scope: Scope, depth: int) -> Kinds | None:
        """A comprehension is as empty as what it iterates, and may be when it filters."""
        sources, filtered = [], False
        comp: cst.CompFor | None = expr.for_in
        while comp is not None:
            sources.append(comp.iter)
            filtered = filtered or bool(comp.ifs)
            comp = comp.inner_for_in
        found: Kinds | None = NEVER
        for source in sources:
            found = _union(found, self._drawn_from(source, filtered, scope, depth))
        return found

    def _drawn_from(self, source: cst.BaseExpression, filtered: bool, scope: Scope, depth: int) -> Kinds | None:
        """A collection of the elements of `source` (`list(source)`, a comprehension over it):
        never empty when `source` is not and nothing is filtered out; possibly empty when
        `source` can be, or is data that varies with the function's input; otherwise unknown
        (drawn from a fixed table, it is empty only if the whole table is)."""
        kinds = self._falsy(source, scope, depth + 1)
        if kinds == NEVER and not filtered:
            return NEVER
        if kinds or self._varies(source, scope, depth):
            return frozenset({Falsy.EMPTY})
        return None

    def _varies(self, expr: cst.BaseExpression, scope: Scope, depth: int) -> bool:
        """`expr` is a query, or depends on a parameter of its function (the object a method
        is called on counts, the class of a classmethod does not): data that can differ
        from one call, and one key, to the next."""
        if depth > _MAX_DEPTH:
            return True
        if any(isinstance(call.func, cst.Attribute) and call.func.attr.value in _QUERY_METHODS
               for call in _calls_in(expr)):
            return True
        for name in _names_read(expr):
            for binding in self.reaching.bindings(name.value, scope, self.spans.start(name)):
                if binding.kind == "param" and name.value != "cls":
                    return True
                if binding.kind in ("assign", "for", "with") and isinstance(binding.value, cst.BaseExpression) \
                        and self._varies(binding.value, binding.scope, depth + 1):
                    return True
        return False

    def _call(self, call: cst.Call, scope: Scope, depth: int) -> Kinds | None:
        func = call.func
        order = self.spans.start(call)
        qualified = qualified_name(func, scope, order)
        if qualified is not None:
            if qualified in _NEVER_CALLS or qualified.startswith(_NEVER_PREFIXES):
                return NEVER
            if qualified in _ANYTHING_CALLS:
                return _ANY
        callee = self.resolver.callee(func, scope, order)
        if callee is not None:
            return self._returns(callee.function, depth)
        instantiated = self.resolver.class_instantiated(func, scope, order)
        if instantiated is not None:
            return NEVER if not _defines_truth(instantiated) else None
        if isinstance(func, cst.Name):
            if not scope.lookup(func.value, order):
                return self._builtin(func.value, call, scope, depth)
            return NEVER if func.value.endswith("Response") else None  # HttpResponse, JsonResponse imported
        if isinstance(func, cst.Attribute):
            return self._method(func, call, scope, depth, imported=qualified is not None)
        return None

    def _builtin(self, name: str, call: cst.Call, scope: Scope, depth: int) -> Kinds | None:
        positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
        if name in _COLLECTIONS:
            if not positional:
                return NEVER if call.args and all(arg.keyword is not None for arg in call.args) else \
                    frozenset({Falsy.EMPTY})  # `dict(a=1)`; `list()` starts empty
            return self._drawn_from(positional[0], False, scope, depth)
        if name == "range":
            bounds = [_integer(arg) for arg in positional]
            if len(bounds) == 1 and bounds[0] is not None and bounds[0] > 0:
                return NEVER
            return frozenset({Falsy.EMPTY})
        if name in _NUMBERS:
            return frozenset({Falsy.ZERO})
        if name == "bool":
            return frozenset({Falsy.FALSE})
        return None

    def _method(self, func: cst.Attribute, call: cst.Call, scope: Scope, depth: int, imported: bool) -> Kinds | None:
        method = func.attr.value
        if method in _NEVER_METHODS:
            return NEVER
        if method == "get":
            if _MANAGERS.intersection(_chain_names(func.value)):
                return NEVER  # a model instance: `Product.objects.get(...)`
            return None if imported else frozenset({Falsy.NONE})  # `mapping.get(k)`: None when absent
        if method in _VIEW_METHODS and not call.args:
            if _MANAGERS.intersection(_chain_names(func.value)):
                return frozenset({Falsy.EMPTY})  # `Product.objects.values()`: a query
            return self._drawn_from(func.value, False, scope, depth)
        if method == "json":
            return None  # an HTTP body: what the service answers, not what the code shows
        if method == "choice" and len(call.args) == 1 and _text_constant(call.args[0].value, scope, self.spans):
            return NEVER  # one character of a fixed alphabet
        if method == "join" and len(call.args) == 1 and self._joins_text(func.value, call.args[0].value, scope, depth):
            return NEVER
        drawn = _drawn_count(call) if method in _DRAWS else None
        if drawn is not None:
            return NEVER if drawn > 0 else frozenset({Falsy.EMPTY})
        for methods, kind in _METHOD_KINDS:
            if method in methods:
                return frozenset({kind})
        return None

    def _joins_text(self, separator: cst.BaseExpression, items: cst.BaseExpression, scope: Scope, depth: int) -> bool:
        """`sep.join(items)` is never empty: there is an item, and the separator or every item
        is non-empty text (`"".join(random.choice(ALPHABET) for _ in range(32))`)."""
        if self._falsy(items, scope, depth + 1) != NEVER:
            return False
        if constant_truth(separator) is True:
            return True
        if isinstance(items, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            return self._falsy(items.elt, scope, depth + 1) == NEVER
        # `random.choices(ALPHABET, k=16)`: characters of a fixed alphabet, each non-empty.
        return isinstance(items, cst.Call) and isinstance(items.func, cst.Attribute) \
            and items.func.attr.value in _DRAWS and bool(items.args) and items.args[0].keyword is None \
            and _text_constant(items.args[0].value, scope, self.spans)

    def _returns(self, definition: cst.FunctionDef, depth: int) -> Kinds | None:
        if definition in self._returned:
            return self._returned[definition]
        info = self.resolver.functions.get(definition)
        if info is None or _abstract(definition):
            return None
        self._returned[definition] = None  # a recursive function says nothing of itself
        found: Kinds | None = NEVER if info.returns else frozenset({Falsy.NONE})
        for ret in info.returns:
            found = _union(found, frozenset({Falsy.NONE}) if ret.value is None
                           else self._falsy(ret.value, info.scope, depth + 1))
        self._returned[definition] = found
        return found


def _chain_names(expr: cst.BaseExpression) -> set[str]:
    """The attribute names along a chain of calls: `Product.objects.select_related("b")` ->
    {Product, objects, select_related}."""
    names = set()
    while True:
        if isinstance(expr, cst.Call):
            expr = expr.func
        elif isinstance(expr, cst.Attribute):
            names.add(expr.attr.value)
            expr = expr.value
        else:
            if isinstance(expr, cst.Name):
                names.add(expr.value)
            return names


def _union(a: Kinds | None, b: Kinds | None) -> Kinds | None:
    """What either can be; unknown when one is unknown and the other never falsy."""
    if a is None or b is None:
        known = a or b
        return known if known else None
    return a | b


def _literal_kind(expr: cst.BaseExpression) -> Falsy:
    if isinstance(expr, cst.UnaryOperation):
        expr = expr.expression
    if isinstance(expr, cst.Name):
        return Falsy.NONE if expr.value == "None" else Falsy.FALSE
    if isinstance(expr, cst.SimpleString):
        return Falsy.EMPTY_TEXT
    if isinstance(expr, (cst.Integer, cst.Float)):
        return Falsy.ZERO
    return Falsy.EMPTY


def _defines_truth(definition: cst.ClassDef) -> bool:
    """Whether a class decides its own truth (`__bool__`, `__len__`) or inherits from a class
    that may (any base but `object`)."""
    if any(not (isinstance(base.value, cst.Name) and base.value.value == "object") for base in definition.bases):
        return True
    return any(isinstance(member, cst.FunctionDef) and member.name.value in ("__bool__", "__len__")
               for member in definition.body.body)


def _abstract(definition: cst.FunctionDef) -> bool:
    """A body that only documents, passes or raises (`raise NotImplementedError`): a method
    that subclasses override, which says nothing of what a call gives."""
    body = definition.body.body if isinstance(definition.body, cst.IndentedBlock) else [definition.body]
    for line in body:
        if not isinstance(line, cst.SimpleStatementLine):
            return False
        for statement in line.body:
            if isinstance(statement, (cst.Pass, cst.Raise)):
                continue
            if isinstance(statement, cst.Expr) and isinstance(statement.value, (cst.SimpleString, cst.Ellipsis)):
                continue
            return False
    return True


def _empty_collection(value: object) -> bool:
    """`[]`, `{}`, `set()`, `dict()`: a collection a variable starts from."""
    return isinstance(value, cst.BaseExpression) and constant_truth(value) is False \
        and _literal_kind(value) is Falsy.EMPTY


def _drawn_count(call: cst.Call) -> int | None:
    """How many elements `random.choices(...)` or `random.sample(...)` draws, when the code says."""
    method = cast(cst.Attribute, call.func).attr.value
    count = next((arg.value for arg in call.args if arg.keyword is not None and arg.keyword.value == "k"), None)
    if count is None:
        positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
        if method == "choices":
            return 1
        if len(positional) == 2:
            count = positional[1]
    return _integer(count) if count is not None else None


def _integer(expr: cst.BaseExpression) -> int | None:
    return int(number_value(expr)) if isinstance(expr, cst.Integer) else None


def _text_constant(expr: cst.BaseExpression, scope: Scope, spans) -> bool:
    """Non-empty text fixed in the code: a literal, a `string` module constant
    (`string.ascii_letters`), or a sum of them."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return _text_constant(expr.left, scope, spans) and _text_constant(expr.right, scope, spans)
    if isinstance(expr, cst.SimpleString):
        return bool(string_value(expr))
    qualified = qualified_name(expr, scope, spans.start(expr)) if isinstance(expr, cst.Attribute) else None
    return qualified is not None and qualified.startswith("string.ascii_") or qualified in ("string.digits",
                                                                                            "string.hexdigits",
                                                                                            "string.punctuation")


def _names_read(expr: cst.CSTNode) -> list[cst.Name]:
    """The variables `expr` reads (not `obj.attr`'s attribute, nor a keyword's name), outside lambdas."""
    found, stack = [], [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            found.append(node)
        elif isinstance(node, (cst.Attribute, cst.Arg)):
            stack.append(node.value)
        elif not isinstance(node, cst.Lambda):
            stack.extend(children(node))
    return found


def _calls_in(expr: cst.CSTNode) -> list[cst.Call]:
    found, stack = [], [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call):
            found.append(node)
        if not isinstance(node, cst.Lambda):
            stack.extend(children(node))
    return found


def _own_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    """Every node of a function body, not those of the functions, lambdas and classes in it."""
    found, stack = [], [node]
    while stack:
        each = stack.pop()
        found.append(each)
        stack.extend(child for child in children(each)
                     if type(child) is not cst.FunctionDef and type(child) is not cst.ClassDef
                     and type(child) is not cst.Lambda)
    return found


def _targets(target: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The names and attributes an assignment target binds: `a.x`, each of `a.x, b = ...`."""
    if isinstance(target, (cst.Tuple, cst.List)):
        return [each for element in target.elements for each in _targets(element.value)]
    return [target]
