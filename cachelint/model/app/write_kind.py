"""What a DB write does, and which method names write: a vocabulary of its own, so that the
project stage (which reads facts, not code) imports it without LibCST and the model."""
from __future__ import annotations

import enum


class WriteKind(str, enum.Enum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    SAVE = "save"  # insert or update: `obj.save()`, `session.add(obj)`, `update_or_create`
    COMMIT = "commit"  # `conn.commit()`: the writes before it become visible
    FLUSH = "flush"  # `session.flush()`: the session's pending writes are sent


# ---------------------------------------------------------------------- what methods write

SQL_METHODS = frozenset({"execute", "executemany", "execute_sql", "exec_driver_sql", "fetch", "fetchrow", "fetchval"})

QUERYSET_WRITES = {
    "update": WriteKind.UPDATE, "delete": WriteKind.DELETE, "create": WriteKind.INSERT,
    "bulk_create": WriteKind.INSERT, "bulk_update": WriteKind.UPDATE, "get_or_create": WriteKind.SAVE,
    "update_or_create": WriteKind.SAVE,
}
QUERYSET_WRITES.update({f"a{name}": kind for name, kind in list(QUERYSET_WRITES.items())})

INSTANCE_WRITES = {
    "save": WriteKind.SAVE, "asave": WriteKind.SAVE, "delete": WriteKind.DELETE, "adelete": WriteKind.DELETE,
    "delete_instance": WriteKind.DELETE,
}

SESSION_WRITES = {
    "add": WriteKind.SAVE, "add_all": WriteKind.SAVE, "delete": WriteKind.DELETE, "merge": WriteKind.SAVE,
    "bulk_save_objects": WriteKind.SAVE, "bulk_insert_mappings": WriteKind.INSERT,
    "bulk_update_mappings": WriteKind.UPDATE,
}

# Writes of a many-to-many relation: `article.tags.add(tag)`.
M2M_WRITES = frozenset({"add", "remove", "clear", "set", "aadd", "aremove", "aclear", "aset"})

# Class-level writes of peewee and Tortoise models: `Product.create(...)`.
MODEL_CLASS_WRITES = {
    "create": WriteKind.INSERT, "bulk_create": WriteKind.INSERT, "bulk_update": WriteKind.UPDATE,
    "get_or_create": WriteKind.SAVE, "update_or_create": WriteKind.SAVE, "delete_by_id": WriteKind.DELETE,
}

# The method names that can write: a cheap first test for every call of a module.
WRITE_METHODS = SQL_METHODS | {"commit", "flush"} | set(SESSION_WRITES) | set(INSTANCE_WRITES) | set(
    QUERYSET_WRITES) | set(MODEL_CLASS_WRITES) | M2M_WRITES
