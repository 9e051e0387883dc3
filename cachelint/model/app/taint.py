"""Request input (taint): which expressions carry text a client of the web app chose.

Sources (RULES.md CL005, CLIENTS.md §C): the request attributes each framework fills from
the request (Flask `request.args`, Django `request.GET`, DRF `request.query_params`,
Starlette `request.path_params`, aiohttp `request.match_info`, Falcon `req.get_param()`,
Tornado `self.get_argument()`…), Flask route parameters without a number or UUID
converter, and FastAPI endpoint parameters that reach the endpoint as text. A request
object is Flask's `request` (resolved through imports), a parameter named `request` or
`req` or annotated with a request class, or `self.request`.

Taint flows through assignments (across branches), containers, string building
(f-strings, `%`, `.format`, `+`, `.join`), string methods, slicing, `.get(...)` on a
tainted mapping, comprehensions, and calls to functions defined in the module (argument
to return). It ends at sanitisers (`int`, `uuid.UUID`, hashing, URL-quoting, base64,
`slugify`, `re.sub`, date parsing, configured ones), at a Werkzeug `get(name, type=…)`,
at a lookup in a mapping the module defines (`SORTS[sort]`), and where a check against a
constant collection, `isdigit()` or a full regex match guards the value. Everything is
intra-module: the result of a function imported from elsewhere is not request input.
"""
from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from cachelint.model.app.views import FLASK_REQUEST, Views
from cachelint.model.core.module import SourceModule
from cachelint.model.core.nodes import names_in
from cachelint.model.core.scopes import Binding, Scope, qualified_name
from cachelint.model.core.valueflow import Evaluator, is_self, parts
from cachelint.model.core.values import number_value, string_value

# Request attributes and methods that carry request input. Flask's global `request` has
# only Flask's; a `request` parameter may be any framework's, so it has all of them.
_FLASK_ATTRIBUTES = frozenset({"args", "form", "values", "json", "cookies", "headers", "view_args", "data"})
_FLASK_METHODS = frozenset({"get_json", "get_data"})
_ANY_ATTRIBUTES = _FLASK_ATTRIBUTES | {
    "GET", "POST", "COOKIES", "META", "body",  # Django
    "query_params",  # DRF, Starlette
    "path_params",  # Starlette
    "query", "match_info", "rel_url",  # aiohttp
    "params", "media",  # Falcon
    "arguments", "query_arguments", "body_arguments",  # Tornado's self.request
}
_ANY_METHODS = _FLASK_METHODS | {
    "get_param", "get_param_as_list", "get_header", "get_cookie_values",  # Falcon
    "json", "form", "body", "post", "text", "read", "multipart",  # awaited bodies: Starlette, aiohttp
}
# WSGI variables the server sets from the connection, not from what the client sent.
_SERVER_META = frozenset({"REMOTE_ADDR", "REMOTE_PORT", "SERVER_PORT", "SERVER_PROTOCOL", "REQUEST_METHOD"})
# Tornado RequestHandler methods that read the request.
_HANDLER_METHODS = frozenset({
    "get_argument", "get_arguments", "get_query_argument", "get_query_arguments",
    "get_body_argument", "get_body_arguments", "get_cookie",
})
_REQUEST_NAMES = frozenset({"request", "req"})
_REQUEST_TYPES = frozenset({
    "fastapi.Request", "starlette.requests.Request", "aiohttp.web.Request", "aiohttp.web_request.Request",
    "aiohttp.web.BaseRequest", "django.http.HttpRequest", "django.http.request.HttpRequest",
    "rest_framework.request.Request", "falcon.Request", "falcon.request.Request",
    "tornado.httputil.HTTPServerRequest", "flask.Request", "werkzeug.wrappers.Request",
})

