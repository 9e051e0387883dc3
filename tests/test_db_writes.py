"""DB writes, transactions and entities (cachelint.model.app.db, entities, flow)."""
from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from cachelint.model import build_model
from cachelint.model.app.db import _CallGraph
from cachelint.model.app.db_writes import WriteFinder
from cachelint.model.app.entities import Entity, canonical, key_names, singular
from cachelint.model.app.sql import parse_sql_write


def _model(source: str):
    text = textwrap.dedent(source)
    return build_model("example.py", text.encode(), cst.parse_module(text))


def writes(source: str) -> list[tuple[int, str, str | None, str]]:
    """(row, kind, entity, label) of every DB write."""
    model = _model(source)
    return [
        (model.location(w.order).row, w.kind.value, w.entity.name if w.entity else None, w.label)
        for w in model.db.writes
    ]


def transactions(source: str) -> list[tuple[int, str, int]]:
    """(row, label, number of writes inside) of every transaction scope."""
    model = _model(source)
    return [(model.location(model.spans[t.node].start).row, t.label, len(t.writes)) for t in model.db.transactions]


# ---------------------------------------------------------------------- SQL


@pytest.mark.parametrize("sql, expected", [
    ("UPDATE products SET price = ? WHERE id = ?", ("UPDATE", "products")),
    ("  -- bump\n /* twice */ insert into \"Products\" (a) values (1)", ("INSERT", "Products")),
    ("WITH x AS (SELECT 1) UPDATE products SET a = 1", ("UPDATE", "products")),
    ("WITH RECURSIVE t(n) AS (SELECT 1 UNION SELECT n + 1 FROM t), u AS (SELECT 2) DELETE FROM public.orders",
     ("DELETE", "public.orders")),
    ("INSERT OR REPLACE INTO cache_entries VALUES (?)", ("INSERT", "cache_entries")),
    ("REPLACE INTO `sessions` VALUES (1)", ("REPLACE", "sessions")),
    ("MERGE INTO target USING source ON (1 = 1)", ("MERGE", "target")),
    ("TRUNCATE TABLE logs", ("TRUNCATE", "logs")),
    ("update \x00 set a = 1", ("UPDATE", None)),  # a formatted table name
    ("DELETE FROM %s WHERE id = %s", ("DELETE", None)),
])
def test_write_statements_and_their_tables(sql, expected):
    parsed = parse_sql_write(sql)
    assert (parsed.verb.upper(), parsed.table) == expected


@pytest.mark.parametrize("sql", [
    "SELECT * FROM products", "WITH x AS (UPDATE t SET a = 1 RETURNING a) SELECT * FROM x", "", "-- nothing",
    "select 1 for update",
])
def test_reads_are_not_writes(sql):
    assert parse_sql_write(sql) is None


# ---------------------------------------------------------------------- entities


def test_canonical_names_compare_tables_models_and_keys():
    assert canonical("products") == canonical("Product") == canonical("product") == "product"
    assert canonical("ProductVariant") == canonical("product_variants") == canonical("product-variant")
    assert [singular(w) for w in ("categories", "boxes", "addresses", "status", "news", "people")] == [
        "category", "box", "address", "status", "news", "person"]


def test_entities_and_keys():
    assert Entity("catalog_product", "table").names == {"catalogproduct", "product"}
    assert Entity("auth_user", "table").held_by(key_names(["user:", ":profile"]))
    assert Entity("Post", "model").held_by(key_names(["thread:", ":posts"]))
    assert Entity("Order", "model").held_by(key_names(["user_orders:"]))
    assert not Entity("Order", "model").held_by(key_names(["event:", ":setting_mail_days_order_expire_warning"]))
    assert not Entity("products", "table").held_by(key_names(["stats:renames:"]))


# ---------------------------------------------------------------------- writes


def test_db_api_sql_through_literals_variables_and_wrappers():
    assert writes(
        """
        import sqlite3
        from sqlalchemy import text

        UPDATE_PRICE = "UPDATE products SET price = ? WHERE id = ?"

        def f(cursor, table, pid, price):
            conn = sqlite3.connect("shop.db")
            conn.execute(UPDATE_PRICE, (price, pid))
            cursor.executemany("INSERT INTO price_log (pid, price) VALUES (?, ?)", [(pid, price)])
            sql = "DELETE FROM carts " + "WHERE id = ?"
            cursor.execute(sql, (pid,))
            cursor.execute(f"UPDATE {table} SET price = 0")
            conn.execute(text("update orders set paid = 1"))
            cursor.execute("SELECT * FROM products")
            conn.commit()
        """
    ) == [
        (9, "update", "products", "UPDATE products"),
        (10, "insert", "price_log", "INSERT INTO price_log"),
        (12, "delete", "carts", "DELETE FROM carts"),
        (13, "update", None, "UPDATE …"),
        (14, "update", "orders", "UPDATE orders"),
        (16, "commit", None, "conn.commit()"),
    ]


