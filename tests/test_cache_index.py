"""The project index's second pass (files without cache code that write an entity cached
elsewhere) keeps its results in the result cache like the first."""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from cachelint import engine
from cachelint.config import Settings
from cachelint.engine import lint_paths
from tests.test_understood_sites import SCOPED

CATALOG = '''
    import redis

    r = redis.Redis()


    def get_product(conn, product_id):
        key = f"product:{product_id}"
        cached = r.get(key)
        if cached is not None:
            return cached
        row = conn.execute("SELECT id, name, price FROM products WHERE id = ?", (product_id,)).fetchone()
        r.set(key, row, ex=60)
        return row
'''
PRICING = '''
    def update_price(conn, product_id, price):
        conn.execute("UPDATE products SET price = ? WHERE id = ?", (price, product_id))
        conn.commit()
'''


def test_a_writer_without_cache_code_is_linted_once(tmp_path, linted):
    for name, source in (("catalog", CATALOG), ("pricing", PRICING)):
        path = tmp_path / f"{name}.py"
        path.write_text(textwrap.dedent(source))
        stat = path.stat()  # modified a minute ago, as an unchanged file in a real tree is
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 60_000_000_000))
    def cl010() -> list[tuple[str, int]]:
        run = lint_paths([tmp_path], Settings(select=("CL010",), root=tmp_path), cache_dir=tmp_path / "cache")
        return [(Path(d.filename).name, d.location.row) for d in run.diagnostics]

    assert cl010() == [("pricing.py", 3)]
    assert linted == ["catalog.py", "pricing.py", "pricing.py"]  # the second pass lints it again
    assert cl010() == [("pricing.py", 3)]
    assert linted == ["catalog.py", "pricing.py", "pricing.py"]  # and then neither is linted


def _write_a_minute_ago(path: Path, source: str) -> None:
    path.write_text(textwrap.dedent(source))
    stat = path.stat()  # modified a minute ago, as an unchanged file in a real tree is
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 60_000_000_000))


@pytest.fixture
def read(monkeypatch) -> list[str]:
    """The names of the files the engine reads, in order (in this process)."""
    names: list[str] = []
    reading, checking = engine._read, engine._check_file

    def counting(filename):
        names.append(Path(filename).name)
        return reading(filename)

    def checking_counted(settings, prefilter, task):  # reads the file
        names.append(Path(task.filename).name)
        return checking(settings, prefilter, task)

    monkeypatch.setattr(engine, "_read", counting)
    monkeypatch.setattr(engine, "_check_file", checking_counted)
    return names


def test_a_warm_run_reads_no_file_again_for_the_clients_other_modules_make(tmp_path, read):
    # catalog.py makes a client at module level, so every file is asked whether it imports
    # it (the pass that declares clients made elsewhere). pricing.py does not: a warm run
    # knows that from the cache and does not read it again.
    for name, source in (("catalog", CATALOG), ("pricing", PRICING)):
        _write_a_minute_ago(tmp_path / f"{name}.py", source)

    def findings() -> list[tuple[str, int, str]]:
        run = lint_paths([tmp_path], Settings(root=tmp_path), cache_dir=tmp_path / "cache")
        return sorted((Path(d.filename).name, d.location.row, d.code) for d in run.diagnostics)

    cold = findings()
    assert "pricing.py" in read  # the cold run had to look
    read.clear()
    assert findings() == cold
    assert "pricing.py" not in read


STORE = '''
    import redis


    class Store:
        def __init__(self):
            self._r = redis.Redis()

        def get(self, key):
            return self._r.get(key)

        def set(self, key, value):
            self._r.set(key, value, ex=60)

        def delete(self, key):
            self._r.delete(key)

        def exists(self, key):
            return self._r.exists(key)

        def expire(self, key, seconds):
            self._r.expire(key, seconds)


    class SessionStore(Store):
        pass
'''
VIEWS = '''
    from app.store import SessionStore


    def profile(user_id):
        store = SessionStore()
        return store.get(f"profile:{user_id}")
'''


