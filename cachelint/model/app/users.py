"""User context: which code runs on behalf of one user, and which values come from that user.

A value is *user-derived* when it is, or is computed from, the identity of the user a
request or task runs for. Where the identity comes from:

- `request.user` (Django, DRF, Starlette): `request` a parameter so named or annotated
  as a request, `self.request`, or a `context` (`info.context.user`);
- Flask-Login's `current_user` (any `*.current_user` import), Tornado's
  `self.current_user`, Flask's `g.user` (a `g` attribute named for a user: `g.user_id`),
  Starlette's `request.state.user`;
- the session: `session["user_id"]`, `session.get("cart")`, `request.session[...]`,
  `request.session.session_key`, aiohttp's `await get_session(request)` (not a
  preference such as `session["lang"]`);
- a parameter named for a user or its id (`user`, `user_id`, `uid`, `account_id`,
  `customer_id`, `member_id`, `username`…), and `self.user`;
- a FastAPI parameter a current-user dependency fills: `user = Depends(get_current_user)`.

Values computed from it are user-derived too: attributes (`request.user.pk`), items,
string building, containers, comprehensions over it, calls that take it
(`Order.objects.filter(user=request.user)`, `load_usage(account_id)`; a function of
this module only when what it returns depends on it), through local assignments.
Flags and preferences are not the user's data: `is_staff`, `is_authenticated`,
`has_perm(...)`, `language`, `timezone`, comparisons, `bool(...)`.

Tenants (an organisation, an event, a site: `request.event`, `g.organization`, an
`org_id` parameter) are followed the same way, without sessions or user getters:
`tenant(expr, scope)` and `varies_with_tenant(expr, scope)`.

`model.users` answers per module: `identity(expr, scope)`, the user whose data a value
is; `varies_with_user(expr, scope)`, whether a value (a key part) changes with the user in
any way; `is_user_id(expr, scope)`, whether a value is only the user's id;
`context(function)`, the first place a function reads the user's identity;
`returned_user(function)`, the user a function's result comes from when its arguments
carry none; and `reads_user(view)`, the first read of the user or the session at all
(flags included, helpers followed), which decides whether a view's page differs per user.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import libcst as cst

from cachelint.model.app.views import Views
from cachelint.model.core.module import SourceModule
from cachelint.model.core.scopes import Binding, Scope, dotted, qualified_name
from cachelint.model.core.valueflow import Evaluator, is_self, parts
from cachelint.model.core.values import single_index, str_literal
from cachelint.model.core.words import words

# Nouns that name the party a request runs for, and the words that make a name its id.
_USER_NOUNS = frozenset({
    "user", "account", "customer", "member", "subscriber", "viewer", "owner", "player", "patient",
    "student", "employee", "profile", "principal", "me",
})
_ID_WORDS = frozenset({"id", "pk", "uid", "uuid", "guid", "name", "email"})
_ID_NAMES = frozenset({"uid", "userid", "username"})
_KEYS = frozenset({"id", "pk", "uuid", "guid", "uid", "userid", "username"})  # the last word of a name for an id alone
# Attributes, methods and session keys that hold a flag or a preference, not the user's data.
_FLAG_PREFIXES = ("is_", "has_", "can_", "check_", "should_")
_PREFERENCES = frozenset({
    "language", "lang", "locale", "timezone", "tz", "theme", "currency", "country", "region",
    "role", "roles", "groups", "permissions", "perms", "scopes",  # what the user may do: checked, not shown
})
_SESSION_DATA = frozenset({"cart", "basket", "carts", "baskets"})  # per-visitor data kept in the session
_PERMISSION_METHODS = frozenset({"has_perm", "has_perms", "has_module_perms", "check_password", "get_all_permissions"})
# Verbs that name a change made on the user's behalf (the user is the actor, not the subject).
_ACTIONS = frozenset({
    "add", "create", "post", "submit", "vote", "like", "unlike", "follow", "unfollow", "record", "log",
    "save", "update", "delete", "remove", "mark", "toggle", "send", "notify", "publish", "approve",
    "reject", "assign", "invite", "join", "leave", "rate", "comment", "reply", "register", "track",
    "increment", "incr", "bump", "claim", "reserve", "book", "cancel", "upvote", "downvote", "star",
    "pin", "flag", "report", "place", "checkout", "purchase", "buy", "redeem", "accept", "share",
})
_NOT_DATA_BUILTINS = frozenset({"bool", "isinstance", "issubclass", "hasattr", "callable", "type", "id"})
_REQUEST_NAMES = frozenset({"request", "req"})
_REQUEST_HOLDERS = frozenset({"request", "req", "context"})  # `<...>.request.user`, `info.context.user`
_INJECTORS = ("Depends", "Security")
_SESSION_GETTERS = frozenset({"get", "pop", "setdefault"})
_FLASK_GLOBALS = frozenset({"flask.g", "quart.g"})
_FLASK_SESSIONS = frozenset({"flask.session", "quart.session"})
_SESSION_FACTORIES = frozenset({"aiohttp_session.get_session", "aiohttp_session.new_session"})
_SESSION_FACTORY_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in _SESSION_FACTORIES)
# Framework methods of class-based views (DRF's GenericAPIView, Django's SingleObjectMixin)
# that read their rows through another method the class may override.
_READS_FROM = {"get_object": "get_queryset"}
_HELPER_DEPTH = 2  # calls into the module's own functions followed when reading a view
_OTHER_HANDLERS = frozenset({"post", "put", "patch", "delete"})  # not run for the GET a page cache keeps
# Every request handler of a class-based view or a DRF viewset.
_HANDLERS = _OTHER_HANDLERS | {
    "get", "head", "options", "list", "retrieve", "create", "update", "partial_update", "destroy",
}


@dataclass(frozen=True, eq=False)
class Identity:
    """A user-derived value: `source` spells the user it comes from (`request.user`,
    `account_id`, `session["user_id"]`), `user_id` how to put that user's id in a key
    (`request.user.pk`, `account_id`)."""

    source: str
    user_id: str
    # `self.get_object()` when the object is looked up in a queryset filtered by the user:
    # one object the user may see, which is the same whoever sees it.
    looked_up: str | None = None


# Shortcuts that look one row up in the rows they are given (first argument) and raise when
# there is none.
_ONE_ROW_LOOKUPS = {"get_object_or_404": "django.shortcuts.get_object_or_404"}


@dataclass(frozen=True)
class _Request:
    """A web request object."""


@dataclass(frozen=True)
class _Globals:
    """Flask's `g`."""


