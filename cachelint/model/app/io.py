"""Does a function do I/O that reads changing data (a DB query, an HTTP call, a socket)?

Memoising such a function in-process without expiry keeps its first answer for the
life of the process. Only what is recognisably I/O counts; an unknown call does not.
Local probes whose answer is fixed for the life of the process (reading a bundled file,
running `git --exec-path`) do not count, and neither does building a query (`Q`,
`select`) or quoting a name: only running one does. Making a client (`redis.Redis()`,
`boto3.client("s3")`, `httpx.Client()`) is not I/O either; calling one is.
"""
from __future__ import annotations

import libcst as cst

from cachelint.model.core.facts import FunctionInfo
from cachelint.model.core.nodes import children_with_whitespace
from cachelint.model.core.scopes import dotted, qualified_name

# Modules whose functions and objects talk to the outside world.
IO_MODULES = frozenset({
    "requests", "httpx", "urllib.request", "urllib3", "aiohttp", "socket",
    "sqlite3", "psycopg", "psycopg2", "pymysql", "MySQLdb", "asyncpg", "aiomysql", "aiosqlite",
    "boto3", "botocore", "pymongo", "motor", "elasticsearch", "smtplib", "ftplib", "http.client",
    "redis", "pymemcache", "grpc", "paramiko",
})
# Methods that run a query or read a result set, whatever the receiver.
IO_METHODS = frozenset({
    "execute", "executemany", "execute_sql", "fetchone", "fetchall", "fetchmany", "fetchrow",
    "fetchval", "urlopen", "raw", "scalars",
})
IO_SHORTCUTS = frozenset({
    "django.shortcuts.get_object_or_404", "django.shortcuts.get_list_or_404",
})
# Functions of those modules that only make a client, a session or a connection: what a
# memoised factory returns is an object to talk through, not data that goes stale. Classes
# (`httpx.Client`, `redis.Redis.from_url`) are told by their capital.
CLIENT_FACTORIES = frozenset({
    "client", "resource", "session", "connect", "from_url", "create_pool", "get_session",
    "insecure_channel", "secure_channel",
})
# Methods of a client that set it up rather than talk to the server.
_SETUP_METHODS = frozenset({"mount", "close", "pipeline", "lock", "register_script", "set_missing_host_key_policy"})
_DEPTH = 4
_LAST = 1 << 62  # an order after every binding: what a use inside a function may see


def _io_module(qualified: str) -> bool:
    return any(qualified == module or qualified.startswith(module + ".") for module in IO_MODULES)


def _makes_client(qualified: str) -> bool:
    parts = qualified.split(".")
    return parts[-1] in CLIENT_FACTORIES or any(part[:1].isupper() for part in parts[-2:])


def _client(expr: cst.BaseExpression, scope, functions: dict[str, FunctionInfo], depth: int = 0) -> bool:
    """Whether `expr` is a client of an I/O module: made there (`boto3.client("s3")`), bound
    to one (`S3 = boto3.client("s3")`), or returned by a module function (`s3()`)."""
    if depth > _DEPTH:
        return False
    if isinstance(expr, cst.Call):
        qualified = qualified_name(expr.func, scope, _LAST)
        if qualified is not None and _io_module(qualified):
            return _makes_client(qualified)
        callee = functions.get(expr.func.value) if isinstance(expr.func, cst.Name) else None
        return callee is not None and any(
            r.value is not None and _client(r.value, callee.scope, functions, depth + 1) for r in callee.returns
        )
    if isinstance(expr, cst.Name):
        return any(
            binding.kind in ("assign", "with") and isinstance(binding.value, cst.BaseExpression)
            and _client(binding.value, binding.scope, functions, depth + 1)
            for binding in scope.lookup(expr.value, _LAST)
        )
    return False


def _calls_io(call: cst.Call, info: FunctionInfo, order: int, functions: dict[str, FunctionInfo]) -> bool | str:
    """True for a recognised I/O call; the callee's name for a call to a local function."""
    func = call.func
    qualified = qualified_name(func, info.scope, order)
    if qualified is not None and (qualified in IO_SHORTCUTS or (_io_module(qualified) and not _makes_client(qualified))):
        return True
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        if func.attr.value in IO_METHODS:
            return True
        if func.attr.value not in _SETUP_METHODS and _client(func.value, info.scope, functions):
            return True  # `S3.list_objects_v2(...)`, `session.get(url)`, `r.hgetall(key)`
        text = dotted(func) or ""
        parts = text.split(".")
        # Django ORM: Model.objects.filter(...), and SQLAlchemy session.query(...)
        if "objects" in parts[:-1] or (func.attr.value == "query" and parts[-2:-1] and parts[-2].endswith("session")):
            return True
        # Flask-SQLAlchemy: Model.query.get(...)
        if len(parts) > 2 and parts[1] == "query" and parts[0][:1].isupper():
            return True
    return False


def function_does_io(info: FunctionInfo, functions_by_name: dict[str, FunctionInfo], _seen=None) -> bool:
    """True when the function, or a module-level function it calls, does recognisable I/O."""
    if info.does_io is not None:
        return info.does_io
    seen = _seen if _seen is not None else set()
    seen.add(info.node)
    result = False
    order = 1 << 62
    for call in info.calls:
        verdict = _calls_io(call, info, order, functions_by_name)
        if verdict is True:
            result = True
            break
        callee = functions_by_name.get(verdict) if isinstance(verdict, str) else None
        if callee is not None and callee.node not in seen and function_does_io(callee, functions_by_name, seen):
            result = True
            break
    info.does_io = result
    return result


def holds_io_result(expr: cst.BaseExpression, info: FunctionInfo, functions_by_name: dict[str, FunctionInfo]) -> bool:
    """Whether the value of `expr`, in the function `info`, is what recognisable I/O
    returned: a call in it is I/O (or a module function that does I/O), or a name in it
    was assigned such a value (followed one assignment back, as a reader would):
    `{c: e for c, e in rows}` after `rows = db.execute("SELECT …").fetchall()`."""
    pending: list[tuple[cst.CSTNode, int]] = [(expr, 0)]
    seen = 0
    while pending and seen < 200:
        node, hops = pending.pop()
        seen += 1
        if isinstance(node, cst.Call):
            verdict = _calls_io(node, info, _LAST, functions_by_name)
            callee = functions_by_name.get(verdict) if isinstance(verdict, str) else None
            if verdict is True or (callee is not None and function_does_io(callee, functions_by_name)):
                return True
        elif isinstance(node, cst.Name) and hops < 2:
            for binding in info.scope.bindings.get(node.value, ()):
                if binding.kind in ("assign", "for", "with") and isinstance(binding.value, cst.BaseExpression):
                    pending.append((binding.value, hops + 1))
        elif isinstance(node, (cst.Lambda, cst.FunctionDef)):
            continue
        # Whitespace and comments count towards the 200 nodes looked at (they always have).
        pending += [(child, hops) for child in children_with_whitespace(node)]
    return False
