"""CL004 key-missing-user-scope: one user's data cached under a key every user reads."""
from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from cachelint.model import (
    MAYBE,
    CacheDecorator,
    CacheOp,
    Identity,
    KeyShape,
    Kind,
    ModuleModel,
    Part,
    Scope,
    Source,
    children,
    describe_key,
    find_argument,
    is_key_name,
    is_method_decorator,
    names_in,
    qualified_name,
    unwrap_method_decorator,
    words,
)
from cachelint.model.cache.wrappers import OPAQUE
from cachelint.model.spec import Arg
from cachelint.rules.base import Finding, Rule, RuleContext

# Key words that name one user's private data, and words that say an entry is shared.
_PRIVATE_WORDS = frozenset({"profile", "account", "dashboard", "orders", "cart", "inbox", "settings", "me", "my", "mine"})
_SHARED_WORDS = frozenset({"site", "global", "public", "admin", "anon", "anonymous", "default", "shared", "system"})
# Key parts that are one-time secrets handed to one client: an entry under them is theirs alone.
_ONE_TIME_WORDS = frozenset({
    "token", "nonce", "otp", "ticket", "jti", "challenge", "verifier", "secret", "code", "session", "sid", "sessionid",
})
# Calls whose every result is new and unguessable.
_FRESH_VALUES = frozenset({
    "uuid.uuid4", "secrets.token_hex", "secrets.token_urlsafe", "secrets.token_bytes", "os.urandom",
})
# Writes that put a member into a collection keyed inside the value (`zadd(k, {user_id: n})`).
_MEMBER_WRITES = frozenset({"mapping"})

# Django decorators that keep a cached page per user, or keep it out of the cache.
_VARY_ON_COOKIE = "django.views.decorators.vary.vary_on_cookie"
_VARY_ON_HEADERS = "django.views.decorators.vary.vary_on_headers"
_CACHE_CONTROL = "django.views.decorators.cache.cache_control"
_NEVER_CACHE = "django.views.decorators.cache.never_cache"
_REQUIRE_POST = "django.views.decorators.http.require_POST"
_REQUIRE_METHODS = "django.views.decorators.http.require_http_methods"
_PER_USER_HEADERS = frozenset({"cookie", "authorization"})
# Flask-Caching `cached(timeout, key_prefix, unless, …, make_cache_key)`.
_KEY_PREFIX = Arg(1, "key_prefix")
_UNLESS = Arg(2, "unless")
_MAKE_CACHE_KEY = Arg(8, "make_cache_key")


