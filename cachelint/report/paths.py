"""How reporters name a file: relative to the working directory for people, absolute for
machines; and the project root that fingerprints and SARIF name files from. `-`
(standard input without `--stdin-filename`) stays `-`."""
from __future__ import annotations

import os
from pathlib import Path

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


def project_root(fallback: Path) -> Path:
    """The folder reports name files relative to: the repository the working directory is
    in (the nearest folder with a `.git`), else `fallback` (the configuration's folder)."""
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return fallback
