"""What the plugin saw, test by test, and the judgment of each observation.

The probes report every cache call and every SQL statement here; the observer keeps, for
the running test, the state that makes a bug visible (the falsy values reads returned, the
tables each entry was filled from, the open transactions) and turns what it sees into
findings with the static rule's code. It assumes one thread drives the tests.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cachelint.model.spec import Kind, Meaning
from cachelint.observe.frames import Place
from cachelint.observe.sql import read_tables, written_table

RULE_NAMES = {
    "CL001": "truthy-miss-check",
    "CL002": "set-without-ttl",
    "CL004": "key-missing-user-scope",
    "CL006": "cache-before-db-write",
    "CL007": "keys-pattern-scan",
    "CL009": "cache-write-in-transaction",
    "CL010": "missing-invalidation",
    "CL013": "zero-ttl",
}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    test: str
    key: str
    place: Place | None

    @property
    def name(self) -> str:
        return RULE_NAMES[self.code]


@dataclass
class Transaction:
    """An open DB transaction: `explicit` for a block the code opened (Django `atomic`),
    not for a driver's implicit one (SQLAlchemy's autobegin)."""

    explicit: bool
    writes: set[str] = field(default_factory=set)  # tables written, not yet committed
    cache_writes: list[tuple[str, Place | None]] = field(default_factory=list)
    # A callback registered to run at the commit that the test framework withholds.
    callbacks_withheld: bool = False


@dataclass(slots=True)  # not frozen: a frozen dataclass is slower to make, and one is made per call
class Call:
    """One cache call as a probe saw it."""

    library: str  # how messages name the library ("redis", "Django")
    method: str
    kind: Kind
    keys: tuple[str, ...]
    value: Any = None  # the value written
    result: Any = None  # what a read returned
    miss: bool = False  # a single-value read that found nothing
    meaning: Meaning | None = None  # for writes with a TTL parameter
    ttl: Any = None
    elapsed_ns: int = 0


def key_text(key: Any) -> str:
    if isinstance(key, (bytes, bytearray, memoryview)):
        return bytes(key).decode("utf-8", "backslashreplace")
    return str(key)


def namespace(key: str) -> str:
    return key.split(":", 1)[0] if ":" in key else "(no namespace)"


class Observer:
    def __init__(self, locate: Callable[[], Place | None], user: Callable[[], Any] | None = None) -> None:
        self.locate = locate
        self.user = user  # who the running code acts for (None: nobody, or unknown)
        self.findings: list[Finding] = []
        self._seen: set[tuple] = set()
        self.hit_latencies: dict[str, list[int]] = defaultdict(list)
        self.test = "(outside a test)"
        self._muted = 0
        self._reset()

    def _reset(self) -> None:
        self.falsy_reads: dict[str, Any] = {}
        self.unexpiring: dict[str, Finding] = {}  # CL002 unless an expire follows in the test
        self.tables_read: set[str] = set()  # since the last cache miss or write
        self.values_read_by: set[str] = set()  # the parameters of those reads, as text
        self.owners: dict[str, Any] = {}  # key -> the user whose rows filled it
        self.sources: dict[str, set[str]] = {}  # key -> the tables its entry was filled from
        self.stale: dict[str, str] = {}  # key -> the table whose committed write made it stale
        self.transactions: dict[Any, Transaction] = {}
        self.made_stale: dict[Any, list[str]] = {}  # database -> the keys its last commit made stale

    # -- tests

    def begin_test(self, test: str) -> None:
        self.test = test
        self._reset()

    def end_test(self) -> None:
        for finding in self.unexpiring.values():
            self._add(finding)
        self._reset()
        self.test = "(outside a test)"

    @contextmanager
    def muted(self) -> Iterator[None]:
        """What runs inside is not observed: the framework's own work (loading the request's
        user and session), not the code's."""
        self._muted += 1
        try:
            yield
        finally:
            self._muted -= 1

    def _report(self, code: str, key: str, message: str, place: Place | None = None) -> None:
        self._add(Finding(code, message, self.test, key, place if place is not None else self.locate()))

    def _add(self, finding: Finding) -> None:
        place = finding.place
        identity = (finding.code, finding.test, finding.key, finding.message,
                    place and (place.filename, place.row))
        if identity not in self._seen:
            self._seen.add(identity)
            self.findings.append(finding)

    # -- the cache

    def cache_call(self, call: Call) -> None:
        if self._muted:
            return
        if call.kind is Kind.READ:
            self._read(call)
        elif call.kind is Kind.WRITE:
            for key in call.keys:
                self._write(call, key)
        elif call.kind is Kind.DELETE:
            for key in call.keys:
                self._forget(key)
                self._in_transaction(call, key, "deleted")
        elif call.kind is Kind.EXPIRE:
            for key in call.keys:
                self.unexpiring.pop(key, None)
        elif call.kind is Kind.KEYS:
            pattern = call.keys[0] if call.keys else "*"
            self._report("CL007", pattern, f"`KEYS {pattern}` sent through {call.library} `{call.method}`: "
                         "it blocks the server while it walks every key; iterate with SCAN instead")

    def _read(self, call: Call) -> None:
        if len(call.keys) != 1:
            return
        key = call.keys[0]
        if call.miss:
            self.tables_read, self.values_read_by = set(), set()
            return
        self.hit_latencies[namespace(key)].append(call.elapsed_ns)
        if not call.result:
            self.falsy_reads[key] = call.result
        owner = self.owners.get(key)
        if owner is not None:
            reader = self._current_user()
            if reader is not None and reader != owner:
                self._report("CL004", key, f"`{key}` was filled for user {owner!r} from queries filtered by "
                             f"that user's id, then served to user {reader!r}: the key does not name the user")
        table = self.stale.pop(key, None)
        if table is not None:
            self._report("CL010", key, f"`{key}` was filled from table `{table}`, `{table}` was written and "
                         "committed since, and the entry was read again without being deleted or rewritten: "
                         "a stale value served")

    def _write(self, call: Call, key: str) -> None:
        if key in self.falsy_reads and not call.value:
            read = self.falsy_reads.pop(key)
            self._report("CL001", key, f"`{key}` was filled again with {call.value!r} after a read returned "
                         f"{read!r}: the miss check took a cached falsy value for a miss")
        if call.meaning is Meaning.FOREVER:
            self.unexpiring[key] = Finding(
                "CL002", f"`{key}` stored by {call.library} `{call.method}` without an expiry: it never expires",
                self.test, key, self.locate())
        elif call.meaning is not None and call.meaning.is_zero_ttl_mistake:
            self._report("CL013", key, f"`{key}` stored by {call.library} `{call.method}` with TTL {call.ttl!r}, "
                         f"which {call.library} treats as {_MEANING_WORDS[call.meaning]}")
        else:
            self.unexpiring.pop(key, None)
        self.stale.pop(key, None)
        self.falsy_reads.pop(key, None)
        self.sources[key] = self.tables_read
        user = self._current_user()
        # Filled from rows filtered by the user's id, under a key that does not name it.
        if user is not None and str(user) in self.values_read_by and str(user) not in re.split(r"\W+", key):
            self.owners[key] = user
        else:
            self.owners.pop(key, None)
        self.tables_read, self.values_read_by = set(), set()
        self._in_transaction(call, key, "written")

    def _current_user(self) -> Any:
        if self.user is None:
            return None
        with self.muted():
            return self.user()

    def _forget(self, key: str) -> None:
        self.owners.pop(key, None)
        self.stale.pop(key, None)
        self.sources.pop(key, None)
        self.falsy_reads.pop(key, None)
        self.unexpiring.pop(key, None)

    def _in_transaction(self, call: Call, key: str, done: str) -> None:
        place = None
        for transaction in self.transactions.values():
            place = place or self.locate()
            if done == "written":
                transaction.cache_writes.append((key, place))
            if transaction.writes:
                tables = ", ".join(f"`{table}`" for table in sorted(transaction.writes))
                if transaction.explicit:
                    self._report("CL009", key, f"`{key}` {done} inside a DB transaction that has written {tables} "
                                 "and not committed: readers can cache the old rows again before the commit",
                                 place)
                else:
                    self._report("CL006", key, f"`{key}` {done} after writes to {tables} and before their "
                                 "commit: readers can cache the old rows again before the commit", place)

    # -- the database

    def statement(self, database: Any, sql: str, in_transaction: bool, explicit: bool = True,
                  parameters: Any = ()) -> None:
        if self._muted:
            return
        table = written_table(sql)
        if table is None:
            tables = read_tables(sql)
            if tables:
                self.tables_read |= tables
                self.values_read_by |= _scalars(parameters)
            return
        if in_transaction:
            self.transactions.setdefault(database, Transaction(explicit)).writes.add(table)
        else:
            self._committed(database, {table})

    def transaction_begin(self, database: Any, explicit: bool) -> None:
        self.transactions[database] = Transaction(explicit)

    def transaction_end(self, database: Any, committed: bool) -> None:
        transaction = self.transactions.pop(database, None)
        if transaction is None:
            return
        if committed:
            if not transaction.callbacks_withheld:
                self._committed(database, transaction.writes)
            return
        if not transaction.writes:  # a read-only transaction ended: nothing was undone
            return
        for key, place in transaction.cache_writes:
            self._report("CL009" if transaction.explicit else "CL006", key,
                         f"`{key}` written during a DB transaction that was rolled back: the cache holds "
                         "what the database never committed", place)

    def commit_callbacks_withheld(self, database: Any) -> None:
        """The code registered a callback to run when `database`'s writes commit (Django's
        `on_commit`), and the test framework will not run it (Django's `TestCase` never
        commits): whatever it invalidates is not seen, so the entries those writes make
        stale are not judged (CL010 would report an invalidation that production makes)."""
        transaction = self.transactions.get(database)
        if transaction is not None:
            transaction.callbacks_withheld = True
            return
        for key in self.made_stale.pop(database, ()):  # written outside a block: committed already
            self.stale.pop(key, None)

    def _committed(self, database: Any, tables: set[str]) -> None:
        made_stale = self.made_stale[database] = []
        for key, sources in self.sources.items():
            written = tables & sources
            if written:
                self.stale[key] = min(written)
                made_stale.append(key)


def _scalars(parameters: Any) -> set[str]:
    """The numbers and strings among a statement's parameters (a sequence or a mapping)."""
    if isinstance(parameters, dict):
        parameters = parameters.values()
    elif not isinstance(parameters, (list, tuple)):
        return set()
    return {str(value) for value in parameters if isinstance(value, (int, str)) and not isinstance(value, bool)}


_MEANING_WORDS = {
    Meaning.ERROR: "an error (the command is rejected)",
    Meaning.NOT_CACHED: '"do not cache" (nothing is stored, or the key is deleted)',
    Meaning.STALE_AT_ONCE: "already expired",
}
