"""CL010 across files: the seed's products scenario, callers, INSERTs, suppressions, the
result cache (the index is rebuilt from cached facts), and `cachelint keys`."""
from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from cachelint import engine
from cachelint.cli import main
from cachelint.config import Settings
from cachelint.engine import lint_paths
from cachelint.project.model import ProjectModel

CATALOG = '''
import json
import sqlite3

import redis

r = redis.Redis()
PRODUCT_TTL = 60


def get_product(product_id):
    key = f"product:{product_id}"
    cached = r.get(key)
    if cached is not None:
        return json.loads(cached)
    conn = sqlite3.connect("shop.db")
    row = conn.execute("SELECT id, name, price FROM products WHERE id = ?", (product_id,)).fetchone()
    product = dict(row)
    r.set(key, json.dumps(product), ex=PRODUCT_TTL)
    return product
'''

UPDATE = 'conn.execute("UPDATE products SET price = ? WHERE id = ?", (price, product_id))'


def pricing(after_update: str = "", *, before: str = "", call: str = UPDATE) -> str:
    lines = ["import sqlite3", "", "import redis", "", "r = redis.Redis()", "", "",
             "def update_price(product_id, price):", '    conn = sqlite3.connect("shop.db")']
    lines += [f"    {line}" for line in before.splitlines()]
    lines += [f"    {call}", "    conn.commit()"]
    lines += [f"    {line}" for line in after_update.splitlines()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def shop(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def write(**files: str) -> Path:
        for name, text in files.items():
            path = tmp_path / f"{name}.py"
            path.write_text(textwrap.dedent(text))
        return tmp_path

    write(catalog=CATALOG)
    return write


def cl010(run) -> list[tuple[str, int, str]]:
    return [(Path(d.filename).name, d.location.row, d.message) for d in run.diagnostics if d.code == "CL010"]


def lint(tree: Path, cache_dir: Path | None = None, select=("CL010",), **settings) -> list:
    return cl010(lint_paths([tree], Settings(select=select, **settings), cache_dir=cache_dir))


def test_an_update_that_busts_nothing_is_reported_at_the_write(shop):
    tree = shop(pricing=pricing())
    assert lint(tree) == [(
        "pricing.py", 10,
        "UPDATE products here does not invalidate `product:{product_id}` (filled in catalog.py:19, TTL 60 s)",
    )]


def test_a_write_that_misses_many_views_names_five_and_counts_the_others(shop):
    views = "".join(CATALOG.replace("get_product", f"get_product_{n}").replace("product:{product_id}",
                                                                              f"product:{{product_id}}:v{n}")
                    for n in range(8))
    tree = shop(catalog=views, pricing=pricing('r.delete(f"product:{product_id}:v0")'))
    [(name, row, message)] = lint(tree)
    assert (name, row) == ("pricing.py", 10)
    assert [f"product:{{product_id}}:v{n}" in message for n in range(8)] == [False] + [True] * 5 + [False] * 2
    assert message.endswith("; and 2 more cached views")


def test_an_update_that_busts_the_key_after_the_commit_is_clean(shop):
    assert lint(shop(pricing=pricing('r.delete(f"product:{product_id}")'))) == []


def test_a_write_through_of_the_fresh_value_counts(shop):
    assert lint(shop(pricing=pricing('r.set(f"product:{product_id}", "{}", ex=60)'))) == []


def test_a_pattern_delete_covering_the_namespace_counts(shop):
    bust = 'for key in r.scan_iter(match="product:*"):\n    r.delete(key)'
    assert lint(shop(pricing=pricing(bust))) == []


def test_a_bust_of_a_key_the_analysis_cannot_read_keeps_it_silent(shop):
    assert lint(shop(pricing=pricing("r.delete(product_cache_key(product_id))"))) == []


@pytest.mark.parametrize("module", ["pricing", "shop.pricing"])  # the folder need not be a package
def test_a_caller_two_calls_up_that_busts_counts(shop, module):
    routes = f'''
    import redis

    from {module} import update_price

    r = redis.Redis()


    def change_price(product_id, price):
        update_price(product_id, price)


    def price_form(product_id, price):
        change_price(product_id, price)
        r.delete(f"product:{{product_id}}")
    '''
    assert lint(shop(pricing=pricing(), routes=routes)) == []


def test_a_caller_of_a_method_on_an_unknown_receiver_counts(shop):
    routes = '''
    import redis

    r = redis.Redis()


    def price_form(service, product_id, price):
        service.update_price(product_id, price)
        r.delete(f"product:{product_id}")
    '''
    assert lint(shop(pricing=pricing(), routes=routes)) == []


def test_a_helper_the_write_calls_counts(shop):
    helpers = '''
    import redis

    r = redis.Redis()


    def forget_product(product_id):
        r.delete(f"product:{product_id}")
    '''
    tree = shop(pricing=pricing("forget_product(product_id)", before="from helpers import forget_product"), helpers=helpers)
    assert lint(tree) == []


DJANGO_CATALOG = '''
from django.core.cache import cache

from shop.models import Product


def product_card(pk):
    card = cache.get(f"product:{pk}")
    if card is None:
        card = Product.objects.filter(pk=pk).values("name", "price").first()
        cache.set(f"product:{pk}", card, 300)
    return card
'''


@pytest.mark.parametrize("hook", [
    # A signal receiver every save of the model runs.
    '''
    from django.db.models.signals import post_save
    from django.dispatch import receiver

    @receiver(post_save, sender=Product)
    def forget(sender, instance, **kwargs):
        cache.delete(f"product:{instance.pk}")
    ''',
    '''
    from django.db.models.signals import post_delete, post_save

    def forget(sender, instance, **kwargs):
        cache.delete(f"product:{instance.pk}")

    post_save.connect(forget, sender="shop.Product")
    ''',
    # The model's own save.
    '''
    class Product(models.Model):
        def save(self, *args, **kwargs):
            super().save(*args, **kwargs)
            cache.delete(f"product:{self.pk}")
    ''',
])
def test_a_hook_every_write_of_the_model_runs_counts(shop, hook):
    models = "from django.core.cache import cache\nfrom django.db import models\n" + textwrap.dedent(hook)
    admin = ("from shop.models import Product\n\n\ndef reprice(pk, price):\n    product = Product.objects.get(pk=pk)\n"
             "    product.price = price\n    product.save()\n")
    tree = shop(catalog=DJANGO_CATALOG, admin=admin, models=models)
    assert lint(tree) == []
    (tree / "models.py").write_text("")
    assert [(name, row) for name, row, _ in lint(tree)] == [("admin.py", 7)]


@pytest.mark.parametrize("write", [
    "Product.objects.filter(pk=pk).update(price=price)",
    "Product.objects.bulk_update([Product(pk=pk, price=price)], ['price'])",
    'connection.cursor().execute("UPDATE shop_product SET price = %s WHERE id = %s", [price, pk])',
])
def test_a_write_that_runs_no_hook_is_not_covered_by_one(shop, write):
    """A queryset `update`, the bulk methods and SQL run neither `save` nor the signals."""
    models = (
        "from django.core.cache import cache\nfrom django.db.models.signals import post_save\n"
        "from django.dispatch import receiver\n\n\n@receiver(post_save, sender=Product)\n"
        "def forget(sender, instance, **kwargs):\n    cache.delete(f'product:{instance.pk}')\n"
    )
    admin = f"from django.db import connection\nfrom shop.models import Product\n\n\ndef reprice(pk, price):\n    {write}\n"
    tree = shop(catalog=DJANGO_CATALOG, admin=admin, models=models)
    assert [(name, row) for name, row, _ in lint(tree)] == [("admin.py", 6)]


@pytest.mark.parametrize("after_update", [
    'def forget():\n    r.delete(f"product:{product_id}")\ntransaction.on_commit(forget)',
    "transaction.on_commit(partial(forget_product, product_id))",
    "forget_product.delay(product_id)",  # a Celery task
])
def test_a_function_passed_to_run_later_counts(shop, after_update):
    helpers = '''
    import redis

    r = redis.Redis()


    def forget_product(product_id):
        r.delete(f"product:{product_id}")
    '''
    before = "from functools import partial\nfrom django.db import transaction\nfrom helpers import forget_product"
    assert lint(shop(pricing=pricing(after_update, before=before), helpers=helpers)) == []


def test_a_helper_that_only_fills_on_a_miss_does_not_count(shop):
    tree = shop(pricing=pricing("return get_product(product_id)", before="from catalog import get_product"))
    assert len(lint(tree)) == 1


@pytest.mark.parametrize("save", ["Product(name=name).save()", "product = Product(name=name)\n    product.save()"])
def test_saving_a_new_instance_is_an_insert(shop, save):
    admin = f"from shop.models import Product\n\n\ndef add(name):\n    {save}\n"
    assert lint(shop(catalog=DJANGO_CATALOG, admin=admin)) == []


def test_an_insert_does_not_stale_a_per_row_cache(shop):
    insert = 'conn.execute("INSERT INTO products (name, price) VALUES (?, ?)", (product_id, price))'
    assert lint(shop(pricing=pricing(call=insert))) == []


@pytest.mark.parametrize("upsert", [
    "INSERT INTO products (id, price) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET price = excluded.price",
    "INSERT INTO products (id, price) VALUES (%s, %s) ON DUPLICATE KEY UPDATE price = VALUES(price)",
])
def test_an_insert_that_updates_the_row_it_conflicts_with_stales_a_per_row_cache(shop, upsert):
    insert = f'conn.execute("{upsert}", (product_id, price))'
    assert len(lint(shop(pricing=pricing(call=insert)))) == 1
    # The same INSERT that leaves a conflicting row alone does not.
    insert = 'conn.execute("INSERT INTO products (id, price) VALUES (?, ?) ON CONFLICT DO NOTHING", (product_id, price))'
    assert lint(shop(pricing=pricing(call=insert))) == []


def test_the_file_of_the_write_decides_selection_and_suppression(shop):
    tree = shop(pricing=pricing(call=UPDATE + "  # noqa: CL010"))
    assert lint(tree) == []
    tree = shop(pricing=pricing())
    assert lint(tree, per_file_ignores={"pricing.py": ("CL010",)}) == []
    # The reads of a file where CL010 is ignored still count (it is linted for CL002).
    assert len(lint(tree, select=("CL010", "CL002"), per_file_ignores={"catalog.py": ("CL010",)})) == 1


def test_the_index_is_rebuilt_from_cached_facts_when_one_file_changes(shop, tmp_path_factory):
    cache_dir = tmp_path_factory.mktemp("results")
    tree = shop(pricing=pricing())
    assert len(lint(tree, cache_dir)) == 1
    assert len(lint(tree, cache_dir)) == 1  # every file from the cache
    shop(pricing=pricing('r.delete(f"product:{product_id}")'))
    assert lint(tree, cache_dir) == []
    (tree / "catalog.py").write_text("")  # nothing cached any more
    shop(pricing=pricing())
    assert lint(tree, cache_dir) == []


def test_keys_lists_each_namespace_with_fills_busts_and_stale_writes(shop):
    tree = shop(pricing=pricing(), admin=pricing('r.delete(f"product:{product_id}")'))
    result = CliRunner().invoke(main, ["keys", str(tree)])
    assert result.exit_code == 0, result.output
    header, rule, row = result.output.splitlines()
    assert header.split() == ["namespace", "key", "shape", "entity", "filled", "(TTL)", "invalidated", "stale", "after"]
    assert row.split() == ["product", "product:{product_id}", "products", "catalog.py:19", "(60", "s)",
                           "admin.py:12", "pricing.py:10", "UPDATE"]


def test_keys_as_json(shop):
    tree = shop(pricing=pricing())
    result = CliRunner().invoke(main, ["keys", "--output-format", "json", str(tree)])
    [entry] = json.loads(result.output)
    assert entry["namespace"] == "product" and entry["key"] == "product:{product_id}"
    assert entry["entity"] == "products" and entry["per_row"] is True
    assert entry["filled"] == [{"path": "catalog.py", "line": 19, "ttl": 60, "function": "catalog.get_product"}]
    assert entry["invalidated"] == []
    assert entry["stale_after"] == [
        {"path": "pricing.py", "line": 10, "kind": "update", "label": "UPDATE products", "function": "pricing.update_price"},
    ]


def test_keys_says_when_there_is_nothing(tmp_path):
    (tmp_path / "empty.py").write_text("x = 1\n")
    result = CliRunner().invoke(main, ["keys", str(tmp_path)])
    assert result.output == "No cached reads of a DB entity found.\n"


@pytest.mark.parametrize("bust", [
    'r.delete(f"product:{product_id}")',
    'r.delete_many([f"product:{product_id}"])',
])
def test_a_delete_through_a_client_imported_from_the_project_counts(shop, bust):
    """The module cannot tell what `r` is; a delete of a namespaced key through it counts."""
    before = "from catalog import r"
    text = pricing(bust, before=before).replace("import redis\n\nr = redis.Redis()\n", "")
    assert lint(shop(pricing=text)) == []


def test_a_delete_of_an_unreadable_key_through_an_imported_object_is_not_any_key(shop):
    text = pricing("session.delete(product)", before="from db import session").replace(
        "import redis\n\nr = redis.Redis()\n", "")
    assert [(name, row) for name, row, _ in lint(shop(pricing=text))] == [("pricing.py", 8)]


def test_install_time_data_is_not_judged_but_a_look_alike_file_is(shop, tmp_path):
    """flaskbb's `utils/populate.py` saves the default groups once, from the install
    command, before anything is cached; its admin views (`management/views.py`) and a
    module whose name only starts like one (`population.py`) run on requests."""
    tree = shop(populate=pricing(), population=pricing())
    for package in ("migrations", "management"):  # packages of the project, as in flaskbb
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "migrations" / "0002_prices.py").write_text(pricing())
    (tmp_path / "management" / "views.py").write_text(pricing())
    assert sorted((name, row) for name, row, _ in lint(tree)) == [("population.py", 10), ("views.py", 10)]


def test_the_project_model_is_made_again_only_when_a_file_was_linted_again(shop, monkeypatch):
    """The second pass's rounds and the project stage share one project model while no file
    is linted again: here the second pass finds a client (catalog's `r`) that no file
    imports, and so lints nothing again; one model is made for the run (three before)."""
    made = []
    monkeypatch.setattr(engine, "ProjectModel", lambda facts: made.append(facts) or ProjectModel(facts))
    tree = shop(pricing=pricing())
    assert len(lint(tree)) == 1
    assert len(made) == 1
    # a file that imports the client is linted again: the next round and the project
    # stage have its new facts, in a model made again
    made.clear()
    shop(orders="from catalog import r\n\ndef f(k):\n    return r.get(k)\n")
    assert len(lint(tree)) == 1
    assert len(made) == 2 and made[0] is not made[1]


def test_a_file_that_names_the_entity_only_in_prose_is_not_linted_for_it(shop, linted):
    """The entities pass lints a file the prefilter skipped when it names an entity cached
    in its code or strings (here `products`, in SQL text: the discount is a write the
    cached product misses), not when only its comments and docstrings do."""
    tree = shop(
        notes='''\
            """What the products cost."""


            def total(prices):
                """The sum of the products' prices."""
                return sum(prices)  # of the products
            ''',
        discounts='''\
            def discount(conn):
                conn.execute("UPDATE products SET price = price * 0.9")
                conn.commit()
            ''',
    )
    assert [(name, row) for name, row, _ in lint(tree)] == [("discounts.py", 2)]
    assert linted.count("notes.py") == 1  # the first pass's
    assert linted.count("discounts.py") == 2


@pytest.fixture
def migrations(shop, tmp_path) -> Path:
    """The shop, with two data migrations that name the products but have no cache code."""
    tree = shop(pricing=pricing())
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "__init__.py").write_text("")
    (tmp_path / "migrations" / "0001_initial.py").write_text(
        "def upgrade(conn):\n    conn.execute('CREATE TABLE products (id, name, price)')\n")
    (tmp_path / "migrations" / "0002_prices.py").write_text(
        "from pricing import update_price\n\n\ndef upgrade(products=(1, 2)):\n    for product in products:\n"
        "        update_price(product, 2)  # its first price\n")
    return tree


