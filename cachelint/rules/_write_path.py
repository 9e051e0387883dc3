"""What CL006 and CL009 share: the cache mutations of a module and how messages name them."""
from __future__ import annotations

import libcst as cst

from cachelint.model import CacheOp, DbWrite, Kind, ModuleModel

_MUTATING = (Kind.WRITE, Kind.DELETE, Kind.EXPIRE)
_LONGEST_CALL = 60


def mutations(model: ModuleModel) -> list[CacheOp]:
    """Cache writes, deletes and expiries that run where they are written: not those in a
    callable run after the commit (`transaction.on_commit(lambda: cache.delete(k))`)."""
    found = [op for op in model.ops if op.kind in _MUTATING]
    if not found:
        return []
    return [op for op in found if not model.db.is_deferred(op.node)]


def resets_a_counter(model: ModuleModel, op: CacheOp) -> bool:
    """`op` deletes, expires or counts under a key the project only ever counts under (a
    rate-limit counter), as its module or the wrapper's module shows: no copy of data is
    kept there for a reader to re-fill from old rows."""
    if op.kind is Kind.WRITE and op.value is not None:
        return False
    return op.spec.counter or model.fills.is_counter(op)


def op_label(model: ModuleModel, op: CacheOp) -> str:
    """`r.delete(f"product:{pid}")`, or `cache.delete_many(…)` when the call is long."""
    if op.call is None:
        return f"`{' '.join(model.code(op.node).split())}`"
    return f"`{call_text(model, op.call)}`"


def call_text(model: ModuleModel, call: cst.CSTNode, longest: int = _LONGEST_CALL) -> str:
    """A call as one line: `bust(pk)`, or `self.bust(…)` when it is longer than `longest`."""
    code = " ".join(model.code(call).split())
    if len(code) <= longest or not isinstance(call, cst.Call):
        return code
    return f"{' '.join(model.code(call.func).split())}(…)"


def risk(op: CacheOp) -> str:
    """What goes wrong when `op` runs before the DB change is committed."""
    if op.kind is Kind.DELETE:
        return "a reader can re-fill the key from the old rows before the commit"
    return "if the DB change fails or rolls back, the cache keeps a value the database never had"


def line(model: ModuleModel, node) -> int:
    return model.location(model.spans.start(node)).row


def write_label(model: ModuleModel, write: DbWrite) -> str:
    """`UPDATE products` (line 12), or for a call of a function that writes:
    `self.save_prices(…)` (line 40, which runs `UPDATE products` at line 12)."""
    shown = f"`{write.label}` (line {line(model, write.node)}"
    if write.through is not None:
        shown += f", which runs `{write.through.label}` at line {line(model, write.through.node)}"
    return shown + ")"
