"""The facts of one module for the project stage (cachelint.project.facts), read from its model.

`facts_for(model, settings)` gives a `FileFacts`: the module's cache fills, DB writes,
busts, call edges, write hooks, the clients it makes, and what its names denote. Reads
through an imported object of unknown type (`from .cache import r; r.delete(...)`)
count as busts with the keys they can read. The engine marks the facts of a file it
parsed only in part (`cachelint.sparse`) `partial`.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import libcst as cst

from cachelint.model import CacheDecorator, CacheOp, Client, Kind, Meaning, ModuleModel, Ttl
from cachelint.model.app.db import WriteKind
from cachelint.model.app.entities import Entity, canonical, key_expressions, key_names
from cachelint.model.app.stored import StoredData
from cachelint.model.cache.clients import module_clients
from cachelint.model.cache.expiry import expired_elsewhere
from cachelint.model.cache.keys import KeyShape, Source
from cachelint.model.cache.wrappers import affixed, keyed_by_caller, memoizer, summarise
from cachelint.model.core.modules import display_path, module_name
from cachelint.model.core.nodes import children, last_name
from cachelint.model.core.scopes import Scope, dotted, qualified_name
from cachelint.model.core.values import evaluate_number, string_value, text_value
from cachelint.model.libraries import BY_NAME
from cachelint.project.cache_like import (
    CACHE_METHODS,
    CONTAINER_ANNOTATIONS,
    CONTAINERS,
    looks_like_a_cache,
    only_a_store,
)
from cachelint.project.facts import (
    ANY_RECEIVER,
    KEY_SEPARATORS,
    REGISTERED,
    Backend,
    Bust,
    CacheUse,
    Definition,
    EntityWrite,
    FileFacts,
    Fill,
    Hook,
    MemoizerFact,
    UnresolvedCall,
    WrapperFact,
    is_settings_module,
    memo_template,
)
from cachelint.project.rows import ViewReads, inserted_columns, set_columns, subject_kinds

_FROM = re.compile(r"\bselect\b.*?\bfrom\s+([A-Za-z_][\w.\"`]*)", re.I | re.S)
# The database's own catalogs (`information_schema.tables`, ClickHouse `system.functions`,
# PostgreSQL `pg_catalog`, `sqlite_master`): the server describes its tables and functions
# there, and only DDL changes them, so a cached read of one holds no entity the project writes.
_CATALOG_SCHEMAS = frozenset({"information_schema", "pg_catalog", "system", "sys", "mysql", "performance_schema"})
_CATALOG_TABLES = frozenset({"sqlite_master", "sqlite_schema", "sqlite_temp_master"})
_MANAGERS = frozenset({"objects", "_default_manager", "query"})  # `Product.objects`, Flask-SQLAlchemy `Product.query`
# Calls whose first argument is the model queried: `session.query(M)`, `select(M)`, `session.get(M, pk)`.
_MODEL_FIRST_CALLS = frozenset({"query", "select", "get_object_or_404", "get_list_or_404", "get"})
_COLUMN_QUERIES = frozenset({"query", "select"})  # SQLAlchemy also takes a model's columns: `select(M.id)`
_ID_NAMES = frozenset({"id", "pk", "slug", "uuid", "uid", "ident", "identifier"})
_SIGNALS = frozenset({"post_save", "post_delete", "pre_save", "pre_delete", "m2m_changed"})
_MODEL_HOOKS = frozenset({"save", "delete"})
_PROPERTIES = frozenset({"property", "cached_property"})
# Celery's ways of calling a task later: the task's function runs.
_DEFERRED_CALLS = frozenset({"delay", "apply_async", "s", "si", "signature"})
# Methods a memoised function carries to drop its results (dogpile's `cache_on_arguments`).
_MEMO_CLEARS = frozenset({"invalidate"})
_MAX_FOLLOWED = 3  # assignments followed back from a cached value to its query
_FETCHES = frozenset({"fetchone", "fetchall", "fetchmany"})
# Calls that give one row of their query: a per-row cache, whatever its key's parts are called.
_ONE_ROW = frozenset({
    "fetchone", "fetchrow", "first", "get", "one", "one_or_none", "scalar_one", "scalar_one_or_none",
    "get_object_or_404", "first_or_404", "get_or_404", "one_or_404", "afirst", "aget",
})
# Methods that delete keys in every cache library that has them.
_DELETES = frozenset({"delete", "delete_many", "delete_multi", "unlink", "delete_pattern"})  # rows of what the cursor last executed
# What a module's code names where its facts hold a bust or a hook although the model
# finds no cache operation in it (`imported_busts`, `memo_clears`, `hooks`).
BUST_OR_HOOK_WORDS = _DELETES | _MEMO_CLEARS | _MODEL_HOOKS | {"receiver", "connect"}
# Writes that run neither the model's `save`/`delete` nor its signal receivers: a
# queryset's `update` and bulk methods, and SQL (`execute`, SQLAlchemy, peewee queries).
_SKIP_HOOKS = frozenset({
    "update", "aupdate", "bulk_create", "abulk_create", "bulk_update", "abulk_update", "execute", "executemany",
    "execute_sql", "exec_driver_sql", "fetch", "fetchrow", "fetchval",
})
_MILLISECOND_PARAMETERS = frozenset({"px", "pexpire", "psetex"})
_END = 1 << 62  # an order after every binding: what a function returns
_CONTAINER_DISPLAYS = (cst.Dict, cst.List, cst.Set, cst.DictComp, cst.ListComp, cst.SetComp)


# `app.redis = …` on a name other than `self`/`cls`, at a function body's first level.
_SETS_A_CACHE_ATTRIBUTE = re.compile(
    rb"^[ \t]+(?!self\.|cls\.)\w+\.(?!_)\w*(?i:cache|redis|store|valkey)\w*[ \t]*=(?!=)", re.M)


def facts_for(model: ModuleModel, root: Path) -> FileFacts:
    """The module's facts, its file named relative to the project `root`."""
    return file_facts(model, module_name(model.path), display_path(model.path, root))