class KeyMissingUserScope(Rule):
    """
    ## What it does
    Flags a cache write that stores one user's data under a key that has no part from
    that user:
    - the stored value is computed from the current user (`request.user`,
      `current_user`, `g.user`, `session["user_id"]`, a `user_id`/`uid`/`account_id`-like
      parameter, a FastAPI `Depends(get_current_user)` parameter, a query filtered by
      one of these), but no part of the key comes from that user;
    - a constant key whose words name private data (`profile`, `account`, `dashboard`,
      `orders`, `cart`, `inbox`, `settings`, `me`) is written in a function that reads
      the user's identity.

    The user may be read where the data comes from: a function of the module that the
    code calls, or the class's own `get_queryset()` filtered by `self.request.user`, which
    DRF's and Django's `get_object()` looks the object up in (that object keyed by its own
    id, `invoice:{pk}`, is the same for every user who may see it, and is not flagged).

    Tenant scope counts too, where the module shows that it keeps its cache per tenant
    (another entry's key has a part from the tenant, or the cache is the tenant's own,
    `request.event.cache`): data of a tenant (`request.event`, `g.organization`, an
    `org_id` parameter, a query filtered by one) under a key without it.

    It also flags view caches that serve one user's page to everyone: Django
    `@cache_page` on a view that reads `request.user` or the session without
    `@vary_on_cookie`, `@vary_on_headers("Cookie")` or `@cache_control(private=True)`;
    Flask-Caching `@cache.cached` on a view that reads `current_user`, `g.user` or the
    session without a `make_cache_key`/`key_prefix` function that reads the user. A view
    cache applied by a call (`path("me/", cache_page(60)(me))`) is judged the same way when
    the view is defined in the module, and not at all when it is imported. And a
    function memoised by its arguments (`@lru_cache`, `@cache.memoize`) whose result
    comes from a user it reads from elsewhere (`current_user`, `g.user`, the session).

    Reads and deletes are not flagged, only the write that stores the data. Not flagged
    either: keys built by functions the analysis cannot see; keys that say they are
    shared (`site:`, `public`, `anonymous`, `admin`) or hold a one-time code or token
    (`nonce`, `otp`, a fresh `uuid4()` handed to the client); a private-sounding key of a
    cache an object holds whose wrapper namespaces every key by that object
    (`request.event.cache.set("pending_orders", ...)`, pretix's `ObjectRelatedCache`): the
    words name the object's data, and only a value computed from the user is reported there;
    storing only the user's id (who holds a lock) or adding them to a shared collection
    (`zadd("leaderboard", {user_id: score})`); what a call acting on the user's behalf
    gives back (`add_comment(post_id, user_id, text)`); flags and role checks
    (`request.user.is_staff`).

    ## Why is this bad?
    The key is the only thing that tells two users' entries apart. Without the user's id
    in it, the first user to load the page fills the entry and every other user is
    served that user's data until it expires: User 42's profile, orders or unread
    count shown to User 99. It is a data leak that no test with a single user shows.

    ## Example
    ```python
    def usage_summary(account_id):
        summary = load_usage(account_id)
        r.set("usage:summary", json.dumps(summary), ex=300)
        return summary
    ```

    ## Use instead
    ```python
    def usage_summary(account_id):
        summary = load_usage(account_id)
        r.set(f"usage:summary:{account_id}", json.dumps(summary), ex=300)
        return summary
    ```
    For a view cache, vary it per user (`@vary_on_cookie` below `@cache_page`, a
    Flask-Caching `make_cache_key` that includes `current_user.id`), or cache the
    shared parts of the page instead of the page.
    """

    code = "CL004"
    name = "key-missing-user-scope"
    summary = "Per-user data cached under a key without the user's id."

    VALID = [
        # The key includes the user, directly or through a key builder.
        """
        from django.core.cache import cache

        from .models import Order

        def order_key(user_id, kind):
            return f"orders:{user_id}:{kind}"

        def recent_orders(request):
            orders = list(Order.objects.filter(customer=request.user)[:10])
            cache.set(f"orders:recent:{request.user.pk}", orders, 300)
            return orders

        def open_orders(customer_id):
            rows = list(Order.objects.filter(customer_id=customer_id, state="open"))
            cache.set(order_key(customer_id, "open"), rows, 60)
            return rows

        def account_page(request):
            uid = request.user.id
            cache.set(f"account:{uid}", load_account(uid), 300)
        """,
        # Public data in a function that happens to have a user; an admin-only aggregate;
        # flags of the user are not the user's data.
        """
        from django.contrib.admin.views.decorators import staff_member_required
        from django.core.cache import cache

        from .models import Order, Product

        def catalog(request):
            if not request.user.is_authenticated:
                return login_page(request)
            products = list(Product.objects.filter(active=True))
            cache.set("catalog:active", products, 600)
            return render_catalog(request, products)

        @staff_member_required
        def sales_dashboard(request):
            totals = Order.objects.aggregate_by_day()
            cache.set("dashboard:admin:sales", totals, 300)
            return totals

        def menu(request):
            entries = staff_menu() if request.user.is_staff else public_menu()
            cache.set("menu:entries", entries, 60)
        """,
        # A constant private-sounding key with no user around; a shared qualifier; a fresh id.
        """
        import uuid

        import redis

        r = redis.Redis()

        def site_settings():
            r.set("site:settings", load_site_settings(), ex=3600)

        def refresh_public_profile_fields(request):
            r.set("profile:fields:public", describe_fields(), ex=3600)

        def record_login(user_id):
            r.zadd("logins:recent", {user_id: now()})
            r.delete("dashboard")

        def start_export(request):
            job_id = uuid.uuid4().hex
            r.set(f"export:{job_id}", build_export(request.user.id), ex=600)
            return job_id
        """,
        # View caches that vary per user, or views that never read the user.
        """
        from django.utils.decorators import method_decorator
        from django.views.decorators.cache import cache_page
        from django.views.decorators.vary import vary_on_cookie, vary_on_headers
        from django.views.generic import TemplateView

        @cache_page(60)
        @vary_on_cookie
        def inbox(request):
            return render_inbox(request.user)

        @cache_page(60)
        @vary_on_headers("Accept-Language", "Cookie")
        def cart(request):
            return render_cart(request.session.get("cart"))

        @cache_page(300)
        def pricing(request):
            return render_pricing()

        @method_decorator([cache_page(60), vary_on_cookie], name="dispatch")
        class Dashboard(TemplateView):
            def get_context_data(self, **kwargs):
                return {"me": self.request.user}
        """,
        # Applied by a call: varied per user, or a view defined in another module.
        """
        from django.urls import path
        from django.views.decorators.cache import cache_page
        from django.views.decorators.vary import vary_on_cookie

        from . import views

        def inbox(request):
            return render_inbox(request.user)

        urlpatterns = [
            path("inbox/", cache_page(60)(vary_on_cookie(inbox))),
            path("inbox/all/", vary_on_cookie(cache_page(60)(inbox))),
            path("profile/", cache_page(60)(views.profile)),
        ]
        """,
        # A page cache on one action of a viewset runs for that action alone.
        """
        from django.utils.decorators import method_decorator
        from django.views.decorators.cache import cache_page
        from rest_framework.response import Response
        from rest_framework.viewsets import ViewSet

        class ArticleViewSet(ViewSet):
            def list(self, request):
                return Response(load_drafts(request.user))

            @method_decorator(cache_page(60))
            def retrieve(self, request, pk=None):
                return Response(load_article(pk))
        """,
        # A tenant's data under the tenant's key; and a module that keys
        # nothing by the tenant gives no evidence that its entries are kept per tenant.
        """
        from django.core.cache import cache

        from .models import Order

        def paid_orders(request):
            paid = Order.objects.filter(event=request.event, status="paid").count()
            cache.set(f"stats:paid:{request.event.pk}", paid, 60)
            return paid
        """,
        """
        from django.core.cache import cache

        from .models import Order

        def team_orders(team):
            orders = list(Order.objects.filter(team=team))
            cache.set("orders:recent", orders, 60)
            return orders
        """,
        # DRF: the object `get_object()` finds, keyed by its own id, is the same for every
        # user who may see it; a queryset that is not the user's.
        """
        from django.core.cache import cache
        from rest_framework import viewsets
        from rest_framework.response import Response

        from .models import Invoice

        class OwnedMixin:
            def get_queryset(self):
                return Invoice.objects.filter(owner=self.request.user)

        class InvoiceViewSet(OwnedMixin, viewsets.ModelViewSet):
            def retrieve(self, request, pk=None):
                data = InvoiceSerializer(self.get_object()).data
                cache.set(f"invoice:{pk}", data, 60)
                return Response(data)

        class PublicInvoiceViewSet(viewsets.ReadOnlyModelViewSet):
            def get_queryset(self):
                return Invoice.objects.filter(public=True)

            def list(self, request):
                data = InvoiceSerializer(self.get_queryset(), many=True).data
                cache.set("invoices:public", data, 60)
                return Response(data)
        """,
        """
        from flask import Flask, g
        from flask_caching import Cache
        from flask_login import current_user

        app = Flask(__name__)
        cache = Cache(app)

        def per_user_key():
            return f"view:{current_user.id}"

        @app.get("/me")
        @cache.cached(timeout=60, make_cache_key=per_user_key)
        def me():
            return render_me(current_user)

        @app.get("/news")
        @cache.cached(timeout=60)
        def news():
            return render_news()

        @cache.memoize(timeout=300)
        def badges(user_id):
            return load_badges(user_id)

        def my_badges():
            return badges(current_user.id)
        """,
    ]

    INVALID = [
        # Tenant scope: the module keys its entries by the event, but not this one.
        """
        from django.core.cache import cache
        from django.views.generic import TemplateView

        from .models import Order, Quota

        class EventStats(TemplateView):
            def get_context_data(self, **kwargs):
                quotas = cache.get(f"quotas:{self.request.event.pk}")
                if quotas is None:
                    quotas = list(Quota.objects.filter(event=self.request.event))
                    cache.set(f"quotas:{self.request.event.pk}", quotas, 60)
                paid = Order.objects.filter(event=self.request.event, status="paid").count()
                cache.set("stats:paid", paid, 60)  # expect: CL004
                return {"quotas": quotas, "paid": paid}
        """,
        # DRF: rows of a queryset filtered by the user, read through `get_queryset()` or
        # `get_object()` (which looks the object up in it), under a shared key.
        """
        from django.core.cache import cache
        from rest_framework import viewsets
        from rest_framework.response import Response

        from .models import Invoice

        class OwnedMixin:
            def get_queryset(self):
                return Invoice.objects.filter(owner=self.request.user)

        class InvoiceViewSet(OwnedMixin, viewsets.ModelViewSet):
            def list(self, request):
                data = InvoiceSerializer(self.filter_queryset(self.get_queryset()), many=True).data
                cache.set("invoices:list", data, 60)  # expect: CL004
                return Response(data)

            def latest(self, request):
                data = InvoiceSerializer(self.get_object()).data
                cache.set("invoices:latest", data, 60)  # expect: CL004
                return Response(data)
        """,
        # Data computed from the user under a key without the user.
        """
        import json

        import redis
        from django.core.cache import cache

        from .db import fetch_unread, monthly_usage

        r = redis.Redis()

        def usage_summary(account_id):
            rows = monthly_usage(account_id)
            summary = {"requests": len(rows), "tokens": sum(row["tokens"] for row in rows)}
            r.set("usage:summary", json.dumps(summary), ex=300)  # expect: CL004
            return summary

        def unread_badge(user_id):
            unread = fetch_unread(user_id)
            r.set("badge:unread", len(unread), ex=60)  # expect: CL004

        def writer_dashboard(request):
            return cache.get_or_set("dashboard:writer", lambda: author_stats(request.user), 600)  # expect: CL004

        def orders_page(request, page):
            orders = Order.objects.filter(customer=request.user).page(page)
            cache.set(f"orders:page:{page}", orders, 60)  # expect: CL004
        """,
        # A private-sounding constant key in a function that runs for a user.
        """
        from flask import g, session
        from flask_caching import Cache

        cache = Cache()

        def show_cart():
            if session.get("user_id") is None:
                return empty_cart()
            items = load_cart_items()
            cache.set("cart", items)  # expect: CL004
            return items

        def settings_page():
            prefs = g.user.preferences
            cache.set("settings:page", prefs, timeout=60)  # expect: CL004
        """,
        # aiohttp: the user's id from the session; Starlette: the user a middleware set.
        """
        import json

        from aiohttp_session import get_session
        from redis.asyncio import Redis

        r = Redis()

        async def cart(request):
            session = await get_session(request)
            items = await load_cart(session["user_id"])
            await r.set("cart:items", json.dumps(items), ex=60)  # expect: CL004
            return items

        async def alerts(request):
            data = await load_alerts(request.state.user.id)
            await r.set("alerts:list", json.dumps(data), ex=60)  # expect: CL004
            return data
        """,
        # View caches that serve one user's page to everyone.
        """
        from django.utils.decorators import method_decorator
        from django.views.decorators.cache import cache_page
        from django.views.generic import TemplateView
        from flask import Flask, g
        from flask.views import MethodView
        from flask_caching import Cache
        from flask_login import current_user

        app = Flask(__name__)
        cache = Cache(app)

        @cache_page(60)  # expect: CL004
        def profile(request):
            return render_profile(request.user.profile)

        @method_decorator(cache_page(60), name="dispatch")  # expect: CL004
        class Cart(TemplateView):
            def get_context_data(self, **kwargs):
                return {"items": self.request.session.get("cart", [])}

        def orders(request):
            return render_orders(request.user.orders.all())

        cached_orders = cache_page(60)(orders)  # expect: CL004
        cached_cart = cache_page(60)(Cart.as_view())  # expect: CL004

        cache_for_day = cache_page(60 * 60 * 24)

        @cache_for_day  # expect: CL004
        def wallet(request):
            return render_wallet(request.user.wallet)

        @app.get("/dashboard")
        @cache.cached(timeout=60)  # expect: CL004
        def dashboard():
            return render_dashboard(current_user)

        @app.get("/team")
        @cache.cached(timeout=60, key_prefix="team")  # expect: CL004
        def team():
            return render_team(g.user.team_id)

        @cache.memoize(timeout=300)  # expect: CL004
        def my_badges():
            return load_badges(current_user.id)

        class Settings(MethodView):
            decorators = [cache.cached(timeout=60)]  # expect: CL004

            def get(self):
                return render_settings(current_user.settings)
        """,
    ]

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        tenants = _TenantKeys(model)
        for op in model.ops:
            if op.kind is Kind.WRITE and op.key is not None and op.value is not None:
                message = _data_problem(model, op, op.key, op.value, tenants)
                if message is not None:
                    yield Finding(op.node, op.statement, message)
        for decorator in model.decorators:
            if decorator.spec.kind == "memoize":
                message = _memoized_problem(model, decorator)
            elif decorator.library.name == "django":
                message = _cache_page_problem(model, decorator)
            elif decorator.library.name == "flask-caching":
                message = _cached_view_problem(model, decorator)
            else:
                continue
            if message is not None:
                yield Finding(decorator.node, decorator.statement, message)


