"""Run cache invalidations after the database transaction commits, never before.

Invalidating before the commit lets a concurrent reader re-fill the cache from the old
row; writing the new value before the commit leaves a value in the cache that a
rollback takes back from the database. Both wait here until the commit is done, and
are dropped on a rollback.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Transaction:
    """The callbacks to run once the transaction of a `transaction()` block commits."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[], object]] = []

    def on_commit(self, callback: Callable[[], object]) -> None:
        self._callbacks.append(callback)

    def _run(self) -> None:
        """Run every callback, even after one fails, then raise the first failure: the
        data is committed either way, and each invalidation left undone is a stale entry."""
        failure = None
        for callback in self._callbacks:
            try:
                callback()
            except Exception as error:  # noqa: BLE001 - re-raised below
                failure = failure or error
        if failure is not None:
            raise failure


@contextmanager
def transaction(connection) -> Iterator[Transaction]:
    """Commit a DB-API connection (sqlite3, psycopg, …, in its default manual-commit
    mode) at the end of the block, then run the callbacks given to `on_commit`; roll
    back and drop them if the block or the commit raises.

        with transaction(conn) as tx:
            conn.execute("UPDATE products SET price = ? WHERE id = ?", (price, pid))
            tx.on_commit(lambda: cache.invalidate("product", pid))
    """
    tx = Transaction()
    try:
        yield tx
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    tx._run()


def django_on_commit(callback: Callable[[], object], using: str | None = None) -> None:
    """Run `callback` when Django's current transaction on `using` commits (at once when
    there is none), through `django.db.transaction.on_commit`. Django is imported only
    here, so the rest of this package works without it."""
    from django.db import transaction as django_transaction

    django_transaction.on_commit(callback, using=using)
