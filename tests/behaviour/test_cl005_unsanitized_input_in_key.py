"""CL005 unsanitized-input-in-key, run: a user name from the URL reaches another key.

The shop caches a public card per user name (`user:<name>`, from `/users/<name>`) and
each user's private profile (`user:<id>:profile`, with the e-mail). Observed: asking
for the card of the "user" `1:profile` reads Alice's cached private profile, e-mail
included. The reference cache percent-encodes the name, so the same request reaches
only `user:1%3Aprofile`, a card for nobody.

Both bad functions use one key layout, as a real code base does; the fixed ones keep
that layout (`user:<id>` with the variant `profile`) to show that the encoding, not a
new namespace, is what closes the hole."""
from __future__ import annotations

import pytest

ATTACKS = ["1:profile", "1:v=profile", "1:v%3Dprofile", "*"]


def profile_bad(cache, conn, user_id):
    key = f"user:{user_id}:profile"
    profile = cache.get(key)
    if profile is None:
        profile = conn.execute("SELECT name, email FROM users WHERE id = ?", (user_id,)).fetchone()
        cache.set(key, profile, 300)
    return profile


def public_card_bad(cache, conn, name):  # name: the <name> of /users/<name>
    key = f"user:{name}"
    card = cache.get(key)
    if card is None:
        card = conn.execute("SELECT name FROM users WHERE name = ?", (name,)).fetchone() or {}
        cache.set(key, card, 300)
    return card


def profile_fixed(users, conn, user_id):
    return users.get_or_load(user_id, lambda: conn.execute(
        "SELECT name, email FROM users WHERE id = ?", (user_id,)).fetchone(), variant="profile")


def public_card_fixed(users, conn, name):
    return users.get_or_load(name, lambda: conn.execute(
        "SELECT name FROM users WHERE name = ?", (name,)).fetchone() or {})


def test_bad_leaks_a_private_profile_through_the_name(store, shop):
    cache = store.plain()
    profile_bad(cache, shop.conn, 1)  # Alice looks at her profile
    assert public_card_bad(cache, shop.conn, "alice") == {"name": "alice"}
    leaked = public_card_bad(cache, shop.conn, "1:profile")
    assert leaked == {"name": "alice", "email": "alice@example.com"}  # the bug


def test_bad_lets_a_name_poison_a_profile(store, shop):
    cache = store.plain()
    public_card_bad(cache, shop.conn, "2:profile")  # caches {} under Bob's profile key
    assert profile_bad(cache, shop.conn, 2) == {}  # the bug: Bob's profile is gone


@pytest.mark.parametrize("name", ATTACKS)
def test_fixed_keeps_the_name_in_its_slot(store, shop, name):
    users = store.cache().namespace("user", ttl=300, entity="user")
    assert profile_fixed(users, shop.conn, 1) == {"name": "alice", "email": "alice@example.com"}
    assert public_card_fixed(users, shop.conn, name) == {}
    assert public_card_fixed(users, shop.conn, "alice") == {"name": "alice"}
    assert profile_fixed(users, shop.conn, 1) == {"name": "alice", "email": "alice@example.com"}
    assert users.key(name).count(":") == 1
