"""Whole words of identifiers, attribute names, key segments and column names.

`words("hashedPassword")` is `("hashed", "password")`; `words("user:42:api-key")` is
`("user", "42", "api", "key")`. A term such as `password_hash` matches a text when its
words appear in the text's words one after the other: `user_password_hash` has it,
`password_hasher` and `passwordhash` do not. A plural in the text has its singular
(`access_tokens` has `access_token`, `balances` has `balance`); a plural term needs the
plural (`permission_denied` does not have `permissions`).
"""
from __future__ import annotations

import functools
import re

# An acronym before a capitalised word (`API` in `APIKey`), a capitalised or lower-case
# word, an acronym, or a number; everything else separates words.
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


@functools.lru_cache(maxsize=4096)  # rules ask for the words of the same names again and again
def words(text: str) -> tuple[str, ...]:
    """The lower-cased words of `text`, snake_case, camelCase and any punctuation split."""
    return tuple(word.lower() for word in _WORD.findall(text))


def contains(text_words: tuple[str, ...], term_words: tuple[str, ...]) -> bool:
    """Whether `term_words` occur in `text_words` one after the other."""
    size = len(term_words)
    return size > 0 and any(
        all(_same(word, term) for word, term in zip(text_words[i:i + size], term_words))
        for i in range(len(text_words) - size + 1)
    )


def _same(word: str, term: str) -> bool:
    return word == term or word in (term + "s", term + "es")


def is_key_name(name: str) -> bool:
    """`key`, `k`, `cache_key`, `cacheKey`, `keys`: a name that says its value is a key."""
    last = name.rsplit(".", 1)[-1].lower().rstrip("_")
    return last in ("k", "ck") or last.endswith(("key", "keys"))
