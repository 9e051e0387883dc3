"""The prefilter's second look, for the files its text scan keeps: Python's own syntax tree
(`ast`, a small fraction of the cost of a LibCST parse) tells whether the model can find
anything at all, and so whether LibCST must parse the file.

It looks for what the model needs, loosened wherever the model is stricter:

- a name bound by an import anywhere in the module, used alone or as the head of a dotted
  name (`cache`, `functools.lru_cache`, `redis.asyncio.Redis`), that resolves through
  that import to a qualified name the model knows (the model also wants the right scope
  and the import before the use);
- an assignment (`=`, an annotated one, `:=`) of a dict display or of any call (the
  model wants `dict(...)`, `OrderedDict(...)`, `defaultdict(...)`) to a plain name that
  contains "cache", at module level or declared `global`; and a use of that name: every
  operation on the dict goes through one (`CACHE[k]`, `CACHE.get(k)`, `self._store =
  CACHE`). Settings such as Django's `CACHES = {...}` are assigned and never read.

A file Python cannot parse (newer syntax, a syntax error) is kept: LibCST decides.
"""
from __future__ import annotations

import ast
import functools
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_NESTED = ("body", "orelse", "finalbody")
# `name := `, where the name may contain "cache" (`ast` normalises identifiers that are
# not ASCII: in such a text any `:=` may).
_CACHE_WALRUS = re.compile(r"cache\w*(?:\s|\\|#[^\r\n]*[\r\n])*:=", re.IGNORECASE)


def may_hold_facts(text: str, known: frozenset[str], prefixes: frozenset[str]) -> bool:
    """Whether the model can find a cache client or decorator, or a dict cache, in the
    module `text`. `known`: the qualified names the model knows; `prefixes`: every
    dotted prefix of them (an import binding anything else cannot lead to one)."""
    tree = parse(text)
    if tree is None:
        return True
    names = CacheNames.of(tree, prefixes)
    walrus = ":=" in text and (not text.isascii() or _CACHE_WALRUS.search(text) is not None)
    return bool(names.imported or names.dicts or walrus) and _in_expressions(
        tree, names.imported, known, names.dicts, names.globals if walrus else None)


