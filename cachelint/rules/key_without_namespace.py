"""CL003 key-without-namespace: a cache key that starts with a dynamic value, not `entity:`."""
from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from cachelint.model import (
    DEFAULT_SEPARATOR,
    CacheOp,
    KeyShape,
    ModuleModel,
    Part,
    Passed,
    Scope,
    Source,
    describe_key,
    named_keys,
)
from cachelint.rules.base import Finding, Option, Rule, RuleContext

# Words a name ends in when its value identifies a record: `product_id`, `userId`, `pk`, `slug`.
_ID_WORDS = {"id", "pk", "slug", "uuid", "uid", "guid", "ids", "pks"}
# Natural keys of a record: a value so named is data, never a ready-made cache key.
_NATURAL_KEYS = {"email", "username", "login", "phone", "sku", "isbn", "ean", "upc"}
_SHORT_ID = re.compile(r"^[a-z]ids?$")  # pid, uid, oid, pids…
# What an id names when the entry is itself the thing: a lock's id (`lock_id`, Celery's
# cookbook `memcache_lock(lock_id, oid)`) is the name of the cache entry that is the lock.
_ENTRY_WORDS = {"lock", "mutex", "semaphore"}
_ID_GENERATORS = ("uuid.", "secrets.token_", "shortuuid.")
# Words a name ends in when its value may itself be a namespace: `prefix`, `cls.__name__`;
# or starts with one: a URL, with its scheme and host.
_NAMESPACE_WORDS = {
    "prefix", "namespace", "ns", "name", "qualname", "module", "label", "type", "kind", "model",
    "table", "entity", "bucket", "scope", "category", "class", "cls", "app", "service", "version",
    "group", "domain", "realm", "section", "resource", "collection", "tenant", "site", "env",
    "url", "uri",
}
# Receivers too generic to name an entity: `obj.pk` says nothing, `article.pk` does.
_GENERIC_OWNERS = {"self", "cls", "obj", "instance", "request", "item", "row", "data", "record", "o", "x"}
# Words of a function name that say what it does, not what it caches.
_VERBS = {
    "get", "set", "load", "fetch", "cached", "cache", "update", "delete", "invalidate", "clear", "build",
    "make", "key", "compute", "render", "view", "api", "handle", "refresh", "read", "write", "store",
    "save", "remove", "list", "on", "for", "by", "of", "the", "to", "from", "and", "async", "bust", "warm",
    "put", "add", "incr", "increment", "count", "track", "record", "mark", "touch", "lookup", "find",
}
_PLACEHOLDER = "<entity>"


