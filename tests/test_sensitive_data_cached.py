"""CL008 beyond its examples: what is looked at, what the messages say, and the options."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from cachelint.cli import main
from cachelint.config import ConfigError, Settings, load_settings
from cachelint.model.core.words import contains, words
from tests.conftest import lint

REDIS = """
import json
import redis

r = redis.Redis()
"""


def _messages(source: str, settings: Settings | None = None) -> list[tuple[int, str]]:
    return [(d.location.row, d.message) for d in lint(source, select=("CL008",), settings=settings)]


def _rows(source: str, settings: Settings | None = None) -> list[int]:
    return [row for row, _ in _messages(source, settings)]


def _settings(tmp_path: Path, body: str) -> Settings:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.cachelint.rules.sensitive-data-cached]\n" + textwrap.dedent(body), encoding="utf-8")
    return load_settings(path)


# ---------------------------------------------------------------- words


@pytest.mark.parametrize("text,expected", [
    ("password_hash", ("password", "hash")),
    ("hashedPassword", ("hashed", "password")),
    ("APIKey", ("api", "key")),
    ("user:{id}:api-key", ("user", "id", "api", "key")),
    ("SECRET_KEY", ("secret", "key")),
    ("__name__", ("name",)),
])
def test_words(text, expected):
    assert words(text) == expected


@pytest.mark.parametrize("text,term,found", [
    ("user_password_hash", "password_hash", True),
    ("access_tokens", "access_token", True),
    ("balances", "balance", True),
    ("password_hasher", "password_hash", False),
    ("passwordhash", "password_hash", False),
    ("token_count", "access_token", False),
    ("permission_denied", "permissions", False),
    ("load_balancer", "balance", False),
])
def test_terms_match_whole_words_in_a_row(text, term, found):
    assert contains(words(text), words(term)) is found


# ---------------------------------------------------------------- what is looked at


def test_messages_name_what_is_cached_its_category_and_the_key():
    messages = _messages(REDIS + """
def cache_user(uid, user, row, request):
    r.set(f"user:{uid}:hash", user.password_hash, ex=60)
    r.set(f"user:{uid}:perms", row["permissions"], ex=60)
    r.set(f"user:{uid}:permissions", 1, ex=60)
    r.set(f"login:{request.session_token}", uid, ex=60)
    r.set(f"stock:{uid}", {"balance": 1}, ex=60)
""")
    assert messages == [
        (8, "caches `user.password_hash` (credentials) under `user:{uid}:hash`: "
            "anyone who can read the cache can read it"),
        (9, "caches `row[\"permissions\"]` (auth-state) under `user:{uid}:perms`: "
            "a revoked permission or a logout is ignored until the entry expires"),
        (12, "caches `\"balance\"` (money-and-stock) under `stock:{uid}`: it is served stale until the entry expires"),
    ]


def test_only_writes_are_flagged():
    assert _rows(REDIS + """
def session(session_token):
    r.get(f"login:{session_token}")
    r.delete(f"login:{session_token}")
    r.set(f"login:{session_token}", session_token, ex=60)
""") == [10]


def test_names_are_followed_one_assignment_back_and_no_further():
    assert _rows(REDIS + """
def one(account):
    amount = account.balance
    r.set("wallet:1", amount, ex=60)

def two(account):
    amount = account.balance
    shown = amount
    r.set("wallet:2", shown, ex=60)

def returned(account):
    def load():
        return account.balance
    r.set("wallet:3", load, ex=60)
""") == [9, 19]


def test_fields_of_a_hash_write_are_what_it_stores():
    assert _rows(REDIS + """
def remember(uid, token):
    r.hset(f"user:{uid}", "access_token", token)
    r.hset(f"user:{uid}", mapping={"refresh_token": token})
    r.hset(f"user:{uid}", "name", token)
""") == [8, 9]


def test_columns_of_the_sql_that_produced_the_value():
    assert _rows(REDIS + """
from sqlalchemy import text

