"""The wrappers put on each cache library and database layer while the plugin observes.

Cache clients are wrapped where their methods are defined (redis-py's `Redis` and
valkey-py's `Valkey`, sync and asyncio, with their pipelines; the memcache clients;
diskcache; every subclass of Django's and cachelib's `BaseCache`, those defined later
included), so that every factory, wrapper and injected instance of the project is seen. A wrapper calls the original with
the same arguments and hands back its result or exception untouched; only the outermost
observed call of a thread is recorded (a backend's `get_or_set` calling its own `get`
is one call). Each probe installs once its library is imported, and `uninstall` puts
every original back.
"""
from __future__ import annotations

import functools
import inspect
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from cachelint.model.libraries.cachelib import CACHELIB, FLASK_CACHING
from cachelint.model.libraries.diskcache import DISKCACHE
from cachelint.model.libraries.django import DJANGO
from cachelint.model.libraries.memcache import PYLIBMC, PYMEMCACHE, PYTHON_MEMCACHED
from cachelint.model.libraries.redis import REDIS, VALKEY
from cachelint.model.spec import Kind, Library, Method
from cachelint.observe import ttl, users
from cachelint.observe.observer import Call, Observer, key_text

_OBSERVED_KINDS = (Kind.READ, Kind.WRITE, Kind.DELETE, Kind.EXPIRE, Kind.KEYS)


class _Depth(threading.local):
    inside = False


_depth = _Depth()


def _keys(method: Method, args: tuple, kwargs: dict[str, Any]) -> tuple[str, ...]:
    if method.kind is Kind.KEYS:
        pattern = ttl.argument(method.pattern, args, kwargs) if method.pattern else ttl.OMITTED
        return () if pattern is ttl.OMITTED else (key_text(pattern),)
    if method.key is None:  # set_many(mapping), mset(mapping)
        mapping = ttl.argument(method.value, args, kwargs) if method.value else ttl.OMITTED
        keys = tuple(key_text(key) for key in mapping) if isinstance(mapping, dict) else ()
    elif method.variadic_keys:
        keys = tuple(key_text(key) for key in args)
    else:
        key = ttl.argument(method.key, args, kwargs)
        if key is ttl.OMITTED:
            return ()
        keys = tuple(key_text(item) for item in key) if isinstance(key, (list, tuple, set)) else (key_text(key),)
    if method.key_prefix:  # python-memcached's `get_multi(keys, key_prefix="product:")`
        prefix = ttl.argument(method.key_prefix, args, kwargs)
        if prefix is not ttl.OMITTED and prefix:
            keys = tuple(key_text(prefix) + key for key in keys)
    return keys


class _Site:
    """One wrapped method of one library: what each call's report needs of its table entry,
    looked up once when it is wrapped rather than at every call."""

    def __init__(self, library: Library, name: str, method: Method, observer: Observer,
                 default_timeout: Callable[[Any], Any], pipelines: tuple[type, ...]) -> None:
        self.library, self.label, self.name, self.method = library, library.label, name, method
        self.observer, self.default_timeout, self.pipelines = observer, default_timeout, pipelines
        self.read = method.kind is Kind.READ
        self.timed = method.kind is Kind.WRITE and bool(method.ttl)
        # The common key: one argument, by position or name.
        plain = method.key is not None and method.kind is not Kind.KEYS \
            and not method.variadic_keys and not method.key_prefix
        self.key = method.key if plain else None
        self._queued: dict[type, bool] = {}

    def queued(self, client: Any) -> bool:
        """Whether `client` is a pipeline, which queues the command and returns itself."""
        if not self.pipelines:
            return False
        cls = type(client)
        known = self._queued.get(cls)
        if known is None:  # isinstance on redis-py's classes goes through typing.Protocol: slow
            known = self._queued[cls] = issubclass(cls, self.pipelines)
        return known

    def keys(self, args: tuple, kwargs: dict[str, Any]) -> tuple[str, ...]:
        key = self.key
        if key is None:
            return _keys(self.method, args, kwargs)
        found = args[key.position] if key.position is not None and key.position < len(args) \
            else kwargs.get(key.name, ttl.OMITTED) if key.name is not None else ttl.OMITTED
        if found is ttl.OMITTED:
            return ()
        if isinstance(found, (list, tuple, set)):
            return tuple(key_text(item) for item in found)
        return (key_text(found),)

    def report(self, client: Any, args: tuple, kwargs: dict[str, Any], result: Any, elapsed: int) -> None:
        method = self.method
        if self.read and self.queued(client):  # a pipeline returns itself, not the value
            return
        meaning, passed = (None, None)
        if self.timed:
            meaning, passed = ttl.meaning(self.library, method, args, kwargs, self.default_timeout(client))
        miss = False
        if method.single_value:
            default = ttl.argument(method.default, args, kwargs) if method.default else ttl.OMITTED
            miss = result is (None if default is ttl.OMITTED else default)
        value = ttl.argument(method.value, args, kwargs) if method.value else ttl.OMITTED
        self.observer.cache_call(Call(
            library=self.label, method=self.name, kind=method.kind, keys=self.keys(args, kwargs),
            value=None if value is ttl.OMITTED else value, result=result, miss=miss,
            meaning=meaning, ttl=passed, elapsed_ns=elapsed,
        ))


