"""Cache clients one module of the project makes and others import.

`cache = Cache()` in `app/extensions.py`, imported by `from .extensions import cache` in
`app/views.py`: the views module alone cannot tell that `cache` is Flask-Caching's; nor
that `get_redis()` imported from `app.redis` returns a Redis client, or that `AppCache`
subclasses one. Each file's facts name the clients it makes and what its functions
return (cachelint.project.facts); the project model follows them across modules
(`ProjectModel.clients`); the files that import one of them are linted again with those
clients declared, as `[tool.cachelint.clients]` would declare them (cachelint.engine,
the second pass).
"""
from __future__ import annotations

import ast
import bisect
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from cachelint.model.cache.custom import CustomClients, receiver_word
from cachelint.model.spec import Method
from cachelint.project.cache_like import looks_like_a_cache
from cachelint.project.facts import DJANGO_SETTINGS
from cachelint.project.model import ProjectModel


def exported_clients(project: ProjectModel, declared: CustomClients) -> dict[str, str]:
    """Qualified name -> library, for the clients the project's modules make (instances,
    factories, client subclasses: `ProjectModel.clients`) that the configuration does not
    already declare."""
    return {name: library for name, library in project.clients().items() if name not in declared.objects}


def imports_of(qualified_names: list[str], modules: set[str] | frozenset[str] = frozenset()) -> re.Pattern[bytes]:
    """What a file's text must contain to import one of these names' modules: the
    module's dotted name, a relative import of its last part (`from .extensions
    import`, `from . import extensions`), or an import of it from its package
    (`from app import extensions`). A name's module is the longest of `modules` it is
    in (`app.stores` for the method `app.stores.store.get`), else all but its last part."""
    alternatives = []
    for qualified in sorted(qualified_names):
        module = _module_of(qualified, modules)
        if not all(part.isidentifier() for part in module.split(".")):  # no import names it (`café-2`, an
            continue  # undecodable file name) or the module is the top level
        last = re.escape(module.rpartition(".")[2])
        parent = module.rpartition(".")[0]
        alternatives += [
            rf"\b{re.escape(module)}\b",
            rf"\bfrom\s+\.+\s*(?:[\w.]*\.)?{last}\s+import\b",
            # the names on the line, or in the parentheses of a multi-line import
            rf"\bfrom\s+(?:\.+|\.*{re.escape(parent)})\s+import\b(?:\s*\([^)]*|[^\n]*)\b{last}\b",
        ]
    return re.compile("|".join(alternatives).encode() if alternatives else b"(?!)")


def uses_of(qualified_names: list[str], modules: set[str] | frozenset[str] = frozenset()) -> NameUses:
    """What a file's text must contain to use one of these names: for one name, both an
    import of its module that may bind the name (`imports_of`, less an import of one of
    the module's submodules: `from app.ext.stores import Store` binds nothing of
    `app.ext`) and the name the module defines (`cache_manager` for
    `app.ext.cache_manager.cache`, `Store` for `app.stores.Store.get`). A file that imports
    a big module for something else, or imports one name's module and uses another
    name, is then not linted again for them."""
    by_module: dict[str, set[str]] = {}
    for qualified in qualified_names:
        module = _module_of(qualified, modules)
        word = qualified[len(module) + 1:].split(".", 1)[0] if module and qualified.startswith(module + ".") else ""
        if word.isidentifier() and all(part.isidentifier() for part in module.split(".")):
            by_module.setdefault(module, set()).add(word)
    return NameUses(by_module)


