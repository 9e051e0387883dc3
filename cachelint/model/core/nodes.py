"""Cheap structural access to LibCST nodes."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

import libcst as cst

from cachelint.model.core.positions import UNRECORDED

_FIELDS: dict[type, tuple[str, ...]] = {}
_NODE, _SEQUENCE, _OTHER = range(1, 4)  # none is 0, so that `kinds.get(kind) or ...` reads well


def _lister(left_out: tuple[type, ...]) -> Callable[[cst.CSTNode], list[cst.CSTNode]]:
    """`children`, the nodes of the types `left_out` left out."""
    # What each type of field value is: `isinstance` against LibCST's abstract node class
    # goes through ABCMeta on every call, a dict of types answers the same once per type.
    kinds: dict[type, int] = {}

    def children(node: cst.CSTNode) -> list[cst.CSTNode]:
        names = _FIELDS.get(type(node))
        if names is None:
            names = _FIELDS[type(node)] = tuple(field.name for field in dataclasses.fields(node))
        found = []
        for name in names:
            value = getattr(node, name)
            kind = kinds.get(type(value))
            if kind is None:
                kind = _kind(kinds, left_out, type(value))
            if kind == _NODE:
                found.append(value)
            elif kind == _SEQUENCE:
                found.extend(item for item in value if (kinds.get(type(item)) or _kind(kinds, left_out, type(item))) == _NODE)
        return found

    return children


def _kind(kinds: dict[type, int], left_out: tuple[type, ...], value_type: type) -> int:
    if issubclass(value_type, cst.CSTNode):
        kind = _OTHER if issubclass(value_type, left_out) else _NODE
    else:
        kind = _SEQUENCE if issubclass(value_type, (tuple, list)) else _OTHER
    kinds[value_type] = kind
    return kind


# The nodes directly inside a node: those `node.children` lists, whitespace and comments
# left out (half a module's nodes, which no walk of the model looks at), in field order
# rather than source order. LibCST's property rebuilds the node through a visitor to find
# them; reading the fields is much cheaper.
children = _lister(UNRECORDED)
# The same with whitespace and comments: a walk that counts the nodes it visits and
# stops at a number (cachelint.model.app.io.holds_io_result) counts them too.
children_with_whitespace = _lister(())


def mentions(node: cst.CSTNode, name: str) -> bool:
    """`node` reads the variable `name` (not `obj.name`, nor the keyword in `f(name=1)`)."""
    if isinstance(node, cst.Name):
        return node.value == name
    if isinstance(node, cst.Attribute):
        return mentions(node.value, name)
    if isinstance(node, cst.Arg):
        return mentions(node.value, name)
    return any(mentions(child, name) for child in children(node))


def has_call(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Call) or any(has_call(child) for child in children(node))


def strip_await(expr: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(expr, cst.Await):
        expr = expr.expression
    return expr


def chain_arguments(call: cst.Call) -> list[cst.BaseExpression]:
    """The arguments of every call of a method chain, outermost first:
    `Item.objects.filter(cart_id=cid).delete()` -> [cid]."""
    found: list[cst.BaseExpression] = []
    node: cst.BaseExpression = call
    while True:
        if isinstance(node, cst.Call):
            found += [arg.value for arg in node.args]
            node = node.func
        elif isinstance(node, cst.Attribute):
            node = node.value
        else:
            return found


def names_in(node: cst.CSTNode) -> set[str]:
    """Every identifier written in `node`: variables, and attribute and keyword names too."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if type(current) is cst.Name:
            found.add(current.value)
        stack.extend(children(current))
    return found