def test_asyncpg_and_psycopg():
    assert writes(
        """
        async def close(pool, room_id):
            async with pool.acquire() as conn:
                await conn.execute("UPDATE rooms SET open = false WHERE id = $1", room_id)
                row = await conn.fetchrow("INSERT INTO audit (room) VALUES ($1) RETURNING id", room_id)
                await conn.fetchrow("SELECT * FROM rooms WHERE id = $1", room_id)
        """
    ) == [(4, "update", "rooms", "UPDATE rooms"), (5, "insert", "audit", "INSERT INTO audit")]


def test_sqlalchemy():
    assert writes(
        """
        import sqlalchemy as sa
        from sqlalchemy import Table, delete, insert, update

        from .db import db
        from .models import Link

        links = Table("links", metadata)

        def f(session, link_id, url):
            session.add(Link(url=url))
            session.execute(update(Link).where(Link.id == link_id).values(url=url))
            stmt = sa.delete(Link).where(Link.id == link_id)
            session.execute(stmt)
            session.execute(links.insert().values(url=url))
            session.execute(Link.__table__.update().values(url=url))
            session.query(Link).filter(Link.id == link_id).update({"url": url})
            Link.query.filter_by(id=link_id).delete()
            db.session.delete(session.get(Link, link_id))
            session.flush()
            db.session.commit()
        """
    ) == [
        (11, "save", "Link", "session.add(…)"),
        (12, "update", "Link", "update(Link)"),
        (14, "delete", "Link", "sa.delete(Link)"),
        (15, "insert", "links", "links.insert()"),
        (16, "update", "Link", "Link.__table__.update()"),
        (17, "update", "Link", "session.query(…).filter(…).update(…)"),
        (18, "delete", "Link", "Link.query.filter_by(…).delete()"),
        (19, "delete", "Link", "db.session.delete(…)"),
        (20, "flush", None, "session.flush()"),
        (21, "commit", None, "db.session.commit()"),
    ]


def test_django_orm():
    assert writes(
        """
        from django.contrib.auth import get_user_model
        from django.db import models, transaction
        from django.shortcuts import get_object_or_404

        from .models import Order

        class Product(models.Model):
            def save(self, *args, **kwargs):
                super().save(*args, **kwargs)

            def archive(self):
                self.archived = True
                self.save()

            def delete(self, *args, **kwargs):
                super(Product, self).delete(*args, **kwargs)
                super(Order, order).delete()

        def f(order_id, product: Product):
            Order.objects.filter(pk=order_id).update(status="paid")
            order = Order.objects.select_for_update().get(pk=order_id)
            order.save(update_fields=["status"])
            other = get_object_or_404(Order, pk=order_id)
            other.delete()
            product.save()
            for line in Order.objects.filter(paid=False):
                line.delete()
            qs = Product.objects.filter(archived=True)
            qs.delete()
            get_user_model().objects.create(username="x")
            Order(status="new").save()
            transaction.commit()
        """
    ) == [
        (10, "save", "Product", "super().save(…)"),
        (14, "save", "Product", "self.save()"),
        (17, "delete", "Product", "super(…).delete(…)"),  # the two-argument form, on its own `self`
        (21, "update", "Order", "Order.objects.filter(…).update(…)"),
        (23, "save", "Order", "order.save(…)"),
        (25, "delete", "Order", "other.delete()"),
        (26, "save", "Product", "product.save()"),
        (28, "delete", "Order", "line.delete()"),
        (30, "delete", "Product", "qs.delete()"),
        (31, "insert", "User", "get_user_model().objects.create(…)"),
        (32, "save", "Order", "Order(…).save()"),
        (33, "commit", None, "transaction.commit()"),
    ]


def test_peewee_and_tortoise():
    assert writes(
        """
        import peewee

        class Product(peewee.Model):
            pass

        async def f(pid):
            Product.update(price=1).where(Product.id == pid).execute()
            Product.create(name="x")
            p = Product.get(Product.id == pid)
            p.delete_instance()
            await Product.filter(id=pid).delete()
            Product.select().where(Product.id == pid).execute()
        """
    ) == [
        (8, "update", "Product", "Product.update(…).where(…).execute()"),
        (9, "insert", "Product", "Product.create(…)"),
        (11, "delete", "Product", "p.delete_instance()"),
        (12, "delete", "Product", "Product.filter(…).delete()"),
    ]


