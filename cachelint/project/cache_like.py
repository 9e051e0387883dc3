"""What looks like cache use when the model does not understand it: a method some cache
library has, called on a receiver whose name says cache, store or Redis
(`self.store.get(key)`, `get_redis().set(…)`), unless the receiver is known to be a
built-in container or an object store from another package (`extract._Facts.unresolved`
lists them where the model modelled the code, `unmodelled` where it did not).

`may_hold_calls` is the first look at a text the model did not see: whether it may hold
such a call at all. It imports no LibCST, as the prefilter, which most files stop at, and
it is cheap: the files the prefilter drops from their text (most of a project's) each get
it, and each yes costs a parse with Python's parser.
"""
from __future__ import annotations

import enum
import functools
import re

from cachelint.model.core.words import is_key_name
from cachelint.model.libraries import LIBRARIES
from cachelint.prefilter import code_of, lower_case

CACHE_METHODS = frozenset(name for library in LIBRARIES for name in library.methods)
_CACHE_WORDS = re.compile(r"cache|redis|valkey|memcache", re.I)
# "store" only as a word of its own: `event_store`, `PluginStore`, `stores`; not `stored_ids`, `restore`.
_STORE_WORDS = frozenset({"store", "stores"})
# A last word that says the name holds something about a cache, not the cache: `cache_config`,
# `cached_value`, `redis_settings`, `cache_entry`, `store_path`.
_ABOUT_A_CACHE = frozenset({
    "value", "values", "config", "conf", "settings", "options", "entry", "entries",
    "timeout", "ttl", "dir", "path", "file", "name", "names", "stats", "info", "version", "url", "prefix",
})
# Built-in containers: a receiver bound to one is a dict, list or set, whatever its name.
CONTAINERS = frozenset({
    "dict", "list", "set", "collections.OrderedDict", "collections.defaultdict", "collections.deque",
    "typing.OrderedDict", "typing.DefaultDict", "typing.Deque",  # aliases that make one when called
    "weakref.WeakValueDictionary", "weakref.WeakKeyDictionary",
})
# The last part of an annotation that says a container (`dict`, `Dict[str, int]`).
CONTAINER_ANNOTATIONS = frozenset({"dict", "list", "set", "defaultdict", "ordereddict"})


def looks_like_a_cache(name: str) -> bool:
    """`cache`, `_redis`, `event_store`, `MemcacheClient`; not `cache_key`, `cached_at`,
    `cache_config`, `stored_ids`."""
    words = [word.lower() for word in re.split(r"_|(?<=[a-z0-9])(?=[A-Z])", name) if word]
    if not words or is_key_name(name) or name.lower().lstrip("_").startswith("cached") or words[-1] in _ABOUT_A_CACHE:
        return False
    return _CACHE_WORDS.search(name) is not None or not _STORE_WORDS.isdisjoint(words)


def only_a_store(name: str) -> bool:
    """Named like a cache only by the word "store" (an object store, a session store…)."""
    return _CACHE_WORDS.search(name) is None


# ---------------------------------------------------------------- the text's first look

# In lowercased text: the rest of a name holding one of the words, then what may make it
# the receiver of a method call, `cache.get(`, `get_redis(...).set(`: spaces, line
# continuations, comments and closing parentheses, then a `.` and a name, or a call's `(`.
# Outside strings and comments, a character that is not ASCII can only be part of a name.
_WORDS = ("cache", "redis", "valkey", "store")  # one of which every name that looks like a cache holds
_GAP = r"(?:[ \t\r\n\f)\\]|#[^\r\n]*)*"
# A word character or any that is not ASCII, written as the ASCII characters it is not:
# `[\w\x80-\U0010ffff]` matches the same, but `re` takes 15 ms to compile each pattern
# holding it (a bitmap of every code point), a tenth of a small file's run.
_NAME_CHARACTER = r"[^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"
_RECEIVER_END = re.compile(rf"{_NAME_CHARACTER}*{_GAP}(?:\(|\.{_GAP}({_NAME_CHARACTER}+))")
_METHOD_AFTER_CALL = re.compile(rf"{_GAP}\.{_GAP}({_NAME_CHARACTER}+)")
_NAME = re.compile(rf"{_NAME_CHARACTER}+")
# What `re.IGNORECASE` (`looks_like_a_cache`) takes for one of the words' letters, and
# `str.lower` does not make one.
_FOLDED = (("\u017f", "s"), ("\u0131", "i"))


def may_hold_calls(text: str) -> bool:
    """Whether a module's text may hold a call `unmodelled.unmodelled_calls` finds: a name
    that looks like a cache, followed by a cache method (or by a call, the method after
    its closing parenthesis), in its code (not in a string or a comment: a docstring's
    `cache.get(key)`). Errs towards yes: a doubt costs a look at the syntax tree."""
    return first_look(text)[0]


