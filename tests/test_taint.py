"""Request-input taint (cachelint.model.app.taint): sources per framework, flow, sanitisers.

Each snippet's cache calls are the probes: `_keys` says, for each call in source order,
which request input its key carries (the source as messages spell it) or None.
"""
from __future__ import annotations

import textwrap

import libcst as cst

from cachelint.model import build_model


def _keys(source: str, sanitisers: frozenset[str] = frozenset(), path: str = "app.py") -> list[str | None]:
    text = textwrap.dedent(source)
    model = build_model(path, text.encode("utf-8"), cst.parse_module(text))
    found = []
    for op in model.ops:
        taint = model.tainted(op.key, op.scope, sanitisers)
        found.append(taint.source if taint else None)
    return found


FLASK = """
from flask import Flask, request
from flask_caching import Cache

app = Flask(__name__)
cache = Cache(app)
"""


# ---------------------------------------------------------------------- sources


def test_flask_request_attributes_resolved_through_imports():
    assert _keys("""
        import flask
        from flask import request as req
        from flask_caching import Cache

        cache = Cache()

        def view():
            cache.get(req.args["q"])
            cache.get(flask.request.cookies.get("theme"))
            cache.get(req.get_json()["id"])
            cache.get(req.view_args["slug"])
            cache.get(req.path)
            cache.get(req.method)
    """) == ['`req.args["q"]`', '`flask.request.cookies.get("theme")`', '`req.get_json()["id"]`',
             '`req.view_args["slug"]`', None, None]


def test_a_local_request_shadows_flasks():
    assert _keys(FLASK + """
def view():
    request = build_request()
    return cache.get(request.user_name)
""") == [None]


def test_flask_route_parameters_unless_converted_to_a_number_or_uuid():
    assert _keys(FLASK + """
from flask import Blueprint
bp = Blueprint("pages", __name__)

@app.route("/<slug>/<int:n>/<float:x>/<uuid:u>/<path:rest>/<any(a, b):kind>/<string(length=2):cc>")
def page(slug, n, x, u, rest, kind, cc):
    cache.get(f"{slug}")
    cache.get(f"{n}:{x}:{u}:{kind}")
    cache.get(f"{rest}")
    cache.get(f"{cc}")

@bp.get("/tags/<tag>")
def tag(tag):
    cache.get("tag:" + tag)

def not_a_view(slug):
    cache.get(slug)
""") == ["route parameter `slug`", None, "route parameter `rest`", "route parameter `cc`",
         "route parameter `tag`", None]


def test_flask_appbuilder_expose_is_a_route():
    assert _keys("""
        from flask_appbuilder import BaseView, expose
        from flask_caching import Cache

        cache = Cache()

        class Explore(BaseView):
            @expose("/data/<cache_key>", methods=("GET",))
            def data(self, cache_key: str):
                return cache.get(cache_key)
    """) == ["route parameter `cache_key`"]


def test_django_request_attributes_and_not_url_kwargs():
    assert _keys("""
        from django.core.cache import cache
        from django.views import View

        def detail(request, slug, pk):
            cache.get(f"{slug}:{pk}")
            cache.get(request.GET.get("q"))
            cache.get(request.POST["email"].lower())
            cache.get(request.COOKIES["theme"])
            cache.get(request.headers["Accept-Language"])
            cache.get(request.body)
            cache.get(request.user.username)
            cache.get(request.session["cart"])

        class Search(View):
            def get(self, request, *args, **kwargs):
                cache.get(self.request.GET["q"])
                cache.get(self.kwargs["slug"])
    """) == [None, '`request.GET.get("q")`', '`request.POST["email"]`', '`request.COOKIES["theme"]`',
             '`request.headers["Accept-Language"]`', "`request.body`", None, None,
             '`self.request.GET["q"]`', None]


def test_server_set_meta_variables_are_not_client_input():
    assert _keys("""
        from django.core.cache import cache

        def throttle(request):
            cache.incr(f"rl:{request.META['REMOTE_ADDR']}")
            cache.incr(f"rl:{request.META.get('REMOTE_ADDR')}")
            cache.incr(f"rl:{request.META.get('HTTP_X_FORWARDED_FOR')}")
    """) == [None, None, "`request.META.get('HTTP_X_FORWARDED_FOR')`"]


