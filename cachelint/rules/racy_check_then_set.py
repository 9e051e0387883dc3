"""CL014 racy-check-then-set: a "do it once" marker read, and then set by a separate write."""
from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from cachelint.model import CacheOp, Guard, Kind, Match, ModuleModel, words
from cachelint.rules.base import Finding, FixSuggestion, Replacement, Rule, RuleContext

# Words a "do it once" key is named with: locks and running jobs, seen and replayed
# messages, things sent or done once, rate limits and minimum intervals.
_MARKER_WORDS = frozenset({
    "lock", "locked", "mutex", "semaphore", "running", "busy", "inflight", "pending", "claim", "claimed",
    "seen", "replay", "nonce", "once", "dedup", "dedupe", "duplicate", "idempotency", "processed", "handled",
    "done", "used", "redeemed", "consumed", "imported", "event", "webhook", "jti", "assertion",
    "sent", "send", "sending", "resent", "resend", "notify", "notified", "notification", "reminder", "reminded", "mail", "email",
    "welcome", "digest", "alert", "throttle", "throttled", "ratelimit", "rate", "limit", "cooldown", "last",
    "attempt", "try", "tries", "retry", "backoff", "job", "task",
})


class RacyCheckThenSet(Rule):
    """
    ## What it does
    Flags a cache write that sets a "do it once" marker (a lock, a replay or duplicate
    marker, a rate-limit or "sent already" flag) after a separate read of the same key
    decided whether to go on: `if cache.get(k): return` … `cache.set(k, True, 60)`.
    A marker is a constant, the time or a random token; the branch a hit takes only
    skips, it does not use the value read.

    ## Why is this bad?
    Between the read and the write, another request, worker or thread can do the same
    read. Both see the marker missing, both set it, and both go on: the lock locks
    nothing, the one-time token is accepted twice, the e-mail goes out twice, the
    rate limit lets a burst through. The window is as wide as the code between the read
    and the write, and under load it is hit.

    A count kept the same way is a rate limit too: read, compared with a limit by a test
    that ends the call, and written back plus one (`n = cache.get(k) or 0`, `if n >= 5:
    raise ...`, `cache.set(k, n + 1, 60)`, or a field of a decoded entry,
    `data["attempts"] + 1`): two callers read the same count, both pass, and the count
    goes up by one for the two. Count with `incr`, and compare what it returns.

    Reported when the key (or the count) names what the marker is for (a lock, a running job, a seen
    event or message, something sent or done once, a rate limit, attempts or last time). Not
    reported: a cache-aside fill (the hit returns the value read, the miss stores
    data), a flag that only throttles a check of its own (a race costs a second check),
    the atomic forms (`add`, `setnx`, `set(..., nx=True)`), reads in a pipeline or
    transaction.

    ## Example
    ```python
    from django.core.cache import cache

    def redeem(token):
        if cache.get(f"redeemed:{token}"):
            return False
        cache.set(f"redeemed:{token}", True, 3600)
        grant_credit(token)
        return True
    ```

    ## Use instead
    ```python
    from django.core.cache import cache

    def redeem(token):
        if not cache.add(f"redeemed:{token}", True, 3600):
            return False
        grant_credit(token)
        return True
    ```
    With redis-py: `if not r.set(key, 1, nx=True, ex=3600): return False`.

    ## Fix safety
    When the read is tested alone, the `if` only returns, and the write follows it
    directly, the fix replaces both with `if not cache.add(k, v, ttl): return`
    (redis: `set(k, v, ..., nx=True)`). It is unsafe: the call now sets the marker
    only when it was absent, which is the point, but callers that relied on the old
    write refreshing its TTL see a change.
    """

    code = "CL014"
    name = "racy-check-then-set"
    summary = "A do-once marker read and then set by a separate write: concurrent callers both pass."
    fix_availability = "sometimes"

    VALID = [
        # The atomic forms, acted on.
        """
        import redis
        from django.core.cache import cache

        r = redis.Redis()

        def send_digest(user_id):
            if not r.set(f"digest:sent:{user_id}", 1, nx=True, ex=86400):
                return
            deliver_digest(user_id)

        def confirm(order_id):
            if not cache.add(f"confirmation:{order_id}", True, 3600):
                return False
            send_confirmation(order_id)
            return True
        """,
        # A cache-aside fill: the hit uses the value, the miss stores data.
        """
        from django.core.cache import cache

        def rates(currency):
            cached = cache.get(f"rates:{currency}")
            if cached is not None:
                return cached
            cached = load_rates(currency)
            cache.set(f"rates:{currency}", cached, 600)
            return cached
        """,
        # A check of one key, a write of another: not the same marker.
        """
        from django.core.cache import cache

        def reset(token, ip):
            if cache.get(f"reset:{token}") is None:
                cache.set(f"reset-fail:{ip}", 1, 300)
                return False
            return True
        """,
        # A flag read that decides nothing about the write.
        """
        from django.core.cache import cache

        def banner():
            if cache.get("maintenance"):
                show_banner()
            cache.set("banner:last-render", "ok", 60)
        """,
        # Inside a pipeline (a WATCH transaction): the server runs it atomically.
        """
        import redis

        r = redis.Redis()

        def claim(job_id):
            def attempt(pipe):
                if pipe.get(f"job:{job_id}:owner"):
                    return False
                pipe.multi()
                pipe.set(f"job:{job_id}:owner", "me", ex=60)
                return True
            return r.transaction(attempt, f"job:{job_id}:owner")
        """,
    ]

    INVALID = [
        """
        from django.core.cache import cache

        def accept_assertion(assertion_id, payload):
            if cache.get(f"saml:seen:{assertion_id}"):
                raise ValueError("replayed")
            cache.set(f"saml:seen:{assertion_id}", True, 300)  # expect: CL014
            return login(payload)

        def notify(thread_id, user_id):
            key = "notify:%d:%d" % (thread_id, user_id)
            if cache.get(key) is not None:
                return
            cache.set(key, 1, 600)  # expect: CL014
            send_notification(thread_id, user_id)
        """,
        # A lock with a token, a minimum interval with the time.
        """
        import time
        import uuid

        import redis

        r = redis.Redis()

        def run_report(name):
            if r.exists(f"lock:report:{name}"):
                return "busy"
            r.set(f"lock:report:{name}", str(uuid.uuid4()), ex=600)  # expect: CL014
            try:
                return build_report(name)
            finally:
                r.delete(f"lock:report:{name}")

        def ping(host):
            last = r.get(f"ping:last:{host}")
            if last is not None and time.time() - float(last) < 30:
                return False
            r.set(f"ping:last:{host}", time.time(), ex=30)  # expect: CL014
            return send_ping(host)
        """,
        # The write in the miss branch; a loop that skips what was seen.
        """
        from flask_caching import Cache

        cache = Cache()

        def remind(invoice_id):
            if not cache.get(f"reminder:{invoice_id}"):
                cache.set(f"reminder:{invoice_id}", "sent", timeout=86400)  # expect: CL014
                send_reminder(invoice_id)

        def import_rows(rows):
            for row in rows:
                if cache.get(f"imported:{row.id}"):
                    continue
                cache.set(f"imported:{row.id}", 1, timeout=3600)  # expect: CL014
                save(row)
        """,
        # A count of tries read, tested against the limit, and written back plus one.
        """
        import json

        import redis

        r = redis.Redis()

        def send_code(phone):
            tries = int(r.get(f"sms-tries:{phone}") or 0)
            if tries >= 3:
                raise PermissionError("try again later")
            r.set(f"sms-tries:{phone}", tries + 1, ex=900)  # expect: CL014
            deliver_code(phone)

        def issue_token(email):
            stored = r.get(f"signin:{email}")
            state = json.loads(stored) if stored else {"attempts": 0}
            if state["attempts"] > 4:
                return None
            state = {"attempts": state["attempts"] + 1, "token": make_token()}
            r.set(f"signin:{email}", json.dumps(state), ex=600)  # expect: CL014
            return state["token"]
        """,
    ]

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        reported: set[CacheOp] = set()  # one finding per check: its first marker write
        for guard in sorted(model.guards.all, key=lambda guard: guard.write.order):
            write, read = guard.write, guard.read
            if read in reported or write in reported or not _sets_marker(model, guard):
                continue
            reported.update((read, write))
            atomic = _atomic(write)
            instead = (f"set it atomically with `{atomic}` and act on its result" if atomic
                       else "use an operation the server does atomically")
            message = (
                f"`{_call(model, read)}` decides, then `{_call(model, write)}` sets the marker "
                f"({guard.mark}) in a separate step: two concurrent callers both find it absent and both go on; "
                f"{instead}"
            )
            yield Finding(write.node, write.statement, message, _fix(model, guard))
        for count in model.guards.counts:
            read, write = count.read, count.write
            if read in reported or write in reported or write.key is None \
                    or model.key_match(read, write).match is not Match.SAME \
                    or not (_names_a_marker(model, write, write.key) or _marker_words(count.counted)):
                continue
            reported.update((read, write))
            own = " under a key of its own" if "[" in count.counted else ""
            counter = next((name for name in ("incr", "inc") if name in write.library.methods), None)
            instead = (f"keep the count{own} with `{counter}(…)` (the key made first with its expiry) and compare "
                       "what it returns" if counter else "count with an operation the server does atomically")
            message = (
                f"`{_call(model, read)}` reads the count `{count.counted}`, a test against a limit decides, then "
                f"`{_call(model, write)}` stores it plus one in a separate step: two concurrent callers both read "
                f"the same count, both pass the limit, and it goes up by one for both; {instead}"
            )
            yield Finding(write.node, write.statement, message)