def test_an_install_script_is_linted_for_the_entities_only_when_it_may_join_a_write_path(migrations, linted):
    """A data migration the prefilter skips tells CL010 nothing unless its functions may
    join the path of a write CL010 judges, by calling the function that writes or one of
    its callers: the entities pass lints 0002 (it calls `update_price`), and not 0001 (it
    only names the table)."""
    assert [(name, row) for name, row, _ in lint(migrations)] == [("pricing.py", 10)]
    assert linted.count("0001_initial.py") == 1  # the first pass's
    assert linted.count("0002_prices.py") == 2


def test_a_warm_run_makes_no_project_model_to_leave_the_install_scripts(migrations, tmp_path_factory, monkeypatch):
    """Whether a script may join a write path is a note of its entry, for the project's
    files as they are: a run after on the same files makes no project model for it (nor
    for anything else: every pass's outcome is kept)."""
    for path in migrations.rglob("*.py"):  # modified a minute ago, as an unchanged file in a real tree is
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 60_000_000_000))
    cache_dir = tmp_path_factory.mktemp("results")
    assert len(lint(migrations, cache_dir)) == 1
    made = []
    monkeypatch.setattr(engine, "ProjectModel", lambda facts: made.append(facts) or ProjectModel(facts))
    assert len(lint(migrations, cache_dir)) == 1
    assert made == []


