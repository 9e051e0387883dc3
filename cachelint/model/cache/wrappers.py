"""Wrapper summaries: what a function of the project does to a cache with its arguments.

    def remember(uid, data, timeout=300):          # a write wrapper: key "user:" + uid,
        cache.set(f"user:{uid}", data, timeout)    # value `data`, TTL `timeout` (default 300)

    def forget_user(uid):                          # an invalidation helper: a delete of
        cache.delete(f"user:{uid}")                # "user:" + uid

A function (or method) whose own body performs exactly one cache operation, with its key
built from one of its parameters (the parameter itself, or constant text around it), that
reads it (what it returns may be the entry, or what it makes of it: then not the entry,
which no rule takes for one), or writes a value its caller passes (or one it encodes of
its caller's arguments), is
summarised as a `Method` of its own: which parameter is the key and what the wrapper
puts around it (`key_affix`), which is the value, which the TTL, and what an omitted TTL
then means (the parameter's default, or the TTL the wrapper always passes). A call of
the function is then a cache operation at the call site, with the caller's arguments
(cachelint.model.cache.operations), and summaries compose: a function that calls a
wrapper the same way is summarised in turn, a few levels deep. `via` names the wrappers
a call goes through, outermost first.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import libcst as cst

from cachelint.model.cache.facts import CacheDecorator, CacheOp, Client, WrapperClass
from cachelint.model.cache.keys import KeyShape, constant, merged
from cachelint.model.cache.ttl import value_meaning
from cachelint.model.core.facts import FunctionInfo
from cachelint.model.core.nodes import children, names_in
from cachelint.model.core.values import string_value
from cachelint.model.spec import Arg, ClientKind, Decorator, Kind, Meaning, Method, TtlSemantics

# The operations a wrapper may forward: those with one key a caller chooses.
_WRAPPED_KINDS = frozenset({Kind.READ, Kind.WRITE, Kind.DELETE, Kind.EXPIRE})
OPAQUE = "…"  # a part of a key the wrapper computes itself (`self.prefix`)


@dataclass(frozen=True)
class Wrapper:
    """A summarised function: the client its operation goes to and the operation as its callers see it."""

    client: Client
    method: Method
    name: str  # `remember`, `Store.get`: how `via` names it
    # A method that reaches its client through `self` (`self._r.get(...)`, `self.put(...)`):
    # its class holds the client, and is a wrapper class (`wrapper_class`).
    held: bool = False


def summarise(info: FunctionInfo, ops: list[CacheOp], name: str) -> Wrapper | None:
    """The summary of a function whose own operations are `ops`; None when it is not a wrapper.

    Its operations must all be on one key its caller chooses, and do one thing: read it
    (`hgetall(k)` or `hget(k, field)`, returned as it is or decoded), write a value the
    caller passes or its arguments encoded (an expire of the key may follow, which then
    sets the TTL), delete or expire it; or read it and fill it on a miss (a read-through)."""
    own = sorted((op for op in ops if op.scope is info.scope), key=lambda op: op.order)
    cleared = _clearing(info, own, name)
    if cleared is not None:
        return cleared
    if len(own) >= 2 and own[0].kind is Kind.READ and own[-1].kind is Kind.WRITE \
            and all(op.kind is Kind.READ or op.kind is Kind.WRITE and op.only_if_absent for op in own[1:-1]):
        # What fills other entries while it computes the value (`event.cache.get_or_set(…)`)
        # is its own business; its caller reads the first key.
        return _read_through(info, [own[0], own[-1]], name)
    main = [op for op in own if op.kind is not Kind.EXPIRE] or own
    kind = main[0].kind if main else None
    if kind not in _WRAPPED_KINDS or any(op.kind is not kind for op in main) or kind is Kind.WRITE and len(main) > 1 \
            or any(_key_of(op) is None or op.call is None for op in own) or len({id(op.client.library) for op in own}) != 1:
        return None
    op = main[0]
    parameters = _parameters(info)
    keys = {_key_parameter(_local_value(named, info), parameters) if (named := _key_of(each)) is not None else None
            for each in own}
    key = keys.pop() if len(keys) == 1 else None
    if key is None:
        return None
    value = _written_parameter(op, parameters)
    if kind is Kind.WRITE and value is None and not _written_of_arguments(op, info, parameters, key[0]):
        return None  # a write of a value of its own (a marker, a timestamp)
    expires = [each for each in own if each.kind is Kind.EXPIRE and each is not op]
    wrapper = _wrapper(info, op, name, parameters, key, value, ttl_from=expires[0] if expires else None)
    if kind is Kind.READ and not all(_returned(read, info) for read in main):
        if not all(_made_into_return(read, info) for read in main):
            # It reads on the way to something else (weblate's `render(request, ...)` looks
            # up a project's description for its page): its callers read no key of theirs,
            # and taking it for a wrapper would lint every one of them again for nothing.
            return None
        # It makes something else of what it reads (decodes it, answers `(None, None)` on a
        # miss): still a read of the key, but what its caller gets is not the entry.
        return replace(wrapper, method=replace(wrapper.method, single_value=False, miss=None))
    return wrapper


def keyed_by_caller(op: CacheOp) -> bool:
    """A call of a project wrapper whose key is the caller's argument, alone or with constant
    text around it (`get_or_set(f"shelf:{uid}", load)`, a wrapper of `"app:" + key`): the
    whole key is known at the call only. Not one whose wrapper computes a part itself
    (`self.prefix + key`)."""
    return bool(op.spec.via) and op.key is not None and OPAQUE not in "".join(op.spec.key_affix)


def affixed(shape: KeyShape, affix: tuple[str, str]) -> KeyShape:
    """The whole key of a wrapper's call: the caller's key `shape` inside the wrapper's text."""
    before, after = affix
    if not before and not after:
        return shape
    return KeyShape(merged((constant(before), *shape.parts, constant(after))))


