"""CL008 sensitive-data-cached: secrets, tokens, auth state, balances, stock counts or
payment/order status put in a cache."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import libcst as cst

from cachelint.model import CacheOp, KeyShape, Kind, ModuleModel, RowKind, StoredData, WholeRow, contains, words
from cachelint.rules.base import Finding, Option, OptionError, Rule, RuleContext

CATEGORIES: dict[str, tuple[str, ...]] = {
    "credentials": (
        "password", "passwd", "pwd", "password_hash", "hashed_password", "secret", "api_key", "private_key",
    ),
    "tokens": ("session_token", "access_token", "refresh_token", "sessionid", "jwt"),
    "auth-state": ("is_authenticated", "permissions", "is_admin", "auth_state"),
    "money-and-stock": ("balance", "inventory", "stock_count", "quantity_available"),
    "payment-status": ("payment_status", "order_status"),
    "custom": (),  # what `extend-terms = [...]` adds
}
ALL = "all"  # in allow-namespaces: every category
_CONSEQUENCES = {
    "credentials": "anyone who can read the cache can read it",
    "tokens": "anyone who can read the cache can use it",
    "auth-state": "a revoked permission or a logout is ignored until the entry expires",
    "money-and-stock": "it is served stale until the entry expires",
    "payment-status": "it is served stale until the entry expires",
    "custom": "the project keeps it out of caches",
}
# What these categories risk is a leak to whoever can read the cache; a cache in the
# process's own memory (a dict, cachetools, functools) is read by nobody else.
_LEAKS = frozenset({"credentials", "tokens"})
# A digest of a password can be brute-forced back; one of a random token or key cannot.
_GUESSABLE = frozenset({"password", "passwd", "pwd", "password_hash", "hashed_password"})
# A whole row of one of these tables or models holds a password hash.
USERS_TABLES = frozenset({
    "user", "users", "account", "accounts", "customer", "customers", "member", "members", "auth_user",
    "profile", "profiles",
})
_PASSWORD_HASH = "password_hash"
_EXPIRY_WORDS = frozenset({"expires", "expiry", "expiration", "exp"})
_TERM = re.compile(r"[A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Term:
    text: str
    category: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    shown: str  # what the message quotes: `password_hash`, `row["api_key"]`
    term: Term
    row: WholeRow | None = None


@dataclass(frozen=True)
class Denylist:
    terms: tuple[Term, ...]  # longest first, so that a message names the most specific term
    allowed: dict[str, frozenset[str]]  # key namespace -> categories accepted there
    _matches: dict[str, Term | None] = field(default_factory=dict, compare=False, repr=False)

    def match(self, text: str) -> Term | None:
        if text not in self._matches:
            text_words = words(text)
            # A term can only match where its first word, or that word's plural, occurs.
            present = {form for word in text_words for form in (word, word[:-1], word[:-2])}
            self._matches[text] = next(
                (term for term in self.terms
                 if term.words and term.words[0] in present and contains(text_words, term.words)),
                None,
            )
        return self._matches[text]

    def term(self, text: str) -> Term | None:
        return next((term for term in self.terms if term.text == text), None)

    def allows(self, shape: KeyShape | None, category: str) -> bool:
        """Whether the key's namespace accepts `category` (`allow-namespaces`)."""
        start = _constant_start(shape)
        return any(
            _in_namespace(start, namespace) and (category in categories or ALL in categories)
            for namespace, categories in self.allowed.items()
        )


def _constant_start(shape: KeyShape | None) -> str:
    """The key's constant start: `session:` for `session:{sid}`, and for a key behind a
    prefix from elsewhere (`f"{PREFIX}:session:{sid}"`) the constant text after it."""
    if shape is None:
        return ""
    for part in shape.parts:
        if part.is_constant:
            return part.text if part is shape.first else part.text.lstrip(":._-/|")
        if not part.opaque:
            return ""
    return ""


def _in_namespace(start: str, namespace: str) -> bool:
    """`session` holds `session`, `session:1`, `session_9`, `session-x`, but not `sessions:1`."""
    if not start.startswith(namespace):
        return False
    rest = start[len(namespace):]
    return not rest or not namespace[-1].isalnum() or not rest[0].isalnum()


