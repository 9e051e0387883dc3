"""Arguments of a call, and the few values the model evaluates: numbers (TTLs) and None."""
from __future__ import annotations

import ast

import libcst as cst

from cachelint.model.core.scopes import Scope, qualified_name
from cachelint.model.spec import Arg

# `find_argument` result when `*args`/`**kwargs` may or may not carry the argument.
MAYBE = object()
# Calls that read the clock, to the (micro)second.
CLOCK_READINGS = frozenset({
    "time.time", "time.time_ns", "time.monotonic", "time.monotonic_ns", "time.perf_counter",
    "time.perf_counter_ns", "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today",
    "django.utils.timezone.now", "arrow.now", "arrow.utcnow", "pendulum.now",
})
# `evaluate_number` result for `None`; any other unknown value is returned as None.
NONE = "None"

_TIMEDELTA_SECONDS = {
    "days": 86400, "seconds": 1, "microseconds": 1e-6, "milliseconds": 1e-3,
    "minutes": 60, "hours": 3600, "weeks": 604800,
}
_TIMEDELTA_POSITIONS = list(_TIMEDELTA_SECONDS)


def find_argument(call: cst.Call, arg: Arg):
    """The expression passed for `arg`, None when it is not passed, MAYBE when unknowable."""
    positional: list[cst.BaseExpression] = []
    star_seen = double_star = False
    for argument in call.args:
        if argument.star == "**":
            double_star = True
        elif argument.star == "*":
            star_seen = True
        elif argument.keyword is not None:
            if argument.keyword.value == arg.name:
                return argument.value
        elif not star_seen:
            positional.append(argument.value)
    if arg.position is not None and arg.position < len(positional):
        return positional[arg.position]
    if double_star or (star_seen and arg.position is not None):
        return MAYBE
    return None


def string_value(node: cst.SimpleString) -> str | bytes:
    """The value of a string literal, as LibCST's `evaluated_value` gives it. That one is an
    `ast.literal_eval`: a compile of 6 us (key shapes alone read 600 strings over the
    benchmark's union), and functions that refer to each other, garbage that only the
    cyclic collector frees, which is off while a file is linted. Here the text between the
    quotes is the value where it can be (no escape, no carriage return, which a compile
    reads as a newline, not bytes); elsewhere Python's parser reads the literal, without
    `literal_eval`'s garbage."""
    text = node.value
    if "\\" in text or "\r" in text:
        return _parsed(text)
    start = 0
    while text[start] not in "'\"":  # past the prefix: r, u
        start += 1
    if "b" in text[:start] or "B" in text[:start]:
        return _parsed(text)
    quote = 3 if text.startswith(text[start] * 3, start) and len(text) - start >= 6 else 1
    return text[start + quote:len(text) - quote]


def _parsed(literal: str) -> str | bytes:
    """The value of the string literal `literal`, as `ast.literal_eval` reads it."""
    value = ast.parse(literal, mode="eval").body
    assert isinstance(value, ast.Constant) and isinstance(value.value, (str, bytes))  # a literal LibCST parsed
    return value.value


def text_value(node: cst.SimpleString | cst.ConcatenatedString) -> str | bytes | None:
    """The value of a string literal or of adjacent ones (`"a" "b"`), as LibCST's
    `evaluated_value` gives it: None where one is an f-string, or where str and bytes mix."""
    if type(node) is cst.SimpleString:
        return string_value(node)
    parts: list[str | bytes] = []
    rest: cst.BaseExpression = node
    while type(rest) is cst.ConcatenatedString:  # LibCST nests adjacent literals to the right
        if type(rest.left) is not cst.SimpleString:
            return None
        parts.append(string_value(rest.left))
        rest = rest.right
    if type(rest) is not cst.SimpleString:
        return None
    parts.append(string_value(rest))
    if all(type(part) is str for part in parts):
        return "".join(parts)  # type: ignore[arg-type]  # all str, as tested
    if all(type(part) is bytes for part in parts):
        return b"".join(parts)  # type: ignore[arg-type]  # all bytes, as tested
    return None


