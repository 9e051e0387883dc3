"""User context (cachelint.model.app.users) and CL004 key-missing-user-scope beyond its examples."""
from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst

from cachelint.model import build_model
from tests.conftest import lint, lint_tree


def _model(source: str):
    text = textwrap.dedent(source)
    return build_model("example.py", text.encode(), cst.parse_module(text))


def _stored(source: str) -> list[str | None]:
    """For each write, the user its value comes from (None: nobody's)."""
    model = _model(source)
    found = []
    for op in model.ops:
        if op.value is not None:
            user = model.users.identity(op.value, op.scope)
            found.append(user.source if user else None)
    return found


def _findings(source: str) -> list[tuple[int, str]]:
    return [(d.location.row, d.message) for d in lint(source, select=("CL004",))]


def _rows(source: str) -> list[int]:
    return [row for row, _ in _findings(source)]


# ---------------------------------------------------------------------- the model

def test_where_the_user_comes_from():
    assert _stored(
        """
        from django.core.cache import cache
        from fastapi import Depends
        from flask import g, session
        from flask_login import current_user as me
        from .auth import get_current_user

        def views(request, account_id, user, team_id, uid=None):
            cache.set("a", request.user.profile)
            cache.set("b", me.orders)
            cache.set("c", g.user.preferences)
            cache.set("d", load(session["user_id"]))
            cache.set("e", load(request.session.get("cart")))
            cache.set("f", usage(account_id))
            cache.set("g", user.settings)
            cache.set("h", usage(team_id))
            cache.set("i", usage(uid))

        async def endpoint(viewer=Depends(get_current_user), db=Depends(get_db)):
            cache.set("j", viewer.feed)
            cache.set("k", db.products())

        class Handler:
            def get(self):
                cache.set("l", self.request.user.inbox)
                cache.set("m", self.current_user.inbox)
        """
    ) == [
        "request.user", "me", "g.user", 'session["user_id"]', 'request.session.get("cart")', "account_id", "user",
        None, "uid", "viewer", None, "self.request.user", "self.current_user",
    ]


def test_flags_preferences_and_other_values_are_not_the_users_data():
    assert _stored(
        """
        from django.core.cache import cache
        from flask import session

        def view(request, user_id):
            cache.set("a", request.user.is_staff)
            cache.set("b", request.user.has_perm("shop.view"))
            cache.set("c", load_news(request.user.language))
            cache.set("d", request.user.pk == 1)
            cache.set("e", bool(request.user))
            cache.set("f", load(session.get("lang")))
            cache.set("g", load(request.GET["q"]))
            cache.set("h", staff_menu() if request.user.is_staff else public_menu())
        """
    ) == [None] * 8


def test_values_computed_from_the_user_through_assignments_calls_and_helpers():
    assert _stored(
        """
        import json
        from django.core.cache import cache

        def orders_of(user):
            return Order.objects.filter(customer=user)

        def site_news(user):
            return News.objects.filter(public=True)

        def view(request, post_id):
            uid = request.user.id
            rows = query("SELECT * FROM orders WHERE user_id = %s", (uid,))
            summary = {"count": len(rows), "total": sum(row["total"] for row in rows)}
            cache.set("a", json.dumps(summary))
            cache.set("b", orders_of(request.user))
            cache.set("c", site_news(request.user))
            cache.set("d", add_comment(post_id, uid, "text"))
            cache.set("e", lambda: stats_for(request.user))
        """
    ) == ["request.user", "request.user", None, None, "request.user"]


def test_a_functions_user_context_and_what_a_view_reads():
    model = _model(
        """
        from flask import session
        from flask_login import current_user

        def shop(request):
            if not request.user.is_authenticated:
                return None
            return list_products()

        def account(request):
            return request.user.account

        def cart():
            return render(_items())

        def _items():
            return session.get("cart", [])
        """
    )
    functions = {node.name.value: node for node in model.functions}
    assert model.users.context(functions["shop"]) is None  # a flag only
    assert model.users.context(functions["account"]).source == "request.user"
    assert model.users.reads_user(functions["shop"]).source == "request.user"  # the page differs per user
    assert model.users.reads_user(functions["cart"]).source == 'session.get("cart", [])'  # through a helper