def _wrapper(info: FunctionInfo, op: CacheOp, name: str, parameters: dict, key: tuple[str, tuple[str, str]],
             value: str | None, ttl_from: CacheOp | None = None, kind: Kind | None = None,
             read_through: bool = False) -> Wrapper:
    """The wrapper whose operation is `op` on the key `key` (its parameter and affix); an
    expire that follows it (`ttl_from`) sets the TTL instead, when the wrapper's caller
    passes it (an expire done only when that is given: what omitting it means is not known)."""
    parameter, affix = key
    spec = op.spec
    semantics = spec.semantics or op.client.library.semantics_for(op.client.variant)
    ttl: tuple[Arg, ...] = ()
    ttl_semantics = spec.semantics
    expire = ttl_from.ttl.argument if ttl_from is not None and ttl_from.ttl is not None else None
    if isinstance(expire, cst.Name) and expire.value in parameters:
        ttl, ttl_semantics = (parameters[expire.value][0],), semantics.but(omitted=Meaning.UNKNOWN, none=Meaning.UNKNOWN)
    elif op.ttl is not None:
        passed = op.ttl.argument
        if isinstance(passed, cst.Name) and passed.value in parameters:
            ttl = (parameters[passed.value][0],)
            default = parameters[passed.value][1]
            omitted = value_meaning(default, semantics, info.scope, 1 << 62) if default is not None else Meaning.UNKNOWN
            ttl_semantics = semantics.but(omitted=omitted)
        else:  # the wrapper decides the TTL: every call gets the meaning its operation has
            ttl_semantics = TtlSemantics(op.ttl.meaning, op.ttl.meaning, op.ttl.meaning, op.ttl.meaning)
    method = replace(
        spec, key=parameters[parameter][0], value=parameters[value][0] if value is not None else None,
        ttl=ttl, semantics=ttl_semantics, default=None, variadic_keys=False, key_prefix=None,
        pattern=parameters[parameter][0] if spec.pattern is not None else None, scan_instead=None,
        backend_expiry=None, key_affix=_joined(affix, spec.key_affix), via=(name, *spec.via),
        # `r.set(k, v, nx=True)` inside: every call stores only if absent; the flag's
        # position is the inner call's, not the wrapper's.
        if_absent=op.only_if_absent, if_absent_flag=None, kind=kind or spec.kind, read_through=read_through,
    )
    return Wrapper(op.client, method, name, _through_self(op, info))


