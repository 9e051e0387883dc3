"""Wrapper summaries: what a function of the project does to a cache with its arguments.

    def remember(uid, data, timeout=300):          # a write wrapper: key "user:" + uid,
        cache.set(f"user:{uid}", data, timeout)    # value `data`, TTL `timeout` (default 300)

    def forget_user(uid):                          # an invalidation helper: a delete of
        cache.delete(f"user:{uid}")                # "user:" + uid

A function (or method) whose own body performs exactly one cache operation, with its key
built from one of its parameters (the parameter itself, or constant text around it), and
that returns what a read gives as it is, or writes a value its caller passes, is
summarised as a `Method` of its own: which parameter is the key and what the wrapper
puts around it (`key_affix`), which is the value, which the TTL, and what an omitted TTL
then means (the parameter's default, or the TTL the wrapper always passes). A call of
the function is then a cache operation at the call site, with the caller's arguments
(cachelint.model.cache.operations), and summaries compose: a function that calls a
wrapper the same way is summarised in turn, a few levels deep. `via` names the wrappers
a call goes through, outermost first.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import libcst as cst

from cachelint.model.cache.facts import CacheOp, Client
from cachelint.model.cache.ttl import value_meaning
from cachelint.model.core.facts import FunctionInfo
from cachelint.model.spec import Arg, Kind, Meaning, Method, TtlSemantics

# The operations a wrapper may forward: those with one key a caller chooses.
_WRAPPED_KINDS = frozenset({Kind.READ, Kind.WRITE, Kind.DELETE, Kind.EXPIRE})
OPAQUE = "…"  # a part of a key the wrapper computes itself (`self.prefix`)


@dataclass(frozen=True)
class Wrapper:
    """A summarised function: the client its operation goes to and the operation as its callers see it."""

    client: Client
    method: Method
    name: str  # `remember`, `Store.get`: how `via` names it


def summarise(info: FunctionInfo, ops: list[CacheOp], name: str) -> Wrapper | None:
    """The summary of a function whose own operations are `ops`; None when it is not a wrapper."""
    own = [op for op in ops if op.scope is info.scope]
    if len(own) != 1:
        return None
    op = own[0]
    if op.kind not in _WRAPPED_KINDS or op.key is None or op.call is None:
        return None
    parameters = _parameters(info)
    value = op.value.value if isinstance(op.value, cst.Name) and op.value.value in parameters else None
    if op.kind is Kind.READ and not _returned(op, info) or op.kind is Kind.WRITE and value is None:
        return None  # a read whose result the function makes something else of; a write of its own value
    key = _key_parameter(op.key, parameters)
    if key is None:
        return None
    parameter, affix = key
    spec = op.spec
    semantics = spec.semantics or op.client.library.semantics_for(op.client.variant)
    ttl: tuple[Arg, ...] = ()
    ttl_semantics = spec.semantics
    if op.ttl is not None:
        passed = op.ttl.argument
        if isinstance(passed, cst.Name) and passed.value in parameters:
            ttl = (parameters[passed.value][0],)
            default = parameters[passed.value][1]
            omitted = value_meaning(default, semantics, info.scope, 1 << 62) if default is not None else Meaning.UNKNOWN
            ttl_semantics = semantics.but(omitted=omitted)
        else:  # the wrapper decides the TTL: every call gets the meaning its operation has
            ttl_semantics = TtlSemantics(op.ttl.meaning, op.ttl.meaning, op.ttl.meaning, op.ttl.meaning)
    method = replace(
        spec, key=parameters[parameter][0], value=parameters[value][0] if value is not None else None,
        ttl=ttl, semantics=ttl_semantics, default=None, variadic_keys=False, key_prefix=None,
        pattern=parameters[parameter][0] if spec.pattern is not None else None, scan_instead=None,
        backend_expiry=None, key_affix=_joined(affix, spec.key_affix), via=(name, *spec.via),
        # `r.set(k, v, nx=True)` inside: every call stores only if absent; the flag's
        # position is the inner call's, not the wrapper's.
        if_absent=op.only_if_absent, if_absent_flag=None,
    )
    return Wrapper(op.client, method, name)


def _returned(op: CacheOp, info: FunctionInfo) -> bool:
    """Whether the function returns what the operation gives, as it is."""
    for ret in info.returns:
        value = ret.value.expression if isinstance(ret.value, cst.Await) else ret.value
        if value is op.node:
            return True
    return False


def _parameters(info: FunctionInfo) -> dict[str, tuple[Arg, cst.BaseExpression | None]]:
    """Each parameter as a caller passes it (a method's `self` left out) and its default."""
    params = info.node.params
    positional = [*params.posonly_params, *params.params]
    decorators = {d.decorator.value for d in info.node.decorators if isinstance(d.decorator, cst.Name)}
    if info.scope.owner is not None and "staticmethod" not in decorators and positional:
        positional = positional[1:]
    found = {p.name.value: (Arg(index, p.name.value), p.default) for index, p in enumerate(positional)}
    found.update({p.name.value: (Arg(None, p.name.value), p.default) for p in params.kwonly_params})
    return found


def _key_parameter(key: cst.BaseExpression, parameters: dict) -> tuple[str, tuple[str, str]] | None:
    """The parameter a key is built from and the text around it: `uid` and ("user:", "")
    for `f"user:{uid}"`; None unless exactly one parameter is in it."""
    parts = _parts(key)
    if parts is None:
        return None
    named = [index for index, part in enumerate(parts) if isinstance(part, cst.Name) and part.value in parameters]
    if len(named) != 1:
        return None
    at = named[0]

    def text(side: list) -> str:
        return "".join(part if isinstance(part, str) else OPAQUE for part in side)

    return parts[at].value, (text(parts[:at]), text(parts[at + 1:]))


def _parts(expr: cst.BaseExpression) -> list | None:
    """A key as constant text and expressions, in order: `f"a:{x}"` and `"a:" + x` are ["a:", x]."""
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return [value] if isinstance(value, str) else None
    if isinstance(expr, cst.FormattedString):
        found: list = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                found.append(part.value)
            elif isinstance(part, cst.FormattedStringExpression):
                found.append(part.expression)
        return found
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        left, right = _parts(expr.left), _parts(expr.right)
        return left + right if left is not None and right is not None else None
    return [expr]


def _joined(outer: tuple[str, str], inner: tuple[str, str]) -> tuple[str, str]:
    """What two wrappers put around a key: `outer`, what the calling wrapper adds to its
    parameter, inside `inner`, what the wrapper it calls adds to that."""
    return inner[0] + outer[0], outer[1] + inner[1]
