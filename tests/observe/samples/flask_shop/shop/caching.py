"""The project's cache layer: Flask-Caching on Redis, and the raw client for the rest."""
import os

import redis
from flask_caching import Cache

cache = Cache()


def configure(app):
    port = os.environ["SHOP_REDIS_PORT"]
    cache.init_app(app, config={
        "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": f"redis://127.0.0.1:{port}/0", "CACHE_DEFAULT_TIMEOUT": 300,
    })


def raw_client():
    return redis.Redis(host="127.0.0.1", port=int(os.environ["SHOP_REDIS_PORT"]))


def remember(key, value, seconds=None):
    cache.set(key, value, timeout=seconds)


def recall(key):
    return cache.get(key)


def forget(key):
    cache.delete(key)
