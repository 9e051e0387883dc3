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
from cachelint.model.app.db import DbWrite, Transaction, WriteKind
from cachelint.model.app.entities import Entity, cached_names, key_expressions
from cachelint.model.app.http import Body, Fallback
from cachelint.model.app.stored import RowKind, StoredData, WholeRow
from cachelint.model.app.taint import Taint
from cachelint.model.app.users import Identity
from cachelint.model.build import ModuleModel, build_model
from cachelint.model.cache.clients import CustomClients
from cachelint.model.cache.decorators import is_method_decorator, unwrap_method_decorator
from cachelint.model.cache.facts import CacheDecorator, CacheOp, Client, Ttl
from cachelint.model.cache.fills import receiver_spelling, stamped
from cachelint.model.cache.guards import Guard
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

__all__ = [
    "Binding", "Body", "Difference", "Fallback", "Guard", "KeyMatch", "Match",
    "CLOCK_READINGS", "CacheDecorator", "CacheOp", "Client", "CustomClients", "DEFAULT_SEPARATOR",
    "DbWrite", "Entity", "Falsy", "Flow", "FunctionInfo", "Identity", "KeyShape", "Kind", "MAYBE", "Meaning",
    "ModuleModel", "Part", "Passed", "RowKind", "Scope", "Source", "Step", "StoredData", "Taint",
    "Transaction", "TruthTest", "Ttl", "WholeRow", "WriteKind", "build_model", "cached_names",
    "chain_arguments", "children", "constant_truth", "contains", "describe_key", "dotted", "evaluate_number",
    "find_argument", "has_call", "is_key_name", "is_method_decorator", "is_none", "key_expressions",
    "mentions", "named_keys", "names_in", "or_fallbacks", "qualified_name", "rebound_in", "receiver_spelling",
    "stamped", "unwrap_method_decorator", "words",
]
