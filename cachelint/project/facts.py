"""What the project stage keeps of one file: typed, small, and JSON in the result cache.

A file's facts depend on that file alone, so the per-file result cache keeps them with
the file's diagnostics (`FileFacts.to_json` / `FileFacts.from_json`), and the project
model (cachelint.project.model) is the same whether they were just computed or came
from the cache. They name functions, classes and modules by qualified name
(`shop.catalog.Product.save`); nothing in them points into a syntax tree.

- `fills`: cache writes of a value under a namespaced key: the key's template
  (`product:{}`, each dynamic part a `{}`) and text, the entity the value was queried
  from when known, whether the key names one row, the TTL in seconds when known.
- `writes`: DB writes to a known entity, with where a CL010 diagnostic would point.
- `busts`: cache deletes, expiries and writes with the template they touch (None: a key
  the analysis cannot read, which may be any key).
- `calls`: edges from a function to a project function it calls (`*.<method>` for a
  method called on a receiver of unknown type).
- `hooks`: functions every write of an entity runs (signal receivers, `save`/`delete`).
- `clients`: the module's names bound to a client of a shared cache library.
- `definitions` and `imports`: what each module-level and class-level name denotes, so
  that the project model can resolve a qualified name across modules.
- `wrappers`: the module's functions that other modules may call as cache operations
  (cachelint.model.cache.wrappers), with the library they reach and what they do;
  `memoizers`: its decorators that cache what the decorated function returns.
- `backends`: the cache backends its settings configure (Django's `CACHES`, Flask-Caching's
  `CACHE_TYPE`), and `provisional`: its module rules' findings that hold only where the
  project's settings may put a cache on a store (cachelint.project.backends decides them).
- `uses`: every cache operation and cache decorator the model understood, and
  `unresolved`: the calls that look like cache use (a cache method called on a receiver
  named like a cache, a store or Redis) that it did not (`cachelint ops`).
"""
from __future__ import annotations

import dataclasses
import enum
import json
import re
from dataclasses import dataclass, field
from typing import Any

from cachelint.model.spec import Arg, Decorator, Kind, Meaning, Method, TtlSemantics

KEY_SEPARATORS = re.compile(r"[:\-./|]")  # what ends a key's namespace: `product:`, `project-`
ANY_RECEIVER = "*"  # the receiver of a method call whose type is not known: `*.update_price`
# What a function calls when it calls each function of a registry it loops over (`for hook in
# save_hooks: hook(event)`): whatever was registered, an invalidation as likely as not.
REGISTERED = "*()"
DJANGO_SETTINGS = "django.conf.settings"  # what `from django.conf import settings` binds


def is_settings_module(module: str) -> bool:
    """`mysite.settings`, `mysite.settings.production`: where a Django project's settings live."""
    return "settings" in module.split(".")



# A memoised function's entries have no key text of their own: its fills and busts are kept
# under this template, named after the function (here, so that project rules read it
# without importing the extraction, which needs LibCST and the model).
_MEMOIZED = "memoized:"


def memo_template(function: str) -> str:
    """The template that stands for a memoised function's entries: `memoized:shop.catalog.card`."""
    return f"{_MEMOIZED}{function}"


def is_memo_template(template: str) -> bool:
    return template.startswith(_MEMOIZED)

@dataclass(frozen=True)
class Fill:
    """A cached view of data: a value stored under a key that starts with a namespace."""

    path: str
    entity: tuple[str, ...]  # every name the entity goes by (`products`, `product`, `Product`)
    entity_label: str | None  # as the code names it; None: not known
    template: str  # `product:{}:related`
    key: str  # `product:{product_id}:related`
    per_row: bool
    ttl: float | None  # seconds; None: not known
    function: str
    line: int
    # Which rows and columns of the entity it holds, as far as its query says
    # (cachelint.project.rows): the one kind of row of a table shared by kinds (`episode`);
    # the columns it reads, and those its filter requires set. None / empty: all, or not known.
    kind: str | None = None
    columns: tuple[str, ...] = ()
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntityWrite:
    """A DB write to a known entity."""

    path: str
    entity: tuple[str, ...]
    entity_label: str
    kind: str  # a `WriteKind` value: "insert", "update", "delete", "save"…
    label: str  # how messages name it: `Product.objects.update(...)`, `UPDATE products`
    function: str
    runs_hooks: bool  # a queryset `update`, the bulk methods and SQL run no hook
    start: tuple[int, int]  # row, column
    end: tuple[int, int]
    statement_rows: tuple[int, int]
    # What it names the rows it writes by (`episode` for `episode.save()`), and the columns
    # it sets by name (an update's, a row inserted by keywords); empty: not known.
    kinds: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bust:
    """A cache operation that makes readers of `template` see a change."""

    path: str
    template: str | None  # None: a key the analysis cannot read
    function: str
    line: int


@dataclass(frozen=True)
class Hook:
    """A function every write of `entity` runs."""

    entity: tuple[str, ...]
    function: str


