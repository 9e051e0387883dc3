"""CL012 view-cache-ignores-input: a Flask-Caching view cache keyed on the path alone."""
from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from cachelint.model import MAYBE, CacheDecorator, ModuleModel, find_argument
from cachelint.model.spec import Arg
from cachelint.rules.base import Finding, Rule, RuleContext

# Flask-Caching 2.x `cached(timeout, key_prefix, unless, forced_update, response_filter,
# query_string, hash_method, cache_none, make_cache_key, …)` (flask_caching/__init__.py).
_KEY_PREFIX = Arg(1, "key_prefix")
_UNLESS = Arg(2, "unless")
_QUERY_STRING = Arg(5, "query_string")
_MAKE_CACHE_KEY = Arg(8, "make_cache_key")
_UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# What an `unless` callable must look at to skip the requests this rule is about.
_METHOD_WORDS = re.compile(r"\bmethod\b")
_QUERY_WORDS = re.compile(r"\b(?:args|values|query_string|full_path|url)\b")


class ViewCacheIgnoresInput(Rule):
    """
    ## What it does
    Flags a Flask-Caching `@cache.cached(...)` view cache that
    - has neither `query_string=True` nor a `make_cache_key` or callable `key_prefix`,
      on a view that reads `request.args` or `request.values` (itself, or through a
      function of the same module or a `self.` method it calls); or
    - decorates a route that accepts POST, PUT, PATCH or DELETE (`methods=[...]` in
      `@app.route`, `@app.post(...)`, a `MethodView.post`) without an `unless` that skips
      those requests.

    A class-based view's `decorators = [cache.cached(...)]` caches every method of the
    class, and is judged on all of them.

    ## Why is this bad?
    `@cache.cached` keys a response on `request.path` only. The first request's query
    string decides the page every later request gets: `/search?q=tea` serves the result
    of `/search?q=coffee` until the entry expires. Flask-Caching does not look at the HTTP
    method either, so a POST that reserves a slot is answered from the cache (the slot is
    never reserved) or, cached first, its response is replayed to the GET that follows.

    Django's `cache_page` keys on the full URL and caches only GET and HEAD, and
    fastapi-cache skips non-GET requests: neither is flagged. `@cache.memoize` keys on the
    function's arguments and is not a view cache.

    ## Example
    ```python
    @app.get("/search")
    @cache.cached(timeout=300)
    def search():
        return jsonify(run_search(request.args.get("q", "")))

    @app.route("/sessions", methods=["GET", "POST"])
    @cache.cached(timeout=120)
    def sessions():
        ...
    ```

    ## Use instead
    ```python
    @app.get("/search")
    @cache.cached(timeout=300, query_string=True)
    def search():
        return jsonify(run_search(request.args.get("q", "")))

    @app.route("/sessions", methods=["GET", "POST"])
    @cache.cached(timeout=120, unless=lambda: request.method != "GET")
    def sessions():
        ...
    ```
    """

    code = "CL012"
    name = "view-cache-ignores-input"
    summary = "A Flask-Caching view cache that ignores the query string the view reads, or caches a non-GET route."

    VALID = [
        # The key includes the query string, or a key function builds it.
        """
        import hashlib

        from flask import Flask, jsonify, request
        from flask_caching import Cache

        app = Flask(__name__)
        cache = Cache(app)

        def chart_key():
            return "chart:" + hashlib.md5(request.full_path.encode()).hexdigest()

        @app.get("/planets")
        @cache.cached(timeout=300, query_string=True)
        def planets():
            return jsonify(planet_positions(request.args.get("at", "now")))

        @app.get("/chart")
        @cache.cached(timeout=600, make_cache_key=chart_key)
        def chart():
            return jsonify(render_chart(request.args.get("constellation", "orion")))

        @app.get("/stars")
        @cache.cached(timeout=600, key_prefix=chart_key)
        def stars():
            return jsonify(star_list(request.values.get("mag")))
        """,
        # Views that read no query string; memoize is not a view cache; GET-only caching.
        """
        from flask import Blueprint, jsonify, request
        from flask.views import MethodView
        from flask_caching import Cache

        bp = Blueprint("moon", __name__)
        cache = Cache()

        @bp.get("/moon/<int:year>")
        @cache.cached(timeout=3600)
        def moon(year):
            return jsonify(moon_phases(year))

        @cache.memoize(timeout=60)
        def forecast(site):
            return load_forecast(site, request.args.get("days"))

        @bp.route("/reservations", methods=["GET", "POST"])
        @cache.cached(timeout=60, unless=lambda: request.method != "GET")
        def reservations():
            if request.method == "POST":
                return jsonify(reserve(request.form["slot"])), 201
            return jsonify(open_slots())

        def filtered():
            return bool(request.args)

        @bp.get("/slots")
        @cache.cached(timeout=60, unless=filtered)
        def slots():
            return jsonify(open_slots(request.args.get("day")))

        class Search(MethodView):
            decorators = [cache.cached(timeout=60, query_string=True)]

            def get(self):
                return jsonify(search(request.args.get("q", "")))
        """,
        # Django's cache_page and fastapi-cache are never this rule's business.
        """
        from django.views.decorators.cache import cache_page
        from fastapi import FastAPI
        from fastapi_cache.decorator import cache

        app = FastAPI()

        @cache_page(60)
        def search(request):
            return render_results(request.GET.get("q"))

        @app.post("/quotes")
        @cache(expire=60)
        async def quote(symbol: str):
            return await load_quote(symbol)
        """,
    ]

    INVALID = [
        # Query-string reads, directly and through a helper.
        """
        from flask import Flask, jsonify, request
        from flask.views import MethodView
        from flask_caching import Cache

        app = Flask(__name__)
        cache = Cache(app)

        def _coordinates():
            return float(request.args.get("lat", "51.48")), float(request.args.get("lon", "0.0"))

        @app.get("/tonight")
        @cache.cached(timeout=600)  # expect: CL012
        def tonight():
            lat, lon = _coordinates()
            return jsonify(visible_objects(lat, lon))

        @app.get("/rise-set")
        @cache.cached(timeout=900, key_prefix="riseset/%s")  # expect: CL012
        def rise_set():
            return jsonify(rise_set_times(request.values.get("body", "sun")))

        class FilterMixin:
            def filters(self):
                return request.args.to_dict()

        class Catalog(FilterMixin, MethodView):
            @cache.cached(timeout=300)  # expect: CL012
            def get(self):
                return jsonify(search_catalog(self.filters()))
        """,
        # Routes that accept POST, PUT or DELETE.
        """
        from flask import Flask, jsonify, request
        from flask.views import MethodView
        from flask_caching import Cache

        app = Flask(__name__)
        cache = Cache(app)

        @app.route("/sessions", methods=["GET", "POST"])
        @cache.cached(timeout=120)  # expect: CL012
        def sessions():
            if request.method == "POST":
                return jsonify(reserve_session(request.form["slot"])), 201
            return jsonify(open_sessions())

        @app.put("/sites/<int:site_id>/reservation")
        @cache.cached(timeout=60)  # expect: CL012
        def reserve(site_id):
            return jsonify(reserve_site(site_id, request.json["arrive"])), 201

        class CartItems(MethodView):
            @cache.cached(timeout=30)  # expect: CL012
            def delete(self, item_id):
                return jsonify(remove_item(item_id))

        class Comments(MethodView):
            decorators = [cache.cached(timeout=60)]  # expect: CL012

            def get(self, post_id):
                return jsonify(load_comments(post_id))

            def post(self, post_id):
                return jsonify(add_comment(post_id, request.json)), 201

        @app.post("/feedback")
        @cache.cached(timeout=30, unless=lambda: app.debug)  # expect: CL012
        def feedback():
            return jsonify(store_feedback(request.form["text"])), 201

        FORM_METHODS = ("GET", "POST")

        @app.route("/contact", methods=FORM_METHODS)
        @cache.cached(timeout=30)  # expect: CL012
        def contact():
            return jsonify(send_message(request.form)) if request.method == "POST" else jsonify({})
        """,
    ]

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        for decorator in model.decorators:
            if decorator.library.name != "flask-caching" or decorator.spec.kind != "view":
                continue
            message = next(filter(None, (
                _method_problem(model, decorator, function) or _query_problem(model, decorator, function)
                for function in _views(decorator)
            )), None)
            if message is not None:
                yield Finding(decorator.node, decorator.statement, message)


