"""Compare cachelint's findings between two git revisions: is the behaviour unchanged?

    python scripts/compare_outputs.py --eval /work/shared/eval/public            # main vs HEAD
    python scripts/compare_outputs.py --base v0.2.0 --head my-branch --eval /work/shared/eval/public \\
        --corpus /work/corpus/src --project django --project wagtail
    python scripts/compare_outputs.py --no-corpus --eval /work/shared/eval/public --show 50

Each revision is checked out in a temporary git worktree (detached, removed afterwards), and
in every tree it runs

    python3 -P -m cachelint check --no-cache --output-format json --exit-zero .

with the tree as the working directory and that worktree as the only place cachelint is
imported from (`-P` keeps the tree itself off `sys.path`, so a linted project's own modules
cannot shadow a dependency). The trees, all optional:

- `--eval DIR`: the public evaluation corpus, linted as one tree;
- the repository's `fixtures/` (the head revision's, so both revisions read the same
  files), linted as one tree; `--no-fixtures` leaves it out;
- `--corpus DIR` (default `/work/corpus/src`, as `scripts/corpus.py` builds it): every
  folder in it is a tree of its own; `--project NAME` (repeatable) keeps only those,
  `--no-corpus` none.

Findings are compared as multisets of their JSON objects, the filename made relative to
the tree. A tree is `identical` when both revisions report the same findings, the same
internal errors (standard error, paths of the worktree and tree replaced) and the same
exit status; otherwise the report lists what only the base and only the head reports
(`--show` of each, 20 by default), and, first, for a finding at the same place and of the
same rule on both sides, the fields that differ (`~`). `--ignore-field url` (repeatable)
leaves a field out of the comparison: the rule page's address names the version, so it
differs between two versions. `--json FILE` writes the whole comparison.

Exit status: 0 when every tree is identical, 1 when one differs, 2 on a usage error or when
a revision cannot be checked out.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = Path("/work/corpus/src")
COMMAND = ["-P", "-m", "cachelint", "check", "--no-cache", "--output-format", "json", "--exit-zero", "."]


@dataclass
class Run:
    """What one revision reported on one tree."""

    findings: list[str]  # one canonical JSON text per finding
    errors: list[str]  # standard error, normalised
    status: int
    seconds: float


@dataclass
class Comparison:
    tree: str
    base: Run
    head: Run
    only_base: list[str] = field(default_factory=list)
    only_head: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return (
            not self.only_base
            and not self.only_head
            and self.base.errors == self.head.errors
            and self.base.status == self.head.status
        )


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout.strip()


class Checkout:
    """A revision checked out in a temporary, detached git worktree."""

    def __init__(self, revision: str, parent: Path) -> None:
        self.revision = revision
        self.commit = _git("rev-parse", "--verify", f"{revision}^{{commit}}")
        self.path = parent / revision.replace("/", "_")

    def __enter__(self) -> Checkout:
        _git("worktree", "add", "--detach", "--quiet", str(self.path), self.commit)
        return self

    def __exit__(self, *exc_info: object) -> None:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(self.path)], capture_output=True)

    def lint(self, tree: Path) -> Run:
        started = time.perf_counter()
        env = {**os.environ, "PYTHONPATH": str(self.path)}
        done = subprocess.run([sys.executable, *COMMAND], cwd=tree, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        try:
            findings = json.loads(done.stdout) if done.stdout.strip() else []
        except json.JSONDecodeError:
            findings = [{"unparsable standard output": done.stdout[:2000]}]
        errors = [
            line.replace(str(self.path), "<cachelint>").replace(str(tree), "<tree>")
            for line in done.stderr.splitlines()
        ]
        return Run([_canonical(finding, tree) for finding in findings], errors, done.returncode, seconds)


IGNORED_FIELDS: set[str] = set()


def _canonical(finding: dict, tree: Path) -> str:
    filename = finding.get("filename")
    if isinstance(filename, str):
        path = Path(filename)
        finding = {**finding, "filename": str(path.relative_to(tree)) if path.is_relative_to(tree) else filename}
    return json.dumps({key: value for key, value in finding.items() if key not in IGNORED_FIELDS}, sort_keys=True)


def describe(finding: str) -> str:
    """One line a person reads: where, which rule, what it says (and its fix, if any)."""
    data = json.loads(finding)
    if "code" not in data:
        return finding
    start, end = data["location"], data["end_location"]
    line = f"{data['filename']}:{start['row']}:{start['column']}-{end['row']}:{end['column']} {data['code']} {data['message']}"
    if data.get("fix"):
        line += f"  [fix: {json.dumps(data['fix'], sort_keys=True)}]"
    return line


def compare(tree_name: str, tree: Path, base: Checkout, head: Checkout) -> Comparison:
    before, after = base.lint(tree), head.lint(tree)
    counts_before, counts_after = Counter(before.findings), Counter(after.findings)
    return Comparison(
        tree_name,
        before,
        after,
        only_base=sorted((counts_before - counts_after).elements()),
        only_head=sorted((counts_after - counts_before).elements()),
    )


def trees(args: argparse.Namespace, head: Checkout) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    if args.eval:
        found.append(("eval", args.eval))
    if not args.no_fixtures:
        found.append(("fixtures", head.path / "fixtures"))
    if not args.no_corpus:
        projects = sorted(path for path in args.corpus.iterdir() if path.is_dir())
        if args.project:
            named = {path.name for path in projects}
            missing = sorted(set(args.project) - named)
            if missing:
                raise SystemExit(f"error: not in {args.corpus}: {', '.join(missing)}")
            projects = [path for path in projects if path.name in args.project]
        found += [(f"corpus/{path.name}", path) for path in projects]
    return found


def changed_fields(only_base: list[str], only_head: list[str]) -> list[str]:
    """For a finding at the same place and of the same rule on both sides, which of its
    fields differ (a message reworded, a rule page's address at a new version)."""
    def place(data: dict) -> tuple:
        return data.get("filename"), json.dumps(data.get("location")), data.get("code"), data.get("name")

    before = {place(data): data for data in map(json.loads, only_base)}
    lines = []
    for data in map(json.loads, only_head):
        old = before.get(place(data))
        if old is not None:
            fields = sorted(key for key in {*old, *data} if old.get(key) != data.get(key))
            where = f"{data['filename']}:{data['location']['row']}:{data['location']['column']} {data.get('code')}"
            lines += [f"    ~ {where} {key}: {old.get(key)!r} -> {data.get(key)!r}" for key in fields]
    return lines


def report(comparison: Comparison, show: int) -> list[str]:
    base, head = comparison.base, comparison.head
    timing = f"{base.seconds:.1f}s / {head.seconds:.1f}s"
    if comparison.identical:
        return [f"identical  {comparison.tree}: {len(head.findings)} findings ({timing})"]
    lines = [
        f"DIFFERENT  {comparison.tree}: {len(base.findings)} -> {len(head.findings)} findings, "
        f"{len(comparison.only_base)} only in base, {len(comparison.only_head)} only in head ({timing})"
    ]
    changed = changed_fields(comparison.only_base, comparison.only_head)
    lines += changed[:show] + ([f"    ~ … and {len(changed) - show} more"] if len(changed) > show else [])
    for sign, findings in (("-", comparison.only_base), ("+", comparison.only_head)):
        lines += [f"    {sign} {describe(finding)}" for finding in findings[:show]]
        if len(findings) > show:
            lines.append(f"    {sign} … and {len(findings) - show} more")
    if base.status != head.status:
        lines.append(f"    exit status {base.status} -> {head.status}")
    if base.errors != head.errors:
        lines += [f"    - stderr: {line}" for line in base.errors if line not in head.errors][:show]
        lines += [f"    + stderr: {line}" for line in head.errors if line not in base.errors][:show]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main", help="the revision before (default main)")
    parser.add_argument("--head", default="HEAD", help="the revision after (default HEAD)")
    parser.add_argument("--eval", type=Path, help="the public evaluation corpus, linted as one tree")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"a folder of projects (default {DEFAULT_CORPUS})")
    parser.add_argument("--project", action="append", help="only this project of --corpus (repeatable)")
    parser.add_argument("--no-corpus", action="store_true", help="leave the projects of --corpus out")
    parser.add_argument("--no-fixtures", action="store_true", help="leave the repository's fixtures/ out")
    parser.add_argument("--show", type=int, default=20, help="differing findings shown per tree and side")
    parser.add_argument("--ignore-field", action="append", default=[], help="a field of the findings to leave out")
    parser.add_argument("--json", type=Path, help="write every comparison, findings included, to this file")
    args = parser.parse_args(argv)
    IGNORED_FIELDS.update(args.ignore_field)
    for option, path in (("--eval", args.eval), ("--corpus", None if args.no_corpus else args.corpus)):
        if path is not None and not path.is_dir():
            parser.error(f"{option} {path}: not a folder")
    args.eval = args.eval.resolve() if args.eval else None
    args.corpus = args.corpus.resolve()

    with tempfile.TemporaryDirectory(prefix="cachelint-compare-") as parent:
        try:
            base, head = Checkout(args.base, Path(parent) / "base"), Checkout(args.head, Path(parent) / "head")
        except subprocess.CalledProcessError as error:
            print(f"error: not a revision of {ROOT}: {error.cmd[-1].removesuffix('^{commit}')}", file=sys.stderr)
            return 2
        print(f"base {args.base} ({base.commit[:10]})  head {args.head} ({head.commit[:10]})", flush=True)
        with base, head:
            comparisons = []
            for name, tree in trees(args, head):
                comparison = compare(name, tree, base, head)
                comparisons.append(comparison)
                print("\n".join(report(comparison, args.show)), flush=True)

    different = [c.tree for c in comparisons if not c.identical]
    findings = sum(len(c.head.findings) for c in comparisons)
    print(f"{len(comparisons) - len(different)} of {len(comparisons)} trees identical ({findings} findings in head)"
          + (f"; different: {', '.join(different)}" if different else ""))
    if args.json:
        args.json.write_text(json.dumps({
            "base": {"revision": args.base, "commit": base.commit},
            "head": {"revision": args.head, "commit": head.commit},
            "trees": [
                {
                    "tree": c.tree,
                    "identical": c.identical,
                    "base": {"findings": len(c.base.findings), "status": c.base.status, "errors": c.base.errors},
                    "head": {"findings": len(c.head.findings), "status": c.head.status, "errors": c.head.errors},
                    "only_base": [json.loads(f) for f in c.only_base],
                    "only_head": [json.loads(f) for f in c.only_head],
                }
                for c in comparisons
            ],
        }, indent=2) + "\n")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
