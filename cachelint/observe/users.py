"""Who the running code acts for, for CL004: the user of the request being handled, as the
web framework knows it, without a hook of the project's.

- Django: the request a handler (`BaseHandler.get_response`, as the test client and every
  server call it) is handling, and its `request.user` as the authentication middleware
  sets it;
- Flask-Login: `current_user` while a request context is active.

A signed-in user is named by their id (`pk`, `get_id()`), as the queries that fill an
entry for them name it; anybody else is `ANONYMOUS`. Loading the user (the session, the
user's row) is the framework's doing, not an entry's fill: the probes run it muted.
"""
from __future__ import annotations

import contextvars
import sys
from typing import Any

ANONYMOUS = "(anonymous)"

_django_request: contextvars.ContextVar[Any] = contextvars.ContextVar("cachelint_django_request", default=None)


def request_user() -> Any:
    """The id of the signed-in user of the request being handled, ANONYMOUS for a request
    of nobody signed in, None outside a request (or with no framework that says)."""
    request = _django_request.get()
    if request is not None:
        user = getattr(request, "user", None)  # set by the authentication middleware
        if user is None:
            return None
        return user.pk if getattr(user, "is_authenticated", False) else ANONYMOUS
    if "flask_login" in sys.modules:
        return _flask_login_user()
    return None


def _flask_login_user() -> Any:
    from flask import current_app, has_request_context

    if not has_request_context() or not hasattr(current_app, "login_manager"):
        return None
    from flask_login.utils import _get_user

    user = _get_user()
    if user is None:
        return None
    return user.get_id() if getattr(user, "is_authenticated", False) else ANONYMOUS


def handling(request: Any) -> contextvars.Token:
    """Django: `request` is being handled until `done(token)`."""
    return _django_request.set(request)


def done(token: contextvars.Token) -> None:
    _django_request.reset(token)
