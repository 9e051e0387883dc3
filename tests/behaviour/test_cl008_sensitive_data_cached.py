"""CL008 sensitive-data-cached, run: secrets and money in the cache.

Observed:
- caching `SELECT *` from the users table puts the password hash in the store, in
  plain bytes, for whoever can read the cache (a replica, a dump, `MONITOR`, any other
  service sharing the server); who actually reads it cannot be observed here, so the
  test shows the hash in the stored bytes;
- a balance cached for a minute decides a withdrawal after a card payment, made by
  another service, has already spent the money: the account goes negative.
The fix caches only the public columns, and never caches the balance: the database
decides the withdrawal (`UPDATE ... WHERE balance >= ?`)."""
from __future__ import annotations

import pytest

HASH = b"pbkdf2_sha256$600000$alice-salt$alice-hash"


class InsufficientFunds(Exception):
    pass


def user_bad(cache, conn, uid):
    user = cache.get(f"user:{uid}")
    if user is None:
        user = conn.execute("SELECT * FROM users WHERE id = ?", (uid,)).fetchone()
        cache.set(f"user:{uid}", user, 300)
    return user


def user_fixed(users, conn, uid):
    return users.get_or_load(uid, lambda: conn.execute("SELECT id, name FROM users WHERE id = ?", (uid,)).fetchone())


def balance_bad(cache, conn, uid):
    balance = cache.get(f"balance:{uid}")
    if balance is None:
        balance = conn.execute("SELECT balance FROM accounts WHERE user_id = ?", (uid,)).fetchone()["balance"]
        cache.set(f"balance:{uid}", balance, 60)
    return balance


def withdraw_bad(cache, conn, uid, amount):
    if balance_bad(cache, conn, uid) < amount:
        raise InsufficientFunds
    conn.execute("UPDATE accounts SET balance = balance - ? WHERE user_id = ?", (amount, uid))
    conn.commit()
    cache.delete(f"balance:{uid}")


def withdraw_fixed(conn, uid, amount):
    with conn:
        done = conn.execute("UPDATE accounts SET balance = balance - ? WHERE user_id = ? AND balance >= ?",
                            (amount, uid, amount)).rowcount
    if not done:
        raise InsufficientFunds


def card_payment_elsewhere(shop, uid, amount):
    other_service = shop.connect()
    other_service.execute("UPDATE accounts SET balance = balance - ? WHERE user_id = ?", (amount, uid))
    other_service.commit()


def stored_bytes(store) -> bytes:
    return b"".join(store.backend.get(key) for key in store.entries())


def test_bad_puts_the_password_hash_in_the_cache(store, shop):
    assert user_bad(store.plain(), shop.conn, 1)["name"] == "alice"
    assert HASH in stored_bytes(store)  # the bug
    if store.raw is not None:
        assert HASH in store.raw.get("user:1")


def test_fixed_caches_only_public_columns(store, shop):
    users = store.cache().namespace("user", ttl=300, entity="user")
    assert user_fixed(users, shop.conn, 1) == {"id": 1, "name": "alice"}
    assert stored_bytes(store) and HASH not in stored_bytes(store)


def test_bad_overdraws_on_a_cached_balance(store, shop):
    cache = store.plain()
    assert balance_bad(cache, shop.conn, 1) == 100
    card_payment_elsewhere(shop, 1, 70)
    withdraw_bad(cache, shop.conn, 1, 80)  # the cached 100 says yes
    assert shop.committed("SELECT balance FROM accounts WHERE user_id = 1") == [{"balance": -50}]  # the bug


def test_fixed_lets_the_database_decide(shop):
    card_payment_elsewhere(shop, 1, 70)
    with pytest.raises(InsufficientFunds):
        withdraw_fixed(shop.conn, 1, 80)
    withdraw_fixed(shop.conn, 1, 30)
    assert shop.committed("SELECT balance FROM accounts WHERE user_id = 1") == [{"balance": 0}]
