"""`[tool.cachelint]` in the nearest pyproject.toml (or `--config FILE`), validated strictly.

Every unknown key, unknown rule selector or value of the wrong type is a `ConfigError`
whose message names the key and the file, so that a typo never silently disables a rule.
"""
from __future__ import annotations

import fnmatch
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from cachelint import selection
from cachelint.model import CustomClients
from cachelint.model.libraries import BY_NAME as LIBRARIES
from cachelint.model.spec import Arg, Kind, Meaning, Method, TtlSemantics
from cachelint.rules import rule_for

SECTION = "tool.cachelint"
_KINDS = {kind.value: kind for kind in (Kind.READ, Kind.WRITE, Kind.DELETE, Kind.KEYS, Kind.SCAN)}
_MEANINGS = {meaning.value.replace(" ", "-"): meaning for meaning in Meaning if meaning is not Meaning.EXPIRES}


class ConfigError(Exception):
    pass


@dataclass
class Settings:
    select: tuple[str, ...] = selection.DEFAULT_SELECT
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    exclude: tuple[str, ...] | None = None  # None: the default excludes of discovery
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)  # by rule name
    clients: CustomClients = field(default_factory=CustomClients)
    root: Path = field(default_factory=Path.cwd)  # globs are relative to this folder
    source: Path | None = None  # the file the settings came from

    def enabled_codes(self) -> frozenset[str]:
        return selection.resolve(self.select, self.ignore, self.extend_select)

    def codes_for(self, path: Path | str) -> frozenset[str]:
        """The enabled codes minus what `per-file-ignores` drops for this file."""
        enabled = self.enabled_codes()
        ignored = [
            selector
            for pattern, selectors in self.per_file_ignores.items()
            if _glob_matches(pattern, Path(path), self.root)
            for selector in selectors
        ]
        if not ignored:
            return enabled
        dropped = selection.resolve(ignored, ())
        return enabled - dropped

    def options_for(self, rule) -> dict[str, Any]:
        return {**rule.default_options(), **self.rule_options.get(rule.name, {})}