def _clearing(info: FunctionInfo, own: list[CacheOp], name: str) -> Wrapper | None:
    """A method named after its library's delete of every entry (`clear`, `flushdb`),
    taking no argument, whose operations all go to the one client its class holds
    (`def clear(self): self.cache.incr(self.prefixkey)`, a namespace's version bumped), or
    a module's function so named over one library (`def clear(): cache.clear()`): a
    call of it is that delete, of whatever the class or module keeps. The name is the evidence: the
    class offers the client's own keyless operation; how it does it (a version, a scan) is
    its own. The key it drops is not known, which makes rules that need one keep silent."""
    method = name.rpartition(".")[2]
    spec = own[0].client.library.methods.get(method) if own else None
    if spec is None or spec.kind is not Kind.DELETE or spec.key is not None or spec.pattern is not None \
            or any(default is None for _, default in _parameters(info).values()) \
            or len({id(op.client.library) for op in own}) != 1:
        return None
    held = all(_through_self(op, info) for op in own)
    if info.scope.owner is not None and not held:
        return None  # a method of a model clearing a module's cache: not what its class offers
    return Wrapper(own[0].client, replace(spec, via=(name, *spec.via)), name, held=held)


def _through_self(op: CacheOp, info: FunctionInfo) -> bool:
    """Whether a method's operation goes through `self`: `self._r.get(k)`, `self.put(k, v)`."""
    func = op.call.func if op.call is not None else None
    receiver = func.value if isinstance(func, cst.Attribute) else None
    if isinstance(receiver, cst.Attribute):
        receiver = receiver.value
    first = info.node.params.params[:1]
    return info.scope.owner is not None and bool(first) and isinstance(receiver, cst.Name) \
        and receiver.value == first[0].name.value


def _key_of(op: CacheOp) -> cst.BaseExpression | None:
    """The key an operation names: its key argument, or the one starred argument of a
    method that takes any number of keys (`r.delete(*keys)`)."""
    if op.key is not None or not op.spec.variadic_keys or op.call is None:
        return op.key
    starred = [arg.value for arg in op.call.args if arg.star == "*"]
    return starred[0] if len(starred) == 1 and len(op.call.args) == 1 else None


def _written_parameter(op: CacheOp, parameters: dict) -> str | None:
    """The parameter whose value a write stores: its value argument, or for a method whose
    value has no one place (`hset(name, field, value)`), a parameter passed after the key."""
    if op.spec.value is not None:
        return op.value.value if isinstance(op.value, cst.Name) and op.value.value in parameters else None
    passed = [arg.value.value for arg in (op.call.args[1:] if op.call is not None else ())
              if isinstance(arg.value, cst.Name) and arg.value.value in parameters]
    return passed[-1] if passed else None


def _read_through(info: FunctionInfo, own: list[CacheOp], name: str) -> Wrapper | None:
    """A read-through wrapper: it reads a key and, on a miss, computes the value and
    writes it under the same key, and returns it (`get_or_compute(key, fn, ttl)`). A call
    of it reads that key, and fills it with the wrapper's TTL (`ops` shows it as a
    read-through)."""
    read, write = own
    if read.client.library is not write.client.library or read.key is None or write.key is None \
            or write.call is None or not info.returns:
        return None
    parameters = _parameters(info)
    key = _key_parameter(_local_value(read.key, info), parameters)
    if key is None or _key_parameter(_local_value(write.key, info), parameters) != key:
        return None
    # At the caller it is a read of the key (what it stores is judged inside, where the
    # write is), with the TTL of the fill; not a write of the caller's own, nor one
    # "only if absent": a get then a set is no atomic add.
    return _wrapper(info, write, name, parameters, key, None, kind=Kind.READ, read_through=True)


def _written_of_arguments(op: CacheOp, info: FunctionInfo, parameters: dict, key: str) -> bool:
    """Whether a write stores what the wrapper makes of its caller's arguments other than
    the key (`json.dumps({"url": url, "token": token})`): the caller's data, encoded."""
    written = _local_value(op.value, info) if op.value is not None else None
    return written is not None and bool(_parameters_in(written, parameters) - {key})


