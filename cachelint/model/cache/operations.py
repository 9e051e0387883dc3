"""The cache operations of a module: each call or subscript on a cache client, with its
key, value and what its TTL means.

    r = redis.Redis()
    r.set(f"product:{pid}", data, ex=60)   # CacheOp: redis `set`, key f"product:{pid}", TTL expires
    CACHE[pid] = data                      # CacheOp: dict-cache `__setitem__`, TTL forever

A write whose key gets its TTL elsewhere in the same function (`hset` then `expire` on the
same key) is marked `expiry_follows`.
"""
from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from cachelint.model.cache.clients import CUSTOM_LIBRARY, ClientResolver
from cachelint.model.cache.custom import CustomClients
from cachelint.model.cache.facts import CacheDecorator, CacheOp, Client, Ttl, WrapperClass
from cachelint.model.cache.keys import named_keys
from cachelint.model.cache.ttl import constant_name, declared_value, ttl_fact, ttl_meaning, value_meaning
from cachelint.model.cache.wrappers import Wrapper, summarise, wrapper_class
from cachelint.model.core.collect import Collector, Site
from cachelint.model.core.positions import Spans
from cachelint.model.core.scopes import Scope, qualified_name
from cachelint.model.core.values import MAYBE, find_argument, single_index, string_value
from cachelint.model.libraries import BY_NAME, LIBRARIES
from cachelint.model.libraries.memoizers import DICT_CACHE
from cachelint.model.spec import BackendExpiry, ClientKind, Kind, Library, Meaning, Method

_RAW_COMMAND = "execute_command"
_WRAPPER_LEVELS = 3  # wrappers calling wrappers, followed this deep
_SUBSCRIPT_METHODS = ("__getitem__", "__setitem__", "__delitem__")
# The libraries' module-level functions that are cache operations, and the names they
# end in: a call whose callee ends in none of them needs no qualified name.
_FUNCTIONS: dict[str, tuple[Library, Method]] = {
    name: (library, method) for library in LIBRARIES for name, method in library.functions.items()
}
_FUNCTION_ENDINGS = frozenset(name.rsplit(".", 1)[-1] for name in _FUNCTIONS)


def find_operations(collector: Collector, resolver: ClientResolver, custom: CustomClients, spans: Spans,
                    code: Callable[[cst.CSTNode], str]) -> list[CacheOp]:
    """The cache operations the walk `collector` saw, in source order."""
    ops = _Operations(collector, resolver, custom).ops()
    _mark_followed_expiries(ops, code, spans)
    return ops


def decorated_function_ops(collector: Collector, resolver: ClientResolver, custom: CustomClients,
                           decorators: list[CacheDecorator]) -> list[CacheOp]:
    """The calls of what the module's cache `decorators` add to the functions they decorate
    (dogpile `get_user.invalidate(uid)`): each an operation on the entry a call of the
    function with those arguments fills. (Found after the decorators, which are found
    after the operations: a memoizer of the project is known by its operations.)"""
    decorated = {decorator.function: decorator for decorator in decorators
                 if decorator.spec.methods and isinstance(decorator.function, cst.FunctionDef)}
    if not decorated:
        return []
    operations = _Operations(collector, resolver, custom)
    return [op for site in collector.calls if (op := operations.decorated_function_op(site, decorated)) is not None]


