"""Sparse parsing: of a big module, only the statements the model can use go to LibCST.

A module the prefilter keeps mostly holds code that has nothing to do with caching: in
a Django `models.py` with one cached query, the other hundred methods. LibCST parses
every line it is given, and that parse is most of cachelint's time. So a big module is
first read with Python's own parser (`ast`, about a tenth of the cost), cut into units
(each top-level statement; in a class, its header and each member), and only the units
the model can use are kept:

- imports, always;
- a unit that uses a cache name: a name an import binds to a qualified name the model
  knows (as the prefilter's `tree_scan` finds them), a module-level dict cache, or a
  name or attribute that was assigned one (`r = redis.Redis()` makes every unit that
  reads `r` count; `self.store = caches["x"]` every unit that reads `.store`), or the
  name of a function or method that names a cache anywhere, but in a decorator that only
  memoizes (`@functools.lru_cache`): its callers may use what it returns
  (`self.get_client().keys(...)`), and a call of it may be a cache operation (a wrapper's:
  `def bust(uid): cache.delete(f"user:{uid}")`);
- a unit that binds a name a kept unit reads (a key builder, a constant, a helper, a
  rebinding of the client), and in a class a member a kept member reads through
  `self.<name>` or `cls.<name>`;
- the header of a class with a kept member; every member of a class whose header uses
  a cache name (a cache decorator on the class, a cache base class, a cache decorator
  listed in a class-based view's `decorators = [...]`).

The second pass (`engine._client_rounds`: a file that imports what another module of the
project makes) parses a file in part too, for what the round declares (`Declared`):
the screen then knows the project's qualified names, and, as what the module's facts
give the project model must be what a whole parse gives, these are kept as well:

- every module-level statement that is not a def or a class (a constant, an instance of
  a class of the project: `cache_manager = CacheManager()`, a client bound at module
  level);
- a def or a class that binds a name the round declares in this module (a client, a
  wrapper, a wrapper or holder class, a constant), and every member of such a class;
  the name counts as a cache name where the module reads it; a def or a class other
  modules import from it (its header, for a class);
- an attribute the round types (`event.cache`) counts as a cache attribute;
- a unit that binds an attribute or a member named like a cache (`self.cache = …`,
  `def cache(self)`, `app.redis = …`): the evidence by which the project model types
  `x.cache` (`Definition.made`); and, in a class with a member kept, one def at least,
  through which the model finds the class's scope;
- a def with a parameter, or that assigns a name, which a kept def assigns something
  that uses a cache (`redis_conn = get_redis_connection()`): the model takes an
  unannotated `redis_conn` for that client, unless a def assigns it something else.

The blank and comment rows before a unit left out are left out too. The kept lines are
parsed on their own, and the model maps each of their rows back to
the file's (`ModuleModel.rows`), so what is reported is where it is in the file. A
class whose header is kept for its name alone gets `...` as its body. Every test errs
towards keeping a unit. What the project index needs goes further (DB writes and calls
anywhere in the file), so a sparse result says so, and `engine` lints the whole file
again when the project has a cached entity (`engine._lint_for_the_index`).
"""
from __future__ import annotations

import ast
import copy
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cachelint import parsing, tree_scan
from cachelint.model.cache.decorators import DECORATOR_LISTS
from cachelint.project.cache_like import looks_like_a_cache

if TYPE_CHECKING:
    from cachelint.prefilter import Prefilter

