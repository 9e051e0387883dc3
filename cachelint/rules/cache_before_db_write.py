"""CL006 cache-before-db-write: the cache is written or invalidated before the DB write or its commit."""
from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from cachelint.model import (
    CacheOp,
    DbWrite,
    Entity,
    Flow,
    Kind,
    ModuleModel,
    RowKind,
    Scope,
    Source,
    StoredData,
    WriteKind,
    cached_names,
    chain_arguments,
    children,
    dotted,
    key_expressions,
    words,
)
from cachelint.rules._write_path import line, mutations, op_label, risk, write_label
from cachelint.rules.base import Finding, Rule, RuleContext

_LOCKS = frozenset({"lock", "mutex", "semaphore"})  # key words that name a lock


class CacheBeforeDbWrite(Rule):
    """
    ## What it does
    Flags a cache write, delete or expiry that runs, in one function, before a DB write
    that follows it (raw `execute("UPDATE ...")`, ORM `save`/`update`/`delete`/`create`/
    `bulk_*`, `session.add`, `execute(update(...))`), or between the DB write and its
    explicit `commit()`.

    The cache call and the write must concern the same entity where both are known:
    the words of the key (`product:{id}`, `thread:{id}:posts`) against the table or
    model written (`products`, `Product`, `Post`). A view derived from other rows counts
    too: an invalidation of `perms:{user_id}` before `Membership.objects.filter(
    user_id=user_id).delete()` carries the same identifier value as the write (so does
    `liked-{request.user.id}` before a write given `user=request.user`), unless the
    module fills that key from elsewhere (functions that store request data or count,
    and read nothing). An invalidation before a write whose
    entity is unknown still counts, and so does one before a `commit()` or `flush()`.
    A cache call inside a transaction that writes is CL009's business instead. A write
    only when the key is absent (`add`, `setnx`, `get_or_set`) takes a lock or fills a
    miss with what was read, and so does a write after a miss test on a read of the same
    key (`if cached is None: ... cache.set(key, value)`); a key named a lock
    (`lock:product:{id}`) holds no entity's data, and `clear()` resets the whole cache:
    none is reported. Nor is dropping a memoised function's entry right before calling
    that function (`delete_memoized(type_by_name, name)` then `type_by_name(name)`): a
    write inside it runs in the call that fills the entry again, before the result is stored.
    Nor are keys read whole from a field named a key of the very rows the write then
    changes (`keys = rows.values_list("key", flat=True)`; `cache.delete_many(keys)`;
    `rows.delete()`, or `[r.cache_key for r in KeyRecord.query...]` before a delete of
    `KeyRecord` rows): a table that records the cache's own keys holds none of the data
    cached. Keys from another field (`[page.slug for page in pages]`) or built around
    one, and keys recorded in one table before a write of another, are still flagged.
    Nor is a write of other rows of the model than the one the key is about: the key
    carries a row's key (`doc:{doc.pk}`), and the write changes rows a loop draws by their
    relation to that row (`for version in Doc.objects.filter(root_doc=doc)`, the field
    naming the model or `doc` known to be a `Doc`), each directly or through a function of
    the module that writes only the row it is handed, or hands on rows related to it. A row
    is not its own parent or root; a key of a user's orders before a loop over the orders
    of that user (`customer=user`) is still flagged.
    Test code (`tests/`, `test_*.py`) is not checked: a test sets its rows up alone, with no
    reader in between to fill the key again.

    ## Why is this bad?
    The cache then runs ahead of the database. A reader that misses between the
    invalidation and the commit reads the old row and caches it again, so the
    invalidation is lost until the entry expires. A value written to the cache first
    stays there if the DB write then fails or rolls back.

    ## Example
    ```python
    def archive_product(product_id):
        r.delete(f"product:{product_id}")
        conn.execute("UPDATE products SET archived = 1 WHERE id = ?", (product_id,))
        conn.commit()
    ```

    ## Use instead
    ```python
    def archive_product(product_id):
        conn.execute("UPDATE products SET archived = 1 WHERE id = ?", (product_id,))
        conn.commit()
        r.delete(f"product:{product_id}")
    ```
    Write, commit, then invalidate. Moving the call changes behaviour, so cachelint
    does not do it for you; the message says where it belongs.
    """

    code = "CL006"
    name = "cache-before-db-write"
    summary = "The cache is written or invalidated before the DB write or its commit."

    VALID = [
        # The keys dropped are read from the rows deleted next: a table of the cache's own
        # keys, whose rows hold none of the data cached.
        """
        from django.core.cache import cache

        from .models import CacheKey

        def clear(site_id):
            cache_keys = CacheKey.objects.filter(site=site_id)
            to_be_deleted = cache_keys.values_list("key", flat=True)
            cache.delete_many(to_be_deleted)
            cache_keys.delete()
        """,
        # The same with SQLAlchemy: each key is a whole `cache_key` of the registry rows read
        # first, and the delete changes only those registry rows.
        """
        from flask_caching import Cache
        from flask_sqlalchemy import SQLAlchemy

        cache = Cache()
        db = SQLAlchemy()

        class RenderedKey(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            cache_key = db.Column(db.String(250))
            dashboard_id = db.Column(db.Integer)

        def forget_dashboard(dashboard_id):
            records = RenderedKey.query.filter_by(dashboard_id=dashboard_id).all()
            keys = [record.cache_key for record in records]
            cache.delete_many(*keys)
            db.session.execute(RenderedKey.__table__.delete().where(RenderedKey.cache_key.in_(keys)))
            db.session.commit()
        """,
        # Invalidation after the commit; a read before the write; another entity.
        """
        import sqlite3

        import redis

        r = redis.Redis()

        def archive_product(product_id):
            cached = r.get(f"product:{product_id}")
            conn = sqlite3.connect("shop.db")
            conn.execute("UPDATE products SET archived = 1 WHERE id = ?", (product_id,))
            conn.commit()
            r.delete(f"product:{product_id}")
            return cached

        def rename_category(category_id, name):
            r.incr(f"stats:renames:{category_id}")
            conn = sqlite3.connect("shop.db")
            conn.execute("UPDATE categories SET name = ? WHERE id = ?", (name, category_id))
            conn.commit()
        """,
        # Django: deferred to the commit, after an autocommitted write, or in another branch.
        """
        from django.core.cache import cache
        from django.db import transaction
        from django.db.models import F

        from .models import Order

        def mark_shipped(order_id, tracking_no):
            transaction.on_commit(lambda: cache.delete(f"order:{order_id}:tracking"))
            Order.objects.filter(pk=order_id).update(status="shipped", tracking_no=tracking_no)

        def cancel(order_id):
            Order.objects.filter(pk=order_id).update(status="cancelled")
            cache.delete(f"order:{order_id}")

        def refresh(order_id, order):
            if order is None:
                cache.delete(f"order:{order_id}")
                return
            order.save()

        def track(order_id):
            summary = cache.get_or_set(f"order:{order_id}", lambda: load_summary(order_id), 60)
            Order.objects.filter(pk=order_id).update(viewed=True)
            return summary

        def detail(order_id):
            summary = cache.get(f"order:{order_id}")
            if summary is None:
                summary = load_summary(order_id)
                cache.set(f"order:{order_id}", summary, 60)
            Order.objects.filter(pk=order_id).update(views=F("views") + 1)
            return summary

        def status(order_id):
            if (state := cache.get(f"order:{order_id}:state")) is not None:
                return state
            state = Order.objects.get(pk=order_id).state
            cache.set(f"order:{order_id}:state", state, 60)
            Order.objects.filter(pk=order_id).update(checked=True)
            return state

        def save_locked(order: Order):
            if not cache.add(f"lock:order:{order.pk}", 1, 30):
                return
            cache.touch(f"order:{order.pk}:lock", 60)
            try:
                order.save()
            finally:
                cache.delete(f"lock:order:{order.pk}")
        """,
    ]

    VALID += [
        # A key the module fills from somewhere else (a counter of failed logins) is not a
        # view of the audit rows written next, though both carry the user's id.
        """
        from django.core.cache import cache

        from .models import AuditEntry

        def failed_login(user_id):
            cache.add(f"attempts:{user_id}", 0, 900)
            cache.incr(f"attempts:{user_id}")

        def login_succeeded(user_id):
            cache.delete(f"attempts:{user_id}")
            AuditEntry.objects.create(user_id=user_id, action="login")
        """,
        # The memo dropped is the one the next call fills again: the lookup creates the
        # missing type inside that call, and the memoizer stores its result after the write.
        """
        from flask_caching import Cache

        from .models import EntityType, db

        cache = Cache()

        @cache.memoize(timeout=240)
        def type_by_name(name):
            found = EntityType.query.filter_by(name=name).first()
            if found is None:
                found = EntityType(name=name)
                db.session.add(found)
                db.session.commit()
            return found.serialize()

        def temporal_type(name):
            found = type_by_name(name)
            if found is None:
                cache.delete_memoized(type_by_name, name)
                found = type_by_name(name)
            return found
        """,
    ]

    INVALID = [
        # Before the UPDATE, and between the UPDATE and its commit.
        """
        import sqlite3

        import redis

        r = redis.Redis()

        def archive_product(product_id):
            r.delete(f"product:{product_id}")  # expect: CL006
            conn = sqlite3.connect("shop.db")
            conn.execute("UPDATE products SET archived = 1 WHERE id = ?", (product_id,))
            conn.commit()

        def reprice(product_id, price):
            conn = sqlite3.connect("shop.db")
            conn.execute("UPDATE products SET price = ? WHERE id = ?", (price, product_id))
            r.set(f"product:{product_id}:price", price, ex=60)  # expect: CL006
            conn.commit()
        """,
        # Django ORM and SQLAlchemy; the key's words name the model written.
        """
        from django.core.cache import cache
        from flask_caching import Cache
        from rest_framework import viewsets
        from sqlalchemy import update

        from .catalog_models import Banner
        from .models import Invoice, Link, Order, Post, db

        flask_cache = Cache()

        @flask_cache.memoize(timeout=300)
        def post_payload(post_id):
            return db.session.get(Post, post_id)

        def mark_shipped(order_id, tracking_no):
            cache.delete(f"order:{order_id}:tracking")  # expect: CL006
            Order.objects.filter(pk=order_id).update(status="shipped", tracking_no=tracking_no)

        def purge(user_id, thread_ids):
            cache.delete_many([f"thread:{tid}:posts" for tid in thread_ids])  # expect: CL006
            Post.objects.filter(author_id=user_id).delete()

        def retarget(session, link_id, url):
            cache.delete(f"link:{link_id}")  # expect: CL006
            session.execute(update(Link).where(Link.id == link_id).values(url=url))
            session.commit()

        def retitle(post, title):
            post.title = title
            flask_cache.delete_memoized(post_payload, post.id)  # expect: CL006
            db.session.commit()

        def rotate_banner(banner_id):
            cache.delete(f"banner:{banner_id}")  # expect: CL006
            Banner.update(active=False).where(Banner.id == banner_id).execute()

        class OrderViewSet(viewsets.ModelViewSet):
            def perform_destroy(self, instance):
                cache.delete(f"order:{instance.pk}")  # expect: CL006
                instance.delete()

            def perform_update(self, serializer):
                cache.delete(f"order:{serializer.instance.pk}")  # expect: CL006
                serializer.save()

        def relabel(order_id, label):
            current = cache.get(f"order:{order_id}:label")
            if current == label:
                return
            cache.set(f"order:{order_id}:label", label, 60)  # expect: CL006
            Order.objects.filter(pk=order_id).update(label=label)

        def pay(session, invoice: Invoice):
            invoice.status = "paid"
            session.add(invoice)
            session.flush()  # sends the UPDATE, which stays uncommitted
            cache.set(f"invoice:{invoice.id}", invoice.status, 300)  # expect: CL006
            session.commit()

        def rename(order_id, label):
            cache.incr_version(f"order:{order_id}")  # expect: CL006
            Order.objects.filter(pk=order_id).update(label=label)
        """,
        # Keys read from rows are not always a registry: a page's bare slug is the page's own
        # entry, and keys recorded in one table can hold the rows of another that is written.
        """
        from django.core.cache import cache

        from .models import MenuItem, MenuKey, Page

        def unpublish_section(section_id):
            pages = Page.objects.filter(section_id=section_id)
            cache.delete_many([page.slug for page in pages])  # expect: CL006
            pages.update(published=False)

        def clear_menu(menu_id):
            stale = MenuKey.objects.filter(menu_id=menu_id).values_list("key", flat=True)
            cache.delete_many(stale)  # expect: CL006
            MenuItem.objects.filter(menu_id=menu_id).delete()
        """,
        # A derived view: the permissions of a member are dropped before the membership
        # they are computed from changes, found by the identifier both carry.
        """
        from django.core.cache import cache

        from .models import Membership

        def leave_team(user_id, team_id):
            cache.delete(f"perms:{user_id}")  # expect: CL006
            Membership.objects.filter(user_id=user_id, team_id=team_id).delete()
        """,
    ]

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        ops = mutations(model)
        if not ops or not model.db.writes or model.is_test_code:
            return  # a test sets its rows up alone: no reader runs between its delete and its write
        flows: dict[Scope | None, Flow] = {}
        misses = _MissTests(model)
        shared = _SharedIdentifiers(model)
        registry = _KeyRegistry(model)
        for op in ops:
            if op.spec.if_absent or not key_expressions(op) or misses.filled_by(op):
                continue  # `add`/`get_or_set` take a lock or fill a miss; `clear()` resets the whole cache
            function = op.scope.function
            writes = model.db.writes_in(function)
            if not writes or any(t.writes for t in model.db.transactions_around(op.node, op.scope)):
                continue
            if function not in flows:
                flows[function] = Flow(function.node if function else model.module, model.spans)
            found = _first_write_after(model, op, writes, flows[function], shared)
            if found is not None and not _repeated_after(model, op, found[0]) \
                    and not registry.holds_keys_of(op, found[0]):
                write, committed = found
                derived = None if write.is_commit_point or _concerns(op, cached_names(model.keys, op), [write.entity]) \
                    else shared.between(op, write)
                yield Finding(op.node, op.statement, _message(model, op, write, committed, writes, flows[function], derived))