@dataclass(frozen=True, eq=False)
class _Session:
    """A session object: `spelling` is how the code names it."""

    spelling: str
    node: cst.CSTNode

    @property
    def source(self) -> str:
        return self.spelling


Value = Identity | _Request | _Globals | _Session | None
# Parameters of a module function being followed, bound to what the caller passed.
Env = dict[tuple[Scope | None, str], Value]


def names_a_user(name: str) -> bool:
    """`user`, `current_user`, `account`: a name whose value is the user (or account) itself."""
    found = words(name)
    return bool(found) and found[-1] in _USER_NOUNS and name.lower() != "owner"


def names_a_user_id(name: str) -> bool:
    """`user_id`, `uid`, `account_pk`, `customerId`, `username`: a name for a user's id."""
    found = words(name)
    if name.lower().replace("_", "") in _ID_NAMES or (found and found[-1] == "userid"):
        return True
    return len(found) >= 2 and found[-1] in _ID_WORDS and found[-2] in _USER_NOUNS


@dataclass(frozen=True)
class _Party:
    """Whom data can belong to: the user a request runs for, or the tenant it runs in (an
    organisation, an event, a site). `nouns` name the party; `on_request` are the request
    attributes a middleware puts it in (`request.user`; `request.event`). Only the user
    has a session, a `current_user` and user getters."""

    nouns: frozenset[str]
    on_request: frozenset[str]
    personal: bool

    def names(self, name: str) -> bool:
        """`user`, `current_user`; `organization`, `request_event`: a name for the party itself."""
        if self.personal:
            return names_a_user(name)
        found = words(name)
        return bool(found) and found[-1] in self.nouns

    def names_id(self, name: str) -> bool:
        """`user_id`, `uid`; `org_id`, `event_slug`: a name for the party's id."""
        if self.personal:
            return names_a_user_id(name)
        found = words(name)
        return len(found) >= 2 and found[-1] in _ID_WORDS | {"slug"} and found[-2] in self.nouns


_USER = _Party(_USER_NOUNS, frozenset({"user"}), personal=True)
# Tenants: what multi-tenant apps scope data by, which a middleware or the URL gives.
_TENANT_NOUNS = frozenset({
    "tenant", "organization", "organisation", "org", "organizer", "organiser", "event", "site", "team",
    "workspace", "company",
})
_TENANT = _Party(_TENANT_NOUNS, _TENANT_NOUNS, personal=False)
# A tenant noun as a word of a name (`request.event`, `org_id`, `Organization`), in
# lower-cased text; the byte before it is tested apart (see _names_tenant_word).
_TENANT_WORD = re.compile(rb"(?:" + b"|".join(sorted(n.encode() for n in _TENANT_NOUNS)) + rb")(?![a-z])")


