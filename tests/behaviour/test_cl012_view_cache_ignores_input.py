"""CL012 view-cache-ignores-input, run: a view cache keyed by the path alone.

Flask-Caching is not a test dependency, so `cached_view_bad` restates what its
`@cache.cached(timeout=...)` does by default: the key is `view/` + `request.path`; the
query string is not part of it (without `query_string=True`) and the method is never
looked at. Observed: `/search?q=mug` is answered with the page cached for
`/search?q=kettle`, and the second `POST /cart` is answered from the cache, so its item
is never added. The fix keys GET pages by path and query arguments and does not cache
other methods."""
from __future__ import annotations

from dataclasses import dataclass, field

SAFE_METHODS = ("GET", "HEAD")


@dataclass
class Request:
    method: str
    path: str
    args: dict = field(default_factory=dict)


def search(conn, request):
    rows = conn.execute("SELECT name FROM products WHERE name LIKE ? ORDER BY id", (f"%{request.args['q']}%",))
    return [row["name"] for row in rows]


def add_to_cart(conn, request):
    with conn:
        conn.execute("INSERT INTO cart_items (user_id, product_id) VALUES (1, ?)", (int(request.args["product"]),))
    return "added"


def cached_view_bad(cache, view, timeout=60):
    def wrapper(conn, request):
        key = f"view/{request.path}"
        response = cache.get(key)
        if response is None:
            response = view(conn, request)
            cache.set(key, response, timeout)
        return response
    return wrapper


def cached_view_fixed(pages, view):
    def wrapper(conn, request):
        if request.method not in SAFE_METHODS:
            return view(conn, request)
        return pages.get_or_load(request.path, lambda: view(conn, request), variant=request.args)
    return wrapper


def cart_size(shop):
    return shop.committed("SELECT count(*) AS n FROM cart_items")[0]["n"]


def test_bad_serves_the_first_query_s_page_to_every_query(store, shop):
    view = cached_view_bad(store.plain(), search)
    assert view(shop.conn, Request("GET", "/search", {"q": "kettle"})) == ["Kettle"]
    assert view(shop.conn, Request("GET", "/search", {"q": "mug"})) == ["Kettle"]  # the bug


def test_bad_replays_a_post(store, shop):
    view = cached_view_bad(store.plain(), add_to_cart)
    for _ in range(2):
        assert view(shop.conn, Request("POST", "/cart", {"product": "1"})) == "added"
    assert cart_size(shop) == 1  # the bug: two requests, one item


def test_fixed_keys_pages_by_query_and_runs_every_post(store, shop):
    pages = store.cache().namespace("page", ttl=60)
    view = cached_view_fixed(pages, search)
    assert view(shop.conn, Request("GET", "/search", {"q": "kettle"})) == ["Kettle"]
    assert view(shop.conn, Request("GET", "/search", {"q": "mug"})) == ["Mug"]
    assert view(shop.conn, Request("GET", "/search", {"q": "kettle"})) == ["Kettle"]
    assert shop.selects == 2
    post = cached_view_fixed(pages, add_to_cart)
    for _ in range(2):
        assert post(shop.conn, Request("POST", "/cart", {"product": "1"})) == "added"
    assert cart_size(shop) == 2
