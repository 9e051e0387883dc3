"""What a TTL argument means under a library's TTL semantics (cachelint.model.spec)."""
from __future__ import annotations

import libcst as cst

from cachelint.model.core.scopes import Scope
from cachelint.model.core.values import MAYBE, NONE, evaluate_number, find_argument
from cachelint.model.spec import Arg, Meaning, TtlSemantics


def ttl_meaning(
    call: cst.Call | None,
    params: tuple[Arg, ...],
    semantics: TtlSemantics,
    scope: Scope,
    order: int,
    omitted: Meaning | None = None,
) -> tuple[Meaning, cst.BaseExpression | None]:
    """What the TTL arguments of `call` (None: a bare decorator) mean, and which one said so."""
    given: list[cst.BaseExpression] = []
    for param in params:
        found = find_argument(call, param) if call is not None else None
        if found is MAYBE:
            return Meaning.UNKNOWN, None
        if found is not None:
            given.append(found)
    if not given:
        return (omitted or semantics.omitted), None
    meanings = [(value_meaning(expr, semantics, scope, order), expr) for expr in given]
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
        return Meaning.UNKNOWN
    if value > 0:
        return Meaning.EXPIRES
    return semantics.zero if value == 0 else semantics.negative