# ---------------------------------------------------------------------- data caches

def _data_problem(model: ModuleModel, op: CacheOp, key_expr: cst.BaseExpression,
                  value: cst.BaseExpression, tenants: _TenantKeys) -> str | None:
    """What is wrong with the write `op` of `value` under `key_expr`, or None."""
    shapes = model.key_shapes(op)
    if not shapes:
        return None
    shape = shapes[0]
    key_words = words("".join(part.text for part in shape.parts if part.is_constant))
    if _SHARED_WORDS.intersection(key_words):
        return None  # `dashboard:anonymous`, `site:settings`: the key says it is shared
    if not all(_unscoped(model, each, op.scope) for each in shapes):
        return None
    user = _value_user(model, op, value)
    if user is not None and user.looked_up is not None and shape.dynamic:
        return None  # `invoice:{pk}` of `self.get_object()`: that object, whoever may see it
    if user is not None:
        source = f"`{user.looked_up}`, looked up among rows filtered by `{user.source}`," if user.looked_up \
            else f"data computed from `{user.source}`"
        return (f"{_described(model, key_expr, shape)} caches {source} but the key has no part from it: "
                f"every user is served the first one's data; add it: `{_with_user(model, shape, user)}`")
    tenant = tenants.unscoped_data(op, value, shape)
    if tenant is not None:
        keyed = tenants.keyed_by
        line = model.location(model.spans.start(keyed.node)).row if keyed is not None else 0
        return (f"{_described(model, key_expr, shape)} caches data of the tenant `{tenant.source}` but the key "
                f"has no part from it, where the module keys other entries by the tenant (line {line}): "
                f"every tenant is served the first one's data; add it: `{_with_user(model, shape, tenant)}`")
    function = op.scope.function_def
    private = _private_word(shape, key_words) if function is not None and _is_literal_free(value) \
        and not _an_objects_cache(op) else None
    if private is None or function is None:
        return None
    user = model.users.context(function)
    if user is None:
        return None
    return (f"{_described(model, key_expr, shape)} names private data (`{private}`) and is written where the "
            f"code runs for `{user.source}`, but the key has no part from the user: every user is served the "
            f"first one's entry; "
            f"add it: `{_with_user(model, shape, user)}`")


