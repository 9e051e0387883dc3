"""CL001 truthy-miss-check, run: a cached `None`, `0` or `""` taken for a miss.

Observed: the bad example re-runs its query on every request for a product whose
answer is falsy (no such product, no reviews, an empty description); the reference
cache's `get_or_load` compares with `MISSING` and queries once."""
from __future__ import annotations

import inspect
import textwrap

import pytest

from tests.conftest import lint

QUERIES = {  # a missing product, no reviews, an empty description
    "name": ("SELECT name FROM products WHERE id = ?", 99),
    "review-count": ("SELECT count(*) AS n FROM reviews WHERE product_id = ?", 3),
    "description": ("SELECT description FROM products WHERE id = ?", 3),
}


def scalar(conn, sql, pid):
    row = conn.execute(sql, (pid,)).fetchone()
    return None if row is None else next(iter(row.values()))


def cached_query_bad(cache, conn, name, pid):
    sql = QUERIES[name][0]
    key = f"answer:{name}:{pid}"
    answer = cache.get(key)
    if not answer:
        answer = scalar(conn, sql, pid)
        cache.set(key, answer, 300)
    return answer


def cached_query_fixed(answers, conn, name, pid):
    sql = QUERIES[name][0]
    return answers.get_or_load(pid, lambda: scalar(conn, sql, pid), variant=name)


@pytest.mark.parametrize("name", QUERIES)
def test_bad_requeries_a_falsy_answer_on_every_request(store, shop, name):
    cache, pid = store.plain(), QUERIES[name][1]
    answers = [cached_query_bad(cache, shop.conn, name, pid) for _ in range(5)]
    assert not answers[0] and len(set(map(repr, answers))) == 1
    assert shop.selects == 5  # the bug: five requests, five queries


@pytest.mark.parametrize("name", QUERIES)
def test_fixed_queries_a_falsy_answer_once(store, shop, name):
    answers, pid = store.cache().namespace("answer", ttl=300), QUERIES[name][1]
    results = [cached_query_fixed(answers, shop.conn, name, pid) for _ in range(5)]
    assert not results[0] and len(set(map(repr, results))) == 1
    assert shop.selects == 1


def test_bad_and_fixed_agree_on_a_truthy_answer(store, shop):
    answers = store.cache().namespace("answer", ttl=300)
    assert [cached_query_bad(store.plain(), shop.conn, "name", 1) for _ in range(3)] == ["Kettle"] * 3
    assert [cached_query_fixed(answers, shop.conn, "name", 1) for _ in range(3)] == ["Kettle"] * 3
    assert shop.selects == 2


# Shapes cachelint is silent on (the rule's negative examples): a truthiness test that never
# sees a cached falsy value, because none reaches the store.

EMPTY_ANSWER = "-"


def cached_query_sentinel(cache, conn, name, pid):
    """An empty answer is stored as a sentinel, and the guard leaves before the store."""
    sql = QUERIES[name][0]
    key = f"answer:{name}:{pid}"
    answer = cache.get(key)
    if answer == EMPTY_ANSWER:
        return None
    if answer:
        return answer
    answer = scalar(conn, sql, pid)
    if not answer:
        cache.set(key, EMPTY_ANSWER, 300)
        return None
    cache.set(key, answer, 300)
    return answer


def cached_query_replaced(cache, conn, name, pid):
    """A falsy answer is replaced by a truthy placeholder before the store."""
    sql = QUERIES[name][0]
    key = f"answer:{name}:{pid}"
    answer = cache.get(key)
    if answer:
        return answer
    answer = scalar(conn, sql, pid)
    if not answer:
        answer = "(none)"
    cache.set(key, answer, 300)
    return answer


@pytest.mark.parametrize("shape", [cached_query_sentinel, cached_query_replaced])
@pytest.mark.parametrize("name", QUERIES)
def test_a_guarded_store_queries_a_falsy_answer_once(store, shop, name, shape):
    cache, pid = store.plain(), QUERIES[name][1]
    answers = [shape(cache, shop.conn, name, pid) for _ in range(5)]
    assert len(set(map(repr, answers))) == 1
    assert shop.selects == 1  # the truthiness test never sees a falsy value: nothing to fix


def test_cachelint_is_silent_on_the_guarded_stores():
    """The linter agrees: silent on both guarded shapes, and it reports the bad shape (where
    `scalar` returns None for a missing row)."""
    def module(*functions):  # the functions on Django's cache instead of a `cache` parameter
        code = "\n\n".join(textwrap.dedent(inspect.getsource(f)) for f in functions)
        return "from django.core.cache import cache\n\n" + code.replace("(cache, conn, ", "(conn, ")

    assert [d.code for d in lint(module(scalar, cached_query_sentinel, cached_query_replaced), select=("CL001",))] == []
    assert [d.code for d in lint(module(scalar, cached_query_bad), select=("CL001",))] == ["CL001"]