def file_facts(model: ModuleModel, module: str, display: str) -> FileFacts:
    facts = _Facts(model, module, display)
    definitions, imports = facts.definitions()
    return FileFacts(
        module=module, path=display, fills=facts.fills(), writes=facts.writes(), busts=facts.busts(),
        calls=facts.calls(), hooks=facts.hooks(), clients=module_clients(model.module_scope, model.resolver),
        definitions=definitions, imports=imports, wrappers=facts.wrappers(), memoizers=facts.memoizers(),
        uses=facts.uses(),
        unresolved=facts.unresolved(), constants=facts.constants(), texts=facts.texts(), ttl_names=facts.ttl_names(),
        backends=_backends(model),
    )


def _backends(model: ModuleModel) -> list[Backend]:
    """The cache backends the module's settings configure; none in a test's (test settings
    say nothing of where the project keeps its cache when it serves requests)."""
    backends = model.backends
    if not backends or model.is_test_code:
        return []
    return [Backend(backend.library.name, backend.alias, backend.name, backend.store,
                    model.location(model.spans[backend.node].start).row)
            for backend in backends]


def cache_use(model: ModuleModel, use: CacheOp | CacheDecorator) -> CacheUse:
    """What the model understood of one cache operation or decorator: what `cachelint ops`
    lists, and the language server shows on hover."""
    line = model.location(model.spans[use.node].start).row
    if isinstance(use, CacheDecorator):
        called = use.expression.func if isinstance(use.expression, cst.Call) else use.expression
        return CacheUse(
            line, "decorator", use.library.name, dotted(called) or model.code(called), None,
            use.ttl.meaning.value if use.ttl is not None else None,
        )
    keys, starred = [use.key] if use.key is not None else [], []
    if use.spec.variadic_keys and use.call is not None:  # `r.delete(k1, k2)`, `r.delete(*names)`: every key
        keys = [arg.value for arg in use.call.args if arg.keyword is None and not arg.star]
        starred = [arg.value for arg in use.call.args if arg.star == "*"]
    shapes = [shape for key in keys for shape in model.keys.of(key, use.scope)]
    spread = [shape for each in starred for shape in model.keys.of(each, use.scope)]
    before, after = use.spec.key_affix  # what a project wrapper puts around the key it is given
    # A key of several shapes (built on two branches, or with a fallback in `except`) shows each.
    rendered = dict.fromkeys([*(f"{before}{_spelled(shape, model)}{after}" for shape in shapes),
                              *(f"{'*' if _opaque_collection(shape) else ''}{_spelled(shape, model)}" for shape in spread)])
    shapes += spread
    key = " | ".join(rendered) if rendered else None
    kind = "read-through" if use.spec.read_through else use.kind.value  # a project wrapper that reads, then fills
    imported = {
        ("{" + part.render(model.code) + "}", part.name) for shape in shapes for part in shape.parts
        if part.source in (Source.NAME, Source.ATTRIBUTE) and "." in part.name and part.name.rsplit(".", 1)[1].isupper()
    }
    ttl = use.ttl.meaning if use.ttl is not None else None
    if ttl is Meaning.FOREVER and (use.expiry_follows or expired_elsewhere(use, model.ops, model.keys)):
        ttl = Meaning.EXPIRES  # `incr(k)`, then `expire(k, 60)` here or in another function: the key expires after all
    return CacheUse(
        line, kind, use.library.name, use.method, key, ttl.value if ttl is not None else None, use.spec.via,
        tuple(sorted(imported)),
    )


def _spelled(shape: KeyShape, model: ModuleModel) -> str:
    """A key's shape as `ops` shows it: a key a local holds the call of a key builder for
    (`site_key = site_cache_key(lang)`), as that call, which says more than the local's name."""
    only = shape.parts[0] if len(shape.parts) == 1 else None
    if only is not None and only.source is Source.CALL and only.via and not only.renames and only.node is not None:
        return "{" + " ".join(model.code(only.node).split()) + "}"
    return shape.render(model.code)


def _opaque_collection(shape: KeyShape) -> bool:
    """A `*keys` whose keys the model does not see (a parameter, a call's result): one value."""
    return len(shape.parts) == 1 and not shape.parts[0].is_constant


