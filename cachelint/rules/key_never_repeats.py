"""CL011 key-never-repeats: a key built from the clock, a random number or a fresh uuid."""
from __future__ import annotations

from collections.abc import Iterator, Sequence

import libcst as cst

from cachelint.model import (
    CLOCK_READINGS,
    CacheOp,
    KeyShape,
    ModuleModel,
    Part,
    Scope,
    Step,
    children,
    describe_key,
    dotted,
    named_keys,
    qualified_name,
)
from cachelint.rules.base import Finding, Rule, RuleContext

# Calls whose every result is new: the current time to the (micro)second, a fresh uuid,
# random bytes and numbers.
_NEVER_REPEATS = {*CLOCK_READINGS, "uuid.uuid1", "uuid.uuid4", "os.urandom"}
_RANDOM_MODULES = ("random.", "secrets.")
# Random picks from a fixed set repeat: `random.choice(REPLICAS)`, `randint(0, 4)` spreading a hot key.
_RANDOM_PICKS = {"random.choice", "secrets.choice", "random.randint", "random.randrange", "secrets.randbelow"}
# `id(obj)` never repeats across processes; a cache private to the process may key on it.
_ID = "id"
# Conversions and methods that keep a never-repeating value never-repeating.
_PASS_THROUGH = {"str", "repr", "format", "float", "bytes"}
_PASS_THROUGH_METHODS = {
    "isoformat", "timestamp", "hex", "hexdigest", "digest", "encode", "decode", "ctime", "astimezone",
    "lower", "upper", "strip",
}
_PASS_THROUGH_ATTRIBUTES = {"hex", "int", "urn", "bytes", "timestamp"}
# Truncations that make a time bucket of what they are given.
_BUCKETS = {"int", "round", "math.floor", "math.ceil", "math.trunc"}
_HASHES = ("hashlib.",)
_MAX_DEPTH = 8
_LOGGERS = {"log", "logger", "logging", "LOG", "LOGGER", "_log", "_logger"}