def _glob_matches(pattern: str, path: Path, root: Path) -> bool:
    try:
        relative = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        relative = path.as_posix()
    return fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(path.name, pattern)


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` that has a [tool.cachelint] section."""
    start = start.resolve()
    for folder in [start, *start.parents] if start.is_dir() else [start.parent, *start.parent.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
                raise ConfigError(f"{candidate}: cannot read: {error}") from error
            if "cachelint" in data.get("tool", {}):
                return candidate
    return None


def load_settings(path: Path | None) -> Settings:
    """Settings from `path` (a pyproject.toml, or a cachelint.toml/.toml with the keys at top level)."""
    if path is None:
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    if path.name == "pyproject.toml":
        table, prefix = data.get("tool", {}).get("cachelint", {}), SECTION
    else:
        table, prefix = data.get("tool", {}).get("cachelint", data), SECTION if "tool" in data else ""
    return _Parser(path, prefix).settings(table)


class _Parser:
    def __init__(self, path: Path, prefix: str) -> None:
        self.path = path
        self.prefix = prefix

    def error(self, key: str, problem: str) -> ConfigError:
        name = f"{self.prefix}.{key}" if self.prefix else key
        return ConfigError(f"{self.path}: `{name}`: {problem}")

    def settings(self, table: dict[str, Any]) -> Settings:
        settings = Settings(root=self.path.parent, source=self.path)
        handlers = {
            "select": lambda v: setattr(settings, "select", self.selectors("select", v)),
            "ignore": lambda v: setattr(settings, "ignore", self.selectors("ignore", v)),
            "extend-select": lambda v: setattr(settings, "extend_select", self.selectors("extend-select", v)),
            "exclude": lambda v: setattr(settings, "exclude", self.strings("exclude", v)),
            "extend-exclude": lambda v: setattr(settings, "extend_exclude", self.strings("extend-exclude", v)),
            "per-file-ignores": lambda v: setattr(settings, "per_file_ignores", self.per_file_ignores(v)),
            "rules": lambda v: setattr(settings, "rule_options", self.rule_options(v)),
            "clients": lambda v: setattr(settings, "clients", self.clients(v)),
        }
        for key, value in table.items():
            if key not in handlers:
                raise self.error(key, f"unknown key (expected one of: {', '.join(handlers)})")
            handlers[key](value)
        return settings

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
        return {pattern: self.selectors(f'per-file-ignores."{pattern}"', codes) for pattern, codes in value.items()}

    def rule_options(self, value: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(value, dict):
            raise self.error("rules", f"expected a table of rule tables, got {_describe(value)}")
        options: dict[str, dict[str, Any]] = {}
        for rule_key, table in value.items():
            rule = rule_for(rule_key)
            where = f"rules.{rule_key}"
            if rule is None:
                raise self.error(where, "unknown rule (use a rule name such as `set-without-ttl`)")
            if not isinstance(table, dict):
                raise self.error(where, f"expected a table of options, got {_describe(table)}")
            for option, setting in table.items():
                spec = rule.options.get(option)
                if spec is None:
                    known = ", ".join(rule.options) or "none"
                    raise self.error(f"{where}.{option}", f"unknown option (known options: {known})")
                if not isinstance(setting, spec.type) or isinstance(setting, bool) and spec.type is not bool:
                    raise self.error(f"{where}.{option}", f"expected {_type_name(spec.type)}, got {_describe(setting)}")
            options[rule.name] = dict(table)
        return options

    def clients(self, value: Any) -> CustomClients:
        if not isinstance(value, dict):
            raise self.error("clients", f"expected a table of qualified names, got {_describe(value)}")
        clients = CustomClients()
        for qualified, table in value.items():
            where = f'clients."{qualified}"'
            if not isinstance(table, dict):
                raise self.error(where, f"expected a table such as {{kind = \"write\", key = 0}}, got {_describe(table)}")
            if "library" in table:
                if set(table) != {"library"}:
                    raise self.error(where, "`library` declares a client object and takes no other keys")
                library = table["library"]
                if library not in LIBRARIES or library == "dict":
                    raise self.error(f"{where}.library", f"unknown library `{library}` (known: {', '.join(sorted(LIBRARIES))})")
                clients.objects[qualified] = library
            else:
                clients.functions[qualified] = self.function(where, table)
        return clients

    def function(self, where: str, table: dict[str, Any]) -> Method:
        known = {"kind", "key", "value", "ttl", "ttl-omitted", "ttl-none", "ttl-zero"}
        for key in table:
            if key not in known:
                raise self.error(f"{where}.{key}", f"unknown key (expected one of: {', '.join(sorted(known))})")
        kind = table.get("kind")
        if kind not in _KINDS:
            raise self.error(f"{where}.kind", f"expected one of {', '.join(_KINDS)}, got {_describe(kind)}")
        semantics = TtlSemantics(
            omitted=self.meaning(where, table, "ttl-omitted", Meaning.DEFAULT),
            none=self.meaning(where, table, "ttl-none", Meaning.DEFAULT),
            zero=self.meaning(where, table, "ttl-zero", Meaning.UNKNOWN),
        )
        ttl = self.arg(where, table, "ttl")
        return Method(
            _KINDS[kind], key=self.arg(where, table, "key"), value=self.arg(where, table, "value"),
            ttl=(ttl,) if ttl else (), semantics=semantics, single_value=_KINDS[kind] is Kind.READ,
        )

    def arg(self, where: str, table: dict[str, Any], key: str) -> Arg | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            pass
        elif isinstance(value, int) and value >= 0:
            return Arg(value, None)
        elif isinstance(value, str) and value.isidentifier():
            return Arg(None, value)
        elif (
            isinstance(value, list) and len(value) == 2
            and isinstance(value[0], int) and not isinstance(value[0], bool) and value[0] >= 0
            and isinstance(value[1], str) and value[1].isidentifier()
        ):
            return Arg(value[0], value[1])
        raise self.error(
            f"{where}.{key}",
            f"expected a position (0, 1…), a keyword name, or [position, \"name\"], got {_describe(value)}",
        )

    def meaning(self, where: str, table: dict[str, Any], key: str, default: Meaning) -> Meaning:
        value = table.get(key)
        if value is None:
            return default
        if value not in _MEANINGS:
            raise self.error(f"{where}.{key}", f"expected one of {', '.join(_MEANINGS)}, got {_describe(value)}")
        return _MEANINGS[value]


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {list: "a list", str: "a string", int: "an integer", bool: "true or false", dict: "a table"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _describe(value: Any) -> str:
    names = {list: "a list", str: "a string", int: "an integer", bool: "a boolean", dict: "a table", float: "a float"}
    return f"{names.get(type(value), type(value).__name__)} ({value!r})"