class _Operations:
    def __init__(self, collector: Collector, resolver: ClientResolver, custom: CustomClients) -> None:
        self.collector = collector
        self.resolver = resolver
        self.custom = custom

    def ops(self) -> list[CacheOp]:
        ops = [op for site in self.collector.calls if (op := self._call_op(site)) is not None]
        ops += [op for site in self.collector.subscripts if (op := self._subscript_op(site)) is not None]
        ops = _without_tables(ops)
        ops += self._wrapper_ops(ops)
        ops.sort(key=lambda op: op.order)
        return ops

    def _wrapper_ops(self, ops: list[CacheOp]) -> list[CacheOp]:
        """Calls of the module's own wrappers (cachelint.model.cache.wrappers), each a cache
        operation at the call site: its functions, its methods called through `self`, and
        the methods of its wrapper classes called on an instance (`store.get(k)`); a
        wrapper that calls a wrapper too, a few levels deep."""
        calls = self.resolver.calls
        if calls is None:
            return []
        found: list[CacheOp] = []
        seen = {op.node for op in ops}
        for _ in range(_WRAPPER_LEVELS):
            summaries = self._summaries([*ops, *found])
            if not summaries:
                break
            self.resolver.add_wrapper_classes(self._classes(summaries))
            new = []
            for site in self.collector.calls:
                if site.node in seen:
                    continue
                op = self._summarised_op(site, summaries)
                if op is not None:
                    new.append(op)
                    seen.add(site.node)
            if not new:
                break
            found += new
        return found

    def _summarised_op(self, site: Site, summaries: dict[cst.FunctionDef, Wrapper]) -> CacheOp | None:
        func = site.node.func
        calls = self.resolver.calls
        callee = calls.callee(func, site.scope, site.order) if calls is not None else None
        wrapper = summaries.get(callee.function) if callee is not None else None
        if callee is not None and wrapper is not None \
                and (self.resolver.functions[callee.function].scope.owner is None or callee.binds_first):
            op = self._op(wrapper.client, wrapper.name, wrapper.method, site.node, site.node, site)
            op.through_local_wrapper = True
            return op
        if callee is None and type(func) is cst.Attribute and self.resolver.wrapper_classes:
            return self._call_op(site)  # a method of a wrapper class, called on an instance
        return None

    def _classes(self, summaries: dict[cst.FunctionDef, Wrapper]) -> dict[cst.ClassDef, WrapperClass]:
        """The module's classes with summarised methods, as wrapper classes."""
        by_class: dict[cst.ClassDef, dict[str, Wrapper]] = {}
        for function, wrapper in summaries.items():
            owner = self.resolver.functions[function].scope.owner
            if owner is not None and isinstance(owner.node, cst.ClassDef):
                by_class.setdefault(owner.node, {})[function.name.value] = wrapper
        for _ in range(_WRAPPER_LEVELS):  # a subclass inherits the methods it does not define
            inherited = False
            for node, scope in self.collector.classes.items():
                for base in node.bases:
                    bindings = scope.lookup(base.value.value, 1 << 62) if isinstance(base.value, cst.Name) else []
                    parent = bindings[0].value if len(bindings) == 1 else None
                    if not isinstance(parent, cst.ClassDef):
                        continue
                    missing = by_class.get(parent, {}).keys() - by_class.get(node, {}).keys() - _defined(node)
                    if missing:
                        by_class.setdefault(node, {}).update({name: by_class[parent][name] for name in missing})
                        inherited = True
            if not inherited:
                break
        return {node: found for node, methods in by_class.items()
                if (found := wrapper_class(node.name.value, methods)) is not None}

    def _summaries(self, ops: list[CacheOp]) -> dict[cst.FunctionDef, Wrapper]:
        by_scope: dict[Scope, list[CacheOp]] = {}
        for op in ops:
            if op.scope.kind == "function":
                by_scope.setdefault(op.scope, []).append(op)
        found = {}
        for scope, own in by_scope.items():
            function = scope.node
            info = self.resolver.functions.get(function) if isinstance(function, cst.FunctionDef) else None
            if info is None:
                continue
            name = f"{scope.owner.name}.{scope.name}" if scope.owner is not None else scope.name
            wrapper = summarise(info, own, name)
            if wrapper is not None:
                found[info.node] = wrapper
        return found

    def _call_op(self, site: Site) -> CacheOp | None:
        call: cst.Call = site.node
        func = call.func
        if isinstance(func, cst.Attribute):
            client = self.resolver.client_of(func.value, site.scope, site.order)
            if client is not None and client.wrapper is not None:  # `store.get(k)`, `store` a wrapper class's
                reached = client.wrapper.methods.get(func.attr.value)
                if reached is None:
                    return None
                name = f"{client.wrapper.name}.{func.attr.value}"
                return self._op(reached[0], name, reached[1], call, call, site)
            if client is not None and client.kind.role in ("client", "pipeline"):
                return self._method_op(client, func.attr.value, call, site)
        library_function = self._library_function(func, site)
        if library_function is not None:
            return self._op(Client(library_function[0], ClientKind()), _ending(func), library_function[1], call, call, site)
        if not self.custom.functions and not self.custom.wrappers:
            return None
        qualified = qualified_name(func, site.scope, site.order) or self.resolver.defined_here(func, site.scope, site.order)
        if not qualified:
            return None
        spec = self.custom.functions.get(qualified)
        if spec is not None:
            return self._op(Client(CUSTOM_LIBRARY, ClientKind()), qualified, spec, call, call, site)
        wrapped = self.custom.wrappers.get(qualified)
        if wrapped is not None:  # a wrapper another module of the project defines
            library, spec = wrapped
            return self._op(Client(BY_NAME[library], ClientKind()), qualified.rsplit(".", 1)[-1], spec, call, call, site)
        return None

    def decorated_function_op(self, site: Site, decorated: dict[cst.FunctionDef, CacheDecorator]) -> CacheOp | None:
        """`get_user.invalidate(uid)` of a function a cache decorator decorates: an operation
        on the entry a call of it with those arguments fills."""
        func = site.node.func
        calls = self.resolver.calls
        if type(func) is not cst.Attribute or calls is None:
            return None
        function = calls.function_called(func.value, site.scope, site.order)
        decorator = decorated.get(function) if function is not None else None
        spec = decorator.spec.methods.get(func.attr.value) if decorator is not None else None
        if decorator is None or spec is None:
            return None
        return self._op(Client(decorator.library, ClientKind()), func.attr.value, spec, site.node, site.node, site)

    def _library_function(self, func: cst.BaseExpression, site: Site) -> tuple[Library, Method] | None:
        """The library function `func` names (djblets `cache_memoize`), if it is one."""
        if _ending(func) not in _FUNCTION_ENDINGS:
            return None
        return _FUNCTIONS.get(qualified_name(func, site.scope, site.order) or "")

    def _method_op(self, client: Client, method: str, call: cst.Call, site: Site) -> CacheOp | None:
        library = client.library
        if method == _RAW_COMMAND and library.followup_expiry and call.args:
            command = call.args[0].value  # redis-py splits `"KEYS *"` into the command and its arguments
            if isinstance(command, cst.SimpleString) and string_value(command).upper().split()[:1] == ["KEYS"]:
                return CacheOp(client, "KEYS", library.methods["keys"], call, call, site.scope,
                               site.statement, site.order)
            return None
        spec = library.methods.get(method)
        if spec is None:
            return None
        return self._op(client, method, spec, call, call, site)

    def _op(self, client, method, spec, node, call, site: Site, key=None, value=None) -> CacheOp:
        if call is not None:
            key = _argument(call, spec.key)
            value = _argument(call, spec.value)
        op = CacheOp(client, method, spec, node, call, site.scope, site.statement, site.order, key, value)
        if spec.kind in (Kind.WRITE, Kind.EXPIRE, Kind.CONFIGURE, Kind.READ) and (spec.ttl or spec.kind == Kind.WRITE or spec.read_through):
            semantics = spec.semantics or client.library.semantics_for(client.variant)
            constants = self.custom.constants
            meaning, argument = ttl_meaning(call, spec.ttl, semantics, site.scope, site.order, client.constructor_ttl,
                                            constants)
            if not spec.creates_key and argument is None:
                meaning = Meaning.DEFAULT  # only changes an entry that already has its TTL
            declared = declared_value(argument, site.scope, site.order, constants) if argument is not None else None
            op.ttl = ttl_fact(meaning, argument, call, spec.ttl, declared)
        if spec.backend_expiry is not None and call is not None:
            op.backend_ttl = _backend_ttl(call, spec.backend_expiry, site.scope, site.order)
        return op

    def _subscript_op(self, site: Site) -> CacheOp | None:
        subscript: cst.Subscript = site.node
        client = self.resolver.client_of(subscript.value, site.scope, site.order)
        if client is None:
            return None
        method = _SUBSCRIPT_METHODS[2 if site.delete else 1 if site.store else 0]
        spec = client.library.methods.get(method)
        key = single_index(subscript)
        if spec is None or key is None:
            return None
        value = self.collector.store_values.get(subscript)
        op = self._op(client, method, spec, subscript, None, site, key=key, value=value)
        return op


