"""Which files to lint: walk the paths given, honouring the default and configured excludes
and what git ignores."""
from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cachelint.config import Settings

DEFAULT_EXCLUDES = (
    ".bzr", ".direnv", ".eggs", ".git", ".hg", ".mypy_cache", ".nox", ".pytest_cache",
    ".ruff_cache", ".cachelint_cache", ".svn", ".tox", ".venv", "venv", "__pycache__",
    "__pypackages__", "_build", "build", "dist", "node_modules", "site-packages",
)
SUFFIXES = (".py", ".pyi")


class GlobError(ValueError):
    pass


def glob_regex(pattern: str) -> str:
    """A regular expression for a glob, with the semantics of Ruff's (the `globset` crate's,
    as Ruff configures it): `*` and `?` also match `/`; `**` is a whole component
    (`**/x`, `a/**/x`, `a/**`) matching any number of folders, none included; `[…]` (`[!…]`
    negated) and `{a,b}` alternatives; `\\` escapes. A glob it cannot read is a GlobError."""
    out, index, alternatives = [], 0, 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**", index):
            before_ok = index == 0 or pattern[index - 1] == "/"
            after = pattern[index + 2:index + 3]
            if not before_ok or after not in ("", "/"):
                raise GlobError("`**` must be a whole path component (`**/`, `/**/` or `/**`)")
            if after == "/":
                out.append("(?:.*/)?")
                index += 3
            else:
                out.append(".*")
                index += 2
            continue
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "[":
            first = index + 2 if pattern[index + 1:index + 2] in ("!", "^") else index + 1
            close = pattern.find("]", first + 1)  # a `]` first in the class is one of its characters
            if close < 0:
                raise GlobError("unclosed character class `[`")
            body = pattern[index + 1:close]
            if body[:1] in ("!", "^"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            index = close
        elif char == "{":
            if alternatives:
                raise GlobError("nested alternatives `{…{` are not allowed")
            alternatives += 1
            out.append("(?:")
        elif char == "}" and alternatives:
            alternatives -= 1
            out.append(")")
        elif char == "," and alternatives:
            out.append("|")
        elif char == "\\":
            if index + 1 == len(pattern):
                raise GlobError("a `\\` with nothing after it")
            index += 1
            out.append(re.escape(pattern[index]))
        else:
            out.append(re.escape(char))
        index += 1
    if alternatives:
        raise GlobError("unclosed alternatives `{`")
    return "".join(out)


class Globs:
    """Glob patterns matched as Ruff matches `exclude` and `per-file-ignores`: a pattern
    matches a file or folder by its name, or by its absolute path with the pattern taken
    relative to `root` (the folder of the configuration) unless it is absolute."""

    def __init__(self, patterns: Iterable[str], root: Path | str) -> None:
        patterns = [pattern.rstrip("/") for pattern in patterns]
        base = re.escape(_posix(os.path.abspath(root)).rstrip("/") + "/")
        names = [glob_regex(pattern) for pattern in patterns]
        full = [glob_regex(p) if p.startswith("/") else base + glob_regex(p) for p in map(_posix_pattern, patterns)]
        self._name = _any_of(names) if names else None
        self._path = _any_of(full) if full else None

    def matches(self, path: Path | str) -> bool:
        absolute = os.path.abspath(path)
        return self.matches_name(os.path.basename(absolute), _posix(absolute))

    def matches_name(self, name: str, absolute: str) -> bool:
        """Whether a file or folder called `name`, at the absolute path `absolute` (with
        `/` between components), matches."""
        if self._name is None or self._path is None:  # no patterns
            return False
        return bool(self._name.match(name) or self._path.match(absolute))


def _any_of(regexes: list[str]) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(regexes) + r")\Z", re.S)


def _posix(path: str) -> str:
    return path.replace(os.sep, "/")


def _posix_pattern(pattern: str) -> str:
    return pattern[2:] if pattern.startswith("./") else pattern


