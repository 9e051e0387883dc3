"""What the TTL of one observed call means, by the library's table (`cachelint.model.spec`)."""
from __future__ import annotations

import datetime
from typing import Any

from cachelint.model.spec import Arg, Library, Meaning, Method, TtlSemantics

OMITTED = object()


def argument(arg: Arg, args: tuple, kwargs: dict[str, Any]) -> Any:
    """The value passed for `arg` (positions count after `self`), or OMITTED."""
    if arg.name is not None and arg.name in kwargs:
        return kwargs[arg.name]
    if arg.position is not None and arg.position < len(args):
        return args[arg.position]
    return OMITTED


def of_value(semantics: TtlSemantics, value: Any) -> Meaning:
    """What a TTL value means (None, zero, negative or a duration), by the client's semantics."""
    if value is None:
        return semantics.none
    seconds = value.total_seconds() if isinstance(value, datetime.timedelta) else value
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        return Meaning.UNKNOWN
    if seconds == 0:
        return semantics.zero
    return semantics.negative if seconds < 0 else Meaning.EXPIRES


def meaning(library: Library, method: Method, args: tuple, kwargs: dict[str, Any],
            default_timeout: Any = OMITTED) -> tuple[Meaning, Any]:
    """The meaning of the call's TTL and the TTL as passed (OMITTED when none was). A TTL
    left to the client's default (omitted, or None where None means the default) is read as
    `default_timeout`, the client's configured one, when it is known."""
    semantics = method.semantics or library.semantics
    values = [argument(arg, args, kwargs) for arg in method.ttl]
    passed = next((value for value in values if value is not OMITTED and value is not None), OMITTED)
    if passed is OMITTED:
        passed = None if any(value is None for value in values) else OMITTED
        found = semantics.omitted if passed is OMITTED else semantics.none
    else:
        found = of_value(semantics, passed)
    if found is Meaning.DEFAULT and default_timeout is not OMITTED:
        configured = of_value(semantics, default_timeout)
        if configured is not Meaning.DEFAULT:
            return configured, passed
    return found, passed
