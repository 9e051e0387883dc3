"""CL010 missing-invalidation: a DB write whose path leaves cached views of its entity stale."""
from __future__ import annotations

from collections.abc import Iterator

from cachelint.model import WriteKind
from cachelint.model.core.modules import is_install_script
from cachelint.project.facts import EntityWrite, is_memo_template
from cachelint.project.inventory import describe_ttl
from cachelint.project.model import Namespace, ProjectModel, covers
from cachelint.rules.base import ProjectFinding, ProjectRule, RuleContext


class MissingInvalidation(ProjectRule):
    """
    ## What it does
    Finds, across every file linted together, each cached read of an entity (a value
    queried from a SQL table or ORM model and stored under a key that names it, such as
    `product:{id}`, wholly or by the first or last word of a compound name:
    `active_shelf-{user.id}-{book.id}` for `ShelfBook` rows), and flags each DB write to that entity whose path never
    invalidates that key: not the write's function, not a project function that calls it
    (one or two calls up), not a helper it calls (a method of an object it holds, such
    as `self.cache.forget(pk)`, by its name), not a signal receiver or model
    `save`/`delete` that the write runs (a queryset `update`, the bulk methods and SQL
    run none). Deleting the key, each key of a multi-key delete, a pattern that covers
    it, or writing the fresh value (write-through) all count. A project helper given the
    whole key fills or deletes it where it is called: a read-through helper
    (`get_or_set(f"review-count-{book.id}", lambda: Review.objects…)`) fills a view of
    the entity its function queries, and `forget(f"review-count-{book.id}")` drops it.

    A memoised function that queries an entity (`@cache.memoize`, dogpile's
    `cache_on_arguments`; not an in-process `@lru_cache`, which each worker keeps for
    itself) is a cached view of it, dropped by `delete_memoized(f, ...)` or
    `f.invalidate(...)`; a constant key without a separator
    (`all_products`) is one view too. A write in the memoised function's own body
    (`get_or_create` of the row it returns) is not judged against its results, which are
    stored after it. Writes include the many-to-many relation of an
    instance (`article.tags.add(tag)`, `remove`, `clear`, `set`: an update of the article)
    and `super(Cls, self).save()`.

    Writes in install-time code are not judged: a data migration (`migrations/`,
    `alembic/`) or a script that fills a new database (`populate.py`, `fixtures.py`,
    `seed.py`) writes rows before any request has cached a view of them.

    An INSERT only makes list and aggregate caches stale (keys without a per-row id);
    an UPDATE or DELETE makes every cached view of the entity stale. A view that holds
    only some of the entity's rows or columns is stale only by writes that may change
    those: a view of one kind of row of a table shared by kinds
    (`Entity.entity_type_id == episode_type_id`) by writes of an object named after
    that kind (`episode.save()`); a view of a few columns (`values("id", "name")`,
    `with_entities(...)`) by updates that set one of them or a column it filters on;
    a view whose filter requires a column set (`role.isnot(None)`) by inserts of rows
    that set it. View-level caches
    (`cache_page`, `@cache.cached`) are not cached reads of an entity.

    ## Why is this bad?
    The difficulty with invalidation is not the mechanics, it is knowing every place a
    piece of data lives in the cache. A price update that busts `product:{id}` but not
    `product:{id}:related`, or a moderator action that forgets the thread page, serves
    the old data until the TTL runs out, and different pages disagree meanwhile.

    ## Example
    ```python
    # catalog.py
    def get_product(product_id):
        key = f"product:{product_id}"
        cached = r.get(key)
        if cached is None:
            row = db.execute("SELECT * FROM products WHERE id = ?", (product_id,)).fetchone()
            cached = json.dumps(dict(row))
            r.set(key, cached, ex=60)
        return json.loads(cached)

    # pricing.py
    def update_price(product_id, price):
        db.execute("UPDATE products SET price = ? WHERE id = ?", (price, product_id))
        db.commit()
    ```

    ## Use instead
    ```python
    def update_price(product_id, price):
        db.execute("UPDATE products SET price = ? WHERE id = ?", (price, product_id))
        db.commit()
        r.delete(f"product:{product_id}")
    ```
    `cachelint keys PATHS` lists every cached namespace with its entity, where it is
    filled and invalidated, and which writes leave it stale.

    The check needs the files that read and write an entity to be linted together; a
    key built by a function of another module, or an invalidation of a key the analysis
    cannot read, keeps it silent.
    """

    code = "CL010"
    name = "missing-invalidation"
    summary = "A DB write to an entity whose cached views (found project-wide) the write path never invalidates."

    VALID = [
        # A memoised view dropped after the write (`delete_memoized`, dogpile's
        # `invalidate`); an in-process memo is each worker's own, which no write reaches.
        """
        from functools import lru_cache

        from dogpile.cache import make_region
        from flask_caching import Cache

        from .models import Article, Tag

        cache = Cache()
        region = make_region().configure("dogpile.cache.redis", expiration_time=300)

        @cache.memoize(timeout=300)
        def article_card(article_id):
            return Article.objects.filter(pk=article_id).values("title").first()

        @region.cache_on_arguments()
        def tag_names():
            return [tag.name for tag in Tag.objects.all()]

        @lru_cache(maxsize=1)
        def tag_count():
            return Tag.objects.count()

        def retitle(article_id, title):
            Article.objects.filter(pk=article_id).update(title=title)
            cache.delete_memoized(article_card, article_id)

        def add_tag(name):
            Tag.objects.create(name=name)
            tag_names.invalidate()
        """,
        # The update busts the cached product after the commit.
        """
        import json
        import sqlite3

        import redis

        r = redis.Redis()
        db = sqlite3.connect("shop.db")

        def get_product(product_id):
            key = f"product:{product_id}"
            cached = r.get(key)
            if cached is not None:
                return json.loads(cached)
            row = db.execute("SELECT id, name, price FROM products WHERE id = ?", (product_id,)).fetchone()
            r.set(key, json.dumps(dict(row)), ex=60)
            return dict(row)

        def update_price(product_id, price):
            db.execute("UPDATE products SET price = ? WHERE id = ?", (price, product_id))
            db.commit()
            r.delete(f"product:{product_id}")
        """,
        # The caller busts it; an INSERT cannot stale a per-row cache.
        """
        from django.core.cache import cache

        from .models import Product

        def product_card(pk):
            card = cache.get(f"product:{pk}")
            if card is None:
                card = Product.objects.filter(pk=pk).values("name", "price").first()
                cache.set(f"product:{pk}", card, 300)
            return card

        def _set_price(pk, price):
            Product.objects.filter(pk=pk).update(price=price)

        def reprice(pk, price):
            _set_price(pk, price)
            cache.delete(f"product:{pk}")

        def add_product(name):
            Product.objects.create(name=name)
        """,
        # One delete of several keys busts each of them.
        """
        import redis

        r = redis.Redis()

        def product_names(db, product_id):
            r.set(f"product:{product_id}:name", db.execute("SELECT name FROM products WHERE id = ?", (product_id,)).fetchone()[0], ex=60)
            r.set("products:names", db.execute("SELECT name FROM products").fetchall(), ex=60)

        def rename(db, product_id, name):
            db.execute("UPDATE products SET name = ? WHERE id = ?", (name, product_id))
            db.commit()
            r.delete(f"product:{product_id}:name", "products:names")
        """,
        # The service busts the key through a cache object it holds, after its repository writes.
        """
        import json

        import redis

        class ProductCache:
            def __init__(self):
                self.redis = redis.Redis()

            def get(self, db, product_id):
                row = db.execute("SELECT id, name, price FROM products WHERE id = ?", (product_id,)).fetchone()
                self.redis.set(f"product:{product_id}", json.dumps(dict(row)), ex=60)
                return dict(row)

            def forget(self, product_id):
                self.redis.delete(f"product:{product_id}")

        class ProductRepository:
            def __init__(self, db):
                self.db = db

            def set_price(self, product_id, price):
                self.db.execute("UPDATE products SET price = ? WHERE id = ?", (price, product_id))
                self.db.commit()

        class PriceService:
            def __init__(self, db):
                self.repository = ProductRepository(db)
                self.products = ProductCache()

            def update_price(self, product_id, price):
                self.repository.set_price(product_id, price)
                self.products.forget(product_id)
        """,
        # A cache of one row, whatever its key's part is called, is not staled by an INSERT.
        """
        import redis

        r = redis.Redis()

        def resolve(db, code):
            row = db.execute("SELECT target FROM links WHERE code = ?", (code,)).fetchone()
            r.set(f"link:{code}", row[0], ex=3600)
            return row[0]

        def shorten(db, code, target):
            db.execute("INSERT INTO links (code, target) VALUES (?, ?)", (code, target))
            db.commit()
        """,
        # `cart_items` rows are not `Item` rows (but `catalog_product` is `Product`'s table).
        """
        import json

        import redis

        from .models import Item

        r = redis.Redis()

        def cart(db, user_id):
            rows = db.execute("SELECT sku, qty FROM cart_items WHERE user_id = ?", (user_id,)).fetchall()
            r.set(f"cart:{user_id}:items", json.dumps(rows), ex=60)
            return rows

        def rename_item(item_id, name):
            Item.objects.filter(pk=item_id).update(name=name)
        """,
        # A method of an object of unknown type that refreshes a key the analysis cannot
        # read may refresh this one.
        """
        from django.core.cache import cache

        from .models import UserProfile

        def profile(pk):
            data = UserProfile.objects.filter(pk=pk).values("bio").first()
            cache.set(f"profile:{pk}", data, 300)
            return data

        class CachedProfile:
            def update_cache(self):
                cache.set(self.cache_key(), self.as_dict(), 300)

        def set_bio(profile, bio):
            UserProfile.objects.filter(pk=profile.pk).update(bio=bio)
            profile.update_cache()
        """,
    ]
    INVALID = [
        """
        import json
        import sqlite3

        import redis

        r = redis.Redis()
        db = sqlite3.connect("shop.db")

        def get_product(product_id):
            key = f"product:{product_id}"
            cached = r.get(key)
            if cached is not None:
                return json.loads(cached)
            row = db.execute("SELECT id, name, price FROM products WHERE id = ?", (product_id,)).fetchone()
            r.set(key, json.dumps(dict(row)), ex=60)
            return dict(row)

        def update_price(product_id, price):
            db.execute("UPDATE products SET price = ? WHERE id = ?", (price, product_id))  # expect: CL010
            db.commit()
        """,
        # Busting the thread page does not bust the thread's cached post list; an
        # INSERT stales the list, which has no per-post id.
        """
        from django.core.cache import cache

        from .models import Post

        def thread_posts(thread_id):
            posts = cache.get(f"thread:{thread_id}:posts")
            if posts is None:
                posts = list(Post.objects.filter(thread_id=thread_id).values("id", "body"))
                cache.set(f"thread:{thread_id}:posts", posts, 60)
            return posts

        def edit_post(post_id, thread_id, body):
            Post.objects.filter(pk=post_id).update(body=body)  # expect: CL010
            cache.delete(f"thread:{thread_id}")

        def reply(thread_id, body):
            Post.objects.create(thread_id=thread_id, body=body)  # expect: CL010
        """,
        # A queryset `update` runs no `post_save` receiver; rows read from a cursor are
        # those of the query it last executed.
        """
        from django.core.cache import cache
        from django.db import connection
        from django.db.models.signals import post_save
        from django.dispatch import receiver

        from .models import Plant, Tool

        def plant(pk):
            return cache.get_or_set(f"plant:{pk}", lambda: Plant.objects.filter(pk=pk).values("name", "price_cents").first(), 300)

        @receiver(post_save, sender=Plant)
        def forget_plant(sender, instance, **kwargs):
            cache.delete(f"plant:{instance.pk}")

        def rename_plant(pk, name):
            plant = Plant.objects.get(pk=pk)
            plant.name = name
            plant.save()

        def discount_all(cents):
            Plant.objects.all().update(price_cents=cents)  # expect: CL010

        def tools():
            with connection.cursor() as cursor:
                cursor.execute("SELECT id, name FROM garden_tool ORDER BY name")
                rows = cursor.fetchall()
            cache.set("tools:all", rows, 600)
            return rows

        def add_tool(name):
            Tool.objects.create(name=name)  # expect: CL010
        """,
        # A key names a model by its last word: `order:{id}:items` holds `LineItem` rows.
        """
        from django.core.cache import cache

        from .models import LineItem

        def order_items(order_id):
            items = list(LineItem.objects.filter(order_id=order_id).values("sku", "qty"))
            cache.set(f"order:{order_id}:items", items, 120)
            return items

        def add_line(order_id, sku, qty):
            LineItem.objects.create(order_id=order_id, sku=sku, qty=qty)  # expect: CL010
        """,
        # A model's classmethod that caches its own rows (`cls.objects`).
        """
        from django.core.cache import cache
        from django.db import models

        class Banner(models.Model):
            @classmethod
            def active(cls):
                banners = list(cls.objects.filter(active=True).values("id", "text"))
                cache.set("banners:active", banners, 300)
                return banners

        def deactivate_all():
            Banner.objects.update(active=False)  # expect: CL010
        """,
        # SQLAlchemy: the row three assignments back from what is stored; a select of columns.
        """
        import json

        from redis.asyncio import Redis
        from sqlalchemy import select, update

        from .models import Booking, Room

        redis = Redis()

        async def room(session, room_id):
            result = await session.execute(select(Room).where(Room.id == room_id))
            obj = result.scalar_one()
            data = {"id": obj.id, "name": obj.name}
            await redis.set(f"room:{room_id}", json.dumps(data), ex=300)
            return data

        async def bookings(session, room_id):
            rows = (await session.execute(select(Booking.id).where(Booking.room_id == room_id))).all()
            await redis.set(f"room:{room_id}:bookings", json.dumps([r.id for r in rows]), ex=60)

        async def rename_room(session, room_id, name):
            await session.execute(update(Room).where(Room.id == room_id).values(name=name))  # expect: CL010
            await session.commit()

        async def book(session, room_id, starts_at):
            session.add(Booking(room_id=room_id, starts_at=starts_at))  # expect: CL010
            await session.commit()
        """,
        # A row cached as a hash is a view of it too.
        """
        import redis

        r = redis.Redis()

        def vehicle(db, vehicle_id):
            row = db.execute("SELECT make, mileage FROM vehicles WHERE id = ?", (vehicle_id,)).fetchone()
            r.hset(f"vehicle:{vehicle_id}", mapping={"make": row[0], "mileage": row[1]})
            r.expire(f"vehicle:{vehicle_id}", 300)
            return row

        def log_mileage(db, vehicle_id, mileage):
            db.execute("UPDATE vehicles SET mileage = ? WHERE id = ?", (mileage, vehicle_id))  # expect: CL010
            db.commit()
        """,
        # A queryset's `delete()` is not a cache wrapper's `delete(key)`.
        """
        from django.core.cache import cache

        from .models import Coupon

        class Store:
            def delete(self, key):
                cache.delete(key)

        def coupon(code):
            data = Coupon.objects.filter(code=code).values("percent").first()
            cache.set(f"coupon:{code}", data, 300)
            return data

        def retire(code):
            Coupon.objects.filter(code=code).delete()  # expect: CL010
        """,
        # A memoised function that queries the entity is a cached view of it; writes of
        # the relation (`tags.add`) and the two-argument `super(Cls, self).save()` write it.
        """
        from django.db import models
        from flask_caching import Cache

        cache = Cache()

        class Article(models.Model):
            tags = models.ManyToManyField("Tag")

            def save(self, *args, **kwargs):
                super(Article, self).save(*args, **kwargs)  # expect: CL010

        @cache.memoize(timeout=300)
        def article_card(article_id):
            return Article.objects.filter(pk=article_id).values("title", "tags__name").first()

        def retag(article_id, tag):
            article = Article.objects.get(pk=article_id)
            article.tags.add(tag)  # expect: CL010
        """,
    ]

    def check(self, project: ProjectModel, context: RuleContext) -> Iterator[ProjectFinding]:
        for write, missed in self.stale_writes(project):
            yield ProjectFinding(write.path, write.start, write.end, write.statement_rows, self.message(write, missed))

    @staticmethod
    def stale_writes(project: ProjectModel) -> Iterator[tuple[EntityWrite, tuple[Namespace, ...]]]:
        """Each DB write whose path misses a cached view of its entity, with those views."""
        # The views a write may miss, and their templates, by what decides them (its
        # entity, whether it inserts, the rows and columns it names): made once for all the
        # writes alike (a big module has thousands of writes of an entity).
        views: dict[tuple[tuple[str, ...], bool, tuple[str, ...], tuple[str, ...]],
                    tuple[tuple[Namespace, ...], frozenset[str], bool]] = {}
        for write in project.writes:
            if is_install_script(write.path):
                continue  # rows a new database is filled with, before anything is cached
            # Which views a write may change depends on these alone.
            kind = (write.entity, write.kind == WriteKind.INSERT.value, write.kinds, write.columns)
            if kind not in views:
                found = tuple(namespace for namespace in project.views_changed_by(write)
                              if not kind[1] or not namespace.per_row)
                views[kind] = (found, frozenset(namespace.template for namespace in found),
                               any(is_memo_template(namespace.template) for namespace in found))
            namespaces, their_templates, memoised = views[kind]
            if not namespaces:
                continue
            templates = project.busted_on_path(write)
            if templates is None:
                continue
            # Most busts name one key: a set finds them, where each view tried against each
            # bust was slow in a big module (thousands of writes, each of thousands of views).
            patterns = [template for template in templates if any(char in template for char in "*?[")]
            if patterns:
                missed = tuple(
                    namespace for namespace in namespaces
                    if namespace.template not in templates
                    and not any(covers(pattern, namespace.template) for pattern in patterns)
                )
            elif their_templates.isdisjoint(templates):
                missed = namespaces  # the write's path busts none of them
            else:
                missed = tuple(namespace for namespace in namespaces if namespace.template not in templates)
            # A memoised function's own write (`get_or_create` of the row it returns) runs
            # before its result is stored: what it keeps already holds the change. (Only a
            # memoised view can be: the test is per kind, not per write and view.)
            if memoised:
                missed = tuple(namespace for namespace in missed if not _written_by_its_fill(namespace, write))
            if missed:
                yield write, missed

    @staticmethod
    def message(write: EntityWrite, missed: tuple[Namespace, ...]) -> str:
        listed = "; ".join(_described(n) for n in missed[:_VIEWS_LISTED])
        more = len(missed) - _VIEWS_LISTED
        if more > 0:
            listed += f"; and {more} more cached view{'s' if more > 1 else ''}"
        return f"{_write_label(write)} here does not invalidate {listed}"


# A message names this many views a write leaves stale, and counts the others: a module
# that caches thousands of views of one entity would make a message of each write list
# them all (quadratic output).
_VIEWS_LISTED = 5


def _written_by_its_fill(namespace: Namespace, write: EntityWrite) -> bool:
    """The write is in the body of the memoised function whose results are the view."""
    return is_memo_template(namespace.template) and all(
        fill.path == write.path and fill.function == write.function for fill in namespace.fills)


def _write_label(write: EntityWrite) -> str:
    label = write.label
    return label if label.split(" ", 1)[0].isupper() else f"`{label}`"


def _described(namespace: Namespace) -> str:
    fill = namespace.fills[0]
    where = f"{'memoised' if is_memo_template(namespace.template) else 'filled'} in {fill.path}:{fill.line}"
    if fill.ttl is not None:
        where += f", TTL {describe_ttl(fill.ttl)}"
    more = len(namespace.fills) - 1
    if more:
        where += f", and {more} more place{'s' if more > 1 else ''}"
    return f"`{namespace.key}` ({where})"