def _local_value(expr: cst.BaseExpression, info: FunctionInfo) -> cst.BaseExpression:
    """What a local variable the function assigns once holds (`key = f"user:{uid}"`); else `expr`."""
    if isinstance(expr, cst.Name):
        bindings = info.scope.bindings.get(expr.value, [])
        if len(bindings) == 1 and bindings[0].kind == "assign" and isinstance(bindings[0].value, cst.BaseExpression):
            return bindings[0].value
    return expr


def _computed_by(value: cst.BaseExpression | None, info: FunctionInfo, parameters: dict) -> str | None:
    """The callable parameter that computes a written value (`fn()`, or `v` assigned
    `fn(...)`), or None."""
    candidates: list[object] = [value]
    if isinstance(value, cst.Name):
        candidates = [b.value for b in info.scope.bindings.get(value.value, []) if b.kind == "assign"]
    for candidate in candidates:
        if isinstance(candidate, cst.Await):
            candidate = candidate.expression
        if isinstance(candidate, cst.Call) and isinstance(candidate.func, cst.Name) and candidate.func.value in parameters:
            return candidate.func.value
    return None


@dataclass(frozen=True)
class Memoizer:
    """A decorator of the project that caches what the decorated function returns
    (`memoize_redis(ttl)`): the client it keeps them in, and its TTL as a `Decorator` of
    a library table says it. A `factory` is applied called (`@memoize_redis(60)`), else
    bare (`@memoize`)."""

    client: Client
    spec: Decorator
    factory: bool


def memoizer(info: FunctionInfo, functions: dict[cst.FunctionDef, FunctionInfo], ops: list[CacheOp],
             decorators: Sequence[CacheDecorator] = ()) -> Memoizer | None:
    """The memoizer a function is: it returns a nested function that reads a key and, on a
    miss, calls the decorated function and writes what it returns under that key
    (`def memoize(f): def inner(*a): ...; return inner`), or returns a decorator that
    does (`def memoize_redis(ttl): def deco(f): ...; return deco`); or a decorator that
    applies a library's memoizing decorator to the function it decorates (`decorators`,
    those the module applies by a call: `def memoize_function(timeout=120): def deco(f):
    cached = cache.memoize(timeout)(f); ...; return wrapper`); None when it is none."""
    level = _returned_function(info, functions)
    if level is None:
        return None
    found = _memoizing(level, info, functions, ops)
    if found is not None:
        return Memoizer(found[0], found[1], False)
    inner = _returned_function(level, functions)
    found = _memoizing(inner, level, functions, ops) if inner is not None else None
    if found is None:
        found = _applying(level, info, functions, decorators)
    return Memoizer(found[0], found[1], True) if found is not None else None


def _applying(decorator: FunctionInfo, factory: FunctionInfo, functions: dict,
              decorators: Sequence[CacheDecorator]) -> tuple[Client, Decorator] | None:
    """The library and TTL of a decorator (made by `factory`) that applies a library's
    memoizing decorator to the function it decorates, by a call (`cached = cache.memoize(
    timeout)(f)`), and returns what that gives or a function that calls it: each call of
    the decorated function is then that memoizer's. The TTL is the factory's parameter
    when the library decorator is passed it (`memoize_function(120)`)."""
    decorated = decorator.node.params.params[:1]
    applied = [d for d in decorators if d.scope is decorator.scope and d.spec.kind == "memoize" and d.call is not None
               and isinstance(d.node, cst.Call) and len(d.node.args) == 1 and decorated
               and isinstance(d.node.args[0].value, cst.Name) and d.node.args[0].value.value == decorated[0].name.value]
    found = applied[0] if len(applied) == 1 else None
    if found is None or not isinstance(found.node, cst.Call) or not _gives(decorator, found.node, functions):
        return None
    client = Client(found.library, ClientKind())
    semantics = found.spec.semantics or found.library.semantics_for(None)
    argument = found.ttl.argument if found.ttl is not None else None
    parameters = _parameters(factory)
    if isinstance(argument, cst.Name) and argument.value in parameters:
        arg, default = parameters[argument.value]
        omitted = value_meaning(default, semantics, factory.scope, 1 << 62) if default is not None else Meaning.UNKNOWN
        return client, Decorator("memoize", ttl=(arg,), semantics=semantics.but(omitted=omitted))
    meaning = found.ttl.meaning if found.ttl is not None else semantics.omitted
    return client, Decorator("memoize", semantics=TtlSemantics(meaning, meaning, meaning, meaning))


