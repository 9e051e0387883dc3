"""A cache client made in one module of the project and imported by others."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from cachelint.config import Settings
from cachelint.engine import lint_paths
from cachelint.project.clients import imports_of, uses_of

EXTENSIONS = """\
from flask_caching import Cache

cache = Cache()
"""

VIEWS = """\
from flask import request

{import_line}


@cache.cached(timeout=60)
def search():
    return {{"q": request.args.get("q", "")}}


def product(pid):
    return cache.get(pid)
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def _found(root: Path, cache: bool = False, jobs: int = 1) -> list[tuple[str, int, str]]:
    run = lint_paths([root], Settings(root=root), jobs=jobs, cache_dir=root / ".cache" if cache else None)
    assert not run.internal_errors
    return sorted((Path(d.filename).name, d.location.row, d.code) for d in run.diagnostics)


@pytest.mark.parametrize("import_line", [
    "from .extensions import cache",
    "from . import extensions\ncache = extensions.cache",
    "from app.extensions import cache",
    "from app import extensions\ncache = extensions.cache",
])
def test_a_client_imported_from_a_module_of_the_project_is_a_client(tmp_path, import_line):
    _write(tmp_path, {"app/__init__.py": "", "app/extensions.py": EXTENSIONS,
                      "app/views.py": VIEWS.format(import_line=import_line)})
    row = 6 + import_line.count("\n")
    assert _found(tmp_path) == [("views.py", row, "CL012"), ("views.py", row + 6, "CL003")]


def test_the_result_is_the_same_from_the_result_cache_and_in_parallel(tmp_path):
    _write(tmp_path, {"app/__init__.py": "", "app/extensions.py": EXTENSIONS,
                      "app/views.py": VIEWS.format(import_line="from .extensions import cache")})
    expected = _found(tmp_path)
    assert expected
    assert _found(tmp_path, cache=True) == expected  # cold
    assert _found(tmp_path, cache=True) == expected  # warm
    (tmp_path / "app" / "extensions.py").write_text("cache = {}\n")  # no longer a Flask-Caching client
    assert _found(tmp_path, cache=True) == []
    (tmp_path / "app" / "extensions.py").write_text(EXTENSIONS)
    assert _found(tmp_path, jobs=2) == expected


@pytest.mark.parametrize("files", [
    # another package's module of the same name
    {"app/__init__.py": "", "app/extensions.py": EXTENSIONS, "other/__init__.py": "",
     "other/views.py": VIEWS.format(import_line="from .extensions import cache")},
    # a name that is a client in one branch only, and an in-process cache
    {"app/__init__.py": "", "app/views.py": VIEWS.format(import_line="from .extensions import cache"),
     "app/extensions.py": "import os\nfrom flask_caching import Cache\n\ncache = Cache() if os.environ.get('X') else None\n"},
    {"app/__init__.py": "", "app/views.py": VIEWS.format(import_line="from .extensions import cache"),
     "app/extensions.py": "from cachetools import LRUCache\n\ncache = LRUCache(100)\n"},
])
def test_what_is_not_that_client_is_not(tmp_path, files):
    _write(tmp_path, files)
    assert [code for _, _, code in _found(tmp_path)] == []


def test_imports_of_a_module_spelled_every_way():
    pattern = imports_of(["app.extensions.cache"])
    for text in (b"from app.extensions import cache", b"import app.extensions", b"from .extensions import cache",
                 b"from ..app.extensions import cache", b"from . import extensions, models",
                 b"from app import (\n    events,\n    extensions,\n)"):
        assert pattern.search(text), text
    for text in (b"from app.models import cache", b"from .extensions_v2 import cache", b"# extensions",
                 b"from app import (events, models)\nextensions = None"):
        assert not pattern.search(text), text


def test_a_name_is_used_where_its_own_module_is_imported():
    """`uses_of`: an import of the name's module (not of a submodule of it) and the name,
    both of one name: importing `app` for one name and using another's is no use of either."""
    uses = uses_of(["app.cache_manager.data_cache", "app.views.Viz"], {"app", "app.views"})
    for text in (b"from app import db, cache_manager", b"from app import (\n    db,\n    cache_manager,\n)",
                 b"import app.models\napp.cache_manager.data_cache.get(1)", b"from .. import cache_manager",
                 b"import app as a\na.cache_manager", b"from app import *\ncache_manager.get(1)",
                 b"from app.views import Viz", b"from . import views\nviews.Viz"):
        assert uses.search(text), text
    for text in (b"from app.extensions import cache_manager", b"from app.ext.cache_manager import x",
                 b"from app.views import Other\ncache_manager = 1",
                 b"from app import db\nViz = None", b"from app import views"):
        assert not uses.search(text), text


