"""The prefilter: whether a file can hold anything the model finds, judged from its text.

The model recognises a cache client, a cache decorator or a configured wrapper only by a
qualified name whose first part a name imported in the same module spells
(`scopes.qualified_name`, `clients.py`); the one thing it finds without an import is a
module-level dict whose name contains "cache" (`clients._is_dict_cache`). So a file can
matter only if

1. one of its imports binds a name that starts one of those qualified names
   (`import redis`, `from django.core import cache`, `import functools`), and the parts
   of that qualified name the import leaves out follow the bound name as attributes
   (`import functools` matters only where `functools.lru_cache` or `functools.cache` is
   written); or
2. it assigns something that may be a dict to a plain name that contains "cache", and
   writes that name somewhere else where it may be read (not as a keyword: `f(cache=`).

A scan of the text finds the files that may. One that imports a known name itself
(`from django.core.cache import cache`) is parsed; the others `cachelint.tree_scan`
looks at again, exactly, on Python's own syntax tree, which costs a fraction of a LibCST
parse. The qualified names are read from the model's own tables and the configured
clients, so the prefilter cannot drift from what the model knows. Every test it makes
errs towards keeping the file: a doubt costs a parse, never a finding. A file that is
dropped is never parsed with LibCST, so its syntax errors are not reported either. (The
project index reads some of the dropped files after all: `engine._lint_for_the_index`.)
"""
from __future__ import annotations

import bisect
import enum
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import cast

from cachelint.model.libraries import LIBRARIES
from cachelint.tree_scan import may_hold_facts

_DOT = r"\s*\.\s*"
_IMPORTED = re.compile(r"\s*(\w+(?:\s*\.\s*\w+)*)(?:\s+as\s+(\w+))?\s*")
_WORD = re.compile(r"\w+")
_CONTINUATION = re.compile(r"\\\r?\n|\\\r")
# A name containing "cache" (in lowercased text) followed by `=`, `:=` or an annotation.
_CACHE_TARGET = re.compile(r"cache\w*[ \t)]*(:=|:|=(?!=))")
_LEADING_NAME = re.compile(r"\w+(?:\s*\.\s*\w+)*")
_ASSIGNMENT = re.compile(r"(?<![=<>!])=(?!=)")
# After a dotted name: what may make it the function of a call, `f(`, `f[int](`.
_CALLED = re.compile(r"\s*[(\[]")
# After a name: an operator that binds it, `=`, `:=`, `+=`... (`<=` compares, `f"{x=}"`,
# `f"{x = !r}"` read).
_BINDING_OPERATOR = re.compile(r"[ \t)]*(?::|[-+*/%&|^@]|//|\*\*|<<|>>)?=(?![ \t]*[=}!:])")
_ANNOTATION = re.compile(r"[ \t]*:(?!=)")
# What may come before the target of an assignment (`=` or an annotation), spaces skipped.
_TARGET_STARTS = ("", "\n", "\r", ";", ":", "=", "(")
_PLAIN_ASSIGNMENT = re.compile(r"(?<![=<>!:])=(?!=)")
# A string that spans lines and holds code: a `#` before a name on its line may be text.
_TEMPLATE_BLOCK = re.compile(r"[ft]r?(?:\'\'\'|\"\"\")")
# A comment or a string as Python 3.11 reads them (their prefixes before them), or a quote
# that starts neither (Python 3.12 lets an f-string's fields span lines).
# Each alternative starts with a literal character (`\'\'\'`, not `'{3}`; `'|"`, not `['"]`):
# then `re` makes the set of characters a match starts with, and skips from one to the
# next; with a repeat or a set first, it tried every alternative at every position
# (three times as long).
_STRING_OR_COMMENT = re.compile(  # each loop unrolled: `[^"\\]*(?:\\.[^"\\]*)*` is the fast `(?:[^"\\]|\\.)*`
    r"""#[^\r\n]*"""
    r"""|\'\'\'[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'{3}|\"\"\"[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"{3}"""
    r"""|'[^'\\\r\n]*(?:\\.[^'\\\r\n]*)*'|"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*"|'|\"""",
    re.DOTALL,
)
_DEFINITION = re.compile(r"(?:async[ \t]+)?def[ \t]|class[ \t]")
_GLOBAL = re.compile(r"global(?!\w)[^\n]*")  # `_is_word_start` checks the start: see `Prefilter`


