"""`[tool.cachelint]` in the nearest pyproject.toml (or `--config FILE`), validated strictly.

Every unknown key, unknown rule selector or value of the wrong type is a `ConfigError`
whose message names the key and the file, so that a typo never silently disables a rule.
"""
from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from cachelint import selection
from cachelint.catalog import entry_for
from cachelint.discover import GlobError, Globs, glob_regex
from cachelint.model.cache.custom import CustomClients
from cachelint.model.libraries import BY_NAME as LIBRARIES
from cachelint.model.spec import Arg, Decorator, Kind, Library, Meaning, Method, TtlSemantics

SECTION = "tool.cachelint"
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_KINDS = {kind.value: kind for kind in (Kind.READ, Kind.WRITE, Kind.DELETE, Kind.KEYS, Kind.SCAN)}
# Kinds a wrapper may declare that are one of the above with a property: a delete of the
# keys its key argument lists; a lock, a write that stores only when the key is free; a
# read-through, a read that fills the key on a miss (with what `value` computes).
_DECLARED_KINDS = {**_KINDS, "delete-many": Kind.DELETE, "lock": Kind.WRITE, "read-through": Kind.READ}
_DECORATOR_KINDS = {"memoize": "memoize", "view": "view"}
# A wrapper of no library: an omitted or None TTL is the default, what zero means is not known.
_WRAPPER_SEMANTICS = TtlSemantics(omitted=Meaning.DEFAULT, none=Meaning.DEFAULT, zero=Meaning.UNKNOWN)
_WRAPPER_KEYS = {"kind", "key", "value", "ttl", "ttl-default", "ttl-omitted", "ttl-none", "ttl-zero", "prefix"}
_DECORATOR_KEYS = {"library", "decorator", "ttl", "ttl-default", "ttl-omitted", "ttl-none", "ttl-zero", "called"}
_MEANINGS = {meaning.value.replace(" ", "-"): meaning for meaning in Meaning if meaning is not Meaning.EXPIRES}


class ConfigError(Exception):
    pass


@dataclass
class Settings:
    """The settings of one configuration (`[tool.cachelint]`), with what the command line overrides."""

    select: tuple[str, ...] | None = selection.DEFAULT_SELECT  # None: what `inherited` selects
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    command_line: selection.Selection = selection.Selection()  # applied after the above
    # The rule selections of the configurations this one extends, applied before its own.
    inherited: tuple[selection.Selection, ...] = ()
    exclude: tuple[str, ...] | None = None  # None: the default excludes of discovery
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)  # by rule name
    clients: CustomClients = field(default_factory=CustomClients)
    root: Path = field(default_factory=Path.cwd)  # globs are relative to this folder
    baseline: Path | None = None  # the findings to leave out of the report (cachelint.baseline)
    force_exclude: bool = False  # excludes apply to files named explicitly too
    docs_url: str | None = None  # where rule pages are, as a template (cachelint.report.docs)
    respect_gitignore: bool = True
    source: Path | None = None  # the file the settings came from
    # The configurations of the other folders of the run (nested pyproject.toml files),
    # shared by every Settings of one run; None: these settings hold for every file.
    hierarchy: Hierarchy | None = None

    def for_folder(self, folder: str) -> Settings:
        """The settings of the files of `folder` (absolute): those of its nearest configuration."""
        if self.hierarchy is None:
            return self
        nearest = self.hierarchy.for_folder(folder)
        # These settings, when they are that configuration's: a caller may have added to
        # them (clients another module of the project makes).
        return self if nearest.source == self.source else nearest

    def for_file(self, path: Path | str) -> Settings:
        return self.for_folder(os.path.dirname(os.path.abspath(path)))

    def enabled_codes(self) -> frozenset[str]:
        configured = selection.Selection(self.select, self.ignore, self.extend_select)
        return selection.resolve([*self.inherited, configured, self.command_line])

    def codes_for(self, path: Path | str) -> frozenset[str]:
        """The enabled codes of the file's configuration minus what its `per-file-ignores`
        drops for it."""
        own = self.for_file(path)
        ignored = [
            selector
            for pattern, selectors in own.per_file_ignores.items()
            if Globs((pattern,), own.root).matches(path)
            for selector in selectors
        ]
        return own.enabled_codes() - selection.matching(ignored)

    def options_for(self, rule) -> dict[str, Any]:
        return {**rule.default_options(), **self.rule_options.get(rule.name, {})}