def str_literal(expr: cst.BaseExpression | None) -> str | None:
    """The text of a str literal (`"default"`); None for bytes, an f-string or anything else."""
    if type(expr) is cst.SimpleString:
        value = string_value(expr)
        return value if isinstance(value, str) else None
    return None


def single_index(subscript: cst.Subscript) -> cst.BaseExpression | None:
    """`x` of `a[x]`; None for a slice or several indexes (`a[1:2]`, `a[x, y]`)."""
    if len(subscript.slice) == 1 and isinstance(subscript.slice[0].slice, cst.Index):
        return subscript.slice[0].slice.value
    return None


def number_value(node: cst.Integer | cst.Float) -> int | float:
    """The value of a number literal, as LibCST's `evaluated_value` gives it. That one is an
    `ast.literal_eval`: a compile, and functions that refer to each other, garbage that only
    the cyclic collector frees, which is off while a file is linted (about 11 MB per MB of
    a big module). Python's own conversions read every form a literal takes (`0x1F`, `1_000`, `1e-3`)."""
    return int(node.value, 0) if type(node) is cst.Integer else float(node.value)


def evaluate_number(expr: cst.BaseExpression, scope: Scope, order: int, _depth: int = 0):
    """A literal number (int/float), NONE for None, or None when the value is not known.

    Follows a name bound exactly once to such a value (a module constant), or only ever
    to that one value (`expiry = 600` on each branch of an `if`), an attribute
    of `self`/`cls` its class assigns exactly once (`timeout = 0` in the class body),
    simple arithmetic on literals, and `timedelta(...)` with literal arguments.
    """
    if _depth > 8:
        return None
    if isinstance(expr, (cst.Integer, cst.Float)):
        return number_value(expr)
    if isinstance(expr, cst.Name):
        if expr.value == "None":
            return NONE
        return _constant(expr, scope, order, _depth)
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, (cst.Minus, cst.Plus)):
        value = evaluate_number(expr.expression, scope, order, _depth + 1)
        if isinstance(value, (int, float)):
            return -value if isinstance(expr.operator, cst.Minus) else value
        return None
    if isinstance(expr, cst.BinaryOperation):
        left = evaluate_number(expr.left, scope, order, _depth + 1)
        right = evaluate_number(expr.right, scope, order, _depth + 1)
        if isinstance(left, (int, float)) and isinstance(right, (int, float)):
            return _arithmetic(expr.operator, left, right)
        return None
    if isinstance(expr, cst.Call):
        return _timedelta_seconds(expr, scope, order, _depth)
    if isinstance(expr, cst.Attribute):
        return _class_attribute(expr, scope, _depth)
    return None


def _class_attribute(attribute: cst.Attribute, scope: Scope, depth: int):
    """`self.timeout` in a method, where the class binds `timeout` to a number once and
    nothing else binds it, and no class of the module derives from it."""
    function = scope.function
    receiver = attribute.value
    if function is None or function.owner is None or not isinstance(receiver, cst.Name) \
            or receiver.value != function.self_name:
        return None
    bindings = function.owner.attributes.get(attribute.attr.value, [])
    if len(bindings) != 1 or bindings[0].kind != "assign" or not isinstance(bindings[0].value, cst.BaseExpression):
        return None
    if _subclassed(function.owner):
        return None  # a default that subclasses override
    value = evaluate_number(bindings[0].value, bindings[0].scope, bindings[0].order, depth + 1)
    # `timeout = None` in a class body is most often "set me in a subclass", which a module
    # read in parts (cachelint.sparse) may not show: only a number is taken at its word.
    return value if isinstance(value, (int, float)) else None