def test_what_is_not_a_write():
    assert writes(
        """
        import redis
        import requests

        r = redis.Redis()
        http = requests.Session()

        def f(repo, request, form, data, obj, session):
            repo.commit("message")
            repo.index.commit()
            request.session.flush()
            request.session.delete("k")
            http.delete("https://example.com/x")
            session.delete("https://example.com/x")
            form.save()
            obj.save()
            data.update(x=1)
            r.pipeline().set("a", 1).execute()
            r.delete("a")
            open("f").flush()
        """
    ) == []


# ---------------------------------------------------------------------- transactions


def test_transaction_scopes():
    assert transactions(
        """
        import sqlite3
        from django.db import transaction
        from django.db.transaction import atomic
        from tortoise.transactions import in_transaction

        from .models import Order

        def f(session, engine, db, order_id):
            with transaction.atomic():
                Order.objects.filter(pk=order_id).delete()
            with session.begin():
                pass
            with engine.begin() as conn:
                conn.execute("DELETE FROM orders")
            with db.atomic():
                pass
            with sqlite3.connect("x.db") as conn:
                conn.execute("DELETE FROM orders")
            with open("x") as handle, lock:
                pass

        async def g(conn):
            async with conn.transaction():
                await conn.execute("DELETE FROM orders")
            async with in_transaction():
                pass

        @transaction.atomic
        def h(order_id):
            Order.objects.filter(pk=order_id).delete()

        @atomic()
        def i():
            pass

        @transaction.non_atomic_requests
        def j():
            pass
        """
    ) == [
        (10, "with transaction.atomic()", 1),
        (12, "with session.begin()", 0),
        (14, "with engine.begin()", 1),
        (16, "with db.atomic()", 0),
        (18, "with sqlite3.connect(…)", 1),
        (24, "async with conn.transaction()", 1),
        (26, "async with in_transaction()", 0),
        (29, "@transaction.atomic", 1),
        (33, "@atomic()", 0),
    ]


def test_deferred_callables_are_not_inside_the_transaction():
    model = _model(
        """
        from django.core.cache import cache
        from django.db import transaction

        def f(key):
            with transaction.atomic():
                transaction.on_commit(lambda: cache.delete(key))
                cache.delete(key)
        """
    )
    deferred, direct = model.ops
    assert model.db.is_deferred(deferred.node) and not model.db.is_deferred(direct.node)
    assert model.db.transactions_around(deferred.node, deferred.scope) == []
    assert len(model.db.transactions_around(direct.node, direct.scope)) == 1


# ---------------------------------------------------------------------- flow


def _may_follow(source: str, first: str, second: str) -> bool:
    from cachelint.model.core.flow import Flow

    model = _model(source)
    function = next(iter(model.functions))
    text = model.source.decode()
    return Flow(function, model.spans).may_follow(text.index(first), text.index(second))


@pytest.mark.parametrize("body, expected", [
    ("a()\nb()", True),
    ("if x:\n    a()\nelse:\n    b()", False),
    ("if x:\n    a()\nelif y:\n    b()", False),
    ("if x:\n    a()\n    return\nb()", False),
    ("if x:\n    a()\nb()", True),
    ("try:\n    a()\nexcept E:\n    b()", True),
    ("try:\n    pass\nexcept E:\n    a()\nexcept F:\n    b()", False),
    ("try:\n    pass\nexcept E:\n    a()\nelse:\n    b()", False),
    ("for i in x:\n    a()\n    raise E\nb()", False),
    ("return a()\nb()", False),
    ("with x:\n    a()\nb()", True),
])
def test_may_follow(body, expected):
    source = "def f():\n" + textwrap.indent(body, "    ") + "\n"
    assert _may_follow(source, "a()", "b()") is expected


def test_calls_of_module_functions_that_write():
    model = _model(
        """
        from django.db import models

        from .models import Metric

        class MetricManager(models.Manager["Metric"]):
            def store(self, data):
                self.create(**data)

            def collect(self, data):
                self.store(data)

        def save_price(conn, pid, price):
            conn.execute("UPDATE products SET price = ? WHERE id = ?", (price, pid))

        def reprice(conn, pid, price):
            save_price(conn, pid, price)
            helper()
        """
    )
    direct = [(model.location(w.order).row, w.label) for w in model.db.writes]
    through = [
        (model.location(w.order).row, w.label, w.kind.value, w.entity and w.entity.name, w.through.label)
        for info in model.functions.values() for w in model.db.writes_in(info.scope.function) if w.through
    ]
    assert direct == [(8, "self.create(…)"), (14, "UPDATE products")]
    assert through == [
        (11, "self.store(…)", "insert", None, "self.create(…)"),
        (17, "save_price(…)", "update", "products", "UPDATE products"),
    ]


