"""CL016 error-response-cached, run: an upstream's error body cached as data.

Observed: the rates upstream answers 503 with an error JSON once, then recovers. The
bad code caches that error body and serves it for the whole TTL after the upstream is
back; only when the entry expires does it see the rates. The fixed code checks the
status first: the failed request raises and nothing is cached, so the next request
after the recovery gets the rates."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

TTL = 3600


class HTTPError(Exception):
    pass


@dataclass
class Response:
    status_code: int
    body: dict

    def json(self) -> dict:
        return self.body

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise HTTPError(f"{self.status_code}: {self.body}")


@dataclass
class Upstream:
    """Answers 503 while `down`, the rates otherwise, and counts the requests."""

    down: bool = True
    requests: list[str] = field(default_factory=list)

    def get(self, url: str) -> Response:
        self.requests.append(url)
        if self.down:
            return Response(503, {"error": "service unavailable"})
        return Response(200, {"EUR": 1.0, "USD": 1.08})


def rates_bad(cache, upstream):
    rates = cache.get("fx:rates")
    if rates is None:
        resp = upstream.get("https://fx.example/latest")
        rates = resp.json()
        cache.set("fx:rates", rates, TTL)
    return rates


def rates_fixed(cache, upstream):
    rates = cache.get("fx:rates")
    if rates is None:
        resp = upstream.get("https://fx.example/latest")
        resp.raise_for_status()
        rates = resp.json()
        cache.set("fx:rates", rates, TTL)
    return rates


def test_bad_the_error_body_is_served_for_the_ttl_after_the_upstream_recovered(store):
    cache, upstream = store.plain(), Upstream()
    assert rates_bad(cache, upstream) == {"error": "service unavailable"}
    upstream.down = False
    store.advance(TTL - 1)
    assert rates_bad(cache, upstream) == {"error": "service unavailable"}  # the bug
    assert len(upstream.requests) == 1
    store.advance(2)
    assert rates_bad(cache, upstream)["USD"] == 1.08


def test_fixed_nothing_is_cached_on_an_error(store):
    cache, upstream = store.plain(), Upstream()
    with pytest.raises(HTTPError):
        rates_fixed(cache, upstream)
    assert store.entries() == []
    upstream.down = False
    assert rates_fixed(cache, upstream)["USD"] == 1.08
    assert rates_fixed(cache, upstream)["USD"] == 1.08
    assert len(upstream.requests) == 2


def test_fixed_reference_cache_does_not_store_a_failed_load(store):
    rates, upstream = store.cache().namespace("fx", ttl=TTL), Upstream()

    def load():
        resp = upstream.get("https://fx.example/latest")
        resp.raise_for_status()
        return resp.json()

    with pytest.raises(HTTPError):
        rates.get_or_load("latest", load)
    upstream.down = False
    assert rates.get_or_load("latest", load)["USD"] == 1.08
    assert store.entries() == ["fx:latest"]