def syntax_tree(text: str) -> ast.Module | None:
    """Python's syntax tree of a module (None: Python cannot parse it)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like
            if len(text) > _PIECE_CHARACTERS and not _LONE_CARRIAGE_RETURN.search(text):
                return _parse_in_pieces(text)
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


# `syntax_tree`, kept for the next call: sparse parsing reads the tree of the file the
# prefilter just kept. Not to be changed.
parse = functools.lru_cache(maxsize=1)(syntax_tree)

_PIECE_CHARACTERS = 256 * 1024  # a module bigger is parsed in pieces of about this size
_LONE_CARRIAGE_RETURN = re.compile(r"\r(?!\n)")
# Where a top-level statement may start: a row that starts with a name or a decorator, and
# does not go on with the statement before (`else:`, `except:`…).
_MAY_START_A_STATEMENT = re.compile(r"^(?=[A-Za-z_@])(?!(?:else|elif|except|finally)\b)", re.MULTILINE)


def _parse_in_pieces(text: str) -> ast.Module:
    """`ast.parse(text)`, made of the trees of pieces of about `_PIECE_CHARACTERS`:
    Python's parser holds about twice the tree it gives while it works (about 175 MB per
    MB of module at its peak), so a big module parsed whole needed gigabytes.

    A piece ends where a row may start a top-level statement. When a piece parses on its
    own, it is exactly the statements the whole module's tree has there: its end is where
    the tokenizer is at the top level, outside any bracket, string or continued row (or
    the piece would not parse), and a row at column 0 that starts with a name other than
    `else`, `elif`, `except` or `finally` (or with a decorator, whose piece would not
    parse) cannot go on with the statement before. A piece that does not parse (it ends
    inside a string, say) is taken twice as long, and so on to the module's end, where an
    error is the module's own. Each piece is parsed after as many newlines as rows come
    before it, so that its rows are the module's (its columns are, as it starts a row).
    A row ends at a line feed here, so a text with a lone carriage return (which ends a row
    too) is parsed whole."""
    body: list[ast.stmt] = []
    start, row, size = 0, 1, _PIECE_CHARACTERS
    while start < len(text):
        found = _MAY_START_A_STATEMENT.search(text, start + size) if start + size < len(text) else None
        end = found.start() if found is not None else len(text)
        try:
            piece = ast.parse("\n" * (row - 1) + text[start:end])
        except SyntaxError:
            if end == len(text):
                raise
            size *= 2
            continue
        body.extend(piece.body)
        row += text.count("\n", start, end)
        start, size = end, _PIECE_CHARACTERS
    return ast.Module(body=body, type_ignores=[])


@dataclass
class CacheNames:
    """What can lead the model to a cache in a module, from its syntax tree: the local
    names imports bind to a prefix of a known qualified name (and what to), and the
    names of dicts assigned in the module's scope (or to a `global`) that may be caches."""

    imported: dict[str, set[str]]
    dicts: set[str]
    globals: set[str]  # names declared `global` anywhere

    @classmethod
    def of(cls, tree: ast.Module, prefixes: frozenset[str], package: Sequence[str] | None = None) -> CacheNames:
        """`package`: the parts of the package the module's relative imports start from
        (`model.core.modules.package_of`); None: a relative import binds nothing known."""
        imported: dict[str, set[str]] = {}
        globals_: set[str] = set()
        dicts: set[str] = set()
        assigned_in_functions: set[str] = set()
        for statement, at_module_level in _statements(tree.body, True):
            kind = type(statement)
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                for local, value in _bindings(statement, package):
                    if value in prefixes:
                        imported.setdefault(local, set()).add(value)
            elif isinstance(statement, ast.Global):
                globals_.update(statement.names)
            elif kind is ast.Assign or kind is ast.AnnAssign:  # what `_dict_cache_targets` reads
                (dicts if at_module_level else assigned_in_functions).update(_dict_cache_targets(statement))
        return cls(imported, dicts | (assigned_in_functions & globals_), globals_)

    @property
    def heads(self) -> set[str]:
        """The names a name or dotted name must start with to lead to a cache."""
        return self.imported.keys() | self.dicts

    def leads_to_cache(self, node: ast.Name | ast.Attribute, known: frozenset[str]) -> bool:
        """Whether a name, or a dotted name ending at `node`, resolves through the imports
        to a `known` name, or reads one of the dicts."""
        if isinstance(node, ast.Name):
            return _imports_known(node, self.imported, known) or (
                node.id in self.dicts and type(node.ctx) is ast.Load)
        return _resolves_to_known(node, self.imported, known)

    def qualified(self, node: ast.Name | ast.Attribute) -> set[str]:
        """What a name or dotted name may resolve to through the imports that bind its
        first name to a prefix of a known name (`functools.lru_cache` for `lru_cache`
        after `from functools import lru_cache`)."""
        parts = []
        base: ast.expr = node
        while type(base) is ast.Attribute:
            parts.append(base.attr)
            base = base.value
        if type(base) is not ast.Name or base.id not in self.imported:
            return set()
        rest = "".join(f".{part}" for part in reversed(parts))
        return {f"{value}{rest}" for value in self.imported[base.id]}


def _statements(body: Sequence[ast.stmt], at_module_level: bool) -> Iterator[tuple[ast.stmt, bool]]:
    """Every statement, with whether it runs in the module's scope (not in a def or class):
    each before those nested in it, which come in the order of their blocks (a stack, not
    generators nested as deep as the blocks, each of which passed on every statement)."""
    stack = [(statement, at_module_level) for statement in reversed(body)]
    while stack:
        statement, in_module_scope = stack.pop()
        yield statement, in_module_scope
        blocks = _BLOCKS.get(type(statement))
        if blocks is None:  # a simple statement (most are)
            continue
        nested = [inner for field in blocks for inner in getattr(statement, field, None) or ()]
        for handler in getattr(statement, "handlers", ()):
            nested.extend(handler.body)
        for case in getattr(statement, "cases", ()):
            nested.extend(case.body)
        if nested:
            inner = in_module_scope and not isinstance(statement, _SCOPES)
            stack.extend([(each, inner) for each in reversed(nested)])


# The statements with blocks (`_NESTED`, `handlers`, `cases`), and the fields of `_NESTED` each has.
_BLOCKS: dict[type, tuple[str, ...]] = {
    kind: tuple(name for name in _NESTED if name in kind._fields)
    for kind in vars(ast).values() if isinstance(kind, type) and issubclass(kind, ast.stmt)
    and not {*_NESTED, "handlers", "cases"}.isdisjoint(kind._fields)
}


