"""What the TTL of one observed call means, by the library's table (`cachelint.model.spec`)."""
from __future__ import annotations

import datetime
from typing import Any

from cachelint.model.spec import Arg, Library, Meaning, Method

OMITTED = object()


def argument(arg: Arg, args: tuple, kwargs: dict[str, Any]) -> Any:
    """The value passed for `arg` (positions count after `self`), or OMITTED."""
    if arg.name is not None and arg.name in kwargs:
        return kwargs[arg.name]
    if arg.position is not None and arg.position < len(args):
        return args[arg.position]
    return OMITTED


def meaning(library: Library, method: Method, args: tuple, kwargs: dict[str, Any]) -> tuple[Meaning, Any]:
    """The meaning of the call's TTL and the TTL as passed (OMITTED when none was)."""
    semantics = method.semantics or library.semantics
    passed = [value for value in (argument(arg, args, kwargs) for arg in method.ttl)
              if value is not OMITTED and value is not None]
    if not passed:
        if any(argument(arg, args, kwargs) is None for arg in method.ttl):
            return semantics.none, None
        return semantics.omitted, OMITTED
    ttl = passed[0]
    seconds = ttl.total_seconds() if isinstance(ttl, datetime.timedelta) else ttl
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        return Meaning.UNKNOWN, ttl
    if seconds == 0:
        return semantics.zero, ttl
    if seconds < 0:
        return semantics.negative, ttl
    return Meaning.EXPIRES, ttl


def effective(meaning: Meaning, default_timeout: Any) -> Meaning:
    """DEFAULT resolved by the client's configured default (Django's `TIMEOUT`): None never
    expires, 0 does not cache."""
    if meaning is not Meaning.DEFAULT or default_timeout is OMITTED:
        return meaning
    if default_timeout is None:
        return Meaning.FOREVER
    if isinstance(default_timeout, (int, float)) and default_timeout <= 0:
        return Meaning.NOT_CACHED
    return Meaning.EXPIRES