def _views(decorator: CacheDecorator) -> list[cst.FunctionDef]:
    """The functions the decorator caches: the decorated one, or every method of a class
    that lists it for its view (`decorators = [cache.cached(60)]` on a `MethodView`)."""
    function = decorator.function
    if isinstance(function, cst.ClassDef):
        return [s for s in function.body.body if isinstance(s, cst.FunctionDef)]
    return [function] if function is not None else []


def _method_problem(model: ModuleModel, decorator: CacheDecorator, function: cst.FunctionDef) -> str | None:
    if _skipped_by_unless(model, decorator, _METHOD_WORDS):
        return None
    for route in model.views.routes(function):
        unsafe = [m for m in _UNSAFE_METHODS if route.methods and m in route.methods]
        if unsafe:
            return (
                f"`@{model.code(decorator.expression)}` caches `{function.name.value}`, which accepts "
                f"{unsafe[0]}: Flask-Caching ignores the method, so a response with side effects is replayed "
                f"to the next caller; cache only GET requests "
                f"(`unless=lambda: request.method != \"GET\"`) or move the cache to the GET view"
            )
    return None


def _query_problem(model: ModuleModel, decorator: CacheDecorator, function: cst.FunctionDef) -> str | None:
    call = decorator.call
    if call is not None and not _keyed_on_path(model, call, decorator):
        return None
    if _skipped_by_unless(model, decorator, _QUERY_WORDS):
        return None
    read = model.views.reads_query_string(function)
    if read is None:
        return None
    where = "" if read.function is function else f" (in `{read.function.name.value}()`)"
    return (
        f"`@{model.code(decorator.expression)}` keys `{function.name.value}` on its path alone, but the "
        f"view reads `{model.code(read.attribute)}`{where}: every query string is served the first one's "
        f"response; pass `query_string=True` or a `make_cache_key` that includes the arguments"
    )


