"""CL001 beyond its examples: where it points, what it says, and the fix it offers."""
from __future__ import annotations

from tests.conftest import lint


def _only(source: str):
    diagnostics = lint(source, select=("CL001",))
    assert len(diagnostics) == 1, diagnostics
    return diagnostics[0]


def test_points_at_the_if_test_and_offers_an_unsafe_is_none_fix():
    diagnostic = _only(
        """
        from django.core.cache import cache

        def archive(year):
            months = cache.get(f"archive:{year}")
            if not months:
                months = list(load_months(year))
                cache.set(f"archive:{year}", months, 600)
            return months
        """
    )
    assert (diagnostic.location.row, diagnostic.location.column) == (6, 8)
    assert (diagnostic.end_location.row, diagnostic.end_location.column) == (6, 18)
    assert "`if not months:`" in diagnostic.message and "`cache.get()` (Django)" in diagnostic.message
    assert "empty collection, which `list(load_months(year))` (line 7) can store" in diagnostic.message
    assert "test `months is None` instead" in diagnostic.message
    assert diagnostic.fix.applicability == "unsafe"
    assert [edit.content for edit in diagnostic.fix.edits] == ["months is None"]


def test_a_walrus_test_is_parenthesised_by_the_fix():
    diagnostic = _only(
        """
        import redis

        r = redis.Redis()

        def room(room_id):
            if raw := r.get(f"room:{room_id}"):
                return raw
            raw = load_room(room_id).strip()
            r.set(f"room:{room_id}", raw, ex=60)
            return raw
        """
    )
    assert [edit.content for edit in diagnostic.fix.edits] == ['(raw := r.get(f"room:{room_id}")) is not None']


def test_or_points_at_the_expression_without_a_fix():
    diagnostic = _only(
        """
        from flask_caching import Cache

        cache = Cache()

        def tally(survey_id):
            return cache.get(f"tally:{survey_id}") or count_votes(survey_id)

        def refresh(survey_id):
            cache.set(f"tally:{survey_id}", len(votes(survey_id)), 300)
        """
    )
    assert (diagnostic.location.row, diagnostic.location.column) == (7, 12)
    assert diagnostic.fix is None
    assert "compare the result with `is None`" in diagnostic.message


def test_a_compound_test_is_reported_without_a_fix():
    diagnostic = _only(
        """
        from django.core.cache import cache

        def stats(pk):
            data = cache.get(f"stats:{pk}")
            if not data or data["version"] != 2:
                data = dict(compute_stats(pk))
                cache.set(f"stats:{pk}", data, 60)
            return data
        """
    )
    assert diagnostic.fix is None


def test_a_falsy_default_asks_for_a_sentinel():
    diagnostic = _only(
        """
        import diskcache

        disk = diskcache.Cache("/tmp/c")

        def thumbnail(path):
            data = disk.get(f"thumb:{path}", default=b"")
            if not data:
                data = render(path).strip()
                disk.set(f"thumb:{path}", data, expire=600)
            return data
        """
    )
    assert diagnostic.fix is None
    assert "a miss gives `b\"\"`" in diagnostic.message and "sentinel" in diagnostic.message


def test_dogpile_misses_are_no_value():
    diagnostic = _only(
        """
        import json

        from dogpile.cache import make_region

        region = make_region().configure("dogpile.cache.memory", expiration_time=300)

        def rates(currency):
            value = region.get(f"rates:{currency}")
            if not value:
                value = json.loads(fetch_rates(currency))
                region.set(f"rates:{currency}", value)
            return value
        """
    )
    assert diagnostic.fix is None
    assert "test `value is NO_VALUE` instead" in diagnostic.message


def test_a_subscript_read_raises_on_a_miss():
    diagnostic = _only(
        """
        _PAGE_CACHE = {}

        def page(slug):
            html = _PAGE_CACHE[slug]
            if not html:
                html = render(slug).strip()
                _PAGE_CACHE[slug] = html
            return html
        """
    )
    assert diagnostic.fix is None
    assert "KeyError" in diagnostic.message and "`key in cache`" in diagnostic.message


def test_only_one_finding_per_test():
    diagnostics = lint(
        """
        from django.core.cache import cache

        def pair(a, b):
            left = cache.get(f"item:{a}")
            right = cache.get(f"item:{b}")
            if not left or not right:
                left, right = load_pair(a, b)
                cache.set(f"item:{a}", left.count(), 60)
                cache.set(f"item:{b}", right.count(), 60)
            return left, right
        """,
        select=("CL001",),
    )
    assert [d.location.row for d in diagnostics] == [7]


def test_none_stored_asks_for_a_sentinel_and_offers_no_fix():
    diagnostic = _only(
        """
        from django.core.cache import cache

        from .models import Profile

        def profile(user_id):
            found = cache.get(f"profile:{user_id}")
            if not found:
                found = Profile.objects.filter(user_id=user_id).first()
                cache.set(f"profile:{user_id}", found, 600)
            return found
        """
    )
    assert diagnostic.fix is None
    assert "`None` is a cached value here too" in diagnostic.message and "`is MISSING`" in diagnostic.message


