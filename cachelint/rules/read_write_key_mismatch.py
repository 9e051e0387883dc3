"""CL015 read-write-key-mismatch: the miss branch writes a different key than it read."""
from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from cachelint.model import CacheOp, Difference, Guard, Match, ModuleModel, describe_key
from cachelint.rules.base import Finding, Rule, RuleContext

_HOW = {
    Difference.NAMESPACE: "another namespace",
    Difference.TEXT: "other constant text around the same values",
    Difference.ORDER: "the same values in another order",
    Difference.PARTS: "a part more or less",
}


class ReadWriteKeyMismatch(Rule):
    """
    ## What it does
    Flags the write of a cache-aside fill whose key is not the key that was read: the
    miss branch stores the loaded value under another namespace, with a part missing or
    added, with the parts in another order, or under a key built from the value itself.
    Keys are compared by what they are made of, so a key built by one builder for the
    read and the write, or spelled with `%` once and as an f-string once, is one key.

    ## Why is this bad?
    The entry that is written is never the one that is read. Every request misses, runs
    the slow path, and writes one more entry nobody reads: the cache does nothing but
    fill memory, and the load it was meant to take off the database stays. Nothing
    fails, so it goes unnoticed until someone looks at the hit rate.

    Only certain differences are reported: two keys whose parts are spelled differently
    (`request.user.pk` and `user_id`) may still hold the same value, and a miss branch
    that also writes the key it read is filling it (the other write is something else).

    ## Example
    ```python
    def profile(user_id):
        data = cache.get(f"user:{user_id}:profile")
        if data is None:
            data = load_profile(user_id)
            cache.set(f"users:{user_id}:profile", data, 300)
        return data
    ```

    ## Use instead
    ```python
    def profile_key(user_id):
        return f"user:{user_id}:profile"

    def profile(user_id):
        data = cache.get(profile_key(user_id))
        if data is None:
            data = load_profile(user_id)
            cache.set(profile_key(user_id), data, 300)
        return data
    ```
    """

    code = "CL015"
    name = "read-write-key-mismatch"
    summary = "The miss branch writes a different key than it read: the entry is never hit."

    VALID = [
        # One builder for both, and one key spelled two ways.
        """
        from django.core.cache import cache

        def quote_key(symbol, day):
            return f"quote:{symbol}:{day}"

        def quote(symbol, day):
            found = cache.get(quote_key(symbol, day))
            if found is None:
                found = fetch_quote(symbol, day)
                cache.set(quote_key(symbol, day), found, 600)
            return found

        def toc(slug, version):
            cached = cache.get("toc:%s:%s" % (slug, version))
            if cached is not None:
                return cached
            cached = build_toc(slug, version)
            cache.set(f"toc:{slug}:{version}", cached, 3600)
            return cached
        """,
        # The miss also writes the key it read; the other write is an index.
        """
        from django.core.cache import cache

        def article(pk):
            body = cache.get(f"article:{pk}")
            if body is None:
                body = render_article(pk)
                cache.set(f"article:{pk}", body, 600)
                cache.set(f"article-rendered-at:{pk}", body, 600)
            return body
        """,
        # Parts spelled differently may hold the same value.
        """
        from django.core.cache import cache

        def dashboard(request, user_id):
            data = cache.get(f"dashboard:{request.user.pk}")
            if data is None:
                data = build_dashboard(user_id)
                cache.set(f"dashboard:{user_id}", data, 60)
            return data
        """,
        # A marker keyed apart from the read is not a fill.
        """
        from django.core.cache import cache

        def reset(token, ip):
            if cache.get(f"reset:{token}") is None:
                cache.set(f"reset-fail:{ip}", 1, 300)
                return False
            return True
        """,
    ]

    INVALID = [
        """
        from django.core.cache import cache

        def profile(user_id):
            data = cache.get(f"user:{user_id}:profile")
            if data is None:
                data = load_profile(user_id)
                cache.set(f"users:{user_id}:profile", data, 300)  # expect: CL015
            return data

        def prices(region, currency):
            cached = cache.get(f"prices:{region}:{currency}")
            if cached is not None:
                return cached
            cached = load_prices(region, currency)
            cache.set(f"prices:{currency}:{region}", cached, 600)  # expect: CL015
            return cached
        """,
        # A part missing on the write; a constant key with a typo; a key built from the value.
        """
        import redis

        r = redis.Redis()

        def timeline(user_id, page):
            raw = r.get(f"timeline:{user_id}:{page}")
            if raw is None:
                raw = render_timeline(user_id, page)
                r.set(f"timeline:{user_id}", raw, ex=60)  # expect: CL015
            return raw

        def categories():
            tree = r.get("catalog:categories")
            if tree is not None:
                return tree
            tree = build_category_tree()
            r.set("catalog:category", tree, ex=3600)  # expect: CL015
            return tree

        def short_link(name):
            url = r.get("link:{}".format(name))
            if url:
                return url
            url = resolve_link(name)
            r.set("link:{}".format(url), url, ex=600)  # expect: CL015
            return url
        """,
    ]

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        by_read: dict[CacheOp, list[Guard]] = {}
        for guard in model.guards.all:
            by_read.setdefault(guard.read, []).append(guard)
        reported: set[CacheOp] = set()
        for read, guards in by_read.items():
            how = {guard.write: _difference(model, guard) for guard in guards}
            differences = {write: difference for write, difference in how.items() if difference}
            if len(differences) != len(how):
                continue  # the miss writes the key it read, or may: a fill, and something else
            for guard in guards:
                write = guard.write
                # Keys that differ are keys: a read or write without one matches nothing.
                if write in reported or not _fills(guard) or read.key is None or write.key is None:
                    continue
                reported.add(write)
                yield Finding(write.node, write.statement,
                              _message(model, read, read.key, write, write.key, differences[write]))


def _difference(model: ModuleModel, guard: Guard) -> str | None:
    """How the write's key certainly differs from the read's, or None."""
    match = model.key_match(guard.read, guard.write)
    if match.match is Match.DIFFERENT and match.difference is not None:  # a difference always says how
        return _HOW[match.difference]
    if match.match is Match.UNKNOWN and guard.stores_holder and guard.holder is not None \
            and _built_from(model, guard.write, guard.holder):
        return f"built from `{guard.holder}`, the value just loaded, which the read could not know"
    return None


def _built_from(model: ModuleModel, write: CacheOp, name: str) -> bool:
    return any(step.name == name and step.scope is write.scope
               for shape in model.key_shapes(write) for part in shape.dynamic for step in part.via)


def _fills(guard: Guard) -> bool:
    """The write stores data the miss loaded, for the read to find next time."""
    return guard.mark is None and guard.write.value is not None and (guard.stores_holder or guard.hit_uses_value)


def _message(model: ModuleModel, read: CacheOp, read_key: cst.BaseExpression, write: CacheOp,
             write_key: cst.BaseExpression, how: str) -> str:
    return (
        f"the miss writes {_key(model, write, write_key)} but reads {_key(model, read, read_key)} ({how}): the entry written is "
        f"never read, so every call misses and loads again; build both keys with one function"
    )


def _key(model: ModuleModel, op: CacheOp, key: cst.BaseExpression) -> str:
    """How the message quotes the key `key` of `op`."""
    shapes = model.key_shapes(op)
    return describe_key(model.code, key, shapes[0]) if len(shapes) == 1 else f"`{model.code(key)}`"
