"""CL006 and CL009 beyond their examples: the seed's products scenario, messages, and the
entity and commit fine print."""
from __future__ import annotations

from pathlib import Path

from tests.conftest import lint, lint_tree

PRODUCTS = """
import sqlite3

import redis
from django.core.cache import cache
from django.db import connection, transaction

r = redis.Redis()
PRODUCT_TTL = 60


def get_product(product_id):
    key = f"product:{product_id}"
    product = cache.get(key)
    if product is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, name, price FROM products WHERE id = %s", [product_id])
            product = cursor.fetchone()
        cache.set(key, product, PRODUCT_TTL)
    return product


def update_price_then_bust(product_id, price):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE products SET price = %s WHERE id = %s", [price, product_id])
    cache.delete(f"product:{product_id}")


def bust_then_update_price(product_id, price):
    cache.delete(f"product:{product_id}")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE products SET price = %s WHERE id = %s", [price, product_id])


def update_price_busting_inside(product_id, price):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE products SET price = %s WHERE id = %s", [price, product_id])
        cache.delete(f"product:{product_id}")
"""


def _found(source: str) -> list[tuple[int, str]]:
    return [(d.location.row, d.code) for d in lint(source, select=("CL006", "CL009"))]


def _messages(source: str) -> list[str]:
    return [d.message for d in lint(source, select=("CL006", "CL009"))]


def test_the_seed_scenario_products_cached_60_seconds():
    assert _found(PRODUCTS) == [(31, "CL006"), (40, "CL009")]


def test_the_seed_scenario_messages_say_where_the_call_belongs():
    assert _messages(PRODUCTS) == [
        '`cache.delete(f"product:{product_id}")` runs before the database write `UPDATE products` (line 33): '
        "a reader can re-fill the key from the old rows before the commit; move it after `UPDATE products` (line 33)",
        '`cache.delete(f"product:{product_id}")` runs inside `with transaction.atomic()` (line 37), before it '
        "commits: a reader can re-fill the key from the old rows before the commit; defer it with "
        "`transaction.on_commit(lambda: ...)`",
    ]


def test_a_write_in_a_later_transaction_block_is_followed_by_the_block():
    messages = _messages(
        """
        from django.core.cache import cache
        from django.db import transaction

        from .models import Product

        def rename(product_id, name):
            cache.delete(f"product:{product_id}")
            with transaction.atomic():
                Product.objects.filter(pk=product_id).update(name=name)
        """
    )
    assert messages == [
        '`cache.delete(f"product:{product_id}")` runs before the database write '
        "`Product.objects.filter(…).update(…)` (line 10): a reader can re-fill the key from the old rows before "
        "the commit; move it after the `with transaction.atomic()` block (line 9)"
    ]


def test_commit_points_and_unknown_entities():
    assert _found(
        """
        import redis

        r = redis.Redis()

        def flush_pending(session, key):
            r.delete(key)
            session.commit()

        def warm(session, key, value):
            r.set(key, value, ex=60)
            session.commit()

        def touch(db, user_id):
            r.delete(f"devices:{user_id}")
            db.execute(f"DELETE FROM {db.table} WHERE user_id = %s", (user_id,))
            db.commit()

        def reset(db, user_id):
            r.flushdb()
            db.execute("DELETE FROM devices WHERE user_id = %s", (user_id,))
        """
    ) == [(7, "CL006"), (15, "CL006")]


def test_deleting_again_after_the_commit_makes_the_early_delete_harmless():
    assert _found(
        """
        from django.core.cache import cache
        from django.db import transaction

        from .models import Order

        def cancel(order_id):
            cache.delete(f"order:{order_id}")
            Order.objects.filter(pk=order_id).update(status="cancelled")
            transaction.on_commit(lambda: cache.delete(f"order:{order_id}"))

        def ship(order_id):
            cache.delete(f"order:{order_id}")
            Order.objects.filter(pk=order_id).update(status="shipped")
            cache.delete(f"order:{order_id}")
        """
    ) == []


def test_model_save_overrides_that_invalidate_first():
    assert _found(
        """
        from django.core.cache import cache
        from django.db import models

        class Post(models.Model):
            def save(self, *args, **kwargs):
                cache.delete("posts")
                super().save(*args, **kwargs)

            def delete(self, *args, **kwargs):
                super().delete(*args, **kwargs)
                cache.delete("posts")
        """
    ) == [(7, "CL006")]


