"""CL005 unsanitized-input-in-key: request input reaches a cache key without being encoded."""
from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from cachelint.model import (
    CacheOp,
    Kind,
    ModuleModel,
    Part,
    Scope,
    Source,
    Taint,
    contains,
    dotted,
    find_argument,
    named_keys,
    words,
)
from cachelint.project.facts import BACKENDS, OnBackend
from cachelint.rules.base import Finding, Option, Rule, RuleContext

# The words of a decorator that checks what the caller may see (`has_access`,
# `permission_required`, `check_resource_permissions`); `login_required` is not one: any
# signed-in user would still read every entry.
_ACCESS_CHECK_WORDS = (("permission",), ("perm",), ("access",), ("authorize",), ("authorized",))  # plurals match too (`words.contains`)

_ADVICE = "hash it with `hashlib.sha256(...).hexdigest()` or quote it with `urllib.parse.quote(..., safe=\"\")`"


class UnsanitizedInputInKey(Rule):
    """
    ## What it does
    Flags request input that reaches a cache key unencoded where it has a consequence:
    input that can form the start of a key (`f"{board}:cards"`); input in a key of a
    client that can be memcached (pymemcache, pylibmc, python-memcached, aiomcache, and
    aiocache, Flask-Caching or Django's cache on a memcached or unknown backend); input
    in the glob of `KEYS`, `SCAN MATCH` or `delete_pattern`. Input after a constant
    namespace in a key of Redis, a disk or an in-process cache is reported only with
    the option `strict`.

    Which backend Django's cache and Flask-Caching use is read from the project's
    settings (`CACHES` with each alias's `BACKEND`, `CACHE_TYPE`), outside its tests: a
    call on a cache (`cache` is the alias `default`, `caches["x"]` is `x`) for which
    every backend the settings configure is known and none is memcached is not
    reported; one they may put on memcached is reported naming that backend and where
    the settings name it. A backend the settings read from the environment
    (`env.cache_url()`), a class of the project's, and a project whose files configure
    none (a library) leave the backend unknown.

    The sources: Flask `request.args`/`form`/`values`/`json`/`cookies`/
    `headers`/`view_args` and route parameters without an `int`, `float` or `uuid`
    converter; Django `request.GET`/`POST`/`COOKIES`/`META`/`headers`/`body`; DRF
    `request.query_params`/`data`; Starlette and FastAPI `request.query_params`/
    `path_params`/`headers`/`cookies`, endpoint parameters that arrive as text and the
    text fields of a request model defined in the module (`body.name`), and what a
    dependency of the module returns from such input (`Depends(current_tenant)`);
    aiohttp `request.query`/`match_info`/`rel_url` and awaited bodies (`await request.json()`,
    `post()`, `text()`); Tornado `self.get_argument()`; Falcon
    `req.get_param()`/`params`. The input is followed through assignments, containers,
    f-strings, `%`, `.format`, `+`, `.join`, string methods and slicing, `.get()` on a
    request mapping, and functions defined in the same module. Reads, writes and deletes
    that use the key are all flagged.

    ## Why is this bad?
    A key that starts with what the client sent can be any key: `board = "session:42"`
    reads or overwrites another namespace's entry. memcached rejects a key with a space,
    a control character or more than 250 bytes, so on a memcached backend a crafted
    query string makes the cache call raise and the request fail with a 500. In a glob,
    `*` matches every key. After a constant namespace on Redis, input can only shape the
    rest of its own namespace, which is rarely worth a change (`strict = true` reports it).

    Not flagged: input that passes a sanitiser (`int`, `float`, `uuid.UUID`,
    `hashlib.*(...).hexdigest()`, `urllib.parse.quote`/`quote_plus`/`urlencode`,
    `base64.urlsafe_b64encode`, `slugify`, `re.sub`, `date.fromisoformat`, the functions
    named in the `sanitizers` option), Werkzeug `request.args.get(name, type=int)`,
    a value checked against a constant collection that rejects everything else
    (`if sort not in SORTS: abort(400)`), a value looked up in a mapping the module
    defines (`SORTS[sort]`), and Django URL keyword arguments (their converters live in
    `urls.py`). A key built by a function imported from another module is not judged.
    Nor is a read whose key is the input itself and nothing else in a view that checks
    access (`cache.get(ticket)` in the route `/exports/<ticket>` decorated
    `@permission_required(...)`, `@has_access`): the route looks an entry up by the key the
    client holds, which is its design, not a namespace the input escapes; only the keys
    the project stored, which the backend accepted, find an entry, so a malformed one
    fails only the request that sent it; and hashing or quoting it would find nothing.
    Without such a check (`@login_required` is not one) the client reads any entry of the
    cache, another user's included, and it is flagged. A write or delete under such a
    key is flagged either way: the client chooses which entry to overwrite or drop.

    ## Example
    ```python
    @app.get("/search")
    def search():
        q = request.args.get("q", "")
        key = f"search:{q}"
        hits = cache.get(key)
        if hits is None:
            hits = run_search(q)
            cache.set(key, hits, timeout=300)
        return jsonify(hits)
    ```

    ## Use instead
    ```python
    @app.get("/search")
    def search():
        q = request.args.get("q", "")
        key = f"search:{hashlib.sha256(q.encode()).hexdigest()}"
        hits = cache.get(key)
        if hits is None:
            hits = run_search(q)
            cache.set(key, hits, timeout=300)
        return jsonify(hits)
    ```

    ## Fix safety
    No fix is offered: encoding the key changes which entries are read, and whether to
    hash, quote or validate is a decision about the data.
    """

    code = "CL005"
    name = "unsanitized-input-in-key"
    summary = "Request input reaches a cache key without being normalised or encoded."
    options = {
        "sanitizers": Option(
            list, [],
            "qualified names of your own functions that make a value safe for a key "
            '(`["myapp.keys.clean"]`): what they return is not request input, also in the module '
            "that defines them (functions of other modules are never followed)",
        ),
        "strict": Option(
            bool, False,
            "also report input after a constant namespace in a key of a store that accepts any key "
            "(Redis, disk, memory), where it can only shape the rest of its own namespace",
        ),
    }

    VALID = [
        # Hashed, quoted, converted, or validated against a constant collection.
        """
        import hashlib
        from urllib.parse import quote

        from flask import Flask, abort, jsonify, request
        from flask_caching import Cache

        app = Flask(__name__)
        cache = Cache(app)
        SORTS = {"new", "top", "hot"}

        @app.get("/search")
        def search():
            q = request.args.get("q", "")
            key = f"search:{hashlib.sha256(q.encode()).hexdigest()}"
            return jsonify(cache.get(key))

        @app.get("/tags")
        def tags():
            tag = quote(request.args.get("tag", "").lower(), safe="")
            page = request.args.get("page", 1, type=int)
            return jsonify(cache.get(f"tags:{tag}:{page}"))

        @app.get("/feed")
        def feed():
            sort = request.args.get("sort", "new")
            if sort not in SORTS:
                abort(400)
            limit = int(request.args.get("limit", "20"))
            return jsonify(cache.get(f"feed:{sort}:{limit}"))
        """,
        # A `*parts` builder and a `functools.partial` of it, given converted input.
        """
        import functools

        from flask import Flask, jsonify, request
        from flask_caching import Cache

        app = Flask(__name__)
        cache = Cache(app)

        def build_key(namespace, *parts):
            return ":".join([namespace, *map(str, parts)])

        page_key = functools.partial(build_key, "page")

        @app.get("/pages")
        def pages():
            n = request.args.get("n", 1, type=int)
            key = "pages:"
            key += str(n)
            return jsonify([cache.get(page_key(n)), cache.get(build_key("page", n, "all")), cache.get(key)])
        """,
        # Route parameters with an int or uuid converter; Django URL kwargs.
        """
        import redis
        from django.core.cache import cache
        from flask import Blueprint

        bp = Blueprint("orders", __name__)
        r = redis.Redis()

        @bp.get("/orders/<int:order_id>/lines/<uuid:line>")
        def order_line(order_id, line):
            return r.get(f"order:{order_id}:line:{line}")

        def product_detail(request, slug):
            return cache.get(f"product:{slug}")
        """,
        # A lookup in a mapping the module defines; a membership test that guards the use.
        """
        from django.core.cache import cache

        ORDERINGS = {"price": "price_cents", "name": "title"}

        def catalog(request):
            ordering = ORDERINGS.get(request.GET.get("o"), "title")
            region = request.GET.get("region", "eu")
            if region in ("eu", "us", "apac"):
                return cache.get(f"catalog:{region}:{ordering}")
            return cache.get(f"catalog:{ordering}")

        def listing(request):
            params = {"page": int(request.GET.get("page", 1)), "q": request.GET.get("q", "")}
            return cache.get(f"listing:{params['page']}")
        """,
        # FastAPI parameters typed as numbers, enums or validated by a pattern.
        """
        import enum

        from fastapi import Depends, FastAPI, Query
        from pydantic import BaseModel, Field
        from redis.asyncio import Redis

        app = FastAPI()
        r = Redis()

        class Period(str, enum.Enum):
            day = "day"
            week = "week"

        @app.get("/stats/{team_id}")
        async def stats(team_id: int, period: Period, code: str = Query("all", pattern="^[a-z]+$")):
            return await r.get(f"stats:{team_id}:{period}:{code}")

        class Report(BaseModel):
            team_id: int
            period: Period
            code: str = Field(pattern="^[a-z]+$")
            notes: str = ""

        @app.post("/reports")
        async def report(body: Report, query: Report = Depends()):
            return await r.get(f"report:{body.team_id}:{body.period}:{body.code}:{query.team_id}")

        def page_size(size: str = Query("20")):
            return min(int(size), 100)

        @app.get("/reports")
        async def reports(size: int = Depends(page_size)):
            return await r.get(f"reports:{size}")
        """,
        # After a constant namespace on Redis, input can only shape the rest of its own
        # namespace: nothing raises and no other namespace is reached (option `strict`).
        """
        from flask import Flask, jsonify, request
        from flask_caching import Cache
        from redis import Redis

        app = Flask(__name__)
        cache = Cache(app, config={"CACHE_TYPE": "RedisCache", "CACHE_DEFAULT_TIMEOUT": 120})
        r = Redis()

        @app.get("/reports/<int:report_id>")
        def report(report_id):
            segment = request.args.get("segment", "all")
            return jsonify(cache.get(f"report:{report_id}:{segment}"), r.get(f"seen:{segment}"))
        """,
        # A lookup by the key the client was handed, in a view that checks the caller's
        # permission: the route param is the whole key, read only (no namespace to escape,
        # and a malformed key just misses or fails its own request).
        """
        from flask import Flask, abort, jsonify
        from flask_caching import Cache

        from .auth import permission_required

        app = Flask(__name__)
        cache = Cache(app)

        @app.get("/exports/<ticket>")
        @permission_required("exports.view")
        def export_status(ticket):
            progress = cache.get(ticket)
            if progress is None:
                abort(404)
            return jsonify(progress)
        """,
        # A key built by a function imported from elsewhere is not judged.
        """
        from django.core.cache import cache

        from .keys import search_key

        def search(request):
            return cache.get(search_key(request.GET.get("q", "")))
        """,
    ]

    INVALID = [
        # Flask: query arguments, route parameters, a same-module key builder.
        """
        from flask import Flask, jsonify, request
        from flask_caching import Cache

        app = Flask(__name__)
        cache = Cache(app)

        def results_key(survey_id, segment):
            return f"results:{survey_id}:{segment}"

        @app.get("/surveys/<int:survey_id>/results")
        def results(survey_id):
            segment = request.args.get("segment", "all").lower()
            key = results_key(survey_id, segment)
            data = cache.get(key)  # expect: CL005
            if data is None:
                data = load_results(survey_id, segment)
                cache.set(key, data, timeout=300)  # expect: CL005
            return jsonify(data)

        @app.get("/pages/<slug>")
        def page(slug):
            return jsonify(cache.get("page:" + slug))  # expect: CL005
        """,
        # Keys grown with `+=`, built by a `*parts` builder or a `functools.partial` of one.
        """
        import functools

        from flask import Flask, jsonify, request
        from flask_caching import Cache

        app = Flask(__name__)
        cache = Cache(app)

        def build_key(namespace, *parts):
            return ":".join([namespace, *map(str, parts)])

        tag_key = functools.partial(build_key, "tag")

        class Keys:
            @staticmethod
            def tag(name):
                return f"tag:{name}"

        @app.get("/tags")
        def tags():
            key = "tags:"
            key += request.args.get("sort", "")
            cache.get(key)  # expect: CL005
            cache.get(build_key("tag", request.args["t"]))  # expect: CL005
            cache.get(Keys.tag(request.args["t"]))  # expect: CL005
            return jsonify(cache.get(tag_key(request.args["t"])))  # expect: CL005
        """,
        # Django and DRF: the view's request, also through a helper and in a class-based view.
        """
        from django.core.cache import cache
        from rest_framework.views import APIView

        def search(request):
            term = request.GET["q"].strip()
            hits = cache.get("search:%s" % term)  # expect: CL005
            if hits is None:
                hits = run_search(term)
                cache.set("search:%s" % term, hits, 300)  # expect: CL005
            return hits

        class CityWeather(APIView):
            def get(self, request):
                city = self.request.query_params.get("city", "")
                return cache.get("weather:{}".format(city))  # expect: CL005

            def delete(self, request):
                cache.delete(":".join(["weather", request.data["city"]]))  # expect: CL005

        class ForecastKeys:
            def forecast_key(self, city):
                return f"forecast:{city}"

        class CityForecast(ForecastKeys, APIView):
            def get(self, request):
                return cache.get(self.forecast_key(request.query_params["city"]))  # expect: CL005

        def listing(request):
            params = {"page": int(request.GET.get("page", 1)), "q": request.GET.get("q", "")}
            return cache.get(f"listing:{params['page']}:{params['q']}")  # expect: CL005
        """,
        # FastAPI text parameters, aiohttp match_info, a value seen through a branch.
        """
        import aiomcache
        from aiohttp import web
        from fastapi import Depends, FastAPI, Header
        from pydantic import BaseModel

        app = FastAPI()
        routes = web.RouteTableDef()
        r = aiomcache.Client("memcached", 11211)

        @app.get("/rooms/{room_name}")
        async def room(room_name: str, lang: str | None = None):
            return await r.get(f"room:{room_name}:{lang}")  # expect: CL005

        class RoomFilter(BaseModel):
            topic: str
            limit: int = 20

        @app.post("/rooms/search")
        async def search_rooms(body: RoomFilter, query: RoomFilter = Depends()):
            await r.get(f"rooms:{body.limit}:{body.topic}")  # expect: CL005
            return await r.get(f"rooms:{query.topic}")  # expect: CL005

        def current_tenant(x_tenant: str = Header(...)):
            return x_tenant.lower()

        @app.get("/tenant/rooms")
        async def tenant_rooms(tenant: str = Depends(current_tenant)):
            return await r.get(f"rooms:{tenant}")  # expect: CL005

        @routes.get("/shelters/{shelter}")
        async def shelter(request):
            if "species" in request.query:
                species = request.query["species"]
            else:
                species = "any"
            return await r.get(f"pets:{request.match_info['shelter']}:{species}")  # expect: CL005

        @routes.post("/search")
        async def search(request):
            body = await request.json()
            return await r.get("search:" + body.get("term", ""))  # expect: CL005

        @routes.get("/find")
        async def find(request):
            return await r.get(f"find:{request.rel_url.query.get('q', '')}")  # expect: CL005
        """,
        # One key of several, in a mapping stored at once.
        """
        from django.core.cache import cache
        from django.http import JsonResponse

        def remember(request):
            term = request.GET["q"]
            cache.set_many({f"search:{term}": [], "search:last": term}, 60)  # expect: CL005
            return JsonResponse({})
        """,
        # The client's whole key written or dropped picks any entry to overwrite or evict,
        # permission check or not; a read of the client's key with more after it is not a
        # lookup of the key it holds; and a whole-key read where any signed-in user may ask
        # reads every entry, another user's included.
        """
        from flask import Flask, jsonify, request
        from flask_caching import Cache
        from flask_login import login_required

        from .auth import permission_required

        app = Flask(__name__)
        cache = Cache(app)

        @app.put("/exports/<ticket>")
        @permission_required("exports.change")
        def requeue_export(ticket):
            cache.set(ticket, {"state": "queued"}, timeout=600)  # expect: CL005
            return jsonify(cache.get(f"{ticket}:log"))  # expect: CL005

        @app.get("/exports/<ticket>/raw")
        @login_required
        def raw_export(ticket):
            return jsonify(cache.get(ticket))  # expect: CL005

        @app.delete("/exports")
        def drop_export():
            cache.delete(request.args["ticket"])  # expect: CL005
            return jsonify({})
        """,
        # On Redis: input that starts the key, and input in a scan's glob.
        """
        from flask import Flask, jsonify, request
        from redis import Redis

        app = Flask(__name__)
        r = Redis(decode_responses=True)

        @app.get("/boards/<board>/cards")
        def cards(board):
            return jsonify(r.lrange(f"{board}:cards", 0, -1))  # expect: CL005

        @app.get("/admin/sessions")
        def sessions():
            prefix = request.args.get("user", "")
            return jsonify([key for key in r.scan_iter(match=f"session:{prefix}*")])  # expect: CL005
        """,
    ]

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        sanitisers = frozenset(s for s in context.options.get("sanitizers", ()) if isinstance(s, str))
        strict = context.options.get("strict", False)
        for op in model.ops:
            message = _pattern_input(model, op, sanitisers)
            on_backend = None
            if message is None:
                # A tuple key (in-process caches) keeps its parts apart.
                keys = [key for key in named_keys(op) if not isinstance(key, cst.Tuple)]
                tainted = next(((key, t) for key in keys if (t := model.tainted(key, op.scope, sanitisers)) is not None),
                               None)
                if tainted is not None:
                    message, on_backend = _key_input(model, op, *tainted, sanitisers, strict)
            if message is not None:
                yield Finding(op.node, op.statement, message, on_backend=on_backend)


