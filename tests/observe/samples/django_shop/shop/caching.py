"""The project's cache layer: a factory and a wrapper around Django's cache framework."""
from django.core.cache import caches


def cache_for(alias="default"):
    return Entries(caches[alias])


class Entries:
    def __init__(self, backend):
        self.backend = backend

    def read(self, key):
        return self.backend.get(key)

    def store(self, key, value, seconds):
        self.backend.set(key, value, seconds)

    def forget(self, key):
        self.backend.delete(key)

    def keys_like(self, pattern):
        client = self.backend._cache.get_client(pattern)
        return client.keys(pattern)

    def scan_like(self, pattern):
        client = self.backend._cache.get_client(pattern)
        return list(client.scan_iter(match=pattern))
