"""Which files to lint: walk the paths given, honouring the default and configured excludes."""
from __future__ import annotations

import errno
import fnmatch
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_EXCLUDES = (
    ".bzr", ".direnv", ".eggs", ".git", ".hg", ".mypy_cache", ".nox", ".pytest_cache",
    ".ruff_cache", ".cachelint_cache", ".svn", ".tox", ".venv", "venv", "__pycache__",
    "__pypackages__", "_build", "build", "dist", "node_modules", "site-packages",
)
SUFFIXES = (".py", ".pyi")


class Globs:
    """Glob patterns matched as Ruff matches `exclude` and `per-file-ignores`: against a
    path's last component, or against the whole path relative to `root` (the folder of
    the configuration), where `*` also crosses `/`."""

    def __init__(self, patterns: Iterable[str], root: Path) -> None:
        patterns = [pattern.rstrip("/") for pattern in patterns]
        self._regex = re.compile("|".join(map(fnmatch.translate, patterns))) if patterns else None
        self._root = os.path.abspath(root)

    def matches(self, path: Path | str) -> bool:
        absolute = os.path.abspath(path)
        return self.matches_name(os.path.basename(absolute), self.relative(absolute))

    def matches_name(self, name: str, relative: str) -> bool:
        """Whether a file or folder called `name`, at `relative` (see `relative`), matches."""
        return self._regex is not None and bool(self._regex.match(name) or self._regex.match(relative))

    def relative(self, absolute: str) -> str:
        """The path patterns see: relative to the root with `/` between components, or the
        absolute path (still with `/`) when it is outside the root."""
        relative = os.path.relpath(absolute, self._root)
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            relative = absolute
        return relative.replace(os.sep, "/")


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)  # normalised, as `str(Path(...))` spells them
    errors: list[tuple[Path, str]] = field(default_factory=list)  # path, what went wrong


def discover(paths: list[Path], root: Path, exclude: tuple[str, ...] | None, extend_exclude: tuple[str, ...]) -> Discovery:
    """Files under `paths`, sorted. A file named explicitly is linted even if excluded,
    as Ruff does; a missing or unreadable path is an error for that path only."""
    excluded = Globs((*(DEFAULT_EXCLUDES if exclude is None else exclude), *extend_exclude), root)
    found = Discovery()

    def walk_error(error: OSError) -> None:
        found.errors.append((Path(error.filename), describe_os_error(error)))

    for path in paths:
        try:
            os.stat(path)
        except OSError as error:
            found.errors.append((path, describe_os_error(error)))
            continue
        if path.is_file():
            found.files.append(str(path))
        elif path.is_dir():
            found.files.extend(_walk(str(path), excluded, walk_error))
        else:
            found.errors.append((path, "not a file or folder"))
    found.files = sorted(set(found.files), key=_path_order)
    return found


def _path_order(path: str) -> list[str]:
    """The order of `Path` objects (component by component), without making them."""
    return os.path.normcase(path).split(os.sep)


def _walk(top: str, excluded: Globs, onerror) -> Iterator[str]:
    """The Python files under the folder `top` (as `str(Path(...))` spells it), pruning
    excluded folders. Each entry's path relative to the root is its folder's plus its
    name, not worked out again per entry."""
    top_relative = excluded.relative(os.path.abspath(top))
    relatives = {top: "" if top_relative == "." else top_relative + "/"}
    here = os.curdir + os.sep  # `./a.py` is `a.py`, as `Path` spells it
    for folder, subfolders, filenames in os.walk(top, onerror=onerror):
        prefix = relatives.pop(folder)
        kept = []
        for name in sorted(subfolders):
            if not excluded.matches_name(name, prefix + name):
                kept.append(name)
                relatives[os.path.join(folder, name)] = prefix + name + "/"
        subfolders[:] = kept
        for name in filenames:
            if name.endswith(SUFFIXES) and not excluded.matches_name(name, prefix + name):
                path = os.path.join(folder, name)
                yield path[len(here):] if path.startswith(here) else path


def describe_os_error(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "symlink loop"
    return error.strerror or str(error)