# A project's own read-through helper, given the whole key and a function that computes the
# value (bookwyrm's `get_or_set(cache_key, function, *args, timeout=None)`): the key is only
# known where the helper is called, so the fill of a view is there too.
READ_THROUGH_HELPER = '''
from django.core.cache import cache


def get_or_set(cache_key, function, *args, timeout=None):
    value = cache.get(cache_key)
    if value is None:
        value = function(*args)
        cache.set(cache_key, value, timeout=timeout)
    return value


def forget(cache_key):
    cache.delete(cache_key)
'''

REVIEW_TAGS = '''
from library import models
from library.helpers import get_or_set


def review_count(book):
    return get_or_set(
        f"review-count-{book.id}",
        lambda b: models.Review.objects.filter(book=b).count(),
        book,
        timeout=3600,
    )
'''


def review_views(after_delete: str = "") -> str:
    return textwrap.dedent('''
    from library import models
    from library.helpers import forget


    def withdraw_review(request, book):
        models.Review.objects.filter(book=book, user=request.user).delete()
    ''') + "".join(f"    {line}\n" for line in after_delete.splitlines())


@pytest.fixture
def library(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    package = tmp_path / "library"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text("from django.db import models\n\n\nclass Review(models.Model):\n    pass\n")
    (package / "helpers.py").write_text(READ_THROUGH_HELPER)
    (package / "tags.py").write_text(REVIEW_TAGS)

    def views(text: str) -> Path:
        (package / "views.py").write_text(text)
        return tmp_path

    return views


def test_a_view_filled_through_a_read_through_helper_is_stale_after_a_delete(library):
    [(name, row, message)] = lint(library(review_views()))
    assert (name, row) == ("views.py", 7)
    assert "`review-count-{book.id}` (filled in library/tags.py:7, TTL 3600 s)" in message


def test_a_delete_through_a_helper_given_the_whole_key_invalidates_it(library):
    tree = library(review_views('forget(f"review-count-{book.id}")'))
    assert lint(tree) == []
    result = CliRunner().invoke(main, ["keys", str(tree)])
    [row] = [line for line in result.output.splitlines() if line.startswith("review")]
    assert "library/tags.py:7 (3600 s)" in row and "library/views.py:8" in row


def test_a_memoised_functions_own_write_is_stored_with_its_result(tmp_path):
    # `get_or_create` inside the memoised function runs before its result is kept: the entry
    # already holds the row. Another function's write of the same rows still misses it.
    from tests.conftest import lint_tree

    found = lint_tree(tmp_path, {
        "pyproject.toml": "",
        "shop/__init__.py": "",
        "shop/roles.py": """
            from cache_memoize import cache_memoize

            from shop.models import Badge

            @cache_memoize(3600)
            def badge_named(name):
                return Badge.objects.get_or_create(name=name)[0]

            def rename_badge(pk, name):
                Badge.objects.filter(pk=pk).update(name=name)
            """,
    }, ("CL010",))
    assert [(Path(d.filename).name, d.location.row) for d in found] == [("roles.py", 11)]


# A fill from an association model (`BasketLine` puts products in baskets) under a key that
# names it by the first word of its name: a view of those rows, as a key naming it by its
# last word (`line`) or whole would be. A key that speaks of neither is left alone.
BASKET_TAGS = '''
from django.core.cache import cache

from shop import models


def in_basket(user, product):
    return cache.get_or_set(
        f"{namespace}-{{user.id}}-{{product.id}}",
        lambda: models.BasketLine.objects.filter(basket__owner=user, product=product).first() or False,
        3600,
    )
'''

BASKET_VIEWS = '''
from shop import models


def take_out(request, line_id):
    models.BasketLine.objects.filter(pk=line_id, basket__owner=request.user).delete()
'''


@pytest.mark.parametrize("namespace, reported", [
    ("basket", True), ("in_basket", True), ("line", True), ("basket_line", True), ("heuristic", False),
])
def test_a_key_naming_an_association_model_by_its_first_word_is_a_view_of_it(tmp_path, monkeypatch, namespace,
                                                                             reported):
    monkeypatch.chdir(tmp_path)
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text("from django.db import models\n\n\nclass BasketLine(models.Model):\n    pass\n")
    (package / "tags.py").write_text(BASKET_TAGS.format(namespace=namespace))
    (package / "views.py").write_text(BASKET_VIEWS)
    found = lint(tmp_path)
    assert [(name, row) for name, row, _ in found] == ([("views.py", 6)] if reported else [])