def _constant(name: cst.Name, scope: Scope, order: int, depth: int):
    bindings = scope.lookup(name.value, order)
    assigned = bindings[0].assigned if len(bindings) == 1 else None
    if assigned is None:
        return None
    binding = bindings[0]
    every = binding.scope.bindings.get(name.value, ())
    if len(every) == 1:
        return evaluate_number(assigned, binding.scope, binding.order, depth + 1)
    # Rebound: still that value when every binding of the name assigns it (`expiry = 600`
    # on both branches of an `if`); anything else (a parameter, `+=`, a loop) is unknown.
    values = [evaluate_number(each.assigned, each.scope, each.order, depth + 1) if each.assigned is not None else None
              for each in every]
    return values[0] if values[0] is not None and all(value == values[0] for value in values) else None


def _arithmetic(operator: cst.BaseBinaryOp, left: float, right: float):
    if isinstance(operator, cst.Multiply):
        return left * right
    if isinstance(operator, cst.Add):
        return left + right
    if isinstance(operator, cst.Subtract):
        return left - right
    if isinstance(operator, cst.FloorDivide) and right:
        return left // right
    if isinstance(operator, cst.Divide) and right:
        return left / right
    return None


def _timedelta_seconds(call: cst.Call, scope: Scope, order: int, depth: int):
    if qualified_name(call.func, scope, order) != "datetime.timedelta":
        return None
    total = 0.0
    for index, argument in enumerate(call.args):
        if argument.star:
            return None
        unit = argument.keyword.value if argument.keyword else (
            _TIMEDELTA_POSITIONS[index] if index < len(_TIMEDELTA_POSITIONS) else None
        )
        value = evaluate_number(argument.value, scope, order, depth + 1)
        if unit not in _TIMEDELTA_SECONDS or not isinstance(value, (int, float)):
            return None
        total += value * _TIMEDELTA_SECONDS[unit]
    return total


_EMPTY_CONSTRUCTORS = ("dict", "list", "tuple", "set", "str", "bytes", "frozenset")


def constant_truth(expr: cst.BaseExpression) -> bool | None:
    """The truthiness of a literal constant (`0`, `""`, `[]`, `True`…); None when `expr` is not one."""
    # Exact types, cheaper than failing `isinstance` tests (no node class has subclasses):
    # most expressions asked about are none of these.
    if type(expr) is cst.Name:
        return expr.value == "True" if expr.value in ("None", "False", "True") else None
    if type(expr) is cst.Integer or type(expr) is cst.Float:
        return bool(number_value(expr))
    if type(expr) is cst.SimpleString:
        return bool(string_value(expr))
    if type(expr) is cst.UnaryOperation and type(expr.operator) is cst.Minus:
        return constant_truth(expr.expression)
    if type(expr) is cst.List or type(expr) is cst.Tuple or type(expr) is cst.Dict or type(expr) is cst.Set:
        return False if not expr.elements else None
    if type(expr) is cst.Call and not expr.args and type(expr.func) is cst.Name:
        return False if expr.func.value in _EMPTY_CONSTRUCTORS else None
    return None


def is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def non_empty_display(value: cst.BaseExpression | None) -> bool:
    """A tuple, list, set or dict display with at least one element and no `*`/`**` unpacking."""
    return (isinstance(value, (cst.Tuple, cst.List, cst.Set, cst.Dict)) and bool(value.elements)
            and not any(isinstance(e, (cst.StarredElement, cst.StarredDictElement)) for e in value.elements))


def _subclassed(owner: Scope) -> bool:
    """Whether a class of the module names the class `owner` (a class scope) as a base."""
    module = owner
    while module.parent is not None:
        module = module.parent
    name = owner.node.name.value if isinstance(owner.node, cst.ClassDef) else None
    return name is not None and any(
        isinstance(base.value, cst.Name) and base.value.value == name
        for node in _classes(module.node) for base in node.bases
    )


def _classes(node: cst.CSTNode):
    for statement in getattr(getattr(node, "body", None), "body", None) or getattr(node, "body", ()) or ():
        if isinstance(statement, cst.ClassDef):
            yield statement
            yield from _classes(statement)