def test_a_transaction_that_only_reads_is_left_alone_and_a_nested_one_counts():
    assert _found(
        """
        from django.core.cache import cache
        from django.db import transaction

        from .models import Seat

        def free_seats(performance_id):
            with transaction.atomic():
                count = Seat.objects.filter(performance_id=performance_id, taken=False).count()
                cache.set(f"performance:{performance_id}:free", count, 10)
            return count

        def take(seat_id):
            with transaction.atomic():
                Seat.objects.filter(pk=seat_id).update(taken=True)
                with transaction.atomic():
                    cache.delete(f"seat:{seat_id}")
        """
    ) == [(17, "CL009")]


def test_a_helper_of_the_module_that_writes_is_a_write():
    assert _messages(
        """
        import redis

        r = redis.Redis()

        class Catalog:
            def __init__(self, conn):
                self.conn = conn

            def _store_price(self, pid, price):
                self.conn.execute("UPDATE products SET price = ? WHERE id = ?", (price, pid))

            def reprice(self, pid, price):
                r.delete(f"product:{pid}")
                self._store_price(pid, price)
                self.conn.commit()
        """
    ) == [
        '`r.delete(f"product:{pid}")` runs before the database write `self._store_price(…)` (line 15, which runs '
        "`UPDATE products` at line 11): a reader can re-fill the key from the old rows before the commit; move it "
        "after `self.conn.commit()` (line 16)"
    ]


def test_a_commit_concerns_what_it_commits():
    assert _found(
        """
        import sqlite3

        import redis

        r = redis.Redis()

        def rename_category(category_id, name, product_id):
            conn = sqlite3.connect("shop.db")
            r.delete(f"product:{product_id}")
            conn.execute("UPDATE categories SET name = ? WHERE id = ?", (name, category_id))
            conn.commit()

        def reprice(product_id, price):
            conn = sqlite3.connect("shop.db")
            conn.execute("UPDATE categories SET touched = 1")
            conn.execute("UPDATE products SET price = ? WHERE id = ?", (price, product_id))
            r.delete(f"product:{product_id}")
            conn.commit()
        """
    ) == [(18, "CL006")]


# A rate-limit helper of another module, called inside a transaction (pretix's
# `rate_limit_reset`): its key holds a counter, which no reader re-fills from rows.
RATE_LIMITS = {
    "shop/__init__.py": "",
    "shop/ratelimit.py": """\
        import hashlib

        from django_redis import get_redis_connection

        def _key(name, parameters):
            return f"shop:ratelimit:{name}:" + hashlib.sha256(",".join(map(str, parameters)).encode()).hexdigest()

        def rate_limit(name, *parameters, limit):
            rc = get_redis_connection("redis")
            pipe = rc.pipeline()
            pipe.set(_key(name, parameters), 0, nx=True, ex=3600)
            pipe.incr(_key(name, parameters))
            return pipe.execute()[1] > limit

        def rate_limit_reset(name, *parameters):
            get_redis_connection("redis").delete(_key(name, parameters))
        """,
    "shop/profiles.py": """\
        from django_redis import get_redis_connection

        def _key(user_id):
            return f"shop:profile:{user_id}"

        def store_profile(user_id):
            get_redis_connection("redis").set(_key(user_id), render_profile(user_id), ex=600)

        def forget_profile(user_id):
            get_redis_connection("redis").delete(_key(user_id))
        """,
    "shop/views.py": """\
        from django.db import transaction

        from .profiles import forget_profile
        from .ratelimit import rate_limit_reset

        def change_password(request, form):
            with transaction.atomic():
                user = form.save()
                rate_limit_reset("pwreset", user.pk)
                forget_profile(user.pk)
        """,
}


def test_a_counter_reset_through_another_modules_helper_is_not_a_write_in_the_transaction(tmp_path):
    found = lint_tree(tmp_path, RATE_LIMITS, ("CL009",))
    # The profile helper's key holds rendered data, so dropping it inside the block still counts.
    assert [(Path(d.filename).name, d.location.row, d.message.split(" runs ")[0]) for d in found] == [
        ("views.py", 10, "`forget_profile(user.pk)`")
    ]


# A key built from an object's id, and a write handed the object itself (bookwyrm's
# favourites: `fav-{request.user.id}-{status_id}` and `Favorite.objects.create(user=request.user)`):
# the write stores that id, so they concern the same rows.
LIKES = """
from django.core.cache import cache

from .models import Like, Post


def like(request, post_id):
    cache.delete(f"liked-{request.user.id}-{post_id}")
    post = Post.objects.get(pk=post_id)
    Like.objects.create(post=post, {author})
"""