def _an_objects_cache(op: CacheOp) -> bool:
    """The write goes to a cache an object holds (`request.event.cache`, `shop.cache`) through a
    project wrapper that puts a namespace of its own making around every key (pretix's
    `ObjectRelatedCache(event)`, whose keys start with `Event:<pk>:`): its entries are that
    object's, so a word of the key (`"complain_testmode_orders"`) names the object's data,
    not a user's. Only the value can then show a user's data under it."""
    if OPAQUE not in op.spec.key_affix[0] or op.call is None or not isinstance(op.call.func, cst.Attribute):
        return False
    receiver = op.call.func.value
    # `self.cache`, `cls.cache`: the class's own client, which says nothing of an object it is bound to.
    return isinstance(receiver, cst.Attribute) and not (
        isinstance(receiver.value, cst.Name) and receiver.value.value in ("self", "cls"))


def _described(model: ModuleModel, key_expr: cst.BaseExpression, shape: KeyShape) -> str:
    """How a message names the key (made only for a message: most writes have none)."""
    return f'`"{shape.prefix}"`' if shape.constant else describe_key(model.code, key_expr, shape)


class _TenantKeys:
    """Tenant scope (an organisation, an event, a site), where the module gives evidence
    that its cache is kept per tenant: another entry's key has a part from the tenant
    (`f"quotas:{request.event.pk}"`), or a cache that belongs to one (`request.event.cache`)."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self._looked = False
        self._keyed_by: CacheOp | None = None

    @property
    def keyed_by(self) -> CacheOp | None:
        """The first operation of the module whose key or cache is the tenant's."""
        if not self._looked:
            self._looked = True
            self._keyed_by = next((op for op in self.model.ops if self._scoped(op)), None)
        return self._keyed_by

    def unscoped_data(self, op: CacheOp, value: cst.BaseExpression, shape: KeyShape) -> Identity | None:
        """The tenant the stored `value` comes from, when neither the key nor the cache keeps
        tenants apart and the module keys other entries by the tenant."""
        users = self.model.users
        if not users.names_a_tenant():
            return None  # no value of the module is a tenant's
        tenant = users.tenant(value, op.scope)  # before `keyed_by`, which follows every key of the module
        if tenant is None or self.keyed_by is None:
            return None  # or the module gives no evidence that it keeps its cache per tenant
        if users.is_tenant_id(value, op.scope) or self._scoped(op, [shape]):
            return None
        return tenant

    def _scoped(self, op: CacheOp, shapes: list[KeyShape] | None = None) -> bool:
        users = self.model.users
        receiver = op.call.func.value if op.call is not None and isinstance(op.call.func, cst.Attribute) else None
        if receiver is not None and users.varies_with_tenant(receiver, op.scope):
            return True
        if op.key is None:
            return False
        return any(
            part.node is not None and part.scope is not None and users.varies_with_tenant(part.node, part.scope)
            for shape in (self.model.key_shapes(op) if shapes is None else shapes) for part in shape.dynamic
        )