class KeyNeverRepeats(Rule):
    """
    ## What it does
    Flags a cache key that contains the current time (`time.time()`, `datetime.now()`,
    `utcnow()`, Django's `timezone.now()`), a fresh uuid (`uuid4()`, `uuid1()`), a random
    value (`random.*`, `secrets.*`, `os.urandom`) or, for caches shared between
    processes, `id(obj)`. The key is resolved as for CL003: through local variables,
    f-strings, `%`, `.format`, `+` and key builders of the same module. Every cache call
    that uses the key is reported: reads, writes and deletes.

    Not flagged: a time bucket, which repeats until the next bucket
    (`int(time.time() // 60)`, `round(...)`, `now.strftime("%Y-%m-%d")`,
    `date.today().isoformat()`, `now.date()`); a random pick from a fixed set that
    spreads a hot key over replicas (`random.randint(0, 4)`, `random.choice(SHARDS)`);
    and a value that leaves the function (returned, stored, passed to another call) so
    that a client can come back with it, such as a one-time token sent by mail.

    ## Why is this bad?
    A key that is different on every call is never read again: every request misses,
    does the slow work anyway, and writes one more entry that only fills memory until
    it expires (or, without a TTL, until the server evicts something useful).

    ## Example
    ```python
    def page_strip(doc_id):
        key = f"strip:{doc_id}:{datetime.now().timestamp()}"
        strip = cache.get(key)
        if strip is None:
            strip = render_strip(doc_id)
            cache.set(key, strip, 900)
        return strip
    ```

    ## Use instead
    ```python
    def page_strip(doc_id):
        key = f"strip:{doc_id}"  # or a bucket: f"strip:{doc_id}:{int(time.time() // 900)}"
        strip = cache.get(key)
        if strip is None:
            strip = render_strip(doc_id)
            cache.set(key, strip, 900)
        return strip
    ```
    Let the TTL decide how long an entry lives; put in the key only what selects it.
    """

    code = "CL011"
    name = "key-never-repeats"
    summary = "A cache key built from the time, a random value or a fresh uuid is never hit."

    VALID = [
        # Time buckets repeat until the next bucket.
        """
        import time
        from datetime import date, datetime

        import redis

        r = redis.Redis()

        def rates(base):
            bucket = int(time.time() // 60)
            r.get(f"rates:{base}:{bucket}")
            r.get(f"rates:{base}:{round(time.time() / 300)}")
            r.get(f"report:{date.today().isoformat()}")
            r.get(f"daily:{datetime.now().strftime('%Y-%m-%d')}")
            r.get(f"hourly:{datetime.utcnow().date()}")
            r.get(f"minute:{datetime.now():%Y%m%d%H%M}")
            r.get("week:{:%G-%V}".format(datetime.now()))
        """,
        # A value that leaves the function: the client comes back with it.
        """
        import secrets
        import uuid

        from django.core.cache import cache

        def start_upload(data):
            upload_id = str(uuid.uuid4())
            cache.set(f"upload:{upload_id}", data, 3600)
            return upload_id

        def send_code(user):
            code = secrets.token_hex(3)
            cache.set(f"otp:{user.pk}:{code}", 1, 300)
            send_sms(user.phone, code)

        def new_session(user_id):
            key = f"session:{uuid.uuid4().hex}"
            cache.set(key, user_id, 86400)
            return key
        """,
        # A random pick from a fixed set spreads a hot key; id() in a process-local cache.
        """
        import random

        import redis

        r = redis.Redis()
        _cache = {}

        def feed():
            return r.get(f"feed:{random.randint(0, 4)}")

        def compiled(pattern):
            if id(pattern) not in _cache:
                _cache[id(pattern)] = compile_pattern(pattern)
            return _cache[id(pattern)]
        """,
    ]

    INVALID = [
        """
        import time
        import uuid
        from datetime import datetime

        import redis

        r = redis.Redis()

        def page_strip(doc_id):
            key = f"strip:{doc_id}:{datetime.now().timestamp()}"
            strip = r.get(key)  # expect: CL011
            if strip is None:
                strip = render_strip(doc_id)
                r.set(key, strip, ex=900)  # expect: CL011
            return strip

        def draft(doc_id, html):
            r.set(f"draft:{doc_id}:{uuid.uuid4()}", html, ex=600)  # expect: CL011

        def completion(prompt):
            stamp = time.time()
            return r.get("completion:%s:%s" % (prompt, stamp))  # expect: CL011
        """,
        # Through imports under other names, and a key builder of the module.
        """
        import random as rnd
        import time as t
        from uuid import uuid4

        from django.core.cache import cache

        def spotlight_key():
            return f"spotlight:{rnd.random()}"

        def spotlight():
            return cache.get(spotlight_key())  # expect: CL011

        def preview(doc_id):
            cache.delete(f"preview:{doc_id}:{uuid4().hex}")  # expect: CL011
            cache.get(f"preview:{doc_id}:{t.time()}")  # expect: CL011

        def widget(obj):
            return cache.get(f"widget:{id(obj)}")  # expect: CL011

        def nonce(doc_id):
            cache.get(f"n:{doc_id}:{int(t.time() * 1000)}")  # expect: CL011
            cache.get(f"n:{doc_id}:{str(uuid4())[:8]}")  # expect: CL011
            cache.get("n:" + "".join(rnd.choice("abcdef") for _ in range(8)))  # expect: CL011
        """,
        # Kept in the entry it keys, or logged: no client can come back with it.
        """
        import logging
        import uuid

        import redis

        r = redis.Redis()
        log = logging.getLogger(__name__)

        def queue(doc_id):
            job_id = uuid.uuid4().hex
            r.set(f"job:{job_id}", doc_id, ex=60)  # expect: CL011
            r.hset(f"job:{job_id}:meta", "id", job_id)  # expect: CL011
            log.info("queued %s", job_id)
        """,
        # Asking a dict cache whether it holds the key does not hand the key on.
        """
        import time

        _render_cache = {}

        def render(page_id):
            key = (page_id, time.time())
            if key not in _render_cache:
                _render_cache[key] = build_page(page_id)  # expect: CL011
            return _render_cache[key]  # expect: CL011
        """,
        # One key of several, in a mapping stored at once.
        """
        import time

        import redis

        r = redis.Redis()

        def record(product):
            r.msetnx({f"product:{product.id}": product.name, f"seen:{time.time()}": 1})  # expect: CL011
        """,
    ]

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        for op in model.ops:
            found = next(
                ((key, shape, call) for key in named_keys(op) for shape in model.keys.of(key, op.scope)
                 for part in shape.dynamic if (call := _never_repeating(model, op, part)) is not None),
                None,
            )
            if found is not None:
                yield Finding(op.node, op.statement, _message(model, *found))