# ---------------------------------------------------------------- options


def _check_terms(value: Any, *path: str) -> None:
    if not isinstance(value, list):
        raise OptionError(f"expected a list of terms, got {value!r}", *path)
    for term in value:
        if not isinstance(term, str) or not _TERM.fullmatch(term):
            raise OptionError(f"`{term}` is not a term: write it as an identifier, such as `loyalty_points`", *path)


def _check_ignore_terms(value: Any) -> None:
    _check_terms(value)
    defaults = {words(term) for terms in CATEGORIES.values() for term in terms}
    for term in value:
        if words(term) not in defaults:
            raise OptionError(f"`{term}` is not a default term (remove added terms from `extend-terms` instead)")


def _check_extend_terms(value: Any) -> None:
    if isinstance(value, list):
        _check_terms(value)
        return
    for category, terms in value.items():
        if category not in CATEGORIES:
            raise OptionError(f"unknown category (known: {', '.join(CATEGORIES)})", category)
        _check_terms(terms, category)


def _check_allow_namespaces(value: Any) -> None:
    for namespace, categories in value.items():
        if not namespace:
            raise OptionError("a namespace cannot be empty", namespace)
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            raise OptionError(f"expected a list of categories, got {categories!r}", namespace)
        for category in categories:
            if category not in CATEGORIES and category != ALL:
                raise OptionError(f"unknown category `{category}` (known: {', '.join(CATEGORIES)}, {ALL})", namespace)


def denylist(options: dict[str, Any]) -> Denylist:
    """The terms and allowed namespaces the rule's (checked) options describe."""
    extend = options.get("extend-terms", [])
    added = {"custom": extend} if isinstance(extend, list) else extend
    return _denylist(
        tuple((category, tuple(terms)) for category, terms in added.items()),
        tuple(options.get("ignore-terms", [])),
        tuple((namespace, tuple(categories)) for namespace, categories in options.get("allow-namespaces", {}).items()),
    )


@lru_cache(maxsize=32)
def _denylist(added: tuple[tuple[str, tuple[str, ...]], ...], ignore: tuple[str, ...],
              allow: tuple[tuple[str, tuple[str, ...]], ...]) -> Denylist:
    extra = dict(added)
    ignored = {words(term) for term in ignore}
    terms = [
        Term(text, category, words(text))
        for category, defaults in CATEGORIES.items()
        for text in (*defaults, *extra.get(category, ()))
    ]
    terms = [term for term in terms if term.words not in ignored]
    terms.sort(key=lambda term: -len(term.words))
    return Denylist(tuple(terms), {namespace: frozenset(categories) for namespace, categories in allow})


