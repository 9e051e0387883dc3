import os

import django
import pytest
from django.conf import settings

settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["SHOP_DATABASE"]}},
    CACHES={"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{os.environ['SHOP_REDIS_PORT']}/0",
    }},
    INSTALLED_APPS=[],
    USE_TZ=True,
)
django.setup()


@pytest.fixture(autouse=True)
def database():
    from django.core.cache import cache
    from django.db import connection

    cache.clear()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS products")
        cursor.execute("DROP TABLE IF EXISTS stock")
        cursor.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price INTEGER)")
        cursor.execute("CREATE TABLE stock (product_id INTEGER, count INTEGER)")
        cursor.execute("INSERT INTO products VALUES (1, 'Kettle', 30), (2, 'Toaster', 45)")
        cursor.execute("INSERT INTO stock VALUES (1, 0), (2, 5)")