@dataclass(frozen=True)
class Overrides:
    """What the command line sets for every configuration of a run."""

    selection: selection.Selection = selection.Selection()
    force_exclude: bool | None = None
    respect_gitignore: bool | None = None

    def apply(self, settings: Settings) -> Settings:
        changes: dict[str, Any] = {"command_line": self.selection}
        if self.force_exclude is not None:
            changes["force_exclude"] = self.force_exclude
        if self.respect_gitignore is not None:
            changes["respect_gitignore"] = self.respect_gitignore
        return replace(settings, **changes)


class Hierarchy:
    """Which configuration each folder takes, as Ruff does: the nearest pyproject.toml with
    a [tool.cachelint] section at or above it (none: the defaults), with the command
    line's overrides. Configurations are read once each, when a folder first needs one.
    Every Settings keeps the run's root (`root` of the first), and the globs of a nested
    configuration are made absolute, so that paths in facts and reports are named alike."""

    def __init__(self, top: Settings, overrides: Overrides) -> None:
        self._root = top.root
        self._overrides = overrides
        self._by_source: dict[Path | None, Settings] = {}
        self._nearest: dict[str, Path | None] = {}
        self.top = self._add(top)

    def _add(self, settings: Settings) -> Settings:
        settings = replace(self._overrides.apply(_rebased(settings, self._root)), hierarchy=self)
        self._by_source[settings.source] = settings
        return settings

    def for_folder(self, folder: str) -> Settings:
        source = self._nearest_config(folder)
        settings = self._by_source.get(source)
        if settings is None:
            settings = self._add(load_settings(source) if source is not None else Settings())
        return settings

    def _nearest_config(self, folder: str) -> Path | None:
        if folder not in self._nearest:
            candidate = os.path.join(folder, "pyproject.toml")
            if os.path.isfile(candidate) and _has_section(Path(candidate)):
                self._nearest[folder] = Path(candidate)
            else:
                parent = os.path.dirname(folder)
                self._nearest[folder] = None if parent == folder else self._nearest_config(parent)
        return self._nearest[folder]

    def __repr__(self) -> str:
        # What the result cache's key sees: every configuration read so far.
        loaded = sorted((str(source), repr(replace(s, hierarchy=None))) for source, s in self._by_source.items())
        return f"Hierarchy({loaded})"


def _rebased(settings: Settings, root: Path) -> Settings:
    """`settings` with `root` as its root, its relative globs with a `/` made absolute
    (they were relative to its own root); globs without one match names anywhere."""
    if os.path.abspath(settings.root) == os.path.abspath(root):
        return settings

    def absolute(pattern: str) -> str:
        if "/" not in pattern.rstrip("/") or pattern.startswith("/"):
            return pattern
        return Path(os.path.abspath(settings.root)).as_posix().rstrip("/") + "/" + pattern.removeprefix("./")

    return replace(
        settings, root=root,
        exclude=None if settings.exclude is None else tuple(map(absolute, settings.exclude)),
        extend_exclude=tuple(map(absolute, settings.extend_exclude)),
        per_file_ignores={absolute(pattern): codes for pattern, codes in settings.per_file_ignores.items()},
    )


def hierarchical(top: Settings, overrides: Overrides) -> Settings:
    """`top` (the configuration of the working directory) with every folder of the run
    taking its nearest configuration."""
    return Hierarchy(top, overrides).top