# ---------------------------------------------------------------------- CL004 on data caches

def test_message_names_the_user_and_the_key_to_use():
    assert _findings(
        """
        import json
        import redis

        r = redis.Redis()

        def usage_summary(account_id, period):
            rows = monthly_usage(account_id, period)
            r.set(f"usage:{period}", json.dumps(rows), ex=300)
        """
    ) == [(9, '`f"usage:{period}"` caches data computed from `account_id` but the key has no part from it: '
              'every user is served the first one\'s data; add it: `f"usage:{period}:{account_id}"`')]


def test_only_the_write_is_reported():
    assert _rows(
        """
        from django.core.cache import cache

        def inbox(request):
            messages = cache.get("inbox")
            if messages is None:
                messages = list(request.user.messages.all())
                cache.set("inbox", messages, 60)
            cache.delete("inbox")
            return messages
        """
    ) == [8]


def test_keys_with_a_part_from_the_user_are_not_reported():
    assert _rows(
        """
        import hashlib

        from django.core.cache import cache
        from flask import g
        from flask_login import current_user

        def feed_key(uid, page):
            return f"feed:{uid}:{page}"

        class Feed:
            def key(self, user):
                return "feed:%s" % user.pk

            def store(self, request, items):
                cache.set(self.key(request.user), items, 60)

        def views(request, user_id, username):
            items = load_feed(request.user)
            cache.set(f"feed:{request.user.pk}", items, 60)
            cache.set(feed_key(request.user.id, 1), items, 60)
            cache.set("feed:" + hashlib.md5(str(request.user.pk).encode()).hexdigest(), items, 60)
            cache.set(make_template_fragment_key("feed", [request.user.username]), items, 60)
            cache.set(f"feed:{current_user.id}", load_feed(current_user), 60)
            cache.set("feed:{}".format(g.user.id), load_feed(g.user), 60)
            cache.set(("feed", user_id), load_feed(user_id), 60)
            profile = User.objects.get(username=username)
            cache.set(f"profile:{profile.pk}", load_profile(username), 60)
            cache.set(f"cart:{request.session.session_key}", load_cart(request.user), 60)
        """
    ) == []


def test_keys_the_module_does_not_show_are_not_reported():
    assert _rows(
        """
        from django.core.cache import cache

        from .keys import user_key

        def view(request, cache_key):
            cache.set(user_key("profile"), request.user.profile, 60)
            cache.set(cache_key, request.user.profile, 60)
        """
    ) == []


def test_shared_entries_ids_and_members_are_not_the_users_data():
    assert _rows(
        """
        import json
        import redis
        from django.core.cache import cache

        r = redis.Redis()

        def activity(request, post_id, user_id, score):
            r.zadd("leaderboard", {user_id: score})
            r.sadd("online", user_id)
            r.lpush("activity", json.dumps({"user": user_id}))
            r.incr("logins:total")
            r.set(f"lock:post:{post_id}", user_id, ex=5)
            r.set(f"editor:{post_id}", str(request.user.pk), ex=5)
            vote(post_id, user_id)
            r.set(f"votes:{post_id}", json.dumps(tally(post_id)), ex=60)
            r.set(f"comments:{post_id}", json.dumps(add_comment(post_id, user_id, "hi")), ex=60)
            cache.set("home:anonymous", public_projects(request.user), 60)
            cache.set("site:settings", site_settings(), 3600)
            post = Post.objects.create(author=request.user, title=str(score))
            cache.set(f"post:{post.pk}", {"title": post.title, "author_id": request.user.pk}, 300)
        """
    ) == []


