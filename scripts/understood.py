"""How much of real projects' cache use cachelint understands: the table of the issue
"See caching as real projects write it".

    python scripts/understood.py                       # the applications of scripts/understood.txt
    python scripts/understood.py --corpus /work/corpus/src zou pretix
    python scripts/understood.py --receivers 5         # also the 5 commonest unresolved receivers
    python scripts/understood.py --save /tmp/ops       # also keep each project's two JSON lists

For each project folder under the corpus (the layout `scripts/corpus.py` builds), it runs
`cachelint ops --output-format json` (the operations and decorators understood) and
`cachelint ops --unresolved --output-format json` (the calls that look like cache use and were
not understood), and prints understood ÷ (understood + unresolved) per project and over all.
The cachelint it runs is the one of this checkout (`python -m cachelint` from the repository
root), so two revisions can be compared by running the script in each.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIST = Path(__file__).resolve().parent / "understood.txt"
DEFAULT_CORPUS = Path(os.environ.get("CACHELINT_CORPUS", "/work/corpus")) / "src"


def projects(list_file: Path = LIST) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in list_file.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def ops(folder: Path, *extra: str) -> object:
    command = [sys.executable, "-m", "cachelint", "ops", *extra, "--output-format", "json", str(folder)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="project folders under the corpus (default: scripts/understood.txt)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--receivers", type=int, default=0, help="show the N commonest unresolved receivers")
    parser.add_argument("--save", type=Path, help="write <NAME>.ops.json and <NAME>.unresolved.json into this folder")
    arguments = parser.parse_args()
    total_understood = total_missed = 0
    print(f"{'project':28} {'understood':>10} {'unresolved':>10} {'share':>6}")
    for name in arguments.names or projects():
        folder = arguments.corpus / name
        if not folder.is_dir():
            print(f"{name:28} (not in {arguments.corpus})")
            continue
        understood = ops(folder)
        unresolved = ops(folder, "--unresolved")
        assert isinstance(understood, list) and isinstance(unresolved, dict)
        if arguments.save:
            arguments.save.mkdir(parents=True, exist_ok=True)
            (arguments.save / f"{name}.ops.json").write_text(json.dumps(understood, indent=1), encoding="utf-8")
            (arguments.save / f"{name}.unresolved.json").write_text(json.dumps(unresolved, indent=1), encoding="utf-8")
        missed = len(unresolved["calls"])
        total_understood += len(understood)
        total_missed += missed
        share = len(understood) / (len(understood) + missed) if understood or missed else 1.0
        print(f"{name:28} {len(understood):>10} {missed:>10} {share:>6.0%}", flush=True)
        if arguments.receivers:
            for receiver, count in Counter(unresolved["receivers"]).most_common(arguments.receivers):
                print(f"{'':30}{count:>4}  {receiver}")
    total = total_understood + total_missed
    print(f"{'all':28} {total_understood:>10} {total_missed:>10} {total_understood / total if total else 1:>6.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