# Calls whose result carries none of their arguments' text.
SANITISERS = frozenset({
    "uuid.UUID", "urllib.parse.quote", "urllib.parse.quote_plus", "urllib.parse.urlencode",
    "base64.urlsafe_b64encode", "base64.b64encode", "base64.b32encode", "base64.b16encode",
    "binascii.hexlify", "binascii.crc32", "zlib.crc32", "zlib.adler32",
    "django.utils.text.slugify", "slugify.slugify", "re.sub", "re.escape",
    "django.utils.http.urlencode", "django.utils.http.urlsafe_base64_encode",
    "datetime.date.fromisoformat", "datetime.datetime.fromisoformat", "datetime.time.fromisoformat",
    "datetime.datetime.strptime", "datetime.date.fromtimestamp", "datetime.datetime.fromtimestamp",
    "decimal.Decimal",
})
_SANITISING_PACKAGES = ("hashlib.", "hmac.")
_SANITISING_METHODS = frozenset({"hexdigest", "digest", "isoformat"})
_SANITISING_BUILTINS = frozenset({
    "int", "float", "bool", "len", "hash", "abs", "round", "ord", "complex", "id", "isinstance", "hasattr",
    "callable",
})
# Calls whose result carries their arguments' text.
_PROPAGATING_BUILTINS = frozenset({
    "str", "repr", "format", "list", "tuple", "set", "frozenset", "sorted", "reversed", "min", "max",
    "next", "iter", "dict",
})
_PROPAGATORS = frozenset({
    "django.utils.encoding.force_str", "django.utils.encoding.smart_str", "django.utils.encoding.force_text",
    "django.utils.encoding.smart_text", "django.utils.encoding.force_bytes", "django.utils.encoding.smart_bytes",
    "urllib.parse.unquote", "urllib.parse.unquote_plus", "json.dumps", "os.path.join", "posixpath.join",
    "html.escape", "django.utils.html.escape", "markupsafe.escape",
})
# Methods of a tainted value whose result still carries its text.
_MAPPING_GETTERS = frozenset({"get", "getlist", "getone", "getall", "get_all", "pop", "setdefault", "lists"})
_STRING_METHODS = frozenset({
    "lower", "upper", "strip", "lstrip", "rstrip", "replace", "title", "casefold", "capitalize", "swapcase",
    "encode", "decode", "format", "split", "rsplit", "splitlines", "partition", "rpartition", "removeprefix",
    "removesuffix", "zfill", "ljust", "rjust", "center", "expandtabs", "translate",
    "values", "items", "keys", "copy", "to_dict", "dict", "__getitem__",
})
# str methods that accept only safe text when true: a guard on them validates the value.
_VALIDATING_METHODS = frozenset({"isdigit", "isdecimal", "isnumeric", "isalnum", "isalpha", "isidentifier"})
_REGEX_MATCHES = frozenset({"re.fullmatch", "re.match"})
_CONSTANT_FACTORIES = frozenset({"frozenset", "set", "tuple", "list", "dict"})


@dataclass(frozen=True, eq=False)
class Taint:
    """Request input: `source` spells where it came from (`` `request.args["q"]` ``)."""

    source: str
    node: cst.CSTNode


@dataclass(frozen=True)
class _Request:
    """A request object; `flask` is Flask's global `request`, which has only Flask's attributes."""

    flask: bool

    @property
    def attributes(self) -> frozenset[str]:
        return _FLASK_ATTRIBUTES if self.flask else _ANY_ATTRIBUTES

    @property
    def methods(self) -> frozenset[str]:
        return _FLASK_METHODS if self.flask else _ANY_METHODS


@dataclass(frozen=True)
class _Model:
    """A FastAPI parameter validated into `cls`, a model of this module: its text fields are input."""

    cls: cst.ClassDef


Value = Taint | _Request | _Model | None
# What names mean in an evaluation: parameters of a helper being followed, comprehension targets.
Env = dict[tuple[Scope | None, str], Value]


@dataclass(frozen=True)
class _Guard:
    """`if <test>:` whose test is true only for safe values of `name` (`if x in ALLOWED:`), or
    with `negated`, true for every unsafe one (`if x not in ALLOWED:`)."""

    node: cst.If
    name: str
    negated: bool
    exits: bool  # the body leaves (raise/return/abort/continue/break) or rebinds the name