def _unscoped(model: ModuleModel, shape: KeyShape, op_scope: Scope) -> bool:
    """The key surely has no part from a user: every dynamic part is known and none is
    user-derived (a constant from elsewhere, `settings.PREFIX`, is known enough), nor a
    one-time secret such as an authorization code or a token, which no other user has."""
    for part in shape.dynamic:  # the cheap tests first
        if (part.opaque and not _constant_like(part)) or _of_builder_parameter(part, op_scope):
            return False
        if _ONE_TIME_WORDS.intersection(words(part.render(model.code)) + words(part.name)):
            return False
        if part.node is not None and part.scope is not None and (
                model.users.varies_with_user(part.node, part.scope) or _is_fresh(model, part.node, part.scope)):
            return False
    return True


def _is_fresh(model: ModuleModel, node: cst.CSTNode, scope: Scope) -> bool:
    """A value made new for this request (`uuid.uuid4().hex`, `secrets.token_urlsafe()`): only
    the client it is handed to can come back for the entry."""
    if isinstance(node, cst.Call) and qualified_name(node.func, scope, model.spans.start(node)) in _FRESH_VALUES:
        return True
    return any(_is_fresh(model, child, scope) for child in children(node))


def _of_builder_parameter(part: Part, op_scope: Scope) -> bool:
    """`obj.pk` in `def key(obj): return f"dash:{obj.pk}"`: a part made from a key builder's
    parameter, which may be the caller's user."""
    builder = part.scope.function if part.scope is not None else None
    if builder is None or builder is op_scope.function or part.node is None:
        return False
    used = names_in(part.node)
    return any(binding.kind == "param" for name in used for binding in builder.bindings.get(name, ()))