def test_a_key_with_an_objects_id_and_a_write_given_that_object_concern_the_same_rows():
    [message] = _messages(LIKES.replace("{author}", "user=request.user"))
    assert "which changes the rows of `request.user.id` the key is about" in message


def test_a_write_given_another_object_shares_no_identifier():
    assert _found(LIKES.replace("{author}", "user=request.site")) == []


def test_the_fills_of_a_namespace_are_read_once_per_module(monkeypatch):
    """Whether a key's namespace is filled elsewhere in the module (which makes a delete
    before a write sharing its identifier not about the written rows) is looked up in the
    module's writes by namespace, read once: not every write again for each namespace
    asked about (a module of 2,000 functions, each with a namespace of its own, took 18 s)."""
    from cachelint.rules import cache_before_db_write

    read = []
    expressions = cache_before_db_write.key_expressions
    monkeypatch.setattr(cache_before_db_write, "key_expressions", lambda op: read.append(op) or expressions(op))
    functions = "".join(f"""
        def fill_{n}(pid):
            cache.set(f"shelf{n}:{{pid}}", Product.objects.get(pk=pid), 60)

        def rename_{n}(pid, name):
            cache.delete(f"shelf{n}:{{pid}}")
            Product.objects.filter(pk=pid).update(name=name)
        """ for n in range(30))
    lint("""
        from django.core.cache import cache
        from shop.models import Product
        """ + functions, select=("CL006",))
    assert len(read) <= 4 * 60  # each of the 60 operations a few times, not each write for each delete


def test_a_test_that_drops_a_key_before_setting_up_rows_is_not_reported():
    # In a test nothing reads between the delete and the update: no stale re-fill to fear.
    source = """
        from django.core.cache import cache

        from shop.models import Stock

        def test_restock_is_seen(stock):
            cache.delete(f"stock:{stock.pk}")
            Stock.objects.filter(pk=stock.pk).update(level=10)
            assert level_of(stock.pk) == 10
        """
    assert lint(source, select=("CL006",), filename="shop/tests/test_stock.py") == []
    assert [d.code for d in lint(source, select=("CL006",), filename="shop/stock.py")] == ["CL006"]


# A key about one row, then writes of rows a query relates to that row through another
# field: a category's sub-categories, a revision chain. Those are other rows.
SUBTREE = """
from django.core.cache import cache

from .models import Category


def category_key(category_id):
    return f"category:{{category_id}}:summary"


def drop_summary(category_id):
    cache.delete(category_key(category_id))


def reslug(category: Category, slug):
    Category.objects.filter(pk=category.pk).update(slug=slug)
    drop_summary(category.pk)
    for sub in Category.objects.filter({relation}).only("pk"):
        {write}
"""


def test_rows_drawn_by_their_relation_to_the_keys_row_are_other_rows():
    # Each sub-category saved, or handed to the same function, which writes only the row
    # it is given and hands on the sub-categories of that one.
    assert _found(SUBTREE.format(relation="parent=category", write="sub.save()")) == []
    assert _found(SUBTREE.format(relation="parent_category_id=category.pk", write="reslug(sub, slug)")) == []
    assert _found(SUBTREE.format(relation="parent_id=category.id",
                                 write="Category.objects.filter(pk=sub.pk).update(slug=slug)")) == []


def test_rows_not_shown_to_be_other_rows_still_concern_the_key():
    # The key's own row selected again, a filter on the key field, a relation whose name says
    # nothing of the model on an object not known to be a row of it.
    assert _found(SUBTREE.format(relation="pk=category.pk", write="sub.save()")) == [(17, "CL006")]
    assert _found(SUBTREE.format(relation="id__in=[category.pk]", write="sub.save()")) == [(17, "CL006")]
    untyped = SUBTREE.replace("category: Category", "category")
    assert _found(untyped.format(relation="owner=category", write="sub.save()")) == [(17, "CL006")]
    # A helper that also writes a row it was not handed (the parent of what it is given).
    climbing = SUBTREE.format(relation="parent=category", write="bump(sub)") + '''

def bump(node: Category):
    node.save()
    Category.objects.filter(pk=node.parent_id).update(touched=True)
'''
    assert _found(climbing) == [(17, "CL006")]


def test_a_key_of_a_users_rows_is_about_the_rows_selected_by_that_user():
    # `orders:{user.pk}` before a loop over that user's orders: a view of those very rows.
    assert _found("""
        from django.core.cache import cache

        from .models import Order, User

        def archive_all(user: User):
            cache.delete(f"orders:{user.pk}")
            for order in Order.objects.filter(customer=user):
                order.save()
        """) == [(7, "CL006")]