class TaintAnalysis(Evaluator[Value]):
    def __init__(self, source: SourceModule, views: Views, sanitisers: frozenset[str] = frozenset()) -> None:
        super().__init__(source)
        self.views = views
        self.sanitisers = sanitisers
        # Per scope: its branches (byte ranges) and the checks that guard names.
        self._flows: dict[cst.CSTNode, tuple[list[tuple[int, int]], list[_Guard]]] = {}

    def tainted(self, expr: cst.BaseExpression, scope: Scope) -> Taint | None:
        value = self._value(expr, scope, {}, 0)
        return value if isinstance(value, Taint) else None

    # ------------------------------------------------------------------ expressions

    def _any(self, exprs, scope: Scope, env: Env, depth: int) -> Taint | None:
        return self._first(exprs, scope, env, depth, Taint)

    def _compound(self, expr: cst.BaseExpression, scope: Scope, env: Env, depth: int) -> Value:
        # Exact types, cheaper than failing `isinstance` tests (no node class has subclasses).
        if type(expr) is cst.IfExp:
            return self._if_expression(expr, scope, env, depth)
        if type(expr) is cst.ListComp or type(expr) is cst.SetComp or type(expr) is cst.GeneratorExp or type(expr) is cst.DictComp:
            return self._comprehension(expr, scope, env, depth)
        if type(expr) is cst.BinaryOperation and not isinstance(expr.operator, (cst.Add, cst.Modulo)):
            return None  # only `+` and `%` build text from text
        return self._any(parts(expr), scope, env, depth)

    def _name(self, name: cst.Name, scope: Scope, env: Env, depth: int) -> Value:
        if (None, name.value) in env:  # a comprehension target
            return env[(None, name.value)]
        use = self._order(name)
        for binding in self.source.reaching.bindings(name.value, scope, use):
            value = self._binding_value(name.value, binding, env, depth)
            if isinstance(value, (_Request, _Model)):
                return value
            if isinstance(value, Taint):
                if binding.scope is scope and self._guarded(name.value, scope, binding.order, use):
                    return None
                return value
        return None

    def _binding_value(self, name: str, binding: Binding, env: Env, depth: int) -> Value:
        if binding.kind == "import":
            return _Request(flask=True) if binding.value in FLASK_REQUEST else None
        if binding.kind in ("assign", "with", "for") and isinstance(binding.value, cst.BaseExpression):
            return self._value(binding.value, binding.scope, env, depth + 1)
        parameter = binding.parameter
        if parameter is not None:
            return self._parameter(name, binding, parameter, env, depth)
        if (binding.scope, name) in env:  # `*parts` of a helper being followed
            return env[(binding.scope, name)]
        statement = binding.value
        if isinstance(statement, cst.AugAssign) and isinstance(statement.operator, (cst.AddAssign, cst.ModuloAssign)):
            return self._any([statement.target, statement.value], binding.scope, env, depth + 1)  # `key += q`
        return None

    def _parameter(self, name: str, binding: Binding, parameter: cst.Param, env: Env, depth: int) -> Value:
        if (binding.scope, name) in env:
            return env[(binding.scope, name)]
        if any(scope is binding.scope for scope, _ in env):
            return None  # a helper's parameter its caller did not pass
        if name in _REQUEST_NAMES or self._is_request_type(binding):
            return _Request(flask=False)
        function = binding.scope.node
        if not isinstance(function, cst.FunctionDef):
            return None
        source = self.views.parameter_source(function, name)
        if source is not None:
            return Taint(source, parameter)
        model = self.views.request_model(function, name)
        if model is not None:
            return _Model(model)
        dependency = self.views.dependency(function, name)
        if dependency is not None and dependency not in self._active:
            self._active.add(dependency)
            try:  # what the dependency returns, from its own request parameters
                returns = [r.value for r in self.source.functions[dependency].returns if r.value is not None]
                return self._any(returns, self.source.functions[dependency].scope, {}, depth + 1)
            finally:
                self._active.discard(dependency)
        return None

    def _is_request_type(self, binding: Binding) -> bool:
        annotation = binding.annotation
        return annotation is not None and qualified_name(annotation, binding.scope.enclosing, binding.order) in _REQUEST_TYPES

    def _attribute(self, expr: cst.Attribute, scope: Scope, env: Env, depth: int) -> Value:
        if qualified_name(expr, scope, self._order(expr)) in FLASK_REQUEST:
            return _Request(flask=True)
        if expr.attr.value == "request" and is_self(expr.value, scope):
            return _Request(flask=False)
        base = self._value(expr.value, scope, env, depth + 1)
        if isinstance(base, _Request):
            return Taint(self._spell(expr), expr) if expr.attr.value in base.attributes else None
        if isinstance(base, _Model):
            return Taint(self._spell(expr), expr) if self.views.is_text_field(base.cls, expr.attr.value) else None
        return base if isinstance(base, Taint) else None

    def _subscript(self, expr: cst.Subscript, scope: Scope, env: Env, depth: int) -> Value:
        entry = self._dict_entry(expr, scope, env)
        if entry is not None:
            return self._value(entry[0], entry[1], env, depth + 1)
        base = self._value(expr.value, scope, env, depth + 1)
        if not isinstance(base, Taint):
            return None  # a lookup in a mapping the client does not fill: `SORTS[sort]`
        if base.node is not expr.value:
            return base
        index = expr.slice[0].slice if len(expr.slice) == 1 else None
        if isinstance(index, cst.Index) and _is_server_variable(base.node, index.value):
            return None
        return Taint(self._spell(expr), expr)

    def _dict_entry(self, expr: cst.Subscript, scope: Scope, env: Env) -> tuple[cst.BaseExpression, Scope] | None:
        """`params["page"]` where `params = {"page": ..., "q": ...}`: that entry's value, not the others'."""
        index = expr.slice[0].slice if len(expr.slice) == 1 else None
        if not isinstance(index, cst.Index) or not isinstance(index.value, (cst.SimpleString, cst.Integer)):
            return None
        container, where = expr.value, scope
        if isinstance(container, cst.Name):
            if (None, container.value) in env:
                return None
            bindings = self.source.reaching.bindings(container.value, scope, self._order(expr))
            assigned = bindings[0].assigned if len(bindings) == 1 else None
            if assigned is None:
                return None
            container, where = assigned, bindings[0].scope
        if not isinstance(container, cst.Dict):
            return None
        wanted = _literal(index.value)
        for element in container.elements:
            if (isinstance(element, cst.DictElement) and isinstance(element.key, (cst.SimpleString, cst.Integer))
                    and _literal(element.key) == wanted):
                return element.value, where
        return None

    def _call(self, call: cst.Call, scope: Scope, env: Env, depth: int) -> Value:
        func = call.func
        qualified = qualified_name(func, scope, self._order(call))
        if qualified is not None:
            if self._sanitises(qualified):
                return None
            if qualified in _PROPAGATORS:
                return self._any([a.value for a in call.args], scope, env, depth)
        if isinstance(func, cst.Name):
            return self._call_name(call, func, scope, env, depth)
        if isinstance(func, cst.Attribute):
            return self._call_method(call, func, scope, env, depth)
        return None

    def _call_name(self, call: cst.Call, func: cst.Name, scope: Scope, env: Env, depth: int) -> Value:
        bindings = scope.lookup(func.value, self._order(call))
        if not bindings:  # a builtin
            if func.value in _PROPAGATING_BUILTINS:
                return self._any([a.value for a in call.args], scope, env, depth)
            if func.value == "map" and call.args and _is_name(call.args[0].value, "str"):
                return self._any([a.value for a in call.args[1:]], scope, env, depth)  # `map(str, parts)`
            return None
        target = bindings[0].value if len(bindings) == 1 else None
        if isinstance(target, cst.FunctionDef):
            if self._is_configured(target):
                return None
            return self._helper(target, call, scope, env, depth, method=False)
        if isinstance(target, cst.Call) and bindings[0].kind == "assign":
            return self._partial(target, bindings[0].scope, call, scope, env, depth)
        if isinstance(target, cst.Lambda) and bindings[0].kind == "assign":
            return self._lambda(target, call, bindings[0].scope, scope, env, depth)
        return None

    def _call_method(self, call: cst.Call, func: cst.Attribute, scope: Scope, env: Env, depth: int) -> Value:
        method = func.attr.value
        if method in _SANITISING_METHODS:
            return None
        if is_self(func.value, scope):
            if method in _HANDLER_METHODS:
                return Taint(self._spell(call), call)
            helper = self._own_method(method, scope)
            if helper is not None:
                return self._helper(helper, call, scope, env, depth, method=True)
        through_class = self.source.call_resolver.class_function(func, scope)
        if through_class is not None:  # `Keys.search(q)`: a static or class method of the module
            return self._helper(through_class[0], call, scope, env, depth, method=through_class[1])
        receiver = self._value(func.value, scope, env, depth + 1)
        if isinstance(receiver, _Request):
            return Taint(self._spell(call), call) if method in receiver.methods else None
        if isinstance(receiver, Taint):
            if method in _MAPPING_GETTERS:
                if method == "get" and _has_type_converter(call):
                    return None  # Werkzeug `request.args.get(name, type=int)`
                if receiver.node is not func.value:
                    return receiver
                if call.args and _is_server_variable(receiver.node, call.args[0].value):
                    return None
                return Taint(self._spell(call), call)
            return receiver if method in _STRING_METHODS else None
        if method in ("join", "format", "format_map"):
            return self._any([a.value for a in call.args], scope, env, depth)
        if method == "get" and len(call.args) > 1:  # ALLOWED.get(x, x): only the default can leak
            return self._value(call.args[1].value, scope, env, depth + 1)
        return None

    def _if_expression(self, expr: cst.IfExp, scope: Scope, env: Env, depth: int) -> Value:
        """`x if x in ALLOWED else "new"`, `"new" if x not in ALLOWED else x`: the checked side is safe."""
        for branch, negated in ((expr.body, False), (expr.orelse, True)):
            if isinstance(branch, cst.Name) and self._validates(expr.test, branch.value, scope, negated):
                continue
            value = self._value(branch, scope, env, depth + 1)
            if value is not None:
                return value
        return None

    def _comprehension(self, expr, scope: Scope, env: Env, depth: int) -> Value:
        inner = dict(env)
        clause = expr.for_in
        while clause is not None:
            value = self._value(clause.iter, scope, inner, depth + 1)
            for target in _target_names(clause.target):
                validated = any(self._validates(test.test, target, scope) for test in clause.ifs)
                inner[(None, target)] = None if validated else value
            clause = clause.inner_for_in
        results = (expr.key, expr.value) if isinstance(expr, cst.DictComp) else (expr.elt,)
        return self._any(results, scope, inner, depth)

    # ------------------------------------------------------------------ helpers

    def _helper(self, function: cst.FunctionDef, call: cst.Call, scope: Scope, env: Env, depth: int,
                method: bool, bound: Env | None = None, skip: int = 0) -> Value:
        """What a module function returns when called with these arguments (after `skip`
        positional parameters a `functools.partial` `bound`)."""
        info = self.source.functions.get(function)
        if info is None or function in self._active:
            return None
        params, keywords = _signature(function)
        if method:
            params = params[1:]
        inner: Env = dict(bound or {})
        inner.update(self._bind_arguments(call, params[skip:], keywords, info.scope, scope, env, depth))
        star = function.params.star_arg
        if isinstance(star, cst.Param):  # `*parts` holds the positional arguments left over
            extra = [a.value for a in call.args if a.keyword is None and not a.star][max(len(params) - skip, 0):]
            inner[(info.scope, star.name.value)] = self._any(extra, scope, env, depth)
        if not inner:
            inner[(info.scope, "")] = None  # marks the scope: unpassed parameters are clean
        self._active.add(function)
        try:
            for returned in info.returns:
                value = self._value(returned.value, info.scope, inner, depth + 1) if returned.value else None
                if value is not None:
                    return value
        finally:
            self._active.discard(function)
        return None

    def _partial(self, partial: cst.Call, defined_in: Scope, call: cst.Call, scope: Scope, env: Env,
                 depth: int) -> Value:
        """`key_for(q)` where `key_for = functools.partial(build_key, "search")` and
        `build_key` is a function of this module."""
        if qualified_name(partial.func, defined_in, self._order(partial)) != "functools.partial" or not partial.args:
            return None
        function = partial.args[0].value
        bindings = defined_in.lookup(function.value, self._order(partial)) if isinstance(function, cst.Name) else []
        target = bindings[0].value if len(bindings) == 1 else None
        if not isinstance(target, cst.FunctionDef) or self._is_configured(target) or any(a.star for a in partial.args):
            return None
        info = self.source.functions.get(target)
        if info is None:
            return None
        params, keywords = _signature(target)
        arguments = partial.with_changes(args=partial.args[1:])
        bound = self._bind_arguments(arguments, params, keywords, info.scope, defined_in, env, depth)
        skip = sum(1 for a in arguments.args if a.keyword is None)
        return self._helper(target, call, scope, env, depth, method=False, bound=bound, skip=skip)

    def _lambda(self, function: cst.Lambda, call: cst.Call, defined_in: Scope, scope: Scope, env: Env,
                depth: int) -> Value:
        params = [p.name.value for p in function.params.params]
        inner: Env = dict(env)
        for index, arg in enumerate(call.args):
            if not arg.star and arg.keyword is None and index < len(params):
                inner[(None, params[index])] = self._value(arg.value, scope, env, depth + 1)
        return self._value(function.body, defined_in, inner, depth + 1)

    def _own_method(self, name: str, scope: Scope) -> cst.FunctionDef | None:
        function = scope.function
        owner = function.owner if function is not None else None
        return self.source.call_resolver.method(owner, name) if owner is not None else None

    def _sanitises(self, qualified: str) -> bool:
        return (qualified in SANITISERS or qualified in self.sanitisers
                or qualified.startswith(_SANITISING_PACKAGES))

    def _is_configured(self, function: cst.FunctionDef) -> bool:
        """A configured sanitiser defined in this very module (`myapp/keys.py` for `myapp.keys.clean`)."""
        path = self.source.path.replace("\\", "/").removesuffix(".py").removesuffix("/__init__")
        name = function.name.value
        return any(
            s.rsplit(".", 1)[-1] == name and path.endswith(s.rsplit(".", 1)[0].replace(".", "/"))
            for s in self.sanitisers if "." in s
        )

    # ------------------------------------------------------------------ names and control flow

    def _order(self, node: cst.CSTNode) -> int:
        return self.source.spans.start(node)

    def _in_other_branch(self, position: int, use: int, scope: Scope) -> bool:
        """Whether `position` is in a branch (if/else, loop, try) that does not contain `use`."""
        return any(start <= position <= end and not start <= use < end for start, end in self._flow(scope)[0])

    def _flow(self, scope: Scope) -> tuple[list[tuple[int, int]], list[_Guard]]:
        if scope.node not in self._flows:
            body = scope.node.body if isinstance(scope.node, cst.FunctionDef) else scope.node
            finder = _Flow(self.source.spans, body)
            guards = [guard for node in finder.ifs for guard in self._guards_of(node, scope)]
            self._flows[scope.node] = (finder.blocks, guards)
        return self._flows[scope.node]

    def _guarded(self, name: str, scope: Scope, since: int, use: int) -> bool:
        """Whether a check after the binding at `since` lets only safe values reach `use`."""
        for guard in self._flow(scope)[1]:
            if guard.name != name:
                continue
            span = self.source.spans[guard.node]
            if since > span.start:
                continue  # rebound after the check
            if not guard.negated:
                if _contains(self.source.spans[guard.node.body], use):
                    return True
            elif guard.node.orelse is not None and _contains(self.source.spans[guard.node.orelse], use) or guard.exits and span.start + span.length <= use \
                    and not self._in_other_branch(span.start, use, scope):
                return True
        return False

    def _guards_of(self, node: cst.If, scope: Scope) -> list[_Guard]:
        guards = []
        for name in names_in(node.test):
            if self._validates(node.test, name, scope):
                guards.append(_Guard(node, name, False, False))
            elif self._validates(node.test, name, scope, negated=True):
                guards.append(_Guard(node, name, True, _exits_or_rebinds(node.body, name)))
        return guards

    def _validates(self, test: cst.BaseExpression, name: str, scope: Scope, negated: bool = False) -> bool:
        """True when `test` being true (with `negated`: being false) means `name` holds a
        safe value: `name in ALLOWED`, `name.isdigit()`, `re.fullmatch(PATTERN, name)`."""
        if isinstance(test, cst.BooleanOperation):
            left = self._validates(test.left, name, scope, negated)
            right = self._validates(test.right, name, scope, negated)
            # `a and b` true, or `a or b` false, says both hold: one check is enough.
            either = isinstance(test.operator, cst.Or if negated else cst.And)
            return (left or right) if either else (left and right)
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return self._validates(test.expression, name, scope, not negated)
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            target = test.comparisons[0]
            return (isinstance(target.operator, cst.NotIn if negated else cst.In) and _is_name(test.left, name)
                    and self._is_constant_collection(target.comparator, scope))
        if isinstance(test, cst.Call) and not negated:
            func = test.func
            if isinstance(func, cst.Attribute) and func.attr.value in _VALIDATING_METHODS:
                return _is_name(func.value, name) and not test.args
            qualified = qualified_name(func, scope, self._order(test))
            if qualified in _REGEX_MATCHES and len(test.args) >= 2:
                return _is_name(test.args[1].value, name) and _anchored(test.args[0].value, qualified)
            if isinstance(func, cst.Attribute) and func.attr.value == "fullmatch" and test.args:
                return _is_name(test.args[0].value, name)
        return False

    def _is_constant_collection(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> bool:
        """A collection the module fixes: a literal, an UPPER_CASE constant, `dict(CHOICES)`,
        `MAPPING.keys()`, or a name bound only to one of these."""
        if depth > 4:
            return False
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
            return True
        if isinstance(expr, cst.Attribute):  # self.ALLOWED_SORTS, settings.LANGUAGES
            return expr.attr.value.isupper()
        if isinstance(expr, cst.Call):
            func = expr.func
            if isinstance(func, cst.Name) and func.value in _CONSTANT_FACTORIES:
                return all(self._is_constant_collection(a.value, scope, depth + 1) for a in expr.args)
            if isinstance(func, cst.Attribute) and func.attr.value in ("keys", "values") and not expr.args:
                return self._is_constant_collection(func.value, scope, depth + 1)
            return False
        if isinstance(expr, cst.Name):
            if expr.value.isupper():
                return True
            bindings = scope.lookup(expr.value, self._order(expr))
            return bool(bindings) and all(
                b.kind == "assign" and isinstance(b.value, cst.BaseExpression)
                and self._is_constant_collection(b.value, b.scope, depth + 1)
                for b in bindings
            )
        return False

    def _spell(self, node: cst.CSTNode) -> str:
        code = " ".join(self.source.code(node).split())
        return f"`{code}`" if len(code) <= 60 else f"`{code[:57]}…`"


def _signature(function: cst.FunctionDef) -> tuple[list[cst.Param], set[str]]:
    """The parameters that take positional arguments, and the names keywords can bind."""
    params = [*function.params.posonly_params, *function.params.params]
    return params, {p.name.value for p in [*params, *function.params.kwonly_params]}


def _has_type_converter(call: cst.Call) -> bool:
    positional = [a for a in call.args if a.keyword is None and not a.star]
    return len(positional) >= 3 or any(a.keyword is not None and a.keyword.value == "type" for a in call.args)


def _is_server_variable(source: cst.CSTNode, key: cst.BaseExpression) -> bool:
    """`request.META["REMOTE_ADDR"]`: set by the server, not by the client."""
    return (isinstance(source, cst.Attribute) and source.attr.value == "META"
            and isinstance(key, cst.SimpleString) and string_value(key) in _SERVER_META)


def _is_name(expr: cst.BaseExpression, name: str) -> bool:
    return isinstance(expr, cst.Name) and expr.value == name


def _anchored(pattern: cst.BaseExpression, qualified: str) -> bool:
    """re.fullmatch always checks the whole value; re.match only with a trailing `$`/`\\Z`."""
    if qualified == "re.fullmatch":
        return True
    value = string_value(pattern) if isinstance(pattern, cst.SimpleString) else None
    return isinstance(value, str) and value.endswith(("$", "\\Z"))


def _contains(span, order: int) -> bool:
    return span.start <= order < span.start + span.length


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _target_names(e.value)]
    return []


