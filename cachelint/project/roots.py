"""Which project each linted file belongs to. A run may be given several projects at once
(a folder of applications); the passes after the first (cachelint.engine) see one
project's files at a time, so that two applications share no client, wrapper, entity or
CL010 pairing, and what one of them exports is looked for in its own files only.

A file's project root is the nearest folder at or above the file's own that marks a
project: it holds a `pyproject.toml`, a `setup.cfg`, a `setup.py` or a `*.dist-info`
folder (an extracted or installed distribution: a wheel has no other mark), and is not
itself a package (a package's `setup.py` is one of its modules, as in
`cms/utils/setup.py`). Where no folder above marks one, it is the folder the file's
top-level package sits in: the first folder at or above the file's own without an
`__init__.py` (a folder of loose scripts is then a project of its own).

    shop/pyproject.toml, shop/shop/__init__.py, shop/shop/views.py -> shop/
    blog/blog-1.0.dist-info/, blog/blog/models.py                   -> blog/
    scripts/cleanup.py (no mark anywhere above)                      -> scripts/
"""
from __future__ import annotations

import os

MARKERS = ("pyproject.toml", "setup.cfg", "setup.py")
_DISTRIBUTION = ".dist-info"


class Roots:
    """The project root of each file, each folder looked at once (a tree of thousands of
    files has a few hundred folders)."""

    def __init__(self) -> None:
        self._roots: dict[str, str] = {}  # a file's folder, as the file was named -> its project root
        self._marked: dict[str, str | None] = {}  # folder -> the nearest marked folder at or above it
        self._packaged: dict[str, str] = {}  # folder -> the first folder at or above it without `__init__.py`

    def of(self, filename: str) -> str:
        """The absolute path of the file's project root."""
        named = os.path.dirname(filename)
        if named not in self._roots:
            folder = os.path.abspath(named)
            marked = self._nearest_marked(folder)
            self._roots[named] = marked if marked is not None else self._top_level(folder)
        return self._roots[named]

    def _nearest_marked(self, folder: str) -> str | None:
        if folder not in self._marked:
            parent = os.path.dirname(folder)
            if _marks_a_project(folder):
                self._marked[folder] = folder
            else:
                self._marked[folder] = None if parent == folder else self._nearest_marked(parent)
        return self._marked[folder]

    def _top_level(self, folder: str) -> str:
        if folder not in self._packaged:
            parent = os.path.dirname(folder)
            is_package = parent != folder and os.path.isfile(os.path.join(folder, "__init__.py"))
            self._packaged[folder] = self._top_level(parent) if is_package else folder
        return self._packaged[folder]


def _marks_a_project(folder: str) -> bool:
    if os.path.isfile(os.path.join(folder, "__init__.py")):  # most folders of a tree: one look
        return False
    if any(os.path.isfile(os.path.join(folder, name)) for name in MARKERS):
        return True
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    return any(name.endswith(_DISTRIBUTION) and os.path.isdir(os.path.join(folder, name)) for name in names)


def by_project(filenames: list[str]) -> list[tuple[str, list[int]]]:
    """Each project's root and the indexes of its files in `filenames`, the projects in
    the order of their first file, the indexes in the order of `filenames`."""
    roots = Roots()
    projects: dict[str, list[int]] = {}
    for index, filename in enumerate(filenames):
        projects.setdefault(roots.of(filename), []).append(index)
    return list(projects.items())
