"""The project model: every file's facts merged, and names resolved across modules.

Built from `cachelint.project.facts` alone, so it is the same whether a file's facts were
just computed or came from the result cache. Everything is a dict keyed by qualified
name, entity, template or function, so a big tree costs one pass over its facts.

- `resolve("shop.cache.store")`: the function, class or instance a qualified name
  denotes in any module, following re-exports (`from .ext import cache` in a package's
  `__init__`) and a class's methods (`shop.cache.Store.get`).
- `namespaces_of(entity)`: the cached views (key templates) of an entity, with where
  each is filled; `views_changed_by(write)`: those whose rows and columns a DB write may
  change (a view of one kind of row of a shared table, or of a few columns: see
  cachelint.project.rows).
- `busted_on_path(write)`: the templates a DB write's path busts: the write's function,
  the project functions that call it (one or two calls up; a call of a method on a
  receiver of unknown type counts by the method's name), the functions it calls itself
  (a method called on a receiver of unknown type: the functions of that name), and the
  hooks the write runs (a signal receiver, the model's own `save`/`delete`; a queryset
  `update`, bulk methods and SQL run none). None when one busts a key the analysis
  cannot read, which may be any key, or runs the functions of a registry it loops over.
- `covers(bust, template)`: whether busting `bust` (a template, or a pattern like
  `product:*`) reaches `template`.
"""
from __future__ import annotations

import fnmatch
import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from cachelint.model.app.write_kind import WRITE_METHODS, WriteKind
from cachelint.model.cache.custom import receiver_word
from cachelint.model.libraries import LIBRARIES
from cachelint.model.spec import Decorator, Method
from cachelint.project.facts import (
    ANY_RECEIVER,
    DJANGO_SETTINGS,
    KEY_SEPARATORS,
    REGISTERED,
    Bust,
    Definition,
    EntityWrite,
    FileFacts,
    Fill,
    is_settings_module,
)

_CALLERS_UP = 2  # an invalidation by a caller this many calls up counts
_MAX_HOPS = 8  # re-exports followed when resolving a name
_NONE: frozenset[str] = frozenset()
_Value = TypeVar("_Value")


@functools.cache
def _generic_methods() -> frozenset[str]:
    """Method names of the cache libraries and of DB writes (`delete`, `set`, `save`, `update`)."""
    return frozenset({name for library in LIBRARIES for name in library.methods}) | WRITE_METHODS


@dataclass
class Namespace:
    """One cached view of an entity: a key template and everywhere it is filled."""

    template: str
    entity: str | None  # as the first fill names it: `products`, `Product`; None: not known
    fills: list[Fill] = field(default_factory=list)
    _sites: set[tuple[str, int]] = field(default_factory=set, repr=False, compare=False)  # the fills' (path, line)

    def add(self, fill: Fill) -> None:
        """Count `fill` once per site: a key with several shapes is one fill."""
        if (fill.path, fill.line) not in self._sites:
            self._sites.add((fill.path, fill.line))
            self.fills.append(fill)

    @property
    def key(self) -> str:
        return self.fills[0].key

    @property
    def namespace(self) -> str:
        """The key's first segment: `product` for `product:{}:related`."""
        return KEY_SEPARATORS.split(self.template, maxsplit=1)[0]

    @property
    def per_row(self) -> bool:
        return all(fill.per_row for fill in self.fills)

    def changed_by(self, write: EntityWrite) -> bool:
        """Whether the write may change rows and columns this view holds (cachelint.project.rows):
        every fill's query reads a kind of row the write does not name, or only columns it
        does not set, or requires columns a row it inserts leaves unset: not changed."""
        return any(_fill_changed_by(fill, write) for fill in self.fills)


def _fill_changed_by(fill: Fill, write: EntityWrite) -> bool:
    if fill.kind is not None and fill.kind not in write.kinds:
        return False
    if not write.columns:
        return True
    if write.kind == WriteKind.INSERT.value:
        return set(fill.required) <= set(write.columns)
    return not fill.columns or not set(fill.columns).isdisjoint(write.columns)


