"""An attribute the project's classes all make one client of types `x.cache` on any
receiver (`ProjectModel.attribute_clients`); a file the first pass did not model whole (the
prefilter skipped it, sparse parsing left some of it out) takes that back only where the
code the model did not see defines such an attribute (`engine._typed_attributes`), so
that the report is the one `--no-prefilter` gives."""
from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from cachelint.config import Settings
from cachelint.engine import lint_paths
from cachelint.prefilter import prefilter_for
from cachelint.project.clients import attributes_defined, defined_in_text, rows_defining, taken_back
from cachelint.sparse import reduce

FILLER = "".join(f"\n\ndef helper_{number}(x):\n    return x + {number}\n" for number in range(40))
# Kept by the prefilter (it imports a client) and parsed in part: sparse parsing keeps the
# import and `Holder`, and leaves the helpers and `configure` out (over 100 rows).
HOLDERS = ('from django.core.cache import caches\n\n\nclass Holder:\n    def __init__(self):\n'
           '        self.cache = caches["default"]\n' + FILLER
           + '\n\ndef configure(load):\n    cache = load()\n    return dict(\n        cache=cache,\n    )\n')
# A class of its own whose `cache` is a dict, in the rows sparse parsing leaves out.
HOLDERS_WITH_A_PAGE = HOLDERS + '\n\nclass Page:\n    def __init__(self):\n        self.cache = {}\n'
SEATS = '''
def seats(box):
    return box.cache.get("seats")
'''
# No cache code (the prefilter skips it): a local variable and a keyword argument named `cache`.
TOOLS = '''
def build(load, render):
    cache = load()
    return render(
        cache=cache,
    )
'''
RENDERER = '''
class Renderer:
    def __init__(self):
        self.cache = {}
'''


def _report(root: Path, files: dict[str, str], prefilter: bool) -> tuple[list, list]:
    """What was understood and not understood in seats.py."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text if name.endswith("holders.py") else textwrap.dedent(text))
    run = lint_paths([root], Settings(root=root), prefilter=prefilter)
    assert not run.internal_errors, run.internal_errors
    seats = next(file for file in run.files if file.filename.endswith("seats.py"))
    uses = [(use.line, use.library, use.method) for use in seats.facts.uses] if seats.facts is not None else []
    missed = [(call.line, call.receiver, call.method) for call in seats.unresolved]
    return uses, missed


def test_the_first_pass_parses_the_holders_in_part():
    """Sparse parsing keeps the import and `Holder`, and leaves out the rest, `Page` too."""
    for text in (HOLDERS, HOLDERS_WITH_A_PAGE):
        reduced = reduce(text, prefilter_for(()))
        assert reduced is not None and reduced.rows == (1, 2, 3, 4, 5, 6)


def test_a_local_variable_or_a_keyword_argument_named_like_the_attribute_takes_nothing_back(tmp_path):
    """`box.cache` is a Django client (the one class with a `cache` makes it one). A
    local `cache = …` and a keyword argument `cache=` define no attribute: neither in a
    file the prefilter skipped nor in the rows sparse parsing left out of the file that
    defines `Holder` (whose own, modelled, definition is no other evidence either)."""
    files = {"app/__init__.py": "", "app/holders.py": HOLDERS, "app/seats.py": SEATS, "app/tools.py": TOOLS}
    understood = ([(3, "django", "get")], [])
    assert _report(tmp_path / "whole", files, prefilter=False) == understood
    assert _report(tmp_path / "default", files, prefilter=True) == understood


def test_a_class_that_makes_something_else_of_the_attribute_takes_it_back(tmp_path):
    """A `Renderer` whose `cache` is a dict, in a file the prefilter skipped, or a `Page`
    whose `cache` is one, in the rows sparse parsing left out: `box.cache` may be
    either (`box` names no class), and is not understood, as without the prefilter."""
    base = {"app/__init__.py": "", "app/holders.py": HOLDERS, "app/seats.py": SEATS, "app/tools.py": TOOLS}
    not_understood = ([], [(3, "box.cache", "get")])
    for name, files in (("skipped", {**base, "app/render.py": RENDERER}),
                        ("left out", {**base, "app/holders.py": HOLDERS_WITH_A_PAGE})):
        assert _report(tmp_path / name / "whole", files, prefilter=False) == not_understood, name
        assert _report(tmp_path / name / "default", files, prefilter=True) == not_understood, name


def _defined(source: str) -> set[tuple[str, str, int]]:
    return set(attributes_defined(ast.parse(textwrap.dedent(source))))


def test_the_attributes_a_module_defines_are_those_the_project_model_weighs():
    """In a module-level class: what its body binds (an assignment, an annotation, a
    method or property, also under `if`), and what its methods set on their first
    parameter; in a module-level function, what its body sets on a parameter. Public
    names like a cache's only; not a method's local variable, a keyword argument, an
    attribute set on something else, nor a nested class's own."""
    source = '''
    class Event:
        cache: Scoped
        if DEBUG:
            redis_client = None

        def __init__(self, options):
            self.store = Store()
            self._cache = {}
            options.cache = None
            cache = {}
            make(cache=cache)

        @property
        def memcache(this):
            this.session_store = {}

        class Meta:
            def __init__(self):
                self.cache = None


    def init_app(app, *others):
        app.redis = connect(app)
        if app.debug:
            app.cache = None
        cache = app.cache


    if True:
        class Shop:
            cache = SimpleCache()
    '''
    assert _defined(source) == {
        ("event", "cache", 3), ("event", "redis_client", 5), ("event", "store", 8),
        ("event", "memcache", 15), ("event", "session_store", 16), ("initapp", "redis", 24), ("shop", "cache", 32),
    }
    assert _defined("def view(request):\n    cache = caches['default']\n    cache.set(1, 2)\n") == set()
    # The rows the text finds (`rows_defining`): only the statements around them are read.
    text = textwrap.dedent(source).encode()
    assert rows_defining(text, frozenset({"cache", "store"})) == [3, 8, 10, 11, 20, 26, 27, 32]
    assert set(attributes_defined(ast.parse(text), [3, 8, 10, 11, 20, 26, 27, 32])) == {
        ("event", "cache", 3), ("event", "store", 8), ("initapp", "redis", 24), ("shop", "cache", 32)}
    assert attributes_defined(ast.parse(text), [11]) == [("event", "store", 8)]  # the method around the local
    assert attributes_defined(ast.parse(text), [20]) == []  # a nested class's own
    assert rows_defining(b"x = 1\n# cache = 2\ncache == 3\nf(cache=4)\n", frozenset({"cache"})) == []