def _without_tables(ops: list[CacheOp]) -> list[CacheOp]:
    """The operations, less those on a module's dict named like a cache that only the
    module's top level fills (glance's `CACHE_COMMANDS['help'] = (print_help, ...)`, a
    command table): a memo is filled when its functions run, a table when the module is
    imported. A dict filled in neither place the model sees (an `update` in a function)
    keeps its operations."""
    filled: dict[str, set[str]] = {}
    for op in ops:
        receiver = _dict_receiver(op)
        if receiver is not None and op.kind is Kind.WRITE:
            filled.setdefault(receiver, set()).add(op.scope.kind)
    tables = {receiver for receiver, where in filled.items() if where == {"module"}}
    return [op for op in ops if _dict_receiver(op) not in tables] if tables else ops


def _dict_receiver(op: CacheOp) -> str | None:
    """The name of the module-level dict cache an operation is on (`_memo` of `_memo[k]`), else None."""
    if op.client.library is not DICT_CACHE:
        return None
    node = op.node.value if isinstance(op.node, cst.Subscript) else op.call.func.value \
        if op.call is not None and isinstance(op.call.func, cst.Attribute) else None
    return node.value if isinstance(node, cst.Name) else None


def _defined(node: cst.ClassDef) -> set[str]:
    """The methods a class body defines itself."""
    return {statement.name.value for statement in node.body.body if isinstance(statement, cst.FunctionDef)}