class KeyWithoutNamespace(Rule):
    """
    ## What it does
    Flags a cache key that starts with a dynamic value instead of a constant namespace:
    `r.get(product_id)`, `str(pid)`, `f"{pid}"`, `"%s" % pid`, `pid + ":x"`. A key that is
    nothing but one value is flagged when the value is an identifier (`product_id`, `slug`),
    a natural key (`email`, `username`, `sku`) or request input (`request.args["q"]`). The key is
    resolved as far as the module allows: local variables (in every branch), module and
    class constants, f-strings, `%`, `.format`, `+`, `":".join(...)`, and key-builder
    functions and methods defined in the same module. Every cache call that uses such a
    key is reported: reads, writes and deletes.

    A key that starts with a parameter of a function the module calls is judged at those
    calls, whatever the parameter's name: it is reported, naming the call, when a call
    passes a value that makes the key start without a namespace (`_rendered(str(doc_id))`),
    and not when every call passes a namespaced one (`store(PREFIX + sid)`); the calls
    themselves are not reported again.

    Not flagged: constant keys; keys built by functions the analysis cannot see
    (imported builders, unknown methods); a parameter or attribute whose name says it
    already is a key (`key`, `cache_key`, `*_key`, `k`) or is the id of a lock (`lock_id`:
    the entry is the lock): that is the caller's business;
    a leading value whose name says it is a namespace (`prefix`, `cls.__name__`) or a URL
    (`f"{self.provider_url}/.well-known/openid-configuration"`: its scheme and host come
    first); a loop
    over `scan_iter(match="ns:*")`, whose keys start with `ns:`; and caches private to
    one purpose (`functools` caches, `cachetools` caches, module-level dicts).

    ## Why is this bad?
    A cache is one flat keyspace shared by every feature that uses it. `42` may be
    product 42's price today and user 42's profile tomorrow, when someone else caches
    users the same way: one overwrites the other, and a page shows a product where a
    user belongs, or another user's private data. Without a namespace you also cannot
    find, count or invalidate one kind of entry (`SCAN MATCH product:*`).

    ## Example
    ```python
    def fare_rules(pid):
        rules = cache.get(f"{pid}:rules")
        if rules is None:
            rules = load_rules(pid)
            cache.set(f"{pid}:rules", rules, 300)
        return rules
    ```

    ## Use instead
    ```python
    def fare_rules(pid):
        rules = cache.get(f"fare:{pid}:rules")
        if rules is None:
            rules = load_rules(pid)
            cache.set(f"fare:{pid}:rules", rules, 300)
        return rules
    ```
    There is no automatic fix: a new key starts out empty and the old entries linger
    until they expire, so choose the namespace and roll it out deliberately.

    ## Options
    `namespace-separator` (default `":"`): the text between the namespace and the rest of
    the key, used in the suggested key.
    """

    code = "CL003"
    name = "key-without-namespace"
    summary = "A cache key that starts with a dynamic value instead of a constant namespace."
    options = {
        "namespace-separator": Option(str, DEFAULT_SEPARATOR, "The text between a key's namespace and the rest."),
    }

    VALID = [
        # Namespaced keys, however they are built.
        """
        import redis

        r = redis.Redis()
        PREFIX = "fare"

        def product_key(pid):
            return f"product:{pid}"

        class Fares:
            NS = "fare"

            def _key(self, fare_id):
                return "%s:%s" % (self.NS, fare_id)

            def get(self, fare_id):
                return r.get(self._key(fare_id))

        def load(pid, flag):
            r.get(f"product:{pid}:rules")
            r.get("product:%s" % pid)
            r.get("product:{}".format(pid))
            r.get("product:" + str(pid))
            r.get(":".join([PREFIX, str(pid)]))
            r.get(product_key(pid))
            key = f"{PREFIX}:{pid}" if flag else "fare:all"
            r.delete(key)
            r.get("maintenance")
        """,
        # What the module cannot see, and names that say they are keys or namespaces.
        """
        from django.core.cache import cache

        from .keys import fare_key

        def get(key, default=None):
            return cache.get(key, default)

        def load(pid, cache_key, prefix, model):
            cache.get(fare_key(pid))
            cache.get(cache_key)
            cache.get(f"{prefix}:{pid}")
            cache.get(f"{model.__name__}:{pid}")
            cache.get(f"{pid.cache_key()}")

        def discovery(self):
            return cache.get(f"{self.provider_url}/.well-known/openid-configuration")
        """,
        # A key parameter every call of the module fills with a namespaced value.
        """
        import redis

        r = redis.Redis()
        STORE_PREFIX = "store:"

        def _load_store(store_id):
            raw = r.get(store_id)
            if raw is None:
                raw = fetch_store(store_id)
                r.set(store_id, raw, ex=600)
            return raw

        def store(sid):
            return _load_store(STORE_PREFIX + str(sid))

        def store_by_slug(slug):
            return _load_store(f"store:slug:{slug}")
        """,
        # A loop over a namespaced scan; caches private to one purpose.
        """
        import functools

        import redis

        r = redis.Redis()
        _products_cache = {}

        def purge():
            for key in r.scan_iter(match="session:*"):
                r.delete(key)

        def product(pid):
            if pid not in _products_cache:
                _products_cache[pid] = load(pid)
            return _products_cache[pid]
        """,
        # Keys of several at once: namespaced, given a `key_prefix`, or built elsewhere.
        """
        import memcache
        from django.core.cache import cache

        mc = memcache.Client(["127.0.0.1:11211"])

        def warm(product, mapping, keys):
            cache.set_many({f"product:{product.pk}": product, "product:count": 1}, 300)
            cache.delete_many([f"product:{product.pk}", f"product:{product.pk}:related"])
            mc.set_multi({str(product.pk): product}, time=300, key_prefix="product:")
            cache.set_many(mapping, 300)
            cache.get_many(keys)
        """,
    ]

    INVALID = [
        """
        import redis

        r = redis.Redis()

        def fare_rules(pid):
            rules = r.get(f"{pid}:rules")  # expect: CL003
            if rules is None:
                rules = load_rules(pid)
                r.set(f"{pid}:rules", rules, ex=300)  # expect: CL003
            return rules

        def product(product_id):
            return r.get(product_id)  # expect: CL003

        def customer(email):
            return r.get(email.lower())  # expect: CL003

        def products(pids):
            return r.mget(pids)  # expect: CL003

        def price(pid):
            r.get(str(pid))  # expect: CL003
            r.get("%s:price" % pid)  # expect: CL003
            r.get("{}:price".format(pid))  # expect: CL003
            r.delete(pid + ":x")  # expect: CL003
            r.ttl(f"{pid}:price")  # expect: CL003
            r.llen(f"{pid}:history")  # expect: CL003
        """,
        # Any one bad key among several: arguments, a list, a mapping.
        """
        import redis
        from django.core.cache import cache

        r = redis.Redis()

        def refresh(product):
            cache.set_many({f"product:{product.pk}": product, str(product.pk): product.name}, 300)  # expect: CL003
            cache.delete_many([f"product:{product.pk}", f"{product.pk}:related"])  # expect: CL003
            r.mset({f"{product.pk}:price": product.price})  # expect: CL003
            r.delete(f"product:{product.pk}", f"{product.pk}:stock")  # expect: CL003
            prices = {f"{product.pk}:price": product.price}
            r.mset(prices)  # expect: CL003
        """,
        # Through variables, branches and builders of the same module.
        """
        from django.core.cache import cache

        def comments_key(article_id):
            return f"{article_id}:comments"

        def comments(article_id, fresh):
            key = comments_key(article_id)
            if fresh:
                cache.delete(key)  # expect: CL003
            count = cache.get(key)  # expect: CL003
            return count

        class Keys:
            @staticmethod
            def likes(article_id):
                return f"{article_id}:likes"

            @classmethod
            def shares(cls, article_id):
                return f"{article_id}:shares"

        def popularity(article_id):
            likes = cache.get(Keys.likes(article_id))  # expect: CL003
            return likes, cache.get(Keys.shares(article_id))  # expect: CL003

        class CachedMixin:
            def cache_key(self, pk):
                return f"{pk}:detail"

        class ArticleDetail(CachedMixin, DetailView):
            def get(self, request, pk):
                return cache.get(self.cache_key(pk))  # expect: CL003

        def likes(request, slug):
            key = f"likes:{slug}"
            if request.GET.get("legacy"):
                key = slug
            return cache.get(key)  # expect: CL003
        """,
        # A key parameter of a helper, whatever its name, judged at the call that passes
        # a bare value (the call itself is not reported again).
        """
        from diskcache import Cache

        previews = Cache("/var/cache/previews")

        def _rendered(key, render, expire):
            data = previews.get(key)  # expect: CL003
            if data is None:
                data = render()
                previews.set(key, data, expire=expire)  # expect: CL003
            return data

        def thumbnail(doc_id):
            return _rendered(str(doc_id), lambda: render_page(doc_id, scale=0.25), 3600)

        def cover(doc_id):
            return _rendered(f"cover:{doc_id}", lambda: render_page(doc_id), 3600)
        """,
        # A whole key the client chose.
        """
        from flask import Flask, jsonify, request
        from flask_caching import Cache

        app = Flask(__name__)
        cache = Cache(app)

        @app.get("/lookup")
        def lookup():
            term = request.args["term"].strip()
            return jsonify(cache.get(term))  # expect: CL003
        """,
    ]

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        separator = context.options.get("namespace-separator", DEFAULT_SEPARATOR)
        for op in model.ops:
            if op.library.in_process or op.through_local_wrapper:  # the wrapper's own key is judged, at its callers
                continue
            found = next(
                ((key, shape, bare) for key in named_keys(op) for shape in model.keys.of(key, op.scope)
                 for bare in [_bare_callers(model, shape)] if bare or (bare is None and _is_bare(model, shape))),
                None,
            )
            if found is not None:
                key, shape, bare = found
                message = _callers_message(model, op, key, shape, bare, separator) if bare \
                    else _message(model, op, key, shape, separator)
                yield Finding(op.node, op.statement, message)