class NameUses:
    """`search(raw)`: whether a text may use a name one of some modules defines (`uses_of`):
    it holds the name as a whole word, and an import of that module (or the module's
    dotted name followed by the name: `import app` then `app.ext.cache`). The words are
    looked for first (`Words`), and only the modules of the words a text holds are tested."""

    def __init__(self, by_module: dict[str, set[str]]) -> None:
        self._words = Words(sorted({word for words in by_module.values() for word in words}))
        self._modules = []  # (its words, the pattern of its imports)
        for module, words in sorted(by_module.items()):
            names = b"(?:" + b"|".join(re.escape(word.encode()) for word in sorted(words)) + b")"
            dotted = re.escape(module).encode()
            last = re.escape(module.rpartition(".")[2]).encode()
            parent = re.escape(module.rpartition(".")[0]).encode()
            listed = rb"(?:\s*\([^)]*|[^\n]*)"  # the names on the line, or in the parentheses of a multi-line import
            # Each pattern starts with a literal, which `re` looks for fast (a leading `\b`
            # would make it try every position), and `_at_word_start` checks the boundary.
            self._modules.append((Words(sorted(words)), (
                re.compile(dotted + rb"(?:\b(?!\s*\.)"  # `from app.ext import`, `import app.ext as x`
                           + rb"|\s*\.\s*" + names + rb"\b)"),  # `app.ext.cache_manager`
                re.compile(rb"from(?:\s+\.+\s*(?:[\w.]*\.)?" + last + rb"\s+import\b"
                           + rb"|\s+(?:\.+|\.*" + parent + rb")\s+import\b" + listed + rb"\b" + last + rb"\b"
                           + rb"|\s+\.+\s*import\b" + listed + rb"\b" + names + rb"\b)"),  # `from .. import cache_manager`
            )))

    def search(self, raw: bytes) -> bool:
        return self._words.search(raw) and any(
            words.search(raw) and any(_at_word_start(pattern, raw) for pattern in patterns)
            for words, patterns in self._modules)


def _at_word_start(pattern: re.Pattern[bytes], raw: bytes) -> bool:
    r"""Whether `rb"\b" + pattern.pattern` finds a match in `raw`, for a pattern that starts
    with a literal: each match `re` finds fast is checked for the boundary before it."""
    starts_with_word = pattern.pattern[0] in _WORD_BYTES
    position = 0
    while (match := pattern.search(raw, position)) is not None:
        start = match.start()
        if (start > 0 and raw[start - 1] in _WORD_BYTES) != starts_with_word:
            return True
        position = start + 1
    return False


class Words:
    """`search(raw)`: whether a text holds one of some words as a whole word. Each word is
    looked for as plain bytes first (`bytes.find` reads a file many times faster than a
    regular expression of alternatives, which `re` tries at every position), and the
    pattern, which checks the word's boundaries, runs only on a text that holds one."""

    def __init__(self, words: list[str]) -> None:
        self._needles = _needles([word.encode() for word in words])

    def search(self, raw: bytes) -> bool:
        # Each word's boundaries are checked where `bytes.find` finds it (`_holds_word`): a
        # pattern `\b(?:…)\b`, which `re` tries at every position, took a tenth of a
        # millisecond a file.
        for needle, words in self._needles:
            if needle in raw and any(_holds_word(raw, word) for word in (words if words is not None else (needle,))):
                return True
        return False


_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")  # `\w` of a bytes pattern


def _holds_word(raw: bytes, word: bytes) -> bool:
    r"""Whether `raw` holds `word` (not empty) as `rb"\b" + re.escape(word) + rb"\b"` finds it:
    a word boundary before and after it, as a bytes pattern's `\b` tells one (a byte of
    `\w` on one side and not on the other)."""
    starts, ends = word[0] in _WORD_BYTES, word[-1] in _WORD_BYTES
    index = raw.find(word)
    while index != -1:
        end = index + len(word)
        if (index > 0 and raw[index - 1] in _WORD_BYTES) != starts and (
                end < len(raw) and raw[end] in _WORD_BYTES) != ends:
            return True
        index = raw.find(word, index + 1)
    return False


_SHARED_BY = 3  # words that share a part for it to be looked for first (`_needles`)
_PART = re.compile(rb"[A-Z]?[a-z0-9]+|[A-Z0-9]+(?![a-z])")  # `Base`, `Viz`, `URL` of `BaseVizURL`


