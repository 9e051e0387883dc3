"""The database connections a project opens itself, without an ORM: sqlite3's, psycopg's
(3) and psycopg2's.

Django and SQLAlchemy are observed through their own hooks (`probes`), which know their
transaction blocks; a connection they open is left alone here, so that no statement is
seen twice. For the others:

- sqlite3 and psycopg2 (C classes that cannot be wrapped in place): `connect` makes the
  connection of an observed subclass of the class asked for, whose cursors report each
  statement and whose commit, rollback, `with` block and close report the transaction's
  end. The connection behaves as the one asked for: same class hierarchy, same results.
- psycopg: its classes are Python's, so their methods are wrapped where they are defined,
  and act only for the connections `connect` opened for the project.

Whether a transaction is open, before and after each of these, is the connection's own word.
"""
from __future__ import annotations

import functools
import sys
import weakref
from collections.abc import Callable
from typing import Any

from cachelint.observe.observer import Observer

# Modules whose connections their own probes observe.
_FRAMEWORKS = ("django.", "sqlalchemy.")


def opened_by_framework(depth: int) -> bool:
    """Whether the caller `depth` frames up is a framework module observed by its own probe."""
    name = sys._getframe(depth + 1).f_globals.get("__name__", "")
    return isinstance(name, str) and name.startswith(_FRAMEWORKS)


class Transactions:
    """Reports a connection's statements and transaction boundaries, from the connection's
    own word on whether a transaction is open before and after each."""

    def __init__(self, observer: Observer) -> None:
        self.observer = observer

    def ran(self, connection: Any, sql: str, parameters: Any, before: bool, after: bool) -> None:
        word = sql.lstrip()[:8].upper()
        if after and not before and word.startswith("BEGIN"):  # a transaction the code opened
            self.observer.transaction_begin(connection, explicit=True)
        self.observer.statement(connection, sql, after, explicit=False, parameters=parameters)
        if before and not after:
            self.observer.transaction_end(connection, committed=not word.startswith("ROLLBACK"))

    def ended(self, connection: Any, before: bool, after: bool, committed: bool) -> None:
        if before and not after:
            self.observer.transaction_end(connection, committed=committed)


def observe_sqlite3(observer: Observer, patch: Callable[[Any, str, Any], None]) -> None:
    import sqlite3
    import sqlite3.dbapi2

    transactions = Transactions(observer)
    cursors: dict[type, type] = {}
    connections: dict[type, type] = {}

    def observed_cursor(factory: type) -> type:
        if factory not in cursors:
            class Cursor(factory):
                def execute(self, sql, parameters=(), /):
                    before = self.connection.in_transaction
                    result = super().execute(sql, parameters)
                    transactions.ran(self.connection, sql, parameters, before, self.connection.in_transaction)
                    return result

                def executemany(self, sql, seq_of_parameters, /):
                    before = self.connection.in_transaction
                    result = super().executemany(sql, seq_of_parameters)
                    transactions.ran(self.connection, sql, (), before, self.connection.in_transaction)
                    return result

            Cursor.__name__ = Cursor.__qualname__ = factory.__name__
            cursors[factory] = Cursor
        return cursors[factory]

    def observed_connection(factory: type) -> type:
        if factory not in connections:
            class Connection(factory):
                def cursor(self, factory=sqlite3.Cursor):
                    return super().cursor(observed_cursor(factory))

                # The C methods run their statement on a cursor of their own: through ours.
                def execute(self, sql, parameters=(), /):
                    return self.cursor().execute(sql, parameters)

                def executemany(self, sql, seq_of_parameters, /):
                    return self.cursor().executemany(sql, seq_of_parameters)

                def commit(self):
                    before = self.in_transaction
                    super().commit()
                    transactions.ended(self, before, self.in_transaction, committed=True)

                def rollback(self):
                    before = self.in_transaction
                    super().rollback()
                    transactions.ended(self, before, self.in_transaction, committed=False)

                def __exit__(self, exc_type, exc_value, traceback):
                    before = self.in_transaction
                    result = super().__exit__(exc_type, exc_value, traceback)
                    transactions.ended(self, before, self.in_transaction, committed=exc_type is None)
                    return result

                def close(self):
                    before = self.in_transaction  # closing discards what was not committed
                    super().close()
                    transactions.ended(self, before, False, committed=False)

            Connection.__name__ = Connection.__qualname__ = factory.__name__
            connections[factory] = Connection
        return connections[factory]

    original = sqlite3.connect

    def connect(*args, **kwargs):
        if opened_by_framework(1):
            return original(*args, **kwargs)
        if len(args) > 5:  # connect(database, timeout, detect_types, isolation_level, check_same_thread, factory…)
            args = (*args[:5], observed_connection(args[5]), *args[6:])
        else:
            kwargs["factory"] = observed_connection(kwargs.get("factory", sqlite3.Connection))
        return original(*args, **kwargs)

    patch(sqlite3, "connect", connect)
    patch(sqlite3.dbapi2, "connect", connect)


def _query_text(query: Any, cursor: Any) -> str:
    """A psycopg or psycopg2 query as text: a string, bytes, or a `sql.Composable`."""
    if isinstance(query, str):
        return query
    if isinstance(query, (bytes, bytearray)):
        return bytes(query).decode("utf-8", "replace")
    as_string = getattr(query, "as_string", None)
    return as_string(cursor) if as_string is not None else str(query)