def _constant_like(part: Part) -> bool:
    """An opaque part that is configuration or a constant (`settings.X`, `PREFIX`), not a key."""
    return part.source in (Source.NAME, Source.ATTRIBUTE, Source.SUBSCRIPT) and not is_key_name(part.name)


def _value_user(model: ModuleModel, op: CacheOp, value: cst.BaseExpression) -> Identity | None:
    """The user the stored value is computed from. The user's id alone (`r.set(lock, user_id)`,
    who holds a lock) is not their data, nor is a member written into a shared collection."""
    if op.spec.value is not None and op.spec.value.name in _MEMBER_WRITES:
        return None
    if model.users.is_user_id(value, op.scope):
        return None
    return model.users.identity(value, op.scope)


def _is_literal_free(value: cst.BaseExpression) -> bool:
    """Not a literal flag or number: `cache.set("cart:enabled", True)` stores nothing private."""
    return not isinstance(value, (cst.Integer, cst.Float, cst.SimpleString)) and not (
        isinstance(value, cst.Name) and value.value in ("True", "False", "None")
    )


def _private_word(shape: KeyShape, key_words: tuple[str, ...]) -> str | None:
    if not shape.constant:
        return None
    return next((word for word in key_words if word in _PRIVATE_WORDS), None)


def _with_user(model: ModuleModel, shape: KeyShape, user: Identity) -> str:
    return f'f"{shape.render(model.code)}:{{{user.user_id}}}"'