def _is_bare(model: ModuleModel, shape: KeyShape) -> bool:
    return _starts_without_namespace(shape) or _is_request_input(model, shape)


def _bare_callers(model: ModuleModel, shape: KeyShape) -> list[tuple[Passed, KeyShape]] | None:
    """A key that starts with a parameter is judged at the calls of its function the
    module has: the calls whose argument makes the key start without a namespace (empty
    when every call passes a namespaced value). None when the key does not start with a
    parameter or the module never calls the function: the key is judged as it is written."""
    first = shape.first
    if first is None or first.source is not Source.PARAMETER:
        return None
    calls = model.keys.passed(first)
    if not calls:
        return None
    bare = []
    for call in calls:
        for argument in call.shapes:
            whole = KeyShape(argument.parts + shape.parts[1:])
            if _is_bare(model, whole):
                bare.append((call, whole))
                break
    return bare


def _starts_without_namespace(shape: KeyShape) -> bool:
    first = shape.first
    if first is None or first.is_constant or first.opaque:
        return False
    words = _words(_last(first.name))
    if len(shape.parts) == 1:  # the whole key is this value: only an identifier is surely not a key
        return _is_identifier(first, words)
    return not (words and words[-1] in _NAMESPACE_WORDS)


def _is_request_input(model: ModuleModel, shape: KeyShape) -> bool:
    """A whole key the client chose (`r.get(request.args["q"])`) is no namespaced key."""
    first = shape.first
    return (len(shape.parts) == 1 and first is not None and not first.opaque
            and isinstance(first.node, cst.BaseExpression) and first.scope is not None
            and model.tainted(first.node, first.scope) is not None)