def first_look(text: str) -> tuple[bool, bool]:
    """`may_hold_calls(text)` and `may_name_a_cache(text)`, told from one search of the
    words (the prefilter drops most files, and each gets both)."""
    # The text first, which is cheaper to read than to strip of its strings and comments.
    shape = _call_shape(text)
    return shape is _Shape.CALL and _call_shape(code_text(text)) is _Shape.CALL, shape is not _Shape.NO_WORD


def may_name_a_cache(text: str) -> bool:
    """Whether a module's text may hold a name that looks like a cache (`looks_like_a_cache`):
    one of `_WORDS` in its lower case, which every such name holds; or a character that is
    not ASCII (a name may spell a word's letter otherwise: `\u017f` for `s`). A text that
    holds none defines no attribute the project types (`engine._typed_attributes`)."""
    if not text.isascii():
        return True
    lowered = lower_case(text)  # the prefilter's, for most files: kept for the text asked last
    return any(word in lowered for word in _WORDS)


class _Shape(enum.Enum):
    """What the words of a text tell (`_call_shape`)."""

    NO_WORD = "no word of a name like a cache"  # and every character ASCII
    WORD = "such a word, in no call's shape"
    CALL = "the shape of a call"


@functools.lru_cache(maxsize=1)  # the file's code is asked again once its calls are looked for
def code_text(text: str) -> str:
    """`text` without its comments and plain strings (`prefilter.code_of`), still a `str`:
    `code_of` cuts the text's UTF-8 only at ASCII characters."""
    return code_of(text.encode("utf-8", "surrogatepass")).decode("utf-8", "surrogatepass")


def _call_shape(text: str) -> _Shape:
    lowered = lower_case(text)
    found = _Shape.NO_WORD
    if not text.isascii():
        found = _Shape.WORD  # a name may spell a word's letter otherwise (`may_name_a_cache`)
        if len(lowered) != len(text):  # a letter lowercased to two: the positions differ
            return _Shape.CALL
        for letter, folded in _FOLDED:
            if letter in lowered:
                lowered = lowered.replace(letter, folded)
    for word in _WORDS:
        index = lowered.find(word)
        if index != -1:
            found = _Shape.WORD
        while index != -1:
            end = _RECEIVER_END.match(lowered, index + len(word))
            if end is not None and (end.group(1) is None or end.group(1) in CACHE_METHODS) and _may_be_receiver(
                    text, lowered, index, end):
                return _Shape.CALL
            index = lowered.find(word, index + len(word))
    return found


def _may_be_receiver(text: str, lowered: str, index: int, end: re.Match[str]) -> bool:
    """Whether the name around `index` looks like a cache (as the model spells it: as
    written), and what follows it, ending at `end`, makes it the receiver of a cache
    method."""
    start = index
    while start and (text[start - 1].isalnum() or text[start - 1] == "_" or not text[start - 1].isascii()):
        start -= 1
    name = _NAME.match(text, start)
    if name is None or not looks_like_a_cache(name.group()):
        return False
    if end.group(1) is not None:
        return True
    closed = _closing_parenthesis(lowered, end.end() - 1)
    if closed is None:
        return True
    after = _METHOD_AFTER_CALL.match(lowered, closed)
    return after is not None and after.group(1) in CACHE_METHODS


def _closing_parenthesis(text: str, opening: int) -> int | None:
    """Where the parenthesis opened at `opening` closes (just after it), counting
    parentheses alone; None when a string or a comment in between may hold one. An empty
    string (`''`, as `prefilter.code_of` leaves each plain string) holds none, unless it
    may be the start of an f-string's (or a t-string's) text, whose fields hold code."""
    depth = 0
    index = opening
    while True:
        found = _PARENTHESIS_OR_DOUBT.search(text, index)
        if found is None:
            return None
        token = found.group()
        index = found.end()
        if token == "''":
            if _may_be_formatted(text, found.start()):
                return None
        elif token not in "()":
            return None
        else:
            depth += 1 if token == "(" else -1
            if depth == 0:
                return index


_PARENTHESIS_OR_DOUBT = re.compile(r"''|[()'\"#]")


def _may_be_formatted(text: str, quote: int) -> bool:
    """Whether the letters right before the quote at `quote` (its prefix, or a keyword:
    `not''`) hold an f or a t."""
    start = quote
    while start and text[start - 1].isalpha():
        start -= 1
    prefix = text[start:quote].lower()
    return "f" in prefix or "t" in prefix
