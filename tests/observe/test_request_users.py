"""CL004 without a hook: the user of the request being handled is the framework's (Django's
`request.user`, Flask-Login's `current_user`). An entry filled for one user from a query
filtered by that user's id, under a key that does not name them, served to another user,
is reported; the same view under a key that names the user is not."""
from __future__ import annotations

import pytest

from tests.observe.conftest import observe_suite

DJANGO_SUITE = '''
import os

import django
from django.conf import settings

settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["DATABASE"]}},
    CACHES={"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{os.environ['PORT']}/0",
    }},
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions"],
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ],
    ROOT_URLCONF=__name__,
    SECRET_KEY="test",
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
)
django.setup()

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.http import JsonResponse
from django.test import Client
from django.urls import path


def orders(request, key):
    data = cache.get(key)
    if data is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT total FROM orders WHERE user_id = %s", [request.user.pk])
            data = [row[0] for row in cursor.fetchall()]
        cache.set(key, data, 60)
    return JsonResponse(data, safe=False)


urlpatterns = [
    path("orders/", lambda request: orders(request, "orders:recent")),
    path("mine/", lambda request: orders(request, f"orders:recent:{request.user.pk}")),
]


@pytest.fixture(scope="module")
def people():
    call_command("migrate", verbosity=0)
    alice, bob = User.objects.create_user("alice"), User.objects.create_user("bob")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE orders (user_id INTEGER, total INTEGER)")
        cursor.execute("INSERT INTO orders VALUES (%s, 10), (%s, 99)", [alice.pk, bob.pk])
    return alice, bob


def test_unscoped(people):
    cache.clear()
    client = Client()
    for person in people:
        client.force_login(person)
        assert client.get("/orders/").json() == [10]  # bob is served alice's orders


def test_scoped(people):
    cache.clear()
    client = Client()
    for person, total in zip(people, (10, 99)):
        client.force_login(person)
        assert client.get("/mine/").json() == [total]
        assert client.get("/mine/").json() == [total]
'''

FLASK_SUITE = '''
import os
import sqlite3

import pytest
import redis
from flask import Flask, jsonify
from flask_login import LoginManager, UserMixin, current_user, login_user

cache = redis.Redis(host="127.0.0.1", port=int(os.environ["PORT"]))
app = Flask(__name__)
app.secret_key = "test"
login_manager = LoginManager(app)


class Person(UserMixin):
    def __init__(self, user_id):
        self.id = user_id


@login_manager.user_loader
def load_person(user_id):
    return Person(int(user_id))


def database():
    connection = sqlite3.connect(os.environ["DATABASE"])
    connection.execute("CREATE TABLE IF NOT EXISTS orders (user_id INTEGER, total INTEGER)")
    return connection


def orders(key):
    cached = cache.get(key)
    if cached is None:
        rows = database().execute("SELECT total FROM orders WHERE user_id = ?", (current_user.id,)).fetchall()
        cached = ",".join(str(row[0]) for row in rows)
        cache.set(key, cached, ex=60)
        return cached
    return cached.decode()


@app.get("/login/<int:user_id>")
def login(user_id):
    login_user(Person(user_id))
    return "ok"


@app.get("/orders")
def unscoped():
    return jsonify(orders("orders:recent"))


@app.get("/mine")
def scoped():
    return jsonify(orders(f"orders:recent:{current_user.id}"))


@pytest.fixture
def client():
    with database() as connection:
        connection.execute("DELETE FROM orders")
        connection.execute("INSERT INTO orders VALUES (7, 10), (8, 99)")
    cache.flushdb()
    return app.test_client()


def test_unscoped(client):
    for user_id in (7, 8):
        client.get(f"/login/{user_id}")
        assert client.get("/orders").json == "10"  # user 8 is served user 7's orders


def test_scoped(client):
    for user_id, total in ((7, "10"), (8, "99")):
        client.get(f"/login/{user_id}")
        assert client.get("/mine").json == total
        assert client.get("/mine").json == total
'''


@pytest.mark.parametrize("framework", ["django", "flask_login"])
def test_the_request_user_scopes_entries_without_a_hook(pytester, suite_environment, framework):
    pytest.importorskip(framework)
    suite_environment.setenv("DATABASE", str(pytester.path / "app.db"))
    # In a subprocess: a process configures Django once.
    result, seen = observe_suite(pytester, DJANGO_SUITE if framework == "django" else FLASK_SUITE,
                                 "-p", "no:cacheprovider", subprocess=True)
    result.assert_outcomes(passed=2)
    assert seen == {("CL004", "test_unscoped", "orders:recent")}