def test_facts_found_only_as_far_as_asked(monkeypatch):
    """A module that opens no transaction is not searched for writes to answer that it
    opens none; one function's writes follow that function's calls only."""
    followed: list[str] = []
    made_by_call = _CallGraph._made_by_call

    def counting(self, call, scope, order, depth):
        if depth == _CallGraph._DEPTH:
            followed.append(cst.Module([]).code_for_node(call.func))
        return made_by_call(self, call, scope, order, depth)

    monkeypatch.setattr(_CallGraph, "_made_by_call", counting)
    recognised = []
    monkeypatch.setattr(WriteFinder, "write", lambda self, site, write=WriteFinder.write: (
        recognised.append(site) or write(self, site)))
    model = _model(
        """
        def save_price(conn, pid, price):
            conn.execute("UPDATE products SET price = ? WHERE id = ?", (price, pid))

        def reprice(conn, pid, price):
            save_price(conn, pid, price)

        def audit(conn, pid):
            log(pid)
            save_price(conn, pid, 0)
        """
    )
    assert model.db.transactions == []
    assert recognised == []
    function = next(info.scope.function for f, info in model.functions.items() if f.name.value == "reprice")
    assert [w.label for w in model.db.writes_in(function)] == ["save_price(…)"]
    assert followed == ["save_price"]
    assert len(recognised) == 1


def test_sessions_known_by_annotation_and_not_by_name():
    assert writes(
        """
        from sqlalchemy.ext.asyncio import AsyncSession

        from .models import User

        async def rename(user_id: int, name: str, db: AsyncSession):
            user = await db.get(User, user_id)
            user.name = name
            db.add(user)
            await db.commit()

        def forget(db, user):
            db.add(user)
        """
    ) == [(9, "save", "User", "db.add(…)"), (10, "commit", None, "db.commit()")]


def test_related_managers_of_known_instances():
    assert writes(
        """
        from .models import Article, Cart

        def f(cart_id, article: Article, tag, other, items):
            cart = Cart.objects.select_for_update().get(pk=cart_id)
            cart.items.all().delete()
            cart.lines.create(sku="x")
            article.tags.add(tag)
            article.tags.all().add(tag)
            other.tags.add(tag)
            items.clear()
            cart.items.count()
        """
    ) == [
        (6, "delete", None, "cart.items.all().delete()"),
        (7, "insert", None, "cart.lines.create(…)"),
        (8, "update", "Article", "article.tags.add(…)"),  # the relation is part of the article
    ]


def test_instances_from_a_query_in_a_comprehension():
    assert writes(
        """
        from .models import Article, Tag

        def f(aid, pks, names):
            [t.delete() for t in Tag.objects.filter(article=aid)]
            articles = [Article.objects.get(pk=pk) for pk in pks]
            for a in sorted(articles):
                a.save()
            for n in [name.upper() for name in names]:
                n.save()
            [n.delete() for n in names]
            {t.pk: t.save() for t in Tag.objects.all()}
        """
    ) == [
        (5, "delete", "Tag", "t.delete()"),
        (8, "save", "Article", "a.save()"),
        (12, "save", "Tag", "t.save()"),
    ]


def test_an_instance_flask_sqlalchemy_finds_or_aborts_with_404_is_a_model_instance():
    """`M.query.filter_by(...).first_or_404()` (and `get_or_404`) gives a row of `M`, as
    `first()` does: its `save()` and `delete()` are writes of `M` (flaskbb's group views)."""
    assert writes(
        """
        from .models import Group

        def edit(group_id, form):
            group = Group.query.filter_by(id=group_id).first_or_404()
            form.populate_obj(group)
            group.save()

        def remove(group_id):
            Group.query.get_or_404(group_id).delete()
        """
    ) == [(7, "save", "Group", "group.save()"), (10, "delete", "Group", "Group.query.get_or_404(…).delete()")]


def test_a_save_on_what_a_404_helper_of_no_model_returns_is_not_a_write():
    assert writes(
        """
        def edit(pages, page_id):
            page = pages.first_or_404()
            page.save()
        """
    ) == []