def test_private_words_need_a_user_context():
    assert _rows(
        """
        from flask import g, session
        from flask_caching import Cache

        cache = Cache()

        def site_settings():
            cache.set("site:settings", load_site_settings())

        def settings_labels():
            cache.set("settings:labels", load_labels())

        def catalog(request):
            if request.user.is_authenticated:
                cache.set("account:plans", load_plans())

        def show_cart():
            if session.get("user_id") is None:
                return None
            cache.set("cart", load_cart_items())
            cache.set("cart:enabled", True)

        def inbox_page():
            owner = g.user
            cache.set("inbox:page", render_inbox())
        """
    ) == [20, 25]


# ---------------------------------------------------------------------- CL004 on view caches

def test_django_cache_page_views():
    source = """
        from django.utils.decorators import method_decorator
        from django.views.decorators.cache import cache_control, cache_page
        from django.views.decorators.http import require_http_methods
        from django.views.decorators.vary import vary_on_cookie, vary_on_headers
        from django.views.generic import ListView

        @cache_page(60)
        def home(request):
            return render(request, "home.html", {"hello": request.user.is_authenticated})

        @cache_page(60)
        @vary_on_headers("Accept-Language")
        def cart(request):
            return render(request, "cart.html", {"cart": request.session.get("cart", [])})

        @cache_page(60)
        @vary_on_headers("Authorization")
        def api_me(request):
            return {"id": request.user.pk}

        @cache_page(60)
        @cache_control(private=True)
        def notices(request):
            return render(request, "notices.html", {"n": request.user.notices.all()})

        @cache_page(60)
        @require_http_methods(["POST"])
        def note(request):
            return save_note(request.user)

        class Orders(ListView):
            @method_decorator(cache_page(120))
            def get(self, request, *args, **kwargs):
                return super().get(request, *args, **kwargs)

            def get_queryset(self):
                return Order.objects.filter(customer=self.request.user)

            def post(self, request):
                return save(request.user)

        @method_decorator(vary_on_cookie, name="dispatch")
        class MyOrders(Orders):
            @method_decorator(cache_page(120))
            def get(self, request, *args, **kwargs):
                return super().get(request, *args, **kwargs)

        @method_decorator(cache_page(60), name="dispatch")
        class Products(ListView):
            def get_queryset(self):
                return Product.objects.filter(active=True)

            def post(self, request):
                return save(request.user)
        """
    assert _rows(source) == [8, 12, 33]
    assert _findings(source)[2][1] == (
        "`@method_decorator(cache_page(120))` keeps one `get` page for every visitor, but the view reads "
        "`self.request.user`: one user's page is served to the next; add `vary_on_cookie` to the "
        "`method_decorator`, or cache the shared parts instead of the page"
    )


def test_flask_caching_views_need_a_key_function_that_reads_the_user():
    source = """
        from flask import Flask, g, request, session
        from flask_caching import Cache
        from flask_login import current_user

        from .keys import make_key

        app = Flask(__name__)
        cache = Cache(app)

        def path_key():
            return "view/" + request.path

        def user_key():
            return f"view:{request.path}:{current_user.get_id()}"

        @app.get("/dashboard")
        @cache.cached(timeout=60, query_string=True)
        def dashboard():
            return render(current_user)

        @app.get("/team")
        @cache.cached(timeout=60, make_cache_key=path_key)
        def team():
            return render(_team())

        def _team():
            return load_team(g.user.team_id)

        @app.get("/me")
        @cache.cached(timeout=60, make_cache_key=user_key)
        def me():
            return render(current_user)

        @app.get("/basket")
        @cache.cached(timeout=60, unless=lambda: "basket" in session)
        def basket():
            return render(session.get("basket", []))

        @app.get("/other")
        @cache.cached(timeout=60, key_prefix=make_key)
        def other():
            return render(current_user)

        @app.get("/about")
        @cache.cached(timeout=600)
        def about():
            return render("about")
        """
    assert _rows(source) == [18, 23]
    assert _findings(source)[0][1] == (
        "`@cache.cached(timeout=60, query_string=True)` keeps one `dashboard` page for every user, but the view "
        "reads `current_user`: one user's page is served to every user; pass a `make_cache_key` that includes "
        "`current_user.id`, or cache only anonymous requests (`unless=`)"
    )


