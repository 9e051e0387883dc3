"""`cachelint keys`: the project's cached namespaces per entity, as a table or as JSON.

The "list of all keys for each entity type" teams keep by hand, generated from the
project model: for each namespace its key shape, entity, where it is filled (with the
TTL), where it is invalidated and which DB writes leave it stale (`stale_after`: the
writes CL010 reports, each with the namespaces it misses).
"""
from __future__ import annotations

from collections.abc import Iterable

from cachelint.project.facts import EntityWrite
from cachelint.project.model import Namespace, ProjectModel


def inventory(project: ProjectModel, stale: Iterable[tuple[EntityWrite, Iterable[Namespace]]]) -> list[dict]:
    """Every cached namespace, in (entity, template) order."""
    stale_after: dict[int, list[EntityWrite]] = {}
    for write, missed in stale:
        for namespace in missed:
            stale_after.setdefault(id(namespace), []).append(write)
    found = sorted(project.namespaces.values(), key=lambda n: (n.entity is None, (n.entity or "").lower(), n.template))
    return [_entry(namespace, project, stale_after.get(id(namespace), [])) for namespace in found]


def _entry(namespace: Namespace, project: ProjectModel, stale_after: list[EntityWrite]) -> dict:
    return {
        "namespace": namespace.namespace,
        "key": namespace.key,
        "template": namespace.template,
        "entity": namespace.entity,
        "per_row": namespace.per_row,
        "filled": [{"path": f.path, "line": f.line, "ttl": f.ttl, "function": f.function} for f in namespace.fills],
        "invalidated": [{"path": b.path, "line": b.line, "function": b.function} for b in project.busts_of(namespace)],
        "stale_after": [
            {"path": w.path, "line": w.start[0], "kind": w.kind, "label": w.label, "function": w.function}
            for w in stale_after
        ],
    }


_COLUMNS = ("namespace", "key shape", "entity", "filled (TTL)", "invalidated", "stale after")


def render_table(entries: list[dict]) -> str:
    """One row per namespace; a cell with several places lists them one per line."""
    if not entries:
        return "No cached reads of a DB entity found."
    rows = [_COLUMNS] + [_cells(entry) for entry in entries]
    cells = [[cell.split("\n") for cell in row] for row in rows]
    widths = [max(len(line) for row in cells for line in row[column]) for column in range(len(_COLUMNS))]
    out = []
    for number, row in enumerate(cells):
        for line in range(max(len(cell) for cell in row)):
            texts = [cell[line] if line < len(cell) else "" for cell in row]
            out.append("  ".join(text.ljust(width) for text, width in zip(texts, widths)).rstrip())
        if number == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


def _cells(entry: dict) -> tuple[str, ...]:
    filled = [f"{f['path']}:{f['line']} ({_ttl(f['ttl'])})" for f in entry["filled"]]
    invalidated = [f"{b['path']}:{b['line']}" for b in entry["invalidated"]] or ["never"]
    stale = [f"{w['path']}:{w['line']} {w['kind'].upper()}" for w in entry["stale_after"]] or ["-"]
    return (entry["namespace"], entry["key"], entry["entity"] or "?", "\n".join(filled), "\n".join(invalidated), "\n".join(stale))


def _ttl(ttl: float | None) -> str:
    return describe_ttl(ttl) if ttl is not None else "TTL ?"


def describe_ttl(seconds: float) -> str:
    """`300 s`, `2592000 s`, `0.5 s`."""
    return f"{int(seconds)} s" if seconds == int(seconds) else f"{seconds:g} s"