def _bindings(statement: ast.Import | ast.ImportFrom, package: Sequence[str] | None = None) -> Iterator[tuple[str, str]]:
    """The local names an import binds and what to, as the model's Collector binds them;
    a relative one, in `package`, to the qualified name whose relative spelling it is
    (`model.core.modules.relative_spellings`: `..ext.cache` in `app.views` is `app.ext.cache`)."""
    if isinstance(statement, ast.Import):
        for alias in statement.names:
            if alias.asname:
                yield alias.asname, alias.name
            else:
                top = alias.name.split(".")[0]
                yield top, top
    elif not statement.level and statement.module:  # relative imports never name a library
        for alias in statement.names:
            if alias.name != "*":
                yield alias.asname or alias.name, f"{statement.module}.{alias.name}"
    elif statement.level and package is not None and statement.level <= len(package):
        base = ".".join([*package[:len(package) - statement.level + 1], *([statement.module] if statement.module else [])])
        for alias in statement.names:
            if alias.name != "*":
                yield alias.asname or alias.name, f"{base}.{alias.name}"


def _dict_cache_targets(statement: ast.stmt) -> Iterator[str]:
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        targets = [statement.target]
    else:
        return
    for target in targets:
        if is_dict_cache(target, statement.value):
            yield target.id


def is_dict_cache(target: ast.expr, value: ast.expr | None) -> TypeGuard[ast.Name]:
    # `ast` normalises identifiers (NFKC) and LibCST does not: a name that is not ASCII
    # may spell "cache" only in the source.
    return (
        isinstance(target, ast.Name) and ("cache" in target.id.lower() or not target.id.isascii())
        and isinstance(value, (ast.Dict, ast.Call))
    )


def _in_expressions(tree: ast.Module, imported: dict[str, set[str]], known: frozenset[str], dicts: set[str],
                    walrus_globals: set[str] | None) -> bool:
    """Whether a name or dotted name resolves through `imported` to a `known` one, or one
    of `dicts` is read. With `walrus_globals`, `dicts` also takes the names `:=` binds to
    a possible dict cache in the module's scope: outside every def and class (their
    decorators and defaults too, as the model's walk has it), or declared global.

    One walk of every node, by hand: `ast.walk` and `ast.iter_child_nodes` cost several
    times as much in generators."""
    loaded: set[str] = set()
    # Each node, and whether it is in a def or class. `Any`: the walk tells node types apart
    # by `type(node) is`, which mypy does not narrow on, and `isinstance` would cost more.
    stack: list[tuple[Any, bool]] = [(tree, False)]
    while stack:
        node, in_scope = stack.pop()
        kind = type(node)
        if kind is ast.Attribute:
            if _resolves_to_known(node, imported, known):
                return True
        elif kind is ast.Name:
            if _imports_known(node, imported, known):
                return True
            if type(node.ctx) is ast.Load:
                if node.id in dicts:
                    return True
                loaded.add(node.id)
        elif (kind is ast.NamedExpr and walrus_globals is not None and is_dict_cache(node.target, node.value)
              and (not in_scope or node.target.id in walrus_globals)):
            dicts.add(node.target.id)
        in_scope = in_scope or kind in _SCOPES
        for field in CHILD_FIELDS[kind]:
            value = getattr(node, field, None)
            if type(value) is list:
                stack.extend([(child, in_scope) for child in value if isinstance(child, ast.AST)])
            elif isinstance(value, ast.AST):
                stack.append((value, in_scope))
    return not loaded.isdisjoint(dicts)


# Fields that never hold a node worth walking to: names and numbers, and the singleton nodes
# of a context or an operator (`Load`, `Add`, `Eq`…), which hold nothing.
_NOT_WALKED = frozenset({"ctx", "op", "ops", "id", "attr", "arg", "name", "asname", "rest", "kwd_attrs", "module",
                         "level", "is_async", "simple", "conversion", "kind", "type_comment", "tag", "lineno"})
# Each `ast` node class's fields that may hold nodes with something under them or in them
# (a constant's value is not one), in the class's order: the walks of syntax trees go through
# millions of nodes, and the contexts and operators alone were a fifth of them.
CHILD_FIELDS: dict[type, tuple[str, ...]] = {
    kind: () if kind is ast.Constant else tuple(name for name in kind._fields if name not in _NOT_WALKED)
    for kind in vars(ast).values() if isinstance(kind, type) and issubclass(kind, ast.AST)
}


def _resolves_to_known(node: ast.Attribute, imported: dict[str, set[str]], known: frozenset[str]) -> bool:
    parts = [node.attr]
    base = node.value
    while type(base) is ast.Attribute:
        parts.append(base.attr)
        base = base.value
    if type(base) is ast.Name and base.id in imported:
        rest = ".".join(reversed(parts))
        return any(f"{value}.{rest}" in known for value in imported[base.id])
    return False


def _imports_known(node: ast.Name, imported: dict[str, set[str]], known: frozenset[str]) -> bool:
    return node.id in imported and not imported[node.id].isdisjoint(known)