def observed(original: Callable, site: _Site, asynchronous: bool) -> Callable:
    """`original` wrapped so that each outermost call is reported to the site's observer as
    a Call; for an asyncio client (`asynchronous`), once its coroutine is awaited."""

    @functools.wraps(original)
    def call(self, *args, **kwargs):
        if _depth.inside:
            return original(self, *args, **kwargs)
        _depth.inside = True
        start = time.perf_counter_ns()
        try:
            result = original(self, *args, **kwargs)
        except BaseException:
            if not site.read:  # a rejected TTL is still the code's mistake
                site.report(self, args, kwargs, None, 0)
            raise
        finally:
            _depth.inside = False
        if asynchronous and inspect.isawaitable(result) and not site.queued(self):
            return _awaited(result, start, site, self, args, kwargs)
        site.report(self, args, kwargs, result, time.perf_counter_ns() - start)
        return result

    # A function takes any attribute; mypy knows only the ones every function has.
    call.__cachelint_original__ = original  # type: ignore[attr-defined]
    return call


async def _awaited(awaitable, start: int, site: _Site, client: Any, args: tuple, kwargs: dict[str, Any]):
    try:
        result = await awaitable
    except BaseException:
        if not site.read:
            site.report(client, args, kwargs, None, 0)
        raise
    site.report(client, args, kwargs, result, time.perf_counter_ns() - start)
    return result


def _no_default(client: Any) -> Any:
    """A client without a configured default TTL: an omitted TTL means what its table says."""
    return ttl.OMITTED


def _default_timeout(client: Any) -> Any:
    """The timeout a Django or cachelib backend gives a write that leaves it to the default."""
    return getattr(client, "default_timeout", ttl.OMITTED)


