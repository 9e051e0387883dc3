"""Which files to lint: walk the paths given, honouring the default and configured excludes."""
from __future__ import annotations

import errno
import fnmatch
import os
import re
from collections.abc import Iterable
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
        if self._regex is None:
            return False
        absolute = os.path.abspath(path)
        relative = os.path.relpath(absolute, self._root)
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            relative = absolute
        return bool(self._regex.match(os.path.basename(absolute)) or self._regex.match(relative.replace(os.sep, "/")))


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
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
            found.files.append(path)
            continue
        if not path.is_dir():
            found.errors.append((path, "not a file or folder"))
            continue
        for folder, subfolders, filenames in os.walk(path, onerror=walk_error):
            base = Path(folder)
            subfolders[:] = sorted(d for d in subfolders if not excluded.matches(base / d))
            found.files.extend(
                base / name for name in filenames
                if name.endswith(SUFFIXES) and not excluded.matches(base / name)
            )
    found.files = sorted(set(found.files))
    return found


def describe_os_error(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "symlink loop"
    return error.strerror or str(error)