def _needles(words: list[bytes]) -> list[tuple[bytes, list[bytes] | None]]:
    """What `Words.search` looks for: a part of a name several words share (`Viz` of
    superset's `BubbleViz`, `BulletViz`…; `Cache` of Django's backends), each with those
    words, looked for only in a text that holds the part; each other word alone (None). A
    text that holds a word holds the part it is grouped under, so it is found all the same;
    one that holds no such part is read once for it, not once for each of its words."""
    parts = {word: {part for part in _PART.findall(word) if len(part) >= 3} for word in words}
    left = set(words)
    found: list[tuple[bytes, list[bytes] | None]] = []
    while True:
        shared: dict[bytes, int] = {}
        for word in left:
            for part in parts[word]:
                shared[part] = shared.get(part, 0) + 1
        # The part most words share; of those, the longest (the rarer in a text); then the first.
        part, count = max(shared.items(), key=lambda item: (item[1], len(item[0]), item[0]), default=(b"", 0))
        if count < _SHARED_BY:
            break
        group = sorted(word for word in left if part in parts[word])
        found.append((part, group))
        left.difference_update(group)
    return found + [(word, None) for word in words if word in left]


def _module_of(qualified: str, modules: set[str] | frozenset[str]) -> str:
    parts = qualified.split(".")
    for end in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:end]) in modules:
            return ".".join(parts[:end])
    return qualified.rpartition(".")[0]


def exported_constants(project: ProjectModel, declared: CustomClients) -> dict[str, float]:
    """Qualified name -> value, for the project's constants and Django settings bound to
    zero or less (`ProjectModel.nonpositive_constants`) that a TTL in another module may
    read; and for the positive ones a TTL does read (`FileFacts.ttl_names`: `ex=SCAN_INTERVAL`
    imported from the module that binds it 900), which say the entry expires."""
    found = dict(project.nonpositive_constants())
    read = {name for file in project.files for name in file.ttl_names} - found.keys()
    if read:
        bound = {f"{file.module}.{name}": value for file in project.files for name, value in file.constants.items()
                 if value is not None and value > 0}
        settings = _positive_settings(project)
        for name in read:
            target = project.resolve(name)
            value = bound.get(target.name if target is not None else name) or settings.get(name)
            if value is not None:
                found[name] = value
    return {name: value for name, value in found.items() if name not in declared.constants}


def _positive_settings(project: ProjectModel) -> dict[str, float]:
    """`django.conf.settings.<NAME>` -> value, for a setting every settings module of the
    project that sets it sets to a number above zero (the smallest of them)."""
    return {f"{DJANGO_SETTINGS}.{name}": min(values) for name, values in project.numeric_settings().items()
            if min(values) > 0}


def exported_wrappers(project: ProjectModel, declared: CustomClients) -> dict[str, tuple[str, Method]]:
    """Qualified name -> (library, operation), for the project's wrapper functions
    (`ProjectModel.wrappers`) that the configuration does not already declare."""
    return {name: wrapper for name, wrapper in project.wrappers().items() if name not in declared.functions}



def unmatched(declared: CustomClients, files: list[tuple[str, bytes]]) -> list[str]:
    """The names `[tool.cachelint.clients]` declares that nothing in `files` (path, text)
    defines, imports or writes out: a typo, or a wrapper renamed since, whose calls would
    otherwise be silently not understood."""
    return [name for name in sorted(declared.names()) if not any(_matches(name, path, text) for path, text in files)]


def _matches(name: str, path: str, text: bytes) -> bool:
    module, _, last = name.rpartition(".")
    if re.search(rb"\b" + re.escape(last.encode()) + rb"\b", text) is None:
        return False
    if name.encode() in text:  # an attribute path (`request.registry.cache`), or a dotted use
        return True
    if imports_of([name]).search(text) is not None:
        return True
    # The module that defines it: `myapp/cache.py` or `myapp/cache/__init__.py` for `myapp.cache.x`.
    folder = "/" + module.replace(".", "/")
    return Path(path).as_posix().endswith((f"{folder}.py", f"{folder}/__init__.py"))