def _skipped_by_unless(model: ModuleModel, decorator: CacheDecorator, words: re.Pattern[str]) -> bool:
    """Whether an `unless=` callable may bypass the cache for the requests at issue: a lambda
    or module function that looks at them (`lambda: request.method != "GET"`), or a callable
    the analysis cannot read."""
    unless = find_argument(decorator.call, _UNLESS) if decorator.call is not None else None
    if unless is None:
        return False
    if isinstance(unless, cst.Name):
        bindings = decorator.scope.lookup(unless.value, model.spans.start(decorator.node))
        unless = bindings[0].value if len(bindings) == 1 else None
    if not isinstance(unless, (cst.Lambda, cst.FunctionDef)):
        return True
    return words.search(model.code(unless)) is not None


def _keyed_on_path(model: ModuleModel, call: cst.Call, decorator: CacheDecorator) -> bool:
    """Whether `cached(...)` keys on the path only: no query string, no key function."""
    query_string = find_argument(call, _QUERY_STRING)
    if query_string is MAYBE or find_argument(call, _MAKE_CACHE_KEY) is not None:
        return False
    if query_string is not None and not (isinstance(query_string, cst.Name) and query_string.value == "False"):
        return False  # True, or a value the analysis cannot know
    prefix = find_argument(call, _KEY_PREFIX)
    return prefix is None or _is_text(prefix, model, decorator)


def _is_text(expr: cst.BaseExpression, model: ModuleModel, decorator: CacheDecorator) -> bool:
    """A key_prefix that is a string, not a callable that could build the key."""
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return True
    if isinstance(expr, cst.BinaryOperation):
        return _is_text(expr.left, model, decorator)
    if isinstance(expr, cst.Name):
        order = model.spans.start(decorator.node)
        bindings = decorator.scope.lookup(expr.value, order)
        return bool(bindings) and all(
            b.kind == "assign" and isinstance(b.value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString))
            for b in bindings
        )
    return False