def _first_write_after(model: ModuleModel, op: CacheOp, writes: list[DbWrite], flow: Flow,
                       shared: _SharedIdentifiers) -> tuple[DbWrite, list[DbWrite]] | None:
    """The first write that can run after `op` and concerns what `op` caches, with the
    uncommitted writes before `op` that it commits (for a commit point). A commit point
    concerns the entities of the writes since the previous commit, or an unknown entity."""
    names = cached_names(model.keys, op)
    if names is not None and names & _LOCKS:
        return None  # `r.set(f"lock:product:{pid}", 1, nx=True)`: a lock, not the product's data
    pending: list[DbWrite] = []  # written since the last commit
    for write in writes:
        if write.order > op.order and flow.may_follow(op.order, write.order) and not _refills(model, op, write) \
                and not shared.other_rows(op, write):
            entities = [w.entity for w in pending] if write.is_commit_point and pending else [write.entity]
            if _concerns(op, names, entities) or (not write.is_commit_point and shared.between(op, write)):
                committed = [w for w in pending if w.order < op.order and not w.is_commit_point]
                return write, committed if write.is_commit_point else []
        # A flush sends the writes but leaves them uncommitted: only a commit ends them.
        pending = [] if write.kind is WriteKind.COMMIT else [*pending, write]
    return None