def test_the_second_pass_keys_its_results_alike_whatever_the_hash_seed(tmp_path):
    """The clients the second pass declares (here the methods a subclass inherits from a
    wrapper class) key its pack in the result cache: a key that follows the order of a set
    would differ from one interpreter to the next (string hashes are randomised), and a
    warm run would lint the importers again under a new key."""
    import subprocess
    import sys

    (tmp_path / "app").mkdir()
    for name, source in (("__init__", ""), ("store", STORE), ("views", VIEWS)):
        path = tmp_path / "app" / f"{name}.py"
        path.write_text(textwrap.dedent(source))
        stat = path.stat()  # modified a minute ago, as an unchanged file in a real tree is
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 60_000_000_000))
    root = Path(__file__).resolve().parent.parent

    def packs(seed: str) -> set[str]:
        subprocess.run([sys.executable, "-m", "cachelint", "check", "--exit-zero", "-j", "1", "--cache-dir", "cache",
                        "app"], cwd=tmp_path, check=True, capture_output=True,
                       env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)})
        return {path.name for path in (tmp_path / "cache").glob("*.pack.json")}

    cold = packs("1")
    assert len(cold) >= 2  # the first pass's, and the second's
    assert packs("2") == cold  # no pack of a new key


# An attribute the project's classes make a wrapper of types `event.cache` elsewhere,
# unless a file the first pass did not model may define it otherwise: every such file's
# text is asked what it defines (`engine._typed_attributes`).
EVENTS = '''
    from app.scoped import Scoped


    class Event:
        def __init__(self):
            self.cache = Scoped(self)
'''
EVENT_VIEWS = '''
    from django.core.cache import cache


    def seats(event):
        return event.cache.get("seats")
'''
PAGES = '''
    class Page:
        pass
'''
PAGES_WITH_AN_EVENT = '''
    class Event:
        def __init__(self):
            self.cache = None
'''


def test_what_the_files_not_modelled_define_is_read_once_and_again_when_one_changes(tmp_path, read):
    (tmp_path / "app").mkdir()
    for name, source in (("__init__", ""), ("scoped", SCOPED), ("events", EVENTS), ("views", EVENT_VIEWS),
                         ("pages", PAGES), ("plain", "def add(a, b):\n    return a + b\n")):
        _write_a_minute_ago(tmp_path / "app" / f"{name}.py", source)

    def understood(cache: bool = True) -> list[tuple[int, str]]:
        """The cache operations understood in views.py."""
        read.clear()
        run = lint_paths([tmp_path], Settings(root=tmp_path), cache_dir=tmp_path / "cache" if cache else None)
        assert not run.internal_errors
        facts = next(file.facts for file in run.files if file.filename.endswith("views.py"))
        return [(use.line, use.method) for use in facts.uses]

    assert understood() == [(6, "Scoped.get")]  # `event.cache` is a Scoped
    assert {"pages.py", "plain.py"} <= set(read)  # not modelled: their texts were asked what they define
    assert understood() == [(6, "Scoped.get")]
    assert read == []  # a warm run reads no file: the answers are in the cache

    # pages.py now has an `Event` whose `cache` is something else: `event.cache` is no
    # longer known to be a Scoped. Only the changed file is read again.
    _write_a_minute_ago(tmp_path / "app" / "pages.py", PAGES_WITH_AN_EVENT)
    assert understood() == [] == understood(cache=False)
    assert understood() == []
    assert read == []
    _write_a_minute_ago(tmp_path / "app" / "pages.py", PAGES)
    assert understood() == [(6, "Scoped.get")]
    assert "plain.py" not in read and "pages.py" in read