def _pattern_input(model: ModuleModel, op: CacheOp, sanitisers: frozenset[str]) -> str | None:
    """Input in the glob of `KEYS`, `SCAN MATCH` or `delete_pattern`."""
    if op.spec.pattern is None or op.call is None:
        return None
    pattern = find_argument(op.call, op.spec.pattern)
    taint = model.tainted(pattern, op.scope, sanitisers) if isinstance(pattern, cst.BaseExpression) else None
    if taint is None:
        return None
    return (f"{taint.source} reaches the pattern of `{_spelling(model, op)}`, where `*`, `?` and `[` are globs: "
            f"a client can match every key of the namespace, or of the whole cache; put a backslash before each "
            f"glob character in it, or check it against a fixed set")


def _key_input(model: ModuleModel, op: CacheOp, key: cst.BaseExpression, taint: Taint,
               sanitisers: frozenset[str], strict: bool) -> tuple[str | None, OnBackend | None]:
    """The consequence of input in a key: a key that can start with it can be any key;
    one on a memcached server can make the call raise; after a constant namespace on any
    other store, it is reported only under `strict`. A client whose store the project's
    settings decide (Django's `CACHES`, Flask-Caching's `CACHE_TYPE`) is taken for one
    that may be memcached, and the finding depends on those settings (`OnBackend`): the
    project stage drops it when they put that cache on another store only, and names the
    memcached backend they configure when they do."""
    call = _spelling(model, op)
    if op.kind is Kind.READ and _is_whole_key(model, op, key, sanitisers) and _checks_access(op.scope):
        return None, None  # a lookup by the key the client holds: see "Not flagged" in the docs
    if _can_start_key(model, op, key, sanitisers):
        return (f"{taint.source} can form the start of the key of `{call}`: a client can read or overwrite "
                f"an entry of any namespace; {_ADVICE}"), None
    store = op.client.store
    if store in (None, "memcached"):
        start = f"{taint.source} reaches the key of `{call}` unencoded: "
        end = ("raises on a key with a space, a control character or 250+ bytes, so a request can cause a 500; "
               "hash it with `hashlib.sha256(...).hexdigest()`")
        if store is not None:
            return f"{start}memcached {end}", None
        label = op.library.label
        on_backend = None
        if op.library.backend_setting is not None:
            cache = f"{label}'s cache" + (f" `{op.client.aliases[0]}`" if len(op.client.aliases) == 1 else "")
            on_backend = OnBackend(op.library.name, op.client.aliases, "memcached",
                                   f"{start}the project's settings can put {cache} on memcached ({BACKENDS}), "
                                   f"which {end}")
        return f"{start}{label}'s backend, if it is memcached, {end}", on_backend
    if strict:
        return (f"{taint.source} reaches the key of `{call}` unencoded, after its namespace: a client can write "
                f"`:` into it and shape the rest of the key; {_ADVICE}"), None
    return None, None


