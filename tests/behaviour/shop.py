"""A real SQLite database for the behaviour tests: a small shop whose connections count
the queries the code under test runs."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

SCHEMA = """
CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price INTEGER NOT NULL CHECK (price >= 0),
                       description TEXT NOT NULL);
CREATE TABLE related (product_id INTEGER NOT NULL, related_id INTEGER NOT NULL);
CREATE TABLE reviews (id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL, stars INTEGER NOT NULL);
CREATE TABLE tags (product_id INTEGER NOT NULL, tag TEXT NOT NULL UNIQUE);
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, email TEXT NOT NULL,
                    password_hash TEXT NOT NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, product_id INTEGER NOT NULL);
CREATE TABLE accounts (user_id INTEGER PRIMARY KEY, balance INTEGER NOT NULL);
CREATE TABLE cart_items (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, product_id INTEGER NOT NULL);

INSERT INTO products VALUES (1, 'Kettle', 2500, 'Stainless steel, 1.7 l'), (2, 'Teapot', 1800, 'Porcelain'),
                            (3, 'Mug', 900, '');
INSERT INTO related VALUES (1, 2), (2, 1);
INSERT INTO reviews (product_id, stars) VALUES (1, 5), (1, 4);
INSERT INTO tags VALUES (1, 'kitchen');
INSERT INTO users VALUES (1, 'alice', 'alice@example.com', 'pbkdf2_sha256$600000$alice-salt$alice-hash'),
                         (2, 'bob', 'bob@example.com', 'pbkdf2_sha256$600000$bob-salt$bob-hash');
INSERT INTO orders (user_id, product_id) VALUES (1, 1), (2, 3);
INSERT INTO accounts VALUES (1, 100);
"""


def _dict_row(cursor: sqlite3.Cursor, row: tuple) -> dict:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


class Shop:
    """The database file, so that several connections see each other's commits.

    `conn` is the application's connection; `selects` counts the SELECTs run on every
    connection made by `connect`. `committed` reads what is committed, uncounted."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.selects = 0
        self.hook_errors: list[BaseException] = []
        self._hooks: dict[str, Callable[[], object]] = {}
        self._connections: list[sqlite3.Connection] = []
        self._checker = self._open()
        self._checker.executescript(SCHEMA)
        self.conn = self.connect()

    def connect(self) -> sqlite3.Connection:
        conn = self._open()
        conn.set_trace_callback(self._trace)
        return conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=5)
        conn.execute("PRAGMA synchronous = OFF")  # a test database: no fsync on commit
        conn.row_factory = _dict_row
        self._connections.append(conn)
        return conn

    def when(self, statement: str, hook: Callable[[], object]) -> None:
        """Run `hook` (another request, say) once, as a statement starting with
        `statement` begins on one of the shop's connections."""
        self._hooks[statement.upper()] = hook

    def committed(self, sql: str, parameters: tuple = ()) -> list[dict]:
        return self._checker.execute(sql, parameters).fetchall()

    def close(self) -> None:
        for conn in self._connections:
            conn.close()

    def _trace(self, sql: str) -> None:
        head = sql.lstrip().upper()
        if head.startswith("SELECT"):
            self.selects += 1
        for statement in [s for s in self._hooks if head.startswith(s)]:
            try:
                self._hooks.pop(statement)()
            except BaseException as error:  # sqlite3 would swallow it; the fixture re-raises it
                self.hook_errors.append(error)
