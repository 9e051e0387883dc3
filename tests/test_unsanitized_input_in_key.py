"""CL005 beyond its examples: messages, every call that uses the key, the sanitizers option."""
from __future__ import annotations

from cachelint.config import Settings, load_settings
from tests.conftest import lint

SEARCH = """
from flask import Flask, request
from flask_caching import Cache

from myapp.keys import clean

app = Flask(__name__)
cache = Cache(app)

def tidy(term):
    return term.replace(":", "-")

@app.get("/search")
def search():
    term = request.args["q"]
    key = f"search:{tidy(term)}"
    hits = cache.get(key)
    if hits is None:
        hits = run_search(term)
        cache.set(key, hits, timeout=60)
    cache.delete(f"search:{clean(term)}")
    return hits
"""


def test_the_message_names_the_source_the_call_and_what_to_do():
    diagnostics = lint(SEARCH, select=("CL005",))
    assert [(d.location.row, d.location.column) for d in diagnostics] == [(17, 12), (20, 9)]
    assert diagnostics[0].message == (
        '`request.args["q"]` reaches the key of `cache.get()` unencoded: Flask-Caching\'s backend, if it is '
        "memcached, raises on a key with a space, a control character or 250+ bytes, so a request can cause "
        "a 500; hash it with `hashlib.sha256(...).hexdigest()`"
    )
    assert "`cache.set()`" in diagnostics[1].message


def test_configured_sanitizers_end_the_taint(tmp_path):
    (tmp_path / "myapp").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cachelint.rules.unsanitized-input-in-key]\nsanitizers = ["myapp.views.tidy"]\n'
    )
    settings = load_settings(tmp_path / "pyproject.toml")
    assert lint(SEARCH, select=("CL005",), settings=settings, filename="myapp/views.py") == []


def test_parameters_and_dict_caches_under_strict():
    settings = Settings()
    settings.rule_options = {"unsanitized-input-in-key": {"strict": True}}
    diagnostics = lint(
        """
        from flask import Flask

        app = Flask(__name__)
        PAGE_CACHE = {}

        @app.get("/pages/<path:slug>")
        def page(slug):
            if ("page", slug) not in PAGE_CACHE:
                PAGE_CACHE[("page", slug)] = render(slug)
            PAGE_CACHE["page:" + slug] = render(slug)  # a string key is built from the input
            return PAGE_CACHE[("page", slug)]
        """,
        select=("CL005",), settings=settings,
    )
    assert [(d.location.row, d.message.split(" reaches")[0]) for d in diagnostics] == [
        (11, "route parameter `slug`"),
    ]
