"""`cachelint ops`: what the model understood of a project's cache use, and what not.

Every cache operation and cache decorator the model understood (`uses` of each file's
facts), or with `unresolved`, the calls that look like cache use and were not understood,
with a count per receiver: where the linter is blind, said instead of passed over.
"""
from __future__ import annotations

from collections import Counter

from cachelint.project.facts import CacheUse, FileFacts, UnresolvedCall


def understood(files: list[tuple[str, FileFacts]]) -> list[dict]:
    """One object per operation: `filename`, `row`, `kind`, `library`, `method`, `key`, `ttl`, `via`.
    A key's part that is another module's constant string is spelled out."""
    texts = _constant_texts([facts for _, facts in files])
    return [
        {"filename": filename, "row": use.line, "kind": use.kind, "library": use.library, "method": use.method,
         "key": _spelled(use, texts), "ttl": use.ttl, "via": list(use.via)}
        for filename, facts in files for use in facts.uses
    ]


def _constant_texts(files: list[FileFacts]) -> dict[str, str]:
    """Qualified name -> text of every module's constant strings, also under the names a
    package re-exports them by (`from .sites import SITE_KEY` in `app/models/__init__.py`)."""
    texts = {f"{facts.module}.{name}": text for facts in files for name, text in facts.texts.items()}
    reexports = {f"{facts.module}.{name}": imported for facts in files for name, imported in facts.imports.items()}
    for name, imported in reexports.items():
        for _ in range(_MAX_REEXPORTS):
            if imported in texts or imported not in reexports:
                break
            imported = reexports[imported]
        if imported in texts:
            texts.setdefault(name, texts[imported])
    return texts


_MAX_REEXPORTS = 4


def _spelled(use: CacheUse, texts: dict[str, str]) -> str | None:
    key = use.key
    for placeholder, qualified in use.constants:
        text = texts.get(qualified)
        if key is not None and text is not None:
            key = key.replace(placeholder, text.replace("{", "{{").replace("}", "}}"))
    return key


def unresolved(files: list[tuple[str, list[UnresolvedCall]]]) -> dict:
    """`calls` (`filename`, `row`, `receiver`, `method`) and `receivers` (receiver -> count,
    most first), of each file's calls not understood."""
    calls = [
        {"filename": filename, "row": call.line, "receiver": call.receiver, "method": call.method}
        for filename, found in files for call in found
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
