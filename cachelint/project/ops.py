"""`cachelint ops`: what the model understood of a project's cache use, and what not.

Every cache operation and cache decorator the model understood (`uses` of each file's
facts), or with `unresolved`, the calls that look like cache use and were not understood,
with a count per receiver: where the linter is blind, said instead of passed over.
"""
from __future__ import annotations

from collections import Counter

from cachelint.project.facts import FileFacts


def understood(files: list[tuple[str, FileFacts]]) -> list[dict]:
    """One object per operation: `filename`, `row`, `kind`, `library`, `method`, `key`, `ttl`, `via`."""
    return [
        {"filename": filename, "row": use.line, "kind": use.kind, "library": use.library, "method": use.method,
         "key": use.key, "ttl": use.ttl, "via": list(use.via)}
        for filename, facts in files for use in facts.uses
    ]


def unresolved(files: list[tuple[str, FileFacts]]) -> dict:
    """`calls` (`filename`, `row`, `receiver`, `method`) and `receivers` (receiver -> count, most first)."""
    calls = [
        {"filename": filename, "row": call.line, "receiver": call.receiver, "method": call.method}
        for filename, facts in files for call in facts.unresolved
    ]
    counts = Counter(call["receiver"] for call in calls)
    return {"calls": calls, "receivers": dict(counts.most_common())}


def render_understood(entries: list[dict], missed: int) -> str:
    lines = [
        f"{e['filename']}:{e['row']}: {e['kind']} {e['library']}.{e['method']}"
        + (f" key={e['key']}" if e["key"] is not None else "")
        + (f" ttl={e['ttl']}" if e["ttl"] is not None else "")
        + (f" via {' -> '.join(e['via'])}" if e["via"] else "")
        for e in entries
    ]
    return "\n".join([*lines, ratio_line(len(entries), missed)])


def render_unresolved(found: dict, understood_count: int) -> str:
    lines = [f"{c['filename']}:{c['row']}: {c['receiver']}.{c['method']}(...)" for c in found["calls"]]
    if found["receivers"]:
        lines += ["", "By receiver:"] + [f"  {count:5}  {receiver}" for receiver, count in found["receivers"].items()]
    return "\n".join([*lines, ratio_line(understood_count, len(found["calls"]))])


def ratio_line(understood_count: int, missed: int) -> str:
    total = understood_count + missed
    share = f" ({understood_count / total:.0%} understood)" if total else ""
    return f"{understood_count} cache operations understood, {missed} cache-like calls not understood{share}."