def _gives(decorator: FunctionInfo, applied: cst.Call, functions: dict) -> bool:
    """Whether a decorator returns what `applied` gives (the call, or the name it is
    assigned to), or a nested function that calls that name."""
    names = {name for name, bindings in decorator.scope.bindings.items()
             if any(b.kind == "assign" and b.value is applied for b in bindings)}
    for ret in decorator.returns:
        if ret.value is applied or isinstance(ret.value, cst.Name) and ret.value.value in names:
            return True
    inner = _returned_function(decorator, functions)
    if inner is None or not names:
        return False

    called: list[cst.Call] = []

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Name) and node.func.value in names:
                called.append(node)

    inner.node.visit(Calls())
    return bool(called)


def _returned_function(info: FunctionInfo, functions: dict) -> FunctionInfo | None:
    """The one function nested in `info` that it returns (`return inner`)."""
    returned = {b.value for ret in info.returns if isinstance(ret.value, cst.Name)
                for b in info.scope.bindings.get(ret.value.value, []) if b.kind == "def"}
    if len(returned) != 1 or len(info.returns) != 1:
        return None
    return functions.get(returned.pop())


def _memoizing(inner: FunctionInfo, decorator: FunctionInfo, functions: dict,
               ops: list[CacheOp]) -> tuple[Client, Decorator] | None:
    """The client and TTL of a function nested in `decorator` that reads, then writes what
    a call of the decorated function (`decorator`'s first parameter) gives."""
    own = sorted((op for op in ops if op.scope is inner.scope), key=lambda op: op.order)
    decorated = decorator.node.params.params[:1]
    if len(own) != 2 or not decorated or own[0].kind is not Kind.READ or own[1].kind is not Kind.WRITE \
            or own[0].client.library is not own[1].client.library:
        return None
    write = own[1]
    if _computed_by(write.value, inner, {decorated[0].name.value: None}) is None:
        return None
    semantics = write.spec.semantics or write.client.library.semantics_for(write.client.variant)
    ttl_argument = write.ttl.argument if write.ttl is not None else None
    factory = decorator.scope.parent.function if decorator.scope.parent is not None else None
    outer = functions.get(factory.node) if factory is not None else None
    parameters = _parameters(outer) if outer is not None else {}
    if outer is not None and isinstance(ttl_argument, cst.Name) and ttl_argument.value in parameters:  # `memoize_redis(ttl=300)`
        arg, default = parameters[ttl_argument.value]
        omitted = value_meaning(default, semantics, outer.scope, 1 << 62) if default is not None else Meaning.UNKNOWN
        return write.client, Decorator("memoize", ttl=(arg,), semantics=semantics.but(omitted=omitted))
    meaning = write.ttl.meaning if write.ttl is not None else semantics.omitted
    return write.client, Decorator("memoize", semantics=TtlSemantics(meaning, meaning, meaning, meaning))


def wrapper_class(name: str, methods: dict[str, Wrapper]) -> WrapperClass | None:
    """The wrapper class of the summarised methods of one class, when they all reach one library."""
    libraries = {wrapper.client.library.name for wrapper in methods.values()}
    if not methods or len(libraries) != 1 or not any(wrapper.held for wrapper in methods.values()):
        return None  # a class whose methods use a module's client (a model's cache helpers) holds none
    return WrapperClass(name, {method: (wrapper.client, wrapper.method) for method, wrapper in methods.items()})


def _returned(op: CacheOp, info: FunctionInfo) -> bool:
    """Whether the function returns what the operation gives, as it is."""
    for ret in info.returns:
        value = ret.value.expression if isinstance(ret.value, cst.Await) else ret.value
        if value is op.node:
            return True
    return False


