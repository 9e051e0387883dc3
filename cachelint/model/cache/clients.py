"""Which expressions are cache clients: resolved through imports and bindings, not names.

`r` is a Redis client because it was bound to `redis.Redis(...)`, `redis.from_url(...)`,
`r.pipeline()`, a parameter annotated `redis.Redis`, or `self.r` set so in `__init__`;
`cache` is Django's because it was imported from `django.core.cache`. A call of a
function or method of the module that returns a client is one (`get_redis()`,
`self._client()`), and so is a property that returns one (`self.cache`, also a
`cached_property`), and `conn or redis.Redis()`. Clients made in other modules of the
project are declared by the project stage (cachelint.project), as config declares them.
"""
from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Final

import libcst as cst

from cachelint.model.cache.custom import CustomClients, receiver_word
from cachelint.model.cache.facts import Client, WrapperClass
from cachelint.model.core.calls import CallResolver
from cachelint.model.core.facts import FunctionInfo
from cachelint.model.core.scopes import Binding, Scope, dotted, qualified_name
from cachelint.model.core.values import MAYBE, NONE, evaluate_number, find_argument, is_none, string_value, text_value
from cachelint.model.libraries import BY_NAME, LIBRARIES, REGISTRY_PROXIES
from cachelint.model.libraries.memoizers import DICT_CACHE
from cachelint.model.spec import Arg, ClientKind, Library, Meaning, TtlSemantics

_CONSTRUCTORS: dict[str, tuple[Library, ClientKind]] = {
    name: (library, kind) for library in LIBRARIES for name, kind in library.constructors.items()
}
_INSTANCES: dict[str, tuple[Library, ClientKind]] = {
    name: (library, kind) for library in LIBRARIES for name, kind in library.instances.items()
}
_REGISTRIES: dict[str, Library] = {name: library for library in LIBRARIES for name in library.registries}
_DICT_FACTORIES = {"collections.OrderedDict", "collections.defaultdict"}
# aiocache: Cache(Cache.REDIS) and friends.
_AIOCACHE_BACKENDS = {"REDIS": "redis", "MEMORY": "memory", "MEMCACHED": "memcached"}
_MAX_DEPTH = 12
_END = 1 << 62  # an order after every binding of a function: what it returns, it returns at its end


class _Pending(Enum):
    PENDING = "not resolved yet"


_UNKNOWN: Final = _Pending.PENDING


CUSTOM_LIBRARY = Library(name="custom", methods={}, semantics=TtlSemantics(), title="configured wrapper")


_PROPERTIES = frozenset({"property", "cached_property", "classproperty"})