def _is_identifier(part: Part, words: list[str]) -> bool:
    """A value that identifies a record: `product_id`, `obj.slug`, `row["pk"]`, `uuid4()`.
    A digest is not (it may hash a whole namespaced key), nor is arithmetic."""
    if part.source is Source.CALL:
        return part.name.startswith(_ID_GENERATORS)
    if part.source is Source.EXPRESSION:
        return False
    last = words[-1] if words else ""
    if len(words) > 1 and words[-2] in _ENTRY_WORDS:
        return False
    return last in _ID_WORDS or last in _NATURAL_KEYS or bool(_SHORT_ID.match(last))


def _last(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _words(name: str) -> list[str]:
    """`product_id` -> [product, id]; `userId` -> [user, id]; `__name__` -> [name]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [word.lower() for word in spaced.split("_") if word]


def _message(model: ModuleModel, op: CacheOp, key: cst.BaseExpression, shape: KeyShape, separator: str) -> str:
    first = shape.parts[0]  # a key reported has parts
    shown = describe_key(model.code, key, shape)
    namespace = _namespace_for(first, op.scope)
    suggestion = f'f"{namespace}{separator}{shape.render(model.code)}"'
    if len(shape.parts) == 1:
        return (f"key {shown} is a bare value with no namespace: entries of different kinds with the same "
                f"value collide; use `{suggestion}`")
    return (f"key {shown} starts with `{first.render(model.code)}`, not a namespace: "
            f"entries of different kinds collide; use `{suggestion}`")


def _callers_message(model: ModuleModel, op: CacheOp, key: cst.BaseExpression, shape: KeyShape,
                     bare: list[tuple[Passed, KeyShape]], separator: str) -> str:
    """Names the first call that passes a bare value, and how many more do."""
    call, whole = bare[0]
    caller = call.site.scope.function
    where = f"`{caller.name}()`" if caller is not None else "module code"
    others = f" (and {len(bare) - 1} more call{'s' if len(bare) > 2 else ''})" if len(bare) > 1 else ""
    # The calling function says what it caches (`stock()` passing `sku`) better than the value.
    words = [word for word in _words(caller.name) if word not in _VERBS] if caller is not None else []
    namespace = words[0] if words else _namespace_for(whole.parts[0], call.site.scope)
    suggestion = f'f"{namespace}{separator}{whole.render(model.code)}"'
    first = shape.parts[0]
    assert first.scope is not None, "a parameter part has its function's scope"
    parameter = f"the parameter `{first.name}` of `{first.scope.name}()`"
    subject = parameter if len(shape.parts) == 1 else f"key {describe_key(model.code, key, shape)}, which starts with {parameter},"
    return (f"{subject} is a cache key, and {where} at line {model.location(call.site.order).row}{others} passes "
            f"`{' '.join(model.code(call.argument).split())}`, a value with no namespace: entries of different kinds "
            f"with the same value collide; make the key `{suggestion}`")


def _namespace_for(part: Part, scope: Scope) -> str:
    """The entity a key is about, guessed from the value's name or the function's name."""
    segments = part.name.split(".")
    words = [word for word in _words(segments[-1]) if word not in _ID_WORDS]
    if words and not _SHORT_ID.match(words[-1]):
        return "_".join(words)
    if len(segments) > 1 and segments[-2] not in _GENERIC_OWNERS and segments[-2].isidentifier():
        return segments[-2].lower()
    function = scope.function
    if function is not None:
        words = [word for word in _words(function.name) if word not in _VERBS]
        if words:
            return words[0]
    return _PLACEHOLDER