def _made_into_return(op: CacheOp, info: FunctionInfo) -> bool:
    """Whether what the function returns is made of what the operation gives: in the
    returned expression (`return json.loads(r.get(k))`), or through the locals it flows
    into (`raw = r.get(k)`, `pair = json.loads(raw)` ... `return pair["url"]`)."""
    assigned = [(name, binding.expression, names_in(binding.expression))
                for name, bindings in info.scope.bindings.items()
                for binding in bindings if binding.expression is not None]
    holders = {name for name, expression, _ in assigned if _holds(expression, op.node)}
    while more := {name for name, _, named in assigned if name not in holders and holders & named}:
        holders |= more
    return any(ret.value is not None and (_holds(ret.value, op.node) or bool(holders & names_in(ret.value)))
               for ret in info.returns)


def _holds(expr: cst.CSTNode, node: cst.CSTNode) -> bool:
    stack = [expr]
    while stack:
        current = stack.pop()
        if current is node:
            return True
        stack.extend(children(current))
    return False


def _parameters(info: FunctionInfo) -> dict[str, tuple[Arg, cst.BaseExpression | None]]:
    """Each parameter as a caller passes it (a method's `self` left out) and its default."""
    params = info.node.params
    positional = [*params.posonly_params, *params.params]
    decorators = {d.decorator.value for d in info.node.decorators if isinstance(d.decorator, cst.Name)}
    if info.scope.owner is not None and "staticmethod" not in decorators and positional:
        positional = positional[1:]
    found = {p.name.value: (Arg(index, p.name.value), p.default) for index, p in enumerate(positional)}
    found.update({p.name.value: (Arg(None, p.name.value), p.default) for p in params.kwonly_params})
    return found


def _key_parameter(key: cst.BaseExpression, parameters: dict) -> tuple[str, tuple[str, str]] | None:
    """The parameter a key is built from and the text around it: `uid` and ("user:", "")
    for `f"user:{uid}"`; None unless exactly one parameter is in it."""
    parts = _parts(key)
    if parts is None:
        return None
    named = [index for index, part in enumerate(parts) if isinstance(part, cst.Name) and part.value in parameters]
    if not named:  # `self._prefix(key)`, `"%s:%s" % (self.ns, key)`: the parameter inside what the wrapper computes
        inside = [(index, found) for index, part in enumerate(parts) if not isinstance(part, str)
                  for found in _parameters_in(part, parameters)]
        if len(inside) != 1:
            return None
        return inside[0][1], (OPAQUE, OPAQUE)
    if len(named) != 1:
        return None
    at = named[0]

    def text(side: list) -> str:
        return "".join(part if isinstance(part, str) else OPAQUE for part in side)

    return parts[at].value, (text(parts[:at]), text(parts[at + 1:]))


def _parameters_in(expr: cst.BaseExpression, parameters: dict) -> set[str]:
    """The parameters an expression names (not as an attribute's name or a keyword)."""
    found: set[str] = set()

    class Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            if node.value in parameters:
                found.add(node.value)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

        def visit_Arg(self, node: cst.Arg) -> bool:
            node.value.visit(self)
            return False

    expr.visit(Names())
    return found


def _parts(expr: cst.BaseExpression) -> list | None:
    """A key as constant text and expressions, in order: `f"a:{x}"` and `"a:" + x` are ["a:", x]."""
    if isinstance(expr, cst.SimpleString):
        value = string_value(expr)
        return [value] if isinstance(value, str) else None
    if isinstance(expr, cst.FormattedString):
        found: list = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                found.append(part.value)
            elif isinstance(part, cst.FormattedStringExpression):
                found.append(part.expression)
        return found
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        left, right = _parts(expr.left), _parts(expr.right)
        return left + right if left is not None and right is not None else None
    return [expr]


def _joined(outer: tuple[str, str], inner: tuple[str, str]) -> tuple[str, str]:
    """What two wrappers put around a key: `outer`, what the calling wrapper adds to its
    parameter, inside `inner`, what the wrapper it calls adds to that."""
    return inner[0] + outer[0], outer[1] + inner[1]