def test_memoised_functions_that_read_the_user_from_elsewhere():
    source = """
        from functools import lru_cache

        from flask import g
        from flask_login import current_user

        @lru_cache(maxsize=128)
        def current_plan():
            return Plan.query.filter_by(user_id=current_user.id).first()

        @lru_cache(maxsize=128)
        def plan(user_id):
            return Plan.query.filter_by(user_id=user_id).first()

        @lru_cache(maxsize=16)
        def plans():
            if current_user.is_authenticated:
                return all_plans()
            return []

        class Report:
            @lru_cache(maxsize=16)
            def rows(self):
                return load(self.request.user)
        """
    assert _findings(source) == [(7, (
        "`@lru_cache(maxsize=128)` keeps `current_plan()`'s results by its arguments, but what it returns comes "
        "from `current_user`: every user is served the first one's result; pass the user's id (`current_user.id`) "
        "as an argument"
    ))]


def test_queries_filtered_by_the_user_and_ids_kept_in_variables():
    assert _findings(
        """
        import redis
        from aiohttp_security import authorized_userid
        from sqlalchemy import select

        r = redis.Redis()

        def wishlist(db, user_id):
            items = db.execute(select(Wishlist).where(Wishlist.user_id == user_id)).scalars().all()
            r.set("wishlist", dump(items), ex=300)

        async def orders(request):
            uid = await authorized_userid(request)
            r.set("orders:mine", dump(await load_orders(uid)), ex=60)
        """
    ) == [
        (10, '`"wishlist"` caches data computed from `user_id` but the key has no part from it: every user is '
             'served the first one\'s data; add it: `f"wishlist:{user_id}"`'),
        (14, '`"orders:mine"` caches data computed from `authorized_userid(request)` but the key has no part from '
             'it: every user is served the first one\'s data; add it: `f"orders:mine:{uid}"`'),
    ]


def test_class_based_views_follow_their_own_methods():
    assert _rows(
        """
        from django.core.cache import cache
        from rest_framework.views import APIView

        class Orders(APIView):
            def get(self, request):
                data = OrderSerializer(self.get_queryset(), many=True).data
                cache.set("orders", data, 60)
                cache.set(self.cache_key(request), data, 60)
                cache.set("products", ProductSerializer(self.products(), many=True).data, 60)

            def get_queryset(self):
                return Order.objects.filter(user=self.request.user)

            def products(self):
                return Product.objects.filter(active=True)

            def cache_key(self, r):
                return f"orders:{r.user.pk}"
        """
    ) == [8]


def test_keys_under_a_one_time_secret_or_some_users_id_are_not_shared():
    assert _rows(
        """
        from django.core.cache import cache

        def grant(request, client, code):
            cache.set(f"oidc:code:{client.id}:{code['code']}", {"sub": sub_for(request.user)}, 60)

        def history(request, order):
            cache.set(f"orders:{order.customer_id}", list_orders(request.user), 60)
        """
    ) == []


def test_keys_built_from_a_builders_parameter_and_role_checks():
    assert _rows(
        """
        from flask import abort
        from flask_caching import Cache
        from flask_login import current_user

        cache = Cache()

        def _key(obj):
            return f"dash:{obj.pk}"

        def dashboard():
            cache.set(_key(current_user), load(current_user), 60)

        def revenue():
            if current_user.role != "admin":
                abort(403)
            cache.set("dashboard:revenue", total_revenue(), 600)
        """
    ) == []