MIN_LINES = 100  # below this, leaving units out saves less than reading them costs
_LONE_CR = re.compile(r"\r(?!\n)")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")  # as Python counts rows
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_OWN_SCOPES = (*_DEFS, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_RECEIVERS = frozenset({"self", "cls"})
_CHILD_FIELDS = tree_scan.CHILD_FIELDS


@dataclass(frozen=True)
class Reduced:
    """The kept lines of a module, the module's row of each, and what LibCST's parse needs
    of Python's tree of them (taken from the module's tree, not parsed again)."""

    text: str
    rows: tuple[int, ...]
    outline: parsing.Outline


@dataclass(frozen=True)
class Declared:
    """What the second pass declares that sparse parsing keeps in one module (see the
    module's docstring): `names`, the module-level names of this module the round
    declares; `exported`, those other modules import from it; `attributes`, the
    attribute names the project types; its relative imports are read too."""

    names: frozenset[str] = frozenset()
    exported: frozenset[str] = frozenset()
    attributes: frozenset[str] = frozenset()
    package: tuple[str, ...] = ()  # the parts of the package its relative imports start from


def reduce(text: str, screen: Prefilter, declared: Declared | None = None) -> Reduced | None:
    """The units of `text` the model can use, or None to parse it whole: a small
    module, one Python cannot parse, or one in which every unit counts. `screen`: the
    prefilter that kept the file, whose names the model knows; `declared`: what the
    second pass declares, which it keeps too."""
    if text.count("\n") < MIN_LINES or _LONE_CR.search(text):  # the model counts rows by "\n" alone
        return None
    tree = tree_scan.parse(text)
    if tree is None:
        return None
    names = tree_scan.CacheNames.of(tree, screen.prefixes, declared.package if declared is not None else None)
    if ":=" in text:  # wherever `:=` binds one: more than the model takes, never less
        names.dicts.update(node.target.id for statement in _with_walrus(tree, text) for node in _nodes(statement)
                           if type(node) is ast.NamedExpr and tree_scan.is_dict_cache(node.target, node.value))
    units = _units(tree, _Lookup(names, screen.known, screen.memoizers), alike=declared is not None)
    kept = _kept(units, names, declared)
    if len(kept) == len(units):
        return None
    # The module's tree is not needed past this point (parsing.parse's reason).
    tree_scan.parse.cache_clear()
    return _text(_LINE.findall(text), units, kept)


class _Reads:
    """What an expression or statement reads, and whether it names a cache directly."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.attributes: set[str] = set()
        self.own_attributes: set[str] = set()  # read through `self.` or `cls.`
        self.names_a_cache = False

    def use(self, cache_names: set[str], cache_attributes: set[str]) -> bool:
        return self.names_a_cache or not self.names.isdisjoint(cache_names) or not self.attributes.isdisjoint(
            cache_attributes)


@dataclass
class _Flow:
    """Names and attributes assigned something that names a cache when `value` does.
    `memoizers`: the names of the memoizers `value` leaves out (`_called`), which it
    may leave out only where nothing but an import binds them."""

    names: set[str]
    attributes: set[str]
    value: _Reads
    memoizers: frozenset[str] = frozenset()


@dataclass
class _Unit:
    node: ast.stmt
    first_row: int
    last_row: int
    owner: _Unit | None = None  # the class header, for a member
    reads: _Reads = field(default_factory=_Reads)
    binds: set[str] = field(default_factory=set)  # names bound in the module's scope
    binds_attributes: set[str] = field(default_factory=set)  # `x.name = …`; a member's own name
    flows: list[_Flow] = field(default_factory=list)
    bound: set[str] = field(default_factory=set)  # every name bound anywhere in it, in any scope
    params: set[str] = field(default_factory=set)  # of a def: its parameters' names, and its inner defs'
    # Of a def: the plain names it assigns, each with what its value reads (`Declared`'s alike names).
    assigned: list[tuple[set[str], _Reads]] = field(default_factory=list)
    # Every assignment in it, in any scope (`_Walk.assignments`), of which `assigned` is made.
    assignments: list[tuple[list[ast.expr], ast.expr]] = field(default_factory=list)

    @property
    def is_class_header(self) -> bool:
        return self.owner is None and isinstance(self.node, ast.ClassDef)


class _Lookup:
    """Whether a name or dotted name leads to a cache; `heads`: the names one must start with."""

    def __init__(self, names: tree_scan.CacheNames, known: frozenset[str], memoizers: frozenset[str]) -> None:
        self.names, self.known, self.memoizers = names, known, memoizers
        self.heads = frozenset(names.heads)

    def leads_to_cache(self, node: ast.Name | ast.Attribute) -> bool:
        return self.names.leads_to_cache(node, self.known)

    def memoizer(self, decorator: ast.expr) -> str | None:
        """The name a decorator starts with when, through the imports, it is (or calls) a
        library's decorator that only memoizes (`prefilter.memoizers_of`): `lru_cache` of
        `@lru_cache(maxsize=128)`, `functools` of `@functools.cache`."""
        target = decorator.func if type(decorator) is ast.Call else decorator
        if type(target) is not ast.Name and type(target) is not ast.Attribute:
            return None
        known = self.names.qualified(target) & self.known
        return _base_name(target) if known and known <= self.memoizers else None


def _units(tree: ast.Module, lookup: _Lookup, alike: bool = False) -> list[_Unit]:
    """The module's units; with `alike`, each def's `assigned` (of the names that are
    parameters of a def of the module)."""
    units: list[_Unit] = []
    for statement in tree.body:
        if isinstance(statement, ast.ClassDef):
            header = _unit(statement, None, lookup)
            for member in statement.body:  # decorators of the class's view count as the header's
                if isinstance(member, ast.Assign) and any(
                        isinstance(target, ast.Name) and target.id in DECORATOR_LISTS for target in member.targets):
                    _Walk(header.reads, lookup).run(member.value)
            units.append(header)
            units.extend(_unit(member, header, lookup) for member in statement.body)
        else:
            units.append(_unit(statement, None, lookup))
    # A memoizer left out of what a call of a function is (`_called`) must be the import's:
    # a name bound otherwise too (`lru_cache = region.cache_on_arguments`) may be another decorator.
    rebound = set[str]().union(*(unit.bound | unit.binds | unit.binds_attributes for unit in units
                                 if not isinstance(unit.node, (ast.Import, ast.ImportFrom))))
    for unit in units:
        for flow in unit.flows:
            if not flow.memoizers.isdisjoint(rebound):
                flow.value, flow.memoizers = unit.reads, frozenset()
    if alike:
        _assigned_parameters(units, lookup)
    return units


def _assigned_parameters(units: list[_Unit], lookup: _Lookup) -> None:
    """Each def's assignments of a name that is a parameter of a def of the module, with
    what the value reads: the model takes an unannotated parameter for the client every
    function of the module assigns that name (`ClientResolver._named_alike`)."""
    parameters = set[str]().union(*(unit.params for unit in units))
    for unit in units:
        if not isinstance(unit.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for targets, value in unit.assignments:
            names = {target.id for target in targets if type(target) is ast.Name} & parameters
            if names:
                reads = _Reads()
                _Walk(reads, lookup).run(value)
                unit.assigned.append((names, reads))


def _unit(node: ast.stmt, owner: _Unit | None, lookup: _Lookup) -> _Unit:
    decorators = getattr(node, "decorator_list", ())
    unit = _Unit(node, min([node.lineno, *(d.lineno for d in decorators)]), node.end_lineno or node.lineno, owner)
    if unit.is_class_header and isinstance(node, ast.ClassDef):
        for part in (*node.decorator_list, *node.bases, *(keyword.value for keyword in node.keywords)):
            _Walk(unit.reads, lookup).run(part)
        unit.binds.add(node.name)
        return unit
    walk = _Walk(unit.reads, lookup)
    walk.run(node)
    unit.bound = walk.bound
    unit.params = walk.params
    unit.assignments = walk.assignments
    unit.binds_attributes |= walk.stored_attributes
    bound = unit.binds if owner is None else unit.binds_attributes
    if isinstance(node, _DEFS):
        bound.add(node.name)
        unit.binds |= walk.declared_global
        for targets, value in walk.assignments:  # in a function only these outlive the call
            target_names, target_attributes = _targets(targets)
            target_names &= walk.declared_global
            if target_names or target_attributes:
                reads = _Reads()
                _Walk(reads, lookup).run(value)
                unit.flows.append(_Flow(target_names, target_attributes, reads))
        # Its callers count once anything in it names a cache: what it returns may be a
        # client it made (`r = redis.Redis(...); return r`: `self.get_client().keys(...)`),
        # and a call of it may be a cache operation (a wrapper's, returning nothing or not:
        # `def bust(uid): cache.delete(f"user:{uid}")`; cachelint.model.cache.wrappers).
        called, memoizers = _called(node, unit.reads, lookup)
        unit.flows.append(_Flow(set() if owner else {node.name}, {node.name} if owner else set(), called, memoizers))
    else:  # a module-level or class-level statement: what it binds holds what it reads
        bound |= walk.stored_names
        unit.flows.append(_Flow(set(unit.binds), set(unit.binds_attributes), unit.reads))
    return unit


def _called(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, reads: _Reads,
            lookup: _Lookup) -> tuple[_Reads, frozenset[str]]:
    """What may make a call of a function a cache client or a cache operation: what the
    function reads, less the decorators that only memoize, and the names those start
    with. Such a decorator (`@functools.lru_cache`) makes a call of the function return
    what the function returns, and adds no method that is a cache operation: the model
    finds nothing in the function's callers for it (it judges the decorator where it is,
    in the function's own unit, which it keeps)."""
    if isinstance(node, ast.ClassDef):  # a member that is a class: what makes an instance is the class
        return reads, frozenset()
    memoizers = {head for decorator in node.decorator_list if (head := lookup.memoizer(decorator)) is not None}
    if not memoizers:
        return reads, frozenset()
    returned = _Reads()
    walk = _Walk(returned, lookup)
    for part in (*(d for d in node.decorator_list if lookup.memoizer(d) is None), node.args, *node.body,
                 *([node.returns] if node.returns is not None else []), *getattr(node, "type_params", ())):
        walk.run(part)
    return returned, frozenset(memoizers)


class _Walk:
    """One pass over a unit's syntax tree: what it reads (into `reads`), what it binds in
    its own scope, and, inside functions, the assignments to attributes and globals."""

    def __init__(self, reads: _Reads, lookup: _Lookup) -> None:
        self.reads, self.lookup = reads, lookup
        self.stored_names: set[str] = set()  # in the unit's own scope
        self.stored_attributes: set[str] = set()
        self.bound: set[str] = set()  # every name bound, in any scope
        self.declared_global: set[str] = set()
        self.assignments: list[tuple[list[ast.expr], ast.expr]] = []  # every one, in any scope
        self.params: set[str] = set()

    def run(self, root: ast.AST) -> None:
        reads, lookup, heads = self.reads, self.lookup, self.lookup.heads
        names_read, attributes_read, own_attributes = reads.names, reads.attributes, reads.own_attributes
        bound, stored_names, stored_attributes = self.bound, self.stored_names, self.stored_attributes
        name_kind, attribute_kind, load = ast.Name, ast.Attribute, ast.Load
        # The nodes in the unit's own scope are walked first, then those in a scope nested
        # in it (a def, a lambda, a comprehension): two stacks of nodes, not one of
        # (node, whether in its own scope). Nothing the walk finds depends on its order but
        # the order of `assignments`, whose use (`_kept`'s fixed point) does not.
        # `Any`: the walk tells node types apart by `type(node) is`, which mypy does not
        # narrow on, and `isinstance` would cost more.
        own: list[Any] = [root]
        nested: list[Any] = []
        stack, own_scope = own, True
        while True:
            if not stack:
                if stack is nested or not nested:
                    return
                stack, own_scope = nested, False
            node = stack.pop()
            kind = type(node)
            if kind is name_kind:
                if type(node.ctx) is load:
                    names_read.add(node.id)
                    if node.id in heads and not reads.names_a_cache:
                        reads.names_a_cache = lookup.leads_to_cache(node)
                else:
                    bound.add(node.id)
                    if own_scope:
                        stored_names.add(node.id)
                continue
            if kind is attribute_kind:
                value = node.value
                if type(node.ctx) is load:
                    attributes_read.add(node.attr)
                    if type(value) is name_kind and value.id in _RECEIVERS:
                        own_attributes.add(node.attr)
                else:
                    stored_attributes.add(node.attr)
                if not reads.names_a_cache and (_base_name(node) or "") in heads:
                    reads.names_a_cache = lookup.leads_to_cache(node)
                stack.append(value)
                continue
            fields = _WALKED[kind]
            into = stack  # where its children go: `nested` for a scope's
            if kind in _SPECIAL:
                if kind is ast.alias:
                    name = (node.asname or node.name).split(".")[0]
                    bound.add(name)
                    if own_scope:
                        stored_names.add(name)
                    continue
                if kind in _BINDING:
                    bound.update(_bound_by(node))
                    if kind is ast.arg:
                        self.params.add(node.arg)
                if kind is ast.Global:
                    self.declared_global.update(node.names)
                elif kind in _ASSIGNMENTS:
                    assignment = _assignment(node)
                    if assignment is not None:
                        self.assignments.append(assignment)
                if node is not root and kind in _OWN_SCOPES:
                    if own_scope and kind in _DEFS:
                        stored_names.add(node.name)
                    into = nested
            for slot in fields:
                value = getattr(node, slot, None)
                if type(value) is list:
                    into.extend(value)
                elif value is not None:
                    into.append(value)


def _with_walrus(tree: ast.Module, text: str) -> list[ast.stmt]:
    """The top-level statements whose rows hold a `:=` (where the text has no lone carriage
    return, which would end a row too)."""
    rows = []
    index = text.find(":=")
    while index != -1:
        rows.append(text.count("\n", 0, index) + 1)
        index = text.find(":=", index + 2)
    return [statement for statement in tree.body if any(
        statement.lineno <= row <= (statement.end_lineno or statement.lineno) for row in rows)]


def _nodes(root: ast.AST) -> Iterator[ast.AST]:
    """Every node under `root`, as `ast.walk` gives them but in another order, at a
    fraction of its cost (its generators cost more than the walk)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        for name in _CHILD_FIELDS[type(node)]:
            value = getattr(node, name, None)
            if type(value) is list:
                stack.extend([item for item in value if isinstance(item, ast.AST)])
            elif isinstance(value, ast.AST):
                stack.append(value)


def _base_name(node: ast.expr) -> str | None:
    """`a` of `a.b.c`."""
    while type(node) is ast.Attribute:
        node = node.value
    return node.id if type(node) is ast.Name else None


# What binds a name that is not an `ast.Name` (`except E as name`, a parameter, a `def`…).
_BINDING = frozenset({*_DEFS, ast.arg, ast.ExceptHandler, ast.MatchAs, ast.MatchStar, ast.MatchMapping,
                      ast.Global, ast.Nonlocal, *(getattr(ast, kind) for kind in ("TypeVar", "ParamSpec", "TypeVarTuple")
                                                 if hasattr(ast, kind))})


def _bound_by(node: Any) -> list[str]:
    if type(node) is ast.Global or type(node) is ast.Nonlocal:
        return node.names
    name = node.arg if type(node) is ast.arg else node.rest if type(node) is ast.MatchMapping else node.name
    return [name] if name is not None else []
_ASSIGNMENTS = frozenset({ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr, ast.withitem, ast.For, ast.AsyncFor})


# The kinds of node `_Walk` does more for than walk their children (a name and an attribute
# have their own branches): what binds a name, an assignment, a scope, an import's alias.
_SPECIAL = frozenset({*_BINDING, *_ASSIGNMENTS, *_OWN_SCOPES, ast.alias})
# The fields `_Walk` walks, of each kind of node (and of None, which a list of nodes may
# hold: a dict display's `**`, a keyword-only parameter without a default): `_CHILD_FIELDS`,
# less those that never hold a node (`global`'s and `nonlocal`'s names, `case None`'s value).
_WALKED: dict[type, tuple[str, ...]] = {
    **_CHILD_FIELDS, ast.Global: (), ast.Nonlocal: (), ast.MatchSingleton: (), type(None): ()}


def _assignment(node: ast.AST) -> tuple[list[ast.expr], ast.expr] | None:
    if isinstance(node, ast.Assign):
        return node.targets, node.value
    if isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
        return ([node.target], node.value) if node.value is not None else None
    if isinstance(node, ast.withitem):
        return ([node.optional_vars], node.context_expr) if node.optional_vars is not None else None
    assert isinstance(node, (ast.For, ast.AsyncFor)), node  # the last of _ASSIGNMENTS
    return [node.target], node.iter


def _targets(targets: Iterable[ast.expr]) -> tuple[set[str], set[str]]:
    names: set[str] = set()
    attributes: set[str] = set()
    for target in targets:
        for node in _nodes(target):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Attribute):
                attributes.add(node.attr)
    return names, attributes


def _kept(units: list[_Unit], names: tree_scan.CacheNames, declared: Declared | None = None) -> set[int]:
    """The indexes of the units to keep (see the module's docstring), to a fixed point."""
    cache_names, cache_attributes = set(names.heads), set[str]()
    kept = {index for index, unit in enumerate(units) if isinstance(unit.node, (ast.Import, ast.ImportFrom))}
    position = {id(unit): index for index, unit in enumerate(units)}
    whole: set[int] = set()  # class headers every member of which is kept
    if declared is not None:
        cache_names |= declared.names
        cache_attributes |= declared.attributes
        kept |= _kept_for_the_project(units, declared, whole)
    changed = True
    while changed:
        changed = False
        for unit in units:
            for flow in unit.flows:
                new = (flow.names - cache_names) or (flow.attributes - cache_attributes)
                if new and flow.value.use(cache_names, cache_attributes):
                    cache_names |= flow.names
                    cache_attributes |= flow.attributes
                    changed = True
        read_names: set[str] = set()
        read_members: dict[int, set[str]] = {}  # class header index -> members read through self/cls
        for index in kept:
            unit = units[index]
            read_names |= unit.reads.names
            if unit.owner is not None:
                read_members.setdefault(position[id(unit.owner)], set()).update(unit.reads.own_attributes)
        for index, unit in enumerate(units):
            if index in kept:
                continue
            if unit.owner is None:
                needed = not unit.binds.isdisjoint(read_names)
            else:
                needed = not unit.binds_attributes.isdisjoint(read_members.get(position[id(unit.owner)], ()))
            if needed or unit.reads.use(cache_names, cache_attributes):
                kept.add(index)
                changed = True
        for index, unit in enumerate(units):
            owner = unit.owner
            if owner is None or index in kept and position[id(owner)] in kept:
                continue
            if index in kept or position[id(owner)] in whole or owner.reads.use(cache_names, cache_attributes):
                kept.update({index, position[id(owner)]})
                changed = True
        if declared is not None and not changed:
            changed = _alike(units, kept, cache_names, cache_attributes) or _with_a_def(units, kept, position)
    return kept


def _alike(units: list[_Unit], kept: set[int], cache_names: set[str], cache_attributes: set[str]) -> bool:
    """Keeps the defs that have a parameter, or assign a name, which a kept def assigns
    something that uses a cache (`redis_conn = get_redis_connection()`: the model takes
    `def f(redis_conn)` for that client, unless a def assigns it something else).
    Whether it kept one."""
    names = {name for index in kept for assigned, reads in units[index].assigned
             if reads.use(cache_names, cache_attributes) for name in assigned}
    if not names:
        return False
    found = {index for index, unit in enumerate(units) if index not in kept and (
        not unit.params.isdisjoint(names) or any(not assigned.isdisjoint(names) for assigned, _ in unit.assigned))}
    kept |= found
    return bool(found)


def _kept_for_the_project(units: list[_Unit], declared: Declared, whole: set[int]) -> set[int]:
    """The units the second pass keeps besides those that use a cache (the module's
    docstring); the class headers among them whose every member it keeps go in `whole`."""
    kept = set()
    for index, unit in enumerate(units):
        if unit.owner is None and not isinstance(unit.node, _DEFS):
            kept.add(index)  # a module-level statement
        elif unit.owner is None and not unit.binds.isdisjoint(declared.names):
            kept.add(index)
            if unit.is_class_header:
                whole.add(index)
        elif unit.owner is None and not unit.binds.isdisjoint(declared.exported):
            kept.add(index)
        if any(not name.startswith("_") and looks_like_a_cache(name) for name in unit.binds_attributes):
            kept.add(index)
    return kept


def _with_a_def(units: list[_Unit], kept: set[int], position: dict[int, int]) -> bool:
    """Keeps, in each class with a member kept that has defs but none kept, its shortest
    def: the model finds a class's scope through one (`extract._class_scope`). Whether it
    kept one."""
    with_a_def = {position[id(units[index].owner)] for index in kept if units[index].owner is not None
                  and isinstance(units[index].node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    added = False
    for header in {position[id(units[index].owner)] for index in kept if units[index].owner is not None} - with_a_def:
        defs = [index for index, unit in enumerate(units) if unit.owner is units[header]
                and isinstance(unit.node, (ast.FunctionDef, ast.AsyncFunctionDef))]
        if defs:
            kept.add(min(defs, key=lambda index: units[index].last_row - units[index].first_row))
            added = True
    return added


def _text(lines: list[str], units: list[_Unit], kept: set[int]) -> Reduced:
    # Units kept here only so that the text parses name no cache (or they would be kept
    # already) and bind nothing a kept unit reads: what they need need not be kept.
    for index, unit in enumerate(units):  # `class A: x = 1` is kept whole, or not at all
        if index in kept and unit.is_class_header and not _body_on_own_rows(unit, lines):
            kept.update(i for i, member in enumerate(units) if member.owner is unit)
    while True:
        kept_rows: set[int] = set()
        for index in kept:
            kept_rows.update(_rows(units[index]))
        # A unit left out that shares a row with a kept one (`a = (1,⏎ 2); b = r.get(k)`) is kept.
        sharing = {index for index, unit in enumerate(units)
                   if index not in kept and not kept_rows.isdisjoint(_rows(unit))}
        if not sharing:
            break
        kept |= sharing
    placeholders: dict[int, str] = {}  # row -> the body of a class none of whose members is kept
    for index, unit in enumerate(units):
        if index in kept and unit.is_class_header:
            row = _first_member_row(unit)
            if row not in kept_rows:
                line = lines[row - 1]
                indent = line[:len(line) - len(line.lstrip(" \t\f"))]
                placeholders[row] = f"{indent}...{_ending(line)}"
    dropped = {row for index, unit in enumerate(units) if index not in kept for row in _rows(unit)}
    dropped |= _before_dropped(lines, dropped, kept_rows)
    text: list[str] = []
    rows: list[int] = []
    for row, line in enumerate(lines, 1):
        if row in placeholders:
            line = placeholders[row]
        elif row in dropped:
            continue
        text.append(line)
        rows.append(row)
    return Reduced("".join(text), tuple(rows), parsing.Outline.of(_statements(units, kept), lines, rows))


def _before_dropped(lines: list[str], dropped: set[int], kept: set[int]) -> set[int]:
    """The blank and comment rows (the only rows outside every unit) whose next row of
    code is left out: in LibCST's tree of the whole file, the lines before a statement
    are that statement's (`leading_lines`), and go with it. Those before a kept one stay."""
    found: set[int] = set()
    next_dropped = False  # whether the next row of code below is left out
    for row in range(len(lines), 0, -1):
        if row in dropped or row in kept:
            next_dropped = row in dropped
        elif next_dropped:
            found.add(row)
    return found


def _statements(units: list[_Unit], kept: set[int]) -> list[ast.stmt]:
    """The kept text's top-level statements, as the module's tree has them: a class with
    only its kept members (a copy: the module's own is left as it is)."""
    statements: list[ast.stmt] = []
    classes: dict[int, ast.ClassDef] = {}  # id of a header unit -> its copy
    for index, unit in enumerate(units):
        if index not in kept:
            continue
        if unit.owner is not None:  # after its header, which is kept with it
            classes[id(unit.owner)].body.append(unit.node)
        elif isinstance(unit.node, ast.ClassDef):  # a class's header
            header = classes[id(unit)] = copy.copy(unit.node)
            header.body = []
            statements.append(header)
        else:
            statements.append(unit.node)
    return statements


def _rows(unit: _Unit) -> range:
    """The rows a unit spans; for a class header, up to its first member."""
    if unit.is_class_header:
        return range(unit.first_row, _first_member_row(unit))
    return range(unit.first_row, unit.last_row + 1)


def _body_on_own_rows(header: _Unit, lines: list[str]) -> bool:
    assert isinstance(header.node, ast.ClassDef)
    first = header.node.body[0]
    row = _first_member_row(header)
    # getattr: a member that starts on another row has decorators, which ast.stmt does not declare.
    column = first.col_offset if row == first.lineno else getattr(first, "decorator_list")[0].col_offset - 1  # noqa: B009
    return row > header.node.lineno and not lines[row - 1][:column].strip()


def _first_member_row(header: _Unit) -> int:
    assert isinstance(header.node, ast.ClassDef)
    first = header.node.body[0]
    return min([first.lineno, *(d.lineno for d in getattr(first, "decorator_list", ()))])


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")):] or "\n"