def _never_repeating(model: ModuleModel, op: CacheOp, part: Part) -> cst.Call | None:
    """The call in `part` whose value is new every time, when that value stays in the function."""
    if part.node is None or part.scope is None or not isinstance(part.node, cst.BaseExpression):
        return None
    if "%" in part.spec:  # f"{now:%Y-%m-%d}": formatted to a date or time bucket
        return None
    search = _Search(model, op, list(part.via))
    call = search.value(part.node, part.scope)
    if call is None or _stored_on_an_object(search.steps) or _leaves(model, op, search.steps):
        return None
    return call


def _stored_on_an_object(steps: list[Step]) -> bool:
    """`self.started = time.time()`: the value lives as long as the object, not one call."""
    return any("." in step.name for step in steps)


class _Search:
    """Looks for the never-repeating call a value comes from, following variables (each
    one followed is added to `steps`)."""

    def __init__(self, model: ModuleModel, op: CacheOp, steps: list[Step]) -> None:
        self.model = model
        self.op = op
        self.steps = steps

    def value(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0, repeated: bool = False):
        """`repeated`: inside a comprehension, where a pick from a small set is made many times."""
        if depth > _MAX_DEPTH:
            return None
        depth += 1
        if isinstance(expr, cst.Call):
            return self._call(expr, scope, depth, repeated)
        if isinstance(expr, cst.Name):
            for step in self.model.reaching.values_of(expr, scope):
                if step.value is not None and (found := self.value(step.value, step.scope, depth)) is not None:
                    self.steps.append(step)
                    return found
            return None
        if isinstance(expr, cst.Attribute):  # uuid4().hex; now.year, now.hour are buckets
            return self.value(expr.value, scope, depth) if expr.attr.value in _PASS_THROUGH_ATTRIBUTES else None
        if isinstance(expr, cst.Subscript):  # str(uuid4())[:8]
            return self.value(expr.value, scope, depth)
        if isinstance(expr, cst.BinaryOperation):
            if isinstance(expr.operator, (cst.FloorDivide, cst.Modulo)):
                return None  # time.time() // 60: a bucket
            return self.value(expr.left, scope, depth) or self.value(expr.right, scope, depth)
        if isinstance(expr, (cst.GeneratorExp, cst.ListComp)):
            return self.value(expr.elt, scope, depth, repeated=True)
        if isinstance(expr, cst.FormattedString):
            pieces = [p.expression for p in expr.parts if isinstance(p, cst.FormattedStringExpression)]
            return next((found for e in pieces if (found := self.value(e, scope, depth)) is not None), None)
        return None

    def _call(self, call: cst.Call, scope: Scope, depth: int, repeated: bool):
        func = call.func
        position = self.model.spans.start(call)
        name = qualified_name(func, scope, position)
        if name is None and isinstance(func, cst.Name) and not scope.lookup(func.value, position):
            name = func.value  # a builtin
        if name is not None:
            if name in _NEVER_REPEATS:
                return call
            if name.startswith(_RANDOM_MODULES):
                return None if name in _RANDOM_PICKS and _small_pick(call) and not repeated else call
            if name == _ID:
                return None if self.op.library.in_process else call
            if name in _PASS_THROUGH or name.startswith(_HASHES):
                return self._first_argument(call, scope, depth)
            if name in _BUCKETS:  # int(time.time() // 60); but int(time.time() * 1000) is finer
                argument = call.args[0].value if call.args else None
                scaled = isinstance(argument, cst.BinaryOperation) and isinstance(argument.operator, cst.Multiply)
                return self._first_argument(call, scope, depth) if scaled else None
            return None  # anything else: unknown
        if isinstance(func, cst.Attribute):
            if func.attr.value in _PASS_THROUGH_METHODS:
                return self.value(func.value, scope, depth)
            if func.attr.value == "join":  # "".join(random.choice(ALPHABET) for _ in range(8))
                return self._first_argument(call, scope, depth)
        return None  # strftime, date, replace(second=0): a bucket; other methods: unknown

    def _first_argument(self, call: cst.Call, scope: Scope, depth: int):
        if not call.args or call.args[0].star:
            return None
        return self.value(call.args[0].value, scope, depth)