def test_a_tenant_is_named_by_a_word_of_the_text_in_any_case():
    import re

    from cachelint.model.app.users import _TENANT_NOUNS, _names_tenant_word

    # The contract, as one case-insensitive regex with a look-behind (slow on a big module).
    spec = re.compile(rb"(?i)(?<![a-z])(?:" + b"|".join(sorted(n.encode() for n in _TENANT_NOUNS)) + rb")(?![a-z])")
    texts = [b"request.event", b"org_id = 1", b"Organization", b"ORG", b"prevent = 1", b"website", b"orgId", b"eventful",
             b"xsite site", b"teams", b"_team", b"organiser2", b"organizations", b"", b"event", b"\xc3\xa9site", b"sub.Site"]
    assert [_names_tenant_word(text) for text in texts] == [spec.search(text) is not None for text in texts]
    assert [_names_tenant_word(text) for text in texts].count(True) == 10


# A project whose models hold a cache namespaced by the object (pretix's `ObjectRelatedCache`).
SHOP_CACHE = {
    "shop/__init__.py": "",
    "shop/caching.py": """\
        from django.core.cache import caches

        class PerObjectCache:
            def __init__(self, obj):
                self.backend = caches["default"]
                self.prefix = f"{type(obj).__name__}:{obj.pk}"

            def set(self, key, value, timeout=300):
                self.backend.set(f"{self.prefix}:{key}", value, timeout)
        """,
    "shop/models.py": """\
        from django.db import models

        from .caching import PerObjectCache

        class Shop(models.Model):
            @property
            def cache(self):
                return PerObjectCache(self)
        """,
    "shop/views.py": """\
        def sidebar(request):
            if request.user.is_authenticated and request.session.get("seen"):
                pending = request.shop.orders.filter(state="pending").exists()
                request.shop.cache.set("pending_orders", pending, 30)
                return {"pending": pending, "who": request.user}
            return {}

        def mine(request, shop):
            rows = list(shop.orders.filter(customer=request.user))
            shop.cache.set("recent_orders", rows, 30)
            return rows
        """,
}


def test_a_private_word_in_a_cache_namespaced_by_its_object_is_that_objects(tmp_path):
    found = lint_tree(tmp_path, SHOP_CACHE, ("CL004",))
    # `pending_orders` is the shop's (its cache keys every entry by the shop); the rows of
    # `mine` are filtered by the user, which the shop's namespace does not keep apart.
    assert [(Path(d.filename).name, d.location.row) for d in found] == [("views.py", 10)]


def test_a_memoised_method_keyed_by_its_object_reaches_the_user_through_a_helper_of_its_own():
    # The method's `self` (one view per request) is part of what the memoizer keys on, also
    # when the user is read in another method it calls on `self`; a user read from a global
    # through such a helper is still no argument of it.
    assert _rows(
        """
        from functools import lru_cache

        from django.shortcuts import get_object_or_404
        from django.views.generic import DetailView
        from flask_login import current_user

        class TeamPage(DetailView):
            def teams(self):
                return Team.objects.filter(members=self.request.user)

            @lru_cache(maxsize=1)
            def team(self):
                return get_object_or_404(self.teams(), slug=self.kwargs["team"])

        class Board:
            def mine(self):
                return Post.query.filter_by(author_id=current_user.id)

            @lru_cache(maxsize=8)
            def latest(self):
                return self.mine().first()
        """
    ) == [20]


def test_one_row_looked_up_among_the_rows_a_user_may_see_is_the_same_for_every_user():
    # The user only narrows which rows may be found; the row found by its slug, and what is
    # computed from it, is that row's. A list of the user's rows is still theirs.
    assert _rows(
        """
        from django.core.cache import cache
        from django.shortcuts import get_object_or_404, render

        def board_stats(request, slug):
            board = get_object_or_404(Board.objects.visible_to(request.user), slug=slug)
            stats = cache.get(f"board:{slug}:stats")
            if stats is None:
                stats = compute_stats(board=board)
                cache.set(f"board:{slug}:stats", stats, 600)
            return render(request, "stats.html", stats)

        def board_card(request, slug):
            board = Board.objects.visible_to(request.user).get(slug=slug)
            cache.set(f"board:{slug}:card", render_card(board), 600)

        def my_boards(request, page):
            boards = list(Board.objects.visible_to(request.user))
            cache.set(f"boards:{page}", boards, 600)
        """
    ) == [19]