def test_a_warm_run_takes_the_second_pass_outcome_from_the_cache_until_a_file_changes(tmp_path, monkeypatch):
    """The second pass's outcome (here views.py linted again with `SessionStore`, a
    wrapper another module makes, declared) is kept with the first pass's results: a run
    on the same files, unchanged, takes it without a round; an edited file makes the
    pass run again, to the outcome a run without the cache gives."""
    (tmp_path / "app").mkdir()
    for name, source in (("__init__", ""), ("store", STORE), ("views", VIEWS)):
        _write_a_minute_ago(tmp_path / "app" / f"{name}.py", source)
    rounds: list[int] = []
    client_rounds = engine._client_rounds

    def counted(*args):
        rounds.append(1)
        return client_rounds(*args)

    monkeypatch.setattr(engine, "_client_rounds", counted)

    def understood(cache: bool = True) -> list[tuple[int, str]]:
        """The cache operations understood in views.py, and whether the rounds ran."""
        rounds.clear()
        run = lint_paths([tmp_path], Settings(root=tmp_path), cache_dir=tmp_path / "cache" if cache else None)
        facts = next(file.facts for file in run.files if file.filename.endswith("views.py"))
        return [(use.line, use.method) for use in facts.uses]

    assert understood() == [(7, "SessionStore.get")] and rounds
    assert understood() == [(7, "SessionStore.get")] and not rounds
    _write_a_minute_ago(tmp_path / "app" / "views.py", VIEWS + "\n    def stats(user_id):\n"
                        "        return SessionStore().get(f'stats:{user_id}')\n")
    edited = [(7, "SessionStore.get"), (10, "SessionStore.get")]
    assert understood() == edited and rounds
    assert understood(cache=False) == edited
    assert understood() == edited and not rounds


def test_a_warm_run_asks_no_file_again_whether_it_names_an_entity_cached(tmp_path, read):
    """The entities pass asks each file the prefilter skipped whether it names an entity
    some file caches (`products` here); the answer is a note of the file's entry, under
    the question's digest: a warm run reads no unchanged file for it, and a new entity
    cached asks again."""
    _write_a_minute_ago(tmp_path / "catalog.py", CATALOG)
    _write_a_minute_ago(tmp_path / "plain.py", "def add(a, b):\n    return a + b\n")

    def findings() -> list[tuple[str, int, str]]:
        read.clear()
        run = lint_paths([tmp_path], Settings(root=tmp_path), cache_dir=tmp_path / "cache")
        return sorted((Path(d.filename).name, d.location.row, d.code) for d in run.diagnostics)

    cold = findings()
    assert "plain.py" in read
    assert findings() == cold
    assert "plain.py" not in read
    # Another entity cached: the question is another, asked again of the unchanged file.
    _write_a_minute_ago(tmp_path / "catalog.py", CATALOG.replace("product", "item"))
    findings()
    assert "plain.py" in read


RENAME = '''

    def rename(conn, product_id, name):
        conn.execute("UPDATE products SET name = ? WHERE id = ?", (name, product_id))
'''


def test_a_warm_run_takes_the_project_findings_from_the_cache_until_a_file_changes(tmp_path, monkeypatch):
    """The project rules' findings are kept with the first pass's results: a run on the
    same files, unchanged, gives them without a project model; an edited file makes the
    stage run again, to the findings a run without the cache gives."""
    for name, source in (("catalog", CATALOG), ("pricing", PRICING)):
        _write_a_minute_ago(tmp_path / f"{name}.py", source)
    models: list[int] = []
    project_model = engine.ProjectModel

    def counted(facts):
        models.append(1)
        return project_model(facts)

    monkeypatch.setattr(engine, "ProjectModel", counted)

    def cl010(cache: bool = True) -> list[tuple[str, int]]:
        models.clear()
        run = lint_paths([tmp_path], Settings(select=("CL010",), root=tmp_path),
                         cache_dir=tmp_path / "cache" if cache else None)
        return [(Path(d.filename).name, d.location.row) for d in run.diagnostics]

    assert cl010() == [("pricing.py", 3)] and models
    assert cl010() == [("pricing.py", 3)] and not models
    _write_a_minute_ago(tmp_path / "pricing.py", PRICING + RENAME)
    edited = [("pricing.py", 3), ("pricing.py", 8)]
    assert cl010() == edited and models
    assert cl010(cache=False) == edited
    assert cl010() == edited and not models
