"""Key shapes (cachelint.model.cache.keys): what each cache key is made of."""
from __future__ import annotations

import textwrap

import libcst as cst

from cachelint.model import build_model
from cachelint.model.cache.keys import Source

HEADER = """\
import redis
r = redis.Redis()
"""


def _model(source: str):
    text = HEADER + textwrap.dedent(source)
    return build_model("example.py", text.encode(), cst.parse_module(text))


def shapes(source: str, method: str = "get") -> list[str]:
    """The rendered shapes of the last `r.<method>(...)` call's key."""
    model = _model(source)
    op = [op for op in model.ops if op.method == method][-1]
    return [shape.render(model.code) for shape in model.key_shapes(op)]


def shape(source: str, method: str = "get"):
    model = _model(source)
    op = [op for op in model.ops if op.method == method][-1]
    (found,) = model.key_shapes(op)
    return found


def test_string_building_is_split_into_constant_and_dynamic_parts():
    assert shapes('def f(pid):\n    r.get(f"product:{pid}:rules")') == ["product:{pid}:rules"]
    assert shapes('def f(pid):\n    r.get("product:%s:%d" % (pid, 3))') == ["product:{pid}:3"]
    assert shapes('def f(pid):\n    r.get("product:%(pid)s" % {"pid": pid})') == ["product:{pid}"]
    assert shapes('def f(pid):\n    r.get("product:{}:{n}".format(pid, n=2))') == ["product:{pid}:2"]
    assert shapes('def f(pid):\n    r.get("product:" + str(pid))') == ["product:{pid}"]
    assert shapes('def f(pid):\n    r.get(":".join(["product", str(pid)]))') == ["product:{pid}"]
    assert shapes('def f(pid):\n    r.get(":".join(map(str, ("product", pid))))') == ["product:{pid}"]
    assert shapes('def f(slug):\n    r.get(f"Tag:{slug}".lower())') == ["tag:{slug}"]


def test_prefix_namespace_and_sources():
    found = shape('def f(request, pid):\n    r.get(f"fare:{pid}:{request.user.id}")')
    assert (found.prefix, found.namespace(), found.known) == ("fare:", "fare", True)
    assert [(p.source, p.name) for p in found.dynamic] == [
        (Source.PARAMETER, "pid"), (Source.ATTRIBUTE, "request.user.id"),
    ]
    assert shape('def f(pid):\n    r.get(f"fare/{pid}")').namespace() is None
    assert shape('def f(pid):\n    r.get(f"fare/{pid}")').namespace("/") == "fare"
    assert shape('def f(pid):\n    r.get(f"{pid}:fare")').prefix == ""


def test_local_variables_and_module_constants_are_followed():
    source = """
    PREFIX = "fare"

    def f(pid):
        suffix = "rules"
        key = f"{PREFIX}:{pid}:{suffix}"
        return r.get(key)
    """
    found = shape(source)
    assert found.render(lambda node: "?") == "fare:{pid}:rules"
    (pid,) = found.dynamic
    assert [step.name for step in pid.via] == ["key"]


def test_every_branch_that_reaches_the_use_is_a_shape():
    source = """
    def f(pid, flag, other):
        key = f"a:{pid}"
        if flag:
            key = f"{pid}:b"
        elif other:
            key = "c"
        else:
            pass
        return r.get(key)
    """
    assert shapes(source) == ["c", "{pid}:b", "a:{pid}"]
    # Branches are not checked for covering every case: an earlier assignment stays possible.
    assert shapes(source.replace("        else:\n            pass", "        else:\n            key = 'd'")) == [
        "d", "c", "{pid}:b", "a:{pid}",
    ]
    # An assignment that always runs hides the earlier ones.
    assert shapes("def f(pid, flag):\n    if flag:\n        key = 'a'\n    key = f'b:{pid}'\n    r.get(key)") == [
        "b:{pid}",
    ]
    assert shapes("def f(e):\n    try:\n        key = f'a:{e}'\n    except KeyError:\n        key = 'b'\n    r.get(key)") \
        == ["b", "a:{e}"]


def test_key_builders_defined_in_the_module():
    source = """
    from functools import partial

    def product_key(pid, part="card"):
        return f"product:{pid}:{part}"

    def namespaced(ns, ident):
        return f"{ns}:{ident}"

    user_key = partial(namespaced, "user")

    class Repo:
        NS = "repo"

        def _key(self, item_id):
            return "%s:%s" % (self.NS, item_id)

        @staticmethod
        def _static(item_id):
            return f"static:{item_id}"

        def load(self, item_id):
            r.get(self._key(item_id))
            r.get(self._static(item_id))

    def load(pid, uid):
        r.get(product_key(pid))
        r.get(product_key(pid, part="rules"))
        r.get(user_key(uid))
    """
    model = _model(source)
    rendered = [[s.render(model.code) for s in model.key_shapes(op)] for op in model.ops]
    assert rendered == [
        ["repo:{item_id}"], ["static:{item_id}"],
        ["product:{pid}:card"], ["product:{pid}:rules"], ["user:{uid}"],
    ]
    # The builder's parameter is replaced by the caller's: the part is `load`'s `pid`.
    first = model.key_shapes(model.ops[2])[0].dynamic[0]
    assert first.source is Source.PARAMETER and first.scope.name == "load"