class _Facts:
    def __init__(self, model: ModuleModel, module: str, display: str) -> None:
        self.model = model
        self.module = module
        self.display = display
        self._qualified: dict[Scope | None, str] = {}
        self._runs_in: dict[Scope, str] = {}

    # ------------------------------------------------------------------ names

    def qualified(self, scope: Scope | None) -> str:
        """`shop.catalog.Product.save` for a method's scope; the module for module level."""
        found = self._qualified.get(scope)
        if found is None:
            names = []
            outer = scope
            while outer is not None and outer.kind != "module":
                names.append(outer.name)
                outer = outer.parent
            found = self._qualified[scope] = ".".join([self.module, *reversed(names)])
        return found

    def runs_in(self, scope: Scope) -> str:
        """The function whose call runs code in `scope`: the outermost of nested functions
        (a closure passed to `on_commit` runs for the function that defines it)."""
        found = self._runs_in.get(scope)
        if found is None:
            function = scope.function
            while function is not None and function.parent is not None and function.parent.function is not None:
                function = function.parent.function
            found = self._runs_in[scope] = self.qualified(function)
        return found

    def line(self, node: cst.CSTNode) -> int:
        return self.model.location(self.model.spans[node].start).row

    def resolve_import(self, name: str) -> str:
        """`.models.Post` imported in `forum.moderation` -> `forum.models.Post`."""
        dots = len(name) - len(name.lstrip("."))
        if not dots:
            return name
        package = self.module.split(".")
        if not self.model.path.endswith("__init__.py"):
            package = package[:-1]
        base = package[: len(package) - (dots - 1)] if dots > 1 else package
        return ".".join([*base, name[dots:]]) if base else name[dots:]

    # ------------------------------------------------------------------ definitions

    def definitions(self) -> tuple[list[Definition], dict[str, str]]:
        """What the module's own names denote (its functions, classes and their methods,
        instances it assigns at module level), and what its imported names import."""
        found: list[Definition] = []
        imports: dict[str, str] = {}
        module_scope = self.model.module_scope
        sets_attributes: bool | None = None  # the text searched once a module-level function asks
        for name, bindings in module_scope.bindings.items():
            binding = bindings[-1]
            qualified = f"{self.module}.{name}"
            if binding.kind == "import" and isinstance(binding.value, str):
                imports[name] = self.resolve_import(binding.value)
            elif binding.kind == "def" and isinstance(binding.value, cst.ClassDef):
                bases = tuple(
                    base for arg in binding.value.bases
                    if (base := self.denoted(arg.value, module_scope, binding.order)) is not None
                )
                client = self.model.resolver.client_of_subclass(binding.value, module_scope)
                found.append(Definition(qualified, "class", self.display, self.line(binding.value), bases=bases,
                                        library=_shared(client), members=self.client_members(binding.value),
                                        made=self.made_members(binding.value)))
            elif binding.kind == "def" and isinstance(binding.value, cst.FunctionDef):
                if sets_attributes is None:
                    sets_attributes = _SETS_A_CACHE_ATTRIBUTE.search(self.model.source) is not None
                found.append(Definition(
                    qualified, "function", self.display, self.line(binding.value),
                    library=_shared(self.model.resolver.called_client(binding.value)),
                    returns=self.returned_names(binding.value),
                    made=self.made_on_parameters(binding.value) if sets_attributes else (),
                ))
            elif binding.kind == "assign" and isinstance(binding.value, cst.CSTNode):
                value = binding.value.expression if isinstance(binding.value, cst.Await) else binding.value
                of = self.denoted(value.func, module_scope, binding.order) if isinstance(value, cst.Call) else None
                found.append(Definition(qualified, "instance", self.display, self.line(binding.value), of=of))
        for info in self.model.functions.values():
            owner = info.scope.parent
            if owner is not None and owner.kind == "class" and owner.parent is module_scope:
                found.append(Definition(self.qualified(info.scope), "function", self.display, self.line(info.node)))
        return found, imports

    def _class_scope(self, definition: cst.ClassDef) -> Scope | None:
        """The scope of a class's body, as its methods see it (None for a class without one)."""
        return next((info.scope.owner for statement in definition.body.body if isinstance(statement, cst.FunctionDef)
                     and (info := self.model.functions.get(statement)) is not None), None)

    def made_members(self, definition: cst.ClassDef) -> tuple[tuple[str, str], ...]:
        """The class's public attributes and properties named like a cache, each with what makes
        its value (`self.cache = Scoped(self)`, `@cached_property def cache(self): return
        Scoped(self)`: the qualified name of `Scoped`), or "" when anything else may (a
        parameter, a dict, another method): the evidence by which the project model types
        `x.cache` on a receiver of unknown type (`ProjectModel.attribute_clients`)."""
        owner = self._class_scope(definition)
        if owner is None:
            return ()
        found = []
        for name in sorted({*owner.attributes, *owner.bindings}):
            if name.startswith("_") or not looks_like_a_cache(name):
                continue  # a private attribute is the class's own: reached through `self`
            makers = set()
            for binding in owner.attributes.get(name, []):
                value = binding.assigned
                if isinstance(value, cst.Name) and value.value == "None":
                    continue  # a placeholder, filled elsewhere
                called = value.func if isinstance(value, cst.Call) else None
                makers.add(self.denoted(called, binding.scope, binding.order) or "" if called is not None else "")
            for binding in owner.bindings.get(name, []):
                if binding.kind == "def" and isinstance(binding.value, cst.FunctionDef) and _is_property(binding.value):
                    returned = self.returned_names(binding.value)
                    makers |= set(returned) if returned else {""}
                elif binding.kind != "assign":  # a method, a nested class: no attribute of a client
                    makers.add("")
            found.append((name, makers.pop() if len(makers) == 1 else ""))
        return tuple(found)

    def made_on_parameters(self, function: cst.FunctionDef) -> tuple[tuple[str, str], ...]:
        """The attributes named like a cache that a module-level function sets on an object
        it is passed, in its own body (`def init_app(app): app.redis = connect(app)`), each
        with what makes the value, as `made_members` gives a class's: the evidence by which
        `current_app.redis` is typed elsewhere (`ProjectModel.attribute_clients`)."""
        info = self.model.functions.get(function)
        if info is None:
            return ()
        parameters = {name for name, bindings in info.scope.bindings.items() if bindings[0].kind == "param"}
        makers: dict[str, set[str]] = {}
        for statement in function.body.body if isinstance(function.body, cst.IndentedBlock) else ():
            for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
                if not isinstance(small, cst.Assign) or len(small.targets) != 1:
                    continue
                target = small.targets[0].target
                if not (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                        and target.value.value in parameters and not target.attr.value.startswith("_")
                        and looks_like_a_cache(target.attr.value)):
                    continue
                called = small.value.func if isinstance(small.value, cst.Call) else None
                maker = self.denoted(called, info.scope, _END) if called is not None else None
                makers.setdefault(target.attr.value, set()).add(maker or "")
        return tuple((name, made.pop() if len(made) == 1 else "") for name, made in sorted(makers.items()))

    def client_members(self, definition: cst.ClassDef) -> tuple[tuple[str, str], ...]:
        """The attributes of the class's instances that are clients of a shared cache
        library (`self._cache = Cache()` in `__init__`, a property returning one), with
        that library: what `instance.<name>` is in the modules that import an instance."""
        owner = self._class_scope(definition)
        if owner is None:
            return ()
        resolver = self.model.resolver
        names = {*owner.attributes, *(name for name, b in owner.bindings.items() if b and b[-1].kind == "def")}
        found = []
        for name in sorted(names):
            library = _shared(resolver.client_of_member(owner, name) or resolver.property_client(owner, name))
            if library is not None:
                found.append((name, library))
        return tuple(found)

    def returned_names(self, function: cst.FunctionDef) -> tuple[str, ...]:
        """What the function returns where it is a name or a call of one, qualified."""
        info = self.model.functions.get(function)
        if info is None:
            return ()
        found = []
        for ret in info.returns:
            value = ret.value.func if isinstance(ret.value, cst.Call) else ret.value
            name = self.denoted(value, info.scope, _END) if value is not None else None
            if name is not None:
                found.append(name)
        return tuple(found)

    def denoted(self, expr: cst.BaseExpression, scope: Scope, order: int) -> str | None:
        """The qualified name `expr` denotes through the module's imports and definitions
        (`redis.Redis`, `shop.cache.Store`), as far as this module can tell."""
        text = dotted(expr)
        if text is None:
            return None
        head, _, rest = text.partition(".")
        bindings = scope.lookup(head, order)
        if len(bindings) != 1:
            return None
        binding = bindings[0]
        if binding.kind == "import":
            base = self.resolve_import(binding.value) if isinstance(binding.value, str) else None
        elif binding.kind == "def" or binding.kind == "assign" and binding.scope is self.model.module_scope:
            base = f"{self.module}.{head}"
        else:
            return None
        return None if base is None else f"{base}.{rest}" if rest else base

    # ------------------------------------------------------------------ cache use

    def uses(self) -> list[CacheUse]:
        """Every cache operation and decorator the model understood, in source order."""
        return sorted(map(functools.partial(cache_use, self.model), [*self.model.ops, *self.model.decorators]),
                      key=lambda use: use.line)

    def wrappers(self) -> list[WrapperFact]:
        """The module-level functions, and the methods of module-level classes
        (`shop.cache.Store.get`), a call of which is a cache operation (a wrapper of a
        shared cache's client: an in-process cache is private to its module)."""
        module_scope = self.model.module_scope
        by_scope: dict[Scope, list] = {}
        for op in self.model.ops:
            owner = op.scope.parent
            if op.scope.kind == "function" and owner is not None and (
                    owner is module_scope or owner.kind == "class" and owner.parent is module_scope):
                by_scope.setdefault(op.scope, []).append(op)
        found = []
        for scope, own in by_scope.items():
            function = scope.node
            info = self.model.functions.get(function) if isinstance(function, cst.FunctionDef) else None
            qualified = self.qualified(scope)
            wrapper = summarise(info, own, qualified) if info is not None else None
            if wrapper is not None and _shared(wrapper.client) is not None and (scope.parent is module_scope or wrapper.held):
                method = wrapper.method
                if all(self.model.fills.is_counter(op) for op in own):  # a counter's reset
                    method = dataclasses.replace(method, counter=True)
                found.append(WrapperFact.of(qualified, wrapper.client.library.name, method))
        return found

    def memoizers(self) -> list[MemoizerFact]:
        """The module-level functions that are memoizers of a shared cache (`memoize_redis(ttl)`)."""
        found = []
        for name, bindings in self.model.module_scope.bindings.items():
            function = bindings[-1].value
            info = self.model.functions.get(function) if isinstance(function, cst.FunctionDef) else None
            memo = memoizer(info, self.model.functions, self.model.ops, self.model.decorators) if info is not None else None
            library = _shared(memo.client) if memo is not None else None
            if memo is not None and library is not None:
                found.append(MemoizerFact.of(f"{self.module}.{name}", library, memo.factory, memo.spec))
        return found

    def unresolved(self) -> list[UnresolvedCall]:
        """Calls of a cache method (a method name some cache library has) on a receiver
        named like a cache, a store or Redis (`self.store.get(key)`, `get_redis().set(…)`)
        that the model did not take for a cache operation. Not counted: a receiver known
        to be a built-in container (`self._cache = {}`: a per-object memo table the model
        does not take for a shared cache; module-level dicts named so it models as
        in-process caches), and a "store" from another package (`import glance_store as
        store_api`: an object store's API, not a cache)."""
        found = []
        for site in self.model.calls:
            func = site.node.func
            if type(func) is not cst.Attribute or func.attr.value not in CACHE_METHODS:
                continue
            receiver = func.value
            called = receiver.func if type(receiver) is cst.Call else receiver
            name = dotted(called)
            if name is None or not looks_like_a_cache(name.rsplit(".", 1)[-1]):
                continue
            if self.model.op_at(site.node) is None and not self.is_container(receiver, site.scope, site.order) \
                    and not (only_a_store(name.rsplit(".", 1)[-1]) and self.from_another_package(name, site.scope, site.order)):
                text = f"{name}()" if called is not receiver else name
                found.append(UnresolvedCall(self.line(site.node), text, func.attr.value))
        return found

    def is_container(self, expr: cst.BaseExpression, scope: Scope, order: int) -> bool:
        """Whether every value `expr` is bound to is a built-in container (a dict, list or
        set display, `dict()`, `defaultdict(...)`): a local, a module-level name or `self.<attr>`."""
        if isinstance(expr, cst.Name):
            bindings = scope.lookup(expr.value, order)
        elif isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            function = scope.function
            if function is None or function.owner is None or expr.value.value != function.self_name:
                return False
            bindings = function.owner.attributes.get(expr.attr.value, [])
        else:
            return False
        return bool(bindings) and all(self._container_binding(binding) for binding in bindings)

    def _container_binding(self, binding) -> bool:
        value = binding.value
        if binding.kind == "assign" and isinstance(value, _CONTAINER_DISPLAYS):
            return True
        if binding.kind == "assign" and isinstance(value, cst.Call):
            scope = binding.scope or self.model.module_scope
            func = value.func.value if isinstance(value.func, cst.Subscript) else value.func  # `OrderedDict[str, T]()`
            if (qualified_name(func, scope, binding.order) or dotted(func)) in CONTAINERS:
                return True
        annotation = binding.annotation
        text = (dotted(annotation.value if isinstance(annotation, cst.Subscript) else annotation) or "") if annotation else ""
        return text.rsplit(".", 1)[-1].lower() in CONTAINER_ANNOTATIONS

    def from_another_package(self, name: str, scope: Scope, order: int) -> bool:
        """Whether the name's first part is an absolute import of another top-level package
        than this module's (`import glance_store as store_api` in `glance.api`)."""
        bindings = scope.lookup(name.split(".", 1)[0], order)
        if len(bindings) != 1 or bindings[0].kind != "import" or not isinstance(bindings[0].value, str):
            return False
        imported = bindings[0].value
        return not imported.startswith(".") and imported.split(".", 1)[0] != self.module.split(".", 1)[0]

    def constants(self) -> dict[str, float | None]:
        """`CACHE_TTL = 0`, `NO_EXPIRY = -1`: upper-case module-level names bound once to a
        number, which other modules import or read as settings (`settings.CACHE_TTL`). A
        settings module's other upper-case names are kept too, as None (bound to something
        else, or more than once): a setting is known only where every settings module agrees."""
        settings = is_settings_module(self.module)
        found: dict[str, float | None] = {}
        for name, bindings in self.model.module_scope.bindings.items():
            if not name.isupper():
                continue
            value = bindings[0].value if len(bindings) == 1 and bindings[0].kind == "assign" else None
            number = evaluate_number(value, self.model.module_scope, bindings[0].order) \
                if isinstance(value, cst.BaseExpression) else None
            if isinstance(number, (int, float)) and not isinstance(number, bool):
                found[name] = float(number)
            elif settings:
                found[name] = None
        return found

    def texts(self) -> dict[str, str]:
        """`SCAN_KEY = "pulp:last_scan"`: upper-case module-level names bound once to a
        string, which other modules' keys import."""
        found = {}
        for name, bindings in self.model.module_scope.bindings.items():
            value = bindings[0].value if len(bindings) == 1 and bindings[0].kind == "assign" else None
            text = string_value(value) if name.isupper() and isinstance(value, cst.SimpleString) else None
            if isinstance(text, str):
                found[name] = text
        return found

    def ttl_names(self) -> tuple[str, ...]:
        """The qualified names of what the module's TTLs read from other modules and the
        module cannot evaluate: `settings.CACHE_TTL`, an imported `PAGE_TTL`."""
        found = set()
        model = self.model
        read: list[tuple[Ttl | None, Scope, int]] = [(op.ttl, op.scope, op.order) for op in model.ops]
        read += [(decorator.ttl, decorator.scope, model.spans[decorator.node].start) for decorator in model.decorators]
        for ttl, scope, order in read:
            argument = ttl.argument if ttl is not None else None
            if ttl is None or ttl.meaning is not Meaning.UNKNOWN or not isinstance(argument, (cst.Name, cst.Attribute)):
                continue
            qualified = qualified_name(argument, scope, order)
            if qualified is not None:
                found.add(self.resolve_import(qualified))
        return tuple(sorted(found))

    # ------------------------------------------------------------------ reads

    def fills(self) -> list[Fill]:
        found = []
        for op in self.model.ops:
            # A call of a project wrapper fills what the wrapper's own write fills, under a
            # key the caller's argument is only part of: the call graph counts it there;
            # unless the caller's argument is the whole key, or has only constant text
            # around it (`get_or_set(f"shelf:{uid}", load)`): the key is known here only.
            through = keyed_by_caller(op)
            if op.key is None or (op.spec.via and not through) \
                    or not (op.kind is Kind.WRITE or through and op.spec.read_through):
                continue
            values = self.computed_values(op) if op.spec.read_through else self.stored_values(op)
            queried = self.read_entity(values, op.scope)
            if op.value is None and op.method != "get_or_set" and not op.spec.read_through and queried is None:
                continue  # a counter, a member added to a set: not a view of anything
            one_row = queried is not None and self.one_row(values, op.scope, _MAX_FOLLOWED)
            for shape in self.shapes(op.key, op.scope):
                shape = affixed(shape, op.spec.key_affix)
                template = _template(shape)
                if template is None:
                    continue
                # A key that does not name what it holds (`heuristic:{event.pk}` for an
                # aggregate of addresses) may be meant to lag behind: not a view of the entity.
                entity = queried if queried and queried.filled_under(
                    key_names(p.text for p in shape.parts if p.is_constant)) else None
                reads = self.view_reads(values, op.scope) if entity else ViewReads(())
                found.append(Fill(
                    path=self.display, entity=tuple(sorted(entity.names)) if entity else (),
                    entity_label=entity.name if entity else None, template=template, key=shape.render(self.model.code),
                    per_row=one_row or _per_row(shape, entity) if entity else True,
                    ttl=self.ttl_seconds(op), function=self.runs_in(op.scope), line=self.line(op.node),
                    kind=reads.kind, columns=reads.read_columns, required=tuple(sorted(reads.required)),
                ))
        return found + self.memoized_fills()

    def memoized_fills(self) -> list[Fill]:
        """A memoised function that queries one entity (`@cache.memoize()` on `def card(pid):
        return Product.objects.get(pk=pid)`) caches a view of it, one entry per arguments,
        under the function's name (`memo_template`); one row when it returns one. Not an
        in-process memo (`lru_cache`): each worker keeps its own, which no write in another
        process can reach (CL002 judges those)."""
        found = []
        for decorator in self.model.decorators:
            function = decorator.function
            if decorator.spec.kind != "memoize" or decorator.library.in_process \
                    or not isinstance(function, cst.FunctionDef):
                continue
            info = self.model.functions.get(function)
            if info is None:
                continue
            returned = [ret.value for ret in info.returns if ret.value is not None]
            entity = self.read_entity(returned, info.scope)
            if entity is None:
                continue
            qualified = self.qualified(info.scope)
            owner = info.scope.parent
            shown = function.name.value
            if owner is not None and owner.kind == "class":
                shown = f"{owner.name}.{shown}"
            reads = self.view_reads(returned, info.scope)
            ttl = decorator.ttl
            seconds = evaluate_number(ttl.argument, decorator.scope, self.model.spans[decorator.node].start) \
                if ttl is not None and ttl.argument is not None else None
            found.append(Fill(
                path=self.display, entity=tuple(sorted(entity.names)), entity_label=entity.name,
                template=memo_template(qualified), key=f"{shown}(…)",
                per_row=self.one_row(returned, info.scope, _MAX_FOLLOWED),
                ttl=seconds if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) else None,
                function=qualified, line=self.line(decorator.node),
                kind=reads.kind, columns=reads.read_columns, required=tuple(sorted(reads.required)),
            ))
        return found

    def view_reads(self, values: list[cst.BaseExpression], scope: Scope) -> ViewReads:
        """Which rows and columns of its entity a cached value's query reads."""
        function = scope.function_def
        reads = ViewReads(p.name.value for p in (*function.params.params, *function.params.kwonly_params)) \
            if function is not None else ViewReads(())
        for node, _ in self.value_nodes(values, scope, _MAX_FOLLOWED):
            reads.scan(node)
        return reads

    def ttl_seconds(self, op) -> float | None:
        if op.ttl is None or op.ttl.argument is None:
            return None
        seconds = evaluate_number(op.ttl.argument, op.scope, op.order)
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
            return None
        return seconds / 1000 if op.ttl.parameter in _MILLISECOND_PARAMETERS else seconds

    def stored_values(self, op) -> list[cst.BaseExpression]:
        """What a fill stores: its value, the default of `get_or_set` (a callable: its body
        is followed), the fields of `hset(key, mapping={...})`."""
        value = op.value if op.value is not None else _argument(op.call, 1, "default")
        return [value] if value is not None else StoredData(self.model).values(op)

    def computed_values(self, op: CacheOp) -> list[cst.BaseExpression]:
        """What a call of a project read-through wrapper fills its key with on a miss: the
        function it is given to compute the value (`get_or_set(key, lambda: Shelf.objects…)`,
        `remember(key, load_shelf, uid)`), whose body is followed."""
        if op.call is None:
            return []
        return [
            arg.value for arg in op.call.args
            if arg.value is not op.key and (isinstance(arg.value, (cst.Lambda, cst.Attribute))
                                            or self._is_function(arg.value, op.scope, op.order))
        ]

    def read_entity(self, values: list[cst.BaseExpression], scope: Scope) -> Entity | None:
        """The one entity the stored values were queried from, found in them or up to three
        assignments back (`result = session.execute(q)`, `row = result.one()`, `data = {…}`)."""
        entities = self.entities_in(values, scope, _MAX_FOLLOWED) if values else set()
        return entities.pop() if len(entities) == 1 else None

    def entities_in(self, roots: Sequence[cst.CSTNode], scope: Scope, follow: int) -> set[Entity]:
        return {
            entity for node, inner in self.value_nodes(roots, scope, follow)
            if (entity := _query_entity(node) or _own_manager(node, inner))
        }

    def one_row(self, roots: Sequence[cst.CSTNode], scope: Scope, follow: int) -> bool:
        """Whether the value is a single row of its query: `….fetchone()`, `.first()`,
        `Model.objects.get(...)`, `session.get(Model, pk)`."""
        for node, inner in self.value_nodes(roots, scope, follow):
            if type(node) is cst.Call and last_name(node.func) in _ONE_ROW \
                    and self.entities_in([node, *self.executed_before(node, inner)], inner, 1):
                return True
        return False

    def value_nodes(self, roots: Sequence[cst.CSTNode], scope: Scope,
                    follow: int) -> Iterator[tuple[cst.CSTNode, Scope]]:
        """Every node of `roots` with its scope, the query a cursor read runs, and `follow`
        assignments back what each name was assigned (a function's body, for a function)."""
        names: list[cst.Name] = []
        stack = list(roots)
        while stack:
            node = stack.pop()
            yield node, scope
            if type(node) is cst.Call:
                stack.extend(self.executed_before(node, scope))
            elif type(node) is cst.Name:
                names.append(node)
            stack.extend(children(node))
        if follow:
            for name in names:
                for binding in scope.lookup(name.value, self.model.spans[name].start):
                    if binding.kind in ("assign", "with", "for") and isinstance(binding.value, cst.CSTNode):
                        yield from self.value_nodes([binding.value], binding.scope or scope, follow - 1)
                    elif binding.kind == "def" and isinstance(binding.value, cst.FunctionDef):
                        yield from self.value_nodes([binding.value.body], scope, 0)

    def executed_before(self, fetch: cst.Call, scope: Scope) -> list[cst.BaseExpression]:
        """For `cursor.fetchall()`, the query last executed on `cursor` before it in the same
        function (`cursor.execute("SELECT … FROM tools")`); nothing for other calls."""
        func = fetch.func
        if not (isinstance(func, cst.Attribute) and func.attr.value in _FETCHES and isinstance(func.value, cst.Name)):
            return []
        function = scope.function_def
        info = self.model.functions.get(function) if function is not None else None
        before = self.model.spans[fetch].start
        latest = None
        for call in info.calls if info is not None else ():
            called = call.func
            if isinstance(called, cst.Attribute) and called.attr.value == "execute" and call.args \
                    and isinstance(called.value, cst.Name) and called.value.value == func.value.value \
                    and self.model.spans[call].start < before:
                latest = call
        return [latest.args[0].value] if latest is not None else []

    # ------------------------------------------------------------------ writes and busts

    def new_row(self, write) -> cst.Call | None:
        """The row a save of an instance just constructed inserts: `Product(...)` for
        `session.add(Product(...))` or `p = Product(...); p.save()` (an INSERT)."""
        if write.kind is not WriteKind.SAVE:
            return None
        for expr in _instances(write.node):
            if isinstance(expr, cst.Name):
                binding = self.model.binding_of(expr, write.scope, self.model.spans[expr].start)
                expr = binding.assigned or expr if binding is not None else expr
            if isinstance(expr, cst.Call) and _is_class_name(dotted(expr.func) or ""):
                return expr
        return None

    def writes(self) -> list[EntityWrite]:
        """The module's writes to known entities; none from migrations, which run once
        against historical models, or tests, which set up their own data."""
        if any(part == "migrations" or part.startswith("test") for part in self.module.split(".")):
            return []
        found = []
        for write in self.model.db.writes:
            if write.entity is None or write.is_commit_point:
                continue
            start, end = self.model.range(write.node)
            row = self.new_row(write)
            instance = next((expr for expr in _instances(write.node) if isinstance(expr, cst.Name)), None)
            found.append(EntityWrite(
                path=self.display, entity=tuple(sorted(write.entity.names)), entity_label=write.entity.name,
                kind=WriteKind.INSERT.value if row is not None else write.kind.value, label=write.label,
                function=self.runs_in(write.scope), runs_hooks=_runs_hooks(write.node),
                start=(start.row, start.column), end=(end.row, end.column),
                statement_rows=self.model.statement_rows(write.statement),
                kinds=subject_kinds(write.node, instance),
                columns=(inserted_columns(row) or ()) if row is not None else set_columns(write.node),
            ))
        return found

    def busts(self) -> list[Bust]:
        found = []
        for op in self.model.ops:
            if op.kind not in (Kind.WRITE, Kind.DELETE, Kind.EXPIRE) or (op.spec.via and not keyed_by_caller(op)):
                continue  # wrappers: as fills, unless the caller names the key (`invalidate(f"shelf:{uid}")`)
            memoized = self.memo_dropped(op)
            templates = [memo_template(memoized)] if memoized is not None else self.templates(op)
            function = self.runs_in(op.scope)
            for template in templates:
                found.append(Bust(self.display, template, function, self.line(op.node)))
        return found + self.imported_busts() + self.memo_clears()

    def memo_dropped(self, op: CacheOp) -> str | None:
        """The function whose memoised results a delete drops: `cache.delete_memoized(card, pid)`."""
        if op.kind is not Kind.DELETE or op.key is not None or op.call is None or not op.call.args:
            return None
        first = op.call.args[0].value
        if not isinstance(first, (cst.Name, cst.Attribute)):
            return None
        callee = self.callee(first, op.scope, op.order)
        return callee if callee is not None and self._is_function(first, op.scope, op.order) else None

    def _is_function(self, expr: cst.BaseExpression, scope: Scope, order: int) -> bool:
        """A function of the module or one imported (`from .reads import card`), not a key variable."""
        if isinstance(expr, cst.Attribute):
            return True  # `self.card`, `reads.card`
        if not isinstance(expr, cst.Name):
            return False
        bindings = scope.lookup(expr.value, order)
        return len(bindings) == 1 and bindings[0].kind in ("def", "import")

    def memo_clears(self) -> list[Bust]:
        """`card.invalidate(pid)` (dogpile's `cache_on_arguments`): the memoised function's
        own method drops its results."""
        found = []
        for site in self.model.calls:
            func = site.node.func
            if not (isinstance(func, cst.Attribute) and func.attr.value in _MEMO_CLEARS) \
                    or self.model.op_at(site.node) is not None:
                continue
            if not self._is_function(func.value, site.scope, site.order):
                continue
            callee = self.callee(func.value, site.scope, site.order)
            if callee is not None:
                found.append(Bust(self.display, memo_template(callee), self.runs_in(site.scope), self.line(site.node)))
        return found

    def imported_busts(self) -> list[Bust]:
        """Deletes through an object imported from elsewhere, which the module cannot tell
        is a cache (`from .cache import r; r.delete(f"product:{pid}")`): each key the
        analysis reads as a namespaced template, so that the invalidation is not missed.
        An unreadable key here is not taken to be any key: the object may not be a cache."""
        found = []
        for site in self.model.calls:
            func = site.node.func
            if not (isinstance(func, cst.Attribute) and func.attr.value in _DELETES and isinstance(func.value, cst.Name)):
                continue
            binding = self.model.binding_of(func.value, site.scope, site.order)
            if binding is None or binding.kind != "import" or self.model.op_at(site.node) is not None:
                continue
            for arg in site.node.args:
                if arg.keyword is not None:
                    continue
                for shape in self.shapes(arg.value, site.scope):
                    template = _template(shape, glob=True)
                    if template is not None:
                        found.append(Bust(self.display, template, self.runs_in(site.scope), self.line(site.node)))
        return found

    def shapes(self, key: cst.BaseExpression, scope: Scope) -> tuple[KeyShape, ...]:
        """The key's shapes; a `self.<name>` key that is a property of the class (Django
        models often build their keys so: `self.glossary_sources_key`) is what it returns."""
        if isinstance(key, cst.Attribute) and isinstance(key.value, cst.Name):
            function = scope.function
            if function is not None and function.owner is not None and key.value.value == function.self_name:
                returned = self.property_shapes(function.owner, key.attr.value)
                if returned is not None:
                    return returned
        return self.model.keys.of(key, scope)

    def property_shapes(self, owner: Scope, name: str) -> tuple[KeyShape, ...] | None:
        bindings = owner.bindings.get(name, [])
        if len(bindings) != 1 or bindings[0].kind != "def" or not isinstance(bindings[0].value, cst.FunctionDef):
            return None
        definition = bindings[0].value
        decorators = {(dotted(d.decorator) or "").rsplit(".", 1)[-1] for d in definition.decorators}
        info = self.model.functions.get(definition)
        if info is None or decorators.isdisjoint(_PROPERTIES):
            return None
        return tuple(shape for ret in info.returns if ret.value is not None for shape in self.model.keys.of(ret.value, info.scope))

    def templates(self, op) -> list[str | None]:
        """The templates `op` touches; [None] when some key cannot be read."""
        expressions = key_expressions(op)
        if not expressions:
            return [None]
        found = []
        for expr in expressions:
            for shape in self.shapes(expr, op.scope) or [None]:
                if shape is not None:
                    shape = affixed(shape, op.spec.key_affix)
                found.append(_template(shape, glob=op.kind is Kind.DELETE) if shape is not None else None)
        return found

    # ------------------------------------------------------------------ calls and hooks

    def calls(self) -> list[tuple[str, str]]:
        edges = set()
        for site in self.model.calls:
            caller = self.runs_in(site.scope)
            func = site.node.func
            callee = self.callee(func, site.scope, site.order)
            if callee is not None:
                edges.add((caller, callee))
            elif isinstance(func, cst.Attribute):
                edges.add((caller, f"{ANY_RECEIVER}.{func.attr.value}"))  # `service.update_price(...)`
            elif isinstance(func, cst.Name) and any(b.kind == "for" for b in site.scope.lookup(func.value, site.order)):
                edges.add((caller, REGISTERED))
            # Functions passed to be called later (`transaction.on_commit(forget_product)`,
            # `partial(forget, pid)`).
            for arg in site.node.args:
                callee = self.callee(arg.value, site.scope, site.order)
                if callee is not None:
                    edges.add((caller, callee))
        return sorted(edges)

    def callee(self, func: cst.BaseExpression, scope: Scope, order: int) -> str | None:
        text = dotted(func)
        if text is None:
            return None
        head, _, rest = text.partition(".")
        if rest:
            function = scope.function
            if function is not None and head == function.self_name and function.owner is not None:
                # `self.cache.forget()` calls a method of an attribute, whose type is not known here.
                return f"{self.qualified(function.owner)}.{rest}" if "." not in rest else None
        bindings = scope.lookup(head, order)
        if len(bindings) != 1:
            return None
        binding = bindings[0]
        imported = binding.imported
        if imported is not None:
            base = self.resolve_import(imported)
        elif binding.kind == "def" and binding.scope is not None:
            base = f"{self.qualified(binding.scope)}.{head}" if binding.scope.kind != "module" else f"{self.module}.{head}"
        else:
            return None
        if rest in _DEFERRED_CALLS:  # `forget_product.delay(pk)` runs `forget_product`
            return base
        return f"{base}.{rest}" if rest else base

    def hooks(self) -> list[Hook]:
        """Functions every write of an entity runs: signal receivers and model methods."""
        found = []
        for info in self.model.functions.values():
            scope = info.scope
            entity = None
            owner = scope.parent
            if owner is not None and owner.kind == "class" and info.node.name.value in _MODEL_HOOKS:
                entity = owner.name
            for decorator in info.node.decorators:
                sender = _receiver_sender(decorator.decorator)
                if sender is not None:
                    entity = sender
            if entity is not None:
                found.append(Hook(tuple(sorted(Entity(entity, "model").names)), self.qualified(scope)))
        for site in self.model.calls:  # post_save.connect(handler, sender=Product)
            if not (isinstance(site.node.func, cst.Attribute) and site.node.func.attr.value == "connect"):
                continue
            func = dotted(site.node.func) or ""
            if func.rsplit(".", 1)[0].rsplit(".", 1)[-1] in _SIGNALS and func.endswith(".connect") and site.node.args:
                sender = _keyword(site.node, "sender")
                handler = self.callee(site.node.args[0].value, site.scope, site.order)
                if sender is not None and handler is not None:
                    found.append(Hook(tuple(sorted(Entity(sender, "model").names)), handler))
        return found