class SensitiveDataCached(Rule):
    """
    ## What it does
    Flags a cache write whose stored value is, or is built from, sensitive data:
    credentials and password hashes, session and access tokens, authentication state and
    permissions, balances and stock counts, payment and order status. A word of the key
    alone is not enough (`jwt:revoked:{jti}` may hold `True`): what is looked at is

    - the stored value: its names, attribute names and the keys of a dict literal
      (`{"balance": account.balance}`), and the names each name in it was assigned one
      assignment back;
    - the columns of the SQL that produced it (`SELECT api_key, webhook_url FROM …`) and
      the fields of an ORM `.values(…)`, `.values_list(…)` or `.only(…)`.

    A `SELECT *` (or `t.*`) from a users table, or whole model instances of a users model
    (`User.objects.get(…)`, `session.get(User, uid)`, `request.user`, `current_user`),
    stored as they are or through a serializer that keeps every field (`json.dumps`,
    `pickle.dumps`, `model_to_dict`), counts as caching the password hash.
    A users table is one named user(s), account(s), customer(s), member(s), auth_user or
    profile(s).

    Credentials and tokens put in a cache in the process's own memory (a module-level
    dict, cachetools) are not flagged: nobody else reads that memory, and the process
    holds them anyway. Auth state, balances and statuses are, as they go stale there too.
    Nor is what an encrypting call returns (`fernet.encrypt(token)`, `encrypt_password(pw)`):
    the cache holds ciphertext; nor a digest of a token or key (`hashlib.sha256(token)`),
    which cannot be turned back. A fast hash or HMAC of a password is flagged: it can be
    brute-forced. Nor is a token a service issued to the application, cached with a TTL
    read from its own expiry (`cache.set(k, token, token.expires_in - 60)`): that is how a
    client of an OAuth service is meant to keep its access token.

    Words are matched whole: snake_case and camelCase are split, and a term such as
    `password_hash` must appear as those words in a row. `token_count` is not a token,
    `price` is not a balance, `stock_symbol` is not a stock count.

    ## Why is this bad?
    A cache is shared and loosely guarded: every process with the cache's address can
    read every entry, entries end up in dumps, replicas and debug tools, and nobody audits
    them like a database. Secrets and tokens kept there leak. Authorisation state kept
    there outlives the logout or the revoked permission it reflects. Balances, stock
    counts and payment status change with every transaction: a cached "3 items left" or
    "payment pending" is wrong until the entry expires, and decisions are made on it.

    ## Example
    ```python
    def user_record(user_id):
        row = db.execute("SELECT * FROM users WHERE id = %s", (user_id,)).fetchone()
        r.set(f"user:{user_id}", json.dumps(row), ex=300)

    def remember_login(user_id, session_token):
        r.set(f"login:{user_id}", session_token, ex=86400)
    ```

    ## Use instead
    ```python
    def user_record(user_id):
        row = db.execute("SELECT id, display_name FROM users WHERE id = %s", (user_id,)).fetchone()
        r.set(f"user:{user_id}", json.dumps(row), ex=300)
    ```
    Keep tokens in the session store that is meant for them, and read balances, stock and
    payment status from the database when they are needed.

    ## Options
    In `[tool.cachelint.rules.sensitive-data-cached]`:

    - `extend-terms`: more terms, as a list (category `custom`) or as a table of category
      to list: `extend-terms = { money-and-stock = ["loyalty_points"] }`.
    - `ignore-terms`: default terms not to look for: `ignore-terms = ["pwd"]`.
    - `allow-namespaces`: key namespaces where categories are accepted, as a table of
      namespace to categories (`all` for every one):
      `allow-namespaces = { session = ["tokens", "auth-state"] }`. A namespace holds the
      keys that start with it and a separator (`session:{sid}`, `session_{sid}`), also
      behind a prefix the module does not know (`f"{PREFIX}:session:{sid}"`).

    The categories are `credentials`, `tokens`, `auth-state`, `money-and-stock`,
    `payment-status` and `custom`.
    """

    code = "CL008"
    name = "sensitive-data-cached"
    summary = "Secrets, tokens, auth state, balances, stock or payment status put in a cache."

    options = {
        "extend-terms": Option(
            (list, dict), [], "More terms: a list, or a table of category to list.", _check_extend_terms,
        ),
        "ignore-terms": Option(list, [], "Default terms not to look for.", _check_ignore_terms),
        "allow-namespaces": Option(
            dict, {}, "Key namespace -> categories (or `all`) accepted under it.", _check_allow_namespaces,
        ),
    }

    VALID = [
        # the app's own OAuth token, kept no longer than the expiry the service gave it
        """
        from django.core.cache import cache

        def service_token(client):
            token = client.fetch_token()
            lifetime = token.expires_in - 60
            cache.set(f"oauth:{client.id}", {"access_token": token.access_token, "type": token.token_type}, lifetime)
            return token
        """,
        # near misses: each default term's words, almost
        """
        import redis

        r = redis.Redis()

        def profile(uid, settings, account):
            r.set(f"ui:{uid}", settings.passwordless_login, ex=60)
            r.set(f"ops:{uid}:shell", settings.chpasswd_path, ex=60)
            r.set(f"ops:{uid}:dir", settings.oldpwd, ex=60)
            r.set(f"blob:{uid}", settings.content_hash, ex=60)
            r.set(f"blob:{uid}:url", settings.hashed_url, ex=60)
            r.set(f"staff:{uid}", settings.secretary_name, ex=60)
            r.set(f"api:{uid}", settings.api_version, ex=60)
            r.set(f"tls:{uid}", settings.public_key, ex=60)
            r.set(f"ui:{uid}:timeout", settings.session_timeout, ex=60)
            r.set(f"usage:{uid}", settings.token_count, ex=60)
            r.set(f"usage:{uid}:level", settings.access_level, ex=60)
            r.set(f"ui:{uid}:refresh", settings.refresh_interval, ex=60)
            r.set(f"telescope:session:{uid}", settings.session_id, ex=60)
            r.set(f"oidc:{uid}", settings.jwks_url, ex=60)
            r.set(f"audit:{uid}", settings.last_authenticated_at, ex=60)
            r.set(f"ui:{uid}:denied", settings.permission_denied_message, ex=60)
            r.set(f"site:{uid}", settings.admin_email, ex=60)
            r.set(f"sso:{uid}", settings.auth_provider, ex=60)
            r.set(f"infra:{uid}", settings.load_balancer_url, ex=60)
            r.set(f"jobs:{uid}", settings.inventorying_job, ex=60)
            r.set(f"quote:{uid}", settings.stock_symbol, ex=60)
            r.set(f"shop:{uid}:colors", settings.available_colors, ex=60)
            r.set(f"checkout:{uid}", settings.payment_method, ex=60)
            r.set(f"order:{uid}:total", account.order_total, ex=60)
            r.set(f"product:{uid}:price", account.price, ex=60)
        """,
        # only some columns of a users table; a field read from a user instance
        """
        import json
        from django.core.cache import cache
        from django.contrib.auth.models import User

        def user_card(db, user_id):
            row = db.execute("SELECT id, display_name FROM users WHERE id = %s", (user_id,)).fetchone()
            cache.set(f"user:{user_id}:card", json.dumps(row), 600)

        def user_names(user_id):
            names = list(User.objects.filter(team=user_id).values_list("username", flat=True))
            cache.set(f"team:{user_id}:names", names, 600)
            user = User.objects.get(pk=user_id)
            cache.set(f"user:{user_id}:email", user.email, 600)
            cache.set(f"users:count", User.objects.count(), 600)

        def products(db):
            rows = db.execute("SELECT * FROM products").fetchall()
            cache.set("products:all", rows, 600)
        """,
        # what an encrypting call returns is ciphertext
        """
        import json

        import redis
        from cryptography.fernet import Fernet

        r = redis.Redis()

        def remember(uid, record, oauth, crypto: Fernet):
            ciphertext = encryptPassword(json.dumps(record))
            r.set(f"auth:{uid}", ciphertext, ex=60)
            r.set(f"oauth:{uid}", crypto.encrypt(oauth.access_token.encode()), ex=60)
        """,
        # credentials and tokens in the process's own memory: a client per secret, a token
        """
        import boto3

        _client_cache = {}
        _token_cache = {}

        def s3_client(storage):
            key = f"{storage.access_key_id}:{storage.secret_access_key}"
            if key not in _client_cache:
                _client_cache[key] = boto3.client("s3", aws_secret_access_key=storage.secret_access_key)
            return _client_cache[key]

        def remember(uid, oauth):
            _token_cache[uid] = oauth.access_token
        """,
            # A word of the key alone says nothing of the value: a revocation marker holds
        # `True`; a digest of a random token cannot be turned back into the token.
        """
        import hashlib

        from django.core.cache import cache

        def logout(claims):
            cache.set(f"jwt:revoked:{claims['jti']}", True, timeout=3600)

        def remember_owner(access_token, user_id):
            digest = hashlib.sha256(access_token.encode("utf-8")).hexdigest()
            cache.set(f"tokowner:{digest}", user_id, 900)
            cache.set(f"tokseen:{user_id}", hashlib.sha256(access_token.encode("utf-8")).hexdigest(), 900)
        """,
    ]

    INVALID = [
        # credentials
        """
        import redis

        r = redis.Redis()

        def remember(uid, user, form, keys):
            r.set(f"user:{uid}:pw", user.password, ex=60)  # expect: CL008
            r.set(f"user:{uid}:pw2", form.passwd, ex=60)  # expect: CL008
            r.set(f"user:{uid}:pw3", form.pwd, ex=60)  # expect: CL008
            r.set(f"user:{uid}:hash", user.password_hash, ex=60)  # expect: CL008
            r.set(f"user:{uid}:hash2", user.hashed_password, ex=60)  # expect: CL008
            r.set(f"app:{uid}", {"client_secret": keys.client}, ex=60)  # expect: CL008
            r.set(f"app:{uid}:key", keys.api_key, ex=60)  # expect: CL008
            r.set(f"tls:{uid}", keys.private_key, ex=60)  # expect: CL008
            r.set(f"user:{uid}:pw4", decrypt_password(user.password_hash), ex=60)  # expect: CL008
        """,
        # tokens
        """
        import redis

        r = redis.Redis()

        def remember(uid, session_token, oauth, cookies, jwt):
            r.set(f"login:{uid}", session_token, ex=60)  # expect: CL008
            r.set(f"oauth:{uid}", oauth.access_token, ex=60)  # expect: CL008
            r.set(f"oauth:{uid}:r", oauth.refresh_token, ex=60)  # expect: CL008
            r.set(f"web:{uid}", cookies["sessionid"], ex=60)  # expect: CL008
            r.set(f"api:{uid}", jwt, ex=60)  # expect: CL008
        """,
        # a token minted for the cache
        """
        import jwt
        import redis

        r = redis.Redis()

        def service_token(audience, signing_key):
            token = jwt.encode({"aud": audience}, signing_key, algorithm="HS256")
            r.set(f"svc:{audience}", token, ex=300)  # expect: CL008
            return token
        """,
        # auth state, in the key or the value
        """
        import hashlib

        from django.core.cache import cache

        def check_password_later(uid, password):
            cache.set(f"pwcheck:{uid}", hashlib.sha256(password.encode()).hexdigest(), 900)  # expect: CL008

        def remember(request, uid, permissions, user):
            cache.set(f"authn:{uid}", request.user.is_authenticated, 60)  # expect: CL008
            cache.set(f"user:{uid}:perms", permissions, 60)  # expect: CL008
            cache.set(f"user:{uid}:admin", user.is_admin, 60)  # expect: CL008
            cache.set(f"sso:{uid}", {"auth_state": "pending"}, 60)  # expect: CL008
        """,
        # money and stock, payment and order status
        """
        import redis

        r = redis.Redis()

        def remember(uid, sku, account, item, order):
            r.set(f"wallet:{uid}", account.balance, ex=60)  # expect: CL008
            r.set(f"sku:{sku}", item.inventory, ex=60)  # expect: CL008
            r.set(f"sku:{sku}:left", item.stock_count, ex=60)  # expect: CL008
            r.set(f"sku:{sku}:avail", item.quantity_available, ex=60)  # expect: CL008
            r.set(f"order:{uid}:pay", order.payment_status, ex=60)  # expect: CL008
            r.set(f"order:{uid}", order.order_status, ex=60)  # expect: CL008
        """,
        # in the process's own memory, what goes stale is still flagged
        """
        _wallet_cache = {}

        def remember(uid, account):
            _wallet_cache[uid] = account.balance  # expect: CL008
        """,
        # the SQL or the ORM query that produced the value, one assignment back
        """
        import json
        from django.core.cache import cache
        from django.contrib.auth.models import User

        def user_record(db, user_id):
            row = db.execute("SELECT * FROM users WHERE id = %s", (user_id,)).fetchone()
            cache.set(f"user:{user_id}:record", json.dumps(row), 300)  # expect: CL008

        def developer_app(cursor, user_id):
            cursor.execute("SELECT api_key, webhook_url FROM developer_apps WHERE owner_id = %s", (user_id,))
            app = cursor.fetchone()
            cache.set(f"devapp:{user_id}", app, 300)  # expect: CL008

        def members(team_id):
            users = list(User.objects.filter(team=team_id))
            cache.set(f"team:{team_id}:members", users, 300)  # expect: CL008

        def wallets(team_id):
            cache.set(f"team:{team_id}:wallets", list(Wallet.objects.values("owner", "balance_cents")), 300)  # expect: CL008
        """,
    ]

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        deny = denylist(context.options)
        stored = StoredData(model)
        for op in model.ops:
            if op.kind is not Kind.WRITE:
                continue
            shapes = model.key_shapes(op) or (None,)
            hits = _hits(deny, model, stored, op, shapes)
            if op.library.in_process:
                hits = ((hit, shape) for hit, shape in hits if hit.term.category not in _LEAKS)
            hits = _unless_expiring_with_the_token(model, op, hits)
            reported = _first_reported(deny, shapes, hits)
            if reported is not None:
                hit, shape = reported
                yield Finding(op.node, op.statement, _message(model, hit, shape or shapes[0]))


