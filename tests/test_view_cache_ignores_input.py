"""CL012 beyond its examples: messages, where it points, and what is left alone."""
from __future__ import annotations

from tests.conftest import lint


def _messages(source: str) -> list[tuple[int, int, str]]:
    return [(d.location.row, d.location.column, d.message) for d in lint(source, select=("CL012",))]


def test_messages_name_the_read_the_helper_and_the_method():
    assert _messages(
        """
        from flask import Flask, request
        from flask_caching import Cache

        app = Flask(__name__)
        cache = Cache(app)

        def _window():
            return request.args.get("days", "7")

        @app.get("/forecast")
        @cache.cached(timeout=300)
        def forecast():
            return render_forecast(_window())

        @app.route("/sessions", methods=("get", "post"))
        @cache.cached(120)
        def sessions():
            return render_sessions(request.args.get("day"))
        """
    ) == [
        (12, 1, "`@cache.cached(timeout=300)` keys `forecast` on its path alone, but the view reads "
                "`request.args` (in `_window()`): every query string is served the first one's response; "
                "pass `query_string=True` or a `make_cache_key` that includes the arguments"),
        (17, 1, "`@cache.cached(120)` caches `sessions`, which accepts POST: Flask-Caching ignores the method, "
                "so a response with side effects is replayed to the next caller; cache only GET requests "
                "(`unless=lambda: request.method != \"GET\"`) or move the cache to the GET view"),
    ]


def test_unknown_arguments_and_routes_are_left_alone():
    assert _messages(
        """
        from flask import Flask, request
        from flask_caching import Cache

        from .config import CACHE_OPTIONS, METHODS, key_builder

        app = Flask(__name__)
        cache = Cache(app)

        @app.get("/a")
        @cache.cached(timeout=60, query_string=CACHE_OPTIONS["qs"])
        def a():
            return request.args.get("x")

        @app.get("/b")
        @cache.cached(timeout=60, key_prefix=key_builder)
        def b():
            return request.args.get("x")

        @app.get("/c")
        @cache.cached(timeout=60, **CACHE_OPTIONS)
        def c():
            return request.args.get("x")

        @app.route("/d", methods=METHODS)
        @cache.cached(timeout=60)
        def d():
            return "d"

        @app.get("/e")
        @cache.cached(timeout=60)
        def e(request):
            return request.args.get("x")  # not Flask's request
        """
    ) == []


def test_flask_caching_imported_as_a_module_and_blueprints():
    assert [row for row, _, _ in _messages(
        """
        import flask
        import flask_caching

        bp = flask.Blueprint("shop", __name__)
        cache = flask_caching.Cache()

        @bp.delete("/basket/<int:item>")
        @cache.cached(timeout=5)
        def remove(item):
            return drop(item)

        @bp.get("/basket")
        @cache.cached(timeout=5)
        def basket():
            return show(flask.request.values.get("currency"))
        """
    )] == [9, 14]