def attribute_uses(keys: list[str]) -> Prefiltered:
    """What a file's text must contain to use an attribute the project types
    (`ProjectModel.attribute_clients`): `.cache` for a name that alone says it, and
    `event.cache` (`sub_event.cache` for `subevent.cache`) for one a receiver named after
    a class does, and `self.<member>.cache` for it too (the member's class may say it); not on a line that only imports (`from django.core.cache import cache`
    names a module), nor `functools.cache`: Django's own files, once `cache` was typed,
    were all linted again."""
    alternatives, needles = [], set()
    for key in sorted(keys):
        owner, _, name = key.rpartition(".")
        if not name.isidentifier() or owner and not owner.isidentifier():
            continue
        receiver = rb"(?i:\b" + b"_?".join(re.escape(char.encode()) for char in owner) + rb")" if owner else b""
        # `functools.cache` is the standard library's decorator, on no receiver of the project's.
        alternatives.append((receiver or rb"(?<!\bfunctools)") + rb"\." + re.escape(name.encode()) + rb"\b")
        if owner:  # `self.object.cache`, where the view's class says `object` is an `Event`
            alternatives.append(rb"\bself\.\w+\." + re.escape(name.encode()) + rb"\b")
        needles.add(b"." + name.encode())
    if not alternatives:
        return Prefiltered([], re.compile(b"(?!)"))
    return Prefiltered(sorted(needles), re.compile(
        rb"^(?![ \t]*(?:from|import)[ \t][^;\n]*$)[^\n]*?(?:" + b"|".join(alternatives) + b")", re.M))


class Prefiltered:
    """A pattern each match of which holds one of some byte strings (`needles`) and no line
    end: `search` runs it on the lines of a text that hold one only (`bytes.find` reads a
    text many times faster than a pattern of alternatives, which `re` tries at every
    position, the more so with a part in any case)."""

    def __init__(self, needles: list[bytes], pattern: re.Pattern[bytes]) -> None:
        self._needles = needles
        self._pattern = pattern

    def search(self, raw: bytes) -> bool:
        lines = _lines_holding(raw, self._needles)
        return bool(lines) and self._pattern.search(lines) is not None


_CACHE_NAME = rb"(\w*(?i:cache|redis|store|valkey)\w*)"
_CACHE_WORDS = (b"cache", b"redis", b"store", b"valkey")  # one of which every name _CACHE_NAME matches holds
# `self.cache = …`, `app.cache = …`, a class body's `cache = …` or `cache: T`, `def cache(`,
# `class cache`: what may define an attribute like a cache (`defined_in_text`).
_DEFINES_A_CACHE_NAME = re.compile(
    rb"(?:\b\w+[ \t]*\.[ \t]*|^[ \t]+)" + _CACHE_NAME + rb"[ \t]*(?::[^=\n]*)?=(?!=)"
    rb"|\b(?:def|class)[ \t]+" + _CACHE_NAME + rb"\b", re.M)
_CLASS = re.compile(rb"^[ \t]*class[ \t]+(\w+)", re.M)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_DEFS = (*_FUNCTIONS, ast.ClassDef)

Defined = frozenset[tuple[str, str]]  # (the owner's `receiver_word`, the attribute's name): `_typed_attributes`
NOTHING_DEFINED: Defined = frozenset()


def rows_defining(text: bytes, names: frozenset[str]) -> list[int]:
    """The rows of `text` that may define an attribute of one of `names` (`self.cache = …`,
    `app.cache = …`, `cache = …` or `cache: T` indented, `def cache(`), as the model counts
    them for `ProjectModel.attribute_clients` (`attributes_defined` tells): found on the
    lines that hold one of the names only, which most texts have none of."""
    needles = [name.encode() for name in sorted(names)]
    pattern = _defining(tuple(needles))
    rows = []
    line_start, row = 0, 1
    for start, end in _spans_holding(text, needles):
        if pattern.search(text, start, end):
            row += text.count(b"\n", line_start, start)
            line_start = start
            rows.append(row)
    return rows