class ProjectModel:
    def __init__(self, files: list[FileFacts]) -> None:
        self.files = files
        self.definitions: dict[str, Definition] = {}
        self.imports: dict[str, str] = {}  # `pkg.cache` -> `pkg.ext.cache` (a module-level import)
        self.modules: set[str] = set()
        self.namespaces: dict[tuple[str, str], Namespace] = {}  # (entity name, template) -> namespace
        self.by_entity: dict[str, list[Namespace]] = defaultdict(list)
        self.writes: list[EntityWrite] = []
        self.fill_sites: set[tuple[str, int]] = set()
        self.busts_by_function: dict[str, list[Bust]] = defaultdict(list)
        self.busts_by_method: dict[str, list[Bust]] = defaultdict(list)  # a function's last name -> busts
        self.callers: dict[str, set[str]] = defaultdict(set)
        self.callees: dict[str, set[str]] = defaultdict(set)
        self.hooks: dict[str, set[str]] = defaultdict(set)  # entity name -> functions
        self._class_methods: dict[str, set[str]] = {}
        self._wrapper_classes: dict[str, tuple[str, dict[str, Method]]] | None = None
        self._resolved: dict[str, Definition | None] = {}
        self._busted: dict[tuple[str, tuple[str, ...] | None], frozenset[str] | None] = {}
        self._attribute_clients: dict[str, str] | None = None
        for file in files:
            self._add(file)
        self._inside = self._imported_as_top_level()

    def _add(self, file: FileFacts) -> None:
        self.modules.add(file.module)
        for definition in file.definitions:
            self.definitions[definition.name] = definition
        for name, imported in file.imports.items():
            self.imports[f"{file.module}.{name}"] = imported
        for fill in file.fills:
            self.fill_sites.add((fill.path, fill.line))
            name = fill.entity_label or ""
            namespace = self.namespaces.get((name, fill.template))
            if namespace is None:
                namespace = self.namespaces[(name, fill.template)] = Namespace(fill.template, fill.entity_label)
                for entity_name in fill.entity:
                    self.by_entity[entity_name].append(namespace)
            namespace.add(fill)
        self.writes += file.writes
        for bust in file.busts:
            self.busts_by_function[_short(bust.function)].append(bust)
            self.busts_by_method[_method(bust.function)].append(bust)
        for caller, callee in file.calls:
            self.callers[_short(callee)].add(_short(caller))
            self.callees[_short(caller)].add(_short(callee))
        for hook in file.hooks:
            for entity_name in hook.entity:
                self.hooks[entity_name].add(_short(hook.function))

    # ------------------------------------------------------------------ names

    def resolve(self, qualified: str) -> Definition | None:
        """The definition `qualified` denotes in the project, through re-exports; None
        for a name outside the project or one no module defines."""
        # Remembered: the second pass asks of each name several times a round (a third of
        # the names asked are new), and the model does not change once made.
        try:
            return self._resolved[qualified]
        except KeyError:
            found = self._resolved[qualified] = self._resolve(qualified)
            return found

    def _resolve(self, qualified: str) -> Definition | None:
        for _ in range(_MAX_HOPS):
            found = self.definitions.get(qualified)
            if found is not None:
                return found
            imported = self._imported(qualified)
            if imported is None:
                return None
            qualified = imported
        return None

    def _imported(self, qualified: str) -> str | None:
        """What `qualified` names once the import it goes through is followed:
        `pkg.cache.get` -> `pkg.ext.cache.get` when `pkg` does `from .ext import cache`;
        `tests.utils.x` -> `label_studio.tests.utils.x` (`_imported_as_top_level`)."""
        parts = qualified.split(".")
        for end in range(len(parts), 0, -1):
            imported = self.imports.get(".".join(parts[:end]))
            if imported is not None:
                return ".".join([imported, *parts[end:]])
        package = self._inside.get(parts[0])
        return f"{package}.{qualified}" if package is not None else None

    def _imported_as_top_level(self) -> dict[str, str]:
        """`tests` -> `label_studio`: a package of one of the project's top-level packages
        that its modules may import as a top-level one. A Django project whose `manage.py`
        sits in `label_studio/` runs with that folder on the path: `from core.utils import
        x` there imports `label_studio/core/utils.py`, and `from tests.utils import x` (in
        a test the first pass did not model) `label_studio/tests/utils.py`. The packages of
        a top-level package one of whose packages the modules import so; only names no
        module of the project has at the top level, and one top-level package alone has."""
        top = {module.partition(".")[0] for module in self.modules}
        imported = {name.partition(".")[0] for name in self.imports.values()} - top
        inner = [parts for module in self.modules if len(parts := module.split(".")) >= 2 and parts[1] not in top]
        on_the_path = {parts[0] for parts in inner if parts[1] in imported}
        found: dict[str, set[str]] = defaultdict(set)
        for parts in inner:
            if parts[0] in on_the_path:
                found[parts[1]].add(parts[0])
        return {name: packages.pop() for name, packages in found.items() if len(packages) == 1}

    def _as_top_level(self, found: dict[str, _Value]) -> dict[str, _Value]:
        """`found` and, for each of its names in a package its modules may import as a
        top-level one (`_imported_as_top_level`), the name so spelled (`tests.utils.x` for
        `label_studio.tests.utils.x`): how those modules' imports name it."""
        for name in list(found) if self._inside else ():
            package, _, rest = name.partition(".")
            if self._inside.get(rest.partition(".")[0]) == package:
                found.setdefault(rest, found[name])
        return found

    def clients(self) -> dict[str, str]:
        """Qualified name -> library, for the clients the project makes where other modules
        reach them: module-level instances, functions that return one and classes whose
        instances are one (a subclass of a client class), at any depth and across modules
        (`def get_cache(): return make_cache()` with `make_cache` in another module), and
        the names that re-export them (`from .ext import cache` in a package)."""
        known = {f"{file.module}.{name}": library for file in self.files for name, library in file.clients.items()}
        known.update({d.name: d.library for d in self.definitions.values() if d.library is not None})
        for _ in range(_MAX_HOPS):
            added = {}
            for definition in self.definitions.values():
                if definition.name in known:
                    continue
                for made_by in _made_by(definition):
                    target = self.resolve(made_by)
                    if target is not None and target.name in known:
                        added[definition.name] = known[target.name]
                        break
            if not added:
                break
            known.update(added)
        for alias in self.imports:
            target = self.resolve(alias)
            if target is not None and target.name in known and alias not in known:
                known[alias] = known[target.name]
        # `cache_manager.data_cache`: a client an instance of a project class holds.
        for name in [*(d.name for d in self.definitions.values() if d.kind == "instance"), *self._reexports()]:
            target = self.resolve(name)
            of_class = self.class_of(target) if target is not None and target.kind == "instance" else None
            for member, library in of_class.members if of_class is not None else ():
                known.setdefault(f"{name}.{member}", library)
        return self._as_top_level(known)

    def _reexports(self) -> list[str]:
        """The names a package imports (`from .extensions import cache_manager` in
        `app/__init__.py`): what other modules may import from it instead of from where
        it is made. (Every module's imports would make every importer's importers import it.)"""
        packages = {module.rpartition(".")[0] for module in self.modules}
        return [alias for alias in self.imports if alias.rpartition(".")[0] in packages]

    def class_of(self, definition: Definition, depth: int = 0) -> Definition | None:
        """The project class whose instance an instance definition holds, or a factory
        function returns (every `return` the same class, or an instance of it); None when
        it is none or not known."""
        made = {target.name: target for made_by in _made_by(definition)
                if (target := self.resolve(made_by)) is not None}
        if len(made) != 1 or definition.kind == "class" or depth > _MAX_HOPS:
            return None
        found = next(iter(made.values()))
        return found if found.kind == "class" else self.class_of(found, depth + 1)

    def wrappers(self) -> dict[str, tuple[str, Method]]:
        """Qualified name -> (library, operation), for the project's wrapper functions, and
        the names that re-export them. (The methods of wrapper classes: `wrapper_classes`.)"""
        classes = self.wrapper_classes()
        found = {wrapper.name: (wrapper.library, wrapper.spec()) for file in self.files for wrapper in file.wrappers
                 if wrapper.name.rpartition(".")[0] not in classes}
        for alias in self.imports:
            target = self.resolve(alias)
            if target is not None and target.name in found and alias not in found:
                found[alias] = found[target.name]
        # A module a package re-exports (`from app.utils import cache` in `app/__init__.py`):
        # its wrappers are also called through the package (`from app import cache; cache.clear()`).
        aliases: dict[str, list[str]] = defaultdict(list)  # module -> the names a package re-exports it by
        for alias in self._reexports():
            if self.imports[alias] in self.modules:
                aliases[self.imports[alias]].append(alias)
        for name in list(found) if aliases else ():
            module, _, function = name.rpartition(".")
            for alias in aliases.get(module, ()):
                found.setdefault(f"{alias}.{function}", found[name])
        return self._as_top_level(found)

    def memoizers(self) -> dict[str, tuple[str, Decorator, bool]]:
        """Qualified name -> (library, decorator, applied called), for the project's
        memoizers (`memoize_redis(ttl)`), and the names that re-export them."""
        found = {memo.name: (memo.library, memo.spec(), memo.factory) for file in self.files for memo in file.memoizers}
        for alias in self.imports:
            target = self.resolve(alias)
            if target is not None and target.name in found and alias not in found:
                found[alias] = found[target.name]
        return self._as_top_level(found)

    def nonpositive_constants(self) -> dict[str, float]:
        """Qualified name -> value, for the module constants bound to zero or less
        (`shop.conf.NO_CACHE = 0`) and the names that re-export them; and Django's
        `django.conf.settings.<NAME>` for a setting every settings module of the project
        that sets it sets to zero or less (a development settings file that disables
        caching, next to a production one that does not, is not such a setting)."""
        found = {f"{file.module}.{name}": value for file in self.files
                 for name, value in file.constants.items() if value is not None and value <= 0}
        for alias in self.imports:
            target = self.resolve(alias)
            if target is not None and target.name in found and alias not in found:
                found[alias] = found[target.name]
        for name, values in self.numeric_settings().items():
            if max(values) <= 0:
                found[f"{DJANGO_SETTINGS}.{name}"] = max(values)
        return found

    def numeric_settings(self) -> dict[str, list[float]]:
        """Django setting name -> the number each settings module of the project that sets
        it sets it to, for the settings that every one of them sets to a number."""
        settings: dict[str, list[float | None]] = defaultdict(list)
        for file in self.files:
            if is_settings_module(file.module):
                for name, value in file.constants.items():
                    settings[name].append(value)
        return {name: [value for value in values if value is not None] for name, values in settings.items()
                if None not in values}

    def wrapper_classes(self) -> dict[str, tuple[str, dict[str, Method]]]:
        """Qualified class name -> (library, method name -> operation), for the project's
        classes whose methods forward to one shared cache library (`class Store` with
        `get`, `set` and `delete` calling `self._r`), and their subclasses."""
        if self._wrapper_classes is None:
            found = self._find_wrapper_classes()
            for alias in self._reexports():  # `from .cache import Cache` in the package
                target = self.resolve(alias)
                if target is not None and target.name in found and alias not in found:
                    found[alias] = found[target.name]
            self._wrapper_classes = self._as_top_level(found)
        return self._wrapper_classes

    def _find_wrapper_classes(self) -> dict[str, tuple[str, dict[str, Method]]]:
        by_class: dict[str, list] = defaultdict(list)
        for file in self.files:
            for wrapper in file.wrappers:
                owner = self.definitions.get(wrapper.name.rpartition(".")[0])
                if owner is not None and owner.kind == "class":
                    by_class[owner.name].append(wrapper)
        found = {}
        for name, wrappers in by_class.items():
            libraries = {wrapper.library for wrapper in wrappers}
            if len(libraries) == 1:
                found[name] = (libraries.pop(), {w.name.rpartition(".")[2]: w.spec() for w in wrappers})
        for _ in range(_MAX_HOPS):  # a subclass inherits the methods of a wrapper class it does not define
            added = False
            for definition in self.definitions.values():
                if definition.kind != "class":
                    continue
                for base in definition.bases:
                    parent = self.resolve(base)
                    if parent is None or parent.name == definition.name or parent.name not in found:
                        continue
                    inherited = found[parent.name]
                    library, methods = found.get(definition.name, (inherited[0], {}))
                    missing = inherited[1].keys() - methods.keys() - self._methods_of(definition.name)
                    if library == inherited[0] and missing:
                        found[definition.name] = (library, {**methods, **{m: inherited[1][m] for m in sorted(missing)}})
                        added = True
            if not added:
                break
        return found

    def _methods_of(self, class_name: str) -> set[str]:
        """The methods a class of the project defines itself."""
        if not self._class_methods:
            for name, definition in self.definitions.items():
                if definition.kind == "function":
                    owner, _, method = name.rpartition(".")
                    self._class_methods.setdefault(owner, set()).add(method)
        return self._class_methods.get(class_name, set())

    def wrapper_instances(self, declared: Iterable[str] = ()) -> dict[str, str]:
        """Qualified name -> wrapper class, for the instances of the project's wrapper
        classes (and of those the configuration `declared`) other modules import
        (`store = Store()`), the functions that return one, and the names that re-export them."""
        classes = self.wrapper_classes().keys() | set(declared)
        found = {}
        for name in [*(d.name for d in self.definitions.values() if d.kind in ("instance", "function")),
                     *self._reexports()]:
            target = self.resolve(name)
            of_class = self.class_of(target) if target is not None else None
            if of_class is not None and of_class.name in classes:
                found[name] = of_class.name
        return found

    def attribute_clients(self) -> dict[str, str]:
        """What `x.<name>` is on a receiver `x` of unknown type (a parameter, a model
        relation), by the evidence of the whole project's classes: `name` -> library, or
        qualified wrapper class, for the names every class of the project that has such
        an attribute or property makes a client of that one library or an instance of that
        one wrapper class; and `event.cache` -> the same, for a name that classes make
        different things of, when the receiver is named after the one class of that name
        that has it (`event`, `self.request.event` for pretix's `Event`, whose `cache` is an
        `ObjectRelatedCache(self)`, while a `PlaceholderContext` keeps a dict in its own).
        Only names that look like a cache are recorded (`Definition.made`); a class that
        makes anything else of one (a dict, a parameter, another client) leaves the name
        to the receivers named after the other classes. The client a wrapper class holds
        is left out: its users go through its methods (`self.cache = caches["default"]`
        in pretix's `NamespacedCache`)."""
        if self._attribute_clients is None:
            classes = self.wrapper_classes()
            known = self.clients()
            outcomes: dict[str, set[str | None]] = defaultdict(set)
            by_class: dict[str, dict[str, set[str | None]]] = defaultdict(lambda: defaultdict(set))
            for definition in self.definitions.values():
                if definition.name in classes:
                    continue
                libraries = dict(definition.members)
                owner = receiver_word(definition.name.rpartition(".")[2])
                for name, maker in definition.made:
                    outcome = libraries.get(name) or self._made_client(maker, classes, known)
                    outcomes[name].add(outcome)
                    by_class[name][owner].add(outcome)
            found: dict[str, str] = {}
            for name, made in outcomes.items():
                only = _the_one(made)
                if only is not None:
                    found[name] = only
                # Also when the name alone says it: a file the model has not seen (the
                # engine's `_typed_attributes`) may take that back, not these.
                for owner, one in by_class[name].items():
                    only = _the_one(one)
                    if only is not None:
                        found[f"{owner}.{name}"] = only
            self._attribute_clients = found
        return self._attribute_clients

    def _made_client(self, maker: str, classes: dict, known: dict[str, str]) -> str | None:
        """The wrapper class (qualified) or library whose instance or client `maker`
        makes, called: a wrapper class, a function returning an instance of one, a
        factory or class of a client; None when it is none of them, or not known."""
        target = self.resolve(maker) if maker else None
        if target is None:
            return None
        if target.name in classes:
            return target.name
        of_class = self.class_of(target)
        if of_class is not None and of_class.name in classes:
            return of_class.name
        return known.get(target.name)

    # ------------------------------------------------------------------ cached views

    def namespaces_of(self, entity: tuple[str, ...]) -> list[Namespace]:
        seen: dict[int, Namespace] = {}
        for name in entity:
            for namespace in self.by_entity.get(name, ()):
                seen[id(namespace)] = namespace
        return list(seen.values())

    def views_changed_by(self, write: EntityWrite) -> list[Namespace]:
        """The cached views of the write's entity whose rows and columns it may change."""
        return [namespace for namespace in self.namespaces_of(write.entity) if namespace.changed_by(write)]

    def busts_of(self, namespace: Namespace) -> list[Bust]:
        """The busts anywhere in the project that reach `namespace` (fills left out)."""
        return [
            bust for busts in self.busts_by_function.values() for bust in busts
            if bust.template is not None and covers(bust.template, namespace.template)
            and (bust.path, bust.line) not in self.fill_sites
        ]

    # ------------------------------------------------------------------ call paths

    def _callers_of(self, function: str) -> set[str] | frozenset[str]:
        """Callers by name, and callers of a method of that name on a receiver of unknown
        type (which may be this function: counting them errs towards silence)."""
        method = f"{ANY_RECEIVER}.{function.rsplit('.', 1)[-1]}"
        return self.callers.get(function, _NONE) | self.callers.get(method, _NONE)

    def busted_on_path(self, write: EntityWrite) -> frozenset[str] | None:
        """The templates the write's path busts; None when it busts a key the analysis
        cannot read, which may be any of them."""
        # Remembered by what decides it: a function holds many writes, and the path of
        # one whose callers include a method called on a receiver of unknown type (every
        # `*.save` of the project) is thousands of functions.
        path_of = (_short(write.function), write.entity if write.runs_hooks else None)
        try:
            return self._busted[path_of]
        except KeyError:
            found = self._busted[path_of] = self._busted_on_path(*path_of)
            return found

    def callers_up(self, function: str) -> set[str]:
        """The function and the project functions that call it, `_CALLERS_UP` calls up,
        as the call graph names them (`_short`): the callers on the path of a write in it
        (`busted_on_path`)."""
        path = {_short(function)}
        level = set(path)
        for _ in range(_CALLERS_UP):
            level = set().union(*map(self._callers_of, level))
            path |= level
        return path

    def _busted_on_path(self, written_in: str, hooked: tuple[str, ...] | None) -> frozenset[str] | None:
        """`busted_on_path` of a write in the function `written_in` (short), which runs
        the hooks of the entity names `hooked` (None: it runs none)."""
        path = self.callers_up(written_in)
        for name in hooked or ():
            path |= self.hooks.get(name, set())
        callees = self.callees
        helpers = set().union(*(callees[function] for function in path if function in callees)) - path
        if REGISTERED in helpers:
            return None  # it runs what a registry holds: maybe the invalidation
        templates = set()
        for function in path | helpers:
            for bust in self.busts_by_function.get(function, ()):
                # A helper that fills the cache on a miss (`get_product(pid)` to return the
                # fresh row) leaves an entry that is there untouched.
                if function in helpers and (bust.path, bust.line) in self.fill_sites:
                    continue
                if bust.template is None:
                    return None
                templates.add(bust.template)
        # Not `helpers - self.busts_by_function.keys()`: that walks every function's key.
        for helper in [helper for helper in helpers if helper not in self.busts_by_function]:
            busted = self._busted_by_method(helper)
            if busted is None:
                return None
            templates |= busted
        return frozenset(templates)

    def _busted_by_method(self, callee: str) -> set[str] | None:
        """What a call the project cannot place may bust (`self.cache.forget(pk)`, or
        `profile.update_cache()` on an object of unknown type): what the functions of
        that name bust; None when one busts a key the analysis cannot read. A method
        named like a cache or ORM call (`delete`, `set`, `save`) is not looked up: every
        `qs.delete()` would otherwise meet a wrapper's `delete(self, key)`."""
        method = _method(callee)
        if method in _generic_methods():
            return set()
        templates = set()
        for bust in self.busts_by_method.get(method, ()):
            if (bust.path, bust.line) in self.fill_sites:
                continue
            if bust.template is None:
                return None
            templates.add(bust.template)
        return templates


