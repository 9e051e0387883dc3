"""The cache backends a module configures: what its settings name for the libraries whose
store the configuration decides (`Library.backend_setting`).

- Django: `CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", ...}}` at
  module level (also under `if`, `try` and `with`), `CACHES["x"] = {...}`,
  `CACHES["x"]["BACKEND"] = "..."`, `CACHES.update({...})`, and a cache or a mapping of
  them built in a module-level variable first (`_redis = {...}; CACHES = {"default":
  _redis}`); `CACHES["default"] = CACHES["redis"]` is what the module configures for
  "redis". A BACKEND that is not a string constant (an environment variable,
  django-environ's `env.cache_url()`, dj-cache-url), or a mapping the module does not spell
  out (`CACHES = env.caches()`), is a backend not known.
- Flask-Caching: `CACHE_TYPE = "..."` (a config module or class), `app.config["CACHE_TYPE"] =
  ...`, `"CACHE_TYPE": ...` in a dict a statement assigns or a call is given (`Cache(app,
  config={...})`, `app.config.update({...})`), `CACHE_TYPE=...` given to a call, and
  `config.setdefault("CACHE_TYPE", ...)`.

Each backend comes with the store the library's table gives it (None: not known); the
project stage merges them (cachelint.project.backends).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import libcst as cst

from cachelint.model.core.collect import Site
from cachelint.model.core.scopes import Scope
from cachelint.model.core.values import single_index, str_literal
from cachelint.model.libraries import LIBRARIES
from cachelint.model.spec import CacheSetting, Library

_SETTINGS: tuple[tuple[Library, CacheSetting], ...] = tuple(
    (library, library.backend_setting) for library in LIBRARIES if library.backend_setting is not None
)
_COMPOUND = (cst.If, cst.Try, cst.TryStar, cst.With, cst.For, cst.While)
_MAX_DEPTH = 6  # names followed to the dict they hold


@dataclass(frozen=True)
class ConfiguredBackend:
    """One backend a module's settings configure for a library's clients."""

    library: Library
    # The configured cache it is for (Django's alias); None: any of them (a mapping the
    # module does not spell out), or the library's one configuration (Flask-Caching).
    alias: str | None
    name: str | None  # as the settings name it; None: not a string constant
    store: str | None  # where it keeps entries ("memcached", "redis"...); None: not known
    node: cst.CSTNode  # what names it (where a message points)


def configured_backends(module: cst.Module, source: bytes, module_scope: Scope,
                        calls: list[Site[cst.Call]]) -> list[ConfiguredBackend]:
    """The backends the module configures, in the order it names them."""
    found: list[ConfiguredBackend] = []
    for library, setting in _SETTINGS:
        if setting.name.encode() not in source:  # most modules: one search of the text
            continue
        if setting.entry is not None:
            found += _Aliased(library, setting, module_scope).of(module)
        else:
            found += _named(library, setting, module, calls)
    return found


def _store(library: Library, setting: CacheSetting, name: str | None) -> str | None:
    if name is None:
        return None
    if setting.stores:
        return setting.stores.get(name)
    variant = name.rsplit(".", 1)[-1].lower().removesuffix("cache")  # as `variant_from_config` reads it
    return library.variant_stores.get(variant)


def _statements(body: cst.Module | cst.BaseSuite | cst.CSTNode, into_defs: bool) -> Iterator[cst.BaseSmallStatement]:
    """The small statements of a body, in order, also those of its compound statements
    (`if`, `try`, `with`, loops), and with `into_defs` those of its functions and classes."""
    statements = body.body if isinstance(body, (cst.Module, cst.IndentedBlock)) else ()
    if isinstance(body, cst.SimpleStatementSuite):
        yield from body.body
        return
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
        elif isinstance(statement, _COMPOUND):
            yield from _statements(statement.body, into_defs)
            for handler in getattr(statement, "handlers", ()):
                yield from _statements(handler.body, into_defs)
            for part in (getattr(statement, "orelse", None), getattr(statement, "finalbody", None)):
                while isinstance(part, cst.If):  # `elif`
                    yield from _statements(part.body, into_defs)
                    part = part.orelse
                if part is not None:
                    yield from _statements(part.body, into_defs)
        elif into_defs and isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            yield from _statements(statement.body, into_defs)


def _assignment(statement: cst.BaseSmallStatement) -> tuple[list[cst.BaseExpression], cst.BaseExpression] | None:
    if type(statement) is cst.Assign:
        return [target.target for target in statement.targets], statement.value
    if type(statement) is cst.AnnAssign and statement.value is not None:
        return [statement.target], statement.value
    return None


class _Aliased:
    """A setting that maps aliases to caches, each naming its backend in an entry (Django's
    `CACHES`), set at module level."""

    def __init__(self, library: Library, setting: CacheSetting, scope: Scope) -> None:
        self.library, self.setting, self.scope = library, setting, scope
        self.by_alias: dict[str | None, list[ConfiguredBackend]] = {}

    def of(self, module: cst.Module) -> list[ConfiguredBackend]:
        name = self.setting.name
        for statement in _statements(module, into_defs=False):
            assigned = _assignment(statement)
            if assigned is not None:
                targets, value = assigned
                for target in targets:
                    if type(target) is cst.Name and target.value == name:  # `CACHES = {...}`
                        self._mapping(value, 0)
                    elif type(target) is cst.Subscript and _names(target.value, name):  # `CACHES["x"] = {...}`
                        self._cache(str_literal(single_index(target)), value, 0)
                    elif type(target) is cst.Subscript and type(target.value) is cst.Subscript \
                            and _names(target.value.value, name) and str_literal(single_index(target)) == self.setting.entry:
                        self._backend(str_literal(single_index(target.value)), value)  # `CACHES["x"]["BACKEND"] = "..."`
            elif type(statement) is cst.Expr and type(statement.value) is cst.Call:
                call = statement.value
                func = call.func
                if type(func) is cst.Attribute and func.attr.value == "update" and _names(func.value, name):
                    for arg in call.args:  # `CACHES.update({...})`, `CACHES.update(x={...})`
                        if arg.keyword is not None:
                            self._cache(arg.keyword.value, arg.value, 0)
                        elif not arg.star:
                            self._mapping(arg.value, 0)
        return [backend for backends in self.by_alias.values() for backend in backends]

    def _mapping(self, value: cst.BaseExpression, depth: int) -> None:
        """A mapping of aliases to caches."""
        if type(value) is cst.Dict:
            for element in value.elements:
                if type(element) is cst.DictElement:
                    self._cache(str_literal(element.key), element.value, depth)
                elif not self._each_bound(element.value, depth, self._mapping):  # `**base`
                    self._unknown(None, element.value)
        elif type(value) is cst.Call and type(value.func) is cst.Name and value.func.value == "dict":
            for arg in value.args:
                if arg.keyword is not None:
                    self._cache(arg.keyword.value, arg.value, depth)
                else:
                    self._mapping(arg.value, depth + 1)
        elif not self._each_bound(value, depth, self._mapping):  # `env.caches()`, `config["caches"]`
            self._unknown(None, value)

    def _cache(self, alias: str | None, value: cst.BaseExpression, depth: int) -> None:
        """The cache configured for `alias` (None: not known)."""
        entry = self.setting.entry
        if type(value) is cst.Dict:
            named = [element for element in value.elements
                     if type(element) is cst.DictElement and str_literal(element.key) == entry]
            for element in named:
                self._backend(alias, element.value)
            if not named:  # `{**base, "LOCATION": ...}`, or no backend named
                spread = [element.value for element in value.elements if type(element) is cst.StarredDictElement]
                if not spread or not all(self._each_bound(each, depth, lambda v, d: self._cache(alias, v, d))
                                         for each in spread):
                    self._unknown(alias, value)
        elif type(value) is cst.Call and type(value.func) is cst.Name and value.func.value == "dict" \
                and any(arg.keyword is not None and arg.keyword.value == entry for arg in value.args):
            for arg in value.args:
                if arg.keyword is not None and arg.keyword.value == entry:
                    self._backend(alias, arg.value)
        elif type(value) is cst.Subscript and _names(value.value, self.setting.name):  # `CACHES["redis"]`
            copied = self.by_alias.get(str_literal(single_index(value)), [])
            if copied:
                for backend in list(copied):
                    self._add(alias, backend.name, backend.node)
            else:
                self._unknown(alias, value)
        elif not self._each_bound(value, depth, lambda v, d: self._cache(alias, v, d)):
            self._unknown(alias, value)  # `env.cache_url()`, `dj_cache_url.config()`

    def _each_bound(self, value: cst.BaseExpression, depth: int,
                    read: Callable[[cst.BaseExpression, int], None]) -> bool:
        """Reads what a module-level name holds, each value it is assigned; False when it
        is not such a name."""
        if type(value) is not cst.Name or depth >= _MAX_DEPTH:
            return False
        assigned = [binding.assigned for binding in self.scope.bindings.get(value.value, ())]
        if not assigned or any(expression is None for expression in assigned):
            return False
        for expression in assigned:
            if expression is not None:
                read(expression, depth + 1)
        return True

    def _backend(self, alias: str | None, value: cst.BaseExpression) -> None:
        self._add(alias, str_literal(value), value)

    def _unknown(self, alias: str | None, node: cst.CSTNode) -> None:
        self._add(alias, None, node)

    def _add(self, alias: str | None, name: str | None, node: cst.CSTNode) -> None:
        store = _store(self.library, self.setting, name)
        self.by_alias.setdefault(alias, []).append(ConfiguredBackend(self.library, alias, name, store, node))


def _names(expr: cst.BaseExpression, name: str) -> bool:
    """`CACHES`, or `settings.CACHES`."""
    return (type(expr) is cst.Name and expr.value == name) or (type(expr) is cst.Attribute and expr.attr.value == name)


def _named(library: Library, setting: CacheSetting, module: cst.Module,
           calls: list[Site[cst.Call]]) -> list[ConfiguredBackend]:
    """A setting that names the backend itself (Flask-Caching's `CACHE_TYPE`), wherever
    the module sets it."""
    name = setting.name
    values: list[cst.BaseExpression] = []
    for statement in _statements(module, into_defs=True):
        assigned = _assignment(statement)
        if assigned is None:
            continue
        targets, value = assigned
        for target in targets:
            if (type(target) is cst.Name and target.value == name) or (  # `CACHE_TYPE = ...` (module, class)
                    type(target) is cst.Subscript and str_literal(single_index(target)) == name):  # `app.config["CACHE_TYPE"] = ...`
                values.append(value)
        values += _in_dict(value, name)  # `CACHE_CONFIG = {"CACHE_TYPE": ...}`
    for site in calls:
        call = site.node
        func = call.func
        if type(func) is cst.Attribute and func.attr.value == "setdefault" and len(call.args) == 2 \
                and str_literal(call.args[0].value) == name:  # `app.config.setdefault("CACHE_TYPE", ...)`
            values.append(call.args[1].value)
            continue
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == name:  # `config.update(CACHE_TYPE=...)`
                values.append(arg.value)
            elif not arg.star or arg.star == "**":  # `Cache(app, config={...})`, `update({...})`
                values += _in_dict(arg.value, name)
    return [ConfiguredBackend(library, None, str_literal(value), _store(library, setting, str_literal(value)), value)
            for value in values]


def _in_dict(value: cst.BaseExpression, name: str) -> list[cst.BaseExpression]:
    """The values a dict display gives `name`, also in a dict it holds (`{"cache": {...}}`)."""
    if type(value) is not cst.Dict:
        return []
    found: list[cst.BaseExpression] = []
    for element in value.elements:
        if type(element) is cst.DictElement:
            if str_literal(element.key) == name:
                found.append(element.value)
            elif type(element.value) is cst.Dict:
                found += _in_dict(element.value, name)
    return found
