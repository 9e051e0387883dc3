"""CL009 cache-write-in-transaction: a cache write or delete inside an open DB transaction."""
from __future__ import annotations

from collections.abc import Iterator

from cachelint.model import ModuleModel, Site, Transaction
from cachelint.rules._write_path import call_text, line, mutations, op_label, resets_a_counter, risk
from cachelint.rules.base import Finding, Rule, RuleContext

_LONGEST_CALL = 40


class CacheWriteInTransaction(Rule):
    """
    ## What it does
    Flags a cache write or delete lexically inside a DB transaction that writes:
    `with transaction.atomic():`, a function decorated `@transaction.atomic`,
    `with session.begin():`, `with engine.begin() as conn:`, `async with
    conn.transaction():` (asyncpg, psycopg), `db.atomic()` (peewee), `in_transaction()`
    and `@atomic()` (Tortoise). A transaction writes when it makes a DB write the model
    knows, calls `save`/`delete`/`create`… on something of unknown type (`form.save()`,
    `self.get_object().delete()`), or runs a project function imported from another module
    (`from .services import transfer`). A call deferred until the commit,
    `transaction.on_commit(lambda: cache.delete(key))` or an `after_commit` listener, is
    not inside. Nor is a delete or count of a counter: a key its module (or, for a
    project wrapper such as `rate_limit_reset(...)`, the wrapper's module) only ever
    counts under (`incr(k)`, started by `set(k, 0, nx=True)`): a rate-limit counter has
    no rows behind it for a reader to re-fill from. A constant written inside the block
    still counts: `set(k, "cancelled")` mirrors a row's state.

    The transaction may be the caller's: a function of the module called inside a
    caller's transaction runs inside it (`with transaction.atomic(): form.save();
    forget(pk)`, where `forget` calls `bust_profile`, which deletes the key), followed
    up to two calls; the message names the calls.

    ## Why is this bad?
    Until the transaction commits, nobody else sees its writes. Deleting the key there
    lets a concurrent reader miss, read the old row, and cache it again before the
    commit: the invalidation is lost. Writing the new value there caches data the
    database may still roll back. Either way the cache disagrees with the database
    until the entry expires.

    ## Example
    ```python
    from django.core.cache import cache
    from django.db import transaction

    def rename(product_id, name):
        with transaction.atomic():
            Product.objects.filter(pk=product_id).update(name=name)
            cache.delete(f"product:{product_id}")
    ```

    ## Use instead
    ```python
    from django.core.cache import cache
    from django.db import transaction

    def rename(product_id, name):
        with transaction.atomic():
            Product.objects.filter(pk=product_id).update(name=name)
            transaction.on_commit(lambda: cache.delete(f"product:{product_id}"))
    ```
    Outside Django, invalidate after the `with` block, or from an `after_commit` event
    listener. A transaction that only reads may touch the cache.
    """

    code = "CL009"
    name = "cache-write-in-transaction"
    summary = "A cache write or delete inside an open DB transaction, before it commits."

    VALID = [
        # Deferred to the commit, after the block, or in a transaction that only reads.
        """
        from django.core.cache import cache
        from django.db import transaction

        from .models import Product

        def rename(product_id, name):
            with transaction.atomic():
                Product.objects.filter(pk=product_id).update(name=name)
                transaction.on_commit(lambda: cache.delete(f"product:{product_id}"))

        def reprice(product_id, price):
            with transaction.atomic():
                Product.objects.filter(pk=product_id).update(price=price)
            cache.delete(f"product:{product_id}")

        def snapshot(product_id):
            with transaction.atomic():
                product = Product.objects.select_for_update().get(pk=product_id)
                cache.set(f"product:{product_id}", product.price, 60)
                return cache.get(f"stock:{product_id}")
        """,
        # SQLAlchemy: after the `with` block; a nested function is not run inside it.
        """
        import redis
        from sqlalchemy import update

        from .models import Link

        r = redis.Redis()

        def retarget(session, link_id, url):
            with session.begin():
                session.execute(update(Link).where(Link.id == link_id).values(url=url))

                def bust():
                    r.delete(f"link:{link_id}")
            r.delete(f"link:{link_id}")
            return bust
        """,
        # A helper called after the block, or deferred to the commit by its caller.
        """
        from django.core.cache import cache
        from django.db import transaction

        from .models import Profile

        def bust_profile(pk):
            cache.delete(f"profile:{pk}")
            cache.delete(f"profile:{pk}:perms")

        def rename(pk, name):
            with transaction.atomic():
                Profile.objects.filter(pk=pk).update(name=name)
            bust_profile(pk)

        def save_profile(form):
            with transaction.atomic():
                profile = form.save()
                transaction.on_commit(lambda: bust_profile(profile.pk))
        """,
        # A counter holds no rows: resetting it inside the block re-fills nothing.
        """
        import redis
        from django.contrib.auth import update_session_auth_hash
        from django.db import transaction

        r = redis.Redis()

        def count_attempt(user_id):
            r.set(f"ratelimit:pwchange:{user_id}", 0, nx=True, ex=3600)
            return r.incr(f"ratelimit:pwchange:{user_id}")

        def change_password(request, form):
            with transaction.atomic():
                user = form.save()
                r.delete(f"ratelimit:pwchange:{user.pk}")
            update_session_auth_hash(request, user)
        """,
    ]

    INVALID = [
        # Django, as a block and as a decorator.
        """
        from django.core.cache import cache
        from django.db import transaction

        from .models import Article, Product
        from .services import transfer

        def rename(product_id, name):
            with transaction.atomic():
                Product.objects.filter(pk=product_id).update(name=name)
                cache.delete(f"product:{product_id}")  # expect: CL009

        @transaction.atomic
        def publish(article_id):
            article = Article.objects.select_for_update().get(pk=article_id)
            article.published = True
            article.save()
            cache.set(f"article:{article_id}", article.title, 300)  # expect: CL009

        def edit(form):
            with transaction.atomic():
                article = form.save()
                cache.delete(f"article:{article.pk}")  # expect: CL009

        def move(src, dst, amount):
            with transaction.atomic():
                transfer(src, dst, amount)
                cache.delete(f"account:{src}")  # expect: CL009

        def visit(article_id):
            cache.set(f"article:{article_id}:views", 0, nx=True)
            cache.incr(f"article:{article_id}:views")

        def retitle(article_id, title):
            with transaction.atomic():
                Article.objects.filter(pk=article_id).update(title=title)
                cache.delete(f"article:{article_id}")  # expect: CL009
        """,
        # SQLAlchemy, asyncpg and peewee scopes; before the write counts too.
        """
        import redis
        from redis.asyncio import Redis
        from sqlalchemy import update

        from .models import Link, Product

        r = redis.Redis()
        ar = Redis()

        def retarget(engine, link_id, url):
            with engine.begin() as conn:
                r.delete(f"link:{link_id}")  # expect: CL009
                conn.execute(update(Link).where(Link.id == link_id).values(url=url))

        async def close_room(pool, room_id):
            async with pool.acquire() as conn:
                async with conn.transaction():
                    await conn.execute("UPDATE rooms SET open = false WHERE id = $1", room_id)
                    await ar.delete(f"room:{room_id}")  # expect: CL009

        def archive(db, product_id):
            with db.atomic():
                Product.update(archived=True).where(Product.id == product_id).execute()
                r.delete(f"product:{product_id}")  # expect: CL009
        """,
        # A connection's own block commits at its end: sqlite3, psycopg, or the module's helper.
        """
        import sqlite3

        import redis

        r = redis.Redis()

        def get_db():
            conn = sqlite3.connect("shop.db")
            conn.row_factory = sqlite3.Row
            return conn

        def zero_stock(sku):
            with get_db() as db:
                db.execute("UPDATE stock SET qty = 0 WHERE sku = ?", (sku,))
                r.delete(f"stock:{sku}")  # expect: CL009
        """,
        # The caller's transaction: the helper runs inside it, two calls down.
        """
        from django.core.cache import cache
        from django.db import transaction

        def bust_profile(pk):
            cache.delete(f"profile:{pk}")  # expect: CL009
            cache.delete(f"profile:{pk}:perms")  # expect: CL009

        def forget(pk):
            bust_profile(pk)

        def save_profile(form):
            with transaction.atomic():
                form.save()
                forget(form.instance.pk)
        """,
    ]

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        if not model.db.transactions:
            return
        ops = mutations(model)
        for op in ops:
            writing = [t for t in model.db.transactions_around(op.node, op.scope) if _writes(t)]
            entered = None if writing else next(
                ((calls, t) for calls, t in model.db.entered_from(op.scope.function) if _writes(t)), None)
            if not writing and entered is None or resets_a_counter(model, op):
                continue  # outside a transaction that writes, or no rows behind it for a reader to re-fill from
            if writing:
                yield Finding(op.node, op.statement, _message(model, op, writing[0]))
            elif entered is not None:
                calls, transaction = entered
                yield Finding(op.node, op.statement, _message(model, op, transaction, calls))


def _writes(transaction: Transaction) -> bool:
    return bool(transaction.writes) or transaction.may_write


def _message(model: ModuleModel, op, transaction: Transaction, calls: tuple[Site, ...] = ()) -> str:
    where = f"`{transaction.label}` (line {line(model, transaction.node)})"
    if calls:
        through = ", which calls ".join(f"`{call_text(model, site.node, _LONGEST_CALL)}` (line {line(model, site.node)})"
                                        for site in calls)
        where += f" through {through}"
    decorated = transaction.label.startswith("@")
    if decorated:
        where = f"the transaction of {where}"
    if transaction.django:
        deferred = call_text(model, calls[0].node, _LONGEST_CALL) if calls else "..."
        advice = f"defer {'the call' if calls else 'it'} with `transaction.on_commit(lambda: {deferred})`"
    elif decorated:
        advice = f"run {'the call' if calls else 'it'} after the decorated function returns"
    else:
        advice = f"move {'the call' if calls else 'it'} after the block"
    return f"{op_label(model, op)} runs inside {where}, before it commits: {risk(op)}; {advice}"