def _the_one(outcomes: set[str | None]) -> str | None:
    """The one outcome, when there is exactly one and it is known."""
    return next(iter(outcomes)) if len(outcomes) == 1 else None


def _made_by(definition: Definition) -> tuple[str, ...]:
    """What makes the value a definition denotes: what a function returns, a class's
    bases, the call an instance was assigned."""
    if definition.kind == "function":
        return definition.returns
    if definition.kind == "class":
        return definition.bases
    return (definition.of,) if definition.of is not None else ()


def entity_mentions(files: list[FileFacts]) -> re.Pattern[bytes] | None:
    """What a file's text must contain to hold a write to an entity some file caches: a
    word that is the entity's name, singular or plural, in any case (`Product`,
    `products`); None when no file caches an entity."""
    names = {name for file in files for fill in file.fills for name in fill.entity}
    if not names:
        return None
    words = sorted({form for name in names for form in (name, f"{name}s", f"{name}es", f"{name[:-1]}ies")})
    return re.compile(rb"\b(?:" + b"|".join(re.escape(word.encode()) for word in words) + rb")\b", re.I)


@functools.lru_cache(maxsize=1 << 16)
def _short(function: str) -> str:
    """How the call graph names a function: its module's last part and its name
    (`pricing.update_price`, `Product.save`), so that `shop.pricing` imported from a
    folder that is not a package still meets the `pricing` a file path gives.
    Remembered: a project's calls name the same functions again and again (1.5 million
    calls over 5,000 files' facts, a tenth as many names)."""
    return ".".join(function.rsplit(".", 2)[-2:])


def _method(function: str) -> str:
    """The last name of a function or of a call (`forget` for `store.EventCache.forget` and `*.forget`)."""
    return function.rsplit(".", 1)[-1]


def covers(bust: str, template: str) -> bool:
    """Whether busting `bust` (a template, or a pattern like `product:*`) reaches `template`."""
    if bust == template:
        return True
    return any(char in bust for char in "*?[") and fnmatch.fnmatchcase(template, bust)
