"""What users declare in `[tool.cachelint.clients]`, and what the project stage adds: a
data type of its own, so that the configuration is read without importing the model."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from cachelint.model.core.modules import relative_spellings
from cachelint.model.spec import Decorator, Method


@dataclass
class CustomClients:
    """What users declare in `[tool.cachelint.clients]`, and the project stage adds.

    `objects`: qualified names of objects (or factories) that are clients of a known
    library. `functions`: qualified names of wrapper functions and what they do.
    `wrappers`: qualified names of the project's wrapper functions other modules call,
    with the library they reach and what they do (cachelint.model.cache.wrappers).
    `classes`: qualified names of the project's wrapper classes, with the library their
    methods reach and what a call of each summarised method does; `instances`: qualified
    names of objects (or factories) that are instances of one of them -> the class.
    `decorators`: qualified names of the project's memoizers, with the library they keep
    results in, their TTL, and whether they are applied called (`@memoize_redis(60)`).
    `constants`: qualified names of the project's constants and settings bound to zero
    or less, which a TTL may read (`from .conf import NO_CACHE`, `settings.CACHE_TTL`).
    The configuration fills `objects` (also attribute paths: `request.registry.cache`),
    `functions`, `wrappers`, `classes` and `decorators` (cachelint.config); the project
    stage fills them all (cachelint.project).
    `attributes`: attribute names the project's classes only ever make a client of one
    library or an instance of one wrapper class (`cache`), or those of one class, as a
    receiver named after it (`event.cache`, `receiver_word`) -> that library or class
    (`ProjectModel.attribute_clients`).
    """

    objects: dict[str, str] = field(default_factory=dict)
    functions: dict[str, Method] = field(default_factory=dict)
    wrappers: dict[str, tuple[str, Method]] = field(default_factory=dict)
    classes: dict[str, tuple[str, dict[str, Method]]] = field(default_factory=dict)
    instances: dict[str, str] = field(default_factory=dict)
    decorators: dict[str, tuple[str, Decorator, bool]] = field(default_factory=dict)
    constants: dict[str, float] = field(default_factory=dict)
    # The module these are seen from (`seen_from`): what it defines itself is looked up by
    # its qualified name, `myapp.cache.get_redis` for `get_redis` in `myapp/cache.py`.
    module: str = ""
    attributes: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.names() or self.constants or self.attributes)

    def names(self) -> set[str]:
        """Every qualified name (or attribute path) of a client, wrapper, wrapper class,
        instance or decorator these speak of."""
        return {*self.objects, *self.functions, *self.wrappers, *self.classes, *self.instances, *self.decorators}

    def with_objects(self, objects: dict[str, str], wrappers: dict[str, tuple[str, Method]] | None = None,
                     classes: dict[str, tuple[str, dict[str, Method]]] | None = None,
                     instances: dict[str, str] | None = None,
                     decorators: dict[str, tuple[str, Decorator, bool]] | None = None,
                     constants: dict[str, float] | None = None,
                     attributes: dict[str, str] | None = None) -> CustomClients:
        """These, with what the project stage found added: where both speak of one name,
        the configuration wins (of a class both know in one library, method by method)."""
        return CustomClients({**objects, **self.objects}, self.functions, {**(wrappers or {}), **self.wrappers},
                             _classes_merged(classes or {}, self.classes), {**(instances or {}), **self.instances},
                             {**(decorators or {}), **self.decorators}, {**(constants or {}), **self.constants},
                             attributes={**(attributes or {}), **self.attributes})

    def seen_from(self, package: list[str], module: str = "") -> CustomClients:
        """These, and how the module `module` of `package` spells them in relative imports."""
        if not package:
            return replace(self, module=module)

        def spelled(table: dict) -> dict:
            return {each: what for name, what in table.items() for each in (name, *relative_spellings(name, package))}

        return CustomClients(spelled(self.objects), spelled(self.functions), spelled(self.wrappers),
                             spelled(self.classes), spelled(self.instances), spelled(self.decorators),
                             spelled(self.constants), module, self.attributes)


def _classes_merged(found: dict[str, tuple[str, dict[str, Method]]],
                    declared: dict[str, tuple[str, dict[str, Method]]]) -> dict[str, tuple[str, dict[str, Method]]]:
    """Wrapper classes inference `found`, with those the configuration `declared` over them:
    a declared method replaces the inferred one, an inferred method it does not declare
    stays when both say the class stores in the same library."""
    merged = dict(found)
    for name, (library, methods) in declared.items():
        inferred = found.get(name)
        merged[name] = (library, {**inferred[1], **methods} if inferred is not None and inferred[0] == library else methods)
    return merged


def receiver_word(name: str) -> str:
    """How a receiver named after a class is compared with the class's name, in
    `CustomClients.attributes`: `event` for `Event`, `sub_event` and `subevent` for `SubEvent`."""
    return name.replace("_", "").lower()