class _MissTests:
    """The reads of each function by key text, and its `if` statements, found once."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self._reads: dict[tuple[Scope | None, str], list[CacheOp]] = {}
        for op in model.ops:
            if op.kind is Kind.READ and op.key is not None:
                self._reads.setdefault((op.scope.function, model.code(op.key)), []).append(op)
        self._ifs: dict[Scope | None, list[cst.If]] = {}

    def filled_by(self, op: CacheOp) -> bool:
        """`if data is None: ...; cache.set(key, data)`: a write after a test of what a read
        of the same key gave fills a miss with what the function loaded, which the DB
        already has (what `get_or_set` does in one call)."""
        if op.kind is not Kind.WRITE or op.key is None or _is_parameter(op.value, op):
            return False  # storing what the caller passed in is a write-through, not a fill
        model = self.model
        function = op.scope.function
        reads = [read for read in self._reads.get((function, model.code(op.key)), ()) if read.order < op.order]
        if not reads:
            return False
        names = {name for read in reads if (name := _result_name(read)) is not None}
        spans = model.spans
        start = spans.start(op.node)
        if function not in self._ifs:
            self._ifs[function] = list(_ifs(function.node if function else model.module))
        for test in self._ifs[function]:
            if spans.start(test) > start or not _tests(model, test.test, names, reads):
                continue
            body = spans[test.body]
            if body.start <= start < body.start + body.length:
                return True  # `if cached is None: ... cache.set(key, value)`
            if start >= body.start + body.length and test.orelse is None and any(
                    isinstance(small, (cst.Return, cst.Raise)) for line in test.body.body
                    if isinstance(line, cst.SimpleStatementLine) for small in line.body):
                return True  # `if cached is not None: return cached` then the fill
        return False


def _is_parameter(value: cst.BaseExpression | None, op: CacheOp) -> bool:
    if not isinstance(value, cst.Name):
        return False
    bindings = op.scope.lookup(value.value, op.order)
    return len(bindings) == 1 and bindings[0].kind == "param"


def _result_name(read: CacheOp) -> str | None:
    """`cached` for `cached = cache.get(key)`."""
    statement = read.statement
    small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
        return small.targets[0].target.value
    return None


def _ifs(node: cst.CSTNode) -> Iterator[cst.If]:
    """The `if` statements of a function's own code, not of the functions nested in it:
    found through statement bodies alone, never inside expressions."""
    stack = [node]
    while stack:
        current = stack.pop()
        # Exact types, cheaper than failing `isinstance` tests (no node class has subclasses).
        if current is not node and (type(current) is cst.FunctionDef or type(current) is cst.ClassDef):
            continue
        if type(current) is cst.If:
            yield current
        for part in _BODIES:
            inner = getattr(current, part, None)
            if inner is None:
                continue
            if isinstance(inner, (list, tuple)):
                stack.extend(inner)
            elif isinstance(inner, cst.CSTNode):
                stack.append(inner)


_BODIES = ("body", "orelse", "handlers", "finalbody", "cases")  # what holds statements


def _tests(model: ModuleModel, test: cst.BaseExpression, names: set[str], reads: list[CacheOp]) -> bool:
    """Whether an `if` test looks at what one of `reads` gave: its variable, or the read itself."""
    span = model.spans[test]
    if any(span.start <= model.spans.start(read.node) < span.start + span.length for read in reads):
        return True  # `if (cached := cache.get(key)) is None:`
    stack: list[cst.CSTNode] = [test]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name) and node.value in names:
            return True
        stack.extend(children(node))
    return False


def _repeated_after(model: ModuleModel, op: CacheOp, write: DbWrite) -> bool:
    """Whether the same key is invalidated again after `write` (now or on commit): the
    "delete twice" pattern, where the early delete is harmless."""
    if op.kind is not Kind.DELETE or op.key is None:
        return False
    key = model.code(op.key)
    return any(
        other.kind is Kind.DELETE and other.order > write.order and other.scope.function is op.scope.function
        and other.key is not None and model.code(other.key) == key
        for other in model.ops
    )


def _refills(model: ModuleModel, op: CacheOp, write: DbWrite) -> bool:
    """`cache.delete_memoized(lookup, name)` then `lookup(name)`, where the memoised `lookup`
    creates what it does not find: the write runs inside the call that fills the dropped
    entry again, and a memoizer stores a result only after the body has run, so the cache
    never runs ahead of the database. The function handed to the delete is the evidence
    that the entry is that function's memo."""
    if op.kind is not Kind.DELETE or write.through is None:
        return False
    resolver = model.call_resolver
    called = resolver.function_called(write.node.func, write.scope, write.order)
    return called is not None and any(
        isinstance(expr, cst.Name) and resolver.function_called(expr, op.scope, op.order) is called
        for expr in key_expressions(op)
    )


