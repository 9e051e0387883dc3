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
  loop that may not run), every assignment that can reach a use counted;
- `a or b` (what `b` can be), `a and b`, `x if c else y`, `await x`;
- counts and sizes (`len`, `sum`, `.count()`: zero), collections (`list(...)`, `.filter(...)`,
  `.values_list(...)`, `.fetchall()`, comprehensions: empty), lookups that find nothing
  (`.first()`, `.fetchone()`, `dict.get`: None), `json.loads` and `.json()` (anything), text that can be
  empty (`.strip()`, `"".join(...)`);
- values that are never falsy: a model instance (`Model.objects.get(...)`, `.create(...)`,
  `get_object_or_404`), an instance of a class of the module without `__bool__`/`__len__`,
  an HTTP response, `json.dumps(...)`, a digest or a token (`secrets.token_*`, `uuid4().hex`),
  an f-string with constant text;
- a function of the module: what its `return` statements give (None when one returns nothing).

Anything else, and any value that depends on one, is unknown.
"""
from __future__ import annotations

import enum

import libcst as cst

from cachelint.model.core.facts import FunctionInfo
from cachelint.model.core.reaching import ReachingDefinitions
from cachelint.model.core.scopes import Scope, qualified_name
from cachelint.model.core.values import constant_truth


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
_EMPTY_METHODS = frozenset({
    "all", "filter", "exclude", "values", "values_list", "order_by", "distinct", "dates", "datetimes",
    "fetchall", "fetchmany", "keys", "items", "split", "findall", "annotate", "select_related",
    "prefetch_related", "only", "defer", "scalars",
})
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
_NEVER_ATTRIBUTES = frozenset({"hex", "pk", "id"})


class Falsiness:
    """Answers `falsy(expr, scope)` for the expressions of one module."""

    def __init__(self, reaching: ReachingDefinitions, spans, functions: dict[cst.FunctionDef, FunctionInfo]) -> None:
        self.reaching = reaching
        self.spans = spans  # node -> Span
        self.functions = functions
        self._returned: dict[cst.FunctionDef, Kinds | None] = {}
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
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
            return NEVER  # non-empty (an empty one is a constant)
        if isinstance(expr, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            return frozenset({Falsy.EMPTY})
        if isinstance(expr, cst.FormattedString):
            text = any(isinstance(part, cst.FormattedStringText) and part.value for part in expr.parts)
            return NEVER if text else None
        if isinstance(expr, cst.Await):
            return self._falsy(expr.expression, scope, depth + 1)
        if isinstance(expr, cst.BooleanOperation):
            right = self._falsy(expr.right, scope, depth + 1)
            if isinstance(expr.operator, cst.Or):
                return right
            return _union(self._falsy(expr.left, scope, depth + 1), right)
        if isinstance(expr, cst.IfExp):
            return _union(self._falsy(expr.body, scope, depth + 1), self._falsy(expr.orelse, scope, depth + 1))
        if isinstance(expr, cst.Name):
            return self._name(expr, scope, depth)
        if isinstance(expr, cst.Call):
            return self._call(expr, scope, depth)
        if isinstance(expr, cst.Attribute) and expr.attr.value in _NEVER_ATTRIBUTES:
            return NEVER
        return None

    def _name(self, name: cst.Name, scope: Scope, depth: int) -> Kinds | None:
        """Every assignment that can reach the use counts: `result = {}` then filled in a
        loop that may not run is empty when it does not."""
        bindings = self.reaching.bindings(name.value, scope, self.spans[name].start)
        assigned = [(value, b.scope) for b in bindings if (value := b.assigned) is not None]
        if not bindings or len(assigned) != len(bindings):
            return None
        found: Kinds | None = NEVER
        for value, value_scope in assigned:
            found = _union(found, self._falsy(value, value_scope, depth + 1))
        return found

    def _call(self, call: cst.Call, scope: Scope, depth: int) -> Kinds | None:
        func = call.func
        qualified = qualified_name(func, scope, self.spans[call].start)
        if qualified is not None:
            if qualified in _NEVER_CALLS or qualified.startswith(_NEVER_PREFIXES):
                return NEVER
            if qualified in _ANYTHING_CALLS:
                return _ANY
        if isinstance(func, cst.Name):
            return self._named_call(func, call, scope, depth)
        if isinstance(func, cst.Attribute):
            return self._method(func, call, scope, imported=qualified is not None)
        return None

    def _named_call(self, func: cst.Name, call: cst.Call, scope: Scope, depth: int) -> Kinds | None:
        bindings = scope.lookup(func.value, self.spans[func].start)
        if not bindings:  # a builtin
            if func.value in _COLLECTIONS:
                only = call.args[0].value if len(call.args) == 1 else None
                return NEVER if only is not None and self._falsy(only, scope, depth + 1) == NEVER else \
                    frozenset({Falsy.EMPTY})
            if func.value in _NUMBERS:
                return frozenset({Falsy.ZERO})
            if func.value == "bool":
                return frozenset({Falsy.FALSE})
            return None
        definition = bindings[0].value if len(bindings) == 1 and bindings[0].kind == "def" else None
        if isinstance(definition, cst.ClassDef):
            return NEVER if not _defines_truth(definition) else None
        if isinstance(definition, cst.FunctionDef):
            return self._returns(definition, depth)
        if func.value.endswith("Response"):  # HttpResponse, JsonResponse imported
            return NEVER
        return None

    def _method(self, func: cst.Attribute, call: cst.Call, scope: Scope, imported: bool) -> Kinds | None:
        method = func.attr.value
        if method in _NEVER_METHODS:
            return NEVER
        if method == "get":
            if _MANAGERS.intersection(_chain_names(func.value)):
                return NEVER  # a model instance: `Product.objects.get(...)`
            return None if imported else frozenset({Falsy.NONE})  # `mapping.get(k)`: None when absent
        if method == "json":
            return _ANY  # `response.json()`: any JSON value
        for methods, kind in _METHOD_KINDS:
            if method in methods:
                return frozenset({kind})
        return None

    def _returns(self, definition: cst.FunctionDef, depth: int) -> Kinds | None:
        if definition in self._returned:
            return self._returned[definition]
        info = self.functions.get(definition)
        if info is None:
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
