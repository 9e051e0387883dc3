"""Record, and compare, what cachelint reports on a set of trees (behaviour must not change).

A refactoring of the model or the rules must leave every finding as it was. This script
runs the linter of the current checkout (`python3 -m cachelint` from its root) on each
tree, sorts the JSON findings, and writes one file per tree into OUT; run it before and
after a change into two folders, then compare them with `--compare BEFORE AFTER`.

    python3 scripts/compare_behaviour.py record /tmp/before /work/shared/eval/public fixtures
    python3 scripts/compare_behaviour.py record /tmp/after /work/shared/eval/public fixtures
    python3 scripts/compare_behaviour.py compare /tmp/before /tmp/after

Fields only one side reports (one the linter learnt in between) are left out of the comparison.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _label(tree: str) -> str:
    return tree.strip("/").replace("/", "_") or "root"


def record(out: Path, trees: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for tree in trees:
        run = subprocess.run(
            [sys.executable, "-m", "cachelint", "--no-cache", "--output-format", "json",
             "--exit-zero", tree],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )
        if run.returncode != 0:
            sys.exit(f"cachelint failed on {tree}:\n{run.stderr}")
        findings = json.loads(run.stdout)
        lines = sorted(json.dumps(finding, sort_keys=True) for finding in findings)
        (out / f"{_label(tree)}.jsonl").write_text("".join(line + "\n" for line in lines))
        print(f"{tree}: {len(lines)} findings", flush=True)


def _fields(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _comparable(before: list[dict], after: list[dict]) -> tuple[list[str], list[str]]:
    """Both sides as sorted lines, each finding reduced to the fields both sides report: a
    field the linter learnt in between (a fingerprint) is not a change of behaviour."""
    shared = set.intersection(*(set(finding) for finding in before + after)) if before or after else set()

    def lines(findings: list[dict]) -> list[str]:
        return sorted(json.dumps({k: v for k, v in f.items() if k in shared}, sort_keys=True) for f in findings)

    return lines(before), lines(after)


def compare(before: Path, after: Path) -> int:
    differing = 0
    for old in sorted(before.glob("*.jsonl")):
        new = after / old.name
        if not new.exists():
            print(f"{old.name}: missing after")
            differing += 1
            continue
        old_sorted, new_sorted = _comparable(_fields(old), _fields(new))
        if old_sorted != new_sorted:
            old_lines, new_lines = set(old_sorted), set(new_sorted)
            print(f"{old.name}: {len(old_lines - new_lines)} gone, {len(new_lines - old_lines)} new")
            for line in sorted(old_lines - new_lines)[:5]:
                print(f"  - {line}")
            for line in sorted(new_lines - old_lines)[:5]:
                print(f"  + {line}")
            differing += 1
        else:
            print(f"{old.name}: identical ({len(old_sorted)} findings)")
    return 1 if differing else 0


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[0] == "record":
        record(Path(argv[1]), argv[2:])
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        return compare(Path(argv[1]), Path(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