def test_a_key_is_taken_back_by_a_definition_of_its_name_in_its_class_or_any_for_the_name_alone():
    keys = ["cache", "event.cache", "store"]
    assert taken_back(keys, frozenset({("page", "cache")})) == {"cache"}
    assert taken_back(keys, frozenset({("event", "cache")})) == {"cache", "event.cache"}
    assert taken_back(keys, frozenset({("event", "redis")})) == set()


def test_a_text_whose_tree_cannot_be_read_is_told_from_its_lines():
    """`defined_in_text`: every name like a cache's that an assignment, an annotation or
    a `def` may define, in each of the text's classes and in none (the key of the name
    alone); never a comparison or a string; nothing for a text that defines no such name."""
    text = (b"class Event:\n    CACHE_TTL: int = 5\n\n    def __init__(self):\n        self.Redis_Store = make()\n"
            b"        x = 'cache'\n\n    def cache(self):\n        return None\n\n\nclass Other:\n"
            b"    if cache == 1:\n        pass\n")
    assert defined_in_text(text) == {(owner, name) for owner in ("", "event", "other")
                                     for name in ("CACHE_TTL", "Redis_Store", "cache")}
    assert defined_in_text(b"class Event:\n    if cache == 1:\n        label = 'a cache'\n") == frozenset()
    assert defined_in_text(b"class Event:\n    pass\n") == frozenset()


# A Django view's object, of a class the project gives a cache (pretix's `Event.cache`,
# an `ObjectRelatedCache`): `self.object` says which class through the view's own code.
EVENTS = '''
from django.core.cache import caches


class Event:
    def __init__(self):
        self.cache = caches["default"]


class Page:
    def __init__(self):
        self.cache = {}
'''
EVENT_VIEWS = '''
from functools import cached_property

from django.views.generic import DetailView, UpdateView, View

from .events import Event


class EventUpdate(UpdateView):
    @cached_property
    def object(self) -> Event:
        return self.request.event

    def form_valid(self, form):
        self.object.cache.delete("seats")


class EventDetail(DetailView):
    model = Event

    def get(self, request):
        self.object.cache.delete("seats")


class Anything(View):
    def get(self, request):
        self.object.cache.delete("seats")
'''


def test_a_views_object_is_of_the_class_its_property_returns_or_its_model(tmp_path):
    (tmp_path / "app").mkdir()
    for name, text in {"__init__.py": "", "events.py": EVENTS, "views.py": EVENT_VIEWS}.items():
        (tmp_path / "app" / name).write_text(text)
    run = lint_paths([tmp_path], Settings(root=tmp_path))
    assert not run.internal_errors, run.internal_errors
    views = next(file for file in run.files if file.filename.endswith("views.py"))
    assert [(use.line, use.library, use.method) for use in views.facts.uses] == [(15, "django", "delete"),
                                                                                 (22, "django", "delete")]
    assert [(call.line, call.method) for call in views.unresolved] == [(27, "delete")]


def test_a_file_without_a_word_of_a_cache_name_is_not_read_for_what_it_defines(tmp_path, monkeypatch):
    """A file the prefilter skipped whose text holds none of the words every name like a
    cache holds (`cache`, `redis`, `valkey`, `store`, in any case) defines no such
    attribute: the first pass says so, and `_typed_attributes` does not read it again.
    One that holds such a word (`tools.py`'s `cache = load()`) is read; the report is
    the one `--no-prefilter` gives."""
    import cachelint.engine as engine

    read = []
    asked = engine._Defines.__call__

    def recording(self, raw):
        read.append(raw)
        return asked(self, raw)

    monkeypatch.setattr(engine._Defines, "__call__", recording)
    plain = "def add(a, b):\n    return a + b\n"
    files = {"app/__init__.py": "", "app/holders.py": HOLDERS, "app/seats.py": SEATS, "app/tools.py": TOOLS,
             "app/plain.py": plain}
    understood = ([(3, "django", "get")], [])
    assert _report(tmp_path / "default", files, prefilter=True) == understood
    assert textwrap.dedent(TOOLS).encode() in read
    assert plain.encode() not in read


def test_a_text_may_name_a_cache_when_it_holds_a_word_of_one_in_any_case_or_is_not_ascii():
    from cachelint.project.cache_like import may_name_a_cache

    assert may_name_a_cache("r = get_Redis()\n") and may_name_a_cache("class EventStore: pass\n")
    assert may_name_a_cache("VALKEY_URL = 1\n") and may_name_a_cache("x = 'ſtore'\n")  # not ASCII: may be one
    assert not may_name_a_cache("def add(a, b):\n    return a + b\n")
