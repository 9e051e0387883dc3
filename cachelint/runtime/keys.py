"""Cache keys that a caller cannot steer into another namespace.

A key is `[prefix:]namespace:id[:v=variant][:u=user]`. The prefix and namespace are
constants chosen by the programmer and checked against a strict alphabet; the id, the
variant and the user scope may come from a request, so each is percent-encoded with
nothing left "safe" but letters, digits and `_.-~`. A `:`, `=`, `*`, `?`, `[`, space or
newline in them comes out as `%XX`, so an encoded part can neither add a key segment
nor act as a Redis glob: `user:42:v=profile` cannot be written through the id
`"42:v=profile"`. A part whose encoding is longer than `MAX_PART` characters is
replaced by `#` and its SHA-256 (`#` is never produced by the encoding), which bounds
the key's length whatever the input's.
"""
from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from urllib.parse import quote, urlencode

MAX_PART = 128
NAME = re.compile(r"[a-z][a-z0-9_.-]*")
INDEX_SEGMENT = "#keys"  # never produced by encode_part, so it cannot collide with an id

Id = int | str | uuid.UUID
Variant = int | str | Mapping[str, object]


def check_name(name: str, what: str) -> str:
    """A prefix or namespace name: lower-case letters, digits, `_`, `.` and `-`."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ValueError(f"{what} {name!r} must match {NAME.pattern} (it is a constant, not input)")
    return name


def encode_part(value: object, what: str = "id") -> str:
    """Percent-encode one user-controlled key part; see the module docstring."""
    if isinstance(value, bool) or not isinstance(value, (int, str, uuid.UUID)):
        raise TypeError(f"a key {what} must be an int, str or UUID, not {type(value).__name__}")
    encoded = quote(str(value), safe="")
    if len(encoded) > MAX_PART:
        return "#" + hashlib.sha256(encoded.encode()).hexdigest()
    return encoded


def encode_variant(variant: Variant) -> str:
    """A variant: an int, a str, or a mapping such as query arguments, which is keyed
    by its sorted items so that `?a=1&b=2` and `?b=2&a=1` share an entry."""
    if isinstance(variant, Mapping):
        variant = urlencode(sorted((str(k), v) for k, v in variant.items()), doseq=True)
    return encode_part(variant, "variant")