class ClientResolver:
    def __init__(self, custom: CustomClients, calls: CallResolver | None = None) -> None:
        self.custom = custom
        self.calls = calls  # the module's own functions, to follow what they return
        self.functions: dict[cst.FunctionDef, FunctionInfo] = calls.functions if calls is not None else {}
        self._memo: dict[cst.CSTNode, Client | None] = {}
        # The module's wrapper classes (cachelint.model.cache.wrappers), as the cache
        # operations find them, and those of other modules, built from `custom.classes`.
        self.wrapper_classes: dict[cst.ClassDef, WrapperClass] = {}
        self._imported_classes: dict[str, WrapperClass | None] = {}
        self._fixtures: dict[str, list[tuple[cst.FunctionDef, Scope | None]]] | None = None  # by name
        self._alike: dict[str, Client | None] = {}  # a parameter's name -> what the module assigns it

    def add_wrapper_classes(self, found: dict[cst.ClassDef, WrapperClass]) -> None:
        """Classes found to be wrappers: their instances are receivers of cache operations
        from now on (what was resolved before them is resolved again)."""
        if found.keys() - self.wrapper_classes.keys():
            self.wrapper_classes.update(found)
            self._memo.clear()

    def client_of(self, expr: cst.BaseExpression, scope: Scope, order: int, depth: int = 0) -> Client | None:
        if depth > _MAX_DEPTH:
            return None
        client = self._memo.get(expr, _UNKNOWN)  # one lookup: a node hashes through a Python method
        if client is not _UNKNOWN:
            return client
        self._memo[expr] = None  # guards against cycles while resolving
        client = self._resolve(expr, scope, order, depth + 1)
        self._memo[expr] = client
        return client

    def _resolve(self, expr: cst.BaseExpression, scope: Scope, order: int, depth: int) -> Client | None:
        # Exact types, cheaper than failing `isinstance` tests (no node class has subclasses).
        if type(expr) is cst.Await:
            return self.client_of(expr.expression, scope, order, depth)
        if type(expr) is cst.Name:
            return self._from_name(expr, scope, order, depth)
        if type(expr) is cst.Attribute:
            return self._from_attribute(expr, scope, order, depth)
        if type(expr) is cst.Subscript:
            registry = _REGISTRIES.get(qualified_name(expr.value, scope, order) or "")
            if registry is not None:  # `caches["x"]`
                index = expr.slice[0].slice if len(expr.slice) == 1 else None
                return Client(registry, ClientKind(), aliases=_alias(index.value if isinstance(index, cst.Index) else None))
            return self._held_in_dict(expr.value, scope, order, depth)
        if type(expr) is cst.Call:
            return self._from_call(expr, scope, order, depth)
        if type(expr) is cst.BooleanOperation:  # `conn or redis.Redis()`
            return self.client_of(expr.left, scope, order, depth) or self.client_of(expr.right, scope, order, depth)
        return None

    def returned_client(self, function: cst.FunctionDef, depth: int = 0) -> Client | None:
        """The client every `return` of one of the module's functions that returns something gives."""
        info = self.functions.get(function)
        if info is None:
            return None
        found = None
        memo_reads = 0
        yielded = _yielded(function) if _yields_its_value(function) else []
        for value in yielded or [ret.value for ret in info.returns]:
            if value is None or is_none(value):  # a factory that gives None
                continue  # when caching is off
            client = self.client_of(value, info.scope, _END, depth)
            if client is None and _memo_read(value, info.scope):
                memo_reads += 1
                continue
            if client is None or found is not None and client.library is not found.library:
                return None
            found = _either(found, client)
        if found is not None and memo_reads and not self._memoizes(info, found, depth):
            return None
        return found

    def _memoizes(self, info: FunctionInfo, client: Client, depth: int) -> bool:
        """Whether the function keeps the client it makes in a container of its own
        (`store[KEY] = (os.getpid(), client)`, `_clients[url] = client`): what it returns
        read from one (`_memo_read`) is then that client, made by an earlier call."""
        for node in _subscript_stores(info.node):
            value = node.value
            held = [element.value for element in value.elements] if isinstance(value, cst.Tuple) else [value]
            if any((found := self.client_of(element, info.scope, _END, depth)) is not None
                   and found.library is client.library for element in held):
                return True
        return False

    def _known_object(self, qualified: str | None) -> Client | None:
        if qualified is None:
            return None
        if qualified in _INSTANCES:
            library, kind = _INSTANCES[qualified]
            return Client(library, kind, kind.variant, aliases=_alias(kind.alias))
        library_name = self.custom.objects.get(qualified)
        if library_name is not None:
            return Client(BY_NAME[library_name], ClientKind())
        of_class = self.custom.instances.get(qualified)
        return self._imported_class(of_class) if of_class is not None else None

    def _declared_path(self, attribute: cst.Attribute) -> Client | None:
        """An attribute path the configuration declares a client, or an instance of a
        wrapper class, as the code writes it, also at the end of a longer one:
        `request.registry.cache` (Pyramid) in `self.request.registry.cache`;
        `request.app.state.redis` (Starlette); `event.cache` in `request.event.cache`."""
        if not self.custom.objects and not self.custom.instances:
            return None
        path = dotted(attribute) or ""
        while "." in path:
            if path in self.custom.objects or path in self.custom.instances:
                return self._known_object(path)
            path = path.partition(".")[2]
        return None

    def defined_here(self, expr: cst.BaseExpression, scope: Scope, order: int) -> str | None:
        """The qualified name of a module-level name of this module (`myapp.cache.get_redis`
        for `get_redis` in `myapp/cache.py`), by which the configuration may declare it."""
        if not self.custom.module or type(expr) is not cst.Name:
            return None
        bindings = scope.lookup(expr.value, order)
        if not bindings or bindings[0].scope.kind != "module" or bindings[0].kind == "import":
            return None
        return f"{self.custom.module}.{expr.value}"

    def _declared_here(self, expr: cst.BaseExpression, scope: Scope, order: int) -> Client | None:
        """What the configuration declares a name this module defines, where what the module
        says of it is not understood (`get_redis()` returning a client it keeps in a dict)."""
        qualified = self.defined_here(expr, scope, order)
        if qualified is None:
            return None
        return self._imported_class(qualified) if qualified in self.custom.classes else self._known_object(qualified)

    def _imported_class(self, qualified: str) -> Client | None:
        """An instance of a wrapper class another module of the project defines."""
        if qualified not in self._imported_classes:
            declared = self.custom.classes.get(qualified)
            self._imported_classes[qualified] = WrapperClass(qualified.rsplit(".", 1)[-1], {
                name: (Client(BY_NAME[declared[0]], ClientKind()), method) for name, method in declared[1].items()
            }) if declared is not None and declared[1] else None
        found = self._imported_classes[qualified]
        return found.instance() if found is not None else None

    def _from_name(self, name: cst.Name, scope: Scope, order: int, depth: int) -> Client | None:
        bindings = scope.lookup(name.value, order)
        for index, binding in enumerate(bindings):
            client = self._from_binding(name.value, binding, depth)
            if client is not None:
                # `try: c = caches["redis"]` / `except: c = caches["default"]`: either alias.
                for other in bindings[index + 1:] if client.aliases else ():
                    also = self._from_binding(name.value, other, depth)
                    if also is not None and also.library is client.library:
                        client = _either(client, also)
                return client
        return None

    def _from_binding(self, name: str, binding: Binding, depth: int) -> Client | None:
        scope = binding.scope
        if binding.kind == "import":
            return self._known_object(binding.imported)
        expression = binding.expression if binding.kind in ("assign", "with") else None
        if expression is not None:
            if binding.kind == "assign" and scope.kind == "module" and _is_dict_cache(name, expression, scope) \
                    and not (isinstance(expression, cst.Dict) and self._dict_of_clients(expression, scope, binding.order, depth)):
                return Client(DICT_CACHE, ClientKind())  # a memo, not a table of the module's clients
            client = self.client_of(expression, scope, binding.order, depth)
            if client is not None:
                return client
            if scope.kind == "module" and self.custom.module:  # `cache = build()`, declared `myapp.ext.cache`
                declared = self._known_object(f"{self.custom.module}.{name}")
                if declared is not None:
                    return declared
        if binding.annotation is not None and not _says_nothing(binding.annotation, scope, binding.order):
            return self.client_of_type(binding.annotation, scope, binding.order)
        if binding.kind == "param":
            fixture = self._fixture(name, scope)
            if fixture is not None:
                return self.returned_client(fixture, depth)
            return self._named_alike(name, depth)
        return None

    def _named_alike(self, name: str, depth: int) -> Client | None:
        """What an unannotated parameter is when the module's functions assign that name
        only clients of one library (`redis_conn = get_redis_connection()` in two functions,
        `def acquire(redis_conn, ...)` in a third, called with it): a name means one thing
        in a module. A name a function assigns something else, or nothing, is not known."""
        if name not in self._alike:
            self._alike[name] = None  # guards against cycles while resolving
            found: Client | None = None
            for info in self.functions.values():
                for binding in info.scope.bindings.get(name, ()):
                    if binding.kind == "param":
                        continue
                    value = binding.assigned
                    client = self.client_of(value, info.scope, binding.order, depth) if value is not None else None
                    if client is None or found is not None and client.library is not found.library:
                        return None
                    found = found or client
            self._alike[name] = found
        return self._alike[name]

    def _fixture(self, name: str, scope: Scope) -> cst.FunctionDef | None:
        """The pytest fixture a test's parameter gets its value from: a function of that
        name decorated `@pytest.fixture`, in the test's class or its module (a fixture of a
        conftest is another module's: not known here)."""
        if self._fixtures is None:
            self._fixtures = {}
            for function, info in self.functions.items():
                if any(_decorator_name(d) == "fixture" for d in function.decorators):
                    self._fixtures.setdefault(function.name.value, []).append((function, info.scope.parent))
        owner = scope.parent
        for function, where in self._fixtures.get(name, ()):
            if where is owner or where is not None and where.kind == "module" and function is not scope.function_def:
                return function
        return None

    def _held_in_dict(self, expr: cst.BaseExpression, scope: Scope, order: int, depth: int) -> Client | None:
        """`_cache[region]`, where `_cache` is bound once to a dict display whose every
        value is a client of one library (superset's `{CacheRegion.DEFAULT: cache_manager.cache,
        CacheRegion.DATA: cache_manager.data_cache}`): a client of that library."""
        bindings = scope.lookup(expr.value, order) if type(expr) is cst.Name else []
        display = bindings[0].assigned if len(bindings) == 1 else None
        return self._dict_of_clients(display, bindings[0].scope, bindings[0].order, depth) \
            if isinstance(display, cst.Dict) else None

    def _dict_of_clients(self, display: cst.Dict, scope: Scope, order: int, depth: int) -> Client | None:
        """The client every value of a dict display is (of one library), or None."""
        found = None
        for element in display.elements:
            client = self.client_of(element.value, scope, order, depth) if isinstance(element, cst.DictElement) else None
            if client is None or client.wrapper is not None or found is not None and client.library is not found.library:
                return None
            found = found or client
        return found

    def _made_of_argument(self, function: cst.FunctionDef, call: cst.Call, scope: Scope, order: int) -> Client | None:
        """The client a factory makes of the client class its caller passes:
        `def connect(cls): return cls.from_url(URL)` called `connect(redis.Redis)`."""
        info = self.functions.get(function)
        if info is None:
            return None
        params = [*function.params.posonly_params, *function.params.params]
        positions = {p.name.value: index for index, p in enumerate(params)}
        found = None
        for ret in info.returns:
            if _returns_nothing(ret):
                continue
            made = ret.value.func if isinstance(ret.value, cst.Call) else None
            named = made.value if isinstance(made, cst.Attribute) else made
            if not isinstance(named, cst.Name) or named.value not in positions:
                return None
            passed = find_argument(call, Arg(positions[named.value], named.value))
            qualified = qualified_name(passed, scope, order) if isinstance(passed, cst.BaseExpression) else None
            if qualified is not None and isinstance(made, cst.Attribute):
                qualified = f"{qualified}.{made.attr.value}"
            constructed = _CONSTRUCTORS.get(qualified or "")
            if constructed is None or constructed[1].role != "client" or found is not None and found.library is not constructed[0]:
                return None
            found = found or Client(constructed[0], constructed[1], constructed[1].variant)
        return found

    def client_of_type(self, annotation: cst.BaseExpression, scope: Scope, order: int, depth: int = 0) -> Client | None:
        """A client from a type annotation: `redis.Redis`, `Optional[Redis]`, `Redis | None`,
        `redis.Redis[Any]` (the class is generic in its stubs), one written as a string
        (`"redis.Redis[Any] | None"`, `Optional["Redis"]`: a name imported only under
        `TYPE_CHECKING`), a wrapper class or a client subclass of the module or the project."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(annotation, (cst.SimpleString, cst.ConcatenatedString)):
            written = _parsed_annotation(annotation)
            return self.client_of_type(written, scope, order, depth + 1) if written is not None else None
        if isinstance(annotation, cst.Subscript):
            generic = self.client_of_type(annotation.value, scope, order, depth + 1)  # `Redis[Any]`
            if generic is not None or qualified_name(annotation.value, scope, order) not in _ALTERNATIVES:
                return generic  # `list[Redis]`, `type[Redis]`: no client
            return next((found for element in annotation.slice if isinstance(element.slice, cst.Index)
                         if (found := self.client_of_type(element.slice.value, scope, order, depth + 1)) is not None),
                        None)
        if isinstance(annotation, cst.BinaryOperation):  # X | None
            return self.client_of_type(annotation.left, scope, order, depth + 1) or self.client_of_type(
                annotation.right, scope, order, depth + 1
            )
        if type(annotation) is cst.Name:  # `-> Store`, a class of this module
            made = self._instance_of_class(annotation, scope, order)
            if made is not None:
                return made
        qualified = qualified_name(annotation, scope, order)
        if qualified in _CONSTRUCTORS:
            library, kind = _CONSTRUCTORS[qualified]
            if kind.role == "client":
                return Client(library, kind, kind.variant)
        if qualified is not None and qualified in self.custom.classes:  # `store: Store`, a declared or imported class
            return self._imported_class(qualified)
        return None

    def _instance_of_class(self, name: cst.Name, scope: Scope, order: int) -> Client | None:
        """What an instance of a class of this module the name is bound to is: one of a
        wrapper class (`Store()`), or of a client subclass (`class AppCache(flask_caching.Cache)`)."""
        bindings = scope.lookup(name.value, order)
        if len(bindings) != 1 or bindings[0].kind != "def" or not isinstance(bindings[0].value, cst.ClassDef):
            return None
        wrapper = self.wrapper_classes.get(bindings[0].value)
        if wrapper is not None:
            return wrapper.instance()
        return self.client_of_subclass(bindings[0].value, bindings[0].scope or scope) \
            or self._declared_here(name, scope, order)

    def variant_of_class(self, expr: cst.BaseExpression, scope: Scope, order: int) -> str | None:
        """The variant of the clients a class makes, for a class passed uncalled
        (aiocache `cache=RedisCache` or `cache=Cache.REDIS`), or None."""
        qualified = qualified_name(expr, scope, order)
        if qualified in _CONSTRUCTORS:
            return _CONSTRUCTORS[qualified][1].variant
        if isinstance(expr, cst.Attribute) and qualified is not None:
            owner = _CONSTRUCTORS.get(qualified.rsplit(".", 1)[0])
            if owner is not None and owner[1].variant_from_first_arg:
                return _AIOCACHE_BACKENDS.get(expr.attr.value)
        return None

    def _from_attribute(self, attribute: cst.Attribute, scope: Scope, order: int, depth: int) -> Client | None:
        known = self._known_object(qualified_name(attribute, scope, order)) or self._declared_path(attribute)
        if known is not None:
            return known
        value = attribute.value
        function = scope.function
        if (isinstance(value, cst.Name) and function is not None and function.owner is not None
                and value.value == function.self_name):
            return self.client_of_member(function.owner, attribute.attr.value, depth) \
                or self.property_client(function.owner, attribute.attr.value, depth)
        return self._typed_by_name(attribute, scope, order, depth)

    def _typed_by_name(self, attribute: cst.Attribute, scope: Scope, order: int, depth: int) -> Client | None:
        """`event.cache`, `self.request.organizer.cache` on a receiver of unknown type,
        where every class of the project with a `cache` makes it the same client or
        wrapper, or the receiver is named after the class that does (`custom.attributes`,
        `ProjectModel.attribute_clients`): that. Not on `self` (its class is known, and may
        get the name from a library's base class), nor on a name imported from another
        package (`jinja_env.cache`: its own object), nor on a library's client. Flask's
        `current_app` is the project's application, whose attributes its own functions
        set (`app.redis = connect(app)`)."""
        value = attribute.value
        typed = self.custom.attributes.get(attribute.attr.value)
        if typed is None and self.custom.attributes:
            named = value.attr.value if type(value) is cst.Attribute else value.value if type(value) is cst.Name else ""
            if type(value) is cst.Attribute:
                named = _member_class(value, scope) or named
            typed = self.custom.attributes.get(f"{receiver_word(named)}.{attribute.attr.value}")
        if typed is None or not _project_object(qualified_name(value, scope, order), self.custom.module) \
                or type(value) is cst.Name and scope.function is not None and value.value == scope.function.self_name \
                or (receiver := self.client_of(value, scope, order, depth)) is not None and receiver.wrapper is None:
            return None  # a wrapper class's instance keeps its other attributes (`screenshot.cache`)
        if typed in self.custom.classes:
            return self._imported_class(typed)
        library = BY_NAME.get(typed)
        return Client(library, ClientKind()) if library is not None else None

    def client_of_subclass(self, definition: cst.ClassDef, scope: Scope, depth: int = 0) -> Client | None:
        """The client an instance of a class is when the class subclasses a client class,
        also through a class of the module (`class ExploreCache(AppCache)`, `class
        AppCache(flask_caching.Cache)`)."""
        for base in definition.bases:
            found = _CONSTRUCTORS.get(qualified_name(base.value, scope, _END) or "")
            if found is not None and found[1].role == "client":
                return Client(found[0], found[1], found[1].variant)
            bindings = scope.lookup(base.value.value, _END) if type(base.value) is cst.Name else []
            parent = bindings[0].value if len(bindings) == 1 and bindings[0].kind == "def" else None
            if isinstance(parent, cst.ClassDef) and parent is not definition and depth < _MAX_DEPTH:
                inherited = self.client_of_subclass(parent, bindings[0].scope, depth + 1)
                if inherited is not None:
                    return inherited
        return None

    def property_client(self, owner: Scope, name: str, depth: int = 0) -> Client | None:
        """The client a `@property` or `@cached_property` of the class `owner` returns."""
        bindings = owner.bindings.get(name, ())
        definition = bindings[-1].value if len(bindings) == 1 and bindings[0].kind == "def" else None
        if not isinstance(definition, cst.FunctionDef):
            return None
        decorators = {(dotted(d.decorator) or "").rsplit(".", 1)[-1] for d in definition.decorators}
        if decorators.isdisjoint(_PROPERTIES):
            return None
        return self.called_client(definition, depth)

    def called_client(self, function: cst.FunctionDef, depth: int = 0) -> Client | None:
        """The client a call of one of the module's functions gives: what its `return`s
        give, else what its annotation says it returns."""
        return self.returned_client(function, depth) or self.annotated_return(function, depth)

    def annotated_return(self, function: cst.FunctionDef, depth: int = 0) -> Client | None:
        """The client a function says it returns (`-> redis.Redis`, `-> "Redis | None"`,
        `-> Store`, a wrapper class of the project), for where what it returns is not known
        (`return cls(**kwargs)` of a class method, `backend._cache if backend else None`).
        Not what a generator or a `@contextmanager` says (`-> Iterator[Redis]`)."""
        info = self.functions.get(function)
        returns = function.returns
        if returns is None or info is None:
            return None
        return self.client_of_type(returns.annotation, info.scope, _END, depth)

    def client_of_member(self, owner: Scope, name: str, depth: int = 0) -> Client | None:
        """The client `self.<name>` holds in the methods of the class `owner`."""
        for binding in reversed(owner.attributes.get(name, [])):
            client = self._from_binding(name, binding, depth)
            if client is not None:
                return client
        return None

    def _from_call(self, call: cst.Call, scope: Scope, order: int, depth: int) -> Client | None:
        qualified = qualified_name(call.func, scope, order)
        if qualified in _CONSTRUCTORS:
            library, kind = _CONSTRUCTORS[qualified]
            variant = _variant(kind, call)
            return Client(library, kind, variant, _constructor_ttl(library, variant, call, scope, order))
        if qualified in REGISTRY_PROXIES and call.args:  # `ConnectionProxy(caches, alias)`: `caches[alias]`
            registry = _REGISTRIES.get(qualified_name(call.args[0].value, scope, order) or "")
            alias = call.args[1].value if len(call.args) > 1 else None
            return Client(registry, ClientKind(), aliases=_alias(alias)) if registry is not None else None
        if qualified is not None and (qualified in self.custom.objects or qualified in self.custom.instances):
            return self._known_object(qualified)
        if qualified is not None and qualified in self.custom.classes:  # `Store()` of another module
            return self._imported_class(qualified)
        function = self.calls.function_called(call.func, scope, order) if self.calls is not None else None
        if function is not None:  # `get_redis()`, `self._client()`, `connect(redis.Redis)`
            return self.returned_client(function, depth) or self._made_of_argument(function, call, scope, order) \
                or self.annotated_return(function, depth) or self._declared_here(call.func, scope, order)
        if type(call.func) is cst.Name:  # `Store()`, `AppCache()` of `class AppCache(flask_caching.Cache)`
            made = self._instance_of_class(call.func, scope, order)
            if made is not None:
                return made
        if isinstance(call.func, cst.Attribute):
            receiver = self.client_of(call.func.value, scope, order, depth)
            if receiver is None or receiver.wrapper is not None:
                return None
            method = call.func.attr.value
            child = receiver.library.factories.get(method)
            if child is not None:
                return Client(receiver.library, child, receiver.variant, receiver.constructor_ttl,
                              aliases=receiver.aliases)
            if receiver.is_pipeline and method in receiver.library.methods:
                return receiver  # pipe.set(...).expire(...): commands return the pipeline
        return None


def module_clients(module_scope: Scope, resolver: ClientResolver) -> dict[str, str]:
    """The module's own names that every assignment binds to a client of one shared cache
    library (`cache = Cache()`, `r = redis.Redis()`), and that library: what other modules
    import from it. In-process caches are left out: each is private to its module. A
    `cache = None` that an init function replaces (`global cache; cache = Cache(...)`)
    is a placeholder, not another value."""
    found = {}
    for name, bindings in module_scope.bindings.items():
        if not all(binding.kind == "assign" for binding in bindings):
            continue
        bindings = [b for b in bindings if not (isinstance(b.value, cst.Name) and b.value.value == "None")]
        clients = [resolver.client_of(value, module_scope, binding.order)
                   for binding in bindings if (value := binding.assigned) is not None]
        library = clients[0].library if clients and clients[0] is not None and clients[0].kind.role == "client" else None
        if library is None or any(client is None or client.library is not library for client in clients):
            continue
        if not library.in_process and BY_NAME.get(library.name) is library:
            found[name] = library.name
    return found


_YIELDING_DECORATORS = frozenset({"contextmanager", "asynccontextmanager", "fixture"})


def _yields_its_value(function: cst.FunctionDef) -> bool:
    """Whether the function's caller gets what it yields, if it yields: `@contextmanager`
    (`with f() as x`) and `@pytest.fixture` (a test's parameter)."""
    return any(_decorator_name(d) in _YIELDING_DECORATORS for d in function.decorators)


def _decorator_name(decorator: cst.Decorator) -> str:
    """The last name of what a decorator names or calls: `fixture` for `@pytest.fixture(scope=...)`."""
    target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
    return (dotted(target) or "").rsplit(".", 1)[-1]


def _yielded(function: cst.FunctionDef) -> list[cst.BaseExpression | None]:
    """What the function's own `yield`s yield (None for a bare `yield`), not its nested functions'."""
    found: list[cst.BaseExpression | None] = []

    class Yields(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_Yield(self, node: cst.Yield) -> None:
            found.append(node.value.item if isinstance(node.value, cst.From) else node.value)

    function.visit(Yields())
    return found


def _memo_read(value: cst.BaseExpression, scope: Scope) -> bool:
    """`store[KEY]`, `store.get(KEY)`, `cached[1]` where `cached = store.get(KEY)`: a value
    read from a container (also through a local bound only so)."""
    if type(value) is cst.Name:
        bindings = scope.bindings.get(value.value, ())
        return bool(bindings) and all(b.assigned is not None and _memo_read(b.assigned, scope) for b in bindings)
    return type(value) is cst.Subscript \
        or type(value) is cst.Call and type(value.func) is cst.Attribute and value.func.attr.value == "get"


def _subscript_stores(function: cst.FunctionDef) -> list[cst.Assign]:
    """The function's own assignments to a subscript (`store[KEY] = …`)."""
    found: list[cst.Assign] = []

    class Stores(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_Assign(self, node: cst.Assign) -> None:
            if any(type(target.target) is cst.Subscript for target in node.targets):
                found.append(node)

    function.visit(Stores())
    return found


_APPLICATION_PROXIES = frozenset({"flask.current_app"})


def _project_object(qualified: str | None, module: str) -> bool:
    """Whether a receiver of this qualified name (None: a local, a parameter) may be one of
    the project's objects: not a name imported from another package, save Flask's
    `current_app`, or the project's own `app` (`superdesk.app`, which re-exports it)."""
    if qualified is None or qualified in _APPLICATION_PROXIES:
        return True
    return bool(module) and qualified.partition(".")[0] == module.partition(".")[0] \
        and qualified.rpartition(".")[2] in ("app", "current_app")


_ANY_TYPE = frozenset({"typing.Any", "typing_extensions.Any", "builtins.object"})
# Annotations whose value is one of the types they list: `Optional[Redis]`, `Union[Redis, None]`,
# `Annotated[Redis, Depends(get_redis)]` (FastAPI). Any other subscript (`list[Redis]`,
# `type[Redis]`, `Iterator[Redis]`) holds clients, or makes them, but is none.
_ALTERNATIVES = frozenset({f"{module}.{name}" for module in ("typing", "typing_extensions")
                           for name in ("Optional", "Union", "Annotated")})


def _parsed_annotation(written: cst.SimpleString | cst.ConcatenatedString) -> cst.BaseExpression | None:
    """The expression an annotation written as a string spells (`"redis.Redis | None"`);
    None for a string that is not one (a docstring-like note, an f-string)."""
    text = text_value(written)
    if not isinstance(text, str):
        return None
    try:
        return cst.parse_expression(text.strip())
    except (cst.ParserSyntaxError, ValueError):
        return None


def _says_nothing(annotation: cst.BaseExpression, scope: Scope, order: int) -> bool:
    """`x: Any` or `x: object`: an annotation that says no more of the value than none
    (superset's `def _acquire_redis(self, redis_client: Any)`)."""
    if type(annotation) is cst.Name and annotation.value == "object":
        return True
    return qualified_name(annotation, scope, order) in _ANY_TYPE


def _returns_nothing(ret: cst.Return) -> bool:
    return ret.value is None or is_none(ret.value)


def _alias(alias: cst.BaseExpression | str | None) -> tuple[str, ...]:
    """The configured cache a client is, from its name or the expression naming it
    (`caches["x"]`); empty: not known."""
    text = string_value(alias) if isinstance(alias, cst.SimpleString) else alias
    return (text,) if isinstance(text, str) else ()


def _either(first: Client | None, second: Client) -> Client:
    """A client of `first`'s library that may be either (a name bound on two branches, a
    function with two returns): of each's configured caches."""
    if first is None:
        return second
    if not first.aliases or first.aliases == second.aliases:
        return first
    aliases = tuple(dict.fromkeys((*first.aliases, *second.aliases))) if second.aliases else ()
    return dataclasses.replace(first, aliases=aliases)


def _variant(kind: ClientKind, call: cst.Call) -> str | None:
    if kind.variant_from_config is not None:
        return _configured_backend(call, kind.variant_from_config)
    if not kind.variant_from_first_arg:
        return kind.variant
    if call.args and isinstance(call.args[0].value, cst.Attribute):
        return _AIOCACHE_BACKENDS.get(call.args[0].value.attr.value)
    return "memory" if not call.args else None


def _configured_backend(call: cst.Call, entry: str) -> str | None:
    """`Cache(app, config={"CACHE_TYPE": "flask_caching.backends.RedisCache"})` -> "redis"."""
    config = find_argument(call, Arg(None, "config"))
    if not isinstance(config, cst.Dict):
        return None
    for element in config.elements:
        if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString) \
                and string_value(element.key) == entry and isinstance(element.value, cst.SimpleString):
            backend = str(string_value(element.value)).rsplit(".", 1)[-1].lower()
            return backend.removesuffix("cache")
    return None


def _constructor_ttl(library: Library, variant: str | None, call: cst.Call, scope: Scope, order: int) -> Meaning | None:
    if library.constructor_ttl is None:
        return None
    found = find_argument(call, library.constructor_ttl)
    if found is None:
        return None
    if found is MAYBE:
        return Meaning.UNKNOWN
    value = evaluate_number(found, scope, order)
    if value is NONE:
        return None
    if isinstance(value, (int, float)) and value > 0:
        return Meaning.EXPIRES
    # `SimpleCache(default_timeout=0)`: where 0 means "never expires", so does every write without a TTL
    forever = value == 0 and library.semantics_for(variant).zero is Meaning.FOREVER
    return Meaning.FOREVER if forever else Meaning.UNKNOWN


def _is_dict_cache(name: str, value: cst.BaseExpression, scope: Scope) -> bool:
    if "cache" not in name.lower():
        return False
    if isinstance(value, cst.Dict):
        return True
    if isinstance(value, cst.Call):
        return qualified_name(value.func, scope, 1 << 62) in _DICT_FACTORIES or (
            isinstance(value.func, cst.Name) and value.func.value == "dict"
        )
    return False


def _member_class(member: cst.Attribute, scope: Scope) -> str | None:
    """The class `self.<name>` is an instance of, as its own class says: a property
    annotated to return it (`def object(self) -> Organizer`), or, for `self.object`,
    the `model` of a Django generic view (`model = Organizer`), whose object it is."""
    function = scope.function
    if function is None or function.owner is None or type(member.value) is not cst.Name \
            or member.value.value != function.self_name:
        return None
    owner = function.owner
    for binding in owner.bindings.get(member.attr.value, ()):
        definition = binding.value
        if binding.kind == "def" and isinstance(definition, cst.FunctionDef) and definition.returns is not None:
            return _class_name(definition.returns.annotation)
    if member.attr.value == "object":
        models = owner.bindings.get("model", ())
        if len(models) == 1 and models[0].assigned is not None:
            return _class_name(models[0].assigned)
    return None


def _class_name(expr: cst.BaseExpression) -> str | None:
    """`Organizer` for `Organizer`, `models.Organizer` or `"Organizer"`."""
    text = dotted(expr) or (string_value(expr) if isinstance(expr, cst.SimpleString) else None)
    last = text.rpartition(".")[2] if isinstance(text, str) else ""
    return last if last[:1].isupper() else None