def test_drf_starlette_aiohttp_falcon_tornado():
    assert _keys("""
        import redis

        r = redis.Redis()

        def drf(request):
            r.get(request.query_params["q"])
            r.get(request.data["city"])

        async def starlette(request):
            r.get(request.path_params["room"])

        async def aiohttp(request):
            r.get(request.match_info["shelter"] + request.query.get("species", ""))

        class Resource:
            def on_get(self, req, resp):
                r.get(req.get_param("q"))
                r.get(req.get_param_as_int("page"))
                r.get(req.params["sort"])

        class Handler:
            def get(self):
                r.get(self.get_argument("q"))
    """) == ['`request.query_params["q"]`', '`request.data["city"]`', '`request.path_params["room"]`',
             '`request.match_info["shelter"]`', '`req.get_param("q")`', None, '`req.params["sort"]`',
             '`self.get_argument("q")`']


def test_fastapi_parameters_by_annotation():
    assert _keys("""
        import enum
        from datetime import date
        from typing import Annotated, Literal, Optional
        from uuid import UUID

        from fastapi import APIRouter, Depends, Header, Query, Request
        from redis.asyncio import Redis

        router = APIRouter()
        r = Redis()

        class Period(str, enum.Enum):
            day = "day"

        @router.get("/rooms/{room}")
        async def room(room: str, lang: Optional[str] = None, tag: Annotated[str | None, Query()] = None,
                       n: int = 0, u: UUID | None = None, d: date | None = None, p: Period = Period.day,
                       mode: Literal["a", "b"] = "a", code: str = Query("x", pattern="^[a-z]+$"),
                       user=Depends(current_user), agent: str = Header(""), untyped=None,
                       request: Request = None):
            await r.get(room)
            await r.get(lang)
            await r.get(tag)
            await r.get(f"{n}:{u}:{d}:{p}:{mode}:{code}:{user}")
            await r.get(agent)
            await r.get(untyped)
            await r.get(request.query_params["q"])
    """) == ["path parameter `room`", "query parameter `lang`", "query parameter `tag`", None,
             "header parameter `agent`", "query parameter `untyped`", '`request.query_params["q"]`']


def test_aiohttp_route_decorators_do_not_make_parameters_sources():
    assert _keys("""
        from aiohttp import web
        import redis

        routes = web.RouteTableDef()
        r = redis.Redis()

        @routes.get("/pets/{kind}")
        async def pets(request, kind="any"):
            return r.get(kind)
    """) == [None]


# ---------------------------------------------------------------------- flow


def test_flow_through_strings_containers_and_branches():
    assert _keys(FLASK + """
def view():
    q = request.args.get("q", "")
    cache.get("s:%s" % q)
    cache.get("s:%(q)s" % {"q": q})
    cache.get("s:{}".format(q[:20].strip().title()))
    cache.get(":".join(["s", q.replace(" ", "-")]))
    cache.get(str(q).upper())
    cache.get([f"a:{q}", "b"])
    cache.get("s:" + (q or "all"))
    tags = [t.lower() for t in request.args.getlist("tag")]
    cache.get(",".join(tags))
    if request.args.get("mode"):
        mode = request.args["mode"]
    else:
        mode = "plain"
    cache.get(f"m:{mode}")
    for term in request.args.getlist("term"):
        cache.get(f"t:{term}")
""") == ['`request.args.get("q", "")`'] * 7 + ['`request.args.getlist("tag")`', '`request.args["mode"]`',
                                                '`request.args.getlist("term")`']


def test_a_later_assignment_in_the_same_block_replaces_the_input():
    assert _keys(FLASK + """
def view():
    q = request.args.get("q", "")
    q = "fixed"
    cache.get(q)
""") == [None]


def test_flow_through_module_functions_methods_and_lambdas():
    assert _keys(FLASK + """
def search_key(term, page=1):
    return f"search:{term}:{page}"

def current_term():
    return request.args.get("q", "")

def length(term):
    return len(term)

tag_key = lambda tag: "tag:" + tag

class Views:
    def key(self, term):
        return f"v:{term}"

    def get(self):
        cache.get(self.key(request.args["q"]))

def view():
    q = request.args.get("q", "")
    cache.get(search_key(q))
    cache.get(search_key("fixed", page=q))
    cache.get(search_key("fixed"))
    cache.get(current_term())
    cache.get(f"n:{length(q)}")
    cache.get(tag_key(q))
""") == ['`request.args["q"]`', '`request.args.get("q", "")`', '`request.args.get("q", "")`', None,
         '`request.args.get("q", "")`', None, '`request.args.get("q", "")`']