def observe_psycopg(observer: Observer, patch: Callable[[Any, str, Any], None]) -> None:
    import psycopg
    from psycopg import pq

    transactions = Transactions(observer)
    project_connections: weakref.WeakSet = weakref.WeakSet()
    idle = pq.TransactionStatus.IDLE

    def in_transaction(connection) -> bool:
        return not connection.closed and connection.pgconn.transaction_status != idle

    connect = psycopg.Connection.__dict__["connect"].__func__

    def observed_connect(cls, *args, **kwargs):
        connection = connect(cls, *args, **kwargs)
        if not opened_by_framework(1):
            project_connections.add(connection)
        return connection

    patch(psycopg.Connection, "connect", classmethod(observed_connect))
    patch(psycopg, "connect", psycopg.Connection.connect)

    def statement(run, many: bool):
        @functools.wraps(run)
        def call(cursor, query, *args, **kwargs):
            connection = cursor.connection
            if connection not in project_connections:
                return run(cursor, query, *args, **kwargs)
            before = in_transaction(connection)
            result = run(cursor, query, *args, **kwargs)
            parameters = () if many else args[0] if args else kwargs.get("params")
            transactions.ran(connection, _query_text(query, cursor), parameters or (), before,
                             in_transaction(connection))
            return result
        return call

    def ending(run, committed: Callable[[tuple], bool]):
        @functools.wraps(run)
        def call(connection, *args, **kwargs):
            if connection not in project_connections:
                return run(connection, *args, **kwargs)
            before = in_transaction(connection)
            result = run(connection, *args, **kwargs)
            transactions.ended(connection, before, in_transaction(connection), committed(args))
            return result
        return call

    patch(psycopg.Cursor, "execute", statement(psycopg.Cursor.execute, many=False))
    patch(psycopg.Cursor, "executemany", statement(psycopg.Cursor.executemany, many=True))
    patch(psycopg.Connection, "commit", ending(psycopg.Connection.commit, lambda args: True))
    patch(psycopg.Connection, "rollback", ending(psycopg.Connection.rollback, lambda args: False))
    patch(psycopg.Connection, "close", ending(psycopg.Connection.close, lambda args: False))

    enter, exit_ = psycopg.Transaction.__enter__, psycopg.Transaction.__exit__

    def transaction_enter(block):  # `with connection.transaction():` opens one the code asked for
        connection = block.connection
        before = connection in project_connections and in_transaction(connection)
        result = enter(block)
        if connection in project_connections and not before and in_transaction(connection):
            observer.transaction_begin(connection, explicit=True)
        return result

    def transaction_exit(block, exc_type, exc_value, traceback):
        connection = block.connection
        if connection not in project_connections:
            return exit_(block, exc_type, exc_value, traceback)
        before = in_transaction(connection)
        result = exit_(block, exc_type, exc_value, traceback)
        transactions.ended(connection, before, in_transaction(connection), committed=exc_type is None)
        return result

    patch(psycopg.Transaction, "__enter__", transaction_enter)
    patch(psycopg.Transaction, "__exit__", transaction_exit)


def observe_psycopg2(observer: Observer, patch: Callable[[Any, str, Any], None]) -> None:
    import psycopg2
    import psycopg2.extensions

    transactions = Transactions(observer)
    idle = psycopg2.extensions.TRANSACTION_STATUS_IDLE
    cursors: dict[type, type] = {}
    connections: dict[type, type] = {}

    def in_transaction(connection) -> bool:
        return not connection.closed and connection.info.transaction_status != idle

    def observed_cursor(factory: type) -> type:
        if factory not in cursors:
            class Cursor(factory):
                def execute(self, query, vars=None):
                    before = in_transaction(self.connection)
                    result = super().execute(query, vars)
                    transactions.ran(self.connection, _query_text(query, self), vars or (), before,
                                     in_transaction(self.connection))
                    return result

                def executemany(self, query, vars_list):
                    before = in_transaction(self.connection)
                    result = super().executemany(query, vars_list)
                    transactions.ran(self.connection, _query_text(query, self), (), before,
                                     in_transaction(self.connection))
                    return result

            Cursor.__name__ = Cursor.__qualname__ = factory.__name__
            cursors[factory] = Cursor
        return cursors[factory]

    def observed_connection(factory: type) -> type:
        if factory not in connections:
            class Connection(factory):
                def cursor(self, *args, **kwargs):
                    given = kwargs.get("cursor_factory") or self.cursor_factory or psycopg2.extensions.cursor
                    kwargs["cursor_factory"] = observed_cursor(given)
                    return super().cursor(*args, **kwargs)

                def commit(self):
                    before = in_transaction(self)
                    super().commit()
                    transactions.ended(self, before, in_transaction(self), committed=True)

                def rollback(self):
                    before = in_transaction(self)
                    super().rollback()
                    transactions.ended(self, before, in_transaction(self), committed=False)

                def __exit__(self, exc_type, exc_value, traceback):
                    before = in_transaction(self)
                    result = super().__exit__(exc_type, exc_value, traceback)
                    transactions.ended(self, before, in_transaction(self), committed=exc_type is None)
                    return result

                def close(self):
                    before = in_transaction(self)
                    super().close()
                    transactions.ended(self, before, False, committed=False)

            Connection.__name__ = Connection.__qualname__ = factory.__name__
            connections[factory] = Connection
        return connections[factory]

    original = psycopg2.connect

    def connect(dsn=None, connection_factory=None, cursor_factory=None, **kwargs):
        if not opened_by_framework(1):
            connection_factory = observed_connection(connection_factory or psycopg2.extensions.connection)
        return original(dsn, connection_factory=connection_factory, cursor_factory=cursor_factory, **kwargs)

    patch(psycopg2, "connect", connect)