# ---------------------------------------------------------------------- memoised functions

def _memoized_problem(model: ModuleModel, decorator: CacheDecorator) -> str | None:
    function = decorator.function
    if not isinstance(function, cst.FunctionDef):
        return None
    user = model.users.returned_user(function)
    if user is None:
        return None
    return (f"`{_spelled(model, decorator)}` keeps `{function.name.value}()`'s results by its arguments, but "
            f"what it returns comes from `{user.source}`: every user is served the first one's result; "
            f"pass the user's id (`{user.user_id}`) as an argument")


# ---------------------------------------------------------------------- view caches

def _cache_page_problem(model: ModuleModel, decorator: CacheDecorator) -> str | None:
    view = decorator.function
    if view is None:
        return None  # defined in another module (a urls.py): what it reads is not known here
    if _varies_per_user(model, decorator, view):
        return None
    read = model.users.reads_user(view)
    if read is None:
        return None
    applied = decorator.expression
    if isinstance(decorator.node, cst.Call):
        fix = f"wrap the view in `vary_on_cookie`: `{_spelled(model, decorator)}(vary_on_cookie({view.name.value}))`"
    elif is_method_decorator(applied, decorator.scope, model.spans.start(decorator.node)):
        fix = "add `vary_on_cookie` to the `method_decorator`"
    else:
        fix = "add `@vary_on_cookie` under it"
    return (f"`{_spelled(model, decorator)}` keeps one `{view.name.value}` page for every visitor, but the view "
            f"reads `{read.source}`: one user's page is served to the next; {fix}, or cache the shared parts "
            f"instead of the page")


