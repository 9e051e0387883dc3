"""Cheap structural access to LibCST nodes."""
from __future__ import annotations

import collections.abc
import dataclasses
import inspect
import types
import typing
from collections.abc import Callable
from typing import Any

import libcst as cst

from cachelint.model.core.positions import UNRECORDED

_NODE, _SEQUENCE, _OTHER = range(1, 4)  # none is 0, so that `kinds.get(kind) or ...` reads well


def _lister(left_out: tuple[type, ...]) -> Callable[[cst.CSTNode], list[cst.CSTNode]]:
    """`children`, the nodes of the types `left_out` left out. Each node class gets a
    function of its own (`_class_lister`), made once from its fields' declared types."""
    # What each type of field value is: `isinstance` against LibCST's abstract node class
    # goes through ABCMeta on every call, a dict of types answers the same once per type.
    kinds: dict[type, int] = {}
    listers: dict[type, Callable[[cst.CSTNode], list[cst.CSTNode]]] = {}

    def nodes_in(value: object, found: list[cst.CSTNode]) -> None:
        """The nodes a field holds, whatever it holds, added to `found`."""
        kind = kinds.get(type(value)) or _kind(kinds, left_out, type(value))
        if kind == _NODE:
            found.append(value)  # type: ignore[arg-type]  # a node, by its kind
        elif kind == _SEQUENCE:
            found.extend(item for item in value  # type: ignore[attr-defined]  # a sequence, by its kind
                         if (kinds.get(type(item)) or _kind(kinds, left_out, type(item))) == _NODE)

    def children(node: cst.CSTNode) -> list[cst.CSTNode]:
        lister = listers.get(type(node))
        if lister is None:
            lister = listers[type(node)] = _class_lister(type(node), left_out, nodes_in)
        return lister(node)

    return children


def _kind(kinds: dict[type, int], left_out: tuple[type, ...], value_type: type) -> int:
    if issubclass(value_type, cst.CSTNode):
        kind = _OTHER if issubclass(value_type, left_out) else _NODE
    else:
        kind = _SEQUENCE if issubclass(value_type, (tuple, list)) else _OTHER
    kinds[value_type] = kind
    return kind


def _class_lister(kind: type, left_out: tuple[type, ...],
                  nodes_in: Callable[[object, list], None]) -> Callable[[cst.CSTNode], list[cst.CSTNode]]:
    """A function that lists the nodes in the fields of a node of class `kind`, in field
    order. A field's declared type says what it can hold (LibCST's parser keeps to it): a
    field that can hold no node but those `left_out` (a string, whitespace) is not read;
    one that holds a node none of whose kinds is left out (an expression, `Sequence[Arg]`,
    `Optional[Name]`) is taken without a test; any other is tested value by value
    (`nodes_in`), as every field was before: a walk of the model lists millions of nodes."""
    try:
        hints = typing.get_type_hints(kind)
    except Exception:  # noqa: BLE001 - a class whose types do not resolve: every field tested
        hints = {}
    lines = []
    for each in dataclasses.fields(kind):
        holds = _holds(hints.get(each.name), left_out)
        value = f"node.{each.name}"
        if holds == "node":
            lines.append(f"    found.append({value})")
        elif holds == "optional node":
            lines.append(f"    value = {value}\n    if value is not None and value is not _DEFAULT:\n        found.append(value)")
        elif holds == "nodes":
            lines.append(f"    found.extend({value})")
        elif holds == "any":
            lines.append(f"    nodes_in({value}, found)")
    code = "def children(node):\n    found = []\n" + "".join(line + "\n" for line in lines) + "    return found\n"
    names: dict[str, Any] = {"nodes_in": nodes_in, "_DEFAULT": cst.MaybeSentinel.DEFAULT}
    exec(code, names)  # code made above from the class's own fields
    lister: Any = names["children"]
    lister.__qualname__ = f"children of {kind.__name__}"
    return lister


def _holds(hint: object, left_out: tuple[type, ...]) -> str:
    """What a field of declared type `hint` holds: "none" (no node but those left out),
    "node", "optional node" (or None, or MaybeSentinel), "nodes" (a sequence of them),
    or "any" (test each value)."""
    if hint is None:
        return "any"
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal or hint in (str, bool, int, float):
        return "none"
    if origin in (typing.Union, types.UnionType):
        members = [member for member in arguments if member not in (type(None), cst.MaybeSentinel)]
        held = {_holds(member, left_out) for member in members}
        if held == {"none"}:
            return "none"
        if held == {"node"}:
            return "node" if len(members) == len(arguments) else "optional node"
        return "any"
    if origin is collections.abc.Sequence and len(arguments) == 1:
        item = _holds(arguments[0], left_out)
        return {"none": "none", "node": "nodes"}.get(item, "any")
    if isinstance(hint, type) and issubclass(hint, cst.CSTNode):
        # By the classes' own ancestry, not `issubclass`: LibCST's nodes are ABCs, and each
        # ABC test of the 172 classes against every field's type filled abc's caches, whose
        # clearing at exit doubled a small file's cold run.
        concrete = [each for each in _NODE_CLASSES if hint in each.__mro__]
        left = [any(kind in each.__mro__ for kind in left_out) for each in concrete]
        if concrete and all(left):
            return "none"
        if not any(left):
            return "node"
    return "any"


_NODE_CLASSES = [each for each in vars(cst).values() if isinstance(each, type) and cst.CSTNode in each.__mro__
                 and not inspect.isabstract(each)]


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


def last_name(func: cst.BaseExpression) -> str | None:
    """The name a call's function ends with: `loads` for `json.loads`, `dumps` for `dumps`."""
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else None


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
