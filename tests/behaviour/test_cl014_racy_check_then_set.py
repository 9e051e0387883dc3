"""CL014 racy-check-then-set, run: a "do it once" marker read, then set in a second step.

Observed: two callers that interleave between the read and the write (forced here by a
barrier right after each one's read, which is where a busy server interleaves them) both
find the marker absent, both set it and both act: a one-time coupon is redeemed twice.
The reference cache's `add` (SET NX on Redis, a check-and-store under the lock in
memory) stores the marker only if it is absent and says whether it did: of the two
callers exactly one acts."""
from __future__ import annotations

import threading

from tests.behaviour.stores import PlainClient


class InterleavingClient(PlainClient):
    """A plain client whose reads wait until both callers have read: the interleaving a
    busy server produces between a read and the write that follows it."""

    def __init__(self, backend, callers: int = 2) -> None:
        super().__init__(backend)
        self.barrier = threading.Barrier(callers, timeout=5)

    def get(self, key: str):
        value = super().get(key)
        self.barrier.wait()
        return value


def redeem_bad(cache, code, redeemed):
    if cache.get(f"coupon:used:{code}"):
        return False
    cache.set(f"coupon:used:{code}", True, 3600)
    redeemed.append(code)
    return True


def redeem_fixed(used, code, redeemed):
    if not used.add(code, True):
        return False
    redeemed.append(code)
    return True


def _concurrently(*calls):
    threads = [threading.Thread(target=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads)


def test_bad_two_interleaved_callers_both_redeem(store):
    cache, redeemed = InterleavingClient(store.backend), []
    _concurrently(lambda: redeem_bad(cache, "WELCOME10", redeemed), lambda: redeem_bad(cache, "WELCOME10", redeemed))
    assert redeemed == ["WELCOME10", "WELCOME10"]  # the bug: the one-time coupon, twice


def test_fixed_exactly_one_of_two_concurrent_callers_redeems(store):
    used, redeemed = store.cache().namespace("coupon-used", ttl=3600), []
    start = threading.Barrier(2, timeout=5)

    def caller():
        start.wait()  # both reach `add` together
        redeem_fixed(used, "WELCOME10", redeemed)

    _concurrently(caller, caller)
    assert redeemed == ["WELCOME10"]
    assert redeem_fixed(used, "WELCOME10", redeemed) is False and redeemed == ["WELCOME10"]


def test_fixed_the_marker_expires_with_its_namespace(store):
    used, redeemed = store.cache().namespace("coupon-used", ttl=60), []
    assert redeem_fixed(used, "SPRING", redeemed) is True
    store.advance(61)
    assert redeem_fixed(used, "SPRING", redeemed) is True
    assert redeemed == ["SPRING", "SPRING"]


def test_fixed_redis_set_nx_lets_one_caller_through(redis_store):
    winners = [redis_store.raw.set("coupon:used:AUTUMN", 1, nx=True, ex=3600) for _ in range(2)]
    assert winners == [True, None]