def _varies_per_user(model: ModuleModel, decorator: CacheDecorator, view: cst.FunctionDef | cst.ClassDef) -> bool:
    """`@vary_on_cookie`, `@vary_on_headers("Cookie")`, `@cache_control(private=True)`,
    `@never_cache`, or `@require_POST` (`cache_page` keeps only GET responses) on the view,
    on its class, in the same `method_decorator`, or applied with a call form
    (`cache_page(60)(vary_on_cookie(view))`)."""
    holders: list[cst.FunctionDef | cst.ClassDef] = [view]
    if isinstance(decorator.scope.node, cst.ClassDef):  # a method's: its class
        holders.append(decorator.scope.node)
    for holder in holders:
        for applied in holder.decorators:
            order = model.spans.start(applied)
            for expr in unwrap_method_decorator(applied.decorator, decorator.scope, order):
                if _keeps_page_per_user(expr, decorator.scope, order):
                    return True
    order = model.spans.start(decorator.node)
    return any(_keeps_page_per_user(expr, decorator.scope, order) for expr in decorator.applied_with)


def _keeps_page_per_user(expr: cst.BaseExpression, scope: Scope, order: int) -> bool:
    call = expr if isinstance(expr, cst.Call) else None
    name = qualified_name(call.func if call else expr, scope, order)
    if name in (_VARY_ON_COOKIE, _NEVER_CACHE, _REQUIRE_POST):
        return True
    if name == _REQUIRE_METHODS and call is not None and call.args:
        methods = call.args[0].value
        return isinstance(methods, (cst.List, cst.Tuple)) and not any(
            isinstance(e.value, cst.SimpleString) and str(e.value.evaluated_value).upper() in ("GET", "HEAD")
            for e in methods.elements
        )
    if name == _VARY_ON_HEADERS and call is not None:
        return any(
            isinstance(arg.value, cst.SimpleString) and str(arg.value.evaluated_value).lower() in _PER_USER_HEADERS
            for arg in call.args
        )
    if name == _CACHE_CONTROL and call is not None:
        private = find_argument(call, Arg(None, "private"))
        return private is not None and not (isinstance(private, cst.Name) and private.value == "False")
    return False


def _cached_view_problem(model: ModuleModel, decorator: CacheDecorator) -> str | None:
    view = decorator.function
    if view is None:
        return None
    call = decorator.call
    if call is not None:
        for arg in (_MAKE_CACHE_KEY, _KEY_PREFIX, _UNLESS):
            given = find_argument(call, arg)
            if given is MAYBE or (given is not None and _may_read_user(model, given, decorator)):
                return None
    read = model.users.reads_user(view)
    if read is None:
        return None
    user_id = f"`{read.user_id}`" if isinstance(read, Identity) else "the user's id"
    return (f"`{_spelled(model, decorator)}` keeps one `{view.name.value}` page for every user, but the view reads "
            f"`{read.source}`: one user's page is served to every user; pass a `make_cache_key` that "
            f"includes {user_id}, or cache only anonymous requests (`unless=`)")


def _may_read_user(model: ModuleModel, given: cst.BaseExpression, decorator: CacheDecorator) -> bool:
    """Whether a key function or `unless` callable may look at the user: a function or
    lambda of this module that reads the user or the session, or one the module does not
    show. Text (`key_prefix="team"`) does not."""
    if isinstance(given, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.BinaryOperation)):
        return False
    if isinstance(given, cst.Lambda):
        return _lambda_reads_user(model, given, decorator.scope)
    if isinstance(given, cst.Name):
        bindings = decorator.scope.lookup(given.value, model.spans.start(decorator.node))
        if len(bindings) == 1:
            target = bindings[0].value
            if isinstance(target, cst.FunctionDef):
                return model.users.reads_user(target) is not None
            if isinstance(target, cst.Lambda):
                return _lambda_reads_user(model, target, bindings[0].scope)
            if isinstance(target, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
                return False
    return True


def _lambda_reads_user(model: ModuleModel, function: cst.Lambda, scope: Scope) -> bool:
    return model.users.reads_in(function.body, scope) is not None


def _spelled(model: ModuleModel, decorator: CacheDecorator) -> str:
    """`@cache_page(60)`, or `cache_page(60)` when a call applies it."""
    at = "@" if isinstance(decorator.node, cst.Decorator) else ""
    return at + " ".join(model.code(decorator.expression).split())