def _hits(deny: Denylist, model: ModuleModel, stored: StoredData, op: CacheOp,
          shapes: tuple[KeyShape | None, ...]) -> Iterator[tuple[Hit, KeyShape | None]]:
    """Each sensitive thing the write stores, with the key shape it is under (None: any)."""
    for named in stored.names(op):
        term = deny.match(named.spelled)
        if term is not None and not (named.digested and term.text not in _GUESSABLE):
            yield Hit(named.shown, term), None
    password_hash = deny.term(_PASSWORD_HASH)
    if password_hash is not None:
        for row in stored.rows(op):
            if _is_users(row):
                yield Hit(row.entity, password_hash, row), None


def _unless_expiring_with_the_token(model: ModuleModel, op: CacheOp, hits: Iterator[tuple[Hit, KeyShape | None]]
                                    ) -> Iterator[tuple[Hit, KeyShape | None]]:
    """`hits` without the tokens when the entry expires with the token; that is asked only
    at a token (reading the TTL's code costs a code generation per write)."""
    expires: bool | None = None
    for hit, shape in hits:
        if hit.term.category == "tokens":
            if expires is None:
                expires = _expires_with_the_token(model, op)
            if expires:
                continue
        yield hit, shape


def _expires_with_the_token(model: ModuleModel, op: CacheOp) -> bool:
    """`cache.set(k, {"access_token": ...}, token.expires_in - 60)`: the TTL is read from the
    expiry the issuing service gave the token (one assignment back), so the entry is the
    app's own credential kept for its lifetime, the way a client of that service is meant to."""
    ttl = op.ttl.argument if op.ttl is not None else None
    if ttl is None:
        return False
    spelled = [ttl]
    if isinstance(ttl, cst.Name):
        spelled += [b.value for b in model.reaching.bindings(ttl.value, op.scope, model.spans.start(ttl))
                    if b.kind == "assign" and isinstance(b.value, cst.BaseExpression)]
    return any(_EXPIRY_WORDS.intersection(words(model.code(expr))) for expr in spelled)


