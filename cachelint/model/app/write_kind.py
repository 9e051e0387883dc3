"""What a DB write does: a vocabulary of its own, so that the project stage's rules (which
read facts, not code) import it without LibCST and the model."""
from __future__ import annotations

import enum


class WriteKind(str, enum.Enum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    SAVE = "save"  # insert or update: `obj.save()`, `session.add(obj)`, `update_or_create`
    COMMIT = "commit"  # `conn.commit()`: the writes before it become visible
    FLUSH = "flush"  # `session.flush()`: the session's pending writes are sent