def _sets_marker(model: ModuleModel, guard: Guard) -> bool:
    write = guard.write
    return (guard.mark is not None and not guard.hit_uses_value and not write.only_if_absent
            and write.key is not None and model.key_match(guard.read, write).match is Match.SAME
            and _names_a_marker(model, write, write.key))


def _names_a_marker(model: ModuleModel, write: CacheOp, key: cst.BaseExpression) -> bool:
    """The key says what the marker is for (`lock:`, `seen`, `sent`, `last`, a `lock_name`
    part): a flag that only throttles a check of its own (`config-check:{pk}`) costs a
    second check when it races, and is not reported."""
    found: set[str] = set(words(model.code(key)))
    for shape in model.key_shapes(write):
        for part in shape.parts:
            found.update(words(part.text if part.is_constant else part.name))
            found.update(word for step in part.via for word in words(step.name))
    return _marker_words(*found)


def _marker_words(*texts: str) -> bool:
    return any(word in _MARKER_WORDS or word.rstrip("s") in _MARKER_WORDS for text in texts for word in words(text))


def _call(model: ModuleModel, op: CacheOp) -> str:
    if isinstance(op.node, cst.Call):
        return f"{model.code(op.node.func)}(…)"
    return f"{model.code(op.node.value)}[…]"