def _can_start_key(model: ModuleModel, op: CacheOp, key: cst.BaseExpression, sanitisers: frozenset[str]) -> bool:
    return any(_is_input(model, shape.first, sanitisers) for shape in model.keys.of(key, op.scope))


def _is_whole_key(model: ModuleModel, op: CacheOp, key: cst.BaseExpression, sanitisers: frozenset[str]) -> bool:
    """Whether every shape of the key is one request value and nothing else: no namespace,
    no other part (`cache.get(token)` for the route `/results/<token>`). A variable whose
    value the shapes do not know (grown by `key += ...`) may hold more than the input."""
    shapes = model.keys.of(key, op.scope)
    return bool(shapes) and all(
        len(shape.parts) == 1 and shape.parts[0].source is not Source.NAME and _is_input(model, shape.first, sanitisers)
        for shape in shapes
    )


def _checks_access(scope: Scope | None) -> bool:
    """Whether the function of `scope`, or one it is nested in, has a decorator that checks
    what the caller may see."""
    function = scope.function if scope is not None else None
    while function is not None:
        if isinstance(function.node, cst.FunctionDef) and any(
            _names_an_access_check(decorator.decorator) for decorator in function.node.decorators
        ):
            return True
        function = function.parent.function if function.parent is not None else None
    return False


def _names_an_access_check(decorator: cst.BaseExpression) -> bool:
    name = dotted(decorator.func if isinstance(decorator, cst.Call) else decorator)
    said = words(name) if name else ()
    return any(contains(said, term) for term in _ACCESS_CHECK_WORDS)


def _is_input(model: ModuleModel, part: Part | None, sanitisers: frozenset[str]) -> bool:
    """Whether a key part is request input that no sanitiser made safe."""
    if part is None or part.is_constant or part.node is None or part.scope is None:
        return False
    node = part.node.name if isinstance(part.node, cst.Param) else part.node
    return isinstance(node, cst.BaseExpression) and model.tainted(node, part.scope, sanitisers) is not None


def _spelling(model: ModuleModel, op: CacheOp) -> str:
    if op.call is not None:
        return f"{model.code(op.call.func)}()"
    return f"{model.code(op.node.value)}[…]" if isinstance(op.node, cst.Subscript) else op.method
