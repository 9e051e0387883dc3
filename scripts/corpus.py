"""Fetch the real projects cachelint is tried on, so that a later session can rebuild the corpus.

    python scripts/corpus.py                        # every project of scripts/corpus.txt
    python scripts/corpus.py --root /tmp/corpus django flask-caching   # some of them

The list is data: `scripts/corpus.txt`, one requirement a line (`name==version`, pinned to
the version the corpus was first built from; a bare name takes the newest). For each one,
`pip download --no-deps` fetches the wheel (`--only-binary :all:`) or, when there is none,
the sdist (`--no-binary :all:`) into `<root>/dl/<name>/`, and the archive is extracted into
`<root>/src/<name>/`, the layout `scripts/compare_outputs.py --corpus <root>/src` reads.
A project whose `src/<name>` folder exists is left as it is (delete the folder to fetch it
again). Nothing is installed and nothing fetched is run. The exit status is 1 when a
project could not be fetched; the others are still fetched.

The default root is `$CACHELINT_CORPUS`, else `/work/corpus`.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

LIST = Path(__file__).resolve().parent / "corpus.txt"
DEFAULT_ROOT = Path(os.environ.get("CACHELINT_CORPUS", "/work/corpus"))


def requirements(list_file: Path = LIST) -> list[str]:
    """The requirements of the list, comments and blank lines left out."""
    lines = (line.split("#", 1)[0].strip() for line in list_file.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def project_name(requirement: str) -> str:
    return requirement.split("==", 1)[0].strip()


def download(requirement: str, folder: Path) -> Path | None:
    """The archive of `requirement` in `folder`: a wheel when the registry has one, else the sdist."""
    folder.mkdir(parents=True, exist_ok=True)
    for only in (["--only-binary", ":all:"], ["--no-binary", ":all:"]):
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", *only, "-d", str(folder), requirement]
        if subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
            archives = sorted(folder.iterdir(), key=lambda path: path.stat().st_mtime, reverse=True)
            if archives:
                return archives[0]
    return None


def extract(archive: Path, destination: Path) -> None:
    destination.mkdir(parents=True, exist_ok=True)
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(destination)
    else:
        with tarfile.open(archive) as bundle:
            # "data": no absolute paths, links out of the folder or special files.
            bundle.extractall(destination, filter="data")


def fetch(requirement: str, root: Path) -> str:
    name = project_name(requirement)
    source = root / "src" / name
    if source.is_dir():
        return f"have  {name}"
    archive = download(requirement, root / "dl" / name)
    if archive is None:
        raise RuntimeError(f"FAIL  {requirement}: pip could download neither a wheel nor an sdist")
    extract(archive, source)
    return f"OK    {requirement} {archive.name}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="projects of the list to fetch (all by default)")
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help=f"where dl/ and src/ go (default {DEFAULT_ROOT})")
    parser.add_argument("--list", type=Path, default=LIST, help="the requirements file (default scripts/corpus.txt)")
    args = parser.parse_args(argv)
    wanted = requirements(args.list)
    if args.names:
        known = {project_name(requirement).lower(): requirement for requirement in wanted}
        unknown = [name for name in args.names if name.lower() not in known]
        if unknown:
            parser.error(f"not in {args.list}: {', '.join(unknown)}")
        wanted = [known[name.lower()] for name in args.names]
    failed = 0
    for requirement in wanted:
        try:
            print(fetch(requirement, args.root), flush=True)
        except RuntimeError as error:
            print(error, file=sys.stderr, flush=True)
            failed += 1
    print(f"{len(wanted) - failed} of {len(wanted)} projects in {args.root / 'src'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