ACCOUNT = "SELECT id, balance FROM wallets WHERE owner = %s"

def executed_on_the_cursor(cursor, uid):
    cursor.execute("SELECT id, name FROM teams WHERE id = %s", (uid,))
    cursor.execute("SELECT api_key FROM apps WHERE owner = %s", (uid,))
    app = cursor.fetchone()
    r.set(f"app:{uid}", json.dumps(app), ex=60)

def from_a_constant(conn, uid):
    cursor = conn.execute(ACCOUNT, (uid,))
    r.set(f"wallet:{uid}", json.dumps(cursor.fetchall()), ex=60)

def through_text(session, uid):
    row = session.execute(text("SELECT order_status FROM orders WHERE id = :id"), {"id": uid}).one()
    r.set(f"order:{uid}", json.dumps(dict(row)), ex=60)

def through_a_helper(db, uid):
    row = db.query_one(f"SELECT id, hashed_password FROM auth_user WHERE id = {uid}")
    r.set(f"user:{uid}", json.dumps(row), ex=60)

def fine(cursor, uid):
    cursor.execute("SELECT api_key FROM apps WHERE owner = %s", (uid,))
    cursor.execute("SELECT id, name FROM teams WHERE id = %s", (uid,))
    r.set(f"team:{uid}", json.dumps(cursor.fetchone()), ex=60)
""") == [15, 19, 23, 27]


def test_orm_fields():
    assert _rows(REDIS + """
def fields(Wallet, Member, uid):
    r.set("a", json.dumps(list(Wallet.objects.values("owner", "balance"))), ex=60)
    r.set("b", json.dumps(list(Wallet.objects.values_list("owner", "is_admin"))), ex=60)
    r.set("c", json.dumps(list(Member.objects.only("id", "password"))), ex=60)
    r.set("d", json.dumps(list(Member.objects.values("id", "name"))), ex=60)
""") == [8, 9, 10]


def test_every_column_of_a_users_table_holds_the_password_hash():
    messages = _messages(REDIS + """
def record(db, uid):
    row = db.execute("SELECT * FROM users WHERE id = %s", (uid,)).fetchone()
    r.set(f"user:{uid}", json.dumps(row), ex=60)

def joined(cursor, oid):
    cursor.execute("SELECT o.*, c.* FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = %s", (oid,))
    r.set(f"order:{oid}", json.dumps(cursor.fetchone()), ex=60)

def catalogue(db):
    r.set("products", json.dumps(db.execute("SELECT * FROM products").fetchall()), ex=60)

def counted(db):
    r.set("users:count", db.execute("SELECT COUNT(*) FROM users").fetchone()[0], ex=60)
""")
    assert messages == [
        (9, "caches every column of `users` (`SELECT *`) under `user:{uid}`, the password hash included "
            "(credentials): anyone who can read the cache can read it; cache only the fields that are needed"),
        (13, "caches every column of `customers` (`SELECT *`) under `order:{oid}`, the password hash included "
             "(credentials): anyone who can read the cache can read it; cache only the fields that are needed"),
    ]


def test_whole_instances_of_a_users_model():
    assert _rows(REDIS + """
import pickle
from django.contrib.auth import get_user_model
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404
from sqlalchemy import select

UserModel = get_user_model()

def django(uid):
    r.set("a", pickle.dumps(User.objects.get(pk=uid)), ex=60)
    r.set("b", pickle.dumps(list(UserModel.objects.filter(team=uid))), ex=60)
    r.set("c", json.dumps(model_to_dict(get_object_or_404(Account, pk=uid))), ex=60)
    members = Member.objects.filter(team=uid).order_by("name")
    r.set("d", pickle.dumps([m for m in members]), ex=60)

def sqlalchemy(session, db, uid):
    r.set("e", pickle.dumps(session.get(User, uid)), ex=60)
    r.set("f", pickle.dumps(db.session.query(Customer).filter_by(id=uid).first()), ex=60)
    r.set("g", pickle.dumps(session.scalars(select(Profile).where(Profile.id == uid)).all()), ex=60)
    r.set("h", pickle.dumps(User.query.get(uid)), ex=60)

