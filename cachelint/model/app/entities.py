"""Entities: what a DB write changes and what a cache key holds, named so the two compare.

A table `products`, a model `Product` and a key namespace `product:` are one entity to a
reader. `canonical(name)` is that reader's view: lowercase, case and separators dropped,
the last word made singular. So

    canonical("products") == canonical("Product") == canonical("product") == "product"
    canonical("ProductVariant") == canonical("product_variants") == "productvariant"

A table whose name carries an app prefix, as Django's default `<app>_<model>` tables do
(`catalog_product`, `auth_user`), also answers to its last word (`product`, `user`).
A key answers to every word of its constant text: `thread:{tid}:posts` holds threads'
posts, and concerns both `Thread` and `Post`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst

from cachelint.model.cache.facts import CacheOp
from cachelint.model.cache.keys import KeyShapes
from cachelint.model.core.words import words

_SEGMENT = re.compile(r"[A-Za-z0-9_\-]+")  # a key's text between separators (`:`, `/`, `.`…)
_IRREGULAR = {"people": "person", "children": "child", "men": "man", "women": "woman", "mice": "mouse"}
_UNCHANGED_ENDINGS = ("ss", "us", "is", "news", "series", "data", "media")


def singular(word: str) -> str:
    """`categories` -> `category`, `boxes` -> `box`, `addresses` -> `address`, `products`
    -> `product`; words that are not plurals (`status`, `news`) stay as they are. Both
    sides of a comparison go through it, so being consistent matters more than being right."""
    word = word.lower()
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(_UNCHANGED_ENDINGS) or len(word) < 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes", "uses")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def canonical(name: str) -> str:
    """The form in which tables, models and key words compare (see the module docstring)."""
    parts = words(name)
    if not parts:
        return ""
    return "".join(parts[:-1]) + singular(parts[-1])


@dataclass(frozen=True)
class Entity:
    """What a DB write changes: a table (`products`, from SQL) or a model class (`Product`)."""

    name: str
    kind: str  # "table" or "model"

    @property
    def names(self) -> frozenset[str]:
        """The canonical names the entity answers to. A table named `<app>_<model>` (Django's
        `catalog_product`, `auth_user`: its last word singular) also answers to its model;
        `cart_items` is not `Item`'s table."""
        names = {canonical(self.name)}
        if self.kind == "table":
            table = self.name.rsplit(".", 1)[-1]  # schema.table
            names.add(canonical(table))
            last = self.last_word
            if last is not None and singular(last) == last.lower():
                names.add(canonical(last))
        names.discard("")
        return frozenset(names)

    @property
    def last_word(self) -> str | None:
        """`item` for `LineItem` or `cart_items`; None for a one-word name."""
        found = words(self.name.rsplit(".", 1)[-1])
        return found[-1] if len(found) > 1 else None

    @property
    def first_word(self) -> str | None:
        """`shelf` for `ShelfBook` or `shelf_books`; None for a one-word name."""
        found = words(self.name.rsplit(".", 1)[-1])
        return found[0] if len(found) > 1 else None

    @property
    def label(self) -> str:
        return f"table `{self.name}`" if self.kind == "table" else f"model `{self.name}`"

    def held_by(self, key_names: frozenset[str]) -> bool:
        """Whether a key whose words are `key_names` (see `key_names`) concerns this entity.
        A key may also name it by its last word: `order:{oid}:items` holds `LineItem` rows
        or `order_items` rows, `profile:{pk}` a `UserProfile` (but a write to `Item` is not
        one to `LineItem`: `names` stays whole)."""
        if not self.names.isdisjoint(key_names):
            return True
        last = self.last_word
        return last is not None and singular(last) in key_names

    def filled_under(self, key_names: frozenset[str]) -> bool:
        """Whether a key whose words are `key_names`, filled from this entity's rows, says it
        holds them: it names the entity as for `held_by`, or by the first word of its
        name (`active_shelf-{user.id}-{book.id}` filled from `ShelfBook`, the rows that put
        books on shelves). The fill shows what is cached; the key only has to speak of it.
        A key that speaks of something else (`heuristic:{event.pk}` for an aggregate of
        addresses) may be meant to lag behind."""
        first = self.first_word
        return self.held_by(key_names) or first is not None and singular(first) in key_names


def key_names(texts: Iterable[str]) -> frozenset[str]:
    """The canonical names a key's constant texts answer to: every segment between
    separators, and its first and last word (`user_orders:` -> `userorder`, `user`,
    `order`); the words in between describe rather than name (`mail_days_order_warning`)."""
    names: set[str] = set()
    for text in texts:
        for segment in _SEGMENT.findall(text):
            names.add(canonical(segment))
            segment_words = words(segment)
            if segment_words:
                names.update((singular(segment_words[0]), singular(segment_words[-1])))
    names.discard("")
    return frozenset(name for name in names if not name.isdigit())


def cached_names(keys: KeyShapes, op: CacheOp) -> frozenset[str] | None:
    """The canonical names of what `op`'s keys hold (`product:{pid}` -> `product`), or
    None when a key has no constant text to tell (a parameter, `clear()`)."""
    names: set[str] = set()
    expressions = key_expressions(op)
    if not expressions:
        return None
    for expr in expressions:
        for shape in keys.of(expr, op.scope):
            found = key_names(part.text for part in shape.parts if part.is_constant)
            if not found:
                return None
            names |= found
    return frozenset(names)


def key_expressions(op: CacheOp) -> list[cst.BaseExpression]:
    """The key, or when the library table names none or takes several: every positional
    argument (`r.delete(*keys)`, `r.delete(k1, k2)`, `delete_pattern("product:*")`) and
    the keys of a dict value (`set_many({...})`)."""
    if op.key is not None and not op.spec.variadic_keys:
        return [op.key]
    found = []
    if op.call is not None:
        found = [arg.value for arg in op.call.args if arg.keyword is None]
    if isinstance(op.value, cst.Dict):
        found += [element.key for element in op.value.elements if isinstance(element, cst.DictElement)]
    return found