def _names_tenant_word(text: bytes) -> bool:
    """Whether a tenant noun is a word of `text`, in any case. The regex finds the nouns
    without a look-behind for the letter before them, which would make it try every byte
    of the module (3 ms on a 120 kB one); with none, it skips to a noun's first letter."""
    lowered = text.lower()
    return any(not lowered[found.start() - 1:found.start()].isalpha() for found in _TENANT_WORD.finditer(lowered))


def _names_session_user(key: str) -> bool:
    """A session key that holds the user or their cart: `user_id`, `_auth_user_id`, `cart`."""
    found = words(key)
    return names_a_user(key) or names_a_user_id(key) or any(word in _SESSION_DATA for word in found)


def _names_user_getter(callee: str) -> bool:
    """`get_user`, `get_current_user`, `authorized_userid`, `get_jwt_identity`: a function
    named for giving the current user or their id."""
    found = words(callee)
    if not found:
        return False
    if found[-1] in _USER_NOUNS:
        return found[-1] == "user" or "current" in found
    return found[-1] in ("userid", "identity") or names_a_user_id(callee)


def _acts(callee: str) -> bool:
    """`add_comment`, `vote`, `record_view`: a callee named for a change it makes."""
    found = words(callee)
    return bool(found) and found[0] in _ACTIONS


def _is_flag(name: str) -> bool:
    return name.startswith(_FLAG_PREFIXES) or name.lower() in _PREFERENCES or name in _PERMISSION_METHODS