def _instances(call: cst.Call) -> list[cst.BaseExpression]:
    """What a save may write: its first argument (`session.add(p)`) and its receiver (`p.save()`)."""
    found = [arg.value for arg in call.args[:1] if arg.keyword is None]
    if isinstance(call.func, cst.Attribute):
        found.append(call.func.value)
    return found


def _is_property(function: cst.FunctionDef) -> bool:
    return any((dotted(d.decorator) or "").rsplit(".", 1)[-1] in _PROPERTIES for d in function.decorators)


def _shared(client: Client | None) -> str | None:
    """The library of a client other modules may share (not an in-process cache)."""
    if client is None or client.kind.role != "client" or client.library.in_process:
        return None
    return client.library.name if BY_NAME.get(client.library.name) is client.library else None


def _query_entity(node: cst.CSTNode) -> Entity | None:
    """The entity a query expression reads: a SQL `SELECT … FROM table` string, `Model.objects`,
    `Model.query`, or a call whose first argument is the model."""
    # Exact types: this runs for every node of a cached value, whitespace included.
    if type(node) is cst.SimpleString or type(node) is cst.ConcatenatedString:
        text = text_value(node)
        match = _FROM.search(text) if isinstance(text, str) else None
        table = match.group(1).strip("\"`") if match else None
        if table is None or table.lower() in _CATALOG_TABLES \
                or "." in table and table.split(".", 1)[0].strip("\"`").lower() in _CATALOG_SCHEMAS:
            return None
        return Entity(table, "table")
    if type(node) is cst.Attribute and node.attr.value in _MANAGERS:
        model = dotted(node.value)
        if model and _is_class_name(model):
            return Entity(model.rsplit(".", 1)[-1], "model")
    if type(node) is cst.Call and node.args:
        func = dotted(node.func)
        method = func.rsplit(".", 1)[-1] if func else None
        if method in _MODEL_FIRST_CALLS:
            model = dotted(node.args[0].value)
            if model and method in _COLUMN_QUERIES and not _is_class_name(model) and "." in model:
                model = model.rsplit(".", 1)[0]  # `select(Booking.id, Booking.starts_at)`
            if model and _is_class_name(model):
                return Entity(model.rsplit(".", 1)[-1], "model")
    return None