class Probes:
    """Installs the wrappers as their libraries appear in `sys.modules`; takes them all off."""

    def __init__(self, observer: Observer) -> None:
        self.observer = observer
        self._undo: list[Callable[[], None]] = []
        self._installed: set[str] = set()
        self._attach_django: Callable[[], None] | None = None

    def install(self) -> None:
        for module, probe in self._probes():
            if module not in self._installed and module in sys.modules:
                self._installed.add(module)
                probe()

    def _probes(self) -> tuple[tuple[str, Callable[[], None]], ...]:
        """Each library's probe, by the module whose import makes it installable."""
        return (
            ("redis", self._redis), ("valkey", self._valkey),
            ("pymemcache", self._pymemcache), ("memcache", self._python_memcached), ("pylibmc", self._pylibmc),
            ("diskcache", self._diskcache),
            ("django.core.cache", self._django_cache), ("cachelib", self._cachelib),
            ("django.db", self._django_db), ("sqlalchemy", self._sqlalchemy), ("sqlite3", self._sqlite3),
            ("psycopg", self._psycopg), ("psycopg2", self._psycopg2),
            ("django.core.handlers.base", self._django_requests), ("django.contrib.auth", self._django_auth),
            ("flask_login", self._flask_login),
        )

    def uninstall(self) -> None:
        while self._undo:
            self._undo.pop()()
        self._attach_django = None
        self._installed.clear()

    def _patch(self, owner: Any, name: str, replacement: Any) -> None:
        """Set `owner.name` (a class's or a module's) until `uninstall`."""
        had_own = name in owner.__dict__
        previous = owner.__dict__.get(name)
        setattr(owner, name, replacement)
        self._undo.append(lambda: setattr(owner, name, previous) if had_own else delattr(owner, name))

    def _wrap_methods(self, cls: type, library: Library, names: list[str], default_timeout: Callable[[Any], Any],
                      pipelines: tuple[type, ...] = (), asynchronous: bool = False) -> None:
        for name in names:
            method = library.methods[name]
            original = getattr(cls, name, None)
            if method.kind in _OBSERVED_KINDS and callable(original) \
                    and not hasattr(original, "__cachelint_original__"):
                site = _Site(library, name, method, self.observer, default_timeout, pipelines)
                self._patch(cls, name, observed(original, site, asynchronous))

    # -- caches

    def _redis(self) -> None:
        import redis.asyncio.client
        import redis.client

        self._redis_clients(REDIS, (redis.client.Redis, redis.asyncio.client.Redis),
                            (redis.client.Pipeline, redis.asyncio.client.Pipeline))

    def _valkey(self) -> None:  # valkey-py is redis-py renamed
        import valkey.asyncio.client
        import valkey.client

        self._redis_clients(VALKEY, (valkey.client.Valkey, valkey.asyncio.client.Valkey),
                            (valkey.client.Pipeline, valkey.asyncio.client.Pipeline))

    def _redis_clients(self, library: Library, clients: tuple[type, type], pipelines: tuple[type, ...]) -> None:
        sync, asyncio = clients
        self._wrap_methods(sync, library, list(library.methods), _no_default, pipelines)
        self._wrap_methods(asyncio, library, list(library.methods), _no_default, pipelines, asynchronous=True)

    def _pymemcache(self) -> None:
        # Each class has its own methods (the pooled, hashing and retrying clients hand the
        # call to a Client: the outermost call is the one recorded).
        from pymemcache.client.base import Client, PooledClient
        from pymemcache.client.hash import HashClient

        for cls in (Client, PooledClient, HashClient):
            self._wrap_methods(cls, PYMEMCACHE, list(PYMEMCACHE.methods), _no_default)

    def _python_memcached(self) -> None:
        import memcache

        self._wrap_methods(memcache.Client, PYTHON_MEMCACHED, list(PYTHON_MEMCACHED.methods), _no_default)

    def _pylibmc(self) -> None:  # its methods are the C base class's, wrapped on the Python subclass
        import pylibmc

        self._wrap_methods(pylibmc.Client, PYLIBMC, list(PYLIBMC.methods), _no_default)

    def _diskcache(self) -> None:
        from diskcache import Cache, FanoutCache

        for cls in (Cache, FanoutCache):
            self._wrap_methods(cls, DISKCACHE, list(DISKCACHE.methods), _no_default)

    def _wrap_subclasses(self, base: type[Any], library_of: Callable[[type], Library], names: list[str]) -> None:
        """Wrap the methods `base` and each of its subclasses define, those defined later too."""

        def wrap(cls: type) -> None:
            library = library_of(cls)
            own = [name for name in names if name in cls.__dict__]
            self._wrap_methods(cls, library, own, _default_timeout)

        def every_subclass(cls: type) -> Iterator[type]:
            yield cls
            subclasses: list[type] = cls.__subclasses__()
            for subclass in subclasses:
                yield from every_subclass(subclass)

        for cls in list(every_subclass(base)):
            wrap(cls)

        def init_subclass(cls: type[Any], **kwargs: Any) -> None:
            super(base, cls).__init_subclass__(**kwargs)
            wrap(cls)

        self._patch(base, "__init_subclass__", classmethod(init_subclass))

    def _django_cache(self) -> None:
        from django.core.cache.backends.base import BaseCache

        # The synchronous methods; the `a…` coroutines of BaseCache call them in a thread.
        names = [name for name in DJANGO.methods if not (name.startswith("a") and name[1:] in DJANGO.methods)]
        self._wrap_subclasses(BaseCache, lambda cls: DJANGO, names)

    def _cachelib(self) -> None:
        from cachelib.base import BaseCache

        def library_of(cls: type) -> Library:  # Flask-Caching's backends subclass cachelib's
            return FLASK_CACHING if cls.__module__.startswith("flask_caching") else CACHELIB

        self._wrap_subclasses(BaseCache, library_of, list(CACHELIB.methods))

    # -- databases

    def _django_db(self) -> None:
        from django.db import connections, transaction

        observer = self.observer

        def explicit_blocks(connection) -> list:
            return [block for block in connection.atomic_blocks if not getattr(block, "_from_testcase", False)]

        def execute(run, sql, params, many, context):
            connection = context["connection"]
            observer.statement(("django", connection.alias), sql, bool(explicit_blocks(connection)),
                               parameters=() if many else params)
            return run(sql, params, many, context)

        def attach() -> None:
            for connection in connections.all():
                if execute not in connection.execute_wrappers:
                    connection.execute_wrappers.append(execute)

        attach()
        def detach() -> None:
            for connection in connections.all():
                if execute in connection.execute_wrappers:
                    connection.execute_wrappers.remove(execute)

        self._undo.append(detach)
        self._attach_django = attach

        enter, exit_ = transaction.Atomic.__enter__, transaction.Atomic.__exit__

        def atomic_enter(atomic):
            result = enter(atomic)
            connection = transaction.get_connection(atomic.using)
            if explicit_blocks(connection) == [atomic]:
                observer.transaction_begin(("django", connection.alias), explicit=True)
            return result

        def atomic_exit(atomic, exc_type, exc_value, traceback):
            connection = transaction.get_connection(atomic.using)
            if explicit_blocks(connection) == [atomic]:
                # Before the commit, which runs the on_commit callbacks (the invalidations).
                observer.transaction_end(("django", connection.alias),
                                         committed=exc_type is None and not connection.needs_rollback)
            return exit_(atomic, exc_type, exc_value, traceback)

        self._patch(transaction.Atomic, "__enter__", atomic_enter)
        self._patch(transaction.Atomic, "__exit__", atomic_exit)

        from django.db.backends.base.base import BaseDatabaseWrapper

        register = BaseDatabaseWrapper.on_commit

        def on_commit(connection, func, *args, **kwargs):
            result = register(connection, func, *args, **kwargs)
            # Inside TestCase's own atomic blocks the callback waits for a commit that never
            # comes (unless captureOnCommitCallbacks runs it, which is then seen).
            blocks = connection.atomic_blocks
            if blocks and getattr(blocks[0], "_from_testcase", False):
                observer.commit_callbacks_withheld(("django", connection.alias))
            return result

        self._patch(BaseDatabaseWrapper, "on_commit", on_commit)

    def attach_connections(self) -> None:
        """Django makes a connection per thread and alias as they are used: attach to the new ones."""
        if self._attach_django is not None:
            self._attach_django()

    def _sqlite3(self) -> None:
        from cachelint.observe.databases import observe_sqlite3

        observe_sqlite3(self.observer, self._patch)

    def _psycopg(self) -> None:
        from cachelint.observe.databases import observe_psycopg

        observe_psycopg(self.observer, self._patch)

    def _psycopg2(self) -> None:
        from cachelint.observe.databases import observe_psycopg2

        observe_psycopg2(self.observer, self._patch)

    def _sqlalchemy(self) -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        observer = self.observer

        def before_execute(connection, cursor, statement, parameters, context, executemany):
            observer.statement(connection.engine, statement, connection.in_transaction(), explicit=False,
                               parameters=() if executemany else parameters)

        def commit(connection):
            observer.transaction_end(connection.engine, committed=True)

        def rollback(connection):
            observer.transaction_end(connection.engine, committed=False)

        listeners: dict[str, Callable[..., None]] = {
            "before_cursor_execute": before_execute, "commit": commit, "rollback": rollback,
        }
        for name, listener in listeners.items():
            event.listen(Engine, name, listener)

        def remove() -> None:
            for name, listener in listeners.items():
                event.remove(Engine, name, listener)

        self._undo.append(remove)

    # -- who the code acts for (users)

    def _django_requests(self) -> None:
        from django.core.handlers.base import BaseHandler

        get_response, get_response_async = BaseHandler.get_response, BaseHandler.get_response_async

        def handle(handler, request):
            token = users.handling(request)
            try:
                return get_response(handler, request)
            finally:
                users.done(token)

        async def handle_async(handler, request):
            token = users.handling(request)
            try:
                return await get_response_async(handler, request)
            finally:
                users.done(token)

        self._patch(BaseHandler, "get_response", functools.wraps(get_response)(handle))
        self._patch(BaseHandler, "get_response_async", functools.wraps(get_response_async)(handle_async))

    def _django_auth(self) -> None:  # the middleware's lazy `request.user` loads it through auth.get_user
        import django.contrib.auth

        self._patch(django.contrib.auth, "get_user", self._muted(django.contrib.auth.get_user))

    def _flask_login(self) -> None:
        from flask_login import LoginManager

        self._patch(LoginManager, "_load_user", self._muted(LoginManager._load_user))

    def _muted(self, function: Callable) -> Callable:
        observer = self.observer

        @functools.wraps(function)
        def call(*args, **kwargs):
            with observer.muted():
                return function(*args, **kwargs)

        return call