def _has_section(path: Path) -> bool:
    tool = _read_toml(path).get("tool")
    return isinstance(tool, dict) and "cachelint" in tool


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.cachelint] section, looking in `start` (a
    folder, or a file's folder; neither need exist) and then in each folder above it."""
    start = Path(os.path.abspath(start))
    for folder in [start, *start.parents] if start.is_dir() else start.parents:
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _has_section(candidate):
            return candidate
    return None


def load_settings(path: Path | None, _extending: tuple[Path, ...] = ()) -> Settings:
    """Settings from `path`: the [tool.cachelint] table of a pyproject.toml (or of any TOML
    file that has one), else the top-level keys of the file, as in a `ruff.toml`."""
    if path is None:
        return Settings()
    data = _read_toml(path)
    tool = data.get("tool")
    if isinstance(tool, dict) and "cachelint" in tool:
        table, prefix = tool["cachelint"], SECTION
    elif path.name == "pyproject.toml":
        table, prefix = {}, SECTION
    else:
        table, prefix = data, ""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: `{SECTION}`: expected a table, got {_describe(table)}")
    return _Parser(path, prefix, _extending).settings(table)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error


class _Parser:
    def __init__(self, path: Path, prefix: str, extending: tuple[Path, ...] = ()) -> None:
        self.path = path
        self.prefix = prefix
        self.extending = extending  # the configurations that extend this one, to catch a cycle

    def error(self, key: str, problem: str) -> ConfigError:
        name = f"{self.prefix}.{key}" if self.prefix else key
        return ConfigError(f"{self.path}: `{name}`: {problem}")

    def settings(self, table: dict[str, Any]) -> Settings:
        settings = Settings(root=self.path.parent, source=self.path)
        if "extend" in table:
            settings = self.extended(table["extend"])
        handlers = {
            "extend": lambda v: None,
            "select": lambda v: setattr(settings, "select", self.selectors("select", v)),
            "ignore": lambda v: setattr(settings, "ignore", self.selectors("ignore", v)),
            "extend-select": lambda v: setattr(settings, "extend_select", self.selectors("extend-select", v)),
            "exclude": lambda v: setattr(settings, "exclude", self.globs("exclude", v)),
            "extend-exclude": lambda v: setattr(
                settings, "extend_exclude", (*settings.extend_exclude, *self.globs("extend-exclude", v))),
            "per-file-ignores": lambda v: setattr(settings, "per_file_ignores", self.per_file_ignores(v)),
            "rules": lambda v: setattr(settings, "rule_options", _merged(settings.rule_options, self.rule_options(v))),
            "clients": lambda v: setattr(settings, "clients", _merged_clients(settings.clients, self.clients(v))),
            "baseline": lambda v: setattr(settings, "baseline", self.path_value("baseline", v)),
            "docs-url": lambda v: setattr(settings, "docs_url", self.docs_url(v)),
            "force-exclude": lambda v: setattr(settings, "force_exclude", self.boolean("force-exclude", v)),
            "respect-gitignore": lambda v: setattr(settings, "respect_gitignore", self.boolean("respect-gitignore", v)),
        }
        for key, value in table.items():
            if key not in handlers:
                raise self.error(key, f"unknown key (expected one of: {', '.join(handlers)})")
            handlers[key](value)
        return settings

    def extended(self, value: Any) -> Settings:
        """The settings of the configuration `extend` names (relative to this one's folder),
        as the start of this one's, as Ruff reads `extend`: its rule selection is a layer
        before this one's, and its globs keep meaning what they meant there."""
        path = self.path_value("extend", value)
        if path.resolve() in {each.resolve() for each in (*self.extending, self.path)}:
            raise self.error("extend", f"`{value}` extends this configuration again (a cycle)")
        if not path.is_file():
            raise self.error("extend", f"no such file `{path}`")
        base = load_settings(path, (*self.extending, self.path))
        layer = selection.Selection(base.select, base.ignore, base.extend_select)
        return replace(
            _rebased(base, self.path.parent), source=self.path,
            inherited=(*base.inherited, layer), select=None, ignore=(), extend_select=(),
        )

    def docs_url(self, value: Any) -> str:
        from cachelint.report import docs

        if not isinstance(value, str):
            raise self.error("docs-url", f"expected a URL template such as \"https://example.com/{{code}}\", got {_describe(value)}")
        try:
            docs.validate(value)
        except docs.TemplateError as error:
            raise self.error("docs-url", str(error)) from None
        return value

    def boolean(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {_describe(value)}")
        return value

    def globs(self, key: str, value: Any) -> tuple[str, ...]:
        patterns = self.strings(key, value)
        for pattern in patterns:
            try:
                glob_regex(pattern)
            except GlobError as error:
                raise self.error(key, f"invalid glob `{pattern}`: {error}") from None
        return patterns

    def path_value(self, key: str, value: Any) -> Path:
        """A path, relative to the configuration's folder."""
        if not isinstance(value, str) or not value:
            raise self.error(key, f"expected a path, got {_describe(value)}")
        return self.path.parent / value

    def strings(self, key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(key, f"expected a list of strings, got {_describe(value)}")
        return tuple(value)

    def selectors(self, key: str, value: Any) -> tuple[str, ...]:
        selectors = self.strings(key, value)
        for selector in selectors:
            try:
                selection.validate(selector)
            except selection.UnknownSelector:
                raise self.error(key, f"unknown rule selector `{selector}`") from None
        return selectors

    def per_file_ignores(self, value: Any) -> dict[str, tuple[str, ...]]:
        if not isinstance(value, dict):
            raise self.error("per-file-ignores", f"expected a table of glob = [codes], got {_describe(value)}")
        for pattern in value:
            self.globs("per-file-ignores", [pattern])
        return {pattern: self.selectors(f'per-file-ignores."{pattern}"', codes) for pattern, codes in value.items()}

    def rule_options(self, value: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(value, dict):
            raise self.error("rules", f"expected a table of rule tables, got {_describe(value)}")
        options: dict[str, dict[str, Any]] = {}
        for rule_key, table in value.items():
            entry = entry_for(rule_key)
            where = f"rules.{rule_key}"
            if entry is None:
                raise self.error(where, "unknown rule (use a rule name such as `set-without-ttl`)")
            rule = entry.load()  # its options are declared with it
            from cachelint.rules.base import OptionError
            if not isinstance(table, dict):
                raise self.error(where, f"expected a table of options, got {_describe(table)}")
            for option, setting in table.items():
                spec = rule.options.get(option)
                if spec is None:
                    known = ", ".join(rule.options) or "none"
                    raise self.error(f"{where}.{option}", f"unknown option (known options: {known})")
                if not _is_a(setting, spec.type):
                    raise self.error(f"{where}.{option}", f"expected {_type_name(spec.type)}, got {_describe(setting)}")
                if spec.validate is not None:
                    try:
                        spec.validate(setting)
                    except OptionError as error:
                        inner = "".join(f".{_toml_key(key)}" for key in error.path)
                        raise self.error(f"{where}.{option}{inner}", str(error)) from None
            options[rule.name] = dict(table)
        return options

    def clients(self, value: Any) -> CustomClients:
        """`[tool.cachelint.clients]`: what inference cannot see, each entry by its shape.

        `{library}`: an object (or a factory, or an attribute path such as
        `request.registry.cache`) that is a client of the library; `{library, methods}`: a
        wrapper class, whose instances are clients with those methods; `{library,
        decorator}`: a memoize or view decorator; `{library, kind, ...}`: a wrapper
        function of the library; `{kind, ...}` alone: a wrapper of no known library;
        `{class}`: an object or attribute path that is an instance of a wrapper class."""
        if not isinstance(value, dict):
            raise self.error("clients", f"expected a table of qualified names, got {_describe(value)}")
        clients = CustomClients()
        for qualified, table in value.items():
            where = f'clients."{qualified}"'
            if not all(part.isidentifier() for part in qualified.split(".")):
                raise self.error(where, "expected a qualified name such as `myapp.cache.set_cached`")
            if not isinstance(table, dict):
                raise self.error(where, f"expected a table such as {{kind = \"write\", key = 0}}, got {_describe(table)}")
            if "methods" in table:
                clients.classes[qualified] = self.wrapper_class(where, qualified, table)
            elif "decorator" in table:
                clients.decorators[qualified] = self.decorator(where, table)
            elif "library" in table and "kind" in table:
                library = self.library(where, table)
                method = self.function(where, {k: v for k, v in table.items() if k != "library"}, library.semantics)
                clients.wrappers[qualified] = (library.name, replace(method, via=(qualified,)))
            elif "class" in table:
                clients.instances[qualified] = self.instance_of(where, table)
            elif "library" in table:
                if set(table) != {"library"}:
                    raise self.error(where, "`library` alone declares a client object and takes no other keys (with `kind`, a wrapper "
                                            "function; with `methods`, a wrapper class; with `decorator`, a decorator)")
                clients.objects[qualified] = self.library(where, table).name
            else:
                clients.functions[qualified] = self.function(where, table, _WRAPPER_SEMANTICS)
        return clients

    def instance_of(self, where: str, table: dict[str, Any]) -> str:
        """The wrapper class (declared, or one cachelint finds) an object or attribute path is an instance of."""
        if set(table) != {"class"}:
            raise self.error(where, "`class` declares an instance of a wrapper class and takes no other keys")
        name = table["class"]
        if not isinstance(name, str) or not all(part.isidentifier() for part in name.split(".")):
            raise self.error(f"{where}.class", f"expected the qualified name of a class, got {_describe(name)}")
        return name

    def library(self, where: str, table: dict[str, Any]) -> Library:
        library = table.get("library")
        if not isinstance(library, str) or library not in LIBRARIES or library == "dict":
            raise self.error(f"{where}.library", f"unknown library `{library}` (known: {', '.join(sorted(LIBRARIES))})")
        return LIBRARIES[library]

    def wrapper_class(self, where: str, qualified: str, table: dict[str, Any]) -> tuple[str, dict[str, Method]]:
        """A wrapper class: the `library` it stores in, and its `methods`, each a wrapper
        method whose TTL means what it means to that library unless the entry says otherwise."""
        for key in table:
            if key not in ("library", "methods"):
                raise self.error(f"{where}.{key}", "unknown key (expected one of: library, methods)")
        library = self.library(where, table)
        methods = table["methods"]
        if not isinstance(methods, dict) or not methods:
            raise self.error(f"{where}.methods", f"expected a table of method = {{kind = ...}}, got {_describe(methods)}")
        found = {}
        for name, entry in methods.items():
            at = f"{where}.methods.{_toml_key(name)}"
            if not name.isidentifier():
                raise self.error(at, "expected a method name")
            if not isinstance(entry, dict):
                raise self.error(at, f"expected a table such as {{kind = \"read\", key = 0}}, got {_describe(entry)}")
            found[name] = replace(self.function(at, entry, library.semantics), via=(f"{qualified}.{name}",))
        return library.name, found

    def function(self, where: str, table: dict[str, Any], base: TtlSemantics) -> Method:
        """A wrapper function or method: what it does (`kind`), where its key, value and TTL
        are, the text it puts before the key (`prefix`), and what an omitted, None and zero
        TTL mean (`base` where the entry does not say)."""
        self.known_keys(where, table, _WRAPPER_KEYS)
        kind_name = table.get("kind")
        if kind_name is None:
            raise self.error(f"{where}.kind", f"missing (expected one of {', '.join(_DECLARED_KINDS)})")
        kind = self.choice(where, table, "kind", _DECLARED_KINDS)
        ttl = self.arg(where, table, "ttl")
        prefix = table.get("prefix", "")
        if not isinstance(prefix, str):
            raise self.error(f"{where}.prefix", f"expected the text the wrapper puts before the key, got {_describe(prefix)}")
        return Method(
            kind, key=self.arg(where, table, "key"), value=self.arg(where, table, "value"),
            ttl=(ttl,) if ttl else (), semantics=self.semantics(where, table, base), single_value=kind is Kind.READ,
            if_absent=kind_name == "lock", key_affix=(prefix, ""), read_through=kind_name == "read-through",
        )

    def decorator(self, where: str, table: dict[str, Any]) -> tuple[str, Decorator, bool]:
        """A decorator of the project that caches what the decorated function returns
        (`memoize`) or a view's responses (`view`) in the library: where its TTL is when
        applied called (`@memoize_redis(60)`), and whether it is (by default, when it takes a TTL)."""
        self.known_keys(where, table, _DECORATOR_KEYS)
        library = self.library(where, table)
        kind = self.choice(where, table, "decorator", _DECORATOR_KINDS)
        ttl = self.arg(where, table, "ttl")
        called = table.get("called", ttl is not None)
        if not isinstance(called, bool):
            raise self.error(f"{where}.called", f"expected true (`@memoize(60)`) or false (`@memoize`), got {_describe(called)}")
        if ttl is not None and not called:
            raise self.error(f"{where}.ttl", "a decorator applied bare (`called = false`) is given no TTL")
        semantics = self.semantics(where, table, library.semantics)
        return library.name, Decorator(kind, ttl=(ttl,) if ttl else (), semantics=semantics), called

    def semantics(self, where: str, table: dict[str, Any], base: TtlSemantics) -> TtlSemantics:
        """What an omitted TTL means (its parameter's default in seconds, `ttl-default`, or
        `ttl-omitted`), and what None and zero mean; `base` where the entry does not say."""
        zero = self.meaning(where, table, "ttl-zero", base.zero)
        if "ttl-default" in table and "ttl-omitted" in table:
            raise self.error(f"{where}.ttl-default", "give either `ttl-default` or `ttl-omitted`, not both")
        if "ttl-default" in table:
            default = table["ttl-default"]
            if isinstance(default, bool) or not isinstance(default, (int, float)):
                raise self.error(f"{where}.ttl-default", f"expected a number of seconds, got {_describe(default)}")
            omitted = Meaning.EXPIRES if default > 0 else zero if default == 0 else base.negative
        else:
            omitted = self.meaning(where, table, "ttl-omitted", base.omitted)
        return base.but(omitted=omitted, none=self.meaning(where, table, "ttl-none", base.none), zero=zero)

    def known_keys(self, where: str, table: dict[str, Any], known: set[str]) -> None:
        for key in table:
            if key not in known:
                raise self.error(f"{where}.{key}", f"unknown key (expected one of: {', '.join(sorted(known))})")

    def arg(self, where: str, table: dict[str, Any], key: str) -> Arg | None:
        value = table.get(key)
        if value is None:
            return None
        if _is_position(value):
            return Arg(value, None)
        if _is_keyword(value):
            return Arg(None, value)
        if isinstance(value, list) and len(value) == 2 and _is_position(value[0]) and _is_keyword(value[1]):
            return Arg(value[0], value[1])
        raise self.error(
            f"{where}.{key}",
            f"expected a position (0, 1…), a keyword name, or [position, \"name\"], got {_describe(value)}",
        )

    def meaning(self, where: str, table: dict[str, Any], key: str, default: Meaning) -> Meaning:
        meaning = self.choice(where, table, key, _MEANINGS)
        return default if meaning is None else meaning

    def choice(self, where: str, table: dict[str, Any], key: str, choices: dict[str, Any]) -> Any:
        """The value `choices` maps `table[key]` to, or None when the key is absent."""
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or value not in choices:
            raise self.error(f"{where}.{key}", f"expected one of {', '.join(choices)}, got {_describe(value)}")
        return choices[value]


def declared(clients: CustomClients) -> dict[str, Any]:
    """What `[tool.cachelint.clients]` declares, entry by entry, as `--show-settings` says it."""
    shown: dict[str, Any] = {name: f"client of {library}" for name, library in clients.objects.items()}
    shown |= {name: _described(method) for name, method in clients.functions.items()}
    shown |= {name: f"{_described(method)}, of {library}" for name, (library, method) in clients.wrappers.items()}
    shown |= {name: {"library": library, "methods": {each: _described(method) for each, method in methods.items()}}
              for name, (library, methods) in clients.classes.items()}
    shown |= {name: f"instance of {of_class}" for name, of_class in clients.instances.items()}
    shown |= {name: f"{spec.kind} decorator of {library}, applied {'called' if called else 'bare'}"
                    + (f", ttl {_arg_text(spec.ttl[0])}" if spec.ttl else "") + _semantics_text(spec.semantics)
              for name, (library, spec, called) in clients.decorators.items()}
    return dict(sorted(shown.items()))


def _described(method: Method) -> str:
    """`write: key "user:" + 0, value 1, ttl 2 or timeout (omitted: expires, None: default, 0: not cached)`."""
    kind = "lock" if method.if_absent and method.kind is Kind.WRITE else "read-through" if method.read_through \
        else method.kind.value
    parts = [f"key {json.dumps(method.key_affix[0]) + ' + ' if method.key_affix[0] else ''}{_arg_text(method.key)}"
             if method.key is not None else "no key"]
    parts += [f"value {_arg_text(method.value)}"] if method.value is not None else []
    parts += [f"ttl {_arg_text(method.ttl[0])}"] if method.ttl else []
    written = method.kind is Kind.WRITE or method.read_through
    return f"{kind}: {', '.join(parts)}" + (_semantics_text(method.semantics) if written else "")


def _arg_text(arg: Arg) -> str:
    return " or ".join(str(part) for part in (arg.position, arg.name) if part is not None)


def _semantics_text(semantics: TtlSemantics | None) -> str:
    if semantics is None:
        return ""
    return f" (omitted: {semantics.omitted.value}, None: {semantics.none.value}, 0: {semantics.zero.value})"


def _merged(base: dict[str, dict[str, Any]], own: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Rule options of an extended configuration with this one's on top, option by option."""
    return {name: {**base.get(name, {}), **own.get(name, {})} for name in {**base, **own}}


def _merged_clients(base: CustomClients, own: CustomClients) -> CustomClients:
    return CustomClients(
        {**base.objects, **own.objects}, {**base.functions, **own.functions}, {**base.wrappers, **own.wrappers},
        {**base.classes, **own.classes}, {**base.instances, **own.instances}, {**base.decorators, **own.decorators},
    )


def _toml_key(key: str) -> str:
    """A key as TOML writes it: `money`, `"session:"`."""
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key)


def _is_position(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_keyword(value: Any) -> bool:
    return isinstance(value, str) and value.isidentifier()


def _is_a(value: Any, kind: type | tuple[type, ...]) -> bool:
    """isinstance as TOML means it: a boolean is not an integer, an integer is a float."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool):
        return bool in kinds
    return isinstance(value, kinds) or isinstance(value, int) and float in kinds


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {list: "a list", str: "a string", int: "an integer", float: "a number", bool: "true or false", dict: "a table"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _describe(value: Any) -> str:
    names = {list: "a list", str: "a string", int: "an integer", bool: "a boolean", dict: "a table", float: "a float"}
    return f"{names.get(type(value), type(value).__name__)} ({value!r})"