def model_names(custom_names: Iterable[str] = ()) -> frozenset[str]:
    """Every qualified name by which the model recognises a cache client or decorator."""
    names = set(custom_names)
    for library in LIBRARIES:
        names.update(
            library.constructors, library.instances, library.registries, library.decorators, library.functions,
        )
    return frozenset(names)


class Prefilter:
    """`wants(text)`: whether the model can find anything in a file with this text, for a
    model that knows the qualified names `names`; `memoizers`: those of them that are
    decorators which only memoize (`memoizers_of`)."""

    def __init__(self, names: Iterable[str], memoizers: Iterable[str] = ()) -> None:
        self._known = frozenset(names)
        self.memoizers = frozenset(memoizers)
        # For each name an import may bind: the parts each qualified name it starts adds.
        self._rests: dict[str, list[tuple[str, ...]]] = {}
        for name in self._known:
            parts = name.split(".")
            for length in range(1, len(parts) + 1):
                self._rests.setdefault(".".join(parts[:length]), []).append(tuple(parts[length:]))
        # Only imports of those names match, so that few matches reach Python code: `from
        # a . b import (c as d, e)` where `a.b` starts a known name; `import x, a.b as c`
        # where `a` does. The patterns start with a literal, which `re` finds fast, and
        # `_is_word_start` checks the boundary before it (a leading `\b` would make `re`
        # try every position). Line continuations are joined first, so a statement spans
        # lines only inside the parentheses of a from-import.
        self._prefixes = frozenset(self._rests)
        # The patterns of the libraries' names are made once (`_import_patterns`), and a few
        # for the names a configuration or the second pass adds (a new set each round): an
        # import matches the patterns of one part or of the other, and binds the same.
        library = self._prefixes & _library_prefixes()
        self._patterns = [_import_patterns(part) for part in (library, self._prefixes - library) if part]

    @property
    def known(self) -> frozenset[str]:
        """Every qualified name by which the model recognises a cache client or decorator."""
        return self._known

    @property
    def prefixes(self) -> frozenset[str]:
        """Every dotted prefix of those names."""
        return self._prefixes

    def wants(self, text: str) -> bool:
        verdict = self.wants_by_text(text)
        return self.wants_by_tree(text) if verdict is None else verdict

    def wants_by_text(self, text: str) -> bool | None:
        """`wants`, as far as the scan of the text tells; None when the syntax tree must
        (`wants_by_tree`), which a deeply nested text makes deep."""
        found = self._imports(text)
        if found is _Found.KNOWN_NAME:  # the model resolves it, unless it is never used
            return True
        if found is _Found.NOTHING and not _may_read_a_dict_cache(text):
            return False
        return None

    def wants_by_tree(self, text: str) -> bool:
        """`wants` of a text its scan could not judge (`wants_by_text`)."""
        return may_hold_facts(text, self._known, self._prefixes)

    def _imports(self, text: str) -> _Found:
        """What the file's imports bind: a known qualified name itself, a first part of
        one whose other parts the file mentions, or nothing that can lead to one."""
        if "\\" in text:
            text = _CONTINUATION.sub(" ", text)
        words = _Words(text)
        found = _Found.NOTHING
        for bound, local in self._bindings(text):
            if bound is None or bound in self._known:
                return _Found.KNOWN_NAME
            if found is _Found.NOTHING and any(
                all(map(words.has, rest)) and (local is None or _has_attributes(text, local, rest))
                for rest in self._rests.get(bound, ())
            ):
                found = _Found.START_OF_NAME
        return found

    def _bindings(self, text: str) -> Iterator[tuple[str | None, str | None]]:
        """What each import of a known name's first parts binds (None: cannot tell), and
        the local name it binds (None: unknown, when the names after a from-import's
        `import` are not a plain list: then each of their words counts, comments too)."""
        for from_import, _ in self._patterns:
            yield from self._from_bindings(from_import, text)
        for _, import_ in self._patterns:
            yield from self._plain_bindings(import_, text)

    @staticmethod
    def _from_bindings(from_import: re.Pattern[str], text: str) -> Iterator[tuple[str | None, str | None]]:
        """`_bindings` of the from-imports `from_import` matches."""
        for match in from_import.finditer(text):
            if not _is_word_start(text, match.start()):
                continue
            module = _dotted(match.group(1))
            if match.group(2):  # the names, inside parentheses
                end = text.find(")", match.end())
                names = text[match.end():end if end != -1 else len(text)]
                if "#" in names:  # a comment may hold a `)`
                    yield None, None
            else:
                end = text.find("\n", match.end())
                names = text[match.end():end if end != -1 else len(text)]
            items = [_IMPORTED.fullmatch(item) for item in names.split(",") if item.strip()]
            plain = [item for item in items if item is not None and "." not in item.group(1)]
            if len(plain) == len(items):
                for item in plain:
                    yield f"{module}.{item.group(1)}", item.group(2) or item.group(1)
            else:
                for name in _WORD.findall(names):
                    yield f"{module}.{name}", None

    @staticmethod
    def _plain_bindings(import_: re.Pattern[str], text: str) -> Iterator[tuple[str | None, str | None]]:
        """`_bindings` of the imports (not from-imports) `import_` matches."""
        for match in import_.finditer(text):
            if not _is_word_start(text, match.start()):
                continue
            for part in match.group(1).split(","):
                imported = _IMPORTED.fullmatch(part)
                if imported is not None:
                    dotted = _dotted(imported.group(1))
                    if imported.group(2):
                        yield dotted, imported.group(2)
                    else:
                        top = dotted.split(".")[0]
                        yield top, top