def test_values_that_are_never_falsy_are_not_reported():
    assert lint(
        """
        from django.core.cache import cache

        from .models import Product

        def product(pk):
            found = cache.get(f"product:{pk}")
            if not found:
                found = Product.objects.get(pk=pk)
                cache.set(f"product:{pk}", found, 300)
            return found

        def hits(pk):
            count = cache.get(f"hits:{pk}")
            if not count:
                count = 1
                cache.set(f"hits:{pk}", count, 300)
            return count
        """,
        select=("CL001",),
    ) == []


# askbot's AvatarsBlockData: the read and the store are class methods of their own, and the
# list stored is what another method builds from recent activity, empty on a quiet site.
AVATARS = """
from django.core.cache import cache

class AvatarsBlockData:
    CACHE_KEY = "avatar-block-data"

    @classmethod
    def get_data(cls):
        data = cls.get_cached_data()
        if data:
            return data
        data = cls.get_fresh_data()
        cls.cache_data(data[:LIMIT])
        return data

    @classmethod
    def get_cached_data(cls):
        return cache.get(cls.CACHE_KEY)

    @classmethod
    def cache_data(cls, data):
        cache.set(cls.CACHE_KEY, data[:LIMIT])

    @classmethod
    def get_fresh_data(cls):
        data = {fresh}
        while len(data) < LIMIT:
            batch = cls.get_batch(data)
            if not batch:
                break
            data.extend(batch)
        return data[:LIMIT]

    @classmethod
    def push_user(cls, user):
        data = cls.get_data()
        data.insert(0, user_datum(user))
        cls.cache_data(data)
"""


def test_a_value_stored_through_helper_methods_is_followed_to_what_the_callers_pass():
    diagnostic = _only(AVATARS.format(fresh="[]"))
    assert diagnostic.location.row == 10
    assert "`if data:` reads a cached empty collection, which `cls.cache_data(data[:LIMIT])` (line 13) can store" \
        in diagnostic.message
    assert "`cache.get()` (Django)" in diagnostic.message


def test_helper_methods_that_only_ever_store_a_non_empty_list_are_silent():
    # The fresh list starts with the site's own entry, so no caller can pass an empty one.
    assert lint(AVATARS.format(fresh="[SITE_ENTRY]"), select=("CL001",)) == []


# A collection kept on the object: the method starts it empty, fills it from a query in a
# loop, and stores it (tandoor's automation aliases): a space without any stores `{}`.
GLOSSARY = """
from django.core.cache import cache

from .models import Term


class Glossary:
    def __init__(self, team):
        self.team = team
        self.terms = None

    def lookup(self, word):
        if self.terms is None:
            self.terms = {}
            key = f"glossary:{self.team.pk}"
            if cached := cache.get(key):
                self.terms = cached
            else:
                for term in Term.objects.filter(team=self.team):
                    self.terms[term.source] = term.target
                {between}
                cache.set(key, self.terms, 300)
        return self.terms.get(word, word)
"""


def test_an_attribute_started_empty_and_filled_in_a_loop_can_store_an_empty_collection():
    diagnostic = _only(GLOSSARY.replace("{between}", "pass"))
    assert diagnostic.location.row == 16
    assert "reads a cached empty collection, which `self.terms` (line 22) can store" in diagnostic.message


def test_an_attribute_a_method_of_the_object_may_set_in_between_is_unknown():
    assert lint(GLOSSARY.replace("{between}", "self.add_defaults()"), select=("CL001",)) == []


def test_an_attribute_the_object_is_handed_over_in_between_is_unknown():
    assert lint(GLOSSARY.replace("{between}", "add_defaults(self)"), select=("CL001",)) == []


def test_an_attribute_given_an_entry_on_every_path_is_never_empty():
    assert lint(GLOSSARY.replace("{between}", 'self.terms["*"] = "*"'), select=("CL001",)) == []


def test_an_attribute_the_method_does_not_set_on_every_path_is_unknown():
    source = GLOSSARY.replace("{between}", "pass").replace("            self.terms = {}\n", "")
    assert lint(source, select=("CL001",)) == []


def test_a_token_joined_from_characters_drawn_by_count_is_never_empty():
    # `random.choices(ALPHABET, k=N)` with N > 0 draws N one-character strings: joined, never "".
    source = """
        import random
        import string

        import redis

        r = redis.Redis()

        def session_secret():
            secret = r.get("secret:session")
            if secret:
                return secret.decode()
            secret = "".join(random.choices(string.ascii_letters + string.digits, k={count}))
            r.set("secret:session", secret, ex=3600)
            return secret

        def nonce():
            value = r.get("nonce:current")
            if not value:
                value = "".join(random.sample("abcdef0123456789", {count}))
                r.set("nonce:current", value, ex=60)
            return value
        """
    assert lint(source.format(count=12), select=("CL001",)) == []
    assert [d.location.row for d in lint(source.format(count=0), select=("CL001",))] == [11, 19]