def _exits_or_rebinds(body: cst.BaseSuite, name: str) -> bool:
    """The block ends by leaving (raise, return, abort(), continue, break) or assigns `name`."""
    if isinstance(body, cst.SimpleStatementSuite):  # `if x not in ALLOWED: abort(400)`
        lines, last = [body.body], body.body
    else:
        lines = [s.body for s in body.body if isinstance(s, cst.SimpleStatementLine)]
        final_statement = body.body[-1] if body.body else None
        last = final_statement.body if isinstance(final_statement, cst.SimpleStatementLine) else ()
    for small in (small for line in lines for small in line):
        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else (
            [small.target] if isinstance(small, cst.AnnAssign) else [])
        if any(_is_name(target, name) for target in targets):
            return True
    final = last[-1] if last else None
    if isinstance(final, (cst.Raise, cst.Return, cst.Continue, cst.Break)):
        return True
    if isinstance(final, cst.Expr) and isinstance(final.value, cst.Call):
        func = final.value.func
        called = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
        return called in ("abort", "exit") or called.startswith("raise_")
    return False


class _Flow:
    """The branches of one scope's body (as byte ranges) and its `if` statements, found by
    walking statements only (expressions and nested functions are not entered)."""

    def __init__(self, spans, body: cst.CSTNode) -> None:
        self.spans = spans
        self.blocks: list[tuple[int, int]] = []
        self.ifs: list[cst.If] = []
        self._walk(_statements(body))

    def _walk(self, statements) -> None:
        for statement in statements:
            if isinstance(statement, cst.If):
                self.ifs.append(statement)
                self._branch(statement.body, statement.orelse)
            elif isinstance(statement, (cst.For, cst.While)):
                self._branch(statement.body, statement.orelse)
            elif isinstance(statement, (cst.Try, cst.TryStar)):
                self._branch(statement.body, *statement.handlers, statement.orelse)
                if statement.finalbody is not None:
                    self._walk(_statements(statement.finalbody.body))
            elif isinstance(statement, cst.Match):
                self._branch(*statement.cases)
            elif isinstance(statement, cst.With):
                self._walk(_statements(statement.body))

    def _branch(self, *suites: cst.BaseSuite | cst.If | cst.Else | cst.ExceptHandler | cst.ExceptStarHandler
                | cst.MatchCase | None) -> None:
        for suite in suites:
            if suite is None:
                continue
            span = self.spans[suite]
            self.blocks.append((span.start, span.start + span.length))
            if isinstance(suite, cst.If):  # elif
                self._walk([suite])
            else:
                self._walk(_statements(suite.body))


def _statements(body) -> list[cst.CSTNode]:
    """The statements of a module, an indented block, or a one-line suite."""
    if isinstance(body, cst.Module):
        return list(body.body)
    if isinstance(body, cst.IndentedBlock):
        return list(body.body)
    return [body] if isinstance(body, cst.BaseSuite) else list(body)


def _literal(node: cst.SimpleString | cst.Integer) -> str | bytes | int | float:
    """The value of a string or integer literal (a dict key or a subscript), read without
    LibCST's `evaluated_value` (cachelint.model.core.values says why)."""
    return string_value(node) if isinstance(node, cst.SimpleString) else number_value(node)