@functools.lru_cache(maxsize=8)
def _defining(names: tuple[bytes, ...]) -> re.Pattern[bytes]:
    name = rb"(?:" + b"|".join(re.escape(name) for name in names) + rb")"
    return re.compile(rb"(?:\b\w+[ \t]*\.[ \t]*|^[ \t]+)" + name + rb"[ \t]*(?::[^=\n]*(?:=(?!=)|$)|=(?!=))"
                      rb"|\b(?:def|class)[ \t]+" + name + rb"\b", re.M)


def defined_in_text(text: bytes) -> Defined:
    """What `text` may define, told from its text alone, for a file whose syntax tree
    cannot be read (`attributes_defined` reads it otherwise): each name like a cache's
    that an assignment, an annotation or a `def` at any indentation may define, in each
    of the file's classes (as `receiver_word` spells them), and with no class (`""`, which
    takes back only the key of the name alone: `taken_back`). More than the tree would
    say (a local variable `cache = …` counts), never less."""
    lines = _lines_naming_a_cache(text)
    names = {next(group for group in match.groups() if group).decode()
             for match in _DEFINES_A_CACHE_NAME.finditer(lines)} if lines else set()
    if not names:
        return NOTHING_DEFINED
    owners = {"", *(receiver_word(found.decode()) for found in _CLASS.findall(text))}
    return frozenset((owner, name) for owner in owners for name in names)


def attributes_defined(tree: ast.Module, rows: Iterable[int] | None = None) -> list[tuple[str, str, int]]:
    """The attributes like a cache's that a module defines where `ProjectModel.attribute_clients`
    weighs them (`extract.made_members`, `extract.made_on_parameters`), each as (its owner's
    `receiver_word`, its name, its row): in a module-level class, a name its body binds
    (`cache = …`, `cache: T`, `def cache(`) or one its methods set on their first parameter
    (`self.cache = …`); in a module-level function, one its own body sets on a parameter
    (`app.redis = …`). Public names only, that `looks_like_a_cache`. Not a local variable
    (`cache = caches["default"]` in a function), nor a keyword argument: they define no
    attribute. Where the model is stricter (only the last class of a name, `self` only in
    the method itself), this counts more, never less. With `rows`, only the statements
    that span one of them are read (`rows_defining` finds them)."""
    wanted = sorted(set(rows)) if rows is not None else None

    def spans(node: ast.AST) -> bool:
        if wanted is None:
            return True
        first, last = getattr(node, "lineno", 0), getattr(node, "end_lineno", None) or 0
        if isinstance(node, _DEFS) and node.decorator_list:
            first = min(first, *(decorator.lineno for decorator in node.decorator_list))
        at = bisect.bisect_left(wanted, first)
        return at < len(wanted) and wanted[at] <= last

    found: list[tuple[str, str, int]] = []
    for statement in _statements(tree.body, spans):
        if isinstance(statement, ast.ClassDef):
            owner = receiver_word(statement.name)
            found += [(owner, name, row) for name, row in _class_members(statement, spans)]
        elif isinstance(statement, _FUNCTIONS):
            owner = receiver_word(statement.name)
            parameters = {argument.arg for argument in _arguments(statement.args)}
            found += [(owner, target.attr, target.lineno) for small in statement.body
                      if isinstance(small, (ast.Assign, ast.AnnAssign))
                      for target in (small.targets if isinstance(small, ast.Assign) else [small.target])
                      if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                      and target.value.id in parameters]
    return [(owner, name, row) for owner, name, row in found if not name.startswith("_") and looks_like_a_cache(name)]