def _small_pick(call: cst.Call) -> bool:
    """`randint(0, 4)`, `choice(SHARDS)`: a pick among few values, which repeat."""
    numbers = [a.value for a in call.args if isinstance(a.value, cst.Integer)]
    if len(numbers) != len(call.args):
        return not numbers  # choice(collection): a pick from a set
    return all(number.evaluated_value <= 1000 for number in numbers)


def _leaves(model: ModuleModel, op: CacheOp, steps: list[Step]) -> bool:
    """A variable the value passed through is used in the function other than in cache
    calls keyed by it, in building the key and in logging: returned, stored, passed on.
    A client can come back with the value, so the key does repeat."""
    function, definition = op.scope.function, op.scope.function_def
    names = {step.name for step in steps if step.scope is op.scope}
    if function is None or definition is None or not names:
        return False
    ops = [o for o in model.ops if o.scope.function is function]
    # Uses in cache calls keyed by the value itself do not count: stored there, it is still lost.
    lost: list[cst.CSTNode] = [o.node for o in ops if any(name.value in names for name in _reads(named_keys(o), None))]
    lost += _membership_tests(model, function, definition)
    ignored = set(_reads(lost + [step.value for step in steps if step.value is not None], None))
    return any(use not in ignored for use in _reads([definition.body], names))


def _membership_tests(model: ModuleModel, function: Scope, definition: cst.FunctionDef) -> list[cst.CSTNode]:
    """`key in CACHE`, `key not in cache` in the function `definition` (whose scope is
    `function`): asking a cache about a key does not hand it on."""
    found: list[cst.CSTNode] = []
    stack: list[cst.CSTNode] = [definition.body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Comparison) and any(
            isinstance(target.operator, (cst.In, cst.NotIn))
            and model.client_of(target.comparator, function, model.spans.start(node)) is not None
            for target in node.comparisons
        ):
            found.append(node)
        stack.extend(children(node))
    return found


def _reads(roots: Sequence[cst.CSTNode], names: set[str] | None) -> list[cst.Name]:
    """Names read (not assigned) in the subtrees of `roots`; only those in `names` unless it is None."""
    found: list[cst.Name] = []
    stack = list(roots)
    while stack:
        node = stack.pop()
        if type(node) is cst.AssignTarget or (type(node) is cst.Call and _logs(node)):
            continue
        if type(node) is cst.Name and (names is None or node.value in names):
            found.append(node)
        stack.extend(children(node))
    return found


def _logs(call: cst.Call) -> bool:
    """Logging a value does not hand it to anyone who could come back with it."""
    name = dotted(call.func) or ""
    return name == "print" or any(part in _LOGGERS for part in name.split(".")[:-1])


def _message(model: ModuleModel, key: cst.BaseExpression, shape: KeyShape, call: cst.Call) -> str:
    value = " ".join(model.code(call).split())
    return (f"key {describe_key(model.code, key, shape)} contains `{value}`, which is new on every call: "
            f"the entry is never read again and every request misses; leave it out of the key (a time bucket "
            f"if entries must change over time) and let the TTL expire them")