class Users:
    """Per-module answers about user context, computed on demand and remembered."""

    def __init__(self, source: SourceModule, views: Views) -> None:
        self.source = source
        self._data = _Values(source, views, flags=False, any_user=False)
        self._page = _Values(source, views, flags=True, any_user=False)
        self._keys = _Values(source, views, flags=True, any_user=True)
        self._tenant_data = _Values(source, views, flags=False, any_user=False, party=_TENANT)
        self._tenant_keys = _Values(source, views, flags=True, any_user=True, party=_TENANT)
        self._names_a_tenant: bool | None = None
        self._contexts: dict[cst.FunctionDef, Identity | None] = {}
        self._reads: dict[cst.CSTNode, Identity | _Session | None] = {}

    def identity(self, expr: cst.CSTNode, scope: Scope) -> Identity | None:
        """The user whose data `expr`'s value is, or None; for a `cst.Param`, the parameter's."""
        return _identity(self._data, expr, scope)

    def varies_with_user(self, expr: cst.CSTNode, scope: Scope) -> bool:
        """Whether `expr`'s value changes with the user in any way: their id, a flag of
        theirs, any item of the session, an object made on their behalf (a key part that
        does so keeps users' entries apart)."""
        return _identity(self._keys, expr, scope) is not None

    def tenant(self, expr: cst.CSTNode, scope: Scope) -> Identity | None:
        """The tenant (`request.event`, `org_id`, `g.organization`) whose data `expr`'s
        value is, or None: `Order.objects.filter(event=request.event)`."""
        return _identity(self._tenant_data, expr, scope)

    def names_a_tenant(self) -> bool:
        """Whether the module's text names a tenant at all: where it does not, no value is
        a tenant's (a cheap test before any value is followed)."""
        if self._names_a_tenant is None:
            self._names_a_tenant = _names_tenant_word(self.source.source)
        return self._names_a_tenant

    def varies_with_tenant(self, expr: cst.CSTNode, scope: Scope) -> bool:
        """Whether `expr`'s value changes with the tenant in any way (a key part or a
        receiver, `request.event.cache`, that keeps tenants' entries apart)."""
        return _identity(self._tenant_keys, expr, scope) is not None

    def is_user_id(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        """Whether `expr` is only the user's id (`user_id`, `request.user.pk`, `str(uid)`):
        a value that says who, not what of theirs."""
        return self._data.is_id(expr, scope)

    def is_tenant_id(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        """Whether `expr` is only the tenant's id (`org_id`, `request.event.pk`)."""
        return self._tenant_data.is_id(expr, scope)

    def returned_user(self, function: cst.FunctionDef) -> Identity | None:
        """The user what `function` returns comes from when its arguments carry no user:
        one it reads from outside (`current_user`, `g.user`, the session). A result
        memoised by the function's arguments does not vary with that user."""
        if function not in self.source.functions:
            return None
        return self._data.returned_without_arguments(function)

    def context(self, function: cst.FunctionDef) -> Identity | None:
        """The first read of the user's identity in `function` itself (flags do not count):
        what makes it run on behalf of a user. Nested functions are not looked into."""
        if function not in self._contexts:
            info = self.source.functions.get(function)
            found = _first_read(self._data, function.body, info.scope, session=False) if info else None
            self._contexts[function] = found if isinstance(found, Identity) else None
        return self._contexts[function]

    def reads_user(self, node: cst.FunctionDef | cst.ClassDef) -> Identity | _Session | None:
        """The first read of the user or the session (flags included) in what a view runs
        for a GET: the function, or for a class-based view every method of its class but
        the other HTTP methods' handlers (the framework calls `get_queryset` and the like),
        and for one handler (`retrieve`) every method but the other handlers; and the
        module's functions these call."""
        if node not in self._reads:
            function_scope = self.source.functions[node].scope if isinstance(node, cst.FunctionDef) else None
            holder = function_scope.enclosing.node if function_scope and function_scope.enclosing.kind == "class" else node
            if isinstance(holder, cst.ClassDef):
                # A page cache on one handler (`retrieve`) runs for it alone, not for its siblings.
                skipped = _OTHER_HANDLERS if holder is node else _HANDLERS
                methods = [s for s in holder.body.body if isinstance(s, cst.FunctionDef)
                           and (s is node or s.name.value not in skipped)]
            else:  # a function (a class is its own holder)
                methods = [node] if isinstance(node, cst.FunctionDef) else []
            self._reads[node] = next(
                (found for method in methods if (found := self._read_in(method, _HELPER_DEPTH)) is not None), None
            )
        return self._reads[node]

    def reads_in(self, node: cst.CSTNode, scope: Scope) -> Identity | _Session | None:
        """The first read of the user or the session (flags included) in `node`, an
        expression or statement evaluated in `scope` (a key function's lambda)."""
        return _first_read(self._page, node, scope, session=True)

    def _read_in(self, function: cst.FunctionDef, depth: int) -> Identity | _Session | None:
        info = self.source.functions.get(function)
        if info is None:
            return None
        found = _first_read(self._page, function.body, info.scope, session=True)
        if found is not None or depth == 0:
            return found
        for call in info.calls:
            if not isinstance(call.func, cst.Name):
                continue  # module functions, called by name: `helper(request)`
            callee = self.source.call_resolver.function_called(call.func, info.scope, self.source.spans.start(call))
            if callee is not None and callee is not function:
                found = self._read_in(callee, depth - 1)
                if found is not None:
                    return found
        return None


class _Values(Evaluator[Value]):
    """Evaluates expressions to what they hold: the user, a request, `g`, a session, or
    nothing of interest. At its strictest a value holds the user when it is their data:
    not a flag (`request.user.is_staff`), a preference, a session item other than the
    user's, or what a call acting on their behalf gives back. With `flags`, flags,
    preferences and every session item count too (a page that shows any of them differs
    per user); with `any_user`, so do some user's id (`order.customer_id`) and what is
    made on a user's behalf (a key part holding any of them keeps users' entries apart)."""

    def __init__(self, source: SourceModule, views: Views, flags: bool, any_user: bool,
                 party: _Party = _USER) -> None:
        super().__init__(source)
        self.views = views
        self.flags = flags
        self.any_user = any_user
        self.party = party
        self._plain: dict[tuple, Identity | None] = {}  # results of functions called with nothing of the user
        self._id_attribute: str | None = None

    def value(self, expr: cst.BaseExpression, scope: Scope) -> Value:
        return self._value(expr, scope, {}, 0)

    def is_id(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> bool:
        """`user_id`, `request.user.pk`, `str(uid)`, `session["user_id"]`: the user's id alone."""
        if depth > 3:
            return False
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value in ("str", "int") \
                and len(expr.args) == 1:
            return self.is_id(expr.args[0].value, scope, depth + 1)
        if isinstance(expr, cst.Name):
            bindings = self.source.reaching.bindings(expr.value, scope, self.source.spans.start(expr))
            if len(bindings) != 1:
                return False
            binding = bindings[0]
            if binding.kind == "param":
                found = words(expr.value)
                return bool(found) and found[-1] in _KEYS and self.parameter(expr.value, binding, {}) is not None
            return binding.kind == "assign" and isinstance(binding.value, cst.BaseExpression) \
                and self.is_id(binding.value, binding.scope, depth + 1)
        if isinstance(expr, cst.Attribute):
            name = expr.attr.value
        elif isinstance(expr, cst.Subscript):
            name = str_literal(single_index(expr)) or ""
        else:
            return False
        found = words(name)
        return bool(found) and found[-1] in _KEYS and isinstance(self.value(expr, scope), Identity)

    def _first_identity(self, exprs, scope: Scope, env: Env, depth: int) -> Identity | None:
        return self._first(exprs, scope, env, depth, Identity)

    def _compound(self, expr: cst.BaseExpression, scope: Scope, env: Env, depth: int) -> Value:
        if isinstance(expr, cst.Lambda):
            return self._first_identity([expr.body], scope, env, depth)
        operands = _operands(expr)
        if isinstance(expr, cst.Dict):
            # A record that names the user (`{"body": body, "editor": user_id}`) is not their data.
            operands = [operand for operand in operands if not self.is_id(operand, scope)]
        return self._first_identity(operands, scope, env, depth)

    # ------------------------------------------------------------------ names

    def _name(self, name: cst.Name, scope: Scope, env: Env, depth: int) -> Value:
        position = self.source.spans.start(name)
        for binding in self.source.reaching.bindings(name.value, scope, position):
            value = self._binding(name.value, binding, env, depth)
            if isinstance(value, Identity) and binding.kind == "assign" and binding.scope is scope \
                    and not env and self.party.names_id(name.value):
                return Identity(value.source, name.value)  # `uid = request.user.id`: key on `uid`
            if value is not None:
                return value
        return None

    def _binding(self, name: str, binding: Binding, env: Env, depth: int) -> Value:
        if binding.kind == "import":
            qualified = str(binding.value)
            if qualified in _FLASK_GLOBALS:
                return _Globals()
            if not self.party.personal:
                return None
            if qualified in _FLASK_SESSIONS:
                return _Session(name, binding.scope.node)
            if qualified.rsplit(".", 1)[-1] == "current_user" and "." in qualified:
                return Identity(name, f"{name}.id")
            return None
        if binding.kind == "param":
            return self.parameter(name, binding, env)
        if binding.kind in ("assign", "with", "for") and isinstance(binding.value, cst.BaseExpression):
            return self._value(binding.value, binding.scope, env, depth + 1)
        function = binding.value
        if isinstance(function, cst.FunctionDef) and function in self.source.functions and function not in self._active:
            # A function passed to be called with no arguments: `get_or_set(key, build)`.
            return self.returned_without_arguments(function, depth + 1)
        return None

    def returned_without_arguments(self, function: cst.FunctionDef, depth: int = 0) -> Identity | None:
        return self._returned(function, {(self.source.functions[function].scope, ""): None}, depth)

    def parameter(self, name: str, binding: Binding, env: Env) -> Value:
        if (binding.scope, name) in env:
            return env[(binding.scope, name)]
        if any(scope is binding.scope for scope, _ in env):
            return None  # a parameter of a followed function its caller did not pass
        param = binding.value
        if name in _REQUEST_NAMES or _is_request_annotation(binding.annotation):
            return _Request()
        if self.party.names_id(name):
            return Identity(name, name)
        if self.party.names(name) or (self.party.personal and self._injected_user(param)):
            return Identity(name, f"{name}.{self._id()}")
        return None

    def _injected_user(self, param: object) -> bool:
        """A FastAPI parameter a current-user dependency fills: `Depends(get_current_user)`."""
        if not isinstance(param, cst.Param):
            return False
        candidates = [param.default] if param.default is not None else []
        annotation = param.annotation.annotation if param.annotation else None
        if isinstance(annotation, cst.Subscript):  # Annotated[User, Depends(get_current_user)]
            candidates += [e.slice.value for e in annotation.slice if isinstance(e.slice, cst.Index)]
        for candidate in candidates:
            if not isinstance(candidate, cst.Call) or not candidate.args:
                continue
            marker = dotted(candidate.func) or ""
            if marker.rsplit(".", 1)[-1] in _INJECTORS:
                dependency = dotted(candidate.args[0].value) or ""
                if any(word in _USER_NOUNS for word in words(dependency)):
                    return True
        return False

    def _id(self) -> str:
        """How the module's framework names a record's id: `pk` in Django, else `id`."""
        if self._id_attribute is None:
            self._id_attribute = "pk" if "django" in self.views.frameworks else "id"
        return self._id_attribute

    # ------------------------------------------------------------------ attributes and items

    def _attribute(self, expr: cst.Attribute, scope: Scope, env: Env, depth: int) -> Value:
        attr = expr.attr.value
        if is_self(expr.value, scope):
            function = scope.function
            if function is not None and any(bound is function for bound, _ in env) and (
                    function, expr.value.value) not in env:
                return None  # `self` is an argument its caller did not pass
            if attr == "request":
                return _Request()
            if self.party.names(attr) or self.party.names_id(attr):  # self.user, self.current_user (Tornado)
                return Identity(f"self.{attr}", self._spell_id(f"self.{attr}", attr))
            return None
        base = self._value(expr.value, scope, env, depth + 1)
        party = self.party
        holds_request = base is None and attr in party.on_request and _holds_request(expr.value) and not (
            isinstance(expr.value, cst.Attribute) and is_self(expr.value.value, scope))
        if isinstance(base, _Request) or holds_request:
            if attr in party.on_request:
                spelling = self._code(expr)
                return Identity(spelling, f"{spelling}.{self._id()}")
            if attr == "session" and party.personal:
                return _Session(self._code(expr), expr)
            if attr == "state":  # Starlette's `request.state.user`, set by a middleware, as Flask's `g`
                return _Globals()
            return None
        if isinstance(base, _Globals):
            if party.names(attr) or party.names_id(attr):
                spelling = self._code(expr)
                return Identity(spelling, spelling if party.names_id(attr) else f"{spelling}.id")
            return None
        if isinstance(base, _Session):
            return Identity(base.spelling, self._code(expr)) if attr == "session_key" else None
        if isinstance(base, Identity) and not self.flags and _is_flag(attr):
            return None
        if base is None and self.any_user and (party.names(attr) or party.names_id(attr)):
            spelling = self._code(expr)  # `order.customer_id`: some user's, which is enough for a key
            return Identity(spelling, spelling)
        return base if isinstance(base, Identity) else None

    def _spell_id(self, spelling: str, attr: str) -> str:
        return spelling if self.party.names_id(attr) else f"{spelling}.{self._id()}"

    def _subscript(self, expr: cst.Subscript, scope: Scope, env: Env, depth: int) -> Value:
        base = self._value(expr.value, scope, env, depth + 1)
        index = str_literal(single_index(expr))
        if isinstance(base, _Session):
            return self._session_item(base, index, expr)
        if isinstance(base, Identity):
            return base
        indexes = [e.slice.value for e in expr.slice if isinstance(e.slice, cst.Index)]
        return self._first_identity(indexes, scope, env, depth)  # `usage[user_id]`

    def _session_item(self, session: _Session, index: str | None, expr: cst.CSTNode) -> Identity | None:
        """`session["user_id"]`, `session.get("cart")`; for a view's page, any item of the session.
        The id to key on is the user's id item, else the session's own key."""
        if not self.flags and not (index and _names_session_user(index)):
            return None
        spelling = self._code(expr)
        if index and names_a_user_id(index):
            user_id = spelling.replace('"', "'")
        elif isinstance(session.node, cst.Attribute):  # Django's request.session
            user_id = f"{session.spelling}.session_key"
        else:
            user_id = "session['user_id']"
        return Identity(spelling, user_id)

    # ------------------------------------------------------------------ calls

    def _call(self, call: cst.Call, scope: Scope, env: Env, depth: int) -> Value:
        func = call.func
        if _callee_name(call) in _SESSION_FACTORY_NAMES and \
                qualified_name(func, scope, self.source.spans.start(call)) in _SESSION_FACTORIES:
            return _Session(self._code(call), call)  # `session = await get_session(request)`
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            own = self._own_method(func, scope)
            if own is not None:  # `self.get_queryset()`: what the class's own method returns
                found = self._helper(own, call, scope, env, depth, method=True)
                if isinstance(found, Identity) and own.name.value != method:  # `get_object()` of the queryset
                    return dataclasses.replace(found, looked_up=self._code(call))
                return found
            receiver = self._value(func.value, scope, env, depth + 1)
            if isinstance(receiver, _Session):
                if method in _SESSION_GETTERS and call.args:
                    return self._session_item(receiver, str_literal(call.args[0].value), call)
                return None
            if not self.flags and _is_flag(method):
                return None
            if isinstance(receiver, Identity):
                if method == "get" and call.args and all(arg.keyword is not None for arg in call.args):
                    return dataclasses.replace(receiver, looked_up=self._code(call))  # one row of the user's rows
                return receiver
            if self.party.personal and _names_user_getter(method) and self._gets_user(call, scope, env, depth):
                return self._got_user(call)
            return self._arguments(call, method, scope, env, depth)
        if isinstance(func, cst.Name):
            if not self.flags and (func.value in _NOT_DATA_BUILTINS or _is_flag(func.value)):
                return None
            if self.party.personal and _names_user_getter(func.value) and self._gets_user(call, scope, env, depth):
                return self._got_user(call)
            bindings = scope.lookup(func.value, self.source.spans.start(call))
            target = bindings[0].value if len(bindings) == 1 else None
            if isinstance(target, cst.FunctionDef) and target in self.source.functions:
                return self._helper(target, call, scope, env, depth)
            found = self._arguments(call, func.value, scope, env, depth)
            if found is not None and func.value in _ONE_ROW_LOOKUPS and len(call.args) > 1 and \
                    qualified_name(func, scope, self.source.spans.start(call)) == _ONE_ROW_LOOKUPS[func.value]:
                # `get_object_or_404(Project.objects.visible_for(user), slug=slug)`: one row the
                # user may see, the same whoever sees it (as `get_object()` of the user's queryset).
                return dataclasses.replace(found, looked_up=self._code(call))
            return found
        return self._arguments(call, "", scope, env, depth)

    def _gets_user(self, call: cst.Call, scope: Scope, env: Env, depth: int) -> bool:
        """A user getter called with nothing, or with the request: `get_user(request)`."""
        return all(isinstance(self._value(a.value, scope, env, depth + 1), (_Request, _Session)) for a in call.args)

    def _got_user(self, call: cst.Call) -> Identity:
        spelling = self._code(call)
        return Identity(spelling, spelling if names_a_user_id(_callee_name(call)) else f"{spelling}.{self._id()}")

    def _arguments(self, call: cst.Call, callee: str, scope: Scope, env: Env, depth: int) -> Identity | None:
        """The user a call's result comes from through its arguments, comparisons included:
        `select(Order).where(Order.user_id == uid)` is a query filtered by the user. A call
        that acts on something else on the user's behalf (`add_comment(post_id, user_id,
        text)`) gives back data about that something, not the user's: the user is its actor."""
        for argument in call.args:
            value = argument.value
            operands = [value.left, *(c.comparator for c in value.comparisons)] if isinstance(value, cst.Comparison) \
                else [value]
            found = self._first_identity(operands, scope, env, depth)
            if not isinstance(found, Identity):
                continue
            if not self.any_user and _acts(callee) and any(
                other is not argument and not self._is_constant(other.value, scope) for other in call.args
            ):
                return None
            return found
        return None

    def _is_constant(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        """A literal, a constant, a class or an import: not a value the call acts on."""
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)):
            return True
        if isinstance(expr, cst.Attribute):
            return expr.attr.value.isupper() or qualified_name(expr, scope, self.source.spans.start(expr)) is not None
        if not isinstance(expr, cst.Name):
            return False
        if expr.value in ("None", "True", "False") or expr.value[:1].isupper():
            return True
        bindings = scope.lookup(expr.value, self.source.spans.start(expr))
        return bool(bindings) and all(
            b.kind in ("import", "def") or (b.kind == "assign" and isinstance(b.value, (cst.SimpleString, cst.Integer)))
            for b in bindings
        )

    def _own_method(self, func: cst.Attribute, scope: Scope) -> cst.FunctionDef | None:
        """The class's own method `self.<name>()` runs; for a framework method the class does
        not define, the class's method it reads the rows from: DRF's and Django's
        `get_object()` looks the object up in `self.get_queryset()`."""
        function = scope.function
        if not is_self(func.value, scope) or function is None or function.owner is None:
            return None
        resolver = self.source.call_resolver
        own = resolver.method(function.owner, func.attr.value)
        if own is None and func.attr.value in _READS_FROM:
            return resolver.method(function.owner, _READS_FROM[func.attr.value])
        return own

    def _helper(self, function: cst.FunctionDef, call: cst.Call, scope: Scope, env: Env, depth: int,
                method: bool = False) -> Value:
        """What a function of this module returns, given what the call passes it; for a
        method called on `self`, `self` is passed through."""
        info = self.source.functions[function]
        if function in self._active:
            return None
        params = [*function.params.posonly_params, *function.params.params]
        keywords = {p.name.value for p in [*params, *function.params.kwonly_params]}
        inner: Env = {(info.scope, ""): None}  # marks the scope: parameters not passed hold nothing
        if method and params:
            caller = scope.function
            if caller is None or not any(bound is caller for bound, _ in env) or (caller, caller.self_name) in env:
                inner[(info.scope, params[0].name.value)] = None
            # else the caller's own `self` is an argument it was not passed (a memoised
            # method's, which its memoizer keys on): so is the helper's it passes on.
            params = params[1:]
        inner.update(self._bind_arguments(call, params, keywords, info.scope, scope, env, depth))
        return self._returned(function, inner, depth)

    def _returned(self, function: cst.FunctionDef, inner: Env, depth: int) -> Identity | None:
        """The user what `function` returns comes from, its parameters bound as in `inner`."""
        info = self.source.functions[function]
        # Called with nothing of the user, the result depends only on which parameters are passed.
        plain = None if any(value is not None for value in inner.values()) \
            else (function, frozenset(name for _, name in inner))
        if plain in self._plain:
            return self._plain[plain]
        self._active.add(function)
        try:
            returned = [r.value for r in info.returns if r.value is not None]
            found = self._first_identity(returned, info.scope, inner, depth)
        finally:
            self._active.discard(function)
        if plain is not None:
            self._plain[plain] = found
        return found

    def _code(self, node: cst.CSTNode) -> str:
        return " ".join(self.source.code(node).split())


def _identity(values: _Values, expr: cst.CSTNode, scope: Scope) -> Identity | None:
    if isinstance(expr, cst.Param):
        binding = next((b for b in scope.bindings.get(expr.name.value, ()) if b.kind == "param"), None)
        value = values.parameter(expr.name.value, binding, {}) if binding is not None else None
    elif isinstance(expr, cst.BaseExpression):  # a key part's node is a Param or an expression
        value = values.value(expr, scope)
    else:
        value = None
    return value if isinstance(value, Identity) else None


def _callee_name(call: cst.Call) -> str:
    func = call.func
    return func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""


def _operands(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The sub-expressions whose values make up `expr`'s value (not tests or comparisons)."""
    if isinstance(expr, cst.IfExp):
        return [expr.body, expr.orelse]
    if isinstance(expr, cst.UnaryOperation) and not isinstance(expr.operator, cst.Not):
        return [expr.expression]
    if isinstance(expr, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
        results = [expr.key, expr.value] if isinstance(expr, cst.DictComp) else [expr.elt]
        clause: cst.CompFor | None = expr.for_in
        while clause is not None:
            results.append(clause.iter)
            clause = clause.inner_for_in
        return results
    return parts(expr)


def _is_request_annotation(annotation: cst.BaseExpression | None) -> bool:
    spelled = dotted(annotation) if annotation is not None else None
    return spelled is not None and spelled.rsplit(".", 1)[-1].endswith("Request")


def _holds_request(expr: cst.BaseExpression) -> bool:
    """`info.context`, `self.context["request"]`: an expression whose name says it is a request."""
    if isinstance(expr, cst.Subscript):
        name = str_literal(single_index(expr))
    else:
        name = (dotted(expr) or "").rsplit(".", 1)[-1]
    return name in _REQUEST_HOLDERS




class _FirstRead(cst.CSTVisitor):
    """Finds the first expression in a function body that reads the user (or, with
    `session`, a session object): names, attribute chains, items and session getters."""

    def __init__(self, values: _Values, scope: Scope, session: bool) -> None:
        super().__init__()
        self.values = values
        self.scope = scope
        self.session = session
        self.found: Identity | _Session | None = None

    def _read(self, node: cst.BaseExpression) -> bool:
        value = self.values.value(node, self.scope)
        if isinstance(value, Identity) or (self.session and isinstance(value, _Session)):
            self.found = value
            return True
        return False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.found is not None or isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Param)):
            return False
        return super().on_visit(node)

    def visit_Name(self, node: cst.Name) -> bool:
        self._read(node)
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if not self._read(node) and not self._flag_of_user(node, node.attr.value):
            node.value.visit(self)
        return False

    def visit_Subscript(self, node: cst.Subscript) -> bool:
        return not self._read(node)

    def visit_Call(self, node: cst.Call) -> bool:
        func = node.func
        if isinstance(func, cst.Attribute):
            if isinstance(self.values.value(func.value, self.scope), _Session):
                self._read(node)
                return False
            if self._flag_of_user(func, func.attr.value):  # request.user.has_perm(...): its arguments only
                for arg in node.args:
                    arg.value.visit(self)
                return False
        return True

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)  # not the keyword's name
        return False

    def _flag_of_user(self, node: cst.Attribute, attr: str) -> bool:
        """`request.user.is_staff`: a flag of the user, which does not count as a read
        unless flags are data."""
        return (not self.values.flags and _is_flag(attr)
                and isinstance(self.values.value(node.value, self.scope), Identity))


def _first_read(values: _Values, node: cst.CSTNode, scope: Scope, session: bool) -> Identity | _Session | None:
    finder = _FirstRead(values, scope, session)
    node.visit(finder)
    return finder.found
