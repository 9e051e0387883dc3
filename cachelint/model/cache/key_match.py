"""Whether two cache operations name the same key, compared by what their keys are made
of (cachelint.model.cache.keys), not by how they are spelled: `"product:%s" % pid` and
`f"product:{pid}"`, or one key builder called for the read and for the write, are one key.

Keys are certainly different only where no values of their dynamic parts could make them
equal: a different constant start (`user:` and `users:`), different constant text around
the same values, the same values in another order, or values missing from one of them.
Two keys whose dynamic parts are spelled differently (`request.user.pk`, `user_id`) may
still hold the same value, and are not known to differ.
"""
from __future__ import annotations

import enum
from collections.abc import Callable
from typing import NamedTuple

import libcst as cst

from cachelint.model.cache.keys import KeyShape, Part, Source

Code = Callable[[cst.CSTNode], str]  # the source of a node


class Match(str, enum.Enum):
    SAME = "same"  # one shape of each is the same key
    DIFFERENT = "different"  # no values could make them equal
    UNKNOWN = "unknown"


class Difference(str, enum.Enum):
    NAMESPACE = "namespace"  # the constant starts differ
    TEXT = "text"  # the same values around different constant text
    ORDER = "order"  # the same values in another order
    PARTS = "parts"  # values missing from one of them


class KeyMatch(NamedTuple):
    match: Match
    difference: Difference | None = None


def match_keys(shapes_a: tuple[KeyShape, ...], shapes_b: tuple[KeyShape, ...], code: Code) -> KeyMatch:
    """How two keys, given as their possible shapes, compare."""
    if not shapes_a or not shapes_b:
        return KeyMatch(Match.UNKNOWN)
    if any(_same_shape(code, x, y) for x in shapes_a for y in shapes_b):
        return KeyMatch(Match.SAME)
    differences = [_difference(code, x, y) for x in shapes_a for y in shapes_b]
    if all(differences):
        return KeyMatch(Match.DIFFERENT, differences[0])
    return KeyMatch(Match.UNKNOWN)


def _same_shape(code: Code, a: KeyShape, b: KeyShape) -> bool:
    return len(a.parts) == len(b.parts) and all(_same_part(code, p, q) for p, q in zip(a.parts, b.parts))


def _same_part(code: Code, p: Part, q: Part) -> bool:
    if p.is_constant or q.is_constant:
        return p.is_constant and q.is_constant and p.text == q.text
    if p.source is not q.source or p.spec != q.spec:
        return False
    if p.node is q.node:
        return True
    if p.source is Source.PARAMETER:
        return p.name == q.name and p.scope is q.scope
    if p.node is None or q.node is None:
        return False
    same_function = (p.scope.function if p.scope else None) is (q.scope.function if q.scope else None)
    return same_function and _spelled(code, p.node) == _spelled(code, q.node)


def _spelled(code: Code, node: cst.CSTNode) -> str:
    return " ".join(code(node).split())


def _difference(code: Code, a: KeyShape, b: KeyShape) -> Difference | None:
    """How two known shapes certainly differ, or None when values could make them equal."""
    if not (a.known and b.known):
        return None
    if a.prefix and b.prefix and not a.prefix.startswith(b.prefix) and not b.prefix.startswith(a.prefix):
        return Difference.NAMESPACE
    frame_a, values_a = _frame(a)
    frame_b, values_b = _frame(b)
    pairwise = len(values_a) == len(values_b) and all(_same_part(code, p, q) for p, q in zip(values_a, values_b))
    if pairwise:
        return Difference.TEXT if frame_a != frame_b else None
    if len(values_a) == len(values_b):
        if frame_a == frame_b and _permutation(code, values_a, values_b):
            return Difference.ORDER
        return None
    shorter, longer = sorted((values_a, values_b), key=len)
    return Difference.PARTS if _subsequence(code, shorter, longer) else None


def _frame(shape: KeyShape) -> tuple[list[str], list[Part]]:
    """The constant text between the dynamic parts (one more than there are of them), and those parts."""
    frame, values = [""], []
    for part in shape.parts:
        if part.is_constant:
            frame[-1] += part.text
        else:
            values.append(part)
            frame.append("")
    return frame, values


def _permutation(code: Code, a: list[Part], b: list[Part]) -> bool:
    left = list(b)
    for part in a:
        match = next((other for other in left if _same_part(code, part, other)), None)
        if match is None:
            return False
        left.remove(match)
    return True


def _subsequence(code: Code, shorter: list[Part], longer: list[Part]) -> bool:
    position = 0
    for part in shorter:
        while position < len(longer) and not _same_part(code, part, longer[position]):
            position += 1
        if position == len(longer):
            return False
        position += 1
    return True