class GitIgnore:
    """What git ignores, for paths inside a git repository: the `.gitignore` of each
    folder from the repository's root down (a deeper one overrides), and
    `.git/info/exclude`. Read with `pathspec`, which implements git's own rules."""

    def __init__(self) -> None:
        self._repositories: dict[str, str | None] = {}
        self._specs: dict[str, object] = {}

    def ignores(self, path: str, is_dir: bool) -> bool:
        """Whether `path` (absolute) is ignored, itself or through a folder it is in."""
        folder = os.path.dirname(path)
        repository = self._repository(folder)
        if repository is None or path == repository:
            return False
        parts = os.path.relpath(path, repository).split(os.sep)
        if ".git" in parts:
            return True
        current = repository
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            if self._ignored_in(repository, current, parts, depth, is_dir or not last):
                return True
            current = os.path.join(current, part)
        return False

    def ignores_entry(self, folder: str, name: str, is_dir: bool) -> bool:
        """Whether the entry `name` of `folder` is ignored, its folders being known not to be
        (as when walking down from a folder that is not)."""
        repository = self._repository(folder)
        if repository is None:
            return False
        parts = os.path.relpath(os.path.join(folder, name), repository).split(os.sep)
        return self._ignored_in(repository, folder, parts, len(parts) - 1, is_dir)

    def _ignored_in(self, repository: str, folder: str, parts: list[str], depth: int, is_dir: bool) -> bool:
        """Whether `parts[:depth + 1]` is ignored by the rules of `folder` (the folder of
        parts[depth]) and of the folders above it: the deepest that says anything decides."""
        current = folder
        level = depth
        while True:
            relative = "/".join(parts[level:depth + 1]) + ("/" if is_dir else "")
            spec = self._spec(current, repository)
            if spec is not None:
                verdict = spec.check_file(relative).include
                if verdict is not None:
                    return verdict
            if current == repository:
                return False
            current = os.path.dirname(current)
            level -= 1

    def _spec(self, folder: str, repository: str):
        if folder not in self._specs:
            lines = _read_lines(os.path.join(folder, ".gitignore"))
            if folder == repository:
                lines = _read_lines(os.path.join(folder, ".git", "info", "exclude")) + lines
            self._specs[folder] = _gitignore_spec(lines) if lines else None
        return self._specs[folder]

    def _repository(self, folder: str) -> str | None:
        """The root of the git repository `folder` is in (None: not in one)."""
        if folder not in self._repositories:
            if os.path.exists(os.path.join(folder, ".git")):
                self._repositories[folder] = folder
            else:
                parent = os.path.dirname(folder)
                self._repositories[folder] = None if parent == folder else self._repository(parent)
        return self._repositories[folder]


def _gitignore_spec(lines: list[str]):
    import pathspec  # only runs that meet a .gitignore need it

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _read_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return file.read().splitlines()
    except OSError:
        return []


@dataclass
class Discovery:
    """The files to lint, and the paths that could not be walked or read."""

    files: list[str] = field(default_factory=list)  # normalised, as `str(Path(...))` spells them
    errors: list[tuple[Path, str]] = field(default_factory=list)  # path, what went wrong


def discover(paths: list[Path], settings: Settings) -> Discovery:
    """Files under `paths`, sorted. Each folder is walked with the excludes of its nearest
    configuration, and without what git ignores (unless `respect_gitignore` is off). A
    file named explicitly is linted even if excluded or ignored, as Ruff does, unless
    `force_exclude` is on (as a pre-commit hook wants). A missing or unreadable path is an
    error for that path only."""
    walker = _Walker(settings)
    found = Discovery()

    def walk_error(error: OSError) -> None:
        found.errors.append((Path(error.filename), describe_os_error(error)))

    for path in paths:
        try:
            os.stat(path)
        except OSError as error:
            found.errors.append((path, describe_os_error(error)))
            continue
        is_dir = path.is_dir()
        # Its configuration is read now (before the result cache's key is made).
        force_exclude = settings.for_folder(os.path.abspath(path if is_dir else path.parent)).force_exclude
        if force_exclude and walker.excluded_path(str(path), is_dir):
            continue
        kind = None if is_dir else _kind(str(path))
        if is_dir:
            found.files.extend(walker.walk(str(path), walk_error, found.errors))
        elif kind is None:
            found.files.append(str(path))
        else:
            found.errors.append((path, kind))
    found.files = sorted(set(found.files), key=_path_order)
    found.errors = list(dict.fromkeys(found.errors))  # a pipe named, and found in a folder named
    return found


