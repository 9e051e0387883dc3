"""CL016 error-response-cached: an HTTP error body, or an `except` branch's failure value, cached."""
from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from cachelint.model import Kind, ModuleModel
from cachelint.rules.base import Finding, Rule, RuleContext


class ErrorResponseCached(Rule):
    """
    ## What it does
    Flags a cache write that stores an HTTP response's body (`resp.json()`, `resp.text`,
    `resp.content`, a value taken with `.json().get("x")`, or the response itself) when
    nothing looked at the status between the request and the write: no
    `raise_for_status()`, `.ok`, `.status_code`/`.status` test, in the function or in
    the module's helper the request goes through. Also flags a write of a variable that
    an `except` branch set to a failure value (`None`, `{}`, `[]`, an error dict) after
    a `try` that fetches, stored under the data's key with the data's TTL.

    ## Why is this bad?
    requests, httpx and aiohttp return 4xx and 5xx responses like any other. Without a
    status check, the upstream's error page or `{"error": "rate limited"}` is cached as
    if it were the data, and served from the cache for the whole TTL, long after the
    upstream recovered. A failure value from an `except` does the same: one timeout
    turns into an hour of empty answers.

    A field taken by subscript (`resp.json()["rates"]`) is not flagged: an error body
    without it raises before the write.

    ## Example
    ```python
    def exchange_rates(base):
        rates = cache.get(f"fx:{base}")
        if rates is None:
            resp = requests.get(RATES_URL, params={"base": base}, timeout=5)
            rates = resp.json()
            cache.set(f"fx:{base}", rates, 3600)
        return rates
    ```

    ## Use instead
    ```python
    def exchange_rates(base):
        rates = cache.get(f"fx:{base}")
        if rates is None:
            resp = requests.get(RATES_URL, params={"base": base}, timeout=5)
            resp.raise_for_status()
            rates = resp.json()
            cache.set(f"fx:{base}", rates, 3600)
        return rates
    ```
    To remember a failure on purpose (a negative cache), store a sentinel the reader
    checks, with a TTL of its own, much shorter than the data's.
    """

    code = "CL016"
    name = "error-response-cached"
    summary = "An HTTP error body, or an except branch's failure value, cached under the data's key."

    VALID = [
        # The status is checked, here or in the helper the request goes through.
        """
        import httpx
        import requests
        from django.core.cache import cache

        def rates(base):
            resp = requests.get("https://fx.example/latest", params={"base": base}, timeout=5)
            resp.raise_for_status()
            cache.set(f"fx:{base}", resp.json(), 3600)

        def _get(path):
            response = httpx.get(f"https://api.example{path}", timeout=5)
            if response.status_code != 200:
                raise RuntimeError(response.text)
            return response.json()

        def plans():
            cache.set("billing:plans", _get("/plans"), 600)
        """,
        # A field taken by subscript: an error body raises before the write.
        """
        import requests
        from django.core.cache import cache

        def embedding(text_hash, text):
            resp = requests.post("https://llm.example/embed", json={"input": text}, timeout=10)
            vector = resp.json()["data"][0]["embedding"]
            cache.set(f"embedding:{text_hash}", vector, 86400)
            return vector
        """,
        # A deliberate negative cache: a sentinel with its own short TTL.
        """
        import requests
        from django.core.cache import cache

        UNAVAILABLE = "unavailable"

        def pricing(model):
            try:
                resp = requests.get(f"https://llm.example/pricing/{model}", timeout=5)
                resp.raise_for_status()
            except requests.HTTPError:
                cache.set(f"pricing:{model}", UNAVAILABLE, 60)
                return None
            data = resp.json()
            cache.set(f"pricing:{model}", data, 3600)
            return data
        """,
        # `except KeyError` is an answer, not a failure to fetch.
        """
        from django.core.cache import cache

        def setting(name, settings):
            try:
                value = settings[name]
            except KeyError:
                value = None
            cache.set(f"setting:{name}", value, 300)
        """,
    ]

    INVALID = [
        """
        import requests
        from django.core.cache import cache

        def exchange_rates(base):
            rates = cache.get(f"fx:{base}")
            if rates is None:
                resp = requests.get("https://fx.example/latest", params={"base": base}, timeout=5)
                rates = resp.json()
                cache.set(f"fx:{base}", rates, 3600)  # expect: CL016
            return rates

        def forecast(city):
            data = requests.get(f"https://weather.example/{city}", timeout=5).json().get("forecast")
            cache.set(f"forecast:{city}", data, 1800)  # expect: CL016
            return data
        """,
        # Through a helper that does not check; aiohttp; a session.
        """
        import aiohttp
        import requests
        from django.core.cache import cache

        session = requests.Session()

        def _fetch(path):
            return session.get(f"https://api.example{path}", timeout=5).json()

        def plans():
            cache.set("billing:plans", _fetch("/plans"), 600)  # expect: CL016

        async def avatar(user_id):
            async with aiohttp.ClientSession() as http:
                async with http.get(f"https://avatars.example/{user_id}") as resp:
                    body = await resp.read()
            await cache.aset(f"avatar:{user_id}", body, 86400)  # expect: CL016
        """,
        # The failure value of an `except`, cached like the data.
        """
        import requests
        from django.core.cache import cache

        def stock_levels(sku):
            try:
                resp = requests.get(f"https://warehouse.example/stock/{sku}", timeout=3)
                resp.raise_for_status()
                levels = resp.json()
            except requests.RequestException:
                levels = {}
            cache.set(f"stock:{sku}", levels, 900)  # expect: CL016
            return levels
        """,
    ]

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        responses = model.responses
        for op in model.ops:
            if op.kind is not Kind.WRITE or op.value is None:
                continue
            body = responses.unchecked_body(op.value, op.scope, op.order)
            if body is not None:
                request = " ".join(model.code(body.request.func).split())
                taken = "the response" if body.taken == "the response" else f"the body (`{body.taken}`)"
                message = (
                    f"{taken} of `{request}(…)` is cached with no status check on the way: an upstream "
                    f"error page or error JSON is served from the cache until the entry expires; check the status "
                    f"first (`raise_for_status()`, `.ok`, `.status_code`)"
                )
                yield Finding(op.node, op.statement, message)
                continue
            if isinstance(op.value, cst.Name):
                fallback = responses.failure_fallback(op.value, op.scope, op.order)
                if fallback is not None:
                    handler = fallback.handler
                    caught = f"except {model.code(handler.type)}" if handler.type is not None else "except"
                    message = (
                        f"`{op.value.value}` is `{model.code(fallback.value)}` when the fetch fails (the `{caught}` "
                        f"branch), and is cached like the data: the failure is served until the entry expires; "
                        f"return without caching, or cache a sentinel with a short TTL of its own"
                    )
                    yield Finding(op.node, op.statement, message)