def _statements(body: list[ast.stmt], spans: Callable[[ast.AST], bool]) -> Iterator[ast.AST]:
    """The statements of a body, and of the blocks in it (`if`, `try`…), not of a function's
    or class's: those that bind in the body's own scope. An `except` clause too. Only
    those `spans` keeps."""
    for statement in body:
        if not spans(statement):
            continue
        yield statement
        if not isinstance(statement, _DEFS):
            for child in ast.iter_child_nodes(statement):
                if isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case)):
                    yield from _statements([child], spans)  # type: ignore[list-item]


def _class_members(definition: ast.ClassDef, spans: Callable[[ast.AST], bool]) -> Iterator[tuple[str, int]]:
    """The names a class body binds, and those its methods set on their first parameter
    (or a function's in them: more than the model's `self`), with their rows."""
    for statement in _statements(definition.body, spans):
        if isinstance(statement, _DEFS):
            yield statement.name, statement.lineno
        if isinstance(statement, _FUNCTIONS):
            receivers = {arguments[0].arg for node in ast.walk(statement) if isinstance(node, (*_FUNCTIONS, ast.Lambda))
                         and (arguments := [*node.args.posonlyargs, *node.args.args])}
            yield from ((node.attr, node.lineno) for node in ast.walk(statement)
                        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
                        and isinstance(node.value, ast.Name) and node.value.id in receivers)
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            yield from ((alias.asname or alias.name.partition(".")[0], statement.lineno) for alias in statement.names)
        elif isinstance(statement, ast.ExceptHandler) and statement.name:
            yield statement.name, statement.lineno
        elif not isinstance(statement, _DEFS):
            yield from ((node.id, node.lineno) for node in _own_expressions(statement)
                        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store))


def _own_expressions(statement: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a statement but those of the statements in it (`_statements` gives them)."""
    for child in ast.iter_child_nodes(statement):
        if not isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case)):
            yield child
            yield from _own_expressions(child)


def _arguments(arguments: ast.arguments) -> list[ast.arg]:
    return [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
            *(argument for argument in (arguments.vararg, arguments.kwarg) if argument is not None)]


def _lines_naming_a_cache(text: bytes) -> bytes:
    """The lines of `text` that hold one of `_CACHE_WORDS` in any case, joined: the only
    ones `_DEFINES_A_CACHE_NAME` can match on (a match holds one, and never spans lines).
    The words are found in the text in lower case, many times quicker than the pattern,
    which is tried at every indented line of the text."""
    return _lines_holding(text, _CACHE_WORDS, text.lower())


def _lines_holding(text: bytes, needles: Iterable[bytes], searched: bytes | None = None) -> bytes:
    """The lines of `text` that hold one of `needles`, joined; found in `searched`, a text
    of the same lines as long (`text` itself when None; its lower case, for words in any case)."""
    return b"\n".join(text[start:end] for start, end in _spans_holding(text if searched is None else searched, needles))


def _spans_holding(searched: bytes, needles: Iterable[bytes]) -> list[tuple[int, int]]:
    """Where each line of `searched` that holds one of `needles` starts and ends, in order."""
    spans: dict[int, int] = {}  # where each such line starts -> where it ends
    for needle in needles:
        found = searched.find(needle)
        while found != -1:
            start = searched.rfind(b"\n", 0, found) + 1
            end = searched.find(b"\n", found)
            end = len(searched) if end == -1 else end
            spans[start] = end
            found = searched.find(needle, end)
    return sorted(spans.items())


def taken_back(keys: list[str], defined: Defined) -> set[str]:
    """The keys of `ProjectModel.attribute_clients` (`cache`, `event.cache`) that a file
    defining `defined` (`attributes_defined`, `defined_in_text`) may make something else
    of: `cache` for any owner's `cache`; `event.cache` only for a class `Event`'s."""
    found = set()
    for key in keys:
        owner, _, name = key.rpartition(".")
        if any(defined_name == name and (not owner or defined_owner == owner) for defined_owner, defined_name in defined):
            found.add(key)
    return found