class _KeyRegistry:
    """Whether the keys an operation drops are read, whole, from a field named a key of the
    rows the write changes: `keys = rows.values_list("key", flat=True); cache.delete_many(keys);
    rows.delete()` (django CMS's `CacheKey`), or `keys = [r.cache_key for r in
    session.query(KeyRecord)...]` before a delete of `KeyRecord` rows. Such a table records
    the cache's own keys; it holds none of the data cached, so dropping the entries first is
    not running ahead of it. A field that is not named a key (`slug`), or keys built around
    the field (`f"page:{p.slug}"`), are the written rows' own data in the cache."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self.stored = StoredData(model)

    def holds_keys_of(self, op: CacheOp, write: DbWrite) -> bool:
        expressions = key_expressions(op)
        return bool(expressions) and all(self._read_from(expr, op, write) for expr in expressions)

    def _read_from(self, key: cst.BaseExpression, op: CacheOp, write: DbWrite) -> bool:
        scope = op.scope
        if isinstance(key, cst.Name):
            binding = self.model.binding_of(key, scope, op.order)
            if binding is None or binding.assigned is None:
                return False
            key, scope = binding.assigned, binding.scope
        field_rows = _field_of_rows(key)
        if field_rows is None or "key" not in words(field_rows[0]):
            return False
        rows = field_rows[1]
        root = _root(rows)
        if root is not None and root.islower() and root == _root(write.node):
            return True  # the same queryset: `rows.values_list("key")` then `rows.delete()`
        return write.entity is not None and any(
            row.kind is RowKind.MODEL and not Entity(row.entity, "model").names.isdisjoint(write.entity.names)
            for row in self.stored.rows_of(rows, scope))


def _field_of_rows(expr: cst.BaseExpression) -> tuple[str, cst.BaseExpression] | None:
    """The field and the rows for `rows.values_list("key", flat=True)` and `[r.key for r in rows]`."""
    if isinstance(expr, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        element, loop = expr.elt, expr.for_in
        if isinstance(element, cst.Attribute) and isinstance(element.value, cst.Name) \
                and isinstance(loop.target, cst.Name) and element.value.value == loop.target.value:
            return element.attr.value, loop.iter
    elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "values_list":
        fields = [argument.value for argument in expr.args if argument.keyword is None]
        if len(fields) == 1 and isinstance(fields[0], cst.SimpleString) \
                and isinstance(text := fields[0].evaluated_value, str):
            return text, expr.func.value
    return None


def _root(expr: cst.BaseExpression) -> str | None:
    """The name a chain of calls, attributes and subscripts starts from: `rows` for
    `rows.distinct().values_list("key")`."""
    while True:
        if isinstance(expr, cst.Call):
            expr = expr.func
        elif isinstance(expr, (cst.Attribute, cst.Subscript)):
            expr = expr.value
        else:
            return expr.value if isinstance(expr, cst.Name) else None


def _concerns(op: CacheOp, names: frozenset[str] | None, entities: list[Entity | None]) -> bool:
    """Same entity where both are known; an invalidation also counts against an unknown one."""
    if names is not None and any(entity is not None and entity.held_by(names) for entity in entities):
        return True
    return op.kind is Kind.DELETE and (names is None or None in entities)


class _SharedIdentifiers:
    """A derived view: an invalidation of `perms:{user_id}` before
    `Membership.objects.filter(user_id=user_id).delete()` concerns the rows the write
    changes when the key and the write carry the same identifier value, and the module
    does not fill the key from somewhere else (a key it only ever stores request data,
    a counter or a session under, in functions that read nothing)."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self._filled_elsewhere: dict[str, bool] = {}
        self._fills: dict[str, list[CacheOp]] | None = None  # the module's writes by the namespaces of their keys

    def between(self, op: CacheOp, write: DbWrite) -> str | None:
        """The identifier `op`'s key and `write` share, or None."""
        if op.kind is not Kind.DELETE or self._fill_known_elsewhere(op):
            return None
        written = {code for argument in chain_arguments(write.node) if (code := dotted(argument)) is not None}
        for identifier in self._identifiers(op):
            if identifier in written or _object_of(identifier) in written:
                return identifier
        return None

    def other_rows(self, op: CacheOp, write: DbWrite) -> bool:
        """Whether `write` changes only other rows of the model than the one `op`'s key is
        about (`doc:{doc.pk}` before a loop that writes each of `doc`'s versions)."""
        return write.entity is not None and any(
            self.model.db.changes_other_rows(write, identifier) for identifier in self._identifiers(op))

    def _identifiers(self, op: CacheOp) -> Iterator[str]:
        for expr in key_expressions(op):
            for shape in self.model.keys.of(expr, op.scope):
                for part in shape.dynamic:
                    name = part.via[-1].name if part.via else part.name
                    if part.source in (Source.PARAMETER, Source.NAME, Source.ATTRIBUTE) and _is_identifier(name):
                        yield name

    def _fill_known_elsewhere(self, op: CacheOp) -> bool:
        namespace = next((shape.namespace() for expr in key_expressions(op)
                          for shape in self.model.keys.of(expr, op.scope)), None)
        if namespace is None:
            return False
        if namespace not in self._filled_elsewhere:
            fills = self._fills_by_namespace().get(namespace, [])
            self._filled_elsewhere[namespace] = bool(fills) and not any(
                (function := fill.scope.function_def) is not None and self.model.does_io(function) for fill in fills)
        return self._filled_elsewhere[namespace]

    def _fills_by_namespace(self) -> dict[str, list[CacheOp]]:
        """The module's writes, in order, under each namespace one of their keys has: read
        once, not for each namespace asked about (a module of 2,000 functions each with its
        own namespace read every operation again for each, 18 s; now 3)."""
        if self._fills is None:
            self._fills = {}
            for other in self.model.ops:
                if other.kind is Kind.WRITE:
                    namespaces = {namespace for expr in key_expressions(other)
                                  for shape in self.model.keys.of(expr, other.scope)
                                  if (namespace := shape.namespace()) is not None}
                    for namespace in namespaces:
                        self._fills.setdefault(namespace, []).append(other)
        return self._fills