def projections(session, serializer, uid):
    user = User.objects.get(pk=uid)
    r.set("i", user.email, ex=60)
    r.set("j", json.dumps(model_to_dict(user, fields=["id", "email"])), ex=60)
    r.set("k", json.dumps(serializer(user).data), ex=60)
    r.set("l", User.objects.filter(team=uid).count(), ex=60)
    r.set("m", pickle.dumps(session.get(Product, uid)), ex=60)
    r.set("n", pickle.dumps(list(session.execute(select(User.id, User.email)))), ex=60)
""") == [16, 17, 18, 20, 23, 24, 25, 26]


def test_a_word_of_the_key_alone_is_not_what_is_cached():
    assert _rows(REDIS + """
def remember(uid, api_key, jti):
    r.set(f"payment:{uid}:status", 1, ex=60)
    r.set(api_key, uid, ex=60)
    r.set(f"jwt:revoked:{jti}", "1", ex=60)
    r.set(f"user:{uid}:key", api_key, ex=60)
""") == [11]


# ---------------------------------------------------------------- options


LOYALTY = REDIS + """
def points(uid, member):
    r.set(f"member:{uid}:points", member.loyalty_points, ex=60)
"""


def test_extend_terms_adds_a_term(tmp_path):
    assert _rows(LOYALTY) == []
    assert _messages(LOYALTY, _settings(tmp_path, 'extend-terms = ["loyalty_points"]')) == [
        (8, "caches `member.loyalty_points` (custom) under `member:{uid}:points`: the project keeps it out of caches"),
    ]


def test_extend_terms_by_category(tmp_path):
    settings = _settings(tmp_path, 'extend-terms = { money-and-stock = ["loyalty_points"] }')
    assert _messages(LOYALTY, settings) == [
        (8, "caches `member.loyalty_points` (money-and-stock) under `member:{uid}:points`: "
            "it is served stale until the entry expires"),
    ]


def test_ignore_terms_removes_a_term(tmp_path):
    source = REDIS + """
def remember(uid, pwd, jwt):
    r.set(f"ops:{uid}", pwd, ex=60)
    r.set(f"api:{uid}", jwt, ex=60)
"""
    assert _rows(source) == [8, 9]
    assert _rows(source, _settings(tmp_path, 'ignore-terms = ["pwd", "JWT"]')) == []


def test_allow_namespaces_accepts_categories_under_a_namespace(tmp_path):
    source = REDIS + """
PREFIX = load_prefix()

def open_session(sid, session_token, user):
    r.set(f"session:{sid}", session_token, ex=1800)
    r.set(f"session:{sid}:admin", user.is_admin, ex=1800)
    r.set(f"session_{sid}", session_token, ex=1800)
    r.set(f"{PREFIX}:session:{sid}", session_token, ex=1800)
    r.set(f"sessions:{sid}", session_token, ex=1800)
    r.set(f"vault:{sid}", user.api_key, ex=1800)
    r.set(f"login:{sid}", session_token, ex=1800)