def _runs_hooks(call: cst.Call) -> bool:
    func = call.func
    return not (isinstance(func, cst.Attribute) and func.attr.value in _SKIP_HOOKS)


def _own_manager(node: cst.CSTNode, scope: Scope) -> Entity | None:
    """`Product` for `cls.objects` in a classmethod of `Product`."""
    if type(node) is not cst.Attribute or node.attr.value not in _MANAGERS or not isinstance(node.value, cst.Name):
        return None
    function = scope.function
    if function is None or function.owner is None or node.value.value != function.self_name:
        return None
    return Entity(function.owner.name, "model") if _is_class_name(function.owner.name) else None


def _receiver_sender(expr: cst.BaseExpression) -> str | None:
    """`Product` for `@receiver(post_save, sender=Product)`."""
    if not isinstance(expr, cst.Call) or (dotted(expr.func) or "").rsplit(".", 1)[-1] != "receiver":
        return None
    return _keyword(expr, "sender")


def _keyword(call: cst.Call, name: str) -> str | None:
    """The class a keyword names: `Product` for `sender=Product`, `sender=models.Product`
    or Django's lazy `sender="shop.Product"`."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            text = string_value(arg.value) if isinstance(arg.value, cst.SimpleString) else dotted(arg.value)
            return text.rsplit(".", 1)[-1] if isinstance(text, str) else None
    return None


def _argument(call: cst.Call | None, position: int, keyword: str) -> cst.BaseExpression | None:
    if call is None:
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    positional = [arg for arg in call.args if arg.keyword is None]
    return positional[position].value if len(positional) > position else None


def _is_class_name(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last[:1].isupper() and not last.isupper()


def _template(shape: KeyShape, glob: bool = False) -> str | None:
    """`product:{}:related` for `f"product:{pid}:related"`; None when a part is opaque
    (may hold any text) or the key does not start with a namespace (`product:`,
    `project-glossary-`). With `glob`, a pattern delete's `*` is kept: `product:*`
    busts every key under `product:`."""
    if not shape.known or not shape.prefix or (not shape.constant and not KEY_SEPARATORS.search(shape.prefix)):
        return None  # a constant key (`all_products`) names itself, separator or not
    return "".join(part.text.replace("{", "{{").replace("}", "}}") if part.is_constant else "{}" for part in shape.parts)


def _per_row(shape: KeyShape, entity: Entity) -> bool:
    """Whether a dynamic part of the key names one row of the entity: `{product_id}`,
    `{pk}`, `{product.id}`, `{slug}`; a key of unknown parts counts as per row."""
    for part in shape.dynamic:
        name = part.render(lambda node: "")
        words = [canonical(word) for word in re.split(r"[._]", name.lower()) if word]
        if not words:
            return True
        if len(words) == 1 and (words[0] in _ID_NAMES or words[0].endswith("id")):
            return True  # `{pk}`, `{pid}`
        if words[-1] in _ID_NAMES and canonical("".join(words[:-1])) in entity.names:
            return True  # `{product_id}`
        if canonical(name) in entity.names:  # `{product}`: the row itself
            return True
    return False