def test_what_the_module_cannot_see_is_opaque():
    source = """
    from .keys import product_key
    from django.conf import settings

    def f(pid, key, cache_key, k):
        r.get(product_key(pid))
        r.get(key)
        r.get(cache_key)
        r.get(k)
        r.get(f"{settings.CACHE_PREFIX}:{pid}")
        r.get(f"{pid.get_cache_key()}")
    """
    model = _model(source)
    for op in model.ops:
        (found,) = model.key_shapes(op)
        assert found.first.opaque and not found.known, model.code(op.node)


def test_values_are_not_opaque():
    source = """
    import time
    import uuid
    import hashlib

    def f(pid, obj, row):
        r.get(pid)
        r.get(obj.slug)
        r.get(row["id"])
        r.get(uuid.uuid4().hex)
        r.get(hashlib.md5(pid).hexdigest())
        r.get(int(time.time()))
    """
    model = _model(source)
    for op in model.ops:
        (found,) = model.key_shapes(op)
        assert found.known and not found.first.is_constant, model.code(op.node)


def test_a_loop_over_a_key_scan_carries_the_scan_namespace():
    source = """
    def purge(kind):
        for key in r.scan_iter(match="session:*"):
            r.delete(key)
        for key in r.scan_iter(match=f"{kind}:*"):
            r.delete(key)
        for key in r.scan_iter():
            r.delete(key)
        stale = r.keys("report:2024-*")
        for key in stale:
            r.delete(key)
        for pid in [1, 2]:
            r.delete(pid)

    def make_pattern(pattern):
        if isinstance(pattern, CacheKey):
            return pattern
        return CacheKey(key_func(pattern))

    def delete_pattern(pattern):
        pattern = make_pattern(pattern)
        for key in r.scan_iter(match=pattern):
            r.delete(key)
    """
    model = _model(source)
    found = [model.key_shapes(op)[0] for op in model.ops if op.method == "delete"]
    assert [(s.prefix, s.known) for s in found] == [
        ("session:", False), ("", False), ("", False), ("report:2024-", False), ("", True), ("", False),
    ]
    assert found[1].first.source is Source.PARAMETER
    assert found[2].first.opaque
    assert found[4].first.source is Source.LOOP and not found[4].first.opaque
    # django-redis' `delete_pattern`: a pattern made elsewhere, whole, says nothing of the keys' start
    assert len(found[5].parts) == 1 and found[5].first.source is Source.LOOP and found[5].first.opaque


def test_values_of_follows_variables_to_their_assignments():
    source = """
    import time

    def f(flag):
        now = time.time()
        if flag:
            now = 0
        r.get(f"a:{now}")
    """
    model = _model(source)
    # Both assignments reach the use; `now` is followed to each.
    assert [shape.render(model.code) for shape in model.key_shapes(model.ops[0])] == ["a:0", "a:{now}"]
    (step,) = model.key_shapes(model.ops[0])[1].dynamic[0].via
    assert (step.name, model.code(step.value)) == ("now", "time.time()")
    name = model.ops[0].key.parts[1].expression
    assert [model.code(step.value) for step in model.reaching.values_of(name, model.ops[0].scope)] == ["0", "time.time()"]


def test_attributes_of_self_are_followed_unless_given_from_outside():
    source = """
    class Fares:
        NS = "fare"

        def __init__(self, prefix, region):
            self.prefix = prefix
            self.bucket = f"{self.NS}:{region.code}"

        def load(self, fare_id):
            r.get(f"{self.NS}:{fare_id}")
            r.get(f"{self.bucket}:{fare_id}")
            r.get(f"{self.prefix}:{fare_id}")
    """
    model = _model(source)
    assert [[s.render(model.code) for s in model.key_shapes(op)] for op in model.ops] == [
        ["fare:{fare_id}"], ["fare:{region.code}:{fare_id}"], ["{self.prefix}:{fare_id}"],
    ]
    last = model.key_shapes(model.ops[2])[0].first
    assert (last.source, last.name) == (Source.ATTRIBUTE, "self.prefix")


def test_lists_of_keys_are_alternatives_and_tuples_are_composite_keys():
    source = """
    from django.core.cache import cache

    def f(pid, uid):
        cache.get_many([f"product:{pid}", f"{uid}:profile"])
        cache.get((uid, "profile"))
    """
    model = _model(source)
    assert [[s.render(model.code) for s in model.key_shapes(op)] for op in model.ops] == [
        ["product:{pid}", "{uid}:profile"], ["({uid}, 'profile')"],
    ]


def test_format_specs_are_recorded_on_the_part():
    source = """
    from datetime import datetime

    def f():
        r.get(f"day:{datetime.now():%Y-%m-%d}")
        r.get("week:{:%G-%V}".format(datetime.now()))
    """
    model = _model(source)
    assert [model.key_shapes(op)[0].dynamic[0].spec for op in model.ops] == ["%Y-%m-%d", "%G-%V"]
