"""The project index: every file's facts merged, and which writes leave which caches stale.

Built from `cachelint.index.facts` alone, so it is the same whether a file's facts were
just computed or came from the result cache. Everything is a dict keyed by entity name,
template or function, so a big tree costs one pass over its facts.

A write to an entity leaves a cached namespace of that entity stale unless the write's
*path* busts it: the write's function, the project functions that call it (one or two
calls up; a call of a method on a receiver of unknown type counts by the method's
name), the functions it calls itself (a method called on a receiver of unknown type: the
functions of that name), or a hook the write runs (a signal receiver, the model's own
`save`/`delete`; a queryset `update`, bulk methods and SQL run none). A bust counts when
its template is the namespace's (`product:{}`), a pattern that covers it (`product:*`),
or a key the analysis cannot read (it may be any key). An INSERT only stales caches that are not per row.
"""
from __future__ import annotations

import fnmatch
from collections import defaultdict
from dataclasses import dataclass, field

from cachelint.index.facts import ANY_RECEIVER, KEY_SEPARATORS
from cachelint.model.app.db_writes import WRITE_METHODS
from cachelint.model.libraries import LIBRARIES

_CALLERS_UP = 2  # an invalidation by a caller this many calls up counts
# Method names of the cache libraries and of DB writes (`delete`, `set`, `save`, `update`).
_GENERIC_METHODS = frozenset({name for library in LIBRARIES for name in library.methods}) | WRITE_METHODS


@dataclass
class Namespace:
    """One cached view of an entity: a key template and everywhere it is filled and busted."""

    template: str
    entity: str | None  # as the first fill names it: `products`, `Product`; None: not known
    fills: list[dict] = field(default_factory=list)  # read facts, with "path"
    busts: list[dict] = field(default_factory=list)  # bust facts, with "path"
    stale_after: list[dict] = field(default_factory=list)  # write facts that miss it, with "path"

    @property
    def key(self) -> str:
        return self.fills[0]["key"]

    @property
    def namespace(self) -> str:
        """The key's first segment: `product` for `product:{}:related`."""
        return KEY_SEPARATORS.split(self.template, maxsplit=1)[0]

    @property
    def per_row(self) -> bool:
        return all(fill["per_row"] for fill in self.fills)


@dataclass(frozen=True)
class StaleWrite:
    """A DB write and the namespaces of its entity its path does not bust."""

    write: dict  # the write's facts, with "path"
    missed: tuple[Namespace, ...]