def test_a_module_level_instance_is_found_on_the_lines_naming_its_class(monkeypatch):
    """`_module_level_instances`: a name bound, at module level, to a call of one of the
    classes (through attributes, with an annotation); not an instance made in a function,
    a comparison, nor a mention of the class. The pattern reads only the lines that hold
    a class's name: none for a text that names none of them."""
    import re

    from cachelint import engine

    screen = engine._module_level_instances(["app.ext.CacheManager", "app.stores.Store"])
    for text in (b"import x\ncache_manager = CacheManager()\n", b"store: Store = ext.Store(url)\n",
                 b"a = 1\r\nholder = app . ext. CacheManager (\n  x)\n", b"\n\nstore=Store()"):
        assert screen.search(text), text
    for text in (b"def f():\n    cache_manager = CacheManager()\n", b"if x == Store():\n    pass\n",
                 b"store = Store\n", b"# CacheManager()\nx = 1\n", b"cache = OtherCacheManager()\n"):
        assert not screen.search(text), text
    searched = []
    real = re.Pattern.search

    class Recorded:  # a stand-in for the compiled pattern that notes each text it is given
        def __init__(self, pattern):
            self.pattern = pattern

        def search(self, text):
            searched.append(text)
            return real(self.pattern, text)

    monkeypatch.setattr(screen, "_pattern", Recorded(screen._pattern))
    assert not screen.search(b"import os\n" * 1000)
    assert screen.search(b"import os\n" * 1000 + b"store = Store()\n") and searched == [b"store = Store()"]


def test_a_warm_run_takes_the_importers_from_the_cache(tmp_path, monkeypatch):
    """The files linted again for an imported client are cached too, keyed on the clients
    declared for them: a warm run lints nothing, and a change to the client is seen."""
    from cachelint import engine

    _write(tmp_path, {"app/__init__.py": "", "app/extensions.py": EXTENSIONS,
                      "app/views.py": VIEWS.format(import_line="from .extensions import cache")})
    cold = _found(tmp_path, cache=True)
    assert ("views.py", 6, "CL012") in cold
    linted = []
    real = engine.lint_source

    def counted(filename, *args, **kwargs):
        linted.append(filename)
        return real(filename, *args, **kwargs)

    monkeypatch.setattr(engine, "lint_source", counted)
    assert _found(tmp_path, cache=True) == cold and linted == []
    # The client is no longer one: views.py is judged again, without it.
    (tmp_path / "app" / "extensions.py").write_text("cache = {}\n")
    assert ("views.py", 6, "CL012") not in _found(tmp_path, cache=True)


def test_a_module_path_in_a_string_or_a_comment_does_not_make_a_file_linted_again(tmp_path, monkeypatch):
    """The second pass lints again a file that imports the client's module; its path in a
    settings string or a comment imports nothing (the file is linted once, in the first
    pass), while an f-string's field is code (linted again)."""
    from cachelint import engine

    _write(tmp_path, {
        "app/__init__.py": "", "app/extensions.py": EXTENSIONS,
        "app/views.py": VIEWS.format(import_line="from app.extensions import cache"),
        "app/settings.py": 'CACHES = {"default": {"BACKEND": "app.extensions.cache"}}  # app.extensions.cache\n',
        "app/notes.py": '"""from app.extensions import cache"""\n\n# from app.extensions import cache\n',
        "app/shown.py": 'import app\n\nprint(f"{app.extensions.cache}")\n',
    })
    linted = []
    real = engine.lint_source

    def counted(filename, *args, **kwargs):
        linted.append(Path(filename).name)
        return real(filename, *args, **kwargs)

    monkeypatch.setattr(engine, "lint_source", counted)
    assert ("views.py", 6, "CL012") in _found(tmp_path)
    assert (linted.count("views.py"), linted.count("shown.py")) == (2, 2)
    assert (linted.count("settings.py"), linted.count("notes.py")) == (1, 1)


def test_an_attribute_typed_is_not_used_by_an_import_or_the_standard_decorator():
    """`attribute_uses`: `x.cache` used on a line of code is; a module path on an import
    line (`from django.core.cache import cache`), and `@functools.cache`, are not."""
    from cachelint.project.clients import attribute_uses

    uses = attribute_uses(["cache", "event.cache"])
    for text in (b"x = 1\n    y.cache.get(1)\n", b"import a; b.cache.get()\n", b"    return event.cache\n",
                 b"from x import y\nz = w.cache\n"):
        assert uses.search(text), text
    for text in (b"from django.core.cache import cache\n", b"import django.core.cache\n", b"@functools.cache\n",
                 b"foo.cached = 1\n"):
        assert not uses.search(text), text


def test_words_that_share_a_part_are_looked_for_under_it():
    """`Words` looks for a part several names share (`Viz` of `BubbleViz`, `BulletViz`,
    `TableViz`) first, and for those names only in a text that holds it: a text that holds
    one of them as a word is found as before; one that holds the part alone, or a name
    only inside a longer word, is not."""
    from cachelint.project.clients import Words, _needles

    names = ["BubbleViz", "BulletViz", "TableViz", "get_redis_client"]
    assert _needles([name.encode() for name in names]) == [
        (b"Viz", [b"BubbleViz", b"BulletViz", b"TableViz"]), (b"get_redis_client", None)]
    words = Words(names)
    assert words.search(b"from .viz import BulletViz\n")
    assert words.search(b"client = get_redis_client()\n")
    assert not words.search(b"class Viz: pass\n")
    assert not words.search(b"class BulletVizMixin: pass\n")
    assert not Words(["BubbleViz", "BulletViz"]).search(b"Viz")  # two share no part looked for first


