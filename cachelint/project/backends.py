"""The cache backends a project's settings configure, merged from every file's facts, and
the module rules' findings they settle (`FileFacts.provisional`).

A finding that holds only where a cache keeps its entries on some store (CL005: a key
with a space makes memcached raise) is reported as the module saw it unless the settings
settle it: when every backend the project's files configure for the caches the finding's
client may be is known and none is on that store, it is dropped; when one is on that
store, it says so, naming the backends and where the settings name them. A project whose
files configure none for that cache (a library, whose users configure it), or one of
whose backends is not known (read from the environment), leaves it as it is.
"""
from __future__ import annotations

from collections.abc import Iterable

from cachelint.model.libraries import BY_NAME
from cachelint.project.facts import BACKENDS, Backend, FileFacts, OnBackend

_SHOWN = 3  # backends a message names


class ProjectBackends:
    """Every backend the project's settings configure, with the file that does."""

    def __init__(self, facts: Iterable[FileFacts]) -> None:
        self.configured: list[tuple[str, Backend]] = [(file.path, backend) for file in facts for backend in file.backends]

    def settle(self, condition: OnBackend) -> tuple[bool, str | None]:
        """Whether a finding on `condition` holds, and its message when the settings show
        why (None: the one it has)."""
        candidates = [
            (path, backend) for path, backend in self.configured
            if backend.library == condition.library
            and (backend.alias is None or not condition.aliases or backend.alias in condition.aliases)
        ]
        if not candidates:
            return True, None
        on = [(path, backend) for path, backend in candidates if backend.store == condition.store]
        if on:
            named = ", ".join(f"`{backend.name}` at {path}:{backend.line}" for path, backend in on[:_SHOWN])
            return True, condition.message.replace(BACKENDS, named + (", …" if len(on) > _SHOWN else ""))
        if any(backend.store is None for _, backend in candidates):
            return True, None
        return False, None


def setting_names(facts: Iterable[FileFacts]) -> frozenset[str]:
    """The settings that decide the findings these files hold provisionally (`CACHES`,
    `CACHE_TYPE`): a file that names none of them configures no backend they depend on."""
    names = set()
    for file in facts:
        for found in file.provisional:
            setting = BY_NAME[found.condition.library].backend_setting if found.condition.library in BY_NAME else None
            if setting is not None:
                names.add(setting.name)
    return frozenset(names)
