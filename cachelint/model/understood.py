"""What the model understood of a module's cache use, as plain facts a person can check.

    r.set(f"product:{pid}", data, ex=60)   ->  write, redis, `set`, key `product:{pid}`,
                                               TTL expires (ex=60)
    @cache_page(0)                         ->  decorator (view), Django, TTL not cached (0)

One function, `understood(model)`, reads them from the model's cache operations and cache
decorators, so that every place that shows them (the language server's hover, a listing
of the operations) says the same thing. Nothing here judges: a fact is what the model
took the code to mean, right or wrong, so that a reader can see where it is blind.
"""
from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from cachelint.model.build import ModuleModel
from cachelint.model.facts import CacheDecorator, CacheOp, Ttl
from cachelint.model.spec import Meaning

# What a TTL meaning does to the entry, in words.
TTL_WORDS = {
    Meaning.EXPIRES: "expires",
    Meaning.DEFAULT: "the client's default timeout",
    Meaning.FOREVER: "never expires",
    Meaning.NOT_CACHED: "not stored (or deleted at once)",
    Meaning.ERROR: "rejected by the server",
    Meaning.STALE_AT_ONCE: "stored already expired",
    Meaning.UNKNOWN: "not known to the analysis",
}


@dataclass(frozen=True)
class Understood:
    """One cache operation or cache decorator, as the model took it."""

    node: cst.CSTNode  # the call (or subscript) of an operation; the decorator
    kind: str  # an operation's kind (`read`, `write`, `delete`, `expire`, `scan`…) or `decorator`
    library: str  # as messages name it: `redis`, `Django`, `Flask-Caching`
    method: str  # the method called (`set`), or the decorator as written (`cache_page(60)`)
    key: tuple[str, ...] = ()  # the key's possible shapes as f-string text, `product:{pid}`
    ttl: Meaning | None = None  # what the TTL given (or omitted) means; None: the call sets none
    ttl_argument: str | None = None  # the TTL as written, `ex=60`; None: omitted
    detail: str | None = None  # what else the model knows: a pipeline, a view or memoize decorator

    @property
    def ttl_text(self) -> str | None:
        """`expires (ex=60)`, `the client's default timeout (timeout omitted)`."""
        if self.ttl is None:
            return None
        return f"{TTL_WORDS[self.ttl]} ({self.ttl_argument})"


def understood(model: ModuleModel) -> list[Understood]:
    """Every cache operation and cache decorator of the module, in source order."""
    facts = [_operation(model, op) for op in model.ops]
    facts += [_decorator(model, decorator) for decorator in model.decorators]
    return sorted(facts, key=lambda fact: model.spans[fact.node].start)


def _operation(model: ModuleModel, op: CacheOp) -> Understood:
    keys = tuple(dict.fromkeys(shape.render(model.code) for shape in model.key_shapes(op))) if op.key is not None else ()
    meaning, argument = _ttl(model, op.ttl)
    return Understood(
        op.node, op.kind.value, op.library.label, op.method, keys, meaning, argument,
        detail="in a pipeline or transaction" if op.client.is_pipeline else None,
    )


def _decorator(model: ModuleModel, decorator: CacheDecorator) -> Understood:
    meaning, argument = _ttl(model, decorator.ttl)
    target = decorator.function.name.value if decorator.function is not None else None
    what = "caches the responses of" if decorator.spec.kind == "view" else "memoizes"
    return Understood(
        decorator.node, "decorator", decorator.library.label, " ".join(model.code(decorator.expression).split()),
        ttl=meaning, ttl_argument=argument,
        detail=f"{what} `{target}`" if target else f"{decorator.spec.kind} decorator",
    )


def _ttl(model: ModuleModel, ttl: Ttl | None) -> tuple[Meaning | None, str | None]:
    if ttl is None:
        return None, None
    if ttl.argument is None:
        return ttl.meaning, f"{ttl.parameter or 'TTL'} omitted"
    written = " ".join(model.code(ttl.argument).split())
    return ttl.meaning, f"{ttl.parameter}={written}" if ttl.parameter else written