def _object_of(identifier: str) -> str | None:
    """The object an identifier is the id of: `request.user` for `request.user.id`, which a
    write given `user=request.user` stores as that id."""
    owner, _, last = identifier.rpartition(".")
    return owner if owner and last in ("id", "pk") else None


def _is_identifier(name: str) -> bool:
    last = name.rsplit(".", 1)[-1].lower()
    return last in ("id", "pk", "uuid", "slug") or last.endswith(("_id", "_pk", "_uuid"))


def _message(model: ModuleModel, op: CacheOp, write: DbWrite, committed: list[DbWrite],
             writes: list[DbWrite], flow: Flow, derived: str | None) -> str:
    if committed:
        what = f"runs after {write_label(model, committed[-1])} but before {write_label(model, write)} commits it"
    elif write.is_commit_point:
        what = f"runs before {write_label(model, write)}"
    elif derived is not None:
        what = f"runs before the database write {write_label(model, write)}, which changes the rows of `{derived}` the key is about"
    else:
        what = f"runs before the database write {write_label(model, write)}"
    return f"{op_label(model, op)} {what}: {risk(op)}; move it after {_anchor(model, write, writes, flow)}"


def _anchor(model: ModuleModel, write: DbWrite, writes: list[DbWrite], flow: Flow) -> str:
    """Where the cache call belongs: after the commit of `write`, or the transaction block
    `write` is in, or else `write` itself."""
    if not write.is_commit_point:
        commit = next((w for w in writes if w.kind is WriteKind.COMMIT and w.order > write.order
                       and flow.may_follow(write.order, w.order)), None)
        if commit is not None:
            write = commit
        else:
            around = model.db.transactions_around(write.node, write.scope)
            if around:
                return f"the `{around[0].label}` block (line {line(model, around[0].node)})"
    return f"`{write.label}` (line {line(model, write.node)})"