class _Found(enum.Enum):
    NOTHING = "nothing"
    START_OF_NAME = "the start of a known name"
    KNOWN_NAME = "a known name"


@functools.cache
def _library_prefixes() -> frozenset[str]:
    """Every dotted prefix of the qualified names the libraries' tables give (`model_names()`)."""
    return frozenset(".".join(name.split(".")[:length]) for name in model_names()
                     for length in range(1, name.count(".") + 2))


@functools.lru_cache(maxsize=16)
def _import_patterns(prefixes: frozenset[str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The patterns of the imports that bind one of these dotted `prefixes` (`Prefilter`):
    `from a . b import (c as d, e)` where `a.b` is one (the trie of them matches any
    prefix of one, which, of a set of prefixes, is one too), and `import x, a.b as c`
    where `a` starts one. Made from the libraries' names once (a pattern of thousands of
    characters, 15 ms to compile), not again for each set of names a configuration or a
    round of the second pass adds."""
    modules = _trie(prefixes)
    tops = "|".join(sorted({re.escape(name.split(".")[0]) for name in prefixes}, key=len, reverse=True))
    return (re.compile(rf"from\s+({modules})\s*\bimport\b\s*(\()?" if modules else "(?!)"),
            re.compile(rf"import[ \t]+([\w. \t,]*?\b(?:{tops})\b[\w. \t,]*)" if tops else "(?!)"))


def _trie(names: Iterable[str]) -> str:
    """A pattern matching exactly the dotted `names` (spaces allowed around dots), built as
    a trie so that `re` never tries one name after another: `a(?:[.](?:b|c))?`."""
    tree: dict = {}
    for name in names:
        node = tree
        for part in name.split("."):
            node = node.setdefault(part, {})

    def pattern(node: dict) -> str:
        return "|".join(
            re.escape(part) + (f"(?:{_DOT}(?:{pattern(children)}))?" if children else "")
            for part, children in sorted(node.items(), key=lambda item: -len(item[0]))
        )

    return pattern(tree)


class _Words:
    """Which identifiers a text contains, looked up one word at a time."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._seen: dict[str, bool] = {}

    def has(self, word: str) -> bool:
        if word not in self._seen:
            self._seen[word] = _contains_word(self._text, word)
        return self._seen[word]


def _has_attributes(text: str, name: str, attributes: tuple[str, ...]) -> bool:
    """Whether `text` may hold the dotted name `name.attributes...`, spelled with spaces,
    line breaks, comments or closing parentheses (`(name).a`) around its dots."""
    gaps = r"(?:[\s)]|#[^\r\n]*[\r\n])*\.(?:\s|#[^\r\n]*[\r\n])*"
    pattern = r"(?<!\w)" + gaps.join(map(re.escape, (name, *attributes))) + r"(?!\w)"
    return re.search(pattern, text) is not None


def _contains_word(text: str, word: str) -> bool:
    index = text.find(word)
    while index != -1:
        end = index + len(word)
        if _is_word_start(text, index) and not (end < len(text) and _is_word_char(text[end])):
            return True
        index = text.find(word, index + 1)
    return False


def _is_word_start(text: str, index: int) -> bool:
    return index == 0 or not _is_word_char(text[index - 1])


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _dotted(text: str) -> str:
    return "".join(text.split())


@functools.lru_cache(maxsize=1)
def lower_case(text: str) -> str:
    """`text.lower()`, kept for the text asked last: the prefilter (`_may_read_a_dict_cache`)
    and then `cache_like.may_hold_calls` read the lower case of the file they drop (a text
    that is not ASCII takes as long to lower as to scan a few times)."""
    return text.lower()


def _may_read_a_dict_cache(text: str) -> bool:
    """A plain name containing "cache" (never an attribute: `self._cache`) assigned
    something that may be a dict (`_CACHE = {}`, `(cache := dict())`, `cache: X =
    OrderedDict()`) outside every def and class (or declared global), and written
    somewhere else too, where it may be read: every operation on the dict goes through a
    read of its name. Names are compared lowercased."""
    lowered = lower_case(text)
    if "cache" not in lowered:
        return False
    joined = 0
    if "\\" in lowered:
        lowered, joined = _CONTINUATION.subn(" ", lowered)
    # `from collections import OrderedDict as X` makes any call a possible dict.
    any_call = _contains_word(lowered, "collections")
    assignments = _Assignments(lowered, bool(joined), is_ascii=text.isascii())
    in_definitions = False
    for start, name, value in assignments:
        if _may_be_a_dict(value, any_call) and assignments.may_be_read(name):
            if not assignments.in_a_definition(start, name):
                return True
            in_definitions = True
    # `tree_scan` takes any call for a dict, so it looks at all that a dict in a
    # definition would have sent it to: a call assigned outside, and read.
    return in_definitions and any(
        _may_be_a_call(value) and assignments.may_be_read(name) and not assignments.in_a_definition(start, name)
        for start, name, value in assignments
    )


class _Assignments:
    """The assignments of a value to a plain name containing "cache" in a lowercased
    `text`, as (where the name starts, the name, the value from the start of its line),
    with what may be read and what is in a def or a class."""

    def __init__(self, text: str, joined: bool, is_ascii: bool) -> None:
        self._text = text
        self._joined = joined  # lines ending with a backslash are joined
        self._is_ascii = is_ascii  # `ast` may take a name that is not ASCII for a cache
        self._reads: dict[str, bool] = {}
        self._layout: _Layout | None = None

    def __iter__(self) -> Iterator[tuple[int, str, str]]:
        text = self._text
        for match in _CACHE_TARGET.finditer(text):
            start, name = _name_around(text, match.start())
            before = _previous_char(text, start)
            # A target starts a statement (`if x: cache = {}` too), or follows another
            # target or a parenthesis; `x.cache = {}` and `f(a, cache={})` bind no plain name.
            if before == "." or match.group(1) != ":=" and before not in _TARGET_STARTS:
                continue
            value = _assigned_value(text, match.end(), match.group(1))
            if value is not None:
                yield start, name, value

    def may_be_read(self, name: str) -> bool:
        if name not in self._reads:
            self._reads[name] = _may_be_read(self._text, name, self._joined)
        return self._reads[name]

    def in_a_definition(self, index: int, name: str) -> bool:
        """Whether the assignment at `index` is in a def or a class for sure, and `name`
        is never declared global."""
        if self._joined or not self._is_ascii:
            return False
        if self._layout is None:
            self._layout = _Layout(self._text)
        return _in_a_definition(self._text, index, self._layout) and not _declared_global(self._text, name)


def _in_a_definition(text: str, index: int, layout: _Layout) -> bool:
    """Whether `index` is in the body (or the header) of a def or a class for sure: its
    line is indented, and the nearest line before it that starts at column 0 in code
    starts a def or a class (in code that Python can parse, no other line at column 0
    can come between; decorators come before the def). `text` has no line joined with a
    backslash (a comment would swallow the next line)."""
    line = text.rfind("\n", 0, index) + 1
    if text[line:line + 1] not in (" ", "\t") or not layout.reliable:
        return False
    while line:
        line = text.rfind("\n", 0, line - 1) + 1
        first = text[line:line + 1]
        if first in (" ", "\t", "\r", "\n", "#") or layout.in_string(line):  # indented, blank or a comment
            continue
        return _DEFINITION.match(text, line) is not None
    return False


class _Layout:
    """Where a text's strings are, as far as Python 3.11 reads them: `reliable` unless the
    text has what may read otherwise (a field of an f-string spanning lines, a string in
    it that Python 3.12 would nest, a form feed or a carriage return that ends a line)."""

    def __init__(self, text: str) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.reliable = "\f" not in text and text.count("\r") == text.count("\r\n")
        if not self.reliable:
            return
        for match in _STRING_OR_COMMENT.finditer(text):
            token = match.group()
            if len(token) == 1 and token != "#":  # a quote that starts no string
                self.reliable = False
            elif token[0] != "#":
                self.starts.append(match.start())
                self.ends.append(match.end())
                prefix = _name_around(text, match.start())[1] if match.start() else ""
                self.reliable = not ("f" in prefix or "t" in prefix) or _fields_close(token)
            if not self.reliable:
                break

    def in_string(self, index: int) -> bool:
        """Whether `index` is inside a string, after its first quote."""
        at = bisect.bisect_left(self.starts, index) - 1
        return at >= 0 and index < self.ends[at]


def _fields_close(token: str) -> bool:
    """Whether the fields of an f-string (with its quotes) all close within it as Python
    3.11 reads it: no backslash or comment in them, strings in them of the other quote.
    Python 3.12 lets a field hold a string of the same quote (`f"{d["k"]}"`), which ends
    the token early, with a field left open."""
    quotes = 3 if token[:3] in ("'''", '"""') else 1
    content = token[quotes:-quotes]
    depth = index = 0
    while index < len(content):
        char = content[index]
        if depth == 0 and char in "{}" and content[index + 1:index + 2] == char:
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
        elif depth and char in "\\#":
            return False
        elif depth and char in "'\"":
            end = content.find(char, index + 1)
            if end == -1:
                return False
            index = end
        index += 1
    return depth == 0


def _declared_global(text: str, name: str) -> bool:
    """Whether a `global` statement may name `name` (the rest of its line does)."""
    return any(_is_word_start(text, line.start()) and _contains_word(line.group(), name) for line in _GLOBAL.finditer(text))


def _name_around(text: str, index: int) -> tuple[int, str]:
    """Where the name in which `index` is starts, and the name (`lang_cache` for the
    `cache` in it)."""
    start = end = index
    while start and _is_word_char(text[start - 1]):
        start -= 1
    while end < len(text) and _is_word_char(text[end]):
        end += 1
    return start, text[start:end]


def _may_be_read(text: str, name: str, joined: bool) -> bool:
    """Whether `name` is written somewhere in `text` where it may be read: not where it
    is only bound (`name = `, `(name := `, `name += `, `a = name = `, `name: int = `),
    a keyword or a parameter (`f(name=`, `def f(name: int = 0)`), an attribute (`x.name`)
    or in a comment. A mention in a string counts as a read. `joined`: whether `text`
    has lines joined where they end with a backslash."""
    for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
        if _only_binds(text, match.start(), match.end()):
            continue
        # A backslash that ends a comment does not join lines.
        if _in_comment(text, match.start()) and not joined and not _TEMPLATE_BLOCK.search(text):
            continue
        return True
    return False


def _only_binds(text: str, start: int, end: int) -> bool:
    """Whether the name at `start:end` is an attribute, a target, a keyword or a parameter."""
    before = _previous_char(text, start)
    if before == ".":
        return True
    if before not in ("", "\n", ";", "(", ",", "="):  # not where a target or keyword starts
        return False
    if _BINDING_OPERATOR.match(text, end):
        return True
    # `name: int = 0` where a statement or a parameter starts, or the key of a dict: `{name: 0}`
    # (after `,` or `=` it may end a loop's or a test's head: `for x in a, name: y = 0`).
    annotation = _ANNOTATION.match(text, end) if before in ("", "\n", ";", "(") else None
    if annotation is None:
        return False
    line_end = text.find("\n", end)
    rest = text[annotation.end():line_end if line_end != -1 else len(text)]
    assignment = _PLAIN_ASSIGNMENT.search(rest)
    return assignment is not None and _is_annotation(rest[:assignment.start()])


def _is_annotation(text: str) -> bool:
    """Whether what comes between a `:` and an `=` is an annotation for sure: no string,
    comment or lambda (`{k: lambda a=1: a}`), and no bracket closed that it did not open
    (`f({k: 0}, a=1)`)."""
    if any(char in text for char in "'\"#") or _contains_word(text, "lambda"):
        return False
    depth = 0
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _in_comment(text: str, index: int) -> bool:
    """Whether a `#` before `index` on its line starts a comment for sure: no quote before
    it, no `}` (`f"{x\n} # {name}"` in Python 3.12), and (the caller's part) no string
    spanning lines that holds code."""
    prefix = text[max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1:index]
    return "#" in prefix and not any(char in prefix for char in "'\"}")


def _previous_char(text: str, index: int) -> str:
    """The character before `index`, spaces, tabs and form feeds skipped ("" at the start)."""
    while index and text[index - 1] in " \t\f":
        index -= 1
    return text[index - 1:index]


def _assigned_value(text: str, start: int, operator: str) -> str | None:
    """The rest of the line after the `=` of an assignment whose operator ends at `start`;
    "" when the value may start on a later line, None when nothing is assigned."""
    end = text.find("\n", start)
    line = text[start:end if end != -1 else len(text)]
    if operator != ":":  # `=` or `:=`
        return line
    assignment = _ASSIGNMENT.search(line)  # `name: annotation = value`
    if assignment is not None:
        return line[assignment.end():]
    unclosed = sum(map(line.count, "([{")) > sum(map(line.count, ")]}"))
    return "" if unclosed else None  # an annotation spanning lines, or no value (`if cache:`)


def _may_be_a_dict(value: str, any_call: bool) -> bool:
    """Whether an assigned value, read from the start of its line, may be what the model
    takes for a dict: `{...}`, `dict(...)`, `collections.OrderedDict()`, `defaultdict(list)`."""
    stripped = value.lstrip(" \t(")
    if not stripped or stripped[0] in "{#" or _is_chained(stripped):  # on later lines, or chained
        return True
    name = _LEADING_NAME.match(stripped)
    if name is None or not (any_call or name.group().endswith("dict")):
        return False
    rest = stripped[name.end():]
    in_parentheses = "(" in value[:len(value) - len(stripped)]  # the call may be on a later line
    return bool(_CALLED.match(rest)) or in_parentheses and rest.strip()[:1] in ("", "#")


def _may_be_a_call(value: str) -> bool:
    """Whether an assigned value, read from the start of its line, may be a call of
    anything: unless it starts with a name or a number not called (`None`, `x + 1`,
    `lambda: 0`, `await f()`; `b"".join(x)` is a call)."""
    stripped = value.lstrip(" \t")
    if not stripped or not _is_word_char(stripped[0]) or _is_chained(stripped):
        return True
    name = _LEADING_NAME.match(stripped)
    return name is None or bool(_CALLED.match(stripped, name.end())) or stripped[name.end():][:1] in ("'", '"')


def _is_chained(value: str) -> bool:
    """Whether the value of an assignment may be another target and a value (`a = b = {}`):
    it starts as a target may (not with a string), and has an `=` outside the brackets it
    opens (`f(a=1)`); a string or a comment before the `=` leaves the brackets in doubt."""
    if not (_is_word_char(value[0]) or value[0] in "[*"):
        return False
    for assignment in _ASSIGNMENT.finditer(value):
        before = value[:assignment.start()]
        if any(char in before for char in "'\"#") or sum(map(before.count, "([{")) <= sum(map(before.count, ")]}")):
            return True
    return False


def code_of(raw: bytes) -> bytes:
    """The source text `raw` with its comments and plain strings left out: what a name the
    model can resolve is written in (a module path in a settings string, `"BACKEND":
    "django.core.cache.backends.locmem.LocMemCache"`, names nothing the model resolves).
    An f-string (a t-string) is kept whole, as its fields are code. When the strings'
    bounds are in doubt (a quote that starts no string, an f-string whose fields do not
    close as Python 3.11 reads them), `raw` itself: a doubt keeps text, never drops it."""
    return _leaving_out(raw, _instead_in_code)


def without_prose(raw: bytes) -> bytes:
    """The source text `raw` with its comments and docstrings left out, every other string
    kept (SQL names a table in one, a string annotation a class): prose names no entity
    the model reads. A docstring here is a plain string alone on its rows, right after a
    line that opens a block (ends in `:`, not a dict's `"key":`) or at the module's start.
    When the strings' bounds are in doubt, `raw` itself, as `code_of`."""
    return _leaving_out(raw, _instead_of_prose)


# What `_leaving_out` writes instead of a string: its text, None to keep the string as it
# is, or `_IN_DOUBT` to give the whole text back.
_IN_DOUBT = object()
_Instead = Callable[[str, "re.Match[str]", int, list[str]], "str | None | object"]


def _leaving_out(raw: bytes, instead: _Instead) -> bytes:
    """`raw` without its comments, and with each string replaced by what `instead(text,
    match, start, kept)` says (`text[start:]` up to the string, then `kept` from its end:
    the code before it, in pieces); `raw` itself when a quote starts no string. Read as latin-1, one character a
    byte, with the patterns `_Layout` reads strings by."""
    if b"#" not in raw and b"'" not in raw and b'"' not in raw:
        return raw
    text = raw.decode("latin-1")
    kept: list[str] = []
    start = 0
    for match in _STRING_OR_COMMENT.finditer(text):
        token = match.group()
        if len(token) == 1 and token != "#":  # a quote that starts no string
            return raw
        at = match.start()
        replacement = "" if token[0] == "#" else instead(text, match, start, kept)
        if replacement is None:
            continue
        if replacement is _IN_DOUBT:
            return raw
        kept.append(text[start:at])
        kept.append(cast(str, replacement))
        start = match.end()
    kept.append(text[start:])
    return "".join(kept).encode("latin-1")


def _instead_in_code(text: str, match: re.Match[str], start: int, kept: list[str]) -> str | None | object:
    token, at = match.group(), match.start()
    if at and _is_word_char(text[at - 1]):  # a prefix (most strings have none)
        prefix = _name_around(text, at)[1].lower()
        if "f" in prefix or "t" in prefix:  # an f-string or a t-string (or a keyword before a quote)
            return None if _fields_close(token) else _IN_DOUBT
    return "''"


def _instead_of_prose(text: str, match: re.Match[str], start: int, kept: list[str]) -> str | None:
    if _is_docstring(text, match.start(), match.end(), text[start:match.start()], kept):
        return ""
    return None


def _is_docstring(text: str, at: int, end: int, before: str, kept: list[str]) -> bool:
    """Whether the string token from `at` to `end` of `text` is alone on its rows (no prefix
    either), right after a line ending in `:` or at the text's start. `before`, then
    `kept` from its end: the code before it, in pieces."""
    if text[text.rfind("\n", 0, at) + 1:at].strip(" \t\f"):
        return False
    newline = text.find("\n", end)
    after = text[end:newline if newline != -1 else len(text)].strip(" \t\f\r")
    if after and not after.startswith("#"):
        return False
    for piece in (before, *reversed(kept)):
        code = piece.rstrip(" \t\f\r\n\\")
        if code:
            return code.endswith(":") and not code.endswith(("':", '":'))
    return True


_RELATIVE_IMPORT = re.compile(r"(?<![\w.])from\s+\.")


def may_import_relatively(custom_names: tuple[str, ...], text: str) -> bool:
    """Whether a relative import may bind a configured client (`from .extensions import
    cache` for `app.extensions.cache`). The prefilter and sparse parsing read absolute
    imports only, so such a file is parsed whole, as the model resolves it."""
    return bool(custom_names) and _RELATIVE_IMPORT.search(text) is not None and (
        _last_parts(custom_names).search(text) is not None)


def writes_a_declared_path(custom_names: tuple[str, ...], text: str) -> bool:
    """Whether the text writes out a name the configuration declares, as an attribute path
    is used (`request.registry.cache`): no import binds it, so such a file is parsed whole."""
    return any(name in text for name in custom_names)


def writes_a_declared_path_in_code(names: tuple[str, ...], text: str) -> bool:
    """`writes_a_declared_path`, as the second pass asks it (`engine._read_source`: the
    project's qualified names, `django.core.cache.backends.locmem.LocMemCache`): written
    in code, as a whole name. A module path in a string (`"BACKEND":
    "django.core.cache.backends.locmem.LocMemCache"`) or a comment names nothing the
    model resolves (`code_of`), nor does the start of a longer name (`superset.cache` of
    `from superset.cachekeys import ...`)."""
    found = [name for name in names if name in text]
    if not found:
        return False
    code = code_of(text.encode("utf-8", "surrogatepass")).decode("utf-8", "surrogatepass")
    return any(re.search(re.escape(name) + r"(?!\w)", code) is not None for name in found)


@functools.lru_cache(maxsize=8)
def _last_parts(custom_names: tuple[str, ...]) -> re.Pattern[str]:
    words = sorted({name.rsplit(".", 1)[-1] for name in custom_names}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b")


@functools.lru_cache(maxsize=8)
def prefilter_for(custom_names: tuple[str, ...]) -> Prefilter:
    """The prefilter for a model that also knows the configured `custom_names`."""
    return Prefilter(model_names(custom_names), memoizers_of(custom_names))


def memoizers_of(custom_names: Iterable[str] = ()) -> frozenset[str]:
    """The qualified names of the libraries' decorators that add nothing to the function
    they decorate but a memo of its results (`functools.lru_cache`): a call of it returns
    what the function returns, and no method of it is a cache operation (dogpile's
    `get_user.invalidate(uid)` is: its decorator is not one of these). A name the
    configuration declares is not one, whatever it declares it to be."""
    return frozenset(name for library in LIBRARIES for name, decorator in library.decorators.items()
                     if not decorator.methods) - frozenset(custom_names)