@pytest.mark.parametrize(("word", "text", "holds"), [
    (b"cache_manager", b"from app import cache_manager\n", True),
    (b"cache_manager", b"cache_manager", True),  # at both ends of the text
    (b"cache_manager", b"x = my_cache_manager2; y = cache_managers\n", False),
    (b"cache_manager", b"my_cache_manager, (cache_manager)", True),  # the second one found
    (b"Store", b"Store1 Store_ _Store 9Store", False),
    # A byte that is not ASCII is no `\w` of a bytes pattern: `\b` after one wants `\w` next.
    ("caf\u00e9".encode(), "caf\u00e9x".encode(), True),
    ("caf\u00e9".encode(), "caf\u00e9 = 1".encode(), False),
    ("\u00e9t\u00e9".encode(), "x\u00e9t\u00e9x".encode(), True),
])
def test_a_word_is_found_where_a_boundary_pattern_finds_it(word, text, holds):
    r"""`Words` checks each word's boundaries where `bytes.find` finds it, as the pattern
    `\b(?:…)\b` it replaces did (which `re` tried at every position of every file)."""
    import re

    from cachelint.project.clients import _holds_word

    assert (re.search(rb"\b" + re.escape(word) + rb"\b", text) is not None) is holds
    assert _holds_word(text, word) is holds


def test_an_import_is_found_only_where_its_module_starts_a_word():
    """`NameUses`' patterns start with the module's name or `from`, which `re` finds fast;
    the boundary before a match is checked after (`_at_word_start`), and a match that
    fails it does not hide one further on."""
    uses = uses_of(["app.ext.cache_manager"], {"app.ext"})
    assert uses.search(b"import myapp.ext\nimport app.ext\napp.ext.cache_manager.get(1)\n")
    assert uses.search(b"x = 1  # myfrom app.ext import cache_manager\nfrom app.ext import cache_manager\n")
    assert not uses.search(b"import myapp.ext\nmyapp.ext.cache_manager.get(1)\n")
    assert not uses.search(b"cache_manager = unfrom_app.ext\n")
    from cachelint.project.clients import _at_word_start

    pattern = re.compile(rb"app\.ext\b")
    assert _at_word_start(pattern, b"myapp.ext app.ext")  # the second match
    assert not _at_word_start(pattern, b"myapp.ext _app.ext")


def test_a_round_lints_first_the_files_its_other_files_import(tmp_path, monkeypatch):
    """`screens.py` and `charts.py` both import the client; `charts.py` imports a wrapper
    `screens.py` turns out to define once linted with it (`store_screen`). The round lints
    `screens.py` first, and `charts.py` once, with the wrapper declared, not once
    without it and again with it."""
    from cachelint import engine

    _write(tmp_path, {
        "app/__init__.py": "",
        "app/extensions.py": EXTENSIONS,
        "app/screens.py": """\
            from app.extensions import cache


            def store_screen(chart_id, image):
                cache.set(f"screen:{chart_id}", image, timeout=0)
        """,
        "app/charts.py": """\
            from app.extensions import cache
            from app.screens import store_screen


            def chart_image(chart_id):
                image = render(chart_id)
                store_screen(chart_id, image)
                return image


            def chart_data(chart_id):
                return cache.get(f"data:{chart_id}")
        """,
    })
    linted = []
    real = engine._lint

    def counted(tasks, results, settings, prefilter, *args, **kwargs):
        if not prefilter:  # the second pass's
            linted.extend(Path(task.filename).name for task in tasks)
        return real(tasks, results, settings, prefilter, *args, **kwargs)

    monkeypatch.setattr(engine, "_lint", counted)
    assert _found(tmp_path) == [("screens.py", 5, "CL002")]
    assert linted.index("screens.py") < linted.index("charts.py") and linted.count("charts.py") == 1


def test_the_modules_a_text_imports_are_read_from_its_import_lines(tmp_path):
    from cachelint.engine import _imported_modules

    (tmp_path / "app" / "views").mkdir(parents=True)
    for name in ("app/__init__.py", "app/views/__init__.py"):
        (tmp_path / name).write_text("")
    text = textwrap.dedent("""\
        import os, app.extensions as ext
        from . import forms
        from ..models import (
            Chart,  # the model, Dashboard
            Slice as Piece,
        )
        if TYPE_CHECKING:
            from app.screens import store_screen  # noqa
    """).encode()
    assert _imported_modules(str(tmp_path / "app" / "views" / "charts.py"), text) == {
        "os", "app.extensions", "app.views", "app.views.forms", "app.models", "app.models.Chart", "app.models.Slice",
        "app.screens", "app.screens.store_screen"}
