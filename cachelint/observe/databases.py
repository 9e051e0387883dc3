"""The database connections a project opens itself, without an ORM: sqlite3's.

Django and SQLAlchemy are observed through their own hooks (`probes`), which know their
transaction blocks; a connection they open is left alone here, so that no statement is
seen twice. For the others, the probe replaces `sqlite3.connect` with one that makes the
connection of an observed subclass of the `factory` asked for, whose cursors report each
statement and whose commit, rollback and `with` block report the transaction's end. The
connection behaves as the one asked for: same class hierarchy, same results.
"""
from __future__ import annotations

import sys
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