def _path_order(path: str) -> list[str]:
    """The order of `Path` objects (component by component), without making them."""
    return os.path.normcase(path).split(os.sep)


class _Walker:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._gitignore = GitIgnore() if settings.respect_gitignore else None
        self._excludes: dict[int, Globs] = {}

    def _excludes_of(self, folder: str) -> Globs:
        """The exclude globs of the configuration nearest to `folder` (absolute)."""
        settings = self._settings.for_folder(folder)
        globs = self._excludes.get(id(settings))
        if globs is None:
            patterns = (*(DEFAULT_EXCLUDES if settings.exclude is None else settings.exclude), *settings.extend_exclude)
            globs = self._excludes[id(settings)] = Globs(patterns, settings.root)
        return globs

    def excluded_path(self, path: str, is_dir: bool) -> bool:
        """Whether a path named explicitly would have been left out of a walk: it, or a
        folder it is in, is excluded or ignored."""
        absolute = os.path.abspath(path)
        if self._gitignore is not None and self._gitignore.ignores(absolute, is_dir):
            return True
        current = absolute
        while True:
            parent = os.path.dirname(current)
            if parent == current:
                return False
            if self._excludes_of(parent).matches_name(os.path.basename(current), _posix(current)):
                return True
            current = parent

    def walk(self, top: str, onerror, skipped: list[tuple[Path, str]]) -> Iterator[str]:
        """The Python files under the folder `top` (as `str(Path(...))` spells it), pruning
        excluded and ignored folders; what has a Python file's name but is no regular file
        goes to `skipped`, with what it is. As `os.walk` would, but reading each entry's
        type from its folder's listing: a regular file or a folder costs no `stat` of its own
        (a walk meets every file of a tree, Python or not)."""
        here = os.curdir + os.sep  # `./a.py` is `a.py`, as `Path` spells it
        pending = [(top, os.path.abspath(top))]
        while pending:  # depth first, each folder's subfolders in name order
            folder, absolute = pending.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = list(listing)
            except OSError as error:
                onerror(error)
                continue
            excluded = self._excludes_of(absolute)
            prefix = _posix(absolute).rstrip("/") + "/"
            subfolders = []
            for entry in entries:
                name = entry.name
                if _asks(entry.is_dir):
                    # A symlinked folder is not walked into (os.walk's default).
                    if (not _asks(entry.is_symlink) and not excluded.matches_name(name, prefix + name)
                            and not self._ignored(absolute, name, True)):
                        subfolders.append(name)
                elif (name.endswith(SUFFIXES) and not excluded.matches_name(name, prefix + name)
                        and not self._ignored(absolute, name, False)):
                    path = entry.path
                    path = path[len(here):] if path.startswith(here) else path
                    kind = None if _asks(entry.is_file) else _kind(path)
                    if kind is None:
                        yield path
                    else:
                        skipped.append((Path(path), kind))
            pending.extend((os.path.join(folder, name), os.path.join(absolute, name))
                           for name in sorted(subfolders, reverse=True))

    def _ignored(self, folder: str, name: str, is_dir: bool) -> bool:
        return self._gitignore is not None and self._gitignore.ignores_entry(folder, name, is_dir)


def _asks(question: Callable[[], bool]) -> bool:
    """A DirEntry's answer (`is_dir`, `is_file`: symlinks followed), False when it cannot
    be had, as os.walk takes it."""
    try:
        return question()
    except OSError:
        return False


def _kind(path: str) -> str | None:
    """None for a regular file (or a symlink to one), else what it is: reading a named
    pipe waits for a writer forever, and a device may never end."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        return describe_os_error(error)
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "not a regular file (a named pipe)"
    if stat.S_ISSOCK(mode):
        return "not a regular file (a socket)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "not a regular file (a device)"
    return "not a file or folder"


def describe_os_error(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "symlink loop"
    return error.strerror or str(error)