class ProjectIndex:
    def __init__(self, facts: list[dict]) -> None:
        self.namespaces: dict[tuple[str, str], Namespace] = {}  # (entity name, template) -> namespace
        self.by_entity: dict[str, list[Namespace]] = defaultdict(list)
        self.writes: list[dict] = []
        self.fill_sites: set[tuple[str, int]] = set()
        self.busts_by_function: dict[str, list[dict]] = defaultdict(list)
        self.busts_by_method: dict[str, list[dict]] = defaultdict(list)  # a function's last name -> busts
        self.callers: dict[str, set[str]] = defaultdict(set)
        self.callees: dict[str, set[str]] = defaultdict(set)
        self.hooks: dict[str, set[str]] = defaultdict(set)  # entity name -> functions
        for file in facts:
            self._add(file)
        self._stale = [stale for stale in map(self._stale_write, self.writes) if stale is not None]
        for stale in self._stale:
            for namespace in stale.missed:
                namespace.stale_after.append(stale.write)

    def _add(self, file: dict) -> None:
        path = file["path"]
        for read in file["reads"]:
            read = {**read, "path": path}
            self.fill_sites.add((path, read["line"]))
            name = read["entity_label"] or ""
            namespace = self.namespaces.get((name, read["template"]))
            if namespace is None:
                namespace = self.namespaces[(name, read["template"])] = Namespace(read["template"], read["entity_label"])
                for entity_name in read["entity"]:
                    self.by_entity[entity_name].append(namespace)
            if not any(fill["path"] == path and fill["line"] == read["line"] for fill in namespace.fills):
                namespace.fills.append(read)  # a key with several shapes is filled once
        self.writes += [{**write, "path": path} for write in file["writes"]]
        for bust in file["busts"]:
            bust = {**bust, "path": path}
            self.busts_by_function[_short(bust["function"])].append(bust)
            self.busts_by_method[_method(bust["function"])].append(bust)
        for caller, callee in file["calls"]:
            self.callers[_short(callee)].add(_short(caller))
            self.callees[_short(caller)].add(_short(callee))
        for hook in file["hooks"]:
            for entity_name in hook["entity"]:
                self.hooks[entity_name].add(_short(hook["function"]))

    # ------------------------------------------------------------------ queries

    def stale_writes(self) -> list[StaleWrite]:
        return self._stale

    def inventory(self) -> list[Namespace]:
        """Every cached namespace, in (entity, template) order, with the busts anywhere
        in the project that touch it."""
        found = sorted(self.namespaces.values(), key=lambda n: (n.entity is None, (n.entity or "").lower(), n.template))
        for namespace in found:
            namespace.busts = [
                bust for busts in self.busts_by_function.values() for bust in busts
                if bust["template"] is not None and _covers(bust["template"], namespace.template)
                and (bust["path"], bust["line"]) not in self.fill_sites
            ]
        return found

    # ------------------------------------------------------------------ the check

    def _namespaces_of(self, entity: list[str]) -> list[Namespace]:
        seen: dict[int, Namespace] = {}
        for name in entity:
            for namespace in self.by_entity.get(name, ()):
                seen[id(namespace)] = namespace
        return list(seen.values())

    def _stale_write(self, write: dict) -> StaleWrite | None:
        namespaces = self._namespaces_of(write["entity"])
        if write["kind"] == "insert":
            namespaces = [namespace for namespace in namespaces if not namespace.per_row]
        if not namespaces:
            return None
        templates = self._busted_on_path(write)
        if templates is None:
            return None
        missed = tuple(
            namespace for namespace in namespaces
            if not any(_covers(template, namespace.template) for template in templates)
        )
        return StaleWrite(write, missed) if missed else None

    def _callers_of(self, function: str) -> set[str]:
        """Callers by name, and callers of a method of that name on a receiver of unknown
        type (which may be this function: counting them errs towards silence)."""
        method = f"{ANY_RECEIVER}.{function.rsplit('.', 1)[-1]}"
        return self.callers.get(function, set()) | self.callers.get(method, set())

    def _busted_on_path(self, write: dict) -> set[str] | None:
        """The templates the write's path busts; None when it busts a key the analysis
        cannot read, which may be any of them."""
        path = {_short(write["function"])}
        level = set(path)
        for _ in range(_CALLERS_UP):
            level = {caller for function in level for caller in self._callers_of(function)}
            path |= level
        if write["runs_hooks"]:
            for name in write["entity"]:
                path |= self.hooks.get(name, set())
        helpers = {callee for function in path for callee in self.callees.get(function, ())} - path
        templates = set()
        for function in path | helpers:
            for bust in self.busts_by_function.get(function, ()):
                # A helper that fills the cache on a miss (`get_product(pid)` to return the
                # fresh row) leaves an entry that is there untouched.
                if function in helpers and (bust["path"], bust["line"]) in self.fill_sites:
                    continue
                if bust["template"] is None:
                    return None
                templates.add(bust["template"])
        for helper in helpers - self.busts_by_function.keys():
            busted = self._busted_by_method(helper)
            if busted is None:
                return None
            templates |= busted
        return templates

    def _busted_by_method(self, callee: str) -> set[str] | None:
        """What a call the project cannot place may bust (`self.cache.forget(pk)`, or
        `profile.update_cache()` on an object of unknown type): what the functions of
        that name bust; None when one busts a key the analysis cannot read. A method
        named like a cache or ORM call (`delete`, `set`, `save`) is not looked up: every
        `qs.delete()` would otherwise meet a wrapper's `delete(self, key)`."""
        method = _method(callee)
        if method in _GENERIC_METHODS:
            return set()
        templates = set()
        for bust in self.busts_by_method.get(method, ()):
            if (bust["path"], bust["line"]) in self.fill_sites:
                continue
            if bust["template"] is None:
                return None
            templates.add(bust["template"])
        return templates


def _short(function: str) -> str:
    """How the call graph names a function: its module's last part and its name
    (`pricing.update_price`, `Product.save`), so that `shop.pricing` imported from a
    folder that is not a package still meets the `pricing` a file path gives."""
    return ".".join(function.rsplit(".", 2)[-2:])


def _method(function: str) -> str:
    """The last name of a function or of a call (`forget` for `store.EventCache.forget` and `*.forget`)."""
    return function.rsplit(".", 1)[-1]


def _covers(bust: str, template: str) -> bool:
    """Whether busting `bust` (a template, or a pattern like `product:*`) reaches `template`."""
    if bust == template:
        return True
    return any(char in bust for char in "*?[") and fnmatch.fnmatchcase(template, bust)


