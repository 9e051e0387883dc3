"""How reporters name a file: relative to the working directory for people, absolute for
machines, a URI for SARIF. `-` (standard input without `--stdin-filename`) stays `-`."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

STDIN = "-"


def relative(filename: str) -> str:
    """The name as given, with the working directory stripped from an absolute path under it,
    as Ruff shows paths."""
    if filename == STDIN or not os.path.isabs(filename):
        return filename
    try:
        return str(Path(filename).relative_to(Path.cwd()))
    except ValueError:
        return filename


def absolute(filename: str) -> str:
    return filename if filename == STDIN else os.path.abspath(filename)


def uri(filename: str) -> tuple[str, bool]:
    """A URI reference for the file and whether it is relative (to the working directory)."""
    name = relative(filename)
    if os.path.isabs(name):
        return Path(name).as_uri(), False
    return quote(Path(name).as_posix()), True


def project_root(fallback: Path) -> Path:
    """The folder reports name files relative to: the repository the working directory is
    in (the nearest folder with a `.git`), else `fallback` (the configuration's folder)."""
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return fallback