@dataclass(frozen=True)
class Definition:
    """What a qualified name denotes: a function or method, a class, or a module-level
    instance (`cache = Cache()`, whose class is `of` when it is a call of a name)."""

    name: str  # qualified: `shop.catalog.Product.save`
    kind: str  # "function", "class" or "instance"
    path: str
    line: int
    of: str | None = None  # an instance's class or factory, as its module imports it
    bases: tuple[str, ...] = ()  # a class's bases, qualified as its module imports them
    # The shared cache library whose client the function returns, or the class's instances
    # are, as far as the module can tell; None: none, or not known here.
    library: str | None = None
    # What a module-level function returns, where it is a name or a call of one
    # (`shop.ext.make_client`): the project model follows these across modules.
    returns: tuple[str, ...] = ()
    # A class's attributes whose values are clients of a shared cache library
    # (`self._cache = Cache()`, a property returning one), each with that library.
    members: tuple[tuple[str, str], ...] = ()
    # A class's attributes and properties named like a cache (`cache`, `_redis`), each with
    # what makes its value, qualified (`shop.cache.Scoped` for `self.cache = Scoped(self)`
    # or a property returning one); "" when that is not a call of a name the module knows.
    made: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CacheUse:
    """A cache operation or decorator the model understood."""

    line: int
    kind: str  # a `Kind` value (`read`, `write`, `delete`, `scan`…), "read-through" or "decorator"
    library: str
    method: str
    key: str | None  # the key's shape as f-string text; None: no key (a decorator, a scan)
    ttl: str | None  # what its TTL means (a `Meaning` value); None: it writes no TTL
    via: tuple[str, ...] = ()  # the project wrappers the call goes through, outermost first
    # The key's parts that are another module's constants, as the key spells them and by
    # qualified name (`{SCAN_KEY}`, `app.locks.SCAN_KEY`): `ops` spells out their text.
    constants: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class UnresolvedCall:
    """A call that looks like cache use and that the model did not understand."""

    line: int
    receiver: str  # as written: `self.store`, `get_redis()`
    method: str


@dataclass(frozen=True)
class WrapperFact:
    """A module-level wrapper function: its qualified name, the library it reaches, and the
    operation a call of it is (a library table's `Method`, as JSON)."""

    name: str
    library: str
    method: dict[str, Any]

    @classmethod
    def of(cls, name: str, library: str, method: Method) -> WrapperFact:
        return cls(name, library, json.loads(json.dumps(dataclasses.asdict(method), default=_enum_value)))

    def spec(self) -> Method:
        """The `Method` again; raises KeyError, TypeError or ValueError on anything else."""
        data = dict(self.method)

        def arg(value: dict | None) -> Arg | None:
            return Arg(value["position"], value["name"]) if value is not None else None

        semantics = data["semantics"]
        return Method(**{
            **data, "kind": Kind(data["kind"]), "key": arg(data["key"]), "value": arg(data["value"]),
            "ttl": tuple(arg(t) for t in data["ttl"]), "default": arg(data["default"]),
            "pattern": arg(data["pattern"]), "key_prefix": arg(data["key_prefix"]),
            "if_absent_flag": arg(data["if_absent_flag"]),
            "semantics": TtlSemantics(**{k: Meaning(v) for k, v in semantics.items()}) if semantics else None,
            "scan_instead": None, "backend_expiry": None,
            "key_affix": tuple(data["key_affix"]), "via": tuple(data["via"]),
        })


@dataclass(frozen=True)
class MemoizerFact:
    """A module-level memoizer (cachelint.model.cache.wrappers): its qualified name, the
    library it keeps results in, whether it is applied called, and its TTL."""

    name: str
    library: str
    factory: bool
    ttl: tuple[tuple[int | None, str | None], ...]  # the TTL parameter of a factory, as an `Arg`
    semantics: dict[str, str]  # what an omitted, None, zero or negative TTL means

    @classmethod
    def of(cls, name: str, library: str, factory: bool, spec: Decorator) -> MemoizerFact:
        semantics = spec.semantics or TtlSemantics()
        return cls(name, library, factory, tuple((arg.position, arg.name) for arg in spec.ttl),
                   {key: meaning.value for key, meaning in semantics.__dict__.items()})

    def spec(self) -> Decorator:
        """The `Decorator` again; raises KeyError, TypeError or ValueError on anything else."""
        return Decorator("memoize", ttl=tuple(Arg(position, name) for position, name in self.ttl),
                         semantics=TtlSemantics(**{key: Meaning(value) for key, value in self.semantics.items()}))


@dataclass(frozen=True)
class Backend:
    """A cache backend a module's settings configure (cachelint.model.cache.backends)."""

    library: str  # the library whose clients use it (`Library.name`)
    alias: str | None  # the configured cache it is for (Django's alias); None: any, or the only one
    name: str | None  # as the settings name it; None: not a string constant (an environment variable)
    store: str | None  # where it keeps entries ("memcached", "redis"...); None: not known
    line: int


# What stands for the backends the settings configure in `OnBackend.message`.
BACKENDS = "{backends}"