def _atomic(write: CacheOp) -> str | None:
    """How this client spells the atomic "store if absent" of `write`, or None."""
    methods = write.library.methods
    add = methods.get("add")
    if add is not None and add.if_absent and add.kind is Kind.WRITE:
        return "add(key, value, ttl)"
    setter = methods.get("set")
    if setter is not None and setter.if_absent_flag is not None:
        return f"set(key, value, {setter.if_absent_flag.name}=True, …)"
    return None


def _fix(model: ModuleModel, guard: Guard) -> FixSuggestion | None:
    """`if cache.get(k): return` + `cache.set(k, v, t)` -> `if not cache.add(k, v, t): return`."""
    decision, write, read = guard.decision, guard.write, guard.read
    call = write.call
    if call is None or read.call is None or guard.holder is not None or decision.orelse is not None:
        return None
    if write.library.methods.get(write.method) is not write.spec:
        return None  # a project wrapper (`remember(k, v, t)`): the atomic form is the client's
    test = decision.test
    if _strip_await(test) is not read.node or not isinstance(call.func, cst.Attribute):
        return None  # only `if cache.get(k):`, tested alone and not awaited
    body = decision.body.body
    if not (len(body) == 1 and isinstance(body[0], cst.SimpleStatementLine) and len(body[0].body) == 1
            and isinstance(body[0].body[0], cst.Return) and body[0].body[0].value is None):
        return None
    statement = write.statement
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr) and statement.body[0].value is call):
        return None
    if not _follows(model, decision, statement):
        return None
    receiver = model.code(call.func.value)
    arguments = ", ".join(model.code(arg).rstrip(", ") for arg in call.args)
    if write.library.methods.get("add") is not None and write.library.methods["add"].if_absent and write.method == "set":
        new_call = f"{receiver}.add({arguments})"
    elif write.spec.if_absent_flag is not None:
        new_call = f"{receiver}.{write.method}({arguments}, {write.spec.if_absent_flag.name}=True)"
    else:
        return None
    indent = _indent(model, decision)
    code = f"if not {new_call}:\n{indent}    return"
    return FixSuggestion(f"Set the marker with `{new_call}`", (Replacement(decision, code, through=statement),))


def _follows(model: ModuleModel, first: cst.CSTNode, second: cst.CSTNode) -> bool:
    """`second` is the statement right after `first` in the same block."""
    between = model.source[model.spans.start(first) + model.spans[first].length:model.spans.start(second)]
    return not between.strip()


def _indent(model: ModuleModel, node: cst.CSTNode) -> str:
    start = model.spans.start(node)
    line_start = model.source.rfind(b"\n", 0, start) + 1
    return model.source[line_start:start].decode()


def _strip_await(expr: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(expr, cst.Await):
        expr = expr.expression
    return expr
