"""The model of one module that rules read: the one public surface of cachelint.model.

Rules import from here (and the data tables of `cachelint.model.spec` and
`cachelint.model.libraries`), never from the layers below, which may be rearranged:

- `core`: the module's source and the one walk over it (`SourceModule`), scopes and
  bindings, reaching definitions, control flow (`branches`, `flow`), the call resolver,
  call arguments and evaluated values;
- `cache`: clients, cache operations and decorators, TTL meanings, key shapes, fills;
- `app`: DB writes and entities, the SQL they run, what a cache write stores, views,
  request input, users.

Each layer imports only the layers after it in that list (the import contract in
pyproject.toml keeps it so). `build_model` builds a `ModuleModel`: a `SourceModule`
(`spans`, `functions`, `calls`, `truth_tests`, `reaching`, `call_resolver`, `code()`,
`location()`) with the module's cache facts (`ops`, `decorators`) and the analyses,
each computed on first use from what it needs: `keys`, `fills`, `branches`, `db`,
`views`, `users`, `tainted()`; and `guards`, `key_match()`, `responses` (reads that
decide writes, keys compared by shape, HTTP response bodies).
"""
import importlib
from typing import TYPE_CHECKING, Any

# Each name, imported from its module on first use (PEP 562): the library tables
# (`cachelint.model.spec`, `cachelint.model.libraries`) and the data types the project
# stage and the configuration read are then importable without LibCST and the whole
# model, as a warm run, the configuration and the pytest observer want.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "cachelint.model.app.db": ("DbWrite", "Transaction"),
    "cachelint.model.app.entities": ("Entity", "cached_names", "key_expressions"),
    "cachelint.model.app.http": ("Body", "Fallback"),
    "cachelint.model.app.stored": ("RowKind", "StoredData", "WholeRow"),
    "cachelint.model.app.taint": ("Taint",),
    "cachelint.model.app.users": ("Identity",),
    "cachelint.model.app.write_kind": ("WriteKind",),
    "cachelint.model.build": ("ModuleModel", "build_model"),
    "cachelint.model.cache.custom": ("CustomClients",),
    "cachelint.model.cache.decorators": ("is_method_decorator", "unwrap_method_decorator"),
    "cachelint.model.cache.expiry": ("expired_elsewhere",),
    "cachelint.model.cache.facts": ("CacheDecorator", "CacheOp", "Client", "Ttl"),
    "cachelint.model.cache.fills": ("receiver_spelling", "stamped"),
    "cachelint.model.cache.guards": ("Guard", "mark"),
    "cachelint.model.cache.key_match": ("Difference", "KeyMatch", "Match"),
    "cachelint.model.cache.keys": ("DEFAULT_SEPARATOR", "KeyShape", "Part", "Passed", "Source", "describe_key", "is_key_name", "named_keys"),
    "cachelint.model.core.branches": ("or_fallbacks", "rebound_in"),
    "cachelint.model.core.calls": ("argument_for",),
    "cachelint.model.core.collect": ("Site",),
    "cachelint.model.core.facts": ("FunctionInfo", "TruthTest"),
    "cachelint.model.core.falsy": ("Falsy",),
    "cachelint.model.core.flow": ("Flow",),
    "cachelint.model.core.nodes": ("chain_arguments", "children", "has_call", "mentions", "names_in"),
    "cachelint.model.core.reaching": ("Step",),
    "cachelint.model.core.scopes": ("Binding", "Scope", "dotted", "qualified_name"),
    "cachelint.model.core.values": ("CLOCK_READINGS", "MAYBE", "constant_truth", "evaluate_number", "find_argument", "is_none"),
    "cachelint.model.core.words": ("contains", "words"),
    "cachelint.model.spec": ("Kind", "Meaning"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

if TYPE_CHECKING:  # what the names are, for type checkers (a test keeps this the same as _EXPORTS)
    from cachelint.model.app.db import DbWrite, Transaction
    from cachelint.model.app.entities import Entity, cached_names, key_expressions
    from cachelint.model.app.http import Body, Fallback
    from cachelint.model.app.stored import RowKind, StoredData, WholeRow
    from cachelint.model.app.taint import Taint
    from cachelint.model.app.users import Identity
    from cachelint.model.app.write_kind import WriteKind
    from cachelint.model.build import ModuleModel, build_model
    from cachelint.model.cache.custom import CustomClients
    from cachelint.model.cache.decorators import is_method_decorator, unwrap_method_decorator
    from cachelint.model.cache.expiry import expired_elsewhere
    from cachelint.model.cache.facts import CacheDecorator, CacheOp, Client, Ttl
    from cachelint.model.cache.fills import receiver_spelling, stamped
    from cachelint.model.cache.guards import Guard, mark
    from cachelint.model.cache.key_match import Difference, KeyMatch, Match
    from cachelint.model.cache.keys import (
        DEFAULT_SEPARATOR,
        KeyShape,
        Part,
        Passed,
        Source,
        describe_key,
        is_key_name,
        named_keys,
    )
    from cachelint.model.core.branches import or_fallbacks, rebound_in
    from cachelint.model.core.calls import argument_for
    from cachelint.model.core.collect import Site
    from cachelint.model.core.facts import FunctionInfo, TruthTest
    from cachelint.model.core.falsy import Falsy
    from cachelint.model.core.flow import Flow
    from cachelint.model.core.nodes import chain_arguments, children, has_call, mentions, names_in
    from cachelint.model.core.reaching import Step
    from cachelint.model.core.scopes import Binding, Scope, dotted, qualified_name
    from cachelint.model.core.values import (
        CLOCK_READINGS,
        MAYBE,
        constant_truth,
        evaluate_number,
        find_argument,
        is_none,
    )
    from cachelint.model.core.words import contains, words
    from cachelint.model.spec import Kind, Meaning


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next use is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULE_OF})
