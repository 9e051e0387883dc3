"""Where a file sits among Python modules: the dotted name it is imported as, and how
its relative imports (`from .extensions import cache`) spell a module's qualified names."""
from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path


def display_path(filename: str, root: Path) -> str:
    """How messages name a file: relative to the project root when under it."""
    relative = os.path.relpath(os.path.abspath(filename), os.path.abspath(root))
    return filename if relative.startswith("..") else Path(relative).as_posix()


def module_name(path: str) -> str:
    """The dotted module a file is imported as: its stem and every parent folder that
    is a package (has an `__init__.py`)."""
    file = Path(path).resolve()
    parts = [] if file.stem == "__init__" else [file.stem]
    folder = file.parent
    while (folder / "__init__.py").exists():
        parts.append(folder.name)
        folder = folder.parent
    return ".".join(reversed(parts)) or file.stem


_TEST_FOLDERS = frozenset({"test", "tests", "testing"})
# What marks the root of a project: folders above it say nothing of its files.
_PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


def is_test_code(path: str) -> bool:
    """A test of the project, not code it ships: a file in a `test`, `tests` or `testing`
    folder of its project (below the nearest folder with a `pyproject.toml`, `setup.py`,
    `setup.cfg` or `.git`), or named `test_*.py`, `*_test.py`, `tests.py` or `conftest.py`."""
    file = Path(path)
    name = file.name
    return (name.startswith("test_") or name.endswith("_test.py") or name in ("tests.py", "conftest.py")
            or any(folder in _TEST_FOLDERS for folder in _folders_in_project(file)))


def _folders_in_project(file: Path) -> tuple[str, ...]:
    """The folders of `file` below its project's root (all of them outside a project)."""
    root = _project_root(file.absolute().parent)
    parts = file.absolute().relative_to(root).parts if root is not None else file.parts
    return parts[:-1]


# Files that write install-time data: what a project loads into a new database once,
# from the command line, before any request is served.
_INSTALL_FOLDERS = frozenset({"migrations", "alembic"})
_INSTALL_STEMS = frozenset({"populate", "fixtures", "seed", "seeds"})


def is_install_script(path: str) -> bool:
    """A data migration (a file in a `migrations` or `alembic` folder of its project) or a
    script that fills a new database (`populate.py`, `fixtures.py`, `seed.py`,
    `populate_demo.py`): code that writes rows before any request is served."""
    file = Path(path)
    stem = file.stem
    return (stem in _INSTALL_STEMS or stem.startswith(("populate_", "seed_"))
            or any(folder in _INSTALL_FOLDERS for folder in _folders_in_project(file)))


@functools.lru_cache(maxsize=4096)
def _project_root(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if any((candidate / marker).exists() for marker in _PROJECT_MARKERS):
            return candidate
    return None


def package_of(path: str) -> list[str]:
    """The parts of the package a file's relative imports start from (empty outside one)."""
    if not (Path(path).parent / "__init__.py").exists():
        return []
    parts = module_name(path).split(".")
    return parts if Path(path).name == "__init__.py" else parts[:-1]


def relative_spellings(qualified: str, package: list[str]) -> Iterator[str]:
    """How a module of `package` may import `qualified` relatively: `app.extensions.cache`
    from package `app.views` is `..extensions.cache`, and from `app` `.extensions.cache`."""
    for up in range(len(package)):
        base = ".".join(package[: len(package) - up])
        if qualified.startswith(base + "."):
            yield "." * (up + 1) + qualified[len(base) + 1:]