@dataclass(frozen=True)
class OnBackend:
    """What a module rule's finding depends on when it holds only where a cache of
    `library` keeps its entries on `store`, which the module alone cannot tell (Django's
    `CACHES` and Flask-Caching's `CACHE_TYPE` live in the project's settings): `aliases`,
    the configured caches the finding's client may be (empty: any); `message`, the
    finding's message when the settings configure such a backend for it (`BACKENDS` in it
    stands for them)."""

    library: str
    aliases: tuple[str, ...]
    store: str
    message: str


@dataclass(frozen=True)
class Provisional:
    """A finding of a module rule that the project stage settles (`OnBackend`): the
    diagnostic of `code` at `row` and `column` of the file."""

    code: str
    row: int
    column: int
    condition: OnBackend


def _enum_value(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"not JSON: {value!r}")


@dataclass
class FileFacts:
    module: str  # `shop.catalog`
    path: str  # as messages name the file
    fills: list[Fill] = field(default_factory=list)
    writes: list[EntityWrite] = field(default_factory=list)
    busts: list[Bust] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (caller, callee)
    hooks: list[Hook] = field(default_factory=list)
    clients: dict[str, str] = field(default_factory=dict)  # module-level name -> library
    definitions: list[Definition] = field(default_factory=list)
    imports: dict[str, str] = field(default_factory=dict)  # module-level name -> what it imports
    wrappers: list[WrapperFact] = field(default_factory=list)
    memoizers: list[MemoizerFact] = field(default_factory=list)
    uses: list[CacheUse] = field(default_factory=list)
    unresolved: list[UnresolvedCall] = field(default_factory=list)
    # Module-level constants bound once to a number (`CACHE_TTL = 0`), by name.
    # A settings module also keeps its other upper-case names, as None.
    constants: dict[str, float | None] = field(default_factory=dict)
    # Module-level constants bound once to a string (`SCAN_KEY = "pulp:last_scan"`), by name.
    texts: dict[str, str] = field(default_factory=dict)
    # What the module's TTLs read that it cannot evaluate: another module's constant
    # (`shop.conf.PAGE_TTL`) or a Django setting (`django.conf.settings.CACHE_TTL`).
    ttl_names: tuple[str, ...] = ()
    backends: list[Backend] = field(default_factory=list)
    provisional: list[Provisional] = field(default_factory=list)
    # Parsed in part (cachelint.sparse): fills and the busts of known clients are
    # complete, writes, calls, hooks and busts through imported objects may not be.
    partial: bool = False

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileFacts:
        """The facts `to_json` gave; raises KeyError, TypeError or ValueError on anything else."""
        return cls(
            module=str(data["module"]), path=str(data["path"]),
            fills=[Fill(**{**fill, "entity": tuple(fill["entity"]), "columns": tuple(fill["columns"]),
                           "required": tuple(fill["required"])}) for fill in data["fills"]],
            writes=[
                EntityWrite(**{**write, "entity": tuple(write["entity"]), "start": tuple(write["start"]),
                           "end": tuple(write["end"]), "statement_rows": tuple(write["statement_rows"]),
                           "kinds": tuple(write["kinds"]), "columns": tuple(write["columns"])})
                for write in data["writes"]
            ],
            busts=[Bust(**bust) for bust in data["busts"]],
            calls=[(str(caller), str(callee)) for caller, callee in data["calls"]],
            hooks=[Hook(tuple(hook["entity"]), hook["function"]) for hook in data["hooks"]],
            clients=dict(data["clients"]),
            definitions=[
                Definition(**{**d, "bases": tuple(d["bases"]), "returns": tuple(d["returns"]),
                              "members": tuple((str(name), str(library)) for name, library in d["members"]),
                              "made": tuple((str(name), str(maker)) for name, maker in d["made"])})
                for d in data["definitions"]
            ],
            imports=dict(data["imports"]),
            wrappers=[WrapperFact(**wrapper) for wrapper in data["wrappers"]],
            memoizers=[
                MemoizerFact(**{**memo, "ttl": tuple(tuple(arg) for arg in memo["ttl"]), "semantics": dict(memo["semantics"])})
                for memo in data["memoizers"]
            ],
            uses=[CacheUse(**{**use, "via": tuple(use["via"]), "constants": tuple(map(tuple, use["constants"]))})
                  for use in data["uses"]],
            unresolved=[UnresolvedCall(**call) for call in data["unresolved"]],
            constants={str(name): None if value is None else float(value) for name, value in data["constants"].items()},
            texts={str(name): str(value) for name, value in data["texts"].items()},
            ttl_names=tuple(str(name) for name in data["ttl_names"]),
            backends=[Backend(**backend) for backend in data["backends"]],
            provisional=[
                Provisional(str(found["code"]), int(found["row"]), int(found["column"]), OnBackend(**{
                    **found["condition"], "aliases": tuple(map(str, found["condition"]["aliases"]))}))
                for found in data["provisional"]
            ],
            partial=bool(data["partial"]),
        )
