"""Cheap structural access to LibCST nodes."""
from __future__ import annotations

import dataclasses

import libcst as cst

_FIELDS: dict[type, tuple[str, ...]] = {}
_NODE, _SEQUENCE, _OTHER = range(3)
# What each type of field value is: `isinstance` against LibCST's abstract node class goes
# through ABCMeta on every call, a dict of types answers the same once per type.
_KINDS: dict[type, int] = {}


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The nodes directly inside `node`: those `node.children` lists, in field order rather
    than source order. LibCST's property rebuilds the node through a visitor to find
    them; reading the fields is much cheaper."""
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(field.name for field in dataclasses.fields(node))
    found = []
    for name in names:
        value = getattr(node, name)
        kind = _kind(value)
        if kind == _NODE:
            found.append(value)
        elif kind == _SEQUENCE:
            found.extend(item for item in value if _kind(item) == _NODE)
    return found


def _kind(value: object) -> int:
    kind = _KINDS.get(type(value))
    if kind is None:
        value_type = type(value)
        kind = _KINDS[value_type] = (
            _NODE if issubclass(value_type, cst.CSTNode) else _SEQUENCE if issubclass(value_type, (tuple, list)) else _OTHER
        )
    return kind


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