def test_a_function_imported_from_elsewhere_is_not_followed():
    assert _keys(FLASK + """
from .keys import search_key

def view():
    cache.get(search_key(request.args["q"]))
""") == [None]


# ---------------------------------------------------------------------- sanitisers


def test_sanitising_calls():
    assert _keys(FLASK + """
import base64
import hashlib
import re
import uuid
from datetime import date
from urllib.parse import quote, quote_plus, urlencode

from django.utils.text import slugify

def view():
    q = request.args.get("q", "")
    cache.get(f"{int(q)}:{float(q)}:{uuid.UUID(q)}")
    cache.get(hashlib.sha256(q.encode()).hexdigest())
    cache.get(f"{quote(q, safe='')}:{quote_plus(q)}:{urlencode({'q': q})}")
    cache.get(base64.urlsafe_b64encode(q.encode()))
    cache.get(slugify(q))
    cache.get(re.sub(r"[^a-z]", "", q))
    cache.get(date.fromisoformat(q).isoformat())
    cache.get(f"p:{request.args.get('page', 1, type=int)}")
    cache.get(f"p:{request.args.get('page', 1, int)}")
""") == [None] * 9


def test_checks_against_constant_collections():
    assert _keys(FLASK + """
SORTS = {"new", "top"}
LABELS = {"new": "Newest", "top": "Top"}

def guarded_by_abort():
    sort = request.args.get("sort", "new")
    if sort not in SORTS:
        abort(400)
    cache.get(f"feed:{sort}")

def guarded_by_raise():
    sort = request.args.get("sort", "new")
    if not sort or sort not in ("new", "top"):
        raise ValueError(sort)
    cache.get(f"feed:{sort}")

def guarded_by_default():
    sort = request.args.get("sort", "new")
    if sort not in SORTS:
        sort = "new"
    cache.get(f"feed:{sort}")

def inside_the_check():
    sort = request.args.get("sort", "new")
    if sort in SORTS:
        cache.get(f"feed:{sort}")

def looked_up():
    sort = request.args.get("sort", "new")
    cache.get(f"feed:{LABELS[sort]}:{LABELS.get(sort, 'x')}")
    cache.get(f"feed:{sort if sort in SORTS else 'new'}")
    cache.get(f"feed:{'new' if sort not in SORTS else sort}")

def digits():
    page = request.args.get("page", "1")
    if not page.isdigit():
        return None
    cache.get(f"page:{page}")
""") == [None] * 8


def test_checks_that_do_not_guard_every_path():
    assert _keys(FLASK + """
SORTS = {"new", "top"}

def only_sometimes(strict):
    sort = request.args.get("sort", "new")
    if strict:
        if sort not in SORTS:
            abort(400)
    cache.get(f"feed:{sort}")

def warns_only():
    sort = request.args.get("sort", "new")
    if sort not in SORTS:
        log.warning("odd sort %s", sort)
    cache.get(f"feed:{sort}")

def outside_the_check():
    sort = request.args.get("sort", "new")
    if sort in SORTS:
        pass
    cache.get(f"feed:{sort}")

def against_the_input(allowed):
    sort = request.args.get("sort", "new")
    if sort not in request.args.getlist("allowed"):
        abort(400)
    cache.get(f"feed:{sort}")
""") == ['`request.args.get("sort", "new")`'] * 4


def test_configured_sanitisers():
    """Functions imported from elsewhere are not followed (their results are clean anyway);
    a configured name also covers a function the module itself defines."""
    source = FLASK + """
from myapp.keys import clean

def normalise(value):
    return value.replace(":", "_").replace(" ", "_")

def view():
    q = request.args.get("q", "")
    cache.get(clean(q))
    cache.get(normalise(q))
"""
    assert _keys(source) == [None, '`request.args.get("q", "")`']
    assert _keys(source, frozenset({"myapp.views.normalise"}), path="src/myapp/views.py") == [None, None]
    assert _keys(source, frozenset({"other.views.normalise"}), path="src/myapp/views.py") == [
        None, '`request.args.get("q", "")`',
    ]
