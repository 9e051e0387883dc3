"""What a TTL argument means under a library's TTL semantics (cachelint.model.spec)."""
from __future__ import annotations

import libcst as cst

from cachelint.model.cache.facts import Ttl
from cachelint.model.core.scopes import Scope, dotted, qualified_name
from cachelint.model.core.values import MAYBE, NONE, evaluate_number, find_argument
from cachelint.model.spec import Arg, Meaning, TtlSemantics


def ttl_meaning(
    call: cst.Call | None,
    params: tuple[Arg, ...],
    semantics: TtlSemantics,
    scope: Scope,
    order: int,
    omitted: Meaning | None = None,
    constants: dict[str, float] | None = None,
) -> tuple[Meaning, cst.BaseExpression | None]:
    """What the TTL arguments of `call` (None: a bare decorator) mean, and which one said
    so; `constants` are the project's constants and settings of other modules known to be
    zero or less (`CustomClients.constants`)."""
    given: list[cst.BaseExpression] = []
    for param in params:
        found = find_argument(call, param) if call is not None else None
        if found is MAYBE:
            return Meaning.UNKNOWN, None
        if found is not None:
            given.append(found)
    if not given:
        return (omitted or semantics.omitted), None
    meanings = []
    for expr in given:
        value = evaluate_number(expr, scope, order)
        declared = declared_value(expr, scope, order, constants) if value is None else None
        meanings.append((_meaning_of(declared if declared is not None else value, semantics), expr))
    for meaning, expr in meanings:
        if meaning in (Meaning.EXPIRES, Meaning.UNKNOWN):
            return meaning, expr
    return meanings[0]


def value_meaning(expr: cst.BaseExpression, semantics: TtlSemantics, scope: Scope, order: int) -> Meaning:
    """What one TTL value means under `semantics`."""
    return _meaning_of(evaluate_number(expr, scope, order), semantics)


def _meaning_of(value, semantics: TtlSemantics) -> Meaning:
    if value is NONE:
        return semantics.none
    if value is None:
        return semantics.unknown
    if value > 0:
        return Meaning.EXPIRES
    return semantics.zero if value == 0 else semantics.negative


def declared_value(expr: cst.BaseExpression, scope: Scope, order: int,
                   constants: dict[str, float] | None) -> float | None:
    """The value of a constant another module of the project binds (`from .conf import
    NO_CACHE`), or of a Django setting its settings modules bind (`settings.CACHE_TTL`),
    when it is one of `constants`."""
    if not constants or not isinstance(expr, (cst.Name, cst.Attribute)):
        return None
    qualified = qualified_name(expr, scope, order)
    return constants.get(qualified) if qualified is not None else None


def constant_name(argument: cst.BaseExpression | None) -> str | None:
    """`NO_EXPIRY`, `self.timeout`: the name a TTL's value is read from."""
    if isinstance(argument, cst.Attribute) and isinstance(argument.value, cst.Name):
        return dotted(argument)
    return argument.value if isinstance(argument, cst.Name) and argument.value != "None" else None


def ttl_fact(meaning: Meaning, argument: cst.BaseExpression | None, call: cst.Call | None, params: tuple[Arg, ...],
             declared: float | None = None) -> Ttl:
    """The TTL of a write or decorator: its meaning, the argument that says so, its
    parameter, and the value of another module's constant it reads."""
    if argument is None or call is None:  # an argument is found in a call
        parameter = params[0].name if params else None
    else:
        parameter = next(p.name for p in params if find_argument(call, p) is argument)
    return Ttl(meaning, argument, constant_name(argument), parameter, declared)
