"""What users declare in `[tool.cachelint.clients]`, and what the project stage adds: a
data type of its own, so that the configuration is read without importing the model."""
from __future__ import annotations

from dataclasses import dataclass, field

from cachelint.model.core.modules import relative_spellings
from cachelint.model.spec import Method


@dataclass
class CustomClients:
    """What users declare in `[tool.cachelint.clients]`, and the project stage adds.

    `objects`: qualified names of objects (or factories) that are clients of a known
    library. `functions`: qualified names of wrapper functions and what they do.
    `wrappers`: qualified names of the project's wrapper functions other modules call,
    with the library they reach and what they do (cachelint.model.cache.wrappers).
    """

    objects: dict[str, str] = field(default_factory=dict)
    functions: dict[str, Method] = field(default_factory=dict)
    wrappers: dict[str, tuple[str, Method]] = field(default_factory=dict)

    def with_objects(self, objects: dict[str, str], wrappers: dict[str, tuple[str, Method]] | None = None) -> CustomClients:
        return CustomClients({**objects, **self.objects}, self.functions, {**(wrappers or {}), **self.wrappers})

    def seen_from(self, package: list[str]) -> CustomClients:
        """These, and how a module of `package` spells them in relative imports."""
        if not package:
            return self

        def spelled(table: dict) -> dict:
            return {each: what for name, what in table.items() for each in (name, *relative_spellings(name, package))}

        return CustomClients(spelled(self.objects), spelled(self.functions), spelled(self.wrappers))