def _ending(func: cst.BaseExpression) -> str | None:
    """The name a callee ends in: `cache_memoize` of `backend.cache_memoize`."""
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else None


def _argument(call: cst.Call, arg) -> cst.BaseExpression | None:
    if arg is None:
        return None
    found = find_argument(call, arg)
    return None if found is MAYBE else found


def _backend_ttl(call: cst.Call, spec: BackendExpiry, scope: Scope, order: int) -> Ttl | None:
    """The TTL a literal `arguments={...}` gives a backend that takes its own expiry argument."""
    backend = find_argument(call, spec.backend)
    if not isinstance(backend, cst.SimpleString):
        return None
    name = string_value(backend)
    parameter = spec.expiry_argument.get(name) if isinstance(name, str) else None
    if parameter is None:
        return None
    arguments = find_argument(call, spec.arguments)
    if arguments is None:
        return Ttl(spec.semantics.omitted, parameter=parameter)
    if not isinstance(arguments, cst.Dict):
        return Ttl(Meaning.UNKNOWN, parameter=parameter)
    for element in arguments.elements:
        if not isinstance(element, cst.DictElement):  # **other: may carry it
            return Ttl(Meaning.UNKNOWN, parameter=parameter)
        if isinstance(element.key, cst.SimpleString) and string_value(element.key) == parameter:
            meaning = value_meaning(element.value, spec.semantics, scope, order)
            return Ttl(meaning, element.value, constant_name(element.value), parameter)
    return Ttl(spec.semantics.omitted, parameter=parameter)


def _mark_followed_expiries(ops: list[CacheOp], code, spans) -> None:
    """A write whose key gets its TTL elsewhere in the same function has a TTL after all:
    an expire on that key follows, or an earlier write gave the key a TTL this write keeps
    (`set(k, 0, nx=True, ex=60)` then `incr(k)`). A write of several keys (`mset({...})`)
    needs that for each of them."""
    keyed: dict[Scope | None, list[CacheOp]] = {}
    for op in ops:
        if op.kind in (Kind.WRITE, Kind.EXPIRE) and op.library.followup_expiry and named_keys(op):
            keyed.setdefault(op.scope.function, []).append(op)
    for function_ops in keyed.values():
        writes = [op for op in function_ops if op.kind is Kind.WRITE]
        if not writes:
            continue
        # In a chain `pipe.hset(k).expire(k)` both calls start together; the outer one runs later.
        runs = {op: (op.order, spans[op.node].length) for op in function_ops}
        keys = {op: [_key_spelling(op, key, code) for key in named_keys(op)] for op in function_ops}
        by_key: dict[str, list[CacheOp]] = {}
        for op in function_ops:
            for spelling in keys[op]:
                by_key.setdefault(spelling, []).append(op)
        for op in writes:
            op.expiry_follows = all(
                any(_gives_ttl(other, op, runs[other] > runs[op]) for other in by_key[spelling] if other is not op)
                for spelling in keys[op]
            )


def _key_spelling(op: CacheOp, key: cst.BaseExpression, code) -> str:
    """The source of a key of `op`, a local variable read through to what it was assigned: after
    `key = f"cart:{uid}"`, `r.hset(key, ...)` and `r.expire(f"cart:{uid}", 60)` name one key."""
    if isinstance(key, cst.Name):
        bindings = op.scope.lookup(key.value, op.order)
        if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].scope is op.scope and (
                isinstance(bindings[0].value, cst.BaseExpression)):
            return code(bindings[0].value)
    return code(key)


def _gives_ttl(other: CacheOp, write: CacheOp, other_runs_later: bool) -> bool:
    if other_runs_later:
        return other.kind is Kind.EXPIRE
    given = other.kind is Kind.WRITE and other.ttl is not None and other.ttl.meaning in (Meaning.EXPIRES, Meaning.UNKNOWN)
    return given and write.spec.keeps_ttl