def _first_reported(deny: Denylist, shapes: tuple[KeyShape | None, ...],
                    hits: Iterator[tuple[Hit, KeyShape | None]]) -> tuple[Hit, KeyShape | None] | None:
    """The first hit that some key it is stored under does not allow."""
    for hit, shape in hits:
        under = shapes if shape is None else (shape,)
        if not all(deny.allows(each, hit.term.category) for each in under):
            return hit, shape
    return None


def _is_users(row: WholeRow) -> bool:
    name = row.entity if row.kind is RowKind.TABLE else "_".join(words(row.entity))
    return name.lower() in USERS_TABLES


def _message(model: ModuleModel, hit: Hit, shape: KeyShape | None) -> str:
    category = hit.term.category
    under = f" under `{shape.render(model.code)}`" if shape is not None else ""
    consequence = _CONSEQUENCES[category]
    if hit.row is None:
        return f"caches `{hit.shown}` ({category}){under}: {consequence}"
    what = {
        RowKind.TABLE: f"every column of `{hit.row.entity}` (`SELECT *`)",
        RowKind.MODEL: f"whole `{hit.row.entity}` instances",
        RowKind.CURRENT_USER: f"the whole `{hit.row.shown}` object",
    }[hit.row.kind]
    return (f"caches {what}{under}, the password hash included ({category}): {consequence}; "
            f"cache only the fields that are needed")