"""
    settings = _settings(tmp_path, 'allow-namespaces = { session = ["tokens"], "vault" = ["all"] }')
    assert _rows(source, settings) == [11, 14, 16]


# ---------------------------------------------------------------- option errors


@pytest.mark.parametrize("body,key,problem", [
    ('extend-terms = "pin"', "extend-terms", "expected a list or a table"),
    ('extend-terms = { money = ["points"] }', "extend-terms.money", "unknown category"),
    ('extend-terms = { tokens = "pin" }', "extend-terms.tokens", "expected a list of terms"),
    ('extend-terms = ["loyalty points"]', "extend-terms", "`loyalty points` is not a term"),
    ("extend-terms = [1]", "extend-terms", "`1` is not a term"),
    ('ignore-terms = ["pwd", ""]', "ignore-terms", "`` is not a term"),
    ('ignore-terms = ["pwdd"]', "ignore-terms", "`pwdd` is not a default term"),
    ('allow-namespaces = ["session"]', "allow-namespaces", "expected a table"),
    ('allow-namespaces = { session = ["token"] }', "allow-namespaces.session", "unknown category `token`"),
    ('allow-namespaces = { "session:" = "tokens" }', 'allow-namespaces."session:"', "expected a list of categories"),
    ('allow-namespaces = { "" = ["all"] }', 'allow-namespaces.""', "a namespace cannot be empty"),
])
def test_a_malformed_option_is_an_error_naming_the_key(tmp_path, body, key, problem):
    with pytest.raises(ConfigError) as caught:
        _settings(tmp_path, body)
    message = str(caught.value)
    assert f"`tool.cachelint.rules.sensitive-data-cached.{key}`" in message
    assert problem in message


def test_a_malformed_option_exits_2(tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text("x = 1\n")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.cachelint.rules.sensitive-data-cached]\nallow-namespaces = { session = [\"secrets\"] }\n"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["app.py"])
    assert result.exit_code == 2
    assert "allow-namespaces.session`: unknown category `secrets`" in result.output


def test_the_request_user_object_is_a_whole_user():
    messages = _messages(REDIS + """
import pickle
from flask_login import current_user

def remember(request, uid):
    r.set(f"me:{uid}", pickle.dumps(request.user), ex=60)
    r.set(f"me:{uid}:flask", pickle.dumps(current_user), ex=60)
    r.set(f"me:{uid}:name", current_user.name, ex=60)
""")
    assert [row for row, _ in messages] == [11, 12]
    assert messages[0][1].startswith("caches the whole `request.user` object under `me:{uid}`, the password hash")


def test_a_field_read_from_a_row_is_that_field():
    assert _rows(REDIS + """
def card(db, cursor, uid):
    row = db.execute("SELECT id, email, password_hash FROM users WHERE id = %s", (uid,)).fetchone()
    r.set(f"user:{uid}:email", row["email"], ex=60)
    r.set(f"user:{uid}:email2", db.execute("SELECT email, password_hash FROM users").fetchone().email, ex=60)
    r.set(f"user:{uid}:row", row[1], ex=60)
    r.set(f"user:{uid}:hash", row["password_hash"], ex=60)
    r.set(f"user:{uid}:bal", get_wallet(uid).balance, ex=60)
    r.set(f"user:{uid}:rounded", get_wallet(uid).balance.quantize(CENTS), ex=60)
""") == [11, 12, 13, 14]


def test_result_and_query_objects_are_followed_to_their_query():
    assert _rows(REDIS + """
import pickle
from sqlalchemy import select, text

async def one(session, uid):
    result = await session.execute(select(User).where(User.id == uid))
    user = result.scalar_one_or_none()
    r.set(f"user:{uid}", pickle.dumps(user), ex=60)

def many(team):
    members = Member.objects.filter(team=team)
    ordered = members.order_by("name")
    r.set(f"team:{team}", pickle.dumps(list(ordered)), ex=60)

def mapping(conn, uid):
    row = conn.execute(text("SELECT * FROM accounts WHERE id = :id"), {"id": uid}).one()
    r.set(f"account:{uid}", json.dumps(row._asdict()), ex=60)
    r.set(f"account:{uid}:m", json.dumps(dict(row._mapping)), ex=60)

def first_column(conn, uid):
    result = conn.execute(text("SELECT * FROM users WHERE id = :id"), {"id": uid})
    r.set(f"user:{uid}:id", result.scalar(), ex=60)
""") == [13, 18, 22, 23]


def test_columns_through_a_result_object():
    assert _rows(REDIS + """
from sqlalchemy import text

def wallet(conn, uid):
    result = conn.execute(text("SELECT owner, balance FROM wallets WHERE owner = :id"), {"id": uid})
    r.set(f"wallet:{uid}", json.dumps([dict(m) for m in result.mappings().all()]), ex=60)
""") == [11]
