"""Which files to lint: walk the paths given, honouring the default and configured excludes."""
from __future__ import annotations

import errno
import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_EXCLUDES = (
    ".bzr", ".direnv", ".eggs", ".git", ".hg", ".mypy_cache", ".nox", ".pytest_cache",
    ".ruff_cache", ".cachelint_cache", ".svn", ".tox", ".venv", "venv", "__pycache__",
    "__pypackages__", "_build", "build", "dist", "node_modules", "site-packages",
)
SUFFIXES = (".py", ".pyi")


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    errors: list[tuple[Path, str]] = field(default_factory=list)  # path, what went wrong


def _excluded(path: Path, root: Path, patterns: tuple[str, ...]) -> bool:
    try:
        relative = path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        relative = path.as_posix()
    return any(
        fnmatch.fnmatch(path.name, pattern) or fnmatch.fnmatch(relative, pattern) for pattern in patterns
    )


def discover(paths: list[Path], root: Path, exclude: tuple[str, ...] | None, extend_exclude: tuple[str, ...]) -> Discovery:
    """Files under `paths`, sorted. A file named explicitly is linted even if excluded,
    as Ruff does; a missing or unreadable path is an error for that path only."""
    patterns = (DEFAULT_EXCLUDES if exclude is None else exclude) + tuple(extend_exclude)
    found = Discovery()
    seen: set[Path] = set()

    def add(path: Path) -> None:
        if path not in seen:
            seen.add(path)
            found.files.append(path)

    for path in paths:
        try:
            os.stat(path)
        except OSError as error:
            found.errors.append((path, describe_os_error(error)))
            continue
        if path.is_file():
            add(path)
            continue
        for folder, subfolders, filenames in os.walk(path, onerror=lambda e: found.errors.append((Path(e.filename), describe_os_error(e)))):
            base = Path(folder)
            subfolders[:] = sorted(d for d in subfolders if not _excluded(base / d, root, patterns))
            for filename in sorted(filenames):
                candidate = base / filename
                if candidate.suffix in SUFFIXES and not _excluded(candidate, root, patterns):
                    add(candidate)
    found.files.sort()
    return found


def describe_os_error(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "symlink loop"
    return error.strerror or str(error)
